//! Errors as Open311 clients expect them: the specification's error array,
//! in the format the client asked for, with the HTTP status that its
//! `code` repeats.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civic311::open311::{ErrorList, Format, Open311Error, Payload};
use civic311::{Error, ErrorKind};

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub errors: ErrorList,
    pub format: Format,
    /// Seconds to wait, for a 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, description: impl Into<String>) -> ApiError {
        ApiError {
            status,
            errors: ErrorList(vec![Open311Error { code: status.as_u16(), description: description.into() }]),
            format: Format::Json,
            retry_after: None,
        }
    }

    pub fn bad_request(description: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, description)
    }

    pub fn not_found(description: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, description)
    }

    /// A missing or unknown key: 403, as the GeoReport v2 specification
    /// asks ("403 for errors because of wrong or missing api_key"), rather
    /// than HTTP's 401, which would also need a `WWW-Authenticate` scheme
    /// that Open311 does not have.
    pub fn unauthorized(description: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, description)
    }

    pub fn forbidden(description: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, description)
    }

    /// The same error, written in `format`.
    pub fn in_format(mut self, format: Format) -> ApiError {
        self.format = format;
        self
    }

    /// The HTTP status of a civic311 error: what the client sent is wrong
    /// (400), names nothing stored (404), collides with another change
    /// (409), or the server failed (500; 503 when the store cannot be used).
    pub fn from_error(err: &Error) -> ApiError {
        // A validation error's own array says the status (404 for an
        // unknown service, 400 for a bad field).
        if let Some(first) = err.open311_errors().first()
            && let Ok(status) = StatusCode::from_u16(first.code)
            && (status.is_client_error() || status.is_server_error())
        {
            return ApiError { status, errors: ErrorList::from_error(err), format: Format::Json, retry_after: None };
        }
        let status = match err.kind() {
            ErrorKind::Format | ErrorKind::Validation | ErrorKind::Query | ErrorKind::Routing => {
                StatusCode::BAD_REQUEST
            }
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict | ErrorKind::Lifecycle => StatusCode::CONFLICT,
            ErrorKind::Store => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut errors = ErrorList::from_error(err);
        if err.open311_errors().is_empty() {
            for e in &mut errors.0 {
                e.code = status.as_u16();
            }
        }
        ApiError { status, errors, format: Format::Json, retry_after: None }
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> ApiError {
        ApiError::from_error(&err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.errors.write(self.format);
        let mut response = (self.status, [(header::CONTENT_TYPE, content_type(self.format))], body).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// The content type of a format's answers.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json => "application/json; charset=utf-8",
        Format::Xml => "text/xml; charset=utf-8",
    }
}

//! Open311 GeoReport v2: the exchange format between 311 systems.
//!
//! Every payload of the specification has a type here: the services list
//! ([`ServiceList`]), a [`ServiceDefinition`], requests as read from a server
//! ([`RequestList`]), a submitted request ([`NewRequest`]) and the answer to
//! it ([`PostResponse`]), errors ([`ErrorList`]) and [`Discovery`]. Each
//! reads and writes JSON and XML through the [`Payload`] trait.
//!
//! Reading is lenient where real servers differ (a numeric `service_code`,
//! `keywords` as a list or a comma-separated string, `null` for absent
//! text, `"true"` for true); writing follows the specification exactly,
//! with codes and ids as strings.
//!
//! ```
//! use civic311::Catalog;
//! use civic311::open311::{Payload, ServiceList};
//!
//! let catalog = Catalog::riverton()?;
//! let list = ServiceList::from_catalog(&catalog);
//! let xml = list.to_xml();
//! assert!(xml.contains("<service_code>ST-POTHOLE</service_code>"));
//! assert_eq!(ServiceList::from_xml(&xml)?, list);
//! # Ok::<(), civic311::Error>(())
//! ```

mod json;
mod validate;
mod xml;

use std::collections::BTreeMap;

use crate::catalog::{Attribute, Catalog, ServiceType};
use crate::error::{Error, Result};
use crate::request::{AttributeAnswer, Channel, CloseReason, Reporter, ServiceRequest, Status};
use crate::time::DateTime;

pub use crate::error::Open311Error;
pub use validate::{MAX_DESCRIPTION_CHARS, validate_request};

/// The two wire formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `json` or `xml` (also `open311-json`, `open311-xml`), ignoring case.
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().trim_start_matches("open311-") {
            "json" => Some(Format::Json),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }
}

/// A payload that reads and writes both Open311 formats.
pub trait Payload: Sized {
    fn to_json(&self) -> String;
    fn to_xml(&self) -> String;
    fn from_json(text: &str) -> Result<Self>;
    fn from_xml(text: &str) -> Result<Self>;

    fn write(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Xml => self.to_xml(),
        }
    }

    fn read(text: &str, format: Format) -> Result<Self> {
        match format {
            Format::Json => Self::from_json(text),
            Format::Xml => Self::from_xml(text),
        }
    }
}

/// One entry of the services list (`GET services`).
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: Option<String>,
    /// Whether a service definition (attributes) is available.
    pub metadata: bool,
    pub service_type: ServiceType,
    pub keywords: Vec<String>,
    pub group: Option<String>,
}

/// The services list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceList(pub Vec<Service>);

impl ServiceList {
    /// The catalog's services that residents may request (staff-only ones are left out).
    pub fn from_catalog(catalog: &Catalog) -> ServiceList {
        ServiceList(
            catalog
                .services()
                .iter()
                .filter(|s| !s.staff_only)
                .map(|s| Service {
                    service_code: s.code.clone(),
                    service_name: s.name.clone(),
                    description: Some(s.description.clone()).filter(|d| !d.is_empty()),
                    metadata: s.metadata(),
                    service_type: s.service_type,
                    keywords: s.keywords.clone(),
                    group: s.group.clone(),
                })
                .collect(),
        )
    }
}

/// A service definition (`GET services/{code}`): the attributes a request must answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

impl ServiceDefinition {
    /// The definition of one catalog service, or a 404-style error naming the code.
    pub fn from_catalog(catalog: &Catalog, service_code: &str) -> Result<ServiceDefinition> {
        let service = catalog.service(service_code).ok_or_else(|| {
            Error::validation(vec![Open311Error {
                code: 404,
                description: validate::unknown_service(catalog, service_code),
            }])
        })?;
        Ok(ServiceDefinition { service_code: service.code.clone(), attributes: service.attributes.clone() })
    }
}

/// Open311's request status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Open,
    Closed,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Closed => "closed",
        }
    }
}

/// A service request as a server returns it (`GET requests`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    pub service_request_id: Option<String>,
    pub status: Option<RequestStatus>,
    pub status_notes: Option<String>,
    pub service_name: Option<String>,
    pub service_code: Option<String>,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: Option<DateTime>,
    pub updated_datetime: Option<DateTime>,
    pub expected_datetime: Option<DateTime>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// A list of requests.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestList(pub Vec<Request>);

impl Request {
    /// The Open311 view of a service request.
    pub fn from_service_request(r: &ServiceRequest) -> Request {
        Request {
            service_request_id: r.service_request_id.clone(),
            status: Some(if r.status.is_closed() { RequestStatus::Closed } else { RequestStatus::Open }),
            status_notes: r.status_notes.clone(),
            service_name: r.service_name.clone(),
            service_code: Some(r.service_code.clone()),
            description: r.description.clone(),
            agency_responsible: r.agency_responsible.clone(),
            service_notice: r.service_notice.clone(),
            requested_datetime: r.requested_datetime,
            updated_datetime: r.updated_datetime,
            expected_datetime: r.expected_datetime,
            address: r.address.clone(),
            address_id: r.address_id.clone(),
            zipcode: r.zipcode.clone(),
            lat: r.lat,
            long: r.long,
            media_url: r.media_url.clone(),
        }
    }

    /// A service request from another system's Open311 record. Open311 only
    /// knows open and closed: an open one becomes acknowledged (a system
    /// holds it), a closed one closed with its status notes as the reason.
    pub fn into_service_request(self) -> ServiceRequest {
        let status = match self.status {
            Some(RequestStatus::Closed) => Status::Closed(CloseReason::Other {
                note: self.status_notes.clone().unwrap_or_else(|| "closed in the source system".into()),
            }),
            _ => Status::Acknowledged,
        };
        ServiceRequest {
            service_request_id: self.service_request_id,
            service_code: self.service_code.unwrap_or_default(),
            service_name: self.service_name,
            description: self.description,
            status,
            status_notes: self.status_notes,
            agency_responsible: self.agency_responsible,
            service_notice: self.service_notice,
            requested_datetime: self.requested_datetime,
            updated_datetime: self.updated_datetime,
            expected_datetime: self.expected_datetime,
            address: self.address,
            address_id: self.address_id,
            zipcode: self.zipcode,
            lat: self.lat,
            long: self.long,
            media_url: self.media_url,
            channel: Some(Channel::Api),
            ..ServiceRequest::default()
        }
    }
}

/// A request as a resident or a client submits it (`POST requests`), with
/// civic311's extensions: the channel, who reports, and when.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewRequest {
    pub service_code: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    /// Answers by attribute code (`attribute[CODE]` on the wire).
    pub attributes: BTreeMap<String, AttributeAnswer>,
    pub jurisdiction_id: Option<String>,
    pub channel: Option<Channel>,
    pub reporter: Reporter,
    pub requested_datetime: Option<DateTime>,
}

impl NewRequest {
    /// A submission for a service, with nothing else filled in.
    pub fn new(service_code: impl Into<String>) -> NewRequest {
        NewRequest { service_code: service_code.into(), ..NewRequest::default() }
    }

    /// Reads a submission from a JSON object (as `civic311 route` takes it).
    /// Attributes may be an `attribute` object or `attribute[CODE]` keys.
    pub fn from_json(text: &str) -> Result<NewRequest> {
        json::new_request_from_json(text)
    }

    /// Reads a submission from a JSON value already parsed.
    pub fn from_json_value(value: &serde_json::Value) -> Result<NewRequest> {
        json::new_request_from_value(value)
    }

    /// Reads a submission from an `application/x-www-form-urlencoded` body,
    /// as Open311 clients POST it.
    pub fn from_form(body: &str) -> Result<NewRequest> {
        json::new_request_from_form(body)
    }

    /// The submission as a JSON object, attributes under `attribute`.
    pub fn to_json(&self) -> String {
        json::new_request_to_json(self)
    }

    /// The service request this submission opens, once validated.
    pub fn into_service_request(self, catalog: &Catalog) -> ServiceRequest {
        let service_name = catalog.service(&self.service_code).map(|s| s.name.clone());
        ServiceRequest {
            service_code: self.service_code,
            service_name,
            description: self.description,
            requested_datetime: self.requested_datetime,
            address: self.address_string,
            address_id: self.address_id,
            lat: self.lat,
            long: self.long,
            media_url: self.media_url,
            email: self.email,
            device_id: self.device_id,
            account_id: self.account_id,
            first_name: self.first_name,
            last_name: self.last_name,
            phone: self.phone,
            attributes: self.attributes,
            channel: self.channel,
            reporter: self.reporter,
            ..ServiceRequest::default()
        }
    }
}

/// The answer to a submitted request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostResponse {
    pub service_request_id: Option<String>,
    /// Given instead of an id by servers that create requests later.
    pub token: Option<String>,
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
}

/// A list of answers to submitted requests (the specification wraps one answer in a list).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostResponseList(pub Vec<PostResponse>);

/// An Open311 error array.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorList(pub Vec<Open311Error>);

impl ErrorList {
    /// The Open311 errors of a civic311 error: a validation error's own
    /// array, or one entry for any other kind.
    pub fn from_error(err: &Error) -> ErrorList {
        if !err.open311_errors().is_empty() {
            return ErrorList(err.open311_errors().to_vec());
        }
        let code = match err.kind() {
            crate::ErrorKind::Format | crate::ErrorKind::Validation => 400,
            _ => 500,
        };
        ErrorList(vec![Open311Error { code, description: err.message().to_string() }])
    }
}

/// One endpoint of a discovery document.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub specification: String,
    pub url: String,
    pub changeset: Option<DateTime>,
    /// `production` or `test`.
    pub endpoint_type: String,
    pub formats: Vec<String>,
}

/// The discovery document (`discovery.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    pub changeset: Option<DateTime>,
    pub contact: Option<String>,
    pub key_service: Option<String>,
    pub endpoints: Vec<Endpoint>,
}

/// The specification's URL, as discovery documents name it.
pub const GEOREPORT_V2: &str = "http://wiki.open311.org/GeoReport_v2";

impl Discovery {
    /// A discovery document for a catalog served at `base_url`.
    pub fn for_catalog(catalog: &Catalog, base_url: &str, changeset: Option<DateTime>) -> Discovery {
        let contact = catalog.default_jurisdiction().map(|j| {
            let c = j.contact();
            if c.is_empty() { j.name.clone() } else { format!("{}: {c}", j.name) }
        });
        Discovery {
            changeset,
            contact,
            key_service: None,
            endpoints: vec![Endpoint {
                specification: GEOREPORT_V2.to_string(),
                url: base_url.to_string(),
                changeset,
                endpoint_type: "production".into(),
                formats: vec!["application/json".into(), "text/xml".into()],
            }],
        }
    }
}

//! One error type for the whole library, inspected by kind.
//!
//! Every message is lower-case, names the thing that was wrong and says what
//! would be accepted instead, so that it can be shown to the developer (or the
//! catalog editor) as it is.

use std::fmt;

/// What went wrong, for callers that react differently to different failures.
///
/// The bindings map each kind to their own error classes: `CatalogError`,
/// `ValidationError`, `BundleError`, `QueryError` and so on in Python, and an
/// `Error` with the kind's name in JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A catalog folder (or embedded catalog) has one or more problems;
    /// [`Error::problems`] lists every one of them.
    Catalog,
    /// Input in an exchange format (Open311 JSON or XML, a request) could not
    /// be read at all: bad syntax, a wrong type, a missing element.
    Format,
    /// A request was read but breaks its service definition; the Open311
    /// error array is in [`Error::open311_errors`].
    Validation,
    /// A service request was asked to make a lifecycle transition it cannot
    /// make (closing it twice, reopening an open one).
    Lifecycle,
    /// A bundle file is truncated, altered, or of another format version.
    Bundle,
    /// A trained model file cannot be read or does not fit.
    Model,
    /// Search or classification options that cannot be honoured.
    Query,
    /// No rule, jurisdiction or department can take a request.
    Routing,
    /// Reading or writing a file failed.
    Io,
    /// A request store cannot be used: its database is missing, foreign,
    /// corrupt or of a newer schema, or the database refused a statement.
    Store,
    /// A change was made against a stale version of a request (another
    /// change landed first), or an id is taken by another record.
    Conflict,
    /// No stored record has the id asked for.
    NotFound,
}

impl ErrorKind {
    /// The kind's name as the bindings show it, such as `"CatalogError"`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Catalog => "CatalogError",
            ErrorKind::Format => "FormatError",
            ErrorKind::Validation => "ValidationError",
            ErrorKind::Lifecycle => "LifecycleError",
            ErrorKind::Bundle => "BundleError",
            ErrorKind::Model => "ModelError",
            ErrorKind::Query => "QueryError",
            ErrorKind::Routing => "RoutingError",
            ErrorKind::Io => "IoError",
            ErrorKind::Store => "StoreError",
            ErrorKind::Conflict => "ConflictError",
            ErrorKind::NotFound => "NotFoundError",
        }
    }
}

/// One problem found in a catalog: where it is, which field, the bad value,
/// and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, relative to the catalog folder, such as `catalog.toml` or `articles/potholes.md`.
    pub file: String,
    /// The 1-based line, where the problem has one.
    pub line: Option<u32>,
    /// The field, as a path such as `services[3].department`; empty when the
    /// problem is with the whole file.
    pub field: String,
    /// What is wrong and what would be accepted.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One entry of an Open311 error array: `{"code": 400, "description": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Open311Error {
    /// The HTTP-like status code: 400 for a bad request, 404 for an unknown service.
    pub code: u16,
    /// What was wrong, naming the field.
    pub description: String,
}

/// The error of every fallible civic311 call.
///
/// ```
/// use civic311::{Catalog, ErrorKind};
///
/// let err = Catalog::load("/no/such/folder").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Catalog);
/// assert!(err.to_string().contains("/no/such/folder"));
/// ```
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    problems: Vec<Problem>,
    open311: Vec<Open311Error>,
}

impl Error {
    /// A new error of `kind` with a lower-case message that names the thing
    /// and hints at the fix.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), problems: Vec::new(), open311: Vec::new() }
    }

    /// A catalog error carrying every problem found.
    pub fn catalog(problems: Vec<Problem>) -> Error {
        let message = match problems.len() {
            1 => "the catalog has 1 problem".to_string(),
            n => format!("the catalog has {n} problems"),
        };
        Error { kind: ErrorKind::Catalog, message, problems, open311: Vec::new() }
    }

    /// A validation error carrying the Open311 error array.
    pub fn validation(errors: Vec<Open311Error>) -> Error {
        let message = errors.iter().map(|e| e.description.as_str()).collect::<Vec<_>>().join("; ");
        Error { kind: ErrorKind::Validation, message, problems: Vec::new(), open311: errors }
    }

    /// An error of `kind` carrying problems found at places in a file (rows
    /// of an import, for instance), as a catalog error carries its own.
    pub fn with_problems(kind: ErrorKind, message: impl Into<String>, problems: Vec<Problem>) -> Error {
        Error { kind, message: message.into(), problems, open311: Vec::new() }
    }

    pub(crate) fn format(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Format, message)
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message without the list of problems.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Every problem of a catalog error, in file order; empty for other kinds.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The Open311 error array of a validation error; empty for other kinds.
    pub fn open311_errors(&self) -> &[Open311Error] {
        &self.open311
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        // Note: the first problems are shown in the message itself, because
        // many callers only ever print an error's Display.
        const SHOWN: usize = 20;
        for problem in self.problems.iter().take(SHOWN) {
            write!(f, "\n  {problem}")?;
        }
        if self.problems.len() > SHOWN {
            write!(f, "\n  ... and {} more", self.problems.len() - SHOWN)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The result of every fallible civic311 call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

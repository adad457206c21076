//! # civic311
//!
//! The core of a 311 system as a library: the catalog of who delivers what,
//! answer search over it, service requests with their lifecycle, and the
//! Open311 GeoReport v2 exchange format.
//!
//! A city describes itself in a catalog folder (jurisdictions, departments,
//! service categories, knowledge articles, facilities, calendars and
//! boundaries; see `docs/catalog-format.md`). civic311 loads and validates
//! it, reporting every problem with its file and line; an [`Engine`] built
//! from it answers residents' questions; bundles carry engines to other
//! processes and browsers:
//!
//! ```
//! use civic311::{Catalog, Engine, SearchOptions};
//! use civic311::open311::{NewRequest, Payload, ServiceList, validate_request};
//!
//! // The embedded Riverton catalog; Catalog::load("path/to/folder") reads your own.
//! let catalog = Catalog::riverton()?;
//!
//! // Who delivers pothole repair, and how to reach them.
//! let pothole = catalog.service("ST-POTHOLE").unwrap();
//! let streets = catalog.department(&pothole.department).unwrap();
//! assert_eq!(catalog.jurisdiction(&streets.jurisdiction).unwrap().name, "City of Riverton");
//!
//! // A resident's question, in their own words.
//! let engine = Engine::build(catalog)?;
//! let answers = engine.search("my trash wasnt picked up", &SearchOptions::default())?;
//! assert_eq!(answers[0].id, "SW-MISSED-TRASH");
//!
//! // The same engine as bytes, loaded elsewhere without re-indexing.
//! let engine = Engine::from_bundle(&engine.to_bundle()?)?;
//!
//! // The Open311 services list, for any client that speaks GeoReport v2.
//! let json = ServiceList::from_catalog(engine.catalog()).to_json();
//! assert!(json.contains("\"service_code\": \"ST-POTHOLE\""));
//!
//! // A resident's submission, checked against the service definition.
//! let req = NewRequest::from_json(r#"{"service_code": "ST-POTHOLE", "description": "deep hole"}"#)?;
//! let err = validate_request(engine.catalog(), &req).unwrap_err();
//! assert!(err.open311_errors().iter().any(|e| e.description.contains("location is required")));
//! # Ok::<(), civic311::Error>(())
//! ```
//!
//! No input makes the library panic: every failure is an [`Error`] whose
//! [`kind`](Error::kind) callers can match on and whose message names what
//! was wrong and how to fix it.

pub mod analyzer;
pub mod answer;
pub mod bundle;
pub mod catalog;
pub mod classify;
pub mod encoder;
mod engine;
mod error;
mod handle;
mod hybrid;
pub mod open311;
mod parallel;
mod request;
pub mod route;
pub mod search;
mod text;
mod time;
mod zones;

pub use answer::{AnswerOptions, Reply};
pub use catalog::Catalog;
#[cfg(feature = "encoder")]
pub use encoder::Encoder;
pub use engine::Engine;
pub use error::{Error, ErrorKind, Open311Error, Problem, Result};
pub use handle::EngineHandle;
#[doc(hidden)]
pub use hybrid::{HybridCandidate, hybrid_constants};
pub use request::{AttributeAnswer, Channel, CloseReason, Note, Priority, Reporter, ServiceRequest, Status};
pub use search::{Answer, AnswerKind, Completion, SearchOptions};
pub use time::DateTime;

/// The README's Rust examples, run as doctests so that they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The Rust examples of docs/answer.md, run as doctests.
#[doc = include_str!("../../docs/answer.md")]
#[cfg(doctest)]
pub struct AnswerGuideDoctests;

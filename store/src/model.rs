//! What the store keeps and answers: stored requests with their history,
//! and the arguments of its operations.

use std::collections::BTreeMap;

use civic311::route::{Duplicate, Routing};
use civic311::{AttributeAnswer, Channel, CloseReason, DateTime, Priority, Reporter, ServiceRequest, Status};
use jiff::Timestamp;
use serde::Serialize;

/// A request as the store keeps it: its Open311 fields, what routing
/// decided, where it is in its lifecycle and, from [`Store::get`](crate::Store::get),
/// its history and the personal data of whoever filed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRequest {
    pub service_request_id: String,
    /// The client's own id for its submission, when it gave one.
    pub client_request_id: Option<String>,
    pub service_code: String,
    pub service_name: Option<String>,
    pub description: Option<String>,
    /// The lifecycle state, with the reason when closed.
    pub status: Status,
    pub status_notes: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: DateTime,
    pub updated_datetime: DateTime,
    /// The service level's deadline.
    pub expected_datetime: Option<DateTime>,
    pub acknowledged_datetime: Option<DateTime>,
    /// When it was closed; `None` while open, and for imported rows closed
    /// at a time their source did not give.
    pub closed_datetime: Option<DateTime>,
    /// Whom to alert, and when, if it is still open then.
    pub escalation: Option<StoredEscalation>,
    /// When the monitor found it past its deadline.
    pub sla_breached_datetime: Option<DateTime>,
    /// The IANA zone its times are shown in.
    pub time_zone: String,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
    pub attributes: BTreeMap<String, AttributeAnswer>,
    pub channel: Option<Channel>,
    pub reporter: Reporter,
    pub priority: Option<Priority>,
    pub jurisdiction: Option<String>,
    pub department: Option<String>,
    pub duplicate_of: Option<String>,
    /// The jurisdiction it was referred to.
    pub referred_to: Option<String>,
    /// The routing rule that decided, and the service level it set.
    pub rule: Option<String>,
    pub sla: Option<String>,
    /// `submit` or `import`.
    pub source: String,
    /// Counts the changes made to it: give it back as
    /// [`Update::expected_version`] so that a change made meanwhile is not
    /// overwritten.
    pub version: i64,
    /// The history, oldest first (from [`Store::get`](crate::Store::get) only).
    pub history: Vec<Event>,
    /// Who filed it (from [`Store::get`](crate::Store::get) only; never in a
    /// public answer).
    pub personal: Option<Personal>,
}

/// A stored escalation deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEscalation {
    /// The department alerted.
    pub to: String,
    pub at: DateTime,
    /// When the monitor recorded it, once it fell due.
    pub escalated_datetime: Option<DateTime>,
}

impl StoredRequest {
    /// Whether it is open (any state but closed).
    pub fn is_open(&self) -> bool {
        !self.status.is_closed()
    }

    /// Open311's status: `open` or `closed`.
    pub fn open311_status(&self) -> &'static str {
        if self.is_open() { "open" } else { "closed" }
    }

    /// The history a resident may see: public events only.
    pub fn public_history(&self) -> impl Iterator<Item = &Event> {
        self.history.iter().filter(|e| e.public)
    }

    /// The request as core's [`ServiceRequest`], for the Open311 writers,
    /// with no personal data: nothing of it can show who filed it. The
    /// history is the public events.
    pub fn to_service_request(&self) -> ServiceRequest {
        ServiceRequest {
            service_request_id: Some(self.service_request_id.clone()),
            service_code: self.service_code.clone(),
            service_name: self.service_name.clone(),
            description: self.description.clone(),
            status: self.status.clone(),
            status_notes: self.status_notes.clone(),
            agency_responsible: self.agency_responsible.clone(),
            service_notice: self.service_notice.clone(),
            requested_datetime: Some(self.requested_datetime),
            updated_datetime: Some(self.updated_datetime),
            expected_datetime: self.expected_datetime,
            address: self.address.clone(),
            address_id: self.address_id.clone(),
            zipcode: self.zipcode.clone(),
            lat: self.lat,
            long: self.long,
            media_url: self.media_url.clone(),
            attributes: self.attributes.clone(),
            channel: self.channel,
            reporter: self.reporter,
            priority: self.priority,
            jurisdiction: self.jurisdiction.clone(),
            department: self.department.clone(),
            history: self
                .public_history()
                .map(|e| civic311::Note {
                    at: e.at,
                    status: None,
                    text: e.note.clone().unwrap_or_default(),
                    author: None,
                })
                .collect(),
            duplicate_of: self.duplicate_of.clone(),
            ..ServiceRequest::default()
        }
    }
}

/// The personal data of whoever filed a request, kept apart from it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Personal {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
}

impl Personal {
    pub fn is_empty(&self) -> bool {
        *self == Personal::default()
    }
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Its place in the history, from 1.
    pub n: i64,
    pub at: DateTime,
    pub kind: EventKind,
    /// Who made the change: a staff member, `monitor`, `import`, or the
    /// channel the resident used.
    pub actor: String,
    /// Whether the resident and the public may see it.
    pub public: bool,
    pub note: Option<String>,
    /// The lifecycle state after it.
    pub state: Option<String>,
    /// The department it concerns (routed, assigned, transferred, escalated).
    pub department: Option<String>,
}

/// What happened to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Submitted,
    Routed,
    Acknowledged,
    Assigned,
    Transferred,
    StatusChanged,
    Note,
    Escalated,
    SlaBreached,
    Referred,
    MarkedDuplicate,
    Closed,
    Reopened,
}

impl EventKind {
    pub const NAMES: &'static [&'static str] = &[
        "submitted",
        "routed",
        "acknowledged",
        "assigned",
        "transferred",
        "status_changed",
        "note",
        "escalated",
        "sla_breached",
        "referred",
        "marked_duplicate",
        "closed",
        "reopened",
    ];
    const ALL: [EventKind; 13] = [
        EventKind::Submitted,
        EventKind::Routed,
        EventKind::Acknowledged,
        EventKind::Assigned,
        EventKind::Transferred,
        EventKind::StatusChanged,
        EventKind::Note,
        EventKind::Escalated,
        EventKind::SlaBreached,
        EventKind::Referred,
        EventKind::MarkedDuplicate,
        EventKind::Closed,
        EventKind::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        Self::NAMES.iter().position(|n| *n == s).map(|i| Self::ALL[i])
    }
}

/// How a request arrived, for [`Store::submit`](crate::Store::submit).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Submission {
    /// The channel; the request's own `channel`, else `api`.
    pub channel: Option<Channel>,
    /// Resident or staff; the request's own `reporter` when not given.
    pub reporter: Option<Reporter>,
    /// The client's id for this submission: submitting it again returns
    /// the first request instead of making a second one.
    pub client_request_id: Option<String>,
    /// When it was received; now when `None`.
    pub at: Option<Timestamp>,
}

/// What [`Store::submit`](crate::Store::submit) did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submitted {
    pub service_request_id: String,
    /// `false` when the `client_request_id` was seen before: nothing was
    /// written, and this is the first submission's answer.
    pub created: bool,
    /// Where it went, by when, and why.
    pub routing: Routing,
    /// Likely duplicates among the stored open requests, most likely first.
    pub duplicates: Vec<Duplicate>,
}

/// A change to a request, for [`Store::update`](crate::Store::update).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Update {
    /// The state to move to; the lifecycle decides whether it may.
    pub status: Option<Status>,
    pub note: Option<String>,
    /// Whether the note and the change may be shown to the public.
    pub public: bool,
    /// Assign (or transfer) it to a department.
    pub department: Option<String>,
    /// Who makes the change (required).
    pub actor: String,
    /// When; now when `None`.
    pub at: Option<Timestamp>,
    /// The version the change was made against ([`StoredRequest::version`]);
    /// a request changed since is refused with a
    /// [`Conflict`](civic311::ErrorKind::Conflict) error instead of being
    /// overwritten.
    pub expected_version: Option<i64>,
}

impl Update {
    /// A change by `actor` that does nothing yet.
    pub fn by(actor: impl Into<String>) -> Update {
        Update { actor: actor.into(), ..Update::default() }
    }

    pub fn status(mut self, status: Status) -> Update {
        self.status = Some(status);
        self
    }

    pub fn close(self, reason: CloseReason) -> Update {
        self.status(Status::Closed(reason))
    }

    pub fn note(mut self, text: impl Into<String>, public: bool) -> Update {
        self.note = Some(text.into());
        self.public = public;
        self
    }

    pub fn department(mut self, department: impl Into<String>) -> Update {
        self.department = Some(department.into());
        self
    }

    pub fn at(mut self, at: Timestamp) -> Update {
        self.at = Some(at);
        self
    }

    pub fn expecting(mut self, version: i64) -> Update {
        self.expected_version = Some(version);
        self
    }
}

/// Which requests [`Store::query`](crate::Store::query) returns: the Open311
/// filters and the common extensions. Empty fields do not filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub ids: Vec<String>,
    pub service_codes: Vec<String>,
    pub status: Option<StatusFilter>,
    /// Requested at or after.
    pub start: Option<Timestamp>,
    /// Requested at or before.
    pub end: Option<Timestamp>,
    pub department: Option<String>,
    /// Changed after.
    pub updated_after: Option<Timestamp>,
    /// Within a distance of a point.
    pub near: Option<Near>,
    pub bbox: Option<BoundingBox>,
    /// From 1.
    pub page: u32,
    /// From 1 to [`Filter::MAX_PAGE_SIZE`]; 50 by default.
    pub page_size: u32,
}

impl Filter {
    pub const MAX_PAGE_SIZE: u32 = 1000;
}

impl Default for Filter {
    fn default() -> Filter {
        Filter {
            ids: Vec::new(),
            service_codes: Vec::new(),
            status: None,
            start: None,
            end: None,
            department: None,
            updated_after: None,
            near: None,
            bbox: None,
            page: 1,
            page_size: 50,
        }
    }
}

/// A status to filter by: Open311's two, or one lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Open,
    Closed,
    /// One state: `submitted`, `acknowledged`, `in_progress`, `on_hold`, `reopened`.
    State(&'static str),
}

impl StatusFilter {
    /// Reads `open`, `closed` or a lifecycle state's name.
    pub fn parse(s: &str) -> Option<StatusFilter> {
        match s.trim() {
            "open" => Some(StatusFilter::Open),
            "closed" => Some(StatusFilter::Closed),
            other => ["submitted", "acknowledged", "in_progress", "on_hold", "reopened"]
                .into_iter()
                .find(|n| *n == other)
                .map(StatusFilter::State),
        }
    }
}

/// A circle: requests within `radius_m` metres of a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub lat: f64,
    pub long: f64,
    pub radius_m: f64,
}

/// A latitude and longitude box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub min_long: f64,
    pub max_lat: f64,
    pub max_long: f64,
}

/// One page of a query's answer, in a stable order: newest request first,
/// then by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub requests: Vec<StoredRequest>,
    pub page: u32,
    pub page_size: u32,
    /// Whether a next page has requests.
    pub has_more: bool,
}

/// What [`Store::sweep`](crate::Store::sweep) recorded.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SweepReport {
    /// Requests past their escalation time, and whom each alerted.
    pub escalated: Vec<(String, String)>,
    /// Requests past their service level's deadline.
    pub breached: Vec<String>,
}

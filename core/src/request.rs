//! Service requests and their lifecycle.
//!
//! A request is submitted, acknowledged, worked (in progress, perhaps on
//! hold), and closed with a reason; a closed request can be reopened. Every
//! change is kept in the request's history, and a transition that makes no
//! sense (closing a closed request, putting a new one on hold before anyone
//! has seen it) is refused with a [`ErrorKind::Lifecycle`](crate::ErrorKind::Lifecycle) error.
//!
//! ```
//! use civic311::{CloseReason, DateTime, ServiceRequest, Status};
//!
//! let t = |s: &str| s.parse::<DateTime>().unwrap();
//! let mut req = ServiceRequest::new("ST-POTHOLE");
//! req.transition(Status::Acknowledged, t("2026-03-02T09:00:00-06:00"), "crew assigned")?;
//! req.transition(Status::InProgress, t("2026-03-03T08:00:00-06:00"), "")?;
//! req.transition(Status::Closed(CloseReason::Fixed), t("2026-03-03T11:00:00-06:00"), "filled")?;
//! assert!(req.transition(Status::Closed(CloseReason::Fixed), t("2026-03-04T08:00:00-06:00"), "").is_err());
//! assert_eq!(req.open311_status(), "closed");
//! assert_eq!(req.history.len(), 3);
//! # Ok::<(), civic311::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::time::DateTime;

/// How a request reached the city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Web,
    MobileApp,
    Email,
    WalkIn,
    Social,
    /// Filed by city staff for the city itself.
    Internal,
    /// Another system, through the Open311 API.
    Api,
}

impl Channel {
    pub const NAMES: &'static [&'static str] =
        &["phone", "web", "mobile_app", "email", "walk_in", "social", "internal", "api"];
    const ALL: [Channel; 8] = [
        Channel::Phone,
        Channel::Web,
        Channel::MobileApp,
        Channel::Email,
        Channel::WalkIn,
        Channel::Social,
        Channel::Internal,
        Channel::Api,
    ];

    pub fn parse(s: &str) -> Option<Channel> {
        Self::NAMES.iter().position(|n| *n == s).map(|i| Self::ALL[i])
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Who filed a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Reporter {
    #[default]
    Resident,
    Staff,
}

impl Reporter {
    pub const NAMES: &'static [&'static str] = &["resident", "staff"];

    pub fn parse(s: &str) -> Option<Reporter> {
        match s {
            "resident" => Some(Reporter::Resident),
            "staff" => Some(Reporter::Staff),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// How soon a request must be handled, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Emergency,
    Urgent,
    High,
    Normal,
    Low,
}

impl Priority {
    pub const NAMES: &'static [&'static str] = &["emergency", "urgent", "high", "normal", "low"];
    const ALL: [Priority; 5] = [Priority::Emergency, Priority::Urgent, Priority::High, Priority::Normal, Priority::Low];

    pub fn parse(s: &str) -> Option<Priority> {
        Self::NAMES.iter().position(|n| *n == s).map(|i| Self::ALL[i])
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Why a request was closed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum CloseReason {
    /// The work was done.
    Fixed,
    /// Another open request covers it.
    Duplicate { of: String },
    /// Sent to the jurisdiction or department that delivers it.
    Referred { to: String },
    /// Not a matter for any government in the catalog (private property, a
    /// private utility).
    NotOurs,
    /// Crews found nothing to do.
    NoIssueFound,
    /// The resident withdrew it.
    Withdrawn,
    /// Closed by another system that gave no reason we know.
    Other { note: String },
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseReason::Fixed => f.write_str("fixed"),
            CloseReason::Duplicate { of } => write!(f, "duplicate of {of}"),
            CloseReason::Referred { to } => write!(f, "referred to {to}"),
            CloseReason::NotOurs => f.write_str("not ours"),
            CloseReason::NoIssueFound => f.write_str("no issue found"),
            CloseReason::Withdrawn => f.write_str("withdrawn"),
            CloseReason::Other { note } => write!(f, "closed: {note}"),
        }
    }
}

impl CloseReason {
    /// Reads a reason as the command line and the bindings take it:
    /// `fixed`, `not_ours`, `no_issue_found`, `withdrawn`, `duplicate:ID`,
    /// `referred:JURISDICTION`; any other words are an `Other` reason.
    pub fn parse(s: &str) -> CloseReason {
        match s.trim() {
            "fixed" => CloseReason::Fixed,
            "not_ours" => CloseReason::NotOurs,
            "no_issue_found" => CloseReason::NoIssueFound,
            "withdrawn" => CloseReason::Withdrawn,
            r => match r.split_once(':') {
                Some(("duplicate", of)) if !of.is_empty() => CloseReason::Duplicate { of: of.to_string() },
                Some(("referred", to)) if !to.is_empty() => CloseReason::Referred { to: to.to_string() },
                _ => CloseReason::Other { note: r.to_string() },
            },
        }
    }
}

/// Where a request is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    #[default]
    Submitted,
    Acknowledged,
    InProgress,
    OnHold,
    Closed(CloseReason),
    Reopened,
}

impl Status {
    /// The state's name, such as `in_progress`.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Acknowledged => "acknowledged",
            Status::InProgress => "in_progress",
            Status::OnHold => "on_hold",
            Status::Closed(_) => "closed",
            Status::Reopened => "reopened",
        }
    }

    /// The state named `name` (as [`Status::name`] gives it); `closed`
    /// takes its reason from `reason` (see [`CloseReason::parse`]; fixed
    /// when none). `None` for a name that is no state.
    pub fn from_name(name: &str, reason: Option<&str>) -> Option<Status> {
        Some(match name.trim() {
            "submitted" => Status::Submitted,
            "acknowledged" => Status::Acknowledged,
            "in_progress" => Status::InProgress,
            "on_hold" => Status::OnHold,
            "reopened" => Status::Reopened,
            "closed" => Status::Closed(reason.map(CloseReason::parse).unwrap_or(CloseReason::Fixed)),
            _ => return None,
        })
    }

    pub fn is_closed(&self) -> bool {
        matches!(self, Status::Closed(_))
    }

    /// The states this one may move to, by name.
    pub fn next_states(&self) -> &'static [&'static str] {
        match self {
            Status::Submitted => &["acknowledged", "in_progress", "closed"],
            Status::Acknowledged | Status::Reopened => &["in_progress", "on_hold", "closed"],
            Status::InProgress => &["on_hold", "closed"],
            Status::OnHold => &["in_progress", "closed"],
            Status::Closed(_) => &["reopened"],
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Closed(reason) => write!(f, "closed ({reason})"),
            other => f.write_str(other.name()),
        }
    }
}

/// An answer to a request attribute: one value, or several for a
/// `multivaluelist`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttributeAnswer {
    One(String),
    Many(Vec<String>),
}

impl AttributeAnswer {
    /// The answer's values, one or several.
    pub fn values(&self) -> &[String] {
        match self {
            AttributeAnswer::One(v) => std::slice::from_ref(v),
            AttributeAnswer::Many(v) => v,
        }
    }
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub at: DateTime,
    /// The state after the change, or `None` for a plain note.
    pub status: Option<Status>,
    pub text: String,
    pub author: Option<String>,
}

/// A service request: every Open311 field, plus what a 311 system keeps
/// about it (channel, priority, the department working it, attribute
/// answers, its history, the request it duplicates).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceRequest {
    pub service_request_id: Option<String>,
    pub service_code: String,
    pub service_name: Option<String>,
    pub description: Option<String>,
    pub status: Status,
    pub status_notes: Option<String>,
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
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    /// Answers to the service's attributes, by attribute code.
    pub attributes: BTreeMap<String, AttributeAnswer>,
    pub channel: Option<Channel>,
    pub reporter: Reporter,
    pub priority: Option<Priority>,
    pub jurisdiction: Option<String>,
    pub department: Option<String>,
    /// Every change of state and every note, oldest first.
    pub history: Vec<Note>,
    pub duplicate_of: Option<String>,
}

impl ServiceRequest {
    /// A new, submitted request for a service.
    pub fn new(service_code: impl Into<String>) -> ServiceRequest {
        ServiceRequest { service_code: service_code.into(), ..ServiceRequest::default() }
    }

    /// Open311's two-valued status: `open` or `closed`.
    pub fn open311_status(&self) -> &'static str {
        if self.status.is_closed() { "closed" } else { "open" }
    }

    /// Moves the request to `to`, recording the change with `note` in its
    /// history; an illegal transition leaves the request as it was.
    pub fn transition(&mut self, to: Status, at: DateTime, note: impl Into<String>) -> Result<()> {
        let allowed = self.status.next_states();
        if !allowed.contains(&to.name()) {
            let id = self.service_request_id.as_deref().unwrap_or("(unsaved)");
            return Err(Error::new(
                ErrorKind::Lifecycle,
                format!(
                    "request {id} cannot go from {} to {}; from {} it may go to: {}",
                    self.status.name(),
                    to.name(),
                    self.status.name(),
                    allowed.join(", ")
                ),
            ));
        }
        if let Status::Closed(CloseReason::Duplicate { of }) = &to {
            if Some(of.as_str()) == self.service_request_id.as_deref() {
                return Err(Error::new(
                    ErrorKind::Lifecycle,
                    format!("request {of} cannot be closed as a duplicate of itself; name the request it duplicates"),
                ));
            }
            self.duplicate_of = Some(of.clone());
        }
        if to == Status::Reopened {
            self.duplicate_of = None;
        }
        let text = note.into();
        if let Status::Closed(reason) = &to {
            self.status_notes = Some(if text.is_empty() { reason.to_string() } else { text.clone() });
        }
        self.history.push(Note { at, status: Some(to.clone()), text, author: None });
        self.status = to;
        self.updated_datetime = Some(at);
        Ok(())
    }

    /// Adds a note to the history without changing the state.
    pub fn add_note(&mut self, at: DateTime, text: impl Into<String>, author: Option<String>) {
        self.history.push(Note { at, status: None, text: text.into(), author });
        self.updated_datetime = Some(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> DateTime {
        format!("2026-03-02T{h:02}:00:00-06:00").parse().unwrap()
    }

    #[test]
    fn every_legal_path_and_no_other() {
        let states = [
            Status::Submitted,
            Status::Acknowledged,
            Status::InProgress,
            Status::OnHold,
            Status::Closed(CloseReason::Fixed),
            Status::Reopened,
        ];
        let legal = [
            ("submitted", "acknowledged"),
            ("submitted", "in_progress"),
            ("submitted", "closed"),
            ("acknowledged", "in_progress"),
            ("acknowledged", "on_hold"),
            ("acknowledged", "closed"),
            ("in_progress", "on_hold"),
            ("in_progress", "closed"),
            ("on_hold", "in_progress"),
            ("on_hold", "closed"),
            ("closed", "reopened"),
            ("reopened", "in_progress"),
            ("reopened", "on_hold"),
            ("reopened", "closed"),
        ];
        for from in &states {
            for to in &states {
                let mut req = ServiceRequest::new("X");
                req.status = from.clone();
                let result = req.transition(to.clone(), at(9), "");
                let expected = legal.contains(&(from.name(), to.name()));
                assert_eq!(result.is_ok(), expected, "{from} -> {to}");
                if !expected {
                    assert_eq!(&req.status, from, "a refused transition changes nothing");
                    assert!(req.history.is_empty());
                    let msg = result.unwrap_err().to_string();
                    assert!(msg.contains(from.name()) && msg.contains("may go to"), "{msg}");
                }
            }
        }
    }

    #[test]
    fn states_and_reasons_by_name() {
        for s in [Status::Submitted, Status::Acknowledged, Status::InProgress, Status::OnHold, Status::Reopened] {
            assert_eq!(Status::from_name(s.name(), None), Some(s));
        }
        assert_eq!(Status::from_name("closed", None), Some(Status::Closed(CloseReason::Fixed)));
        assert_eq!(
            Status::from_name("closed", Some("duplicate:17")),
            Some(Status::Closed(CloseReason::Duplicate { of: "17".into() }))
        );
        assert_eq!(CloseReason::parse("referred:mercer-county"), CloseReason::Referred { to: "mercer-county".into() });
        assert_eq!(CloseReason::parse("duplicate:"), CloseReason::Other { note: "duplicate:".into() });
        assert_eq!(CloseReason::parse("not_ours"), CloseReason::NotOurs);
        assert_eq!(Status::from_name("finished", None), None);
        assert_eq!(Status::from_name("", None), None);
    }

    #[test]
    fn duplicates_are_recorded_and_cleared_on_reopen() {
        let mut req = ServiceRequest { service_request_id: Some("r2".into()), ..ServiceRequest::new("X") };
        assert!(req.transition(Status::Closed(CloseReason::Duplicate { of: "r2".into() }), at(9), "").is_err());
        req.transition(Status::Closed(CloseReason::Duplicate { of: "r1".into() }), at(10), "").unwrap();
        assert_eq!(req.duplicate_of.as_deref(), Some("r1"));
        assert_eq!(req.status_notes.as_deref(), Some("duplicate of r1"));
        assert_eq!(req.updated_datetime, Some(at(10)));
        req.transition(Status::Reopened, at(11), "not the same pothole").unwrap();
        assert_eq!(req.duplicate_of, None);
        assert_eq!(req.open311_status(), "open");
        req.add_note(at(12), "called the resident", Some("agent 7".into()));
        assert_eq!(req.history.len(), 3);
        assert_eq!(req.history[2].status, None);
    }
}

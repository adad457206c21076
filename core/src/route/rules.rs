//! Routing rules and service levels as `routing.toml` declares them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::request::{Channel, Priority, Reporter};

/// How long a service level or an escalation allows.
///
/// Business time runs only in the open hours of the delivering department's
/// calendar and stops on its holidays; clock time runs always.
///
/// ```
/// use civic311::route::SlaDuration;
///
/// assert_eq!("3 business days".parse::<SlaDuration>()?, SlaDuration::BusinessDays(3));
/// assert_eq!("1 hour".parse::<SlaDuration>()?, SlaDuration::Hours(1));
/// assert_eq!(SlaDuration::BusinessHours(4).to_string(), "4 business hours");
/// assert!("3 fortnights".parse::<SlaDuration>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaDuration {
    /// Hours of open time on the calendar.
    BusinessHours(u32),
    /// Due at the close of the n-th business day after the day of the request.
    BusinessDays(u32),
    /// Elapsed hours.
    Hours(u32),
    /// Elapsed minutes.
    Minutes(u32),
    /// The same local clock time n calendar days later.
    Days(u32),
}

impl SlaDuration {
    /// Whether it is counted on a business calendar.
    pub fn is_business(self) -> bool {
        matches!(self, SlaDuration::BusinessHours(_) | SlaDuration::BusinessDays(_))
    }
}

/// The accepted forms, for error messages.
pub(crate) const DURATION_FORMS: &str = "write '<n> business hours', '<n> business days', '<n> hours', '<n> minutes' or '<n> days', such as \"3 business days\"";

impl std::str::FromStr for SlaDuration {
    type Err = String;

    fn from_str(s: &str) -> Result<SlaDuration, String> {
        let bad = || format!("'{s}' is not a duration: {DURATION_FORMS}");
        let mut words = s.split_whitespace();
        let n: u32 = words.next().and_then(|w| w.parse().ok()).ok_or_else(bad)?;
        if n == 0 || n > 100_000 {
            return Err(format!("'{s}': the number must be from 1 to 100000"));
        }
        let unit: Vec<&str> = words.collect();
        let singular = |w: &str| w.strip_suffix('s').unwrap_or(w).to_ascii_lowercase();
        Ok(match unit.as_slice() {
            [b, u] if b.eq_ignore_ascii_case("business") => match singular(u).as_str() {
                "hour" => SlaDuration::BusinessHours(n),
                "day" => SlaDuration::BusinessDays(n),
                _ => return Err(bad()),
            },
            [u] => match singular(u).as_str() {
                "hour" => SlaDuration::Hours(n),
                "minute" => SlaDuration::Minutes(n),
                "day" => SlaDuration::Days(n),
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        })
    }
}

impl fmt::Display for SlaDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = match *self {
            SlaDuration::BusinessHours(n) => (n, "business hour"),
            SlaDuration::BusinessDays(n) => (n, "business day"),
            SlaDuration::Hours(n) => (n, "hour"),
            SlaDuration::Minutes(n) => (n, "minute"),
            SlaDuration::Days(n) => (n, "day"),
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

impl Serialize for SlaDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SlaDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// A time condition of a rule, read on the calendar of the service's
/// default department, in its time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeCondition {
    /// Outside the calendar's open hours (also all day on holidays).
    AfterHours,
    /// Inside the calendar's open hours.
    BusinessHours,
    /// Saturday or Sunday.
    Weekend,
    /// A holiday of the calendar.
    Holiday,
}

impl TimeCondition {
    pub const NAMES: &'static [&'static str] = &["after-hours", "business-hours", "weekend", "holiday"];
    const ALL: [TimeCondition; 4] =
        [TimeCondition::AfterHours, TimeCondition::BusinessHours, TimeCondition::Weekend, TimeCondition::Holiday];

    pub fn parse(s: &str) -> Option<TimeCondition> {
        Self::NAMES.iter().position(|n| *n == s).map(|i| Self::ALL[i])
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl Serialize for TimeCondition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TimeCondition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        TimeCondition::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{name}' is not a time condition; use {}",
                TimeCondition::NAMES.join(", ")
            ))
        })
    }
}

/// Whom to alert when a request is not handled in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationRule {
    /// A department id.
    pub to: String,
    /// Counted from the request on the delivering department's calendar.
    pub after: SlaDuration,
}

/// One routing rule. Conditions that are given must all hold; a list holds
/// when any of its items does. The first rule (in file order) whose
/// conditions hold decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    /// Why the rule exists, in words: shown in the trace.
    pub description: String,
    // Conditions.
    pub services: Vec<String>,
    pub groups: Vec<String>,
    /// Boundary ids: the request's point is inside (or on the edge of) one.
    pub inside: Vec<String>,
    /// Boundary ids: the request's point is in none.
    pub outside: Vec<String>,
    /// Attribute code and the accepted answers (value keys, or literal answers).
    pub attributes: Vec<(String, Vec<String>)>,
    /// Words or phrases, any of which occurs in the description (compared
    /// through the shared analyzer).
    pub keywords: Vec<String>,
    pub channels: Vec<Channel>,
    pub when: Vec<TimeCondition>,
    pub reporter: Option<Reporter>,
    // Actions.
    /// The delivering department (default: the service's).
    pub department: Option<String>,
    pub priority: Option<Priority>,
    pub sla: Option<SlaDuration>,
    pub escalate: Option<EscalationRule>,
    /// Text for the resident.
    pub notice: Option<String>,
    /// The request is not taken: the resident is referred to the
    /// department's jurisdiction.
    pub refer: bool,
}

impl Rule {
    /// Whether the rule can apply to a service at all (by code or group).
    pub(crate) fn concerns(&self, code: &str, group: Option<&str>) -> bool {
        concerns(&self.services, &self.groups, code, group)
    }
}

/// Whether a rule listing `services` and `groups` (none: any) can apply to a
/// service of `code` in `group`.
pub(crate) fn concerns(services: &[String], groups: &[String], code: &str, group: Option<&str>) -> bool {
    (services.is_empty() || services.iter().any(|s| s == code))
        && (groups.is_empty() || group.is_some_and(|g| groups.iter().any(|x| x == g)))
}

/// The service levels of `[slas]`: per service code, and a default.
/// Bundles store the codes sorted, so that the same catalog always gives
/// the same bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceLevels {
    #[serde(serialize_with = "sorted")]
    pub(crate) by_service: std::collections::HashMap<String, SlaDuration>,
    pub(crate) default: Option<SlaDuration>,
    /// How long a department has to reply to a question escalated to it
    /// (`inquiry = "2 business days"`).
    #[serde(default)]
    pub(crate) inquiry: Option<SlaDuration>,
}

fn sorted<S: Serializer>(map: &std::collections::HashMap<String, SlaDuration>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(map.iter().collect::<std::collections::BTreeMap<_, _>>())
}

impl ServiceLevels {
    /// The service level of a service code: its own, else the default.
    pub fn get(&self, code: &str) -> Option<SlaDuration> {
        self.by_service.get(code).copied().or(self.default)
    }

    /// How long a department has to reply to an escalated question, when
    /// the catalog says (`[slas] inquiry`).
    pub fn inquiry(&self) -> Option<SlaDuration> {
        self.inquiry
    }
}

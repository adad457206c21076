//! Column mappings: which column of a city's CSV export holds which field
//! of a request, how its dates are written, and what its status and
//! channel values mean. Written in TOML; two are built in.

use std::collections::BTreeMap;

use civic311::{Channel, Error, ErrorKind, Result, Status};
use serde::Deserialize;

/// The fields a mapping may fill, each from one column.
pub(crate) const FIELDS: &[&str] = &[
    "service_request_id",
    "requested_datetime",
    "closed_datetime",
    "updated_datetime",
    "expected_datetime",
    "department",
    "agency_responsible",
    "service_code",
    "service_name",
    "description",
    "status",
    "status_notes",
    "service_notice",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
    "channel",
];

/// The built-in mappings, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("nyc311", include_str!("../../mappings/nyc311.toml")),
    ("nyc-council", include_str!("../../mappings/nyc-council.toml")),
];

/// How to read a CSV export (see `store/mappings/nyc311.toml` for one).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub name: String,
    /// The IANA zone the export's times are local to.
    pub time_zone: String,
    /// strftime formats its dates may be written in, tried in order.
    pub date_formats: Vec<String>,
    /// Status values that mean closed; a row with a closed date is closed too.
    #[serde(default)]
    pub closed_statuses: Vec<String>,
    /// Field -> column header.
    pub columns: BTreeMap<String, String>,
    /// Channel value -> civic311 channel (phone, web, mobile_app, email,
    /// walk_in, social, internal, api).
    #[serde(default)]
    pub channels: BTreeMap<String, String>,
    /// The service code of a row whose service column is empty; without
    /// one, such a row is a problem.
    #[serde(default)]
    pub default_service_code: Option<String>,
    /// Status value of an open request -> lifecycle state (submitted,
    /// acknowledged, in_progress, on_hold, reopened).
    #[serde(default)]
    pub states: BTreeMap<String, String>,
}

impl Mapping {
    /// The names of the built-in mappings.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in mapping: `nyc311` (NYC 311 Service Requests) or
    /// `nyc-council` (NYC Council constituent cases).
    pub fn builtin(name: &str) -> Result<Mapping> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            Error::new(
                ErrorKind::Format,
                format!(
                    "there is no built-in mapping '{name}'; the built-in ones are {}, or give a mapping file",
                    Mapping::builtin_names().join(", ")
                ),
            )
        })?;
        Mapping::from_toml(text)
    }

    /// Reads a mapping from TOML, checking every field, channel and state it names.
    pub fn from_toml(text: &str) -> Result<Mapping> {
        let m: Mapping = toml::from_str(text)
            .map_err(|e| Error::new(ErrorKind::Format, format!("the mapping does not read: {e}")))?;
        for field in m.columns.keys() {
            if !FIELDS.contains(&field.as_str()) {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!(
                        "the mapping names the unknown field '{field}' under [columns]; the fields are {}",
                        FIELDS.join(", ")
                    ),
                ));
            }
        }
        for required in ["service_request_id", "requested_datetime"] {
            if !m.columns.contains_key(required) {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!("the mapping has no column for {required}, which every request needs"),
                ));
            }
        }
        if !m.columns.contains_key("service_code") && !m.columns.contains_key("service_name") {
            return Err(Error::new(ErrorKind::Format, "the mapping names no column for service_code or service_name"));
        }
        if m.date_formats.is_empty() {
            return Err(Error::new(
                ErrorKind::Format,
                "the mapping lists no date_formats, such as \"%m/%d/%Y %I:%M:%S %p\"",
            ));
        }
        if jiff::tz::TimeZone::get(&m.time_zone).is_err() {
            return Err(Error::new(
                ErrorKind::Format,
                format!("the mapping's time_zone '{}' is not an IANA time zone", m.time_zone),
            ));
        }
        for (value, channel) in &m.channels {
            if Channel::parse(channel).is_none() {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!(
                        "the mapping sends channel value '{value}' to '{channel}', which is not one of {}",
                        Channel::NAMES.join(", ")
                    ),
                ));
            }
        }
        for (value, state) in &m.states {
            if state_named(state).is_none() {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!(
                        "the mapping sends status '{value}' to '{state}'; an open request's state is submitted, acknowledged, in_progress, on_hold or reopened"
                    ),
                ));
            }
        }
        Ok(m)
    }

    /// The open state a status value means.
    pub(crate) fn open_state(&self, value: &str) -> Option<Status> {
        self.states.get(value).and_then(|s| state_named(s))
    }
}

/// An open request's state by name.
fn state_named(s: &str) -> Option<Status> {
    Status::from_name(s, None).filter(|s| !s.is_closed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_read() {
        for name in Mapping::builtin_names() {
            Mapping::builtin(name).unwrap();
        }
        assert!(Mapping::builtin("chicago").unwrap_err().to_string().contains("nyc311, nyc-council"));
    }

    #[test]
    fn mistakes_are_named() {
        let base = "name = \"x\"\ntime_zone = \"America/Chicago\"\ndate_formats = [\"%Y-%m-%d\"]\n";
        for (text, words) in [
            (
                format!(
                    "{base}[columns]\nservice_request_id = \"a\"\nrequested_datetime = \"b\"\nservice_code = \"c\"\nwhen = \"d\"\n"
                ),
                "unknown field 'when'",
            ),
            (format!("{base}[columns]\nrequested_datetime = \"b\"\nservice_code = \"c\"\n"), "service_request_id"),
            (
                format!(
                    "{base}[columns]\nservice_request_id = \"a\"\nrequested_datetime = \"b\"\nservice_code = \"c\"\n[channels]\nPHONE = \"telephone\"\n"
                ),
                "not one of",
            ),
            (
                format!(
                    "{base}[columns]\nservice_request_id = \"a\"\nrequested_datetime = \"b\"\nservice_code = \"c\"\n[states]\nOpen = \"closed\"\n"
                ),
                "an open request's state",
            ),
            ("name = 1".to_string(), "does not read"),
        ] {
            let err = Mapping::from_toml(&text).unwrap_err();
            assert!(err.to_string().contains(words), "{words}: {err}");
        }
    }
}

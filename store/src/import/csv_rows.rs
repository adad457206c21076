//! The rows of a CSV export, read through a mapping one at a time, each
//! with its line for the problems reported.

use std::collections::HashMap;
use std::io::Read;

use civic311::{Channel, Error, ErrorKind, Problem, Result};
use jiff::Timestamp;
use jiff::civil::DateTime as CivilDateTime;
use jiff::fmt::strtime;
use jiff::tz::TimeZone;

use super::mapping::Mapping;
use super::{Fields, Imported, build};

pub(crate) struct Rows<'m, R: Read> {
    file: String,
    reader: csv::Reader<R>,
    record: csv::StringRecord,
    mapping: &'m Mapping,
    /// Field -> column index, for the mapped columns the header has.
    columns: HashMap<&'m str, usize>,
    zone: String,
    tz: TimeZone,
    /// Set when reading the file failed: nothing more comes from it.
    ended: bool,
}

impl<'m, R: Read> Rows<'m, R> {
    pub(crate) fn new(file: &str, reader: R, mapping: &'m Mapping, zone: &str) -> Result<Rows<'m, R>> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers = reader
            .headers()
            .map_err(|e| Error::new(ErrorKind::Format, format!("{file}: the header row does not read as CSV: {e}")))?
            .clone();
        // A byte-order mark before the first header is not part of its name.
        let names: Vec<String> = headers.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect();
        let mut columns = HashMap::new();
        for (field, column) in &mapping.columns {
            if let Some(i) = names.iter().position(|n| n == column) {
                columns.insert(field.as_str(), i);
            }
        }
        for required in ["service_request_id", "requested_datetime"] {
            if !columns.contains_key(required) {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!(
                        "{file} has no column '{}' (the {required} of mapping {}); its columns are: {}",
                        mapping.columns[required],
                        mapping.name,
                        names.iter().take(12).cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        let tz = crate::rows::zone(zone);
        Ok(Rows {
            file: file.to_string(),
            reader,
            record: csv::StringRecord::new(),
            mapping,
            columns,
            zone: zone.to_string(),
            tz,
            ended: false,
        })
    }

    fn get(&self, field: &str) -> Option<String> {
        let i = *self.columns.get(field)?;
        let v = self.record.get(i)?.trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    fn problem(&self, line: u32, field: &str, message: String) -> Problem {
        Problem { file: self.file.clone(), line: Some(line), field: field.to_string(), message }
    }

    fn time(&self, line: u32, field: &str) -> std::result::Result<Option<Timestamp>, Problem> {
        let Some(text) = self.get(field) else { return Ok(None) };
        parse_time(&text, &self.mapping.date_formats, &self.tz).map(Some).ok_or_else(|| {
            self.problem(
                line,
                &self.mapping.columns[field],
                format!(
                    "'{text}' is not a date in any of the mapping's formats ({})",
                    self.mapping.date_formats.join(", ")
                ),
            )
        })
    }

    fn number(&self, line: u32, field: &str) -> std::result::Result<Option<f64>, Problem> {
        let Some(text) = self.get(field) else { return Ok(None) };
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(self.problem(line, &self.mapping.columns[field], format!("'{text}' is not a number"))),
        }
    }

    fn row(&self, line: u32) -> std::result::Result<Imported, Problem> {
        let status = self.get("status");
        let closed = self.time(line, "closed_datetime")?;
        // The status decides where it names a state the mapping knows (an
        // open request may carry a scheduled close date); else a close
        // date means closed.
        let open_state = status.as_deref().and_then(|s| self.mapping.open_state(s));
        let said_closed = status.as_deref().is_some_and(|s| self.mapping.closed_statuses.iter().any(|c| c == s));
        let is_closed = said_closed || (open_state.is_none() && closed.is_some());
        let fields = Fields {
            id: self.get("service_request_id"),
            service_code: self.get("service_code").or_else(|| {
                self.get("service_name").is_none().then(|| self.mapping.default_service_code.clone()).flatten()
            }),
            service_name: self.get("service_name"),
            description: self.get("description"),
            requested: self.time(line, "requested_datetime")?,
            updated: self.time(line, "updated_datetime")?,
            expected: self.time(line, "expected_datetime")?,
            closed,
            is_closed,
            open_state,
            status_notes: self.get("status_notes"),
            agency_responsible: self.get("agency_responsible"),
            department: self.get("department"),
            address: self.get("address"),
            address_id: self.get("address_id"),
            zipcode: self.get("zipcode"),
            lat: self.number(line, "lat")?,
            long: self.number(line, "long")?,
            media_url: self.get("media_url"),
            channel: self
                .get("channel")
                .and_then(|c| self.mapping.channels.get(&c).and_then(|name| Channel::parse(name))),
            service_notice: self.get("service_notice"),
        };
        build(&self.file, Some(line), "", Some(&self.mapping.columns), fields, &self.zone)
    }
}

impl<R: Read> Iterator for Rows<'_, R> {
    type Item = std::result::Result<Imported, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        let mut record = std::mem::take(&mut self.record);
        let read = self.reader.read_record(&mut record);
        self.record = record;
        let line = self.record.position().map(|p| p.line() as u32).unwrap_or(0);
        match read {
            Ok(false) => None,
            Ok(true) => Some(self.row(line)),
            Err(e) => {
                let line = e.position().map(|p| p.line() as u32).unwrap_or(line);
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8; save the export as UTF-8".to_string(),
                    _ => format!("the row does not read as CSV: {e}"),
                };
                // Note: an I/O error ends the file; a bad row does not.
                self.ended = matches!(e.kind(), csv::ErrorKind::Io(_));
                Some(Err(self.problem(line, "", message)))
            }
        }
    }
}

/// A local time in one of `formats`, in zone `tz`; a date alone is its
/// midnight.
pub(crate) fn parse_time(text: &str, formats: &[String], tz: &TimeZone) -> Option<Timestamp> {
    for format in formats {
        let Ok(parsed) = strtime::parse(format, text) else { continue };
        let civil: CivilDateTime = match parsed.to_datetime() {
            Ok(dt) => dt,
            Err(_) => match parsed.to_date() {
                Ok(d) => d.to_datetime(jiff::civil::Time::midnight()),
                Err(_) => continue,
            },
        };
        // A time that a DST change skips or repeats is taken as the
        // earlier instant, as clocks in the office would have shown it.
        if let Ok(z) = civil.to_zoned(tz.clone()) {
            return Some(z.timestamp());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_forms_of_real_exports() {
        let ny = TimeZone::get("America/New_York").unwrap();
        let formats: Vec<String> =
            ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d"].map(String::from).to_vec();
        for (text, utc) in [
            ("03/01/2011 02:27:57 PM", "2011-03-01T19:27:57Z"),
            ("3/14/2025 1:20", "2025-03-14T05:20:00Z"),
            ("2025-01-09", "2025-01-09T05:00:00Z"),
            ("2024-07-04T12:30:00.000", "2024-07-04T16:30:00Z"),
            // In the hour that the spring change skips.
            ("3/9/2025 2:30", "2025-03-09T07:30:00Z"),
        ] {
            assert_eq!(parse_time(text, &formats, &ny).map(|t| t.to_string()).as_deref(), Some(utc), "{text}");
        }
        for bad in ["", "yesterday", "13/45/2011 25:00", "2025-02-30", "é"] {
            assert_eq!(parse_time(bad, &formats, &ny), None, "{bad}");
        }
    }
}

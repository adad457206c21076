//! Instants as Open311 writes them: RFC 3339 with the UTC offset they were
//! given in, so that "2018-07-30T00:01:00-04:00" reads and writes back the same.

use std::fmt;
use std::str::FromStr;

use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// An instant with the UTC offset it is shown in.
///
/// ```
/// use civic311::DateTime;
///
/// let t: DateTime = "2018-07-30T00:01:00-04:00".parse()?;
/// assert_eq!(t.to_string(), "2018-07-30T00:01:00-04:00");
/// assert_eq!(t.timestamp().to_string(), "2018-07-30T04:01:00Z");
/// # Ok::<(), civic311::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    timestamp: Timestamp,
    offset: Offset,
}

impl DateTime {
    /// The instant shown at the given offset.
    pub fn new(timestamp: Timestamp, offset: Offset) -> DateTime {
        DateTime { timestamp, offset }
    }

    /// The instant shown in a time zone's offset at that instant.
    pub fn in_zone(timestamp: Timestamp, tz: &TimeZone) -> DateTime {
        DateTime { timestamp, offset: tz.to_offset(timestamp) }
    }

    /// From a zoned date-time, keeping its offset.
    pub fn from_zoned(zoned: &Zoned) -> DateTime {
        DateTime { timestamp: zoned.timestamp(), offset: zoned.offset() }
    }

    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    pub fn offset(&self) -> Offset {
        self.offset
    }

    /// The same instant in a time zone (for calendar arithmetic).
    pub fn to_zoned(&self, tz: TimeZone) -> Zoned {
        self.timestamp.to_zoned(tz)
    }

    /// Reads RFC 3339 with an offset (`Z` or `±HH:MM`); fractional seconds are kept.
    pub fn parse(s: &str) -> Result<DateTime> {
        let bad = || {
            Error::format(format!(
                "'{}' is not an RFC 3339 date-time with an offset; write it like 2026-03-14T09:30:00-05:00",
                crate::text::clip(s, 60)
            ))
        };
        let s = s.trim();
        if s.len() > 64 {
            return Err(bad());
        }
        let pieces = Pieces::parse(s).map_err(|_| bad())?;
        if pieces.time().is_none() {
            return Err(bad());
        }
        let offset = pieces.to_numeric_offset().ok_or_else(bad)?;
        let timestamp: Timestamp = s.parse().map_err(|_| bad())?;
        Ok(DateTime { timestamp, offset })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let civil = self.offset.to_datetime(self.timestamp);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            civil.year(),
            civil.month(),
            civil.day(),
            civil.hour(),
            civil.minute(),
            civil.second()
        )?;
        let nanos = civil.subsec_nanosecond();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        let secs = self.offset.seconds();
        if secs == 0 && self.offset == Offset::UTC {
            // Note: +00:00 and Z are the same instant; Z is what most
            // Open311 servers write, and what a reader expects for UTC.
            return f.write_str("Z");
        }
        let sign = if secs < 0 { '-' } else { '+' };
        let abs = secs.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
    }
}

impl FromStr for DateTime {
    type Err = Error;
    fn from_str(s: &str) -> Result<DateTime> {
        DateTime::parse(s)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse(&s).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_offsets() {
        for s in [
            "2018-07-30T00:01:00-04:00",
            "2014-07-12T10:58:43-05:00",
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.25+05:30",
        ] {
            assert_eq!(DateTime::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(DateTime::parse("2026-01-01T00:00:00+00:00").unwrap().to_string(), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn refuses_what_is_not_an_instant() {
        for s in
            ["", "2026-01-01", "2026-01-01T10:00:00", "yesterday", "2026-13-01T00:00:00Z", "２０２６-01-01T00:00:00Z"]
        {
            let err = DateTime::parse(s).unwrap_err();
            assert!(err.message().contains("RFC 3339"), "{s}: {err}");
        }
        let long = "9".repeat(10_000);
        assert!(DateTime::parse(&long).unwrap_err().message().len() < 200);
    }
}

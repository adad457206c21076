//! Opening hours: time ranges within a day, a week of them, and dated
//! exceptions. Facilities and business calendars share these.

use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A range of minutes within one day, such as 09:00-17:30. The end may be
/// 24:00; a range never crosses midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeRange {
    start: u16,
    end: u16,
}

impl TimeRange {
    /// A range from `start` to `end` minutes after midnight, or `None` when
    /// `start >= end` or `end > 1440`.
    pub fn new(start_minute: u16, end_minute: u16) -> Option<TimeRange> {
        (start_minute < end_minute && end_minute <= 24 * 60)
            .then_some(TimeRange { start: start_minute, end: end_minute })
    }

    /// Reads `HH:MM-HH:MM`; the error says what was wrong.
    pub fn parse(s: &str) -> Result<TimeRange, String> {
        let bad =
            || format!("'{s}' is not a time range; write \"HH:MM-HH:MM\" with 00:00 to 24:00, such as \"09:00-17:30\"");
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let start = parse_hhmm(a).ok_or_else(bad)?;
        let end = parse_hhmm(b).ok_or_else(bad)?;
        if start >= end {
            return Err(format!(
                "'{s}' ends before it starts; a range may not cross midnight: split it into two ranges on two days"
            ));
        }
        Ok(TimeRange { start, end })
    }

    /// Minutes after midnight at which it opens.
    pub fn start_minute(self) -> u16 {
        self.start
    }

    /// Minutes after midnight at which it closes (up to 1440).
    pub fn end_minute(self) -> u16 {
        self.end
    }

    /// The opening time.
    pub fn start(self) -> Time {
        minute_to_time(self.start)
    }

    /// Whether the minute of day falls inside (start inclusive, end exclusive).
    pub fn contains_minute(self, minute: u16) -> bool {
        self.start <= minute && minute < self.end
    }
}

pub(crate) fn minute_to_time(minute: u16) -> Time {
    if minute >= 24 * 60 {
        return Time::MAX;
    }
    Time::constant((minute / 60) as i8, (minute % 60) as i8, 0, 0)
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.start / 60, self.start % 60, self.end / 60, self.end % 60)
    }
}

impl Serialize for TimeRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TimeRange::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Checks that the ranges of one day are in order and do not overlap; sorts them.
pub(crate) fn normalize_day(ranges: &mut [TimeRange]) -> Result<(), String> {
    ranges.sort();
    for pair in ranges.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(format!("'{}' and '{}' overlap; merge them into one range", pair[0], pair[1]));
        }
    }
    Ok(())
}

/// The day names used in catalog files, Monday first.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Opening hours for each day of the week; a day with no ranges is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    days: [Vec<TimeRange>; 7],
}

impl WeeklyHours {
    /// Hours from one list of ranges a day, Monday first.
    pub fn new(days: [Vec<TimeRange>; 7]) -> WeeklyHours {
        WeeklyHours { days }
    }

    /// The ranges of one weekday.
    pub fn on(&self, weekday: Weekday) -> &[TimeRange] {
        &self.days[weekday.to_monday_zero_offset() as usize]
    }

    /// Whether it is closed every day.
    pub fn is_always_closed(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }
}

/// A dated change to the usual week: closed for the day, or open other hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursException {
    pub date: Date,
    /// The hours of that day; empty when closed.
    pub hours: Vec<TimeRange>,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_and_names_the_fix() {
        let r = TimeRange::parse("09:00-17:30").unwrap();
        assert_eq!((r.start_minute(), r.end_minute()), (540, 1050));
        assert_eq!(r.to_string(), "09:00-17:30");
        assert_eq!(TimeRange::parse(" 0:00 - 24:00 ").unwrap().end_minute(), 1440);
        for bad in ["", "9-5", "09:00", "09:00-25:00", "24:30-24:45", "09:60-10:00", "ab:cd-ef:gh", "０９:00-10:00"] {
            let err = TimeRange::parse(bad).unwrap_err();
            assert!(err.contains("HH:MM-HH:MM"), "{bad}: {err}");
        }
        assert!(TimeRange::parse("22:00-02:00").unwrap_err().contains("cross midnight"));
    }

    #[test]
    fn overlapping_ranges_are_refused() {
        let mut day = vec![TimeRange::parse("12:00-17:00").unwrap(), TimeRange::parse("09:00-12:30").unwrap()];
        assert!(normalize_day(&mut day).unwrap_err().contains("overlap"));
        let mut day = vec![TimeRange::parse("13:00-17:00").unwrap(), TimeRange::parse("09:00-12:00").unwrap()];
        normalize_day(&mut day).unwrap();
        assert_eq!(day[0].to_string(), "09:00-12:00");
    }
}

//! When a facility is open: its week, its dated exceptions, and the
//! holidays of its calendar, computed in its time zone at a given instant.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use serde::Serialize;

use super::{Catalog, Facility, TimeRange};

/// Why a day's hours are what they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "note", rename_all = "snake_case")]
pub enum HoursReason {
    /// The usual week.
    Regular,
    /// A holiday of the facility's calendar closes it.
    Holiday(String),
    /// A dated exception, with its note.
    Exception(Option<String>),
}

/// A facility's hours on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayHours {
    pub date: Date,
    /// Empty when closed.
    pub ranges: Vec<TimeRange>,
    pub reason: HoursReason,
}

/// Whether a facility is open at an instant, and what comes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenStatus {
    pub open_now: bool,
    /// When open: the minute of day it closes (up to 1440), in local time.
    pub closes_at: Option<u16>,
    /// When closed: the next date and minute it opens, within two weeks.
    pub opens_next: Option<(Date, u16)>,
    /// Today's hours, in the facility's time zone.
    pub today: DayHours,
}

impl Catalog {
    /// A facility's hours on a date: a dated exception first, then a
    /// holiday of its calendar, then its usual week.
    ///
    /// ```
    /// use civic311::Catalog;
    /// use civic311::catalog::HoursReason;
    /// use jiff::civil::date;
    ///
    /// let catalog = Catalog::riverton()?;
    /// let city_hall = catalog.facility("city-hall").unwrap();
    /// let thanksgiving = catalog.facility_hours_on(city_hall, date(2026, 11, 26));
    /// assert!(thanksgiving.ranges.is_empty());
    /// assert_eq!(thanksgiving.reason, HoursReason::Holiday("Thanksgiving Day".into()));
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn facility_hours_on(&self, facility: &Facility, date: Date) -> DayHours {
        if let Some(e) = facility.exceptions.iter().find(|e| e.date == date) {
            return DayHours { date, ranges: e.hours.clone(), reason: HoursReason::Exception(e.note.clone()) };
        }
        if let Some(holiday) =
            facility.holidays.as_deref().and_then(|c| self.calendar(c)).and_then(|c| c.holiday_on(date))
        {
            return DayHours { date, ranges: Vec::new(), reason: HoursReason::Holiday(holiday.name.clone()) };
        }
        DayHours { date, ranges: facility.hours.on(date.weekday()).to_vec(), reason: HoursReason::Regular }
    }

    /// Whether a facility is open at `at`, in its own time zone.
    pub fn facility_status(&self, facility: &Facility, at: Timestamp) -> OpenStatus {
        let tz = crate::zones::get_or_utc(&facility.time_zone);
        let local = at.to_zoned(tz);
        let date = local.date();
        let minute = (local.hour() as u16) * 60 + local.minute() as u16;
        let today = self.facility_hours_on(facility, date);
        if let Some(range) = today.ranges.iter().find(|r| r.contains_minute(minute)) {
            return OpenStatus { open_now: true, closes_at: Some(range.end_minute()), opens_next: None, today };
        }
        let mut opens_next = today.ranges.iter().find(|r| r.start_minute() > minute).map(|r| (date, r.start_minute()));
        let mut day = date;
        for _ in 0..14 {
            if opens_next.is_some() {
                break;
            }
            let Ok(next) = day.tomorrow() else { break };
            day = next;
            opens_next = self.facility_hours_on(facility, day).ranges.first().map(|r| (day, r.start_minute()));
        }
        OpenStatus { open_now: false, closes_at: None, opens_next, today }
    }

    /// The next date on or after `from` that falls on `weekday`.
    pub(crate) fn next_weekday(from: Date, weekday: Weekday) -> Date {
        let ahead = (weekday.to_monday_zero_offset() - from.weekday().to_monday_zero_offset()).rem_euclid(7);
        from.checked_add(jiff::Span::new().days(i64::from(ahead))).unwrap_or(from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn next_weekday_wraps_the_week() {
        let monday = date(2026, 11, 23);
        assert_eq!(Catalog::next_weekday(monday, Weekday::Monday), monday);
        assert_eq!(Catalog::next_weekday(monday, Weekday::Sunday), date(2026, 11, 29));
        assert_eq!(Catalog::next_weekday(date(2026, 11, 29), Weekday::Monday), date(2026, 11, 30));
    }
}

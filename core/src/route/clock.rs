//! Counting service levels on business calendars: open hours, weekends,
//! holidays and daylight-saving changes, in the calendar's time zone.

use jiff::civil::{Date, DateTime as CivilDateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

use super::rules::{SlaDuration, TimeCondition};
use crate::catalog::Calendar;

/// How far ahead a deadline is looked for before giving up (a calendar whose
/// every day is a holiday would otherwise never end).
const MAX_DAYS: i32 = 3 * 366;

/// A calendar's holidays, worked out once per year a count passes through
/// (a deadline walks day by day, and each day would otherwise recompute
/// every holiday rule).
struct Days<'a> {
    calendar: &'a Calendar,
    year: i16,
    holidays: Vec<Date>,
}

impl<'a> Days<'a> {
    fn new(calendar: &'a Calendar) -> Days<'a> {
        Days { calendar, year: i16::MIN, holidays: Vec::new() }
    }

    /// The open hours of a date: none on a holiday.
    fn hours_on(&mut self, date: Date) -> &'a [crate::catalog::TimeRange] {
        if date.year() != self.year {
            self.year = date.year();
            self.holidays = self.calendar.holiday_dates(self.year);
        }
        if self.holidays.contains(&date) { &[] } else { self.calendar.hours.on(date.weekday()) }
    }
}

/// The instant a civil date and minute of the day falls on (minute 1440 is
/// the next midnight). A time skipped by a daylight-saving change counts
/// from the moment after the gap.
fn instant(tz: &TimeZone, date: Date, minute: u16) -> Option<Timestamp> {
    let (date, minute) = if minute >= 1440 { (date.tomorrow().ok()?, minute - 1440) } else { (date, minute) };
    let dt: CivilDateTime = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
    tz.to_ambiguous_zoned(dt).compatible().ok().map(|z| z.timestamp())
}

/// When a duration counted from `start` ends, in the calendar's time zone
/// (or `tz` for clock time without a calendar). `None` when business time is
/// asked of no calendar, or when the calendar has no open hours within
/// three years.
pub fn deadline(duration: SlaDuration, start: Timestamp, calendar: Option<&Calendar>, tz: &TimeZone) -> Option<Zoned> {
    let tz = calendar.map(Calendar::tz).unwrap_or_else(|| tz.clone());
    deadline_in(duration, start, calendar, tz)
}

/// [`deadline`] counted in `tz`, already looked up: the calendar's zone
/// when there is a calendar.
pub(crate) fn deadline_in(
    duration: SlaDuration,
    start: Timestamp,
    calendar: Option<&Calendar>,
    tz: TimeZone,
) -> Option<Zoned> {
    match duration {
        SlaDuration::Minutes(n) => start.checked_add((n as i64).minutes()).ok().map(|t| t.to_zoned(tz)),
        SlaDuration::Hours(n) => start.checked_add((n as i64).hours()).ok().map(|t| t.to_zoned(tz)),
        SlaDuration::Days(n) => start.to_zoned(tz).checked_add((n as i64).days()).ok(),
        SlaDuration::BusinessHours(n) => business_seconds(calendar?, &tz, start, n as i64 * 3600),
        SlaDuration::BusinessDays(n) => business_days(calendar?, &tz, start, n),
    }
}

/// Runs `seconds` of open time from `start`: the clock starts at `start` if
/// the calendar is open then, else at the next opening, and stops outside
/// open hours. A deadline that falls exactly at a closing is that closing.
fn business_seconds(calendar: &Calendar, tz: &TimeZone, start: Timestamp, seconds: i64) -> Option<Zoned> {
    let mut remaining = seconds;
    let mut date = start.to_zoned(tz.clone()).date();
    let mut days = Days::new(calendar);
    for _ in 0..MAX_DAYS {
        for range in days.hours_on(date) {
            let open = instant(tz, date, range.start_minute())?;
            let close = instant(tz, date, range.end_minute())?;
            let from = open.max(start);
            if from >= close {
                continue;
            }
            let available = close.as_second() - from.as_second();
            if remaining <= available {
                return from.checked_add(remaining.seconds()).ok().map(|t| t.to_zoned(tz.clone()));
            }
            remaining -= available;
        }
        date = date.tomorrow().ok()?;
    }
    None
}

/// Due at the closing time of the n-th business day strictly after the
/// request's local date (a business day has open hours and is no holiday).
fn business_days(calendar: &Calendar, tz: &TimeZone, start: Timestamp, n: u32) -> Option<Zoned> {
    let mut date = start.to_zoned(tz.clone()).date();
    let mut counted = 0;
    let mut days = Days::new(calendar);
    for _ in 0..MAX_DAYS {
        date = date.tomorrow().ok()?;
        let hours = days.hours_on(date);
        if let Some(last) = hours.last() {
            counted += 1;
            if counted == n {
                return instant(tz, date, last.end_minute()).map(|t| t.to_zoned(tz.clone()));
            }
        }
    }
    None
}

/// Whether a time condition holds at an instant on a calendar.
pub(crate) fn holds(condition: TimeCondition, calendar: &Calendar, at: &Zoned) -> bool {
    let date = at.date();
    let minute = at.hour() as u16 * 60 + at.minute() as u16;
    let open = || calendar.hours_on(date).iter().any(|r| r.contains_minute(minute));
    match condition {
        TimeCondition::AfterHours => !open(),
        TimeCondition::BusinessHours => open(),
        TimeCondition::Weekend => {
            matches!(date.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday)
        }
        TimeCondition::Holiday => calendar.holiday_on(date).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    fn at(s: &str) -> Timestamp {
        s.parse::<Zoned>().unwrap().timestamp()
    }

    fn due(d: &str, start: &str, cal: &str) -> String {
        let catalog = Catalog::riverton().unwrap();
        let cal = catalog.calendar(cal).unwrap();
        let z = deadline(d.parse().unwrap(), at(start), Some(cal), &TimeZone::UTC).unwrap();
        z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    #[test]
    fn business_days_end_at_closing_and_skip_weekends_and_holidays() {
        // Monday 10:00, 3 business days: Thursday at 17:00.
        assert_eq!(due("3 business days", "2026-03-02T10:00[America/Chicago]", "city"), "2026-03-05T17:00:00-06:00");
        // Filed on a Saturday: Monday is day one.
        assert_eq!(due("3 business days", "2026-03-07T10:00[America/Chicago]", "city"), "2026-03-11T17:00:00-05:00");
        // Thanksgiving and the day after are city holidays.
        assert_eq!(due("2 business days", "2026-11-25T09:00[America/Chicago]", "city"), "2026-12-01T17:00:00-06:00");
    }

    #[test]
    fn business_hours_run_only_while_open() {
        // Friday 15:00 + 4 business hours: 2 on Friday, 2 on Monday.
        assert_eq!(due("4 business hours", "2026-03-06T15:00[America/Chicago]", "city"), "2026-03-09T10:00:00-05:00");
        // Ending exactly at a closing stays at the closing.
        assert_eq!(due("2 business hours", "2026-03-06T15:00[America/Chicago]", "city"), "2026-03-06T17:00:00-06:00");
        // Filed at night: the clock starts at the next opening.
        assert_eq!(due("1 business hour", "2026-03-04T22:00[America/Chicago]", "city"), "2026-03-05T09:00:00-06:00");
        // Observed Independence Day (Friday July 3rd 2026) is skipped.
        assert_eq!(due("1 business hour", "2026-07-02T16:30[America/Chicago]", "city"), "2026-07-06T08:30:00-05:00");
    }

    #[test]
    fn clock_time_across_daylight_saving_changes() {
        // 24x7 calendar: 4 hours across the spring-forward gap are 4 real hours.
        assert_eq!(
            due("4 business hours", "2026-03-08T00:30[America/Chicago]", "utility-24x7"),
            "2026-03-08T05:30:00-05:00"
        );
        assert_eq!(due("4 hours", "2026-11-01T00:30[America/Chicago]", "utility-24x7"), "2026-11-01T03:30:00-06:00");
        // Days keep the local clock time.
        assert_eq!(due("1 day", "2026-03-07T12:00[America/Chicago]", "city"), "2026-03-08T12:00:00-05:00");
    }

    #[test]
    fn time_conditions() {
        let catalog = Catalog::riverton().unwrap();
        let city = catalog.calendar("city").unwrap();
        let z = |s: &str| s.parse::<Zoned>().unwrap();
        let two_am_holiday = z("2026-07-03T02:00[America/Chicago]");
        assert!(holds(TimeCondition::AfterHours, city, &two_am_holiday));
        assert!(holds(TimeCondition::Holiday, city, &two_am_holiday));
        assert!(!holds(TimeCondition::Weekend, city, &two_am_holiday));
        let tuesday_noon = z("2026-03-10T12:00[America/Chicago]");
        assert!(holds(TimeCondition::BusinessHours, city, &tuesday_noon));
        assert!(!holds(TimeCondition::AfterHours, city, &tuesday_noon));
        assert!(holds(TimeCondition::Weekend, city, &z("2026-03-08T12:00[America/Chicago]")));
    }
}

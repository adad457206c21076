//! Business calendars: the hours a department works and the holidays it
//! does not, in its time zone. SLAs are counted on them and facilities close
//! on their holidays.

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use super::hours::{TimeRange, WeeklyHours};

/// When a holiday falls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum HolidayRule {
    /// The same month and day every year; when `observed`, a Saturday holiday
    /// is kept the Friday before and a Sunday one the Monday after.
    Fixed { month: i8, day: i8, observed: bool },
    /// The `nth` weekday of a month (1 to 5), or the last one when `nth` is -1.
    NthWeekday {
        month: i8,
        #[serde(with = "weekday_name")]
        weekday: Weekday,
        nth: i8,
    },
    /// One date only.
    Date { date: Date },
}

/// Weekdays as catalog files write them: `mon` to `sun`.
mod weekday_name {
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::catalog::hours::DAY_NAMES;

    pub fn serialize<S: Serializer>(w: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(DAY_NAMES[w.to_monday_zero_offset() as usize])
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let name = String::deserialize(d)?;
        crate::catalog::load::parse_weekday(&name).ok_or_else(|| {
            serde::de::Error::custom(format!("'{name}' is not a weekday; use mon, tue, wed, thu, fri, sat or sun"))
        })
    }
}

/// A named holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    pub rule: HolidayRule,
}

impl Holiday {
    /// The date it is kept in `year`, if it falls in that year at all.
    pub fn date_in(&self, year: i16) -> Option<Date> {
        match &self.rule {
            HolidayRule::Fixed { month, day, observed } => {
                let date = Date::new(year, *month, *day).ok()?;
                if !observed {
                    return Some(date);
                }
                match date.weekday() {
                    Weekday::Saturday => date.yesterday().ok(),
                    Weekday::Sunday => date.tomorrow().ok(),
                    _ => Some(date),
                }
            }
            HolidayRule::NthWeekday { month, weekday, nth } => {
                let first = Date::new(year, *month, 1).ok()?;
                if *nth == -1 {
                    first.last_of_month().nth_weekday_of_month(-1, *weekday).ok()
                } else {
                    first.nth_weekday_of_month(*nth, *weekday).ok()
                }
            }
            HolidayRule::Date { date } => (date.year() == year).then_some(*date),
        }
    }
}

impl Holiday {
    /// The dates it is kept on within `year`. An observed holiday can move
    /// into the year before (New Year's Day on a Saturday is kept on
    /// December 31st), so next year's date is looked at too.
    fn kept_in(&self, year: i16) -> impl Iterator<Item = Date> + '_ {
        [year, year.saturating_add(1)]
            .into_iter()
            .filter_map(move |y| self.date_in(y))
            .filter(move |d| d.year() == year)
    }
}

/// Business hours and holidays in one time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    pub id: String,
    pub time_zone: String,
    pub hours: WeeklyHours,
    pub holidays: Vec<Holiday>,
}

impl Calendar {
    /// The holiday kept on `date`, if any.
    ///
    /// ```
    /// use civic311::Catalog;
    /// use jiff::civil::date;
    ///
    /// let catalog = Catalog::riverton()?;
    /// let city = catalog.calendar("city").unwrap();
    /// // July 4th 2026 is a Saturday, so the city observes it on Friday the 3rd.
    /// assert_eq!(city.holiday_on(date(2026, 7, 3)).map(|h| h.name.as_str()), Some("Independence Day"));
    /// assert!(city.holiday_on(date(2026, 7, 4)).is_none());
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn holiday_on(&self, date: Date) -> Option<&Holiday> {
        self.holidays.iter().find(|h| h.kept_in(date.year()).any(|d| d == date))
    }

    /// The dates of every holiday kept in `year`.
    pub fn holiday_dates(&self, year: i16) -> Vec<Date> {
        self.holidays.iter().flat_map(|h| h.kept_in(year)).collect()
    }

    /// The business hours of `date`: none on a holiday.
    pub fn hours_on(&self, date: Date) -> &[TimeRange] {
        if self.holiday_on(date).is_some() { &[] } else { self.hours.on(date.weekday()) }
    }

    /// The calendar's time zone.
    pub fn tz(&self) -> jiff::tz::TimeZone {
        crate::zones::get_or_utc(&self.time_zone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn holiday(rule: HolidayRule) -> Holiday {
        Holiday { name: "h".into(), rule }
    }

    #[test]
    fn observed_fixed_holidays_move_off_weekends() {
        let new_year = holiday(HolidayRule::Fixed { month: 1, day: 1, observed: true });
        // 2022-01-01 was a Saturday: kept on Friday 2021-12-31, in the year before.
        assert_eq!(new_year.date_in(2022), Some(date(2021, 12, 31)));
        // 2023-01-01 was a Sunday: kept on Monday the 2nd.
        assert_eq!(new_year.date_in(2023), Some(date(2023, 1, 2)));
        let cal = Calendar {
            id: "c".into(),
            time_zone: "UTC".into(),
            hours: WeeklyHours::default(),
            holidays: vec![new_year],
        };
        assert!(cal.holiday_on(date(2021, 12, 31)).is_some());
        assert!(cal.holiday_on(date(2022, 1, 1)).is_none());
    }

    #[test]
    fn nth_and_last_weekdays() {
        let thanksgiving = holiday(HolidayRule::NthWeekday { month: 11, weekday: Weekday::Thursday, nth: 4 });
        assert_eq!(thanksgiving.date_in(2026), Some(date(2026, 11, 26)));
        let memorial = holiday(HolidayRule::NthWeekday { month: 5, weekday: Weekday::Monday, nth: -1 });
        assert_eq!(memorial.date_in(2026), Some(date(2026, 5, 25)));
        let fifth_monday_feb = holiday(HolidayRule::NthWeekday { month: 2, weekday: Weekday::Monday, nth: 5 });
        assert_eq!(fifth_monday_feb.date_in(2026), None);
        let once = holiday(HolidayRule::Date { date: date(2026, 11, 3) });
        assert_eq!(once.date_in(2026), Some(date(2026, 11, 3)));
        assert_eq!(once.date_in(2027), None);
    }
}

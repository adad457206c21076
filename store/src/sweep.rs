//! The monitor: escalations and service-level breaches that have fallen
//! due, recorded once each.

use civic311::{DateTime, Result};
use jiff::Timestamp;

use crate::Store;
use crate::db::{Conn, Mode, Value};
use crate::model::{EventKind, SweepReport};
use crate::rows::{self, NewEvent};

/// How many requests one transaction of a sweep records: a sweep of a
/// million overdue requests commits as it goes and never holds the write
/// lock for long.
const BATCH: i64 = 5_000;

impl Store {
    /// Records every escalation and every service-level breach that has
    /// fallen due by `now` among open requests: an `escalated` event (to the
    /// department the routing named) and an `sla_breached` event, each
    /// internal and each once, however often the sweep runs. Run it every
    /// few minutes; `civic311 sweep` is the command.
    pub fn sweep(&self, now: Timestamp) -> Result<SweepReport> {
        let escalated = self.record_due(now, Due::Escalation)?;
        let breached = self.record_due(now, Due::Deadline)?;
        Ok(SweepReport { escalated, breached: breached.into_iter().map(|(id, _)| id).collect() })
    }

    /// Records every open request past one kind of due time, a batch a
    /// transaction; (id, department alerted) of each.
    fn record_due(&self, now: Timestamp, due: Due) -> Result<Vec<(String, String)>> {
        let now_s = rows::seconds(now);
        let (column, mark, kind) = match due {
            Due::Escalation => ("escalation_at", "escalated_at", EventKind::Escalated),
            Due::Deadline => ("expected_at", "breached_at", EventKind::SlaBreached),
        };
        let sql = format!(
            "SELECT id, {column}, escalation_to, sla, time_zone, state FROM requests \
             WHERE {column} IS NOT NULL AND {mark} IS NULL AND state <> 'closed' AND {column} <= ? ORDER BY {column}, id LIMIT {BATCH}"
        );
        let mut recorded = Vec::new();
        loop {
            let done = self.transaction(Mode::Write, |c| {
                let rows_due = c.query(&sql, &[Value::Int(now_s)])?;
                for row in &rows_due {
                    let id = row[0].text().unwrap_or_default();
                    let tz = rows::zone(row[4].text().unwrap_or("UTC"));
                    let at = DateTime::in_zone(rows::timestamp(row[1].int().unwrap_or(now_s)), &tz);
                    let to = row[2].text().unwrap_or_default().to_string();
                    let (note, department) = match due {
                        Due::Escalation => {
                            (format!("still open at its escalation time ({at}): {to} alerted"), Some(to.clone()))
                        }
                        Due::Deadline => {
                            let sla = row[3].text().map(|s| format!(" ({s})")).unwrap_or_default();
                            (format!("not closed by its deadline {at}{sla}"), None)
                        }
                    };
                    let state = row[5].text().unwrap_or_default();
                    let event =
                        NewEvent::new(now, kind, "monitor", false).note(Some(note)).state(state).department(department);
                    record(c, id, now, event, mark)?;
                    recorded.push((id.to_string(), to));
                }
                Ok(rows_due.len() < BATCH as usize)
            })?;
            if done {
                return Ok(recorded);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Due {
    Escalation,
    Deadline,
}

/// Appends one monitor event and marks the request so that it is not
/// recorded again.
fn record(c: &mut dyn Conn, id: &str, now: Timestamp, event: NewEvent, mark: &str) -> Result<()> {
    let n = rows::next_event(c, id)?;
    rows::append_events(c, id, n, &[event])?;
    c.execute(
        // Note: the version counts changes people make; the monitor's
        // records do not make a staff member's pending change stale.
        &format!("UPDATE requests SET {mark} = ? WHERE id = ?"),
        &[Value::Int(rows::seconds(now)), id.into()],
    )?;
    Ok(())
}

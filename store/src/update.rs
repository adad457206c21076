//! Changing a request: each change is an event appended to its history, and
//! the request's current state is derived from that event in the same
//! transaction. The lifecycle decides which moves are legal.

use civic311::{CloseReason, Error, ErrorKind, Result, Status};
use jiff::Timestamp;

use crate::Store;
use crate::db::{Conn, Dialect, Mode, Value, store_error};
use crate::model::{EventKind, StoredRequest, Update};
use crate::rows::{self, NewEvent};

/// The longest note kept, in characters.
const MAX_NOTE: usize = 10_000;

impl Store {
    /// Changes a request: its state (as the lifecycle allows), its
    /// department (an assignment or a transfer), a note. Each change is an
    /// event in its history, public or internal as `update.public` says.
    /// Returns the request as it now is.
    ///
    /// Refused, with nothing changed: an illegal move (a
    /// [`Lifecycle`](ErrorKind::Lifecycle) error that names the moves
    /// allowed), a stale `expected_version` (a
    /// [`Conflict`](ErrorKind::Conflict) error: someone changed it since it
    /// was read), an unknown id ([`NotFound`](ErrorKind::NotFound)), and an
    /// update that changes nothing.
    pub fn update(&self, id: &str, update: Update) -> Result<StoredRequest> {
        check(&update)?;
        let at = update.at.unwrap_or_else(Timestamp::now);
        self.transaction(Mode::Write, |c| {
            let lock = match c.dialect() {
                Dialect::Sqlite => "",
                // Updates of one request wait for each other here.
                Dialect::Postgres => " FOR UPDATE",
            };
            let sql = format!("SELECT {} FROM requests WHERE id = ?{lock}", rows::REQUEST_COLUMNS);
            let row = c.query_one(&sql, &[id.into()])?.ok_or_else(|| not_found(id))?;
            let current = rows::from_row(row)?;
            if let Some(expected) = update.expected_version
                && expected != current.version
            {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!(
                        "request {id} is at version {}, not {expected}: it changed since it was read; read it again and redo the change",
                        current.version
                    ),
                ));
            }
            if let Some(Status::Closed(CloseReason::Duplicate { of })) = &update.status {
                if of == id {
                    return Err(Error::new(
                        ErrorKind::Lifecycle,
                        format!("request {id} cannot be closed as a duplicate of itself; name the request it duplicates"),
                    ));
                }
                if c.query_one("SELECT id FROM requests WHERE id = ?", &[of.as_str().into()])?.is_none() {
                    return Err(Error::new(
                        ErrorKind::NotFound,
                        format!("request {id} cannot be closed as a duplicate of {of}: no request has that id"),
                    ));
                }
            }
            let events = events_for(&current, &update, at)?;
            let next = rows::next_event(c, id)?;
            rows::append_events(c, id, next, &events)?;
            let mut changed = current.clone();
            for e in &events {
                apply(&mut changed, e, &update)?;
            }
            changed.version = current.version + 1;
            write_state(c, &changed)?;
            crate::get(c, id)?.ok_or_else(|| not_found(id))
        })
    }
}

fn check(update: &Update) -> Result<()> {
    if update.actor.trim().is_empty() {
        return Err(Error::new(
            ErrorKind::Format,
            "an update needs an actor: who makes the change (a name, a role, a system)",
        ));
    }
    if update.status.is_none()
        && update.department.is_none()
        && update.note.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        return Err(Error::new(
            ErrorKind::Format,
            "an update must change something: give a status, a department or a note",
        ));
    }
    if let Some(note) = &update.note
        && note.chars().count() > MAX_NOTE
    {
        return Err(Error::new(
            ErrorKind::Format,
            format!("the note is {} characters; at most {MAX_NOTE} are kept", note.chars().count()),
        ));
    }
    if let Some(d) = &update.department
        && d.trim().is_empty()
    {
        return Err(Error::new(ErrorKind::Format, "the department is empty; give a department id"));
    }
    Ok(())
}

fn not_found(id: &str) -> Error {
    Error::new(ErrorKind::NotFound, format!("no request has the id '{id}'"))
}

/// The events an update makes: a department change, then a state change,
/// with the note on the last (a note alone is a `note` event). Checks the
/// lifecycle first.
fn events_for(current: &StoredRequest, update: &Update, at: Timestamp) -> Result<Vec<NewEvent>> {
    let mut events = Vec::new();
    let actor = update.actor.trim();
    if let Some(department) = &update.department
        && current.department.as_deref() != Some(department.as_str())
    {
        let kind = if current.department.is_none() { EventKind::Assigned } else { EventKind::Transferred };
        events.push(
            NewEvent::new(at, kind, actor, update.public)
                .state(current.status.name())
                .department(Some(department.clone())),
        );
    }
    if let Some(to) = &update.status {
        let allowed = current.status.next_states();
        if !allowed.contains(&to.name()) {
            return Err(Error::new(
                ErrorKind::Lifecycle,
                format!(
                    "request {} cannot go from {} to {}; from {} it may go to: {}",
                    current.service_request_id,
                    current.status.name(),
                    to.name(),
                    current.status.name(),
                    allowed.join(", ")
                ),
            ));
        }
        let kind = match to {
            Status::Acknowledged => EventKind::Acknowledged,
            Status::Reopened => EventKind::Reopened,
            Status::Closed(CloseReason::Duplicate { .. }) => EventKind::MarkedDuplicate,
            Status::Closed(CloseReason::Referred { .. }) => EventKind::Referred,
            Status::Closed(_) => EventKind::Closed,
            _ => EventKind::StatusChanged,
        };
        let mut e = NewEvent::new(at, kind, actor, update.public).state(to.name());
        if let Status::Closed(reason) = to {
            e = e.detail(rows::close_reason_json(reason));
            if let CloseReason::Referred { to } = reason {
                e = e.department(Some(to.clone()));
            }
        }
        events.push(e);
    }
    if events.is_empty() {
        events.push(NewEvent::new(at, EventKind::Note, actor, update.public).state(current.status.name()));
    }
    if let Some(last) = events.last_mut() {
        last.note = update.note.clone().filter(|n| !n.trim().is_empty());
    }
    Ok(events)
}

/// The request after an event: the one rule by which state follows
/// history, used when writing and when verifying.
fn apply(r: &mut StoredRequest, e: &NewEvent, update: &Update) -> Result<()> {
    let tz = rows::zone(&r.time_zone);
    let at = civic311::DateTime::in_zone(e.at, &tz);
    r.updated_datetime = at;
    match e.kind {
        EventKind::Assigned | EventKind::Transferred => r.department = e.department.clone(),
        EventKind::Note | EventKind::Submitted | EventKind::Routed | EventKind::Escalated | EventKind::SlaBreached => {}
        _ => {
            let status = update.status.clone().ok_or_else(|| store_error("a state change without a state"))?;
            match &status {
                Status::Acknowledged => r.acknowledged_datetime = r.acknowledged_datetime.or(Some(at)),
                Status::Closed(reason) => {
                    r.closed_datetime = Some(at);
                    r.status_notes = Some(e.note.clone().unwrap_or_else(|| reason.to_string()));
                    match reason {
                        CloseReason::Duplicate { of } => r.duplicate_of = Some(of.clone()),
                        CloseReason::Referred { to } => r.referred_to = Some(to.clone()),
                        _ => {}
                    }
                }
                Status::Reopened => {
                    r.closed_datetime = None;
                    r.duplicate_of = None;
                }
                _ => {}
            }
            r.status = status;
        }
    }
    if e.public
        && let Some(note) = &e.note
        && !matches!(e.kind, EventKind::Closed | EventKind::MarkedDuplicate | EventKind::Referred)
    {
        r.status_notes = Some(note.clone());
    }
    Ok(())
}

/// Writes the current state of a request (all but its identity).
pub(crate) fn write_state(c: &mut dyn Conn, r: &StoredRequest) -> Result<()> {
    let t = |d: Option<civic311::DateTime>| d.map(|d| Value::Int(rows::seconds(d.timestamp()))).unwrap_or(Value::Null);
    let reason = match &r.status {
        Status::Closed(reason) => Value::Text(rows::close_reason_json(reason)),
        _ => Value::Null,
    };
    c.execute(
        "UPDATE requests SET state = ?, close_reason = ?, status_notes = ?, updated_at = ?, acknowledged_at = ?, \
         closed_at = ?, department = ?, duplicate_of = ?, referred_to = ?, escalated_at = ?, breached_at = ?, \
         version = ? WHERE id = ?",
        &[
            r.status.name().into(),
            reason,
            r.status_notes.clone().into(),
            t(Some(r.updated_datetime)),
            t(r.acknowledged_datetime),
            t(r.closed_datetime),
            r.department.clone().into(),
            r.duplicate_of.clone().into(),
            r.referred_to.clone().into(),
            t(r.escalation.as_ref().and_then(|e| e.escalated_datetime)),
            t(r.sla_breached_datetime),
            Value::Int(r.version),
            r.service_request_id.as_str().into(),
        ],
    )?;
    Ok(())
}

/// What the history of every request says its state is, against the
/// stored state: one message for each request where they differ.
pub(crate) fn verify_all(c: &mut dyn Conn) -> Result<Vec<String>> {
    let rows_ = c.query(
        "SELECT r.id, r.state, r.department, e.kind, e.state, e.department FROM requests r \
         JOIN request_events e ON e.request_id = r.id ORDER BY r.id, e.n",
        &[],
    )?;
    let mut problems = Vec::new();
    let mut current: Option<(String, String, Option<String>, Option<String>, Option<String>)> = None;
    let finish = |c: &Option<(String, String, Option<String>, Option<String>, Option<String>)>,
                  problems: &mut Vec<String>| {
        if let Some((id, state, department, hist_state, hist_department)) = c {
            if hist_state.as_deref() != Some(state.as_str()) {
                problems.push(format!(
                    "request {id}: its state is {state} but its history ends in {}",
                    hist_state.as_deref().unwrap_or("nothing")
                ));
            }
            if hist_department.is_some() && hist_department != department {
                problems.push(format!(
                    "request {id}: its department is {} but its history gave it to {}",
                    department.as_deref().unwrap_or("none"),
                    hist_department.as_deref().unwrap_or("none")
                ));
            }
        }
    };
    for row in rows_ {
        let mut v = row.into_iter();
        let mut next = || v.next().unwrap_or(Value::Null).into_text();
        let (id, state, department, kind, e_state, e_department) = (next(), next(), next(), next(), next(), next());
        let id = id.unwrap_or_default();
        if current.as_ref().map(|c| &c.0) != Some(&id) {
            finish(&current, &mut problems);
            current = Some((id.clone(), state.unwrap_or_default(), department, None, None));
        }
        if let Some(c) = current.as_mut() {
            if e_state.is_some() {
                c.3 = e_state;
            }
            if matches!(kind.as_deref(), Some("routed" | "assigned" | "transferred")) && e_department.is_some() {
                c.4 = e_department;
            }
        }
    }
    finish(&current, &mut problems);
    Ok(problems)
}

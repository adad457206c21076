//! Stored requests to rows and back: the one place that knows the columns
//! of `requests`, `request_people` and `request_events`.

use std::collections::BTreeMap;

use civic311::{AttributeAnswer, Channel, CloseReason, DateTime, Priority, Reporter, Result, Status};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::db::{Conn, Row, Value, store_error};
use crate::model::{Event, EventKind, Personal, StoredEscalation, StoredRequest};

/// The columns of `requests` that [`from_row`] reads, in its order.
pub(crate) const REQUEST_COLUMNS: &str = "id, client_request_id, service_code, service_name, description, state, \
     close_reason, status_notes, agency_responsible, service_notice, requested_at, updated_at, expected_at, \
     acknowledged_at, closed_at, escalation_at, escalation_to, escalated_at, breached_at, time_zone, address, \
     address_id, zipcode, lat, lon, media_url, attributes, channel, reporter, priority, jurisdiction, department, \
     duplicate_of, referred_to, rule, sla, source, version";

/// The statement that inserts a request with every column of
/// [`REQUEST_COLUMNS`]; [`to_row`] gives its parameters.
pub(crate) fn insert_request_sql() -> String {
    let marks = vec!["?"; REQUEST_COLUMNS.split(',').count()].join(", ");
    format!("INSERT INTO requests ({REQUEST_COLUMNS}) VALUES ({marks})")
}

/// Seconds since the epoch, as stored.
pub(crate) fn seconds(t: Timestamp) -> i64 {
    t.as_second()
}

pub(crate) fn timestamp(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(if seconds < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

/// The zone a request's times are shown in; UTC where the name is not a
/// zone this build knows (a store written by a newer tz database).
pub(crate) fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

pub(crate) fn close_reason_json(reason: &CloseReason) -> String {
    serde_json::to_string(reason).unwrap_or_else(|_| "{\"reason\":\"fixed\"}".to_string())
}

/// The lifecycle state stored as `state` and `close_reason`.
pub(crate) fn status_from(state: &str, reason: Option<&str>) -> Result<Status> {
    if state == "closed" {
        // The reason as stored: its JSON.
        let reason = reason.and_then(|r| serde_json::from_str::<CloseReason>(r).ok());
        return Ok(Status::Closed(reason.unwrap_or(CloseReason::Other { note: "closed".into() })));
    }
    Status::from_name(state, None).ok_or_else(|| {
        store_error(format!("a stored request has the unknown state '{state}'; was it written by a newer civic311?"))
    })
}

/// The parameters of [`insert_request_sql`] for a request.
pub(crate) fn to_row(r: &StoredRequest) -> Vec<Value> {
    let t = |d: &DateTime| Value::Int(seconds(d.timestamp()));
    let ot = |d: &Option<DateTime>| d.as_ref().map(t).unwrap_or(Value::Null);
    let reason = match &r.status {
        Status::Closed(reason) => Value::Text(close_reason_json(reason)),
        _ => Value::Null,
    };
    vec![
        r.service_request_id.as_str().into(),
        r.client_request_id.clone().into(),
        r.service_code.as_str().into(),
        r.service_name.clone().into(),
        r.description.clone().into(),
        r.status.name().into(),
        reason,
        r.status_notes.clone().into(),
        r.agency_responsible.clone().into(),
        r.service_notice.clone().into(),
        t(&r.requested_datetime),
        t(&r.updated_datetime),
        ot(&r.expected_datetime),
        ot(&r.acknowledged_datetime),
        ot(&r.closed_datetime),
        r.escalation.as_ref().map(|e| t(&e.at)).unwrap_or(Value::Null),
        r.escalation.as_ref().map(|e| e.to.clone()).into(),
        r.escalation.as_ref().and_then(|e| e.escalated_datetime.as_ref()).map(t).unwrap_or(Value::Null),
        ot(&r.sla_breached_datetime),
        r.time_zone.as_str().into(),
        r.address.clone().into(),
        r.address_id.clone().into(),
        r.zipcode.clone().into(),
        r.lat.into(),
        r.long.into(),
        r.media_url.clone().into(),
        serde_json::to_string(&r.attributes).unwrap_or_else(|_| "{}".into()).into(),
        r.channel.map(Channel::as_str).into(),
        r.reporter.as_str().into(),
        r.priority.map(Priority::as_str).into(),
        r.jurisdiction.clone().into(),
        r.department.clone().into(),
        r.duplicate_of.clone().into(),
        r.referred_to.clone().into(),
        r.rule.clone().into(),
        r.sla.clone().into(),
        r.source.as_str().into(),
        Value::Int(r.version),
    ]
}

/// A request from a row of [`REQUEST_COLUMNS`], without history or
/// personal data.
pub(crate) fn from_row(row: Row) -> Result<StoredRequest> {
    let mut v = row.into_iter();
    let mut next = || v.next().unwrap_or(Value::Null);
    let text = |x: Value| x.into_text();
    let id = text(next()).ok_or_else(|| store_error("a stored request has no id"))?;
    let client_request_id = text(next());
    let service_code = text(next()).unwrap_or_default();
    let service_name = text(next());
    let description = text(next());
    let state = text(next()).unwrap_or_default();
    let reason = text(next());
    let status = status_from(&state, reason.as_deref())?;
    let status_notes = text(next());
    let agency_responsible = text(next());
    let service_notice = text(next());
    let times: Vec<Option<i64>> = (0..5).map(|_| next().int()).collect();
    let escalation_at = next().int();
    let escalation_to = text(next());
    let escalated_at = next().int();
    let breached_at = next().int();
    let time_zone = text(next()).unwrap_or_else(|| "UTC".into());
    let tz = zone(&time_zone);
    let at = |s: i64| DateTime::in_zone(timestamp(s), &tz);
    let address = text(next());
    let address_id = text(next());
    let zipcode = text(next());
    let lat = next().real();
    let long = next().real();
    let media_url = text(next());
    let attributes: BTreeMap<String, AttributeAnswer> =
        text(next()).and_then(|a| serde_json::from_str(&a).ok()).unwrap_or_default();
    let channel = text(next()).and_then(|c| Channel::parse(&c));
    let reporter = text(next()).and_then(|r| Reporter::parse(&r)).unwrap_or_default();
    let priority = text(next()).and_then(|p| Priority::parse(&p));
    let jurisdiction = text(next());
    let department = text(next());
    let duplicate_of = text(next());
    let referred_to = text(next());
    let rule = text(next());
    let sla = text(next());
    let source = text(next()).unwrap_or_default();
    let version = next().int().unwrap_or(0);
    let requested = times[0].unwrap_or(0);
    Ok(StoredRequest {
        service_request_id: id,
        client_request_id,
        service_code,
        service_name,
        description,
        status,
        status_notes,
        agency_responsible,
        service_notice,
        requested_datetime: at(requested),
        updated_datetime: at(times[1].unwrap_or(requested)),
        expected_datetime: times[2].map(at),
        acknowledged_datetime: times[3].map(at),
        closed_datetime: times[4].map(at),
        escalation: match (escalation_to, escalation_at) {
            (Some(to), Some(when)) => {
                Some(StoredEscalation { to, at: at(when), escalated_datetime: escalated_at.map(at) })
            }
            _ => None,
        },
        sla_breached_datetime: breached_at.map(at),
        time_zone,
        address,
        address_id,
        zipcode,
        lat,
        long,
        media_url,
        attributes,
        channel,
        reporter,
        priority,
        jurisdiction,
        department,
        duplicate_of,
        referred_to,
        rule,
        sla,
        source,
        version,
        history: Vec::new(),
        personal: None,
    })
}

/// A new event, to be appended with [`append_event`].
#[derive(Debug, Clone)]
pub(crate) struct NewEvent {
    pub at: Timestamp,
    pub kind: EventKind,
    pub actor: String,
    pub public: bool,
    pub note: Option<String>,
    pub state: Option<String>,
    pub department: Option<String>,
    /// Machine-readable details (JSON): a routing's trace, duplicates found.
    pub detail: Option<String>,
}

impl NewEvent {
    pub(crate) fn new(at: Timestamp, kind: EventKind, actor: &str, public: bool) -> NewEvent {
        NewEvent { at, kind, actor: actor.to_string(), public, note: None, state: None, department: None, detail: None }
    }

    pub(crate) fn note(mut self, note: Option<String>) -> NewEvent {
        self.note = note.filter(|n| !n.is_empty());
        self
    }

    pub(crate) fn state(mut self, state: &str) -> NewEvent {
        self.state = Some(state.to_string());
        self
    }

    pub(crate) fn department(mut self, department: Option<String>) -> NewEvent {
        self.department = department;
        self
    }

    pub(crate) fn detail(mut self, detail: String) -> NewEvent {
        self.detail = Some(detail);
        self
    }
}

/// The number the next event of a request gets.
pub(crate) fn next_event(conn: &mut dyn Conn, id: &str) -> Result<i64> {
    let row = conn.query_one("SELECT COALESCE(MAX(n), 0) FROM request_events WHERE request_id = ?", &[id.into()])?;
    Ok(row.and_then(|r| r[0].int()).unwrap_or(0) + 1)
}

/// Appends events as numbers `first`, `first + 1`, ..., in one statement.
pub(crate) fn append_events(conn: &mut dyn Conn, id: &str, first: i64, events: &[NewEvent]) -> Result<()> {
    let numbered: Vec<(&str, i64, &NewEvent)> =
        events.iter().enumerate().map(|(i, e)| (id, first + i as i64, e)).collect();
    insert_events(conn, &numbered)
}

/// The most rows one multi-row INSERT writes (each statement's text is the
/// same for every full chunk, so it is prepared once).
pub(crate) const ROWS_A_STATEMENT: usize = 100;

/// Inserts events of any requests, each with its request id and number,
/// several rows a statement.
pub(crate) fn insert_events(conn: &mut dyn Conn, events: &[(&str, i64, &NewEvent)]) -> Result<()> {
    for chunk in events.chunks(ROWS_A_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO request_events (request_id, n, at, kind, actor, public, note, state, department, detail) VALUES ",
        );
        let mut params = Vec::with_capacity(chunk.len() * 10);
        for (i, (id, n, e)) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" });
            params.extend([(*id).into(), Value::Int(*n)]);
            params.extend(event_values(e));
        }
        conn.execute(&sql, &params)?;
    }
    Ok(())
}

/// One PostgreSQL statement that stores a new request under the next
/// generated id, with its filer's personal data (when there is any) and
/// its events, and returns the id: sent outside a transaction, it commits
/// everything at once in one round trip, where a statement each (the id,
/// the request, the personal data, the events) would take four. The
/// request's own id in `stored` is not used.
///
/// The personal data and events are inserted from a `SELECT` over the
/// inserted row, where PostgreSQL cannot infer a parameter's type from a
/// column: each one is cast to its column's type.
pub(crate) fn insert_new_request_postgres(
    stored: &StoredRequest,
    personal: &Personal,
    events: &[NewEvent],
) -> (String, Vec<Value>) {
    let mut params = to_row(stored);
    params.remove(0);
    let marks = vec!["?"; params.len()].join(", ");
    let mut sql = format!(
        "WITH r AS (INSERT INTO requests ({REQUEST_COLUMNS}) VALUES (nextval('request_numbers')::text, {marks}) RETURNING id)"
    );
    if !personal.is_empty() {
        sql.push_str(
            ", p AS (INSERT INTO request_people (request_id, first_name, last_name, email, phone, device_id, account_id) \
             SELECT id, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text FROM r)",
        );
        params.extend(personal_values(personal));
    }
    if !events.is_empty() {
        sql.push_str(
            ", e AS (INSERT INTO request_events (request_id, n, at, kind, actor, public, note, state, department, detail) ",
        );
        for (i, e) in events.iter().enumerate() {
            if i > 0 {
                sql.push_str(" UNION ALL ");
            }
            sql.push_str(
                "SELECT id, ?::bigint, ?::bigint, ?::text, ?::text, ?::bigint, ?::text, ?::text, ?::text, ?::text FROM r",
            );
            params.push(Value::Int(i as i64 + 1));
            params.extend(event_values(e));
        }
        sql.push(')');
    }
    sql.push_str(" SELECT id FROM r");
    (sql, params)
}

/// An INSERT of `n` requests that skips the ids already stored and returns
/// the ids it stored.
pub(crate) fn insert_requests_returning_sql(n: usize) -> String {
    let marks = format!("({})", vec!["?"; REQUEST_COLUMNS.split(',').count()].join(", "));
    format!(
        "INSERT INTO requests ({REQUEST_COLUMNS}) VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
        vec![marks; n].join(", ")
    )
}

/// The history of a request, oldest first.
pub(crate) fn history(conn: &mut dyn Conn, id: &str, tz: &TimeZone) -> Result<Vec<Event>> {
    let rows = conn.query(
        "SELECT n, at, kind, actor, public, note, state, department FROM request_events WHERE request_id = ? ORDER BY n",
        &[id.into()],
    )?;
    rows.into_iter()
        .map(|row| {
            let mut v = row.into_iter();
            let mut next = || v.next().unwrap_or(Value::Null);
            let n = next().int().unwrap_or(0);
            let at = DateTime::in_zone(timestamp(next().int().unwrap_or(0)), tz);
            let kind_name = next().into_text().unwrap_or_default();
            let kind = EventKind::parse(&kind_name)
                .ok_or_else(|| store_error(format!("request {id} has an event of unknown kind '{kind_name}'")))?;
            Ok(Event {
                n,
                at,
                kind,
                actor: next().into_text().unwrap_or_default(),
                public: next().int().unwrap_or(0) != 0,
                note: next().into_text(),
                state: next().into_text(),
                department: next().into_text(),
            })
        })
        .collect()
}

/// The personal data kept for a request, if any.
pub(crate) fn personal(conn: &mut dyn Conn, id: &str) -> Result<Option<Personal>> {
    let row = conn.query_one(
        "SELECT first_name, last_name, email, phone, device_id, account_id FROM request_people WHERE request_id = ?",
        &[id.into()],
    )?;
    Ok(row.map(|row| {
        let mut v = row.into_iter().map(Value::into_text);
        let mut next = || v.next().flatten();
        Personal {
            first_name: next(),
            last_name: next(),
            email: next(),
            phone: next(),
            device_id: next(),
            account_id: next(),
        }
    }))
}

pub(crate) fn insert_personal(conn: &mut dyn Conn, id: &str, p: &Personal) -> Result<()> {
    if p.is_empty() {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO request_people (request_id, first_name, last_name, email, phone, device_id, account_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[[id.into()].as_slice(), &personal_values(p)].concat(),
    )?;
    Ok(())
}

/// A person's columns after `request_id`, in the order of `request_people`.
fn personal_values(p: &Personal) -> [Value; 6] {
    [
        p.first_name.clone().into(),
        p.last_name.clone().into(),
        p.email.clone().into(),
        p.phone.clone().into(),
        p.device_id.clone().into(),
        p.account_id.clone().into(),
    ]
}

/// An event's columns after `request_id` and `n`, in the order of
/// `request_events`.
fn event_values(e: &NewEvent) -> [Value; 8] {
    [
        Value::Int(seconds(e.at)),
        e.kind.as_str().into(),
        e.actor.as_str().into(),
        e.public.into(),
        e.note.clone().into(),
        e.state.clone().into(),
        e.department.clone().into(),
        e.detail.clone().into(),
    ]
}

//! Submitting a request: validate, route, look for duplicates among the
//! stored open requests, then write the request and its first events in one
//! transaction.

use civic311::open311::NewRequest;
use civic311::route::{Duplicate, DuplicateOptions, OpenRequest, Routing, SlaDuration};
use civic311::{Channel, CloseReason, DateTime, Engine, Error, ErrorKind, Reporter, Result, Status};
use jiff::Timestamp;

use crate::db::{Conn, Dialect, Mode, Value};
use crate::model::{EventKind, Personal, StoredEscalation, StoredRequest, Submission, Submitted};
use crate::rows::{self, NewEvent};
use crate::{Store, geo};

/// The longest client request id kept.
const MAX_CLIENT_ID: usize = 200;
/// The most stored open requests compared with a new one: the newest
/// inside the duplicate radius's box. Where more than this many open
/// requests lie within 150 m and 14 days (a street of potholes filed all
/// day), the newest are the likely duplicates; comparing every one of
/// thousands cost each submission milliseconds. (A constant in the
/// statement's text, not a parameter: SQLite prepares a statement again at
/// every run when its LIMIT is a parameter.)
const MAX_CANDIDATES: i64 = 300;

impl Store {
    /// Validates a request, routes it, looks for likely duplicates among
    /// the stored open requests, and stores it with its first events
    /// (`submitted`, `routed`, and `referred` when another jurisdiction
    /// delivers it) in one transaction. Returns its new id.
    ///
    /// An invalid request is a [`Validation`](ErrorKind::Validation) error
    /// with the Open311 error array, and nothing is stored. A
    /// `client_request_id` seen before returns the first submission's
    /// answer, with `created: false`, and stores nothing: a client's retry
    /// never makes a second request.
    pub fn submit(&self, engine: &Engine, request: NewRequest, submission: Submission) -> Result<Submitted> {
        let client_id = match submission.client_request_id.as_deref().map(str::trim) {
            Some("") => None,
            Some(id) if id.chars().count() > MAX_CLIENT_ID => {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!("client_request_id is {} characters; at most {MAX_CLIENT_ID} are kept", id.chars().count()),
                ));
            }
            other => other.map(str::to_string),
        };
        if let Some(id) = &client_id
            && let Some(first) = self.replay(id)?
        {
            return Ok(first);
        }
        // The store keeps whole seconds (as Open311 writes times): the
        // routing is computed from the times as they will be stored, so that
        // a replayed answer is the same answer.
        let now = whole_second(submission.at.unwrap_or_else(Timestamp::now));
        let mut request = request;
        request.requested_datetime =
            request.requested_datetime.map(|d| DateTime::new(whole_second(d.timestamp()), d.offset()));
        request.channel = submission.channel.or(request.channel).or(Some(Channel::Api));
        if let Some(reporter) = submission.reporter {
            request.reporter = reporter;
        }
        let routing = engine.route(&request, now)?;
        let written = self.write(engine, request, &routing, client_id.clone(), now);
        let replayed = || -> Result<Submitted> {
            let id = client_id.as_deref().unwrap_or_default();
            self.replay(id)?.ok_or_else(|| {
                crate::db::store_error(format!("the submission with client_request_id '{id}' could not be read back"))
            })
        };
        match written {
            Ok(Some((id, duplicates))) => Ok(Submitted { service_request_id: id, created: true, routing, duplicates }),
            // Committed by the time the write returned: read it back.
            Ok(None) => replayed(),
            // Another submission with the same client id committed first
            // (PostgreSQL, where writers do not wait for each other).
            Err(e) if e.kind() == ErrorKind::Conflict && client_id.is_some() => replayed().map_err(|_| e),
            Err(e) => Err(e),
        }
    }

    /// Looks for duplicates and writes the request with its first events;
    /// `None` when a submission with its client id is already stored.
    fn write(
        &self,
        engine: &Engine,
        request: NewRequest,
        routing: &Routing,
        client_id: Option<String>,
        now: Timestamp,
    ) -> Result<Option<(String, Vec<Duplicate>)>> {
        // The likely duplicates, from what was committed before the write
        // (a read: on SQLite it does not wait for the writer, and on
        // PostgreSQL it is one statement with no transaction around it).
        // Comparing the candidates costs up to a millisecond where many
        // open requests lie near (a street of potholes): inside SQLite's
        // write transaction, every other writer waited for it. A request
        // written between the look-up and the write is not compared, as
        // at PostgreSQL's `READ COMMITTED`; duplicates are advice to a
        // person, who can still mark one later (`Update::duplicate_of`).
        let duplicates = self.autocommit(Mode::Read, |c| duplicates(c, engine, &request, routing))?;
        let (mut stored, personal, events) = new_request(engine, request, routing, &duplicates, client_id, now);
        match self.dialect() {
            // SQLite: one transaction, one (shared) commit; statements cost
            // no round trips here.
            Dialect::Sqlite => self.transaction(Mode::Write, |c| {
                // Looked for again in the write transaction: it may hold
                // another writer's submission with this client id, not yet
                // committed (see the group commit), that the look-up before
                // could not see.
                if let Some(id) = &stored.client_request_id
                    && c.query_one("SELECT id FROM requests WHERE client_request_id = ?", &[id.as_str().into()])?
                        .is_some()
                {
                    return Ok(None);
                }
                let id = next_id(c)?;
                stored.service_request_id = id.clone();
                c.execute(&rows::insert_request_sql(), &rows::to_row(&stored))?;
                rows::insert_personal(c, &id, &personal)?;
                rows::append_events(c, &id, 1, &events)?;
                Ok(Some((id, duplicates)))
            }),
            // PostgreSQL: the request, its personal data and its events go
            // in one statement with no transaction around it (one round
            // trip, where four statements and `BEGIN` and `COMMIT` took
            // six); it commits them together or not at all. A second
            // submission with the same client id fails on the unique
            // index, and `submit` answers with the first one.
            Dialect::Postgres => self.autocommit(Mode::Write, |c| {
                let (sql, params) = rows::insert_new_request_postgres(&stored, &personal, &events);
                let id = c
                    .query_one(&sql, &params)?
                    .and_then(|row| row.into_iter().next())
                    .and_then(Value::into_text)
                    .ok_or_else(|| crate::db::store_error("the new request's id did not come back from the store"))?;
                Ok(Some((id, duplicates)))
            }),
        }
    }

    /// The answer to the submission that had `client_id`, rebuilt from what
    /// was stored.
    fn replay(&self, client_id: &str) -> Result<Option<Submitted>> {
        self.transaction(Mode::Read, |c| {
            let Some(row) = c.query_one("SELECT id FROM requests WHERE client_request_id = ?", &[client_id.into()])? else {
                return Ok(None);
            };
            let id = row[0].text().unwrap_or_default().to_string();
            let Some(request) = crate::get(c, &id)? else { return Ok(None) };
            let details = c.query(
                "SELECT kind, detail FROM request_events WHERE request_id = ? AND kind IN ('submitted', 'routed') ORDER BY n",
                &[id.as_str().into()],
            )?;
            let detail = |kind: &str| -> serde_json::Value {
                details
                    .iter()
                    .find(|r| r[0].text() == Some(kind))
                    .and_then(|r| r[1].text())
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or_default()
            };
            let duplicates = detail("submitted")["duplicates"]
                .as_array()
                .map(|list| list.iter().filter_map(duplicate_from_json).collect())
                .unwrap_or_default();
            let routed = detail("routed");
            Ok(Some(Submitted {
                service_request_id: id,
                created: false,
                routing: routing_from_stored(&request, &routed),
                duplicates,
            }))
        })
    }
}

/// Likely duplicates of a request among the stored open ones near it.
fn duplicates(c: &mut dyn Conn, engine: &Engine, request: &NewRequest, routing: &Routing) -> Result<Vec<Duplicate>> {
    let (Some(lat), Some(lon)) = (request.lat, request.long) else { return Ok(Vec::new()) };
    let options = DuplicateOptions::default();
    let (lat0, lat1, lon0, lon1) = geo::bounding_box(lat, lon, options.radius_m);
    let since = routing.requested_datetime.timestamp().as_second() - options.window.as_secs();
    // The candidates' ids come from the place index alone (it holds the
    // place, the time and the state): the newest open ones, and only those
    // rows are read.
    let (near, values) = geo::box_clause(lat0, lat1, lon0, lon1);
    let mut params = values;
    params.push(Value::Int(since));
    let candidates = c.query(
        &format!(
            "SELECT id, service_code, lat, lon, requested_at, description FROM requests \
             WHERE id IN (SELECT id FROM requests WHERE {near} AND requested_at >= ? AND state <> 'closed' \
             ORDER BY requested_at DESC LIMIT {MAX_CANDIDATES})"
        ),
        &params,
    )?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let candidates = candidates.into_iter().filter_map(|row| {
        let mut v = row.into_iter();
        let mut next = || v.next().unwrap_or(Value::Null);
        let id = next().into_text().unwrap_or_default();
        let service_code = next().into_text().unwrap_or_default();
        let (Some(lat), Some(lon)) = (next().real(), next().real()) else { return None };
        let requested = rows::timestamp(next().int().unwrap_or(0));
        let description = next().into_text().unwrap_or_default();
        // Note: a stored request of a service this catalog no longer has
        // (an imported one) cannot be compared; the finder passes it over.
        Some(OpenRequest { id, service_code, lat, lon, requested, description })
    });
    let new = OpenRequest {
        id: String::new(),
        service_code: request.service_code.clone(),
        lat,
        lon,
        requested: routing.requested_datetime.timestamp(),
        description: request.description.clone().unwrap_or_default(),
    };
    engine.find_duplicates_among(&new, candidates)
}

fn whole_second(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// The next generated id: a decimal number, from the store's counter.
fn next_id(c: &mut dyn Conn) -> Result<String> {
    let row = match c.dialect() {
        Dialect::Sqlite => {
            c.query_one("UPDATE counters SET value = value + 1 WHERE name = 'request' RETURNING value - 1", &[])?
        }
        Dialect::Postgres => c.query_one("SELECT nextval('request_numbers')", &[])?,
    };
    let n = row.and_then(|r| r[0].int()).ok_or_else(|| crate::db::store_error("the store has no request counter"))?;
    Ok(n.to_string())
}

/// Raises the counter of generated ids past `n` (an imported numeric id),
/// so that no generated id is ever one already taken.
pub(crate) fn reserve_ids_through(c: &mut dyn Conn, n: i64) -> Result<()> {
    match c.dialect() {
        Dialect::Sqlite => {
            c.execute(
                "UPDATE counters SET value = ? WHERE name = 'request' AND value <= ?",
                &[Value::Int(n + 1), Value::Int(n)],
            )?;
        }
        Dialect::Postgres => {
            c.query(
                "SELECT setval('request_numbers', GREATEST(?, (SELECT last_value FROM request_numbers)))",
                &[Value::Int(n)],
            )?;
        }
    }
    Ok(())
}

/// The stored request, its filer's personal data and its first events.
fn new_request(
    engine: &Engine,
    request: NewRequest,
    routing: &Routing,
    duplicates: &[Duplicate],
    client_request_id: Option<String>,
    now: Timestamp,
) -> (StoredRequest, Personal, Vec<NewEvent>) {
    let catalog = engine.catalog();
    let time_zone = catalog
        .jurisdiction(&routing.jurisdiction)
        .or_else(|| catalog.default_jurisdiction())
        .map(|j| j.time_zone.clone())
        .unwrap_or_else(|| "UTC".to_string());
    let tz = rows::zone(&time_zone);
    let at = |t: Timestamp| DateTime::in_zone(t, &tz);
    let requested = routing.requested_datetime.timestamp();
    let channel = request.channel.unwrap_or(Channel::Api);
    let referral = routing.referral.clone();
    let status = match &referral {
        Some(r) => Status::Closed(CloseReason::Referred { to: r.jurisdiction.clone() }),
        None => Status::Submitted,
    };
    let agency = routing
        .department
        .as_deref()
        .and_then(|d| catalog.department(d))
        .map(|d| d.name.clone())
        .or_else(|| referral.as_ref().map(|r| r.name.clone()));
    let personal = Personal {
        first_name: request.first_name.clone(),
        last_name: request.last_name.clone(),
        email: request.email.clone(),
        phone: request.phone.clone(),
        device_id: request.device_id.clone(),
        account_id: request.account_id.clone(),
    };
    let stored = StoredRequest {
        service_request_id: String::new(),
        client_request_id,
        service_code: request.service_code.clone(),
        service_name: catalog.service(&request.service_code).map(|s| s.name.clone()),
        description: request.description.clone(),
        status_notes: referral.as_ref().map(|r| r.message.clone()),
        status: status.clone(),
        agency_responsible: agency,
        service_notice: (!routing.notices.is_empty()).then(|| routing.notices.join("\n")),
        requested_datetime: at(requested),
        updated_datetime: at(now.max(requested)),
        expected_datetime: routing.expected_datetime,
        acknowledged_datetime: None,
        closed_datetime: referral.as_ref().map(|_| at(now)),
        escalation: routing.escalation.as_ref().map(|e| StoredEscalation {
            to: e.to.clone(),
            at: e.at,
            escalated_datetime: None,
        }),
        sla_breached_datetime: None,
        time_zone,
        address: request.address_string.clone(),
        address_id: request.address_id.clone(),
        zipcode: None,
        lat: request.lat,
        long: request.long,
        media_url: request.media_url.clone(),
        attributes: request.attributes.clone(),
        channel: Some(channel),
        reporter: request.reporter,
        priority: Some(routing.priority),
        jurisdiction: Some(routing.jurisdiction.clone()),
        department: routing.department.clone(),
        duplicate_of: None,
        referred_to: referral.as_ref().map(|r| r.jurisdiction.clone()),
        rule: Some(routing.rule.clone()),
        sla: routing.sla.map(|s| s.to_string()),
        source: "submit".to_string(),
        version: 1,
        history: Vec::new(),
        personal: None,
    };
    let actor = match request.reporter {
        Reporter::Staff => format!("staff ({})", channel.as_str()),
        Reporter::Resident => format!("resident ({})", channel.as_str()),
    };
    let submitted_detail = serde_json::json!({ "duplicates": duplicates });
    let routed_detail = serde_json::json!({
        "rule": routing.rule,
        "trace": routing.trace,
        "notices": routing.notices,
        "escalation": routing.escalation,
        "referral": routing.referral,
    });
    let mut events = vec![
        NewEvent::new(now, EventKind::Submitted, &actor, true)
            .note(Some(format!("received by {}", channel.as_str())))
            .state("submitted")
            .detail(submitted_detail.to_string()),
        NewEvent::new(now, EventKind::Routed, "router", false)
            .note(Some(routing.trace.join("\n")))
            .state("submitted")
            .department(routing.department.clone())
            .detail(routed_detail.to_string()),
    ];
    if let Some(r) = &referral {
        events.push(
            NewEvent::new(now, EventKind::Referred, "router", true)
                .note(Some(r.message.clone()))
                .state("closed")
                .department(Some(r.jurisdiction.clone())),
        );
    }
    (stored, personal, events)
}

/// A routing rebuilt from a stored request and its `routed` event's
/// details, for a replayed submission.
fn routing_from_stored(r: &StoredRequest, routed: &serde_json::Value) -> Routing {
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    let referral = routed.get("referral").filter(|v| !v.is_null()).map(|v| {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        civic311::route::Referral {
            jurisdiction: s("jurisdiction").unwrap_or_default(),
            name: s("name").unwrap_or_default(),
            phone: s("phone"),
            email: s("email"),
            url: s("url"),
            message: s("message").unwrap_or_default(),
        }
    });
    Routing {
        service_code: r.service_code.clone(),
        jurisdiction: r.jurisdiction.clone().unwrap_or_default(),
        department: r.department.clone(),
        priority: r.priority.unwrap_or(civic311::Priority::Normal),
        requested_datetime: r.requested_datetime,
        expected_datetime: r.expected_datetime,
        sla: r.sla.as_deref().and_then(|s| s.parse::<SlaDuration>().ok()),
        escalation: r.escalation.as_ref().map(|e| civic311::route::Escalation { to: e.to.clone(), at: e.at }),
        referral,
        notices: strings(&routed["notices"]),
        rule: r.rule.clone().unwrap_or_default(),
        trace: strings(&routed["trace"]),
    }
}

fn duplicate_from_json(v: &serde_json::Value) -> Option<Duplicate> {
    Some(Duplicate {
        id: v.get("id")?.as_str()?.to_string(),
        score: v.get("score")?.as_f64()? as f32,
        distance_m: v.get("distance_m")?.as_f64()?,
        reasons: v.get("reasons")?.as_array()?.iter().filter_map(|r| r.as_str().map(str::to_string)).collect(),
    })
}

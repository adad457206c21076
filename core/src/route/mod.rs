//! Routing: who delivers a request, how urgent it is, when it is due, and
//! why.
//!
//! `routing.toml` lists service levels (`[slas]`) and ordered rules
//! (`[[rules]]`). The first rule whose conditions all hold decides; the
//! routing names it and explains, in words, why each rule before it that
//! could concern the request did not apply. Without a rule, the service's
//! department delivers, unless the request's point lies outside that
//! department's jurisdiction: then the request is referred to the
//! jurisdiction that holds the point, or refused when no known boundary
//! holds it. Nothing is routed silently.
//!
//! ```
//! use civic311::{Catalog, Engine};
//! use civic311::open311::NewRequest;
//!
//! let engine = Engine::build(Catalog::riverton()?)?;
//! let request = NewRequest::from_json(r#"{
//!     "service_code": "WS-MAIN-BREAK", "lat": 38.955, "long": -90.95,
//!     "description": "water gushing out of the street",
//!     "attribute": {"FLOWING": "yes", "AMOUNT": "gushing"},
//!     "requested_datetime": "2026-07-03T02:00:00-05:00"}"#)?;
//! let routing = engine.route(&request, jiff::Timestamp::now())?;
//! assert_eq!(routing.jurisdiction, "rrwsa");
//! println!("{} by {}: {}", routing.priority.as_str(), routing.expected_datetime.unwrap(), routing.rule);
//! # Ok::<(), civic311::Error>(())
//! ```

mod clock;
mod duplicates;
mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

pub use clock::deadline;
pub use duplicates::{Duplicate, DuplicateFinder, DuplicateOptions, OpenRequest};
pub(crate) use rules::concerns;
pub use rules::{EscalationRule, Rule, ServiceLevels, SlaDuration, TimeCondition};

use crate::analyzer::{Analyzer, Language};
use crate::catalog::{Calendar, Catalog, JurisdictionKind, ServiceCategory};
use crate::error::{Error, ErrorKind, Result};
use crate::open311::NewRequest;
use crate::request::Priority;
use crate::time::DateTime;

/// Where a request goes, by when, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routing {
    pub service_code: String,
    /// The jurisdiction that delivers (or that the resident is referred to).
    pub jurisdiction: String,
    /// The delivering department; `None` for a referral to a jurisdiction
    /// without a department named.
    pub department: Option<String>,
    pub priority: Priority,
    /// When the request was made: its `requested_datetime`, else now.
    pub requested_datetime: DateTime,
    /// The service level's deadline, in the delivering calendar's time zone.
    pub expected_datetime: Option<DateTime>,
    /// The service level, such as "3 business days".
    pub sla: Option<SlaDuration>,
    pub escalation: Option<Escalation>,
    /// Set when the request is not taken here: whom the resident should contact.
    pub referral: Option<Referral>,
    /// Texts for the resident.
    pub notices: Vec<String>,
    /// The id of the rule that decided, `default` (the service's own
    /// department) or `referral` (another jurisdiction holds the place).
    pub rule: String,
    /// Why: each rule before the deciding one that concerns the service and
    /// why it did not apply, then why the deciding one did.
    pub trace: Vec<String>,
}

/// An escalation deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    /// The department alerted.
    pub to: String,
    /// When, if the request is still open.
    pub at: DateTime,
}

/// Whom the resident should contact instead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Referral {
    pub jurisdiction: String,
    /// The name of the department or jurisdiction to contact.
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    /// What to tell the resident, with the contact.
    pub message: String,
}

/// A rule's keywords, as stem sequences per language.
type Phrases = Vec<[Vec<String>; 2]>;

/// The routing rules of a catalog, ready to apply: rules indexed by the
/// services they can concern, keywords analyzed. Cheap to share between
/// threads; an [`Engine`](crate::Engine) holds one.
pub struct Router {
    catalog: Arc<Catalog>,
    /// Per service code: the rules that can concern it, in order.
    by_service: HashMap<String, Vec<usize>, std::hash::BuildHasherDefault<crate::analyzer::FnvHasher>>,
    keywords: Vec<Phrases>,
    analyzers: [Analyzer; 2],
    /// Time zones by calendar id and by jurisdiction id, looked up once:
    /// `TimeZone::get` on every routing costs about 5% of its time.
    calendar_zones: HashMap<String, TimeZone>,
    jurisdiction_zones: HashMap<String, TimeZone>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router").field("rules", &self.catalog.rules.len()).finish()
    }
}

/// The description's stems, computed when a keyword rule first asks.
struct Described<'a> {
    text: &'a str,
    stems: Option<[Vec<String>; 2]>,
}

impl Router {
    /// The router of a catalog.
    pub fn new(catalog: Arc<Catalog>) -> Router {
        let analyzers = Language::ALL.map(Analyzer::new);
        let by_service = catalog
            .services()
            .iter()
            .map(|s| {
                let rules = catalog
                    .rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.concerns(&s.code, s.group.as_deref()))
                    .map(|(i, _)| i)
                    .collect();
                (s.code.clone(), rules)
            })
            .collect();
        let keywords = catalog
            .rules
            .iter()
            .map(|r| r.keywords.iter().map(|k| [analyzers[0].stems(k), analyzers[1].stems(k)]).collect())
            .collect();
        let calendar_zones = catalog.calendars().iter().map(|c| (c.id.clone(), c.tz())).collect();
        let jurisdiction_zones =
            catalog.jurisdictions().iter().map(|j| (j.id.clone(), crate::zones::get_or_utc(&j.time_zone))).collect();
        Router { catalog, by_service, keywords, analyzers, calendar_zones, jurisdiction_zones }
    }

    fn calendar_zone(&self, calendar: &Calendar) -> TimeZone {
        self.calendar_zones.get(&calendar.id).cloned().unwrap_or_else(|| calendar.tz())
    }

    fn jurisdiction_zone(&self, id: &str) -> TimeZone {
        self.jurisdiction_zones.get(id).cloned().unwrap_or(TimeZone::UTC)
    }

    /// The catalog it routes for.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Routes a request: validates it against its service definition first
    /// (an invalid one is an error of kind
    /// [`Validation`](ErrorKind::Validation) carrying the Open311 error
    /// array), then applies the rules. `now` is the request's time when it
    /// has no `requested_datetime`.
    pub fn route(&self, request: &NewRequest, now: Timestamp) -> Result<Routing> {
        crate::open311::validate_request(&self.catalog, request)?;
        let catalog = &*self.catalog;
        let service = catalog.service(&request.service_code).ok_or_else(|| {
            Error::new(ErrorKind::Routing, format!("unknown service code '{}'", request.service_code))
        })?;
        let at = request.requested_datetime.map(|d| d.timestamp()).unwrap_or(now);
        let home = catalog.department(&service.department);
        let home_calendar = home.and_then(|d| d.calendar.as_deref()).and_then(|c| catalog.calendar(c));
        let point = request.lat.zip(request.long);
        let mut described = Described { text: request.description.as_deref().unwrap_or(""), stems: None };
        let mut trace = Vec::new();
        let empty = Vec::new();
        for &i in self.by_service.get(&service.code).unwrap_or(&empty) {
            let rule = &catalog.rules[i];
            match self.check(i, rule, request, point, at, home_calendar, &mut described) {
                Ok(why) => {
                    trace.push(format!("rule '{}' applies: {why}. {}", rule.id, rule.description));
                    return self.apply(service, Some(rule), at, trace);
                }
                Err(why) => trace.push(format!("rule '{}' does not apply: {why}", rule.id)),
            }
        }
        // No rule: the service's own department, if the place is its jurisdiction's.
        let department = home.ok_or_else(|| {
            Error::new(
                ErrorKind::Routing,
                format!(
                    "service {} names department '{}', which the catalog does not define",
                    service.code, service.department
                ),
            )
        })?;
        let jurisdiction = catalog.jurisdiction(&department.jurisdiction);
        let boundary = jurisdiction.and_then(|j| j.boundary.as_deref()).and_then(|b| catalog.boundary(b));
        match (point, boundary) {
            (Some((lat, lon)), Some(boundary)) if !boundary.contains(lat, lon) => {
                trace.push(format!(
                    "no rule applies, and ({lat}, {lon}) is outside {} ({}), where {} delivers {}",
                    boundary.name, boundary.id, department.name, service.name
                ));
                let by_utility = jurisdiction.is_some_and(|j| j.kind == JurisdictionKind::Utility);
                self.refer_by_place(service, by_utility, lat, lon, at, trace)
            }
            _ => {
                trace.push(if point.is_none() && boundary.is_some() {
                    format!(
                        "no rule applies and the request has no coordinates, so its place was not checked: {} delivers {} by default",
                        department.name, service.name
                    )
                } else {
                    format!("no rule applies: {} delivers {} by default", department.name, service.name)
                });
                self.apply(service, None, at, trace)
            }
        }
    }

    /// Why a rule applies (`Ok`) or does not (`Err`), cheapest checks first.
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        index: usize,
        rule: &Rule,
        request: &NewRequest,
        point: Option<(f64, f64)>,
        at: Timestamp,
        calendar: Option<&Calendar>,
        described: &mut Described<'_>,
    ) -> std::result::Result<String, String> {
        let catalog = &*self.catalog;
        // What held, in words; the reasons of conditions every rule of the
        // service meets are added only once the rule applies.
        let mut why = Vec::new();
        if let Some(reporter) = rule.reporter {
            if request.reporter != reporter {
                return Err(format!("the reporter is {}, not {}", request.reporter.as_str(), reporter.as_str()));
            }
            why.push(format!("the reporter is {}", reporter.as_str()));
        }
        if !rule.channels.is_empty() {
            match request.channel {
                Some(c) if rule.channels.contains(&c) => why.push(format!("the channel is {}", c.as_str())),
                Some(c) => return Err(format!("the channel is {}, not {}", c.as_str(), names(&rule.channels))),
                None => return Err("the request names no channel".into()),
            }
        }
        for (code, accepted) in &rule.attributes {
            let answer = request.attributes.get(code).map(|a| a.values()).unwrap_or(&[]);
            match answer.iter().find(|v| accepted.iter().any(|a| a == *v)) {
                Some(v) => why.push(format!("{code} is {v}")),
                None if answer.is_empty() => return Err(format!("{code} is not answered")),
                None => return Err(format!("{code} is {}, not {}", answer.join(", "), accepted.join(" or "))),
            }
        }
        if !rule.when.is_empty() {
            let Some(calendar) = calendar else {
                return Err("the service's department has no calendar to tell the time by".into());
            };
            let local = at.to_zoned(self.calendar_zone(calendar));
            match rule.when.iter().find(|c| clock::holds(**c, calendar, &local)) {
                Some(c) => why.push(format!(
                    "{} is {} on the {} calendar",
                    local.strftime("%a %Y-%m-%d %H:%M"),
                    c.as_str(),
                    calendar.id
                )),
                None => {
                    return Err(format!(
                        "{} is not {} on the {} calendar",
                        local.strftime("%a %Y-%m-%d %H:%M"),
                        rule.when.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" or "),
                        calendar.id
                    ));
                }
            }
        }
        if !rule.inside.is_empty() || !rule.outside.is_empty() {
            let Some((lat, lon)) = point else {
                return Err("the request has no coordinates to place it".into());
            };
            if !rule.inside.is_empty() {
                match rule.inside.iter().filter_map(|b| catalog.boundary(b)).find(|b| b.contains(lat, lon)) {
                    Some(b) => why.push(format!("the place is inside {}", b.name)),
                    None => return Err(format!("the place is not inside {}", rule.inside.join(" or "))),
                }
            }
            if let Some(b) = rule.outside.iter().filter_map(|b| catalog.boundary(b)).find(|b| b.contains(lat, lon)) {
                return Err(format!("the place is inside {}", b.name));
            }
            if !rule.outside.is_empty() {
                why.push(format!("the place is outside {}", rule.outside.join(" and ")));
            }
        }
        if !rule.keywords.is_empty() {
            let stems = described.stems.get_or_insert_with(|| {
                [self.analyzers[0].stems(described.text), self.analyzers[1].stems(described.text)]
            });
            let found = rule.keywords.iter().zip(&self.keywords[index]).find(|(_, phrase)| {
                (0..2).any(|l| !phrase[l].is_empty() && stems[l].windows(phrase[l].len()).any(|w| w == phrase[l]))
            });
            match found {
                Some((k, _)) => why.push(format!("the description mentions \"{k}\"")),
                None => return Err(format!("the description mentions none of {}", quoted(&rule.keywords))),
            }
        }
        let mut head = Vec::new();
        if !rule.services.is_empty() {
            head.push(format!("the service is {}", request.service_code));
        }
        if !rule.groups.is_empty() {
            head.push("its group is one of the rule's".to_string());
        }
        head.append(&mut why);
        if head.is_empty() {
            head.push("it has no conditions".into());
        }
        Ok(head.join(", "))
    }

    /// The routing a rule decides, or the service's default without one.
    fn apply(
        &self,
        service: &ServiceCategory,
        rule: Option<&Rule>,
        at: Timestamp,
        trace: Vec<String>,
    ) -> Result<Routing> {
        let catalog = &*self.catalog;
        let department_id = rule.and_then(|r| r.department.as_deref()).unwrap_or(&service.department);
        let department = catalog.department(department_id).ok_or_else(|| {
            Error::new(ErrorKind::Routing, format!("department '{department_id}' is not in the catalog"))
        })?;
        let jurisdiction = catalog.jurisdiction(&department.jurisdiction);
        let calendar = department.calendar.as_deref().and_then(|c| catalog.calendar(c));
        let zone = match (calendar, jurisdiction) {
            (Some(c), _) => self.calendar_zone(c),
            (None, Some(j)) => self.jurisdiction_zone(&j.id),
            (None, None) => TimeZone::UTC,
        };
        let requested_datetime = DateTime::in_zone(at, &zone);
        let mut notices = Vec::new();
        if let Some(n) = rule.and_then(|r| r.notice.as_ref()) {
            notices.push(n.clone());
        }
        let rule_id = rule.map(|r| r.id.clone()).unwrap_or_else(|| "default".into());
        if rule.is_some_and(|r| r.refer) {
            let referral = referral_to(catalog, department, rule.and_then(|r| r.notice.as_deref()));
            return Ok(Routing {
                service_code: service.code.clone(),
                jurisdiction: department.jurisdiction.clone(),
                department: Some(department.id.clone()),
                priority: rule.and_then(|r| r.priority).unwrap_or(Priority::Normal),
                requested_datetime,
                expected_datetime: None,
                sla: None,
                escalation: None,
                referral: Some(referral),
                notices,
                rule: rule_id,
                trace,
            });
        }
        let sla = rule.and_then(|r| r.sla).or_else(|| catalog.slas.get(&service.code));
        let expected_datetime = match sla {
            Some(d) => {
                Some(clock::deadline_in(d, at, calendar, zone.clone()).map(|z| DateTime::from_zoned(&z)).ok_or_else(
                    || {
                        Error::new(
                            ErrorKind::Routing,
                            format!(
                                "cannot count {d} for {}: department '{}' has {}",
                                service.code,
                                department.id,
                                if calendar.is_some() {
                                    "no open hours in the next three years"
                                } else {
                                    "no calendar; give it one in catalog.toml"
                                }
                            ),
                        )
                    },
                )?)
            }
            None => None,
        };
        let escalation = match rule.and_then(|r| r.escalate.as_ref()) {
            Some(e) => {
                let at = clock::deadline_in(e.after, at, calendar, zone.clone()).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Routing,
                        format!("cannot count the escalation time {} on department '{}'", e.after, department.id),
                    )
                })?;
                Some(Escalation { to: e.to.clone(), at: DateTime::from_zoned(&at) })
            }
            None => None,
        };
        Ok(Routing {
            service_code: service.code.clone(),
            jurisdiction: department.jurisdiction.clone(),
            department: Some(department.id.clone()),
            priority: rule.and_then(|r| r.priority).unwrap_or(Priority::Normal),
            requested_datetime,
            expected_datetime,
            sla,
            escalation,
            referral: None,
            notices,
            rule: rule_id,
            trace,
        })
    }

    /// No rule applies and the service's department does not work at the
    /// point: refer to the jurisdiction whose boundary holds it (a city
    /// first, then a utility for a utility's service, a county, a state),
    /// or refuse. `by_utility`: the service is a utility's.
    fn refer_by_place(
        &self,
        service: &ServiceCategory,
        by_utility: bool,
        lat: f64,
        lon: f64,
        at: Timestamp,
        mut trace: Vec<String>,
    ) -> Result<Routing> {
        let catalog = &*self.catalog;
        let rank = |k: JurisdictionKind| match k {
            JurisdictionKind::City => 0,
            JurisdictionKind::Utility => 1,
            JurisdictionKind::County => 2,
            JurisdictionKind::State => 3,
            _ => 4,
        };
        // A utility only takes what utilities deliver: a pothole in a water
        // district's service area is not the water district's.
        let mut holding: Vec<_> = catalog
            .jurisdictions()
            .iter()
            .filter(|j| by_utility || j.kind != JurisdictionKind::Utility)
            .filter(|j| j.boundary.as_deref().and_then(|b| catalog.boundary(b)).is_some_and(|b| b.contains(lat, lon)))
            .collect();
        holding.sort_by_key(|j| rank(j.kind));
        let Some(j) = holding.first() else {
            return Err(Error::new(
                ErrorKind::Routing,
                format!(
                    "({lat}, {lon}) is outside every known boundary ({}); nobody in the catalog delivers {} there. Check the coordinates (latitude first), or add the area to boundaries.geojson with a rule for it",
                    catalog.boundaries().iter().map(|b| b.id.as_str()).collect::<Vec<_>>().join(", "),
                    service.code
                ),
            ));
        };
        let message = format!(
            "{} is not delivered by the catalog's departments at this place, which is in {}. Contact {}{}{}.",
            service.name,
            j.name,
            j.name,
            j.phone.as_deref().map(|p| format!(" at {p}")).unwrap_or_default(),
            j.url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default(),
        );
        trace.push(format!("the place is in {}: referred there", j.name));
        let tz = self.jurisdiction_zone(&j.id);
        Ok(Routing {
            service_code: service.code.clone(),
            jurisdiction: j.id.clone(),
            department: None,
            priority: Priority::Normal,
            requested_datetime: DateTime::in_zone(at, &tz),
            expected_datetime: None,
            sla: None,
            escalation: None,
            referral: Some(Referral {
                jurisdiction: j.id.clone(),
                name: j.name.clone(),
                phone: j.phone.clone(),
                email: j.email.clone(),
                url: j.url.clone(),
                message: message.clone(),
            }),
            notices: vec![message],
            rule: "referral".into(),
            trace,
        })
    }
}

impl crate::Engine {
    /// Routes a request: validation first (an invalid request is an error of
    /// kind [`Validation`](ErrorKind::Validation) with the Open311 error
    /// array), then the catalog's rules. See [`Router::route`].
    pub fn route(&self, request: &NewRequest, now: Timestamp) -> Result<Routing> {
        self.router.route(request, now)
    }

    /// The engine's router.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// An empty duplicate finder for the engine's catalog.
    pub fn duplicate_finder(&self, options: DuplicateOptions) -> DuplicateFinder {
        DuplicateFinder::new(self.catalog.clone(), options)
    }

    /// The likely duplicates of a new request among `candidates`, with the
    /// default options: [`DuplicateFinder::find_among`] on a finder the
    /// engine makes once and keeps.
    pub fn find_duplicates_among(
        &self,
        request: &OpenRequest,
        candidates: impl IntoIterator<Item = OpenRequest>,
    ) -> Result<Vec<Duplicate>> {
        self.duplicates
            .get_or_init(|| DuplicateFinder::new(self.catalog.clone(), DuplicateOptions::default()))
            .find_among(request, candidates)
    }
}

/// A referral to a department's jurisdiction, with the department's contact
/// (or the jurisdiction's where the department has none).
fn referral_to(catalog: &Catalog, department: &crate::catalog::Department, notice: Option<&str>) -> Referral {
    let j = catalog.jurisdiction(&department.jurisdiction);
    let phone = department.phone.clone().or_else(|| j.and_then(|j| j.phone.clone()));
    let email = department.email.clone().or_else(|| j.and_then(|j| j.email.clone()));
    let url = department.url.clone().or_else(|| j.and_then(|j| j.url.clone()));
    let contact = format!(
        "Contact {}{}{}.",
        department.name,
        phone.as_deref().map(|p| format!(" at {p}")).unwrap_or_default(),
        url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default()
    );
    let message = match notice {
        Some(n) => format!("{n} {contact}"),
        None => {
            format!("This is handled by {}. {contact}", j.map(|j| j.name.as_str()).unwrap_or(&department.jurisdiction))
        }
    };
    Referral {
        jurisdiction: department.jurisdiction.clone(),
        name: department.name.clone(),
        phone,
        email,
        url,
        message,
    }
}

fn names(channels: &[crate::request::Channel]) -> String {
    channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" or ")
}

fn quoted(words: &[String]) -> String {
    words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")
}

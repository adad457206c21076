//! Reading `[slas]` and `[[rules]]` of `routing.toml`. References to
//! services, departments and boundaries are checked with the rest of the
//! catalog's; groups, attribute codes and values, and calendars for
//! business time are checked once the services are read.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use super::{FileCtx, Loader, Target};
use crate::catalog::Catalog;
use crate::catalog::source::did_you_mean;
use crate::error::Problem;
use crate::request::{Channel, Priority, Reporter};
use crate::route::{EscalationRule, Rule, ServiceLevels, SlaDuration, TimeCondition};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    description: String,
    #[serde(default)]
    services: Vec<Spanned<String>>,
    #[serde(default)]
    groups: Vec<Spanned<String>>,
    #[serde(default)]
    inside: Vec<Spanned<String>>,
    #[serde(default)]
    outside: Vec<Spanned<String>>,
    #[serde(default)]
    attributes: BTreeMap<String, Spanned<OneOrMany>>,
    #[serde(default)]
    keywords: Vec<Spanned<String>>,
    #[serde(default)]
    channels: Vec<Spanned<String>>,
    #[serde(default)]
    when: Vec<Spanned<String>>,
    reporter: Option<Spanned<String>>,
    department: Option<Spanned<String>>,
    priority: Option<Spanned<String>>,
    sla: Option<Spanned<String>>,
    escalate: Option<Spanned<RawEscalate>>,
    notice: Option<String>,
    #[serde(default)]
    refer: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalate {
    to: Spanned<String>,
    after: Spanned<String>,
}

/// The services a rule names, by code and by group (none: all services).
#[derive(Clone)]
pub(super) struct Scope {
    services: Vec<String>,
    groups: Vec<String>,
}

impl Scope {
    fn services<'c>(&self, catalog: &'c Catalog) -> Vec<&'c crate::catalog::ServiceCategory> {
        catalog
            .services()
            .iter()
            .filter(|s| crate::route::concerns(&self.services, &self.groups, &s.code, s.group.as_deref()))
            .collect()
    }
}

/// A check that needs the services: kept with its place in the file.
pub(super) enum Pending {
    Group { line: u32, field: String, group: String },
    Attribute { line: u32, field: String, scope: Scope, code: String, values: Vec<String> },
    Calendar { line: u32, field: String, scope: Scope, department: Option<String>, why: &'static str },
    SlaCalendar { line: u32, field: String, code: String },
}

fn duration(ctx: &mut FileCtx<'_>, raw: &Spanned<String>, field: String) -> Option<SlaDuration> {
    match raw.get_ref().parse::<SlaDuration>() {
        Ok(d) => Some(d),
        Err(message) => {
            ctx.at(Some(&raw.span()), field, message);
            None
        }
    }
}

/// A name from a fixed list (a channel, a time condition, a priority, a
/// reporter), or a problem naming the list and the nearest name.
fn named<T>(
    ctx: &mut FileCtx<'_>,
    raw: &Spanned<String>,
    field: String,
    noun: &str,
    names: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let value = parse(raw.get_ref());
    if value.is_none() {
        let hint = did_you_mean(raw.get_ref(), names.iter().copied())
            .map(|s| format!("; did you mean '{s}'?"))
            .unwrap_or_default();
        ctx.at(
            Some(&raw.span()),
            field,
            format!("unknown {noun} '{}' (expected one of: {}){hint}", raw.get_ref(), names.join(", ")),
        );
    }
    value
}

/// Reads `[slas]`.
pub(super) fn read_slas(loader: &mut Loader, ctx: &mut FileCtx<'_>, doc: &DeTable<'_>, catalog: &mut Catalog) {
    let Some(table) = ctx.table::<BTreeMap<String, Spanned<String>>>(doc, "slas") else { return };
    let mut levels = ServiceLevels::default();
    for (code, raw) in table {
        let field = format!("slas.{code}");
        let Some(d) = duration(ctx, &raw, field.clone()) else { continue };
        if code == "default" {
            levels.default = Some(d);
            continue;
        }
        if code == "inquiry" {
            // Note: counted on the calendar of whichever department the
            // question goes to; without one, business days count as days.
            levels.inquiry = Some(d);
            continue;
        }
        loader.reference(ctx, &raw.span(), field.clone(), &code, Target::Service);
        if d.is_business() {
            loader.pending.push(Pending::SlaCalendar { line: ctx.line(&raw.span()), field, code: code.clone() });
        }
        levels.by_service.insert(code, d);
    }
    catalog.slas = levels;
}

/// Reads `[[rules]]`, in order.
pub(super) fn read_rules(loader: &mut Loader, ctx: &mut FileCtx<'_>, doc: &DeTable<'_>, catalog: &mut Catalog) {
    let mut broken = Vec::new();
    let items = ctx.array::<RawRule>(doc, "rules", "id", &mut broken);
    let mut seen = std::collections::HashMap::<String, u32>::new();
    let english = crate::analyzer::Analyzer::new(crate::analyzer::Language::English);
    for (i, span, raw) in items {
        let field = |f: &str| format!("rules[{i}].{f}");
        let before = ctx.problems.len();
        let id = raw.id.get_ref().clone();
        if let Some(why) = crate::catalog::source::id_problem(&id) {
            let quoted = crate::catalog::source::quote_id(&id);
            ctx.at(
                Some(&raw.id.span()),
                field("id"),
                format!("{quoted} is not a valid rule id: {why}; {}", super::ID_RULE),
            );
        } else if let Some(first) = seen.get(&id) {
            ctx.at(
                Some(&raw.id.span()),
                field("id"),
                format!("duplicate rule '{id}', first defined at line {first}; give each rule its own id"),
            );
        } else {
            seen.insert(id.clone(), ctx.line(&raw.id.span()));
        }
        if raw.description.trim().is_empty() {
            ctx.at(Some(&span), field("description"), "the description is empty; say why the rule exists, in words");
        }
        let scope = Scope {
            services: raw.services.iter().map(|s| s.get_ref().clone()).collect(),
            groups: raw.groups.iter().map(|s| s.get_ref().clone()).collect(),
        };
        for (j, s) in raw.services.iter().enumerate() {
            loader.reference(ctx, &s.span(), field(&format!("services[{j}]")), s.get_ref(), Target::Service);
        }
        for (j, g) in raw.groups.iter().enumerate() {
            loader.pending.push(Pending::Group {
                line: ctx.line(&g.span()),
                field: field(&format!("groups[{j}]")),
                group: g.get_ref().clone(),
            });
        }
        for (name, list) in [("inside", &raw.inside), ("outside", &raw.outside)] {
            for (j, b) in list.iter().enumerate() {
                loader.reference(ctx, &b.span(), field(&format!("{name}[{j}]")), b.get_ref(), Target::Boundary);
            }
        }
        let mut attributes = Vec::new();
        for (code, values) in &raw.attributes {
            let values = match values.get_ref() {
                OneOrMany::One(v) => vec![v.clone()],
                OneOrMany::Many(v) => v.clone(),
            };
            if values.is_empty() {
                ctx.at(
                    Some(&raw.attributes[code].span()),
                    field(&format!("attributes.{code}")),
                    "no accepted answers; list at least one value key",
                );
                continue;
            }
            loader.pending.push(Pending::Attribute {
                line: ctx.line(&raw.attributes[code].span()),
                field: field(&format!("attributes.{code}")),
                scope: scope.clone(),
                code: code.clone(),
                values: values.clone(),
            });
            attributes.push((code.clone(), values));
        }
        let mut keywords = Vec::new();
        for (j, k) in raw.keywords.iter().enumerate() {
            if english.stems(k.get_ref()).is_empty() {
                ctx.at(
                    Some(&k.span()),
                    field(&format!("keywords[{j}]")),
                    format!(
                        "'{}' has no words left after stop words are removed; use a more specific word",
                        k.get_ref()
                    ),
                );
            }
            keywords.push(k.get_ref().clone());
        }
        let channels: Vec<Channel> = (raw.channels.iter().enumerate())
            .filter_map(|(j, c)| {
                named(ctx, c, field(&format!("channels[{j}]")), "channel", Channel::NAMES, Channel::parse)
            })
            .collect();
        let when: Vec<TimeCondition> = (raw.when.iter().enumerate())
            .filter_map(|(j, w)| {
                let f = field(&format!("when[{j}]"));
                named(ctx, w, f, "time condition", TimeCondition::NAMES, TimeCondition::parse)
            })
            .collect();
        if !when.is_empty() {
            loader.pending.push(Pending::Calendar {
                line: ctx.line(&raw.when[0].span()),
                field: field("when"),
                scope: scope.clone(),
                department: None,
                why: "its time conditions are read on the calendar of each service's department",
            });
        }
        let reporter = (raw.reporter.as_ref())
            .and_then(|r| named(ctx, r, field("reporter"), "reporter", Reporter::NAMES, Reporter::parse));
        if let Some(d) = &raw.department {
            loader.reference(ctx, &d.span(), field("department"), d.get_ref(), Target::Department);
        }
        let priority = (raw.priority.as_ref())
            .and_then(|p| named(ctx, p, field("priority"), "priority", Priority::NAMES, Priority::parse));
        let sla = raw.sla.as_ref().and_then(|s| duration(ctx, s, field("sla")));
        let escalate = raw.escalate.as_ref().and_then(|e| {
            let e = e.get_ref();
            loader.reference(ctx, &e.to.span(), field("escalate.to"), e.to.get_ref(), Target::Department);
            let after = duration(ctx, &e.after, field("escalate.after"))?;
            Some(EscalationRule { to: e.to.get_ref().clone(), after })
        });
        if sla.is_some_and(SlaDuration::is_business) || escalate.as_ref().is_some_and(|e| e.after.is_business()) {
            loader.pending.push(Pending::Calendar {
                line: ctx.line(&span),
                field: field(if sla.is_some_and(SlaDuration::is_business) { "sla" } else { "escalate.after" }),
                scope: scope.clone(),
                department: raw.department.as_ref().map(|d| d.get_ref().clone()),
                why: "business time is counted on the delivering department's calendar",
            });
        }
        if raw.refer && (sla.is_some() || escalate.is_some()) {
            ctx.at(
                Some(&span),
                field("refer"),
                "a referral is not taken here, so it has no sla or escalation; remove one or the other",
            );
        }
        if ctx.problems.len() > before {
            continue;
        }
        catalog.rules.push(Rule {
            id,
            description: raw.description,
            services: raw.services.into_iter().map(Spanned::into_inner).collect(),
            groups: raw.groups.into_iter().map(Spanned::into_inner).collect(),
            inside: raw.inside.into_iter().map(Spanned::into_inner).collect(),
            outside: raw.outside.into_iter().map(Spanned::into_inner).collect(),
            attributes,
            keywords,
            channels,
            when,
            reporter,
            department: raw.department.map(Spanned::into_inner),
            priority,
            sla,
            escalate,
            notice: raw.notice,
            refer: raw.refer,
        });
    }
}

/// The checks that needed the services, groups and departments.
pub(super) fn check_pending(loader: &mut Loader, catalog: &Catalog) {
    let file = "routing.toml".to_string();
    let mut problem = |line: u32, field: &str, message: String| {
        loader.problems.push(Problem { file: file.clone(), line: Some(line), field: field.to_string(), message });
    };
    let groups: Vec<&str> = {
        let mut g: Vec<&str> = catalog.services().iter().filter_map(|s| s.group.as_deref()).collect();
        g.sort_unstable();
        g.dedup();
        g
    };
    for p in std::mem::take(&mut loader.pending) {
        match p {
            Pending::Group { line, field, group } => {
                if !groups.contains(&group.as_str()) {
                    let hint = did_you_mean(&group, groups.iter().copied())
                        .map(|s| format!("; did you mean '{s}'?"))
                        .unwrap_or_default();
                    problem(
                        line,
                        &field,
                        format!(
                            "no service is in group '{group}' (groups: {}){hint}",
                            super::known_list(groups.iter().copied())
                        ),
                    );
                }
            }
            Pending::Attribute { line, field, scope, code, values } => {
                let services = scope.services(catalog);
                let with: Vec<_> =
                    services.iter().filter_map(|s| s.attributes.iter().find(|a| a.code == code)).collect();
                if with.is_empty() && !services.is_empty() {
                    problem(
                        line,
                        &field,
                        format!(
                            "none of the rule's services has an attribute '{code}'; list the rule's services, or use one of their attribute codes"
                        ),
                    );
                    continue;
                }
                for a in with.iter().filter(|a| !a.values.is_empty()) {
                    for v in &values {
                        if !a.values.iter().any(|x| &x.key == v) {
                            problem(
                                line,
                                &field,
                                format!(
                                    "'{v}' is not a value key of attribute {code} (keys: {})",
                                    a.values.iter().map(|x| x.key.as_str()).collect::<Vec<_>>().join(", ")
                                ),
                            );
                        }
                    }
                }
            }
            Pending::Calendar { line, field, scope, department, why } => {
                let departments: Vec<&str> = match &department {
                    Some(d) => vec![d.as_str()],
                    None => scope.services(catalog).iter().map(|s| s.department.as_str()).collect(),
                };
                for d in departments {
                    if catalog.department(d).is_some_and(|d| d.calendar.is_none()) {
                        problem(
                            line,
                            &field,
                            format!("department '{d}' has no calendar, and {why}; give it one in catalog.toml"),
                        );
                        break;
                    }
                }
            }
            Pending::SlaCalendar { line, field, code } => {
                if let Some(s) = catalog.service(&code)
                    && catalog.department(&s.department).is_some_and(|d| d.calendar.is_none())
                {
                    problem(
                        line,
                        &field,
                        format!(
                            "business time is counted on the department's calendar, and department '{}' has none; give it one in catalog.toml or use clock time",
                            s.department
                        ),
                    );
                }
            }
        }
    }
}

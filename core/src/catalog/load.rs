//! Reading a catalog's files into the model, reporting every problem with
//! its file, line, field, bad value and what would be accepted.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use jiff::civil::{Date, Weekday};
use serde::Deserialize;
use toml::Spanned;

use super::Catalog;
use super::articles::{markdown_to_text, split_front_matter};
use super::boundaries::{Boundary, check_rings, check_validity};
use super::calendar::{Calendar, Holiday, HolidayRule};
use super::hours::{DAY_NAMES, HoursException, TimeRange, WeeklyHours, normalize_day};
use super::model::*;
use super::source::{
    CODE_RULE, FileCtx, ID_RULE, SourceFile, did_you_mean, id_problem, is_valid_code, known_list, quote_id,
};
use crate::error::{Error, Problem, Result};

mod rules;

// ---------------------------------------------------------------------------
// The raw shapes of the files. Fields that are checked against other parts
// of the catalog keep their spans, so that a problem found later still has
// its line.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCatalogSection {
    name: Option<String>,
    default_jurisdiction: Option<Spanned<String>>,
    languages: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJurisdiction {
    id: Spanned<String>,
    kind: Spanned<String>,
    name: String,
    time_zone: Spanned<String>,
    phone: Option<String>,
    email: Option<String>,
    url: Option<Spanned<String>>,
    boundary: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartment {
    id: Spanned<String>,
    jurisdiction: Spanned<String>,
    name: String,
    description: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    url: Option<Spanned<String>>,
    calendar: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    code: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    description: String,
    group: Option<String>,
    department: Spanned<String>,
    #[serde(rename = "type")]
    service_type: Option<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    phrasings: Vec<String>,
    #[serde(default)]
    staff_only: bool,
    #[serde(default)]
    articles: Vec<Spanned<String>>,
    #[serde(default)]
    attributes: Vec<Spanned<RawAttribute>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttribute {
    code: Spanned<String>,
    description: String,
    datatype: Spanned<String>,
    #[serde(default)]
    required: bool,
    variable: Option<bool>,
    order: Option<Spanned<i64>>,
    datatype_description: Option<String>,
    values: Option<Spanned<Vec<RawValue>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValue {
    key: Spanned<String>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynonyms {
    terms: Spanned<Vec<String>>,
    #[serde(default)]
    implies: Vec<String>,
    lang: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWeek {
    mon: Option<Vec<Spanned<String>>>,
    tue: Option<Vec<Spanned<String>>>,
    wed: Option<Vec<Spanned<String>>>,
    thu: Option<Vec<Spanned<String>>>,
    fri: Option<Vec<Spanned<String>>>,
    sat: Option<Vec<Spanned<String>>>,
    sun: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocation {
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    date: Spanned<toml::Value>,
    hours: Option<Vec<Spanned<String>>>,
    closed: Option<bool>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacility {
    id: Spanned<String>,
    name: String,
    kind: String,
    department: Option<Spanned<String>>,
    address: Option<String>,
    location: Option<Spanned<RawLocation>>,
    phone: Option<String>,
    url: Option<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<String>,
    description: Option<String>,
    holidays: Option<Spanned<String>>,
    hours: Option<RawWeek>,
    #[serde(default)]
    exceptions: Vec<Spanned<RawException>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    id: Spanned<String>,
    time_zone: Spanned<String>,
    hours: Option<RawWeek>,
    #[serde(default)]
    holidays: Vec<Spanned<RawHoliday>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    month: Option<i64>,
    day: Option<i64>,
    #[serde(default)]
    observed: bool,
    weekday: Option<Spanned<String>>,
    nth: Option<i64>,
    date: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArticle {
    id: Spanned<String>,
    title: Spanned<String>,
    lang: Option<Spanned<String>>,
    #[serde(default)]
    services: Vec<Spanned<String>>,
    department: Option<Spanned<String>>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
    url: Option<Spanned<String>>,
    translation_of: Option<Spanned<String>>,
}

// ---------------------------------------------------------------------------

/// A reference to check once everything is read: file, line, field, the id
/// referred to, and which list it must be in.
struct Reference {
    file: String,
    line: Option<u32>,
    field: String,
    id: String,
    target: Target,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Jurisdiction,
    Department,
    Service,
    Article,
    Calendar,
    Boundary,
    Language,
    Facility,
}

impl Target {
    fn noun(self) -> &'static str {
        match self {
            Target::Jurisdiction => "jurisdiction",
            Target::Department => "department",
            Target::Service => "service code",
            Target::Article => "article",
            Target::Calendar => "calendar",
            Target::Boundary => "boundary",
            Target::Language => "language",
            Target::Facility => "facility",
        }
    }

    fn defined_in(self) -> &'static str {
        match self {
            Target::Jurisdiction => "[[jurisdictions]] in catalog.toml",
            Target::Department => "[[departments]] in catalog.toml",
            Target::Service => "[[services]] in catalog.toml",
            Target::Article => "articles/",
            Target::Calendar => "[[calendars]] in routing.toml",
            Target::Boundary => "the features' properties.id in boundaries.geojson",
            Target::Language => "[catalog].languages in catalog.toml",
            Target::Facility => "[[facilities]] in facilities.toml",
        }
    }
}

struct Loader {
    problems: Vec<Problem>,
    /// Checks of routing rules that need the services read first.
    pending: Vec<rules::Pending>,
    references: Vec<Reference>,
    /// Where each id was first defined, per kind, for duplicate reports.
    defined: HashMap<(u8, String), (String, Option<u32>)>,
    /// Kinds whose defining file could not be read at all: references to
    /// them are not checked, since the file's own problem says it all.
    unreadable: HashSet<u8>,
}

impl Loader {
    /// Records ids of elements that could not be read, as declared.
    fn declare_broken(&mut self, kind: Target, file: &str, ids: Vec<String>) {
        for id in ids {
            self.defined.entry((kind as u8, id)).or_insert_with(|| (file.to_string(), None));
        }
    }

    /// The ids declared for a kind, whether or not their element was valid.
    fn declared(&self, kind: Target) -> Vec<&str> {
        self.defined.keys().filter(|(k, _)| *k == kind as u8).map(|(_, id)| id.as_str()).collect()
    }

    fn reference(&mut self, ctx: &FileCtx<'_>, span: &Range<usize>, field: String, id: &str, target: Target) {
        self.references.push(Reference {
            file: ctx.file.to_string(),
            line: Some(ctx.line(span)),
            field,
            id: id.to_string(),
            target,
        });
    }

    /// Records the definition of an id, reporting a duplicate or a badly formed one.
    fn define(
        &mut self,
        kind: Target,
        ctx: &mut FileCtx<'_>,
        id: &Spanned<String>,
        field: String,
        code_rule: bool,
    ) -> bool {
        let problem = if code_rule {
            (!is_valid_code(id.get_ref())).then(|| CODE_RULE.to_string())
        } else {
            id_problem(id.get_ref()).map(|why| format!("{why}; {ID_RULE}"))
        };
        if let Some(problem) = problem {
            let what = if code_rule { kind.noun().to_string() } else { format!("{} id", kind.noun()) };
            ctx.at(Some(&id.span()), field, format!("{} is not a valid {what}: {problem}", quote_id(id.get_ref())));
            return false;
        }
        let line = ctx.line(&id.span());
        let key = (kind as u8, id.get_ref().clone());
        if let Some((file, first_line)) = self.defined.get(&key) {
            let at = match first_line {
                Some(l) => format!("{file}:{l}"),
                None => file.clone(),
            };
            ctx.at(
                Some(&id.span()),
                field,
                format!(
                    "duplicate {} '{}', first defined at {at}; give each one its own id",
                    kind.noun(),
                    id.get_ref()
                ),
            );
            return false;
        }
        self.defined.insert(key, (ctx.file.to_string(), Some(line)));
        true
    }
}

/// Loads a catalog from its files.
pub(crate) fn load(files: Vec<SourceFile>) -> Result<Catalog> {
    let mut loader = Loader {
        problems: Vec::new(),
        pending: Vec::new(),
        references: Vec::new(),
        defined: HashMap::new(),
        unreadable: HashSet::new(),
    };
    let mut catalog = Catalog::empty();

    let find = |name: &str| files.iter().find(|f| f.path == name);
    let articles: Vec<&SourceFile> = {
        let mut a: Vec<&SourceFile> =
            files.iter().filter(|f| f.path.starts_with("articles/") && f.path.ends_with(".md")).collect();
        a.sort_by(|x, y| x.path.cmp(&y.path));
        a
    };

    // routing.toml first: facilities and departments refer to its calendars.
    if let Some(f) = find("routing.toml") {
        read_routing(&mut loader, &mut catalog, f);
    }
    if let Some(f) = find("catalog.toml") {
        read_catalog(&mut loader, &mut catalog, f);
    }
    if let Some(f) = find("boundaries.geojson") {
        read_boundaries(&mut loader, &mut catalog, f);
    }
    if let Some(f) = find("facilities.toml") {
        read_facilities(&mut loader, &mut catalog, f);
    }
    if let Some(f) = find("triage.toml") {
        let mut problems = Vec::new();
        let mut ctx = FileCtx::new(&f.path, &f.text, 0, &mut problems);
        catalog.triage = crate::classify::cues::read_local(&mut ctx, &f.text);
        loader.problems.append(&mut problems);
    }
    if articles.is_empty() {
        loader.problems.push(Problem {
            file: "articles/".into(),
            line: None,
            field: String::new(),
            message: "the catalog has no articles; add at least one Markdown file under articles/ (a folder with only articles is a valid catalog)".into(),
        });
    }
    for f in articles {
        read_article(&mut loader, &mut catalog, f);
    }

    catalog.reindex();
    check_references(&mut loader, &catalog);
    rules::check_pending(&mut loader, &catalog);
    link_articles_to_services(&mut catalog);
    resolve_facility_time_zones(&mut loader, &mut catalog);

    if !loader.problems.is_empty() {
        // Note: problems are sorted by file and line so that the report reads
        // like a compiler's, whatever order the checks ran in.
        loader.problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(Error::catalog(loader.problems));
    }
    catalog.sources = files;
    catalog.sources.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(catalog)
}

fn read_catalog(loader: &mut Loader, catalog: &mut Catalog, file: &SourceFile) {
    let mut problems = Vec::new();
    let mut ctx = FileCtx::new(&file.path, &file.text, 0, &mut problems);
    let Some(doc) = ctx.parse_toml(&file.text) else {
        loader.problems.append(&mut problems);
        loader.unreadable.insert(Target::Jurisdiction as u8);
        loader.unreadable.insert(Target::Department as u8);
        loader.unreadable.insert(Target::Service as u8);
        loader.unreadable.insert(Target::Language as u8);
        return;
    };
    ctx.check_keys(&doc, &["catalog", "jurisdictions", "departments", "services", "synonyms"]);

    let section: RawCatalogSection = ctx.table(&doc, "catalog").unwrap_or_default();
    if let Some(name) = section.name {
        catalog.name = name;
    }
    if let Some(langs) = section.languages {
        catalog.languages.clear();
        for (i, lang) in langs.iter().enumerate() {
            if !is_language_tag(lang.get_ref()) {
                ctx.at(
                    Some(&lang.span()),
                    format!("catalog.languages[{i}]"),
                    format!(
                        "'{}' is not a language code; use a two-letter ISO 639-1 code such as \"en\" or \"es\"",
                        lang.get_ref()
                    ),
                );
            } else {
                catalog.languages.push(lang.get_ref().clone());
            }
        }
        if catalog.languages.is_empty() {
            catalog.languages.push("en".into());
        }
    }
    if let Some(dj) = &section.default_jurisdiction {
        loader.reference(&ctx, &dj.span(), "catalog.default_jurisdiction".into(), dj.get_ref(), Target::Jurisdiction);
        catalog.default_jurisdiction = Some(dj.get_ref().clone());
    }

    let mut broken = Vec::new();
    let items = ctx.array::<RawJurisdiction>(&doc, "jurisdictions", "id", &mut broken);
    loader.declare_broken(Target::Jurisdiction, &file.path, broken);
    for (i, _, raw) in items {
        let field = |f: &str| format!("jurisdictions[{i}].{f}");
        let mut ok = loader.define(Target::Jurisdiction, &mut ctx, &raw.id, field("id"), false);
        let kind = JurisdictionKind::parse(raw.kind.get_ref());
        if kind.is_none() {
            ctx.at(
                Some(&raw.kind.span()),
                field("kind"),
                format!("unknown kind '{}'; use one of: {}", raw.kind.get_ref(), JurisdictionKind::NAMES.join(", ")),
            );
            ok = false;
        }
        ok &= check_time_zone(&mut ctx, &raw.time_zone, field("time_zone"));
        ok &= check_url(&mut ctx, &raw.url, field("url"));
        if let Some(b) = &raw.boundary {
            loader.reference(&ctx, &b.span(), field("boundary"), b.get_ref(), Target::Boundary);
        }
        if ok {
            catalog.jurisdictions.push(Jurisdiction {
                id: raw.id.into_inner(),
                kind: kind.unwrap_or(JurisdictionKind::Other),
                name: raw.name,
                time_zone: raw.time_zone.into_inner(),
                phone: raw.phone,
                email: raw.email,
                url: raw.url.map(Spanned::into_inner),
                boundary: raw.boundary.map(Spanned::into_inner),
            });
        }
    }

    let mut broken = Vec::new();
    let items = ctx.array::<RawDepartment>(&doc, "departments", "id", &mut broken);
    loader.declare_broken(Target::Department, &file.path, broken);
    for (i, _, raw) in items {
        let field = |f: &str| format!("departments[{i}].{f}");
        let mut ok = loader.define(Target::Department, &mut ctx, &raw.id, field("id"), false);
        loader.reference(
            &ctx,
            &raw.jurisdiction.span(),
            field("jurisdiction"),
            raw.jurisdiction.get_ref(),
            Target::Jurisdiction,
        );
        if let Some(c) = &raw.calendar {
            loader.reference(&ctx, &c.span(), field("calendar"), c.get_ref(), Target::Calendar);
        }
        ok &= check_url(&mut ctx, &raw.url, field("url"));
        if ok {
            catalog.departments.push(Department {
                id: raw.id.into_inner(),
                jurisdiction: raw.jurisdiction.into_inner(),
                name: raw.name,
                description: raw.description,
                phone: raw.phone,
                email: raw.email,
                url: raw.url.map(Spanned::into_inner),
                calendar: raw.calendar.map(Spanned::into_inner),
            });
        }
    }

    let mut broken = Vec::new();
    let items = ctx.array::<RawService>(&doc, "services", "code", &mut broken);
    loader.declare_broken(Target::Service, &file.path, broken);
    for (i, _, raw) in items {
        if let Some(service) = read_service(loader, &mut ctx, i, raw) {
            catalog.services.push(service);
        }
    }

    for (i, span, raw) in ctx.array::<RawSynonyms>(&doc, "synonyms", "terms", &mut Vec::new()) {
        let field = format!("synonyms[{i}]");
        let lang = match &raw.lang {
            Some(l) => {
                loader.reference(&ctx, &l.span(), format!("{field}.lang"), l.get_ref(), Target::Language);
                l.get_ref().clone()
            }
            None => "en".to_string(),
        };
        let terms: Vec<String> =
            raw.terms.get_ref().iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
        let implies: Vec<String> = raw.implies.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
        let needed = if raw.implies.is_empty() { 2 } else { 1 };
        if terms.len() < needed {
            ctx.at(Some(&raw.terms.span()), format!("{field}.terms"), format!(
                "a synonym group needs at least {needed} non-empty term{}; list the words residents use interchangeably",
                if needed == 1 { "" } else { "s" }
            ));
            continue;
        }
        if raw.implies.len() != implies.len() {
            ctx.at(
                Some(&span),
                format!("{field}.implies"),
                "'implies' has an empty term; remove it or write the word it stands for",
            );
            continue;
        }
        catalog.synonyms.push(SynonymGroup { lang, terms, implies });
    }
    loader.problems.append(&mut problems);
}

fn read_service(loader: &mut Loader, ctx: &mut FileCtx<'_>, i: usize, raw: RawService) -> Option<ServiceCategory> {
    let field = |f: &str| format!("services[{i}].{f}");
    let mut ok = loader.define(Target::Service, ctx, &raw.code, field("code"), true);
    if raw.name.get_ref().trim().is_empty() {
        ctx.at(
            Some(&raw.name.span()),
            field("name"),
            "the service name is empty; give the name residents know it by, such as \"Pothole\"",
        );
        ok = false;
    }
    loader.reference(ctx, &raw.department.span(), field("department"), raw.department.get_ref(), Target::Department);
    for (j, a) in raw.articles.iter().enumerate() {
        loader.reference(ctx, &a.span(), field(&format!("articles[{j}]")), a.get_ref(), Target::Article);
    }
    let service_type = match &raw.service_type {
        None => ServiceType::Realtime,
        Some(t) => match ServiceType::parse(t.get_ref()) {
            Some(t) => t,
            None => {
                ctx.at(
                    Some(&t.span()),
                    field("type"),
                    format!("unknown type '{}'; use one of: {}", t.get_ref(), ServiceType::NAMES.join(", ")),
                );
                ok = false;
                ServiceType::Realtime
            }
        },
    };
    let mut attributes = Vec::new();
    let mut codes = HashSet::new();
    let mut orders: HashMap<u32, String> = HashMap::new();
    for (j, raw_attr) in raw.attributes.into_iter().enumerate() {
        let span = raw_attr.span();
        let a = raw_attr.into_inner();
        let afield = |f: &str| format!("services[{i}].attributes[{j}].{f}");
        let code = a.code.get_ref().clone();
        if !is_valid_code(&code) {
            ctx.at(
                Some(&a.code.span()),
                afield("code"),
                format!("'{code}' is not a valid attribute code: {CODE_RULE}"),
            );
            ok = false;
            continue;
        }
        if !codes.insert(code.clone()) {
            ctx.at(
                Some(&a.code.span()),
                afield("code"),
                format!(
                    "duplicate attribute code '{code}' in service '{}'; give each attribute its own code",
                    raw.code.get_ref()
                ),
            );
            ok = false;
            continue;
        }
        let Some(datatype) = Datatype::parse(a.datatype.get_ref()) else {
            ctx.at(
                Some(&a.datatype.span()),
                afield("datatype"),
                format!("unknown datatype '{}'; use one of: {}", a.datatype.get_ref(), Datatype::NAMES.join(", ")),
            );
            ok = false;
            continue;
        };
        let order = match &a.order {
            None => j as u32 + 1,
            Some(o) if (0..=i64::from(u32::MAX)).contains(o.get_ref()) => *o.get_ref() as u32,
            Some(o) => {
                ctx.at(
                    Some(&o.span()),
                    afield("order"),
                    format!("order {} is out of range; use a whole number from 0 up", o.get_ref()),
                );
                ok = false;
                continue;
            }
        };
        if let Some(other) = orders.insert(order, code.clone()) {
            ctx.at(
                a.order.as_ref().map(|o| o.span()).as_ref().or(Some(&span)),
                afield("order"),
                format!("attributes '{other}' and '{code}' both have order {order}; give each its own position"),
            );
            ok = false;
        }
        let variable = a.variable.unwrap_or(true);
        if a.required && !variable {
            ctx.at(Some(&span), afield("required"), format!("attribute '{code}' is required but not variable, so no answer could be given; set variable = true or required = false"));
            ok = false;
        }
        let mut values = Vec::new();
        match (&a.values, datatype.is_list()) {
            (None, true) => {
                ctx.at(Some(&span), afield("values"), format!("attribute '{code}' is a {} but has no values; add values = [{{ key = \"...\", name = \"...\" }}, ...]", datatype.as_str()));
                ok = false;
            }
            (Some(v), true) if v.get_ref().is_empty() => {
                ctx.at(
                    Some(&v.span()),
                    afield("values"),
                    format!(
                        "attribute '{code}' is a {} with an empty list of values; add at least one",
                        datatype.as_str()
                    ),
                );
                ok = false;
            }
            (Some(v), false) => {
                ctx.at(Some(&v.span()), afield("values"), format!("attribute '{code}' is a {}, which takes no list of values; remove values or use singlevaluelist or multivaluelist", datatype.as_str()));
                ok = false;
            }
            (Some(v), true) => {
                let mut keys = HashSet::new();
                for (k, value) in v.get_ref().iter().enumerate() {
                    let key = value.key.get_ref();
                    if key.trim().is_empty() || !keys.insert(key.clone()) {
                        let why = if key.trim().is_empty() {
                            "an empty key".to_string()
                        } else {
                            format!("the duplicate key '{key}'")
                        };
                        ctx.at(
                            Some(&value.key.span()),
                            afield(&format!("values[{k}].key")),
                            format!("attribute '{code}' has {why}; every value needs its own non-empty key"),
                        );
                        ok = false;
                    }
                    values.push(AttributeValue { key: key.clone(), name: value.name.clone() });
                }
            }
            (None, false) => {}
        }
        attributes.push(Attribute {
            code,
            description: a.description,
            datatype,
            required: a.required,
            variable,
            order,
            datatype_description: a.datatype_description,
            values,
        });
    }
    attributes.sort_by_key(|a| a.order);
    ok.then(|| ServiceCategory {
        code: raw.code.into_inner(),
        name: raw.name.into_inner(),
        description: raw.description,
        group: raw.group,
        department: raw.department.into_inner(),
        service_type,
        keywords: raw.keywords,
        phrasings: raw.phrasings,
        staff_only: raw.staff_only,
        attributes,
        articles: raw.articles.into_iter().map(Spanned::into_inner).collect(),
    })
}

fn check_time_zone(ctx: &mut FileCtx<'_>, tz: &Spanned<String>, field: String) -> bool {
    if crate::zones::is_known(tz.get_ref()) {
        return true;
    }
    let hint = did_you_mean(tz.get_ref(), crate::zones::names())
        .map(|s| format!("did you mean '{s}'?"))
        .unwrap_or_else(|| "use an IANA name such as 'America/Chicago' or 'Europe/Madrid'".to_string());
    ctx.at(Some(&tz.span()), field, format!("unknown time zone '{}'; {hint}", tz.get_ref()));
    false
}

/// A link residents will follow: an http(s) address, or a path on the
/// city's own site. Anything else (`javascript:`, `data:`, a bare word) would
/// be a broken or a dangerous link in every page that shows the answer.
fn check_url(ctx: &mut FileCtx<'_>, url: &Option<Spanned<String>>, field: String) -> bool {
    let Some(u) = url else { return true };
    match url_problem(u.get_ref()) {
        None => true,
        Some(message) => {
            ctx.at(Some(&u.span()), field, message);
            false
        }
    }
}

/// What is wrong with a link, if anything (see `check_url`).
pub(crate) fn url_problem(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let path = s.starts_with('/') && !s.starts_with("//");
    if (web || path) && !s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some(format!(
        "url '{}' is not a web address; write one starting with https:// (or a path on your site starting with /)",
        crate::text::clip(s, 60)
    ))
}

pub(crate) fn is_language_tag(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}

/// Reads a week of hours; problems go to the context.
fn read_week(ctx: &mut FileCtx<'_>, week: Option<RawWeek>, field: &str) -> Option<WeeklyHours> {
    let week = week.unwrap_or_default();
    let raw_days = [week.mon, week.tue, week.wed, week.thu, week.fri, week.sat, week.sun];
    let mut ok = true;
    let mut days: [Vec<TimeRange>; 7] = Default::default();
    for (d, raw) in raw_days.into_iter().enumerate() {
        let dfield = format!("{field}.{}", DAY_NAMES[d]);
        if let Some(ranges) = read_ranges(ctx, raw.unwrap_or_default(), &dfield) {
            days[d] = ranges;
        } else {
            ok = false;
        }
    }
    ok.then(|| WeeklyHours::new(days))
}

fn read_ranges(ctx: &mut FileCtx<'_>, raw: Vec<Spanned<String>>, field: &str) -> Option<Vec<TimeRange>> {
    let mut ranges = Vec::new();
    let mut ok = true;
    let first_span = raw.first().map(|r| r.span());
    for r in raw {
        match TimeRange::parse(r.get_ref()) {
            Ok(t) => ranges.push(t),
            Err(msg) => {
                ctx.at(Some(&r.span()), field, msg);
                ok = false;
            }
        }
    }
    if let Err(msg) = normalize_day(&mut ranges) {
        ctx.at(first_span.as_ref(), field, msg);
        ok = false;
    }
    ok.then_some(ranges)
}

fn read_date(ctx: &mut FileCtx<'_>, value: &Spanned<toml::Value>, field: String) -> Option<Date> {
    let text = match value.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    };
    match text.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            ctx.at(
                Some(&value.span()),
                field,
                format!("'{text}' is not a date; write \"YYYY-MM-DD\", such as \"2026-12-24\""),
            );
            None
        }
    }
}

fn read_routing(loader: &mut Loader, catalog: &mut Catalog, file: &SourceFile) {
    let mut problems = Vec::new();
    let mut ctx = FileCtx::new(&file.path, &file.text, 0, &mut problems);
    let Some(doc) = ctx.parse_toml(&file.text) else {
        loader.problems.append(&mut problems);
        loader.unreadable.insert(Target::Calendar as u8);
        return;
    };
    ctx.check_keys(&doc, &["calendars", "slas", "rules"]);
    let mut broken = Vec::new();
    let items = ctx.array::<RawCalendar>(&doc, "calendars", "id", &mut broken);
    loader.declare_broken(Target::Calendar, &file.path, broken);
    for (i, _, raw) in items {
        let field = |f: &str| format!("calendars[{i}].{f}");
        let mut ok = loader.define(Target::Calendar, &mut ctx, &raw.id, field("id"), false);
        ok &= check_time_zone(&mut ctx, &raw.time_zone, field("time_zone"));
        let hours = read_week(&mut ctx, raw.hours, &field("hours"));
        let mut holidays = Vec::new();
        for (j, h) in raw.holidays.into_iter().enumerate() {
            let span = h.span();
            let h = h.into_inner();
            let hfield = format!("calendars[{i}].holidays[{j}]");
            match read_holiday_rule(&mut ctx, &h, &span, &hfield) {
                Some(rule) => holidays.push(Holiday { name: h.name, rule }),
                None => ok = false,
            }
        }
        if let (true, Some(hours)) = (ok, hours) {
            catalog.calendars.push(Calendar {
                id: raw.id.into_inner(),
                time_zone: raw.time_zone.into_inner(),
                hours,
                holidays,
            });
        }
    }
    rules::read_slas(loader, &mut ctx, &doc, catalog);
    rules::read_rules(loader, &mut ctx, &doc, catalog);
    loader.problems.append(&mut problems);
}

fn read_holiday_rule(ctx: &mut FileCtx<'_>, h: &RawHoliday, span: &Range<usize>, field: &str) -> Option<HolidayRule> {
    const FORMS: &str = "give either date = \"YYYY-MM-DD\", or month and day (with observed = true to move it off weekends), or month, weekday and nth (1 to 5, or -1 for the last)";
    if let Some(date) = &h.date {
        if h.month.is_some() || h.day.is_some() || h.weekday.is_some() || h.nth.is_some() {
            ctx.at(Some(span), field, format!("holiday '{}' has a date and a rule; {FORMS}", h.name));
            return None;
        }
        return read_date(ctx, date, format!("{field}.date")).map(|date| HolidayRule::Date { date });
    }
    let Some(month) = h.month.filter(|m| (1..=12).contains(m)) else {
        let what = h.month.map(|m| format!("month {m} is not 1 to 12")).unwrap_or_else(|| "no date or month".into());
        ctx.at(Some(span), format!("{field}.month"), format!("holiday '{}' has {what}; {FORMS}", h.name));
        return None;
    };
    match (h.day, &h.weekday, h.nth) {
        (Some(day), None, None) => {
            if Date::new(2024, month as i8, day.clamp(0, 99) as i8).is_err() {
                ctx.at(
                    Some(span),
                    format!("{field}.day"),
                    format!("holiday '{}': day {day} does not exist in month {month}", h.name),
                );
                return None;
            }
            Some(HolidayRule::Fixed { month: month as i8, day: day as i8, observed: h.observed })
        }
        (None, Some(weekday), Some(nth)) => {
            let Some(wd) = parse_weekday(weekday.get_ref()) else {
                ctx.at(
                    Some(&weekday.span()),
                    format!("{field}.weekday"),
                    format!("'{}' is not a weekday; use one of: {}", weekday.get_ref(), DAY_NAMES.join(", ")),
                );
                return None;
            };
            if !(1..=5).contains(&nth) && nth != -1 {
                ctx.at(
                    Some(span),
                    format!("{field}.nth"),
                    format!("holiday '{}': nth = {nth}; use 1 to 5, or -1 for the last", h.name),
                );
                return None;
            }
            Some(HolidayRule::NthWeekday { month: month as i8, weekday: wd, nth: nth as i8 })
        }
        _ => {
            ctx.at(Some(span), field, format!("holiday '{}' mixes or misses rule fields; {FORMS}", h.name));
            None
        }
    }
}

pub(crate) fn parse_weekday(s: &str) -> Option<Weekday> {
    let days = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    DAY_NAMES.iter().position(|d| *d == s.to_ascii_lowercase()).map(|i| days[i])
}

fn read_facilities(loader: &mut Loader, catalog: &mut Catalog, file: &SourceFile) {
    let mut problems = Vec::new();
    let mut ctx = FileCtx::new(&file.path, &file.text, 0, &mut problems);
    let Some(doc) = ctx.parse_toml(&file.text) else {
        loader.problems.append(&mut problems);
        loader.unreadable.insert(Target::Facility as u8);
        return;
    };
    ctx.check_keys(&doc, &["facilities"]);
    let mut broken = Vec::new();
    let items = ctx.array::<RawFacility>(&doc, "facilities", "id", &mut broken);
    loader.declare_broken(Target::Facility, &file.path, broken);
    for (i, _, raw) in items {
        let field = |f: &str| format!("facilities[{i}].{f}");
        let mut ok = loader.define(Target::Facility, &mut ctx, &raw.id, field("id"), false);
        ok &= check_url(&mut ctx, &raw.url, field("url"));
        if let Some(d) = &raw.department {
            loader.reference(&ctx, &d.span(), field("department"), d.get_ref(), Target::Department);
        }
        if let Some(c) = &raw.holidays {
            loader.reference(&ctx, &c.span(), field("holidays"), c.get_ref(), Target::Calendar);
        }
        let location = match raw.location {
            Some(loc) => {
                let (span, loc) = (loc.span(), loc.into_inner());
                if !(-90.0..=90.0).contains(&loc.lat) || !(-180.0..=180.0).contains(&loc.lon) {
                    ctx.at(
                        Some(&span),
                        field("location"),
                        format!(
                            "lat {} / lon {} is off the globe; latitude is -90..90 and longitude -180..180",
                            loc.lat, loc.lon
                        ),
                    );
                    ok = false;
                }
                Some(Location { lat: loc.lat, lon: loc.lon })
            }
            None => None,
        };
        let hours = read_week(&mut ctx, raw.hours, &field("hours"));
        ok &= hours.is_some();
        let mut exceptions = Vec::new();
        for (j, e) in raw.exceptions.into_iter().enumerate() {
            let span = e.span();
            let e = e.into_inner();
            let efield = format!("facilities[{i}].exceptions[{j}]");
            let date = read_date(&mut ctx, &e.date, format!("{efield}.date"));
            let hours = match (e.closed, e.hours) {
                (Some(true), None) => Some(Vec::new()),
                (None | Some(false), Some(h)) => read_ranges(&mut ctx, h, &format!("{efield}.hours")),
                _ => {
                    ctx.at(Some(&span), efield, "an exception needs either closed = true or hours = [\"HH:MM-HH:MM\", ...], not both and not neither");
                    None
                }
            };
            match (date, hours) {
                (Some(date), Some(hours)) => exceptions.push(HoursException { date, hours, note: e.note }),
                _ => ok = false,
            }
        }
        if ok {
            exceptions.sort_by_key(|e| e.date);
            for pair in exceptions.windows(2) {
                if pair[0].date == pair[1].date {
                    ctx.at(
                        None,
                        field("exceptions"),
                        format!("two exceptions for {}; keep one per date", pair[0].date),
                    );
                    ok = false;
                }
            }
        }
        if let (true, Some(hours)) = (ok, hours) {
            catalog.facilities.push(Facility {
                id: raw.id.into_inner(),
                name: raw.name,
                kind: raw.kind,
                department: raw.department.map(Spanned::into_inner),
                address: raw.address,
                location,
                phone: raw.phone,
                url: raw.url.map(Spanned::into_inner),
                keywords: raw.keywords,
                description: raw.description,
                hours,
                exceptions,
                holidays: raw.holidays.map(Spanned::into_inner),
                time_zone: String::new(),
            });
        }
    }
    loader.problems.append(&mut problems);
}

fn read_boundaries(loader: &mut Loader, catalog: &mut Catalog, file: &SourceFile) {
    let mut problems = Vec::new();
    let mut ctx = FileCtx::new(&file.path, &file.text, 0, &mut problems);
    let geojson = match file.text.parse::<geojson::GeoJson>() {
        Ok(g) => g,
        Err(err) => {
            let line = match &err {
                geojson::Error::MalformedGeoJson(e) => Some(e.line() as u32),
                _ => None,
            };
            ctx.problems.push(Problem {
                file: file.path.clone(),
                line,
                field: String::new(),
                message: format!("not valid GeoJSON: {err}; the file must be a FeatureCollection"),
            });
            loader.unreadable.insert(Target::Boundary as u8);
            loader.problems.append(&mut problems);
            return;
        }
    };
    let geojson::GeoJson::FeatureCollection(collection) = geojson else {
        ctx.at(None, "type", "the file must be a GeoJSON FeatureCollection of Polygon and MultiPolygon features");
        loader.problems.append(&mut problems);
        return;
    };
    for (i, feature) in collection.features.into_iter().enumerate() {
        let field = |f: &str| format!("features[{i}].{f}");
        let props = feature.properties.unwrap_or_default();
        let prop = |k: &str| props.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let Some(id) = prop("id") else {
            ctx.at(
                None,
                field("properties.id"),
                "the feature has no string properties.id; give it the boundary id that jurisdictions and rules name",
            );
            continue;
        };
        // Note: GeoJSON carries no spans, so the line is that of the first
        // place the id is written, which is the feature's own property.
        let span = file.text.find(&format!("\"{id}\"")).map(|p| p..p + 1);
        let spanned_id = Spanned::new(span.clone().unwrap_or(0..0), id.clone());
        if !loader.define(Target::Boundary, &mut ctx, &spanned_id, field("properties.id"), false) {
            continue;
        }
        let name = prop("name").unwrap_or_else(|| id.clone());
        let Some(kind) = prop("kind") else {
            ctx.at(span.as_ref(), field("properties.kind"), format!("boundary '{id}' has no properties.kind; use city_limits, council_district, county, utility_area, state_route, or another word"));
            continue;
        };
        let jurisdiction = prop("jurisdiction");
        if let Some(j) = &jurisdiction {
            loader.reference(
                &ctx,
                span.as_ref().unwrap_or(&(0..0)),
                field("properties.jurisdiction"),
                j,
                Target::Jurisdiction,
            );
        }
        let polygons: Vec<Vec<Vec<geojson::Position>>> = match feature.geometry.map(|g| g.value) {
            Some(geojson::GeometryValue::Polygon { coordinates }) => vec![coordinates],
            Some(geojson::GeometryValue::MultiPolygon { coordinates }) => coordinates,
            other => {
                let what = other.map(|g| g.type_name()).unwrap_or("no geometry");
                ctx.at(
                    span.as_ref(),
                    field("geometry"),
                    format!("boundary '{id}' is a {what}; a boundary must be a Polygon or MultiPolygon"),
                );
                continue;
            }
        };
        if let Err(msg) = check_rings(&polygons, |p| p.as_slice()) {
            ctx.at(span.as_ref(), field("geometry"), format!("boundary '{id}': {msg}"));
            continue;
        }
        let value = geojson::GeometryValue::MultiPolygon { coordinates: polygons };
        let area: geo::MultiPolygon<f64> = match geo::MultiPolygon::try_from(&value) {
            Ok(a) => a,
            Err(e) => {
                ctx.at(span.as_ref(), field("geometry"), format!("boundary '{id}': {e}"));
                continue;
            }
        };
        if let Err(msg) = check_validity(&area) {
            ctx.at(span.as_ref(), field("geometry"), format!("boundary '{id}': {msg}"));
            continue;
        }
        catalog.boundaries.push(Boundary::new(id, name, kind, jurisdiction, area));
    }
    loader.problems.append(&mut problems);
}

fn read_article(loader: &mut Loader, catalog: &mut Catalog, file: &SourceFile) {
    let mut problems = Vec::new();
    let split = match split_front_matter(&file.text) {
        Ok(s) => s,
        Err(msg) => {
            loader.problems.push(Problem {
                file: file.path.clone(),
                line: Some(1),
                field: String::new(),
                message: msg,
            });
            return;
        }
    };
    let mut ctx = FileCtx::new(&file.path, split.front_matter, split.front_matter_line_offset, &mut problems);
    let raw: RawArticle = match toml::from_str(split.front_matter) {
        Ok(r) => r,
        Err(err) => {
            ctx.toml_error("", &err);
            loader.problems.append(&mut problems);
            let id = split
                .front_matter
                .parse::<toml::Table>()
                .ok()
                .and_then(|t| t.get("id").and_then(|v| v.as_str().map(str::to_string)));
            loader.declare_broken(Target::Article, &file.path, id.into_iter().collect());
            return;
        }
    };
    let mut ok = loader.define(Target::Article, &mut ctx, &raw.id, "id".into(), false);
    if raw.title.get_ref().trim().is_empty() {
        ctx.at(
            Some(&raw.title.span()),
            "title",
            "the title is empty; write what a resident would search for, such as \"Report a pothole\"",
        );
        ok = false;
    }
    let lang = match &raw.lang {
        Some(l) => {
            loader.reference(&ctx, &l.span(), "lang".into(), l.get_ref(), Target::Language);
            l.get_ref().clone()
        }
        None => "en".to_string(),
    };
    for (j, s) in raw.services.iter().enumerate() {
        loader.reference(&ctx, &s.span(), format!("services[{j}]"), s.get_ref(), Target::Service);
    }
    if let Some(d) = &raw.department {
        loader.reference(&ctx, &d.span(), "department".into(), d.get_ref(), Target::Department);
    }
    if let Some(t) = &raw.translation_of {
        loader.reference(&ctx, &t.span(), "translation_of".into(), t.get_ref(), Target::Article);
    }
    ok &= check_url(&mut ctx, &raw.url, "url".into());
    let body_text = markdown_to_text(split.body);
    if body_text.trim().is_empty() {
        ctx.at(
            Some(&(split.front_matter.len()..split.front_matter.len())),
            "body",
            "the article has no body; write the answer below the closing +++",
        );
        ok = false;
    }
    if ok {
        catalog.articles.push(Article {
            id: raw.id.into_inner(),
            title: raw.title.into_inner(),
            lang,
            services: raw.services.into_iter().map(Spanned::into_inner).collect(),
            department: raw.department.map(Spanned::into_inner),
            keywords: raw.keywords,
            questions: raw.questions,
            url: raw.url.map(Spanned::into_inner),
            translation_of: raw.translation_of.map(Spanned::into_inner),
            body_markdown: split.body.trim().to_string(),
            body_text,
            source: file.path.clone(),
        });
    }
    loader.problems.append(&mut problems);
}

fn check_references(loader: &mut Loader, catalog: &Catalog) {
    let languages: Vec<&str> = catalog.languages.iter().map(String::as_str).collect();
    for r in std::mem::take(&mut loader.references) {
        if loader.unreadable.contains(&(r.target as u8)) {
            continue;
        }
        // Note: references are checked against every id declared, also those
        // of tables that had problems of their own, so that one broken table
        // does not bring a cascade of "unknown" reports with it.
        let known: Vec<&str> = match r.target {
            Target::Language => languages.clone(),
            target => loader.declared(target),
        };
        if known.contains(&r.id.as_str()) {
            continue;
        }
        let hint = match did_you_mean(&r.id, known.iter().copied()) {
            Some(s) => format!("; did you mean '{s}'?"),
            None => String::new(),
        };
        let listing = if r.target == Target::Service && known.len() > 8 {
            let mut prefixes: Vec<&str> =
                known.iter().map(|c| c.split_once('-').map(|(p, _)| p).unwrap_or(c)).collect();
            prefixes.sort_unstable();
            prefixes.dedup();
            format!(
                "known codes start with {}",
                prefixes.iter().map(|p| format!("{p}-")).collect::<Vec<_>>().join(", ")
            )
        } else {
            known_list(known.iter().copied())
        };
        loader.problems.push(Problem {
            file: r.file,
            line: r.line,
            field: r.field,
            message: format!(
                "unknown {} '{}' ({listing}; defined by {}){hint}",
                r.target.noun(),
                r.id,
                r.target.defined_in()
            ),
        });
    }
}

/// Services list the articles that name them, in addition to their own list.
fn link_articles_to_services(catalog: &mut Catalog) {
    let mut by_service: HashMap<String, Vec<String>> = HashMap::new();
    for a in &catalog.articles {
        for s in &a.services {
            by_service.entry(s.clone()).or_default().push(a.id.clone());
        }
    }
    for s in &mut catalog.services {
        for id in by_service.remove(&s.code).unwrap_or_default() {
            if !s.articles.contains(&id) {
                s.articles.push(id);
            }
        }
    }
}

fn resolve_facility_time_zones(loader: &mut Loader, catalog: &mut Catalog) {
    let default_tz = catalog.default_jurisdiction().map(|j| j.time_zone.clone());
    for i in 0..catalog.facilities.len() {
        let f = &catalog.facilities[i];
        let tz = f
            .department
            .as_deref()
            .and_then(|d| catalog.department(d))
            .and_then(|d| catalog.jurisdiction(&d.jurisdiction))
            .map(|j| j.time_zone.clone())
            .or_else(|| default_tz.clone());
        match tz {
            Some(tz) => catalog.facilities[i].time_zone = tz,
            // Note: a facility whose department or default jurisdiction is
            // named but broken already has that problem reported.
            None if f.department.is_some() || catalog.default_jurisdiction.is_some() => {}
            None => loader.problems.push(Problem {
                file: "facilities.toml".into(),
                line: None,
                field: format!("facilities[{i}]"),
                message: format!("facility '{}' has no time zone for its hours; give it a department whose jurisdiction has a time_zone, or set [catalog].default_jurisdiction", f.id),
            }),
        }
    }
}

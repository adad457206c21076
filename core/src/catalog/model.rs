//! The things a catalog describes: who governs (jurisdictions), who delivers
//! (departments), what residents can ask for (service categories), what they
//! can read (articles) and where they can go (facilities).

use serde::{Deserialize, Serialize};

use super::hours::{HoursException, WeeklyHours};

/// What kind of government or body a jurisdiction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JurisdictionKind {
    City,
    County,
    State,
    Utility,
    Other,
}

impl JurisdictionKind {
    pub(crate) const NAMES: &'static [&'static str] = &["city", "county", "state", "utility", "other"];

    pub(crate) fn parse(s: &str) -> Option<JurisdictionKind> {
        Some(match s {
            "city" => JurisdictionKind::City,
            "county" => JurisdictionKind::County,
            "state" => JurisdictionKind::State,
            "utility" => JurisdictionKind::Utility,
            "other" => JurisdictionKind::Other,
            _ => return None,
        })
    }

    /// The kind as written in `catalog.toml`.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A government or body that delivers services: the city, its county, the
/// state, a utility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jurisdiction {
    pub id: String,
    pub kind: JurisdictionKind,
    pub name: String,
    /// An IANA time zone name, checked when the catalog is loaded.
    pub time_zone: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    /// The id of the boundary (in `boundaries.geojson`) that outlines it.
    pub boundary: Option<String>,
}

impl Jurisdiction {
    /// The jurisdiction's time zone.
    pub fn tz(&self) -> jiff::tz::TimeZone {
        // Note: the name was checked at load time, so this lookup only fails
        // for a hand-built Jurisdiction; UTC is then the least surprising answer.
        crate::zones::get_or_utc(&self.time_zone)
    }

    /// How to reach it, in one line for a referral: phone, e-mail and web site
    /// where known.
    pub fn contact(&self) -> String {
        contact_line(&self.phone, &self.email, &self.url)
    }
}

pub(crate) fn contact_line(phone: &Option<String>, email: &Option<String>, url: &Option<String>) -> String {
    let parts: Vec<String> =
        [phone.as_ref().map(|p| format!("phone {p}")), email.clone(), url.clone()].into_iter().flatten().collect();
    parts.join(", ")
}

/// A department (or agency, or division) of a jurisdiction that delivers services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: String,
    pub jurisdiction: String,
    pub name: String,
    pub description: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    /// The business calendar (in `routing.toml`) its SLAs are counted on.
    pub calendar: Option<String>,
}

impl Department {
    /// How to reach it, in one line.
    pub fn contact(&self) -> String {
        contact_line(&self.phone, &self.email, &self.url)
    }
}

/// How an Open311 service is fulfilled: in real time, in batches, or as a black box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ServiceType {
    #[default]
    Realtime,
    Batch,
    Blackbox,
}

impl ServiceType {
    pub(crate) const NAMES: &'static [&'static str] = &["realtime", "batch", "blackbox"];

    /// Reads an Open311 type, ignoring case.
    pub fn parse(s: &str) -> Option<ServiceType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "realtime" => Some(ServiceType::Realtime),
            "batch" => Some(ServiceType::Batch),
            "blackbox" => Some(ServiceType::Blackbox),
            _ => None,
        }
    }

    /// The Open311 spelling.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The six Open311 attribute datatypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    Singlevaluelist,
    Multivaluelist,
}

impl Datatype {
    pub(crate) const NAMES: &'static [&'static str] =
        &["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"];

    /// Reads an Open311 datatype, ignoring case.
    pub fn parse(s: &str) -> Option<Datatype> {
        let lower = s.trim().to_ascii_lowercase();
        Self::NAMES.iter().position(|n| *n == lower).map(|i| Self::ALL[i])
    }

    const ALL: [Datatype; 6] = [
        Datatype::String,
        Datatype::Number,
        Datatype::Datetime,
        Datatype::Text,
        Datatype::Singlevaluelist,
        Datatype::Multivaluelist,
    ];

    /// The Open311 spelling.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether values come from a list of keys.
    pub fn is_list(self) -> bool {
        matches!(self, Datatype::Singlevaluelist | Datatype::Multivaluelist)
    }
}

/// One allowed value of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// An Open311 attribute: a question the request form asks for one service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    pub code: String,
    /// The question, as the form shows it.
    pub description: String,
    pub datatype: Datatype,
    pub required: bool,
    /// False for an informational attribute that takes no answer.
    pub variable: bool,
    pub order: u32,
    pub datatype_description: Option<String>,
    pub values: Vec<AttributeValue>,
}

/// A service category: an Open311 service residents can request, with what
/// the catalog knows about how residents describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceCategory {
    pub code: String,
    pub name: String,
    pub description: String,
    pub group: Option<String>,
    /// The department that delivers it unless a routing rule says otherwise.
    pub department: String,
    #[serde(rename = "type")]
    pub service_type: ServiceType,
    pub keywords: Vec<String>,
    /// Things residents say or type when they want this service.
    pub phrasings: Vec<String>,
    /// Internal requests only city staff may file.
    pub staff_only: bool,
    pub attributes: Vec<Attribute>,
    /// Ids of articles that explain it: the ones named here and those whose
    /// front matter names this service, merged at load time.
    pub articles: Vec<String>,
}

impl ServiceCategory {
    /// Open311's `metadata`: whether the service has attributes to fetch.
    pub fn metadata(&self) -> bool {
        !self.attributes.is_empty()
    }
}

/// A group of words that mean the same to residents, or (with `implies`) a
/// word that stands for others: "couch" is a bulky item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymGroup {
    pub lang: String,
    pub terms: Vec<String>,
    /// Empty for a two-way group; otherwise what each term implies.
    pub implies: Vec<String>,
}

/// A knowledge article: an answer a call-taker or the website gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub lang: String,
    pub services: Vec<String>,
    pub department: Option<String>,
    pub keywords: Vec<String>,
    pub questions: Vec<String>,
    pub url: Option<String>,
    pub translation_of: Option<String>,
    /// The body as written, in Markdown.
    pub body_markdown: String,
    /// The body as plain text, paragraphs separated by blank lines: what
    /// search indexes and snippets are cut from.
    pub body_text: String,
    /// The file it came from, relative to the catalog folder.
    pub source: String,
}

/// A point on the map, WGS 84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

/// A place residents go: a library, a pool, an office, a drop-off site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub department: Option<String>,
    pub address: Option<String>,
    pub location: Option<Location>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub keywords: Vec<String>,
    pub description: Option<String>,
    pub hours: WeeklyHours,
    pub exceptions: Vec<HoursException>,
    /// The calendar whose holidays close it.
    pub holidays: Option<String>,
    /// The time zone its hours are in: its department's jurisdiction's.
    pub time_zone: String,
}

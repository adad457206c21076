//! Open311 JSON: lenient reading, exact writing.

use serde_json::{Map, Value, json};

use super::*;
use crate::catalog::{AttributeValue, Datatype};
use crate::text::clip;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn parse(text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        Error::format(format!("not valid JSON: {e}; send a JSON document as the Open311 specification shows"))
    })
}

/// The fields of one JSON object, read with errors that name the path.
pub(super) struct Fields<'a> {
    obj: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    pub(super) fn new(value: &'a Value, path: impl Into<String>) -> Result<Fields<'a>> {
        let path = path.into();
        match value {
            Value::Object(obj) => Ok(Fields { obj, path }),
            other => Err(Error::format(format!("{path}: expected an object, found {}", type_name(other)))),
        }
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    /// Text, also from a number or boolean; null, missing and "" are absent.
    pub(super) fn text(&self, key: &str) -> Result<Option<String>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(other) => {
                Err(Error::format(format!("{}: expected text, found {}", self.field(key), type_name(other))))
            }
        }
    }

    pub(super) fn required_text(&self, key: &str) -> Result<String> {
        self.text(key)?
            .ok_or_else(|| Error::format(format!("{}: missing; every {} needs a {key}", self.field(key), self.what())))
    }

    fn what(&self) -> &str {
        let last = self.path.rsplit('.').next().unwrap_or("");
        let name = last.split('[').next().unwrap_or("");
        if name.is_empty() { "object" } else { name }
    }

    pub(super) fn number(&self, key: &str) -> Result<Option<f64>> {
        let bad = |found: &str| Error::format(format!("{}: expected a number, found {found}", self.field(key)));
        let n = match self.obj.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n.as_f64().ok_or_else(|| bad("a number out of range"))?,
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => s.trim().parse::<f64>().map_err(|_| bad(&format!("'{}'", clip(s, 40))))?,
            Some(other) => return Err(bad(type_name(other))),
        };
        if !n.is_finite() {
            return Err(bad("a value that is not finite"));
        }
        Ok(Some(n))
    }

    pub(super) fn boolean(&self, key: &str) -> Result<Option<bool>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                "" => Ok(None),
                _ => {
                    Err(Error::format(format!("{}: expected true or false, found '{}'", self.field(key), clip(s, 40))))
                }
            },
            Some(other) => {
                Err(Error::format(format!("{}: expected true or false, found {}", self.field(key), type_name(other))))
            }
        }
    }

    pub(super) fn datetime(&self, key: &str) -> Result<Option<DateTime>> {
        match self.text(key)? {
            None => Ok(None),
            Some(s) => DateTime::parse(&s)
                .map(Some)
                .map_err(|e| Error::format(format!("{}: {}", self.field(key), e.message()))),
        }
    }

    fn array(&self, key: &str) -> Result<&'a [Value]> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(other) => {
                Err(Error::format(format!("{}: expected an array, found {}", self.field(key), type_name(other))))
            }
        }
    }

    /// Keywords as a comma-separated string or a list of strings.
    fn keywords(&self, key: &str) -> Result<Vec<String>> {
        match self.obj.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::String(s) if s.trim().is_empty() => None,
                    Value::String(s) => Some(Ok(s.trim().to_string())),
                    other => Some(Err(Error::format(format!(
                        "{}[{i}]: expected text, found {}",
                        self.field(key),
                        type_name(other)
                    )))),
                })
                .collect(),
            _ => Ok(split_keywords(self.text(key)?.as_deref().unwrap_or(""))),
        }
    }
}

fn did_you_mean_key(key: &str, known: &[&str]) -> String {
    crate::catalog::did_you_mean(key, known.iter().copied())
        .map(|k| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default()
}

pub(super) fn split_keywords(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect()
}

/// The array at the root, or under one of the wrapping keys some servers use.
fn root_array<'a>(value: &'a Value, wrappers: &[&str], what: &str) -> Result<&'a [Value]> {
    match value {
        Value::Array(a) => Ok(a),
        Value::Object(o) => wrappers
            .iter()
            .find_map(|w| o.get(*w))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| Error::format(format!("expected a JSON array of {what}, found an object without one"))),
        other => Err(Error::format(format!("expected a JSON array of {what}, found {}", type_name(other)))),
    }
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        map.insert(key.into(), Value::String(v.clone()));
    }
}

fn number_value(n: f64) -> Value {
    serde_json::Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null)
}

fn pretty(value: &Value) -> String {
    // Note: serializing a Value cannot fail; the fallback keeps this total.
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
}

// ---------------------------------------------------------------- services

pub(super) fn service_from_value(v: &Value, path: String) -> Result<Service> {
    let f = Fields::new(v, path)?;
    let type_text = f.text("type")?;
    let service_type = match type_text {
        None => ServiceType::Realtime,
        Some(t) => ServiceType::parse(&t).ok_or_else(|| {
            Error::format(format!(
                "{}: unknown type '{}'; Open311 types are realtime, batch and blackbox",
                f.field("type"),
                clip(&t, 40)
            ))
        })?,
    };
    Ok(Service {
        service_code: f.required_text("service_code")?,
        service_name: f.text("service_name")?.unwrap_or_default(),
        description: f.text("description")?,
        metadata: f.boolean("metadata")?.unwrap_or(false),
        service_type,
        keywords: f.keywords("keywords")?,
        group: f.text("group")?,
    })
}

pub(super) fn service_to_value(s: &Service) -> Value {
    let mut m = Map::new();
    m.insert("service_code".into(), s.service_code.clone().into());
    m.insert("service_name".into(), s.service_name.clone().into());
    m.insert("description".into(), s.description.clone().unwrap_or_default().into());
    m.insert("metadata".into(), s.metadata.into());
    m.insert("type".into(), s.service_type.as_str().into());
    m.insert("keywords".into(), s.keywords.join(", ").into());
    m.insert("group".into(), s.group.clone().unwrap_or_default().into());
    Value::Object(m)
}

impl Payload for ServiceList {
    fn to_json(&self) -> String {
        pretty(&Value::Array(self.0.iter().map(service_to_value).collect()))
    }
    fn to_xml(&self) -> String {
        super::xml::services_to_xml(self)
    }
    fn from_json(text: &str) -> Result<Self> {
        let value = parse(text)?;
        let items = root_array(&value, &["services"], "services")?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| service_from_value(v, format!("services[{i}]")))
            .collect::<Result<_>>()
            .map(ServiceList)
    }
    fn from_xml(text: &str) -> Result<Self> {
        super::xml::services_from_xml(text)
    }
}

// ------------------------------------------------------ service definition

fn attribute_from_value(v: &Value, path: String, position: usize) -> Result<Attribute> {
    let f = Fields::new(v, path)?;
    let datatype_text = f.required_text("datatype")?;
    let datatype = Datatype::parse(&datatype_text).ok_or_else(|| {
        Error::format(format!(
            "{}: unknown datatype '{}'; Open311 datatypes are {}",
            f.field("datatype"),
            clip(&datatype_text, 40),
            Datatype::NAMES.join(", ")
        ))
    })?;
    let order = match f.number("order")? {
        Some(n) if n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0 => n as u32,
        Some(n) => {
            return Err(Error::format(format!("{}: order {n} is not a whole number from 0 up", f.field("order"))));
        }
        None => position as u32 + 1,
    };
    let mut values = Vec::new();
    for (i, item) in f.array("values")?.iter().enumerate() {
        let vf = Fields::new(item, format!("{}.values[{i}]", f.path))?;
        let key = vf.required_text("key")?;
        let name = vf.text("name")?.unwrap_or_else(|| key.clone());
        values.push(AttributeValue { key, name });
    }
    Ok(Attribute {
        code: f.required_text("code")?,
        description: f.text("description")?.unwrap_or_default(),
        datatype,
        required: f.boolean("required")?.unwrap_or(false),
        variable: f.boolean("variable")?.unwrap_or(true),
        order,
        datatype_description: f.text("datatype_description")?,
        values,
    })
}

fn attribute_to_value(a: &Attribute) -> Value {
    let mut m = Map::new();
    m.insert("variable".into(), a.variable.into());
    m.insert("code".into(), a.code.clone().into());
    m.insert("datatype".into(), a.datatype.as_str().into());
    m.insert("required".into(), a.required.into());
    m.insert("datatype_description".into(), a.datatype_description.clone().unwrap_or_default().into());
    m.insert("order".into(), a.order.into());
    m.insert("description".into(), a.description.clone().into());
    if a.datatype.is_list() || !a.values.is_empty() {
        m.insert(
            "values".into(),
            Value::Array(a.values.iter().map(|v| json!({"key": v.key, "name": v.name})).collect()),
        );
    }
    Value::Object(m)
}

impl Payload for ServiceDefinition {
    fn to_json(&self) -> String {
        pretty(&json!({
            "service_code": self.service_code,
            "attributes": self.attributes.iter().map(attribute_to_value).collect::<Vec<_>>(),
        }))
    }
    fn to_xml(&self) -> String {
        super::xml::definition_to_xml(self)
    }
    fn from_json(text: &str) -> Result<Self> {
        let value = parse(text)?;
        let f = Fields::new(&value, "")?;
        let attributes = f
            .array("attributes")?
            .iter()
            .enumerate()
            .map(|(i, v)| attribute_from_value(v, format!("attributes[{i}]"), i))
            .collect::<Result<Vec<_>>>()?;
        Ok(ServiceDefinition { service_code: f.required_text("service_code")?, attributes })
    }
    fn from_xml(text: &str) -> Result<Self> {
        super::xml::definition_from_xml(text)
    }
}

// ---------------------------------------------------------------- requests

pub(super) fn parse_status(s: Option<String>, field: &str) -> Result<Option<RequestStatus>> {
    match s.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(s) if s == "open" => Ok(Some(RequestStatus::Open)),
        Some(s) if s == "closed" => Ok(Some(RequestStatus::Closed)),
        Some(other) => Err(Error::format(format!(
            "{field}: unknown status '{}'; Open311 statuses are open and closed",
            clip(&other, 40)
        ))),
    }
}

fn request_from_value(v: &Value, path: String) -> Result<Request> {
    let f = Fields::new(v, path)?;
    Ok(Request {
        service_request_id: f.text("service_request_id")?,
        status: parse_status(f.text("status")?, &f.field("status"))?,
        status_notes: f.text("status_notes")?,
        service_name: f.text("service_name")?,
        service_code: f.text("service_code")?,
        description: f.text("description")?,
        agency_responsible: f.text("agency_responsible")?,
        service_notice: f.text("service_notice")?,
        requested_datetime: f.datetime("requested_datetime")?,
        updated_datetime: f.datetime("updated_datetime")?,
        expected_datetime: f.datetime("expected_datetime")?,
        address: f.text("address")?,
        address_id: f.text("address_id")?,
        zipcode: f.text("zipcode")?,
        lat: f.number("lat")?,
        long: f.number("long")?,
        media_url: f.text("media_url")?,
    })
}

pub(crate) fn request_to_value(r: &Request) -> Value {
    // Every field of the specification's example, `null` where there is no
    // value, as the XML writes an empty element: a client reads the same
    // fields in both formats.
    let text = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
    let time = |t: Option<DateTime>| t.map(|t| Value::String(t.to_string())).unwrap_or(Value::Null);
    let number = |n: Option<f64>| n.map(number_value).unwrap_or(Value::Null);
    let mut m = Map::new();
    m.insert("service_request_id".into(), text(&r.service_request_id));
    m.insert("status".into(), r.status.map(|s| Value::String(s.as_str().into())).unwrap_or(Value::Null));
    m.insert("status_notes".into(), text(&r.status_notes));
    m.insert("service_name".into(), text(&r.service_name));
    m.insert("service_code".into(), text(&r.service_code));
    m.insert("description".into(), text(&r.description));
    m.insert("agency_responsible".into(), text(&r.agency_responsible));
    m.insert("service_notice".into(), text(&r.service_notice));
    m.insert("requested_datetime".into(), time(r.requested_datetime));
    m.insert("updated_datetime".into(), time(r.updated_datetime));
    m.insert("expected_datetime".into(), time(r.expected_datetime));
    m.insert("address".into(), text(&r.address));
    m.insert("address_id".into(), text(&r.address_id));
    m.insert("zipcode".into(), text(&r.zipcode));
    m.insert("lat".into(), number(r.lat));
    m.insert("long".into(), number(r.long));
    m.insert("media_url".into(), text(&r.media_url));
    Value::Object(m)
}

impl Payload for RequestList {
    fn to_json(&self) -> String {
        pretty(&Value::Array(self.0.iter().map(request_to_value).collect()))
    }
    fn to_xml(&self) -> String {
        super::xml::requests_to_xml(self)
    }
    fn from_json(text: &str) -> Result<Self> {
        let value = parse(text)?;
        let items = root_array(&value, &["service_requests", "requests"], "requests")?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| request_from_value(v, format!("requests[{i}]")))
            .collect::<Result<_>>()
            .map(RequestList)
    }
    fn from_xml(text: &str) -> Result<Self> {
        super::xml::requests_from_xml(text)
    }
}

// ------------------------------------------------------ post responses

impl Payload for PostResponseList {
    fn to_json(&self) -> String {
        let items = self
            .0
            .iter()
            .map(|p| {
                // The fields the XML writes, `null` where empty, as the
                // specification's example shows them.
                let text = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
                let mut m = Map::new();
                if p.service_request_id.is_some() || p.token.is_none() {
                    m.insert("service_request_id".into(), text(&p.service_request_id));
                }
                insert_opt(&mut m, "token", &p.token);
                m.insert("service_notice".into(), text(&p.service_notice));
                m.insert("account_id".into(), text(&p.account_id));
                Value::Object(m)
            })
            .collect();
        pretty(&Value::Array(items))
    }
    fn to_xml(&self) -> String {
        super::xml::post_responses_to_xml(self)
    }
    fn from_json(text: &str) -> Result<Self> {
        let value = parse(text)?;
        let items = root_array(&value, &["service_requests"], "responses")?;
        let mut out = Vec::new();
        for (i, v) in items.iter().enumerate() {
            let f = Fields::new(v, format!("responses[{i}]"))?;
            out.push(PostResponse {
                service_request_id: f.text("service_request_id")?,
                token: f.text("token")?,
                service_notice: f.text("service_notice")?,
                account_id: f.text("account_id")?,
            });
        }
        Ok(PostResponseList(out))
    }
    fn from_xml(text: &str) -> Result<Self> {
        super::xml::post_responses_from_xml(text)
    }
}

// ---------------------------------------------------------------- errors

impl Payload for ErrorList {
    fn to_json(&self) -> String {
        pretty(&Value::Array(self.0.iter().map(|e| json!({"code": e.code, "description": e.description})).collect()))
    }
    fn to_xml(&self) -> String {
        super::xml::errors_to_xml(self)
    }
    fn from_json(text: &str) -> Result<Self> {
        let value = parse(text)?;
        let items = root_array(&value, &["errors"], "errors")?;
        let mut out = Vec::new();
        for (i, v) in items.iter().enumerate() {
            let f = Fields::new(v, format!("errors[{i}]"))?;
            out.push(Open311Error {
                code: parse_code(f.number("code")?, &f.field("code"))?,
                description: f.text("description")?.unwrap_or_default(),
            });
        }
        Ok(ErrorList(out))
    }
    fn from_xml(text: &str) -> Result<Self> {
        super::xml::errors_from_xml(text)
    }
}

pub(super) fn parse_code(n: Option<f64>, field: &str) -> Result<u16> {
    match n {
        Some(n) if (100.0..=599.0).contains(&n) && n.fract() == 0.0 => Ok(n as u16),
        Some(n) => Err(Error::format(format!("{field}: {n} is not an HTTP status code (100 to 599)"))),
        None => Err(Error::format(format!("{field}: missing; every error needs a code"))),
    }
}

// --------------------------------------------------------------- discovery

impl Payload for Discovery {
    fn to_json(&self) -> String {
        let endpoints: Vec<Value> = self
            .endpoints
            .iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("specification".into(), e.specification.clone().into());
                m.insert("url".into(), e.url.clone().into());
                if let Some(c) = e.changeset {
                    m.insert("changeset".into(), c.to_string().into());
                }
                m.insert("type".into(), e.endpoint_type.clone().into());
                m.insert("formats".into(), e.formats.clone().into());
                Value::Object(m)
            })
            .collect();
        let mut m = Map::new();
        if let Some(c) = self.changeset {
            m.insert("changeset".into(), c.to_string().into());
        }
        insert_opt(&mut m, "contact", &self.contact);
        insert_opt(&mut m, "key_service", &self.key_service);
        m.insert("endpoints".into(), Value::Array(endpoints));
        pretty(&Value::Object(m))
    }
    fn to_xml(&self) -> String {
        super::xml::discovery_to_xml(self)
    }
    fn from_json(text: &str) -> Result<Self> {
        let value = parse(text)?;
        let f = Fields::new(&value, "")?;
        let mut endpoints = Vec::new();
        for (i, v) in f.array("endpoints")?.iter().enumerate() {
            let e = Fields::new(v, format!("endpoints[{i}]"))?;
            let formats = e.array("formats")?.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
            endpoints.push(Endpoint {
                specification: e.text("specification")?.unwrap_or_default(),
                url: e.required_text("url")?,
                changeset: e.datetime("changeset")?,
                endpoint_type: e.text("type")?.unwrap_or_else(|| "production".into()),
                formats,
            });
        }
        Ok(Discovery {
            changeset: f.datetime("changeset")?,
            contact: f.text("contact")?,
            key_service: f.text("key_service")?,
            endpoints,
        })
    }
    fn from_xml(text: &str) -> Result<Self> {
        super::xml::discovery_from_xml(text)
    }
}

// ------------------------------------------------------------ new requests

const NEW_REQUEST_KEYS: &[&str] = &[
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "attribute",
    "jurisdiction_id",
    "api_key",
    "channel",
    "reporter",
    "requested_datetime",
];

pub(super) fn new_request_from_json(text: &str) -> Result<NewRequest> {
    new_request_from_value(&parse(text)?)
}

pub(super) fn new_request_from_value(value: &Value) -> Result<NewRequest> {
    let f = Fields::new(value, "")?;
    let mut attributes = BTreeMap::new();
    for (key, v) in f.obj {
        if let Some(code) = key.strip_prefix("attribute[").and_then(|k| k.strip_suffix(']')) {
            let code = code.strip_suffix("][").unwrap_or(code);
            attributes.insert(code.to_string(), answer_from_value(v, key)?);
        } else if !NEW_REQUEST_KEYS.contains(&key.as_str()) {
            return Err(Error::format(format!(
                "unknown field '{}' in the request{}; Open311 request fields are {}",
                clip(key, 40),
                did_you_mean_key(key, NEW_REQUEST_KEYS),
                NEW_REQUEST_KEYS.join(", ")
            )));
        }
    }
    match f.obj.get("attribute") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (code, v) in map {
                attributes.insert(code.clone(), answer_from_value(v, &format!("attribute.{code}"))?);
            }
        }
        Some(other) => {
            return Err(Error::format(format!(
                "attribute: expected an object of answers by attribute code, found {}",
                type_name(other)
            )));
        }
    }
    let channel = match f.text("channel")? {
        None => None,
        Some(c) => Some(Channel::parse(&c).ok_or_else(|| {
            Error::format(format!(
                "channel: unknown channel '{}'; use one of: {}",
                clip(&c, 40),
                Channel::NAMES.join(", ")
            ))
        })?),
    };
    let reporter = match f.text("reporter")?.as_deref() {
        None | Some("resident") => Reporter::Resident,
        Some("staff") => Reporter::Staff,
        Some(other) => {
            return Err(Error::format(format!(
                "reporter: unknown reporter '{}'; use resident or staff",
                clip(other, 40)
            )));
        }
    };
    Ok(NewRequest {
        service_code: f.text("service_code")?.unwrap_or_default(),
        lat: f.number("lat")?,
        long: f.number("long")?,
        address_string: f.text("address_string")?,
        address_id: f.text("address_id")?,
        email: f.text("email")?,
        device_id: f.text("device_id")?,
        account_id: f.text("account_id")?,
        first_name: f.text("first_name")?,
        last_name: f.text("last_name")?,
        phone: f.text("phone")?,
        description: f.text("description")?,
        media_url: f.text("media_url")?,
        attributes,
        jurisdiction_id: f.text("jurisdiction_id")?,
        channel,
        reporter,
        requested_datetime: f.datetime("requested_datetime")?,
    })
}

fn answer_from_value(v: &Value, field: &str) -> Result<AttributeAnswer> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(Error::format(format!(
            "{field}: expected text, a number or a list of them, found {}",
            type_name(other)
        ))),
    };
    match v {
        Value::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>>>().map(AttributeAnswer::Many),
        other => scalar(other).map(AttributeAnswer::One),
    }
}

pub(super) fn new_request_from_form(body: &str) -> Result<NewRequest> {
    let mut map = Map::new();
    for (key, value) in form_urlencoded::parse(body.as_bytes()) {
        let (key, value) = (key.into_owned(), value.into_owned());
        if let Some(code) = key.strip_prefix("attribute[").and_then(|k| k.strip_suffix("][]")) {
            let entry = map.entry(format!("attribute[{code}]")).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = entry {
                a.push(Value::String(value));
            }
        } else {
            map.insert(key, Value::String(value));
        }
    }
    new_request_from_value(&Value::Object(map))
}

pub(super) fn new_request_to_json(r: &NewRequest) -> String {
    let mut m = Map::new();
    m.insert("service_code".into(), r.service_code.clone().into());
    if let Some(lat) = r.lat {
        m.insert("lat".into(), number_value(lat));
    }
    if let Some(long) = r.long {
        m.insert("long".into(), number_value(long));
    }
    for (key, value) in [
        ("address_string", &r.address_string),
        ("address_id", &r.address_id),
        ("email", &r.email),
        ("device_id", &r.device_id),
        ("account_id", &r.account_id),
        ("first_name", &r.first_name),
        ("last_name", &r.last_name),
        ("phone", &r.phone),
        ("description", &r.description),
        ("media_url", &r.media_url),
        ("jurisdiction_id", &r.jurisdiction_id),
    ] {
        insert_opt(&mut m, key, value);
    }
    if !r.attributes.is_empty() {
        let attrs: Map<String, Value> = r
            .attributes
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    AttributeAnswer::One(s) => Value::String(s.clone()),
                    AttributeAnswer::Many(list) => Value::Array(list.iter().cloned().map(Value::String).collect()),
                };
                (k.clone(), value)
            })
            .collect();
        m.insert("attribute".into(), Value::Object(attrs));
    }
    if let Some(c) = r.channel {
        m.insert("channel".into(), c.as_str().into());
    }
    if r.reporter == Reporter::Staff {
        m.insert("reporter".into(), "staff".into());
    }
    if let Some(t) = r.requested_datetime {
        m.insert("requested_datetime".into(), t.to_string().into());
    }
    pretty(&Value::Object(m))
}

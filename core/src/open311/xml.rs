//! Open311 XML: a small element tree read with quick-xml, and a writer that
//! escapes every text node.

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::Event;

use super::json::{parse_code, parse_status, split_keywords};
use super::*;
use crate::catalog::{AttributeValue, Datatype};
use crate::text::clip;

/// Open311 documents are shallow; a deeper one is refused rather than
/// recursed into, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of a child; empty and missing are absent.
    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string()).filter(|t| !t.is_empty())
    }

    fn required(&self, name: &str, path: &str) -> Result<String> {
        self.text_of(name).ok_or_else(|| {
            Error::format(format!("{path}: <{name}> is missing or empty; every <{}> needs one", self.name))
        })
    }

    fn number(&self, name: &str, path: &str) -> Result<Option<f64>> {
        match self.text_of(name) {
            None => Ok(None),
            Some(t) => match t.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(Some(n)),
                _ => Err(Error::format(format!("{path}.{name}: expected a number, found '{}'", clip(&t, 40)))),
            },
        }
    }

    fn boolean(&self, name: &str, path: &str) -> Result<Option<bool>> {
        match self.text_of(name).map(|t| t.to_ascii_lowercase()) {
            None => Ok(None),
            Some(t) if t == "true" => Ok(Some(true)),
            Some(t) if t == "false" => Ok(Some(false)),
            Some(t) => Err(Error::format(format!("{path}.{name}: expected true or false, found '{}'", clip(&t, 40)))),
        }
    }

    fn datetime(&self, name: &str, path: &str) -> Result<Option<DateTime>> {
        match self.text_of(name) {
            None => Ok(None),
            Some(t) => {
                DateTime::parse(&t).map(Some).map_err(|e| Error::format(format!("{path}.{name}: {}", e.message())))
            }
        }
    }
}

fn xml_error(e: impl std::fmt::Display, position: u64) -> Error {
    Error::format(format!(
        "not well-formed XML near byte {position}: {e}; send an XML document as the Open311 specification shows"
    ))
}

/// Reads a document into its root element.
fn parse(text: &str) -> Result<Element> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|e| xml_error(e, reader.error_position()))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(xml_error("a second root element", reader.buffer_position()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Error::format(format!(
                        "the XML nests deeper than {MAX_DEPTH} elements; Open311 documents are a few levels deep"
                    )));
                }
                stack.push(Element { name: start.local_name().as_ref().to_string(), ..Element::default() });
            }
            Event::Empty(start) => {
                let element = Element { name: start.local_name().as_ref().to_string(), ..Element::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None if root.is_none() => root = Some(element),
                    None => return Err(xml_error("a second root element", reader.buffer_position())),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(xml_error("a closing tag with no opening one", reader.buffer_position()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                } else if !t.trim().is_empty() {
                    return Err(xml_error("text outside the root element", reader.buffer_position()));
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match r.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "apos" => Some('\''),
                        "quot" => Some('"'),
                        _ => None,
                    }
                };
                let Some(c) = resolved else {
                    return Err(xml_error(
                        format!("the entity '&{};' is not one XML defines", clip(r.as_ref(), 20)),
                        reader.buffer_position(),
                    ));
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::DocType(_) => {
                return Err(Error::format(
                    "the XML has a DOCTYPE; Open311 documents have none, and entity declarations are refused",
                ));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(xml_error(
            format!("<{}> is never closed", clip(&stack[stack.len() - 1].name, 40)),
            reader.buffer_position(),
        ));
    }
    root.ok_or_else(|| Error::format("the XML document is empty; send a root element such as <services>"))
}

fn expect_root(root: &Element, names: &[&str]) -> Result<()> {
    if names.contains(&root.name.as_str()) {
        Ok(())
    } else {
        Err(Error::format(format!("the XML root is <{}>; expected <{}>", clip(&root.name, 40), names.join("> or <"))))
    }
}

// ------------------------------------------------------------------ writer

struct XmlOut(String);

impl XmlOut {
    fn new() -> XmlOut {
        XmlOut(String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"))
    }
    fn open(&mut self, depth: usize, name: &str) {
        self.indent(depth);
        self.0.push('<');
        self.0.push_str(name);
        self.0.push_str(">\n");
    }
    fn close(&mut self, depth: usize, name: &str) {
        self.indent(depth);
        self.0.push_str("</");
        self.0.push_str(name);
        self.0.push_str(">\n");
    }
    fn leaf(&mut self, depth: usize, name: &str, text: &str) {
        self.indent(depth);
        if text.is_empty() {
            self.0.push_str(&format!("<{name}/>\n"));
        } else {
            self.0.push_str(&format!("<{name}>{}</{name}>\n", escape(text)));
        }
    }
    fn opt(&mut self, depth: usize, name: &str, text: &Option<String>) {
        self.leaf(depth, name, text.as_deref().unwrap_or(""));
    }
    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.0.push_str("  ");
        }
    }
}

fn number_text(n: Option<f64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn time_text(t: Option<DateTime>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

// ---------------------------------------------------------------- services

pub(super) fn services_to_xml(list: &ServiceList) -> String {
    let mut out = XmlOut::new();
    out.open(0, "services");
    for s in &list.0 {
        out.open(1, "service");
        out.leaf(2, "service_code", &s.service_code);
        out.leaf(2, "service_name", &s.service_name);
        out.opt(2, "description", &s.description);
        out.leaf(2, "metadata", if s.metadata { "true" } else { "false" });
        out.leaf(2, "type", s.service_type.as_str());
        out.leaf(2, "keywords", &s.keywords.join(", "));
        out.opt(2, "group", &s.group);
        out.close(1, "service");
    }
    out.close(0, "services");
    out.0
}

pub(super) fn services_from_xml(text: &str) -> Result<ServiceList> {
    let root = parse(text)?;
    expect_root(&root, &["services"])?;
    let mut out = Vec::new();
    for (i, s) in root.children_named("service").enumerate() {
        let path = format!("services[{i}]");
        let service_type = match s.text_of("type") {
            None => ServiceType::Realtime,
            Some(t) => ServiceType::parse(&t).ok_or_else(|| {
                Error::format(format!(
                    "{path}.type: unknown type '{}'; Open311 types are realtime, batch and blackbox",
                    clip(&t, 40)
                ))
            })?,
        };
        out.push(Service {
            service_code: s.required("service_code", &path)?,
            service_name: s.text_of("service_name").unwrap_or_default(),
            description: s.text_of("description"),
            metadata: s.boolean("metadata", &path)?.unwrap_or(false),
            service_type,
            keywords: split_keywords(&s.text_of("keywords").unwrap_or_default()),
            group: s.text_of("group"),
        });
    }
    Ok(ServiceList(out))
}

// ------------------------------------------------------ service definition

pub(super) fn definition_to_xml(d: &ServiceDefinition) -> String {
    let mut out = XmlOut::new();
    out.open(0, "service_definition");
    out.leaf(1, "service_code", &d.service_code);
    out.open(1, "attributes");
    for a in &d.attributes {
        out.open(2, "attribute");
        out.leaf(3, "variable", if a.variable { "true" } else { "false" });
        out.leaf(3, "code", &a.code);
        out.leaf(3, "datatype", a.datatype.as_str());
        out.leaf(3, "required", if a.required { "true" } else { "false" });
        out.opt(3, "datatype_description", &a.datatype_description);
        out.leaf(3, "order", &a.order.to_string());
        out.leaf(3, "description", &a.description);
        if !a.values.is_empty() {
            out.open(3, "values");
            for v in &a.values {
                out.open(4, "value");
                out.leaf(5, "key", &v.key);
                out.leaf(5, "name", &v.name);
                out.close(4, "value");
            }
            out.close(3, "values");
        }
        out.close(2, "attribute");
    }
    out.close(1, "attributes");
    out.close(0, "service_definition");
    out.0
}

pub(super) fn definition_from_xml(text: &str) -> Result<ServiceDefinition> {
    let root = parse(text)?;
    expect_root(&root, &["service_definition"])?;
    let mut attributes = Vec::new();
    if let Some(list) = root.child("attributes") {
        for (i, a) in list.children_named("attribute").enumerate() {
            let path = format!("attributes[{i}]");
            let dt = a.required("datatype", &path)?;
            let datatype = Datatype::parse(&dt).ok_or_else(|| {
                Error::format(format!(
                    "{path}.datatype: unknown datatype '{}'; Open311 datatypes are {}",
                    clip(&dt, 40),
                    Datatype::NAMES.join(", ")
                ))
            })?;
            let order = match a.number("order", &path)? {
                Some(n) if n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0 => n as u32,
                Some(n) => return Err(Error::format(format!("{path}.order: {n} is not a whole number from 0 up"))),
                None => i as u32 + 1,
            };
            let mut values = Vec::new();
            if let Some(vs) = a.child("values") {
                for (j, v) in vs.children_named("value").enumerate() {
                    let key = v.required("key", &format!("{path}.values[{j}]"))?;
                    let name = v.text_of("name").unwrap_or_else(|| key.clone());
                    values.push(AttributeValue { key, name });
                }
            }
            attributes.push(Attribute {
                code: a.required("code", &path)?,
                description: a.text_of("description").unwrap_or_default(),
                datatype,
                required: a.boolean("required", &path)?.unwrap_or(false),
                variable: a.boolean("variable", &path)?.unwrap_or(true),
                order,
                datatype_description: a.text_of("datatype_description"),
                values,
            });
        }
    }
    Ok(ServiceDefinition { service_code: root.required("service_code", "service_definition")?, attributes })
}

// ---------------------------------------------------------------- requests

pub(super) fn requests_to_xml(list: &RequestList) -> String {
    let mut out = XmlOut::new();
    out.open(0, "service_requests");
    for r in &list.0 {
        out.open(1, "request");
        out.opt(2, "service_request_id", &r.service_request_id);
        out.leaf(2, "status", r.status.map(RequestStatus::as_str).unwrap_or(""));
        out.opt(2, "status_notes", &r.status_notes);
        out.opt(2, "service_name", &r.service_name);
        out.opt(2, "service_code", &r.service_code);
        out.opt(2, "description", &r.description);
        out.opt(2, "agency_responsible", &r.agency_responsible);
        out.opt(2, "service_notice", &r.service_notice);
        out.leaf(2, "requested_datetime", &time_text(r.requested_datetime));
        out.leaf(2, "updated_datetime", &time_text(r.updated_datetime));
        out.leaf(2, "expected_datetime", &time_text(r.expected_datetime));
        out.opt(2, "address", &r.address);
        out.opt(2, "address_id", &r.address_id);
        out.opt(2, "zipcode", &r.zipcode);
        out.leaf(2, "lat", &number_text(r.lat));
        out.leaf(2, "long", &number_text(r.long));
        out.opt(2, "media_url", &r.media_url);
        out.close(1, "request");
    }
    out.close(0, "service_requests");
    out.0
}

pub(super) fn requests_from_xml(text: &str) -> Result<RequestList> {
    let root = parse(text)?;
    expect_root(&root, &["service_requests"])?;
    let mut out = Vec::new();
    for (i, r) in root.children_named("request").enumerate() {
        let path = format!("requests[{i}]");
        out.push(Request {
            service_request_id: r.text_of("service_request_id"),
            status: parse_status(r.text_of("status"), &format!("{path}.status"))?,
            status_notes: r.text_of("status_notes"),
            service_name: r.text_of("service_name"),
            service_code: r.text_of("service_code"),
            description: r.text_of("description"),
            agency_responsible: r.text_of("agency_responsible"),
            service_notice: r.text_of("service_notice"),
            requested_datetime: r.datetime("requested_datetime", &path)?,
            updated_datetime: r.datetime("updated_datetime", &path)?,
            expected_datetime: r.datetime("expected_datetime", &path)?,
            address: r.text_of("address"),
            address_id: r.text_of("address_id"),
            zipcode: r.text_of("zipcode"),
            lat: r.number("lat", &path)?,
            long: r.number("long", &path)?,
            media_url: r.text_of("media_url"),
        });
    }
    Ok(RequestList(out))
}

pub(super) fn post_responses_to_xml(list: &PostResponseList) -> String {
    let mut out = XmlOut::new();
    out.open(0, "service_requests");
    for p in &list.0 {
        out.open(1, "request");
        if p.service_request_id.is_some() || p.token.is_none() {
            out.opt(2, "service_request_id", &p.service_request_id);
        }
        if p.token.is_some() {
            out.opt(2, "token", &p.token);
        }
        out.opt(2, "service_notice", &p.service_notice);
        out.opt(2, "account_id", &p.account_id);
        out.close(1, "request");
    }
    out.close(0, "service_requests");
    out.0
}

pub(super) fn post_responses_from_xml(text: &str) -> Result<PostResponseList> {
    let root = parse(text)?;
    expect_root(&root, &["service_requests"])?;
    Ok(PostResponseList(
        root.children_named("request")
            .map(|r| PostResponse {
                service_request_id: r.text_of("service_request_id"),
                token: r.text_of("token"),
                service_notice: r.text_of("service_notice"),
                account_id: r.text_of("account_id"),
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------- errors

pub(super) fn errors_to_xml(list: &ErrorList) -> String {
    let mut out = XmlOut::new();
    out.open(0, "errors");
    for e in &list.0 {
        out.open(1, "error");
        out.leaf(2, "code", &e.code.to_string());
        out.leaf(2, "description", &e.description);
        out.close(1, "error");
    }
    out.close(0, "errors");
    out.0
}

pub(super) fn errors_from_xml(text: &str) -> Result<ErrorList> {
    let root = parse(text)?;
    expect_root(&root, &["errors"])?;
    let mut out = Vec::new();
    for (i, e) in root.children_named("error").enumerate() {
        let path = format!("errors[{i}]");
        out.push(Open311Error {
            code: parse_code(e.number("code", &path)?, &format!("{path}.code"))?,
            description: e.text_of("description").unwrap_or_default(),
        });
    }
    Ok(ErrorList(out))
}

// --------------------------------------------------------------- discovery

pub(super) fn discovery_to_xml(d: &Discovery) -> String {
    let mut out = XmlOut::new();
    out.open(0, "discovery");
    out.leaf(1, "changeset", &time_text(d.changeset));
    out.opt(1, "contact", &d.contact);
    out.opt(1, "key_service", &d.key_service);
    out.open(1, "endpoints");
    for e in &d.endpoints {
        out.open(2, "endpoint");
        out.leaf(3, "specification", &e.specification);
        out.leaf(3, "url", &e.url);
        out.leaf(3, "changeset", &time_text(e.changeset));
        out.leaf(3, "type", &e.endpoint_type);
        out.open(3, "formats");
        for f in &e.formats {
            out.leaf(4, "format", f);
        }
        out.close(3, "formats");
        out.close(2, "endpoint");
    }
    out.close(1, "endpoints");
    out.close(0, "discovery");
    out.0
}

pub(super) fn discovery_from_xml(text: &str) -> Result<Discovery> {
    let root = parse(text)?;
    expect_root(&root, &["discovery"])?;
    let mut endpoints = Vec::new();
    if let Some(list) = root.child("endpoints") {
        for (i, e) in list.children_named("endpoint").enumerate() {
            let path = format!("endpoints[{i}]");
            endpoints.push(Endpoint {
                specification: e.text_of("specification").unwrap_or_default(),
                url: e.required("url", &path)?,
                changeset: e.datetime("changeset", &path)?,
                endpoint_type: e.text_of("type").unwrap_or_else(|| "production".into()),
                formats: e
                    .child("formats")
                    .map(|f| f.children_named("format").map(|x| x.text.trim().to_string()).collect())
                    .unwrap_or_default(),
            });
        }
    }
    Ok(Discovery {
        changeset: root.datetime("changeset", "discovery")?,
        contact: root.text_of("contact"),
        key_service: root.text_of("key_service"),
        endpoints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_hostile_and_broken_documents() {
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(parse(&deep).unwrap_err().message().contains("deeper"));
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><services>&a;</services>";
        assert!(parse(bomb).unwrap_err().message().contains("DOCTYPE"));
        assert!(parse("<services><service>").unwrap_err().message().contains("never closed"));
        assert!(parse("").unwrap_err().message().contains("empty"));
        assert!(parse("<a/><b/>").unwrap_err().message().contains("second root"));
        assert!(parse("<a>&nope;</a>").unwrap_err().message().contains("entity"));
        let e = parse("<a>caf&#233; &amp; <![CDATA[<b>]]> ñ</a>").unwrap();
        assert_eq!(e.text, "café & <b> ñ");
    }
}

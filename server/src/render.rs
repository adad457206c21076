//! Answers the core's Open311 writers do not make: requests with the
//! common extensions (`extensions=true`), a staff view with personal data,
//! tokens, and the answer to a department's update.
//!
//! The Open311 fields of a request are always written by the core's
//! writers, byte for byte as elsewhere; the extensions are added after
//! them, in each request's object or element.

use civic311::open311::{Format, Payload, Request, RequestList};
use civic311_store::{Personal, StoredRequest};
use quick_xml::escape::escape;
use serde_json::{Map, Value, json};

/// What one request shows.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct View {
    /// `extensions=true`: department, priority, escalation time, duplicate
    /// parent and notes.
    pub extensions: bool,
    /// A staff key of the request's department: personal data, and the
    /// internal notes among the notes.
    pub staff: bool,
}

/// Requests in Open311's list, each as `view` says.
pub(crate) fn requests(list: &[StoredRequest], format: Format, view: impl Fn(&StoredRequest) -> View) -> String {
    let open311 = RequestList(list.iter().map(|r| Request::from_service_request(&r.to_service_request())).collect());
    let views: Vec<View> = list.iter().map(&view).collect();
    if views.iter().all(|v| !v.extensions && !v.staff) {
        return open311.write(format);
    }
    match format {
        Format::Json => {
            let mut array: Vec<Value> = serde_json::from_str(&open311.to_json()).unwrap_or_default();
            for ((object, r), v) in array.iter_mut().zip(list).zip(&views) {
                if let Value::Object(map) = object {
                    for (k, value) in extra(r, *v) {
                        map.insert(k, value);
                    }
                }
            }
            Value::Array(array).to_string()
        }
        Format::Xml => {
            // Each request's element ends with `</request>`, which no
            // escaped text holds: the extensions go just before it.
            let xml = open311.to_xml();
            let mut out = String::with_capacity(xml.len() * 2);
            let mut parts = xml.split("</request>");
            let mut requests = list.iter().zip(&views);
            if let Some(first) = parts.next() {
                out.push_str(first);
            }
            for part in parts {
                if let Some((r, v)) = requests.next() {
                    // The core indents each field of a request by four
                    // spaces, and its closing tag by two.
                    for (k, value) in extra(r, *v) {
                        out.push_str("  ");
                        xml_value(&mut out, &k, &value);
                        out.push_str("\n  ");
                    }
                }
                out.push_str("</request>");
                out.push_str(part);
            }
            out
        }
    }
}

/// The fields a view adds to a request, in order.
fn extra(r: &StoredRequest, view: View) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if view.staff
        && let Some(p) = &r.personal
    {
        out.extend(personal(p));
    }
    if view.extensions {
        let mut ext = Map::new();
        ext.insert("department".into(), json!(r.department));
        ext.insert("priority".into(), json!(r.priority.map(|p| p.as_str())));
        ext.insert("channel".into(), json!(r.channel.map(|c| c.as_str())));
        ext.insert("escalation_datetime".into(), json!(r.escalation.as_ref().map(|e| e.at.to_string())));
        ext.insert("parent_service_request_id".into(), json!(r.duplicate_of));
        ext.insert("referred_to".into(), json!(r.referred_to));
        out.push(("extended_attributes".into(), Value::Object(ext)));
        let notes: Vec<Value> = r
            .history
            .iter()
            .filter(|e| e.public || view.staff)
            .map(|e| {
                let mut note = Map::new();
                note.insert("datetime".into(), json!(e.at.to_string()));
                note.insert(
                    "summary".into(),
                    json!(e.note.clone().unwrap_or_else(|| e.kind.as_str().replace('_', " "))),
                );
                note.insert("type".into(), json!(e.kind.as_str()));
                if view.staff {
                    note.insert("public".into(), json!(e.public));
                    note.insert("actor".into(), json!(e.actor));
                }
                Value::Object(note)
            })
            .collect();
        out.push(("notes".into(), Value::Array(notes)));
    }
    out
}

fn personal(p: &Personal) -> Vec<(String, Value)> {
    [
        ("first_name", &p.first_name),
        ("last_name", &p.last_name),
        ("email", &p.email),
        ("phone", &p.phone),
        ("device_id", &p.device_id),
        ("account_id", &p.account_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), json!(v))))
    .collect()
}

/// A JSON value as XML: objects as elements of their keys, arrays as
/// repeated elements of the singular name (`notes` holds `note`s).
fn xml_value(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => {
            out.push_str(&format!("<{name}/>"));
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                xml_value(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            let item = name.strip_suffix('s').unwrap_or("item");
            for v in items {
                xml_value(out, item, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s.as_str()))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// The answer of `GET tokens/{token}`.
pub(crate) fn token(token: &str, id: &str, format: Format) -> String {
    match format {
        Format::Json => json!([{ "service_request_id": id, "token": token }]).to_string(),
        Format::Xml => format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request><service_request_id>{}</service_request_id><token>{}</token></request></service_requests>",
            escape(id),
            escape(token)
        ),
    }
}

/// The answer of `POST servicerequestupdates`, as FixMyStreet reads it.
pub(crate) fn update_ids(ids: &[String], format: Format) -> String {
    match format {
        Format::Json => Value::Array(ids.iter().map(|id| json!({ "update_id": id })).collect()).to_string(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><service_request_updates>");
            for id in ids {
                out.push_str(&format!(
                    "<request_update><update_id>{}</update_id></request_update>",
                    escape(id.as_str())
                ));
            }
            out.push_str("</service_request_updates>");
            out
        }
    }
}

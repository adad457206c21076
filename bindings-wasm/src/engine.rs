//! `Engine`: mirrors `civic311::Engine` for web pages. It is loaded from a
//! bundle built natively (`civic311 bundle`), so a browser never indexes;
//! results are plain objects with the Rust field names.

use civic311::search::MAX_LIMIT;
use civic311::{AnswerKind, DateTime, SearchOptions};
use jiff::Timestamp;
use wasm_bindgen::prelude::*;

use crate::errors::{js_error, to_js};
use crate::to_plain;

/// An engine: search, completions, classification, triage and routing
/// over one catalog.
#[wasm_bindgen]
pub struct Engine {
    inner: civic311::Engine,
}

fn query_error(message: String) -> JsValue {
    js_error("QueryError", &message)
}

/// A value as an error message shows it: strings quoted, numbers as they
/// are, anything else by its type.
fn show(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        let clipped: String = s.chars().take(40).collect();
        format!("{clipped:?}")
    } else if let Some(n) = v.as_f64() {
        n.to_string()
    } else if js_sys::Array::is_array(v) {
        "an array".into()
    } else {
        format!("a value of type {}", v.js_typeof().as_string().unwrap_or_default())
    }
}

/// Reads a count option: a whole number from 0 to `max`.
fn count(value: &JsValue, name: &str, max: usize) -> Result<usize, JsValue> {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= 0.0 && n <= max as f64 => Ok(n as usize),
        _ => Err(query_error(format!("{name} must be a whole number from 0 to {max}, not {}", show(value)))),
    }
}

/// A count that may be left out (`undefined` or `null`): then `default`.
fn count_or(value: &JsValue, name: &str, max: usize, default: usize) -> Result<usize, JsValue> {
    if value.is_undefined() || value.is_null() { Ok(default) } else { count(value, name, max) }
}

fn string(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| query_error(format!("{name} must be a string, not {}", show(value))))
}

/// Reads an instant: a `Date`, milliseconds since 1970, or an RFC 3339
/// string with an offset.
fn instant(value: &JsValue, name: &str) -> Result<Timestamp, JsValue> {
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return Timestamp::from_millisecond(date.get_time() as i64)
            .map_err(|_| js_error("FormatError", &format!("{name} is an invalid Date")));
    }
    if let Some(ms) = value.as_f64() {
        return Timestamp::from_millisecond(ms as i64).map_err(|_| {
            js_error("FormatError", &format!("{name} = {ms} is out of range of milliseconds since 1970"))
        });
    }
    if let Some(s) = value.as_string() {
        return DateTime::parse(&s).map(|t| t.timestamp()).map_err(to_js);
    }
    Err(js_error(
        "FormatError",
        &format!("{name} must be a Date, milliseconds or an RFC 3339 string, not {}", show(value)),
    ))
}

/// The own properties of an options object, with their values; `undefined`
/// and `null` options are an empty list. Unknown names are refused.
fn options(value: &JsValue, what: &str, known: &[&str]) -> Result<Vec<(String, JsValue)>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(query_error(format!("{what} options must be an object such as {{limit: 5}}, not {}", show(value))));
    }
    let mut out = Vec::new();
    for entry in js_sys::Object::entries(value.unchecked_ref()).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(query_error(format!("unknown {what} option '{key}'; the options are {}", known.join(", "))));
        }
        let v = pair.get(1);
        if !v.is_undefined() && !v.is_null() {
            out.push((key, v));
        }
    }
    Ok(out)
}

#[wasm_bindgen]
impl Engine {
    /// Loads an engine from bundle bytes (`civic311 bundle DIR -o FILE`).
    /// A truncated or altered bundle throws a `BundleError`.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(bytes: &[u8]) -> Result<Engine, JsValue> {
        civic311::Engine::from_bundle(bytes).map(|inner| Engine { inner }).map_err(to_js)
    }

    /// Loads an engine from bundle bytes with a sentence encoder attached:
    /// searches rank by words and meaning. The bundle should carry the
    /// answers' vectors made by the same encoder (`civic311 bundle
    /// --encoder DIR`); otherwise every answer is encoded now, on the page's
    /// one thread (seconds to minutes).
    #[cfg(feature = "hybrid")]
    #[wasm_bindgen(js_name = fromBundleWithEncoder)]
    pub fn from_bundle_with_encoder(bytes: &[u8], encoder: &Encoder) -> Result<Engine, JsValue> {
        let inner = civic311::Engine::from_bundle(bytes).map_err(to_js)?;
        Ok(Engine { inner: inner.with_encoder(encoder.inner.clone()) })
    }

    /// Whether searches are hybrid (an encoder is attached and the answers have its vectors).
    #[wasm_bindgen(getter, js_name = isHybrid)]
    pub fn is_hybrid(&self) -> bool {
        self.inner.is_hybrid()
    }

    /// The catalog's name.
    #[wasm_bindgen(getter, js_name = catalogName)]
    pub fn catalog_name(&self) -> String {
        self.inner.catalog().name().to_string()
    }

    /// The languages articles may be written in; the first is the default.
    #[wasm_bindgen(getter)]
    pub fn languages(&self) -> Vec<String> {
        self.inner.catalog().languages().to_vec()
    }

    /// How many answers (articles, services, facilities) the engine searches.
    #[wasm_bindgen(getter, js_name = answerCount)]
    pub fn answer_count(&self) -> usize {
        self.inner.answer_count()
    }

    /// Answers a question, best first. Options: `limit` (default 5, at most
    /// 100), `lang` ("en", "es"), `kinds` (["article", "service",
    /// "facility"]), `department`, `now` (a Date, milliseconds or RFC 3339:
    /// the instant facilities' "open now" is computed at).
    pub fn search(&self, query: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let mut opts = SearchOptions::default();
        for (key, v) in self::options(&options, "search", &["limit", "lang", "kinds", "department", "now"])? {
            match key.as_str() {
                "limit" => opts.limit = count(&v, "limit", MAX_LIMIT)?,
                "lang" => opts.lang = Some(string(&v, "lang")?),
                "department" => opts.department = Some(string(&v, "department")?),
                "now" => opts.now = Some(instant(&v, "now")?),
                _ => {
                    let kinds: js_sys::Array = v
                        .clone()
                        .dyn_into()
                        .map_err(|_| query_error(format!("kinds must be an array of strings, not {}", show(&v))))?;
                    for k in kinds.iter() {
                        let name = string(&k, "kinds[]")?;
                        opts.kinds.push(AnswerKind::parse(&name).ok_or_else(|| {
                            query_error(format!("unknown kind '{name}'; use {}", AnswerKind::NAMES.join(", ")))
                        })?);
                    }
                }
            }
        }
        to_plain(&self.inner.search(query, &opts).map_err(to_js)?)
    }

    /// Answers a question, or names the department to ask. Options:
    /// `limit` (default 3, at most 20), `lang`, `minConfidence` (0 to 1,
    /// default 0.5: under it the question is escalated), `now`. Returns
    /// `{answered, confidence, answers, escalation, emergency, signals}`.
    /// The first call trains the catalog's classifier, which names the
    /// department.
    pub fn answer(&self, question: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let mut opts = civic311::AnswerOptions::default();
        for (key, v) in self::options(&options, "answer", &["limit", "lang", "minConfidence", "now"])? {
            match key.as_str() {
                "limit" => opts.limit = count(&v, "limit", 20)?,
                "lang" => opts.lang = Some(string(&v, "lang")?),
                "now" => opts.now = Some(instant(&v, "now")?),
                _ => {
                    opts.min_confidence = v.as_f64().map(|f| f as f32).ok_or_else(|| {
                        query_error(format!("minConfidence must be a number from 0 to 1, not {}", show(&v)))
                    })?;
                }
            }
        }
        to_plain(&self.inner.answer(question, &opts).map_err(to_js)?)
    }

    /// Completions of what a resident is typing, best first (`limit`,
    /// default 5).
    pub fn suggest(&self, prefix: &str, limit: JsValue) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.suggest(prefix, count_or(&limit, "limit", MAX_LIMIT, 5)?))
    }

    /// The `limit` (default 3) most likely categories of a text, with
    /// probabilities. The first call trains the catalog's zero-shot model,
    /// which takes a few seconds in a browser.
    pub fn classify(&self, text: &str, limit: JsValue) -> Result<JsValue, JsValue> {
        let limit = count_or(&limit, "limit", civic311::classify::MAX_SUGGESTIONS, 3)?;
        to_plain(&self.inner.classify(text, limit).map_err(to_js)?)
    }

    /// Whether a text is an emergency for 911, a report (with categories)
    /// or a question (with answers).
    pub fn triage(&self, text: &str) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.triage(text).map_err(to_js)?)
    }

    /// Routes a request (a plain object with Open311 field names;
    /// attributes under `attribute`): who delivers it, how urgent it is,
    /// when it is due, and why. `now` (a Date, milliseconds or RFC 3339;
    /// default: the current time) stands in for a missing
    /// `requested_datetime`. An invalid request throws a `ValidationError`
    /// whose `errors` is the Open311 error array.
    pub fn route(&self, request: JsValue, now: JsValue) -> Result<JsValue, JsValue> {
        // Note: the request is read through JSON text, not walked directly:
        // JSON.stringify refuses a cyclic object and serde_json one nested
        // past 128 levels, where a walk into the value would overflow the
        // wasm stack (a trap that leaves the engine unusable).
        let text = js_sys::JSON::stringify(&request).map_err(|e| {
            let why = e.as_string().or_else(|| js_sys::Error::from(e).message().as_string()).unwrap_or_default();
            js_error(
                "FormatError",
                &format!("a request is an object with Open311 field names; this one cannot be read as JSON: {why}"),
            )
        })?;
        let text = text.as_string().unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| js_error("FormatError", &format!("a request is an object with Open311 field names: {e}")))?;
        if !value.is_object() {
            return Err(js_error(
                "FormatError",
                "a request is an object with Open311 field names, such as {service_code: \"ST-POTHOLE\", lat: 38.95, long: -90.95}",
            ));
        }
        let request = civic311::open311::NewRequest::from_json_value(&value).map_err(to_js)?;
        let now = if now.is_undefined() || now.is_null() { Timestamp::now() } else { instant(&now, "now")? };
        to_plain(&self.inner.route(&request, now).map_err(to_js)?)
    }
}

/// A sentence encoder (all-MiniLM-L6-v2 as `scripts/fetch-encoder.sh`
/// unpacks it), made from its files' contents.
#[cfg(feature = "hybrid")]
#[wasm_bindgen]
pub struct Encoder {
    inner: std::sync::Arc<civic311::Encoder>,
}

#[cfg(feature = "hybrid")]
#[wasm_bindgen]
impl Encoder {
    /// Reads an encoder from its `config.json` and `tokenizer.json` (text),
    /// `model.safetensors` (bytes) and, optionally,
    /// `sentence_bert_config.json` (text; its `max_seq_length`, 256 when
    /// left out). Files that are not a BERT sentence encoder throw a
    /// `ModelError` naming the file.
    #[wasm_bindgen(constructor)]
    pub fn new(
        config: &str,
        tokenizer: &str,
        weights: &[u8],
        sentence_config: Option<String>,
    ) -> Result<Encoder, JsValue> {
        civic311::Encoder::from_parts("encoder", config, tokenizer, weights, sentence_config.as_deref())
            .map(|e| Encoder { inner: std::sync::Arc::new(e) })
            .map_err(to_js)
    }

    /// A text's vector: unit length, `dim` numbers.
    pub fn encode(&self, text: &str) -> Vec<f32> {
        self.inner.encode(text)
    }

    /// The vectors' dimension (384 for all-MiniLM-L6-v2).
    #[wasm_bindgen(getter)]
    pub fn dim(&self) -> usize {
        self.inner.dim()
    }
}

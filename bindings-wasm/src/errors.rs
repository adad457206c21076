//! The one place a civic311 error becomes a JavaScript `Error`.

use wasm_bindgen::prelude::*;

/// A JavaScript `Error` with a `name`.
pub(crate) fn js_error(name: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name(name);
    err.into()
}

/// Converts a civic311 error: its kind's name (such as `CatalogError`), its
/// message, and its `problems` (catalog) and `errors` (Open311) as arrays.
pub(crate) fn to_js(err: civic311::Error) -> JsValue {
    let value = js_error(err.kind().name(), &err.to_string());
    let problems = js_sys::Array::new();
    for p in err.problems() {
        let o = js_sys::Object::new();
        set(&o, "file", &JsValue::from_str(&p.file));
        set(&o, "line", &p.line.map(JsValue::from).unwrap_or(JsValue::NULL));
        set(&o, "field", &JsValue::from_str(&p.field));
        set(&o, "message", &JsValue::from_str(&p.message));
        problems.push(&o);
    }
    let errors = js_sys::Array::new();
    for e in err.open311_errors() {
        let o = js_sys::Object::new();
        set(&o, "code", &JsValue::from(e.code));
        set(&o, "description", &JsValue::from_str(&e.description));
        errors.push(&o);
    }
    set(value.unchecked_ref(), "problems", &problems);
    set(value.unchecked_ref(), "errors", &errors);
    value
}

fn set(target: &js_sys::Object, key: &str, value: &JsValue) {
    // Note: setting a property on a fresh plain object cannot fail; the
    // result is ignored so that no error path can panic.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

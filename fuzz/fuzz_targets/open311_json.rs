//! Open311 JSON: every payload's reader (the first byte chooses), and a
//! form-encoded POST body; what reads is written and read again.
#![no_main]
use civic311::open311::{Discovery, ErrorList, NewRequest, Payload, PostResponseList, RequestList, ServiceDefinition, ServiceList};
use libfuzzer_sys::fuzz_target;

fn again<P: Payload>(text: &str) {
    if let Ok(p) = P::from_json(text) {
        let written = p.to_json();
        P::from_json(&written).expect("what civic311 writes, it reads");
        let _ = p.to_xml();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = civic311_fuzz::selector(data) else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match which % 8 {
        0 => again::<ServiceList>(text),
        1 => again::<ServiceDefinition>(text),
        2 => again::<RequestList>(text),
        3 => again::<PostResponseList>(text),
        4 => again::<ErrorList>(text),
        5 => again::<Discovery>(text),
        6 => {
            let _ = NewRequest::from_form(text);
        }
        _ => {
            if let Ok(r) = NewRequest::from_json(text) {
                NewRequest::from_json(&r.to_json()).expect("a request civic311 writes, it reads");
            }
        }
    }
});

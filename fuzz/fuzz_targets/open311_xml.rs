//! Open311 XML: every payload's reader (the first byte chooses); what reads
//! is written and read again.
#![no_main]
use civic311::open311::{Discovery, ErrorList, Payload, PostResponseList, RequestList, ServiceDefinition, ServiceList};
use libfuzzer_sys::fuzz_target;

fn again<P: Payload>(text: &str) {
    if let Ok(p) = P::from_xml(text) {
        let written = p.to_xml();
        P::from_xml(&written).expect("what civic311 writes, it reads");
        let _ = p.to_json();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = civic311_fuzz::selector(data) else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match which % 6 {
        0 => again::<ServiceList>(text),
        1 => again::<ServiceDefinition>(text),
        2 => again::<RequestList>(text),
        3 => again::<PostResponseList>(text),
        4 => again::<ErrorList>(text),
        _ => again::<Discovery>(text),
    }
});

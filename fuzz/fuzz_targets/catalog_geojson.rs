//! boundaries.geojson in place of the small catalog's own.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    civic311_fuzz::load_with("boundaries.geojson", text);
});

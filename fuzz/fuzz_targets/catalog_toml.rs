//! catalog.toml, routing.toml, facilities.toml or triage.toml (the first byte chooses),
//! in place of the small catalog's own.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = civic311_fuzz::selector(data) else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let name = ["catalog.toml", "routing.toml", "facilities.toml", "triage.toml"][which as usize % 4];
    civic311_fuzz::load_with(name, text);
});

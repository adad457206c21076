//! An article (TOML front matter and a Markdown body) added to the small catalog.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    civic311_fuzz::load_with("articles/fuzzed.md", text);
});

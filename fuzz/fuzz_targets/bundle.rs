//! Bundle bytes. With an even first byte the header's length and checksum
//! are set to match what follows, so that the fuzzer gets past them to the
//! sections (a crafted bundle, not a damaged one); with an odd one the
//! bytes are loaded as they are.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: {
    // Natively, a panic inside tantivy while a bundle loads is caught and
    // becomes an error; libFuzzer's own hook would count it as a crash, so
    // panics are reported by their effect instead: one that escapes the
    // library still aborts the run.
    std::panic::set_hook(Box::new(|info| eprintln!("caught inside civic311: {info}")));
}, |data: &[u8]| {
    let Some((mode, rest)) = civic311_fuzz::selector(data) else { return };
    let mut bytes = rest.to_vec();
    if mode % 2 == 0 && bytes.len() >= 32 {
        let payload_len = (bytes.len() - 32) as u64;
        let checksum = civic311_fuzz::xxh3(&bytes[32..]);
        bytes[16..24].copy_from_slice(&payload_len.to_le_bytes());
        bytes[24..32].copy_from_slice(&checksum.to_le_bytes());
    }
    if let Ok(engine) = civic311::Engine::from_bundle(&bytes) {
        let _ = engine.search("pothole on maple", &Default::default());
        let _ = engine.suggest("po", 5);
        let _ = engine.triage("my basement is flooding");
        let request = civic311::open311::NewRequest::new("ST-POTHOLE");
        let _ = engine.route(&request, jiff::Timestamp::UNIX_EPOCH);
        let again = engine.to_bundle().expect("a loaded engine saves");
        civic311::Engine::from_bundle(&again).expect("what saved, loads");
    }
});

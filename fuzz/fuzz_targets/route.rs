//! A routing request: Open311 JSON routed by Riverton's engine at a moment
//! the first eight bytes choose.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: {
    // The engine is built (and its zero-shot model trained) before the first input.
    civic311_fuzz::riverton();
}, |data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (clock, rest) = data.split_at(8);
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let Ok(request) = civic311::open311::NewRequest::from_json(text) else { return };
    let seconds = i64::from_le_bytes(clock.try_into().unwrap_or_default());
    // Anywhere in 1900..2200, so that holidays and daylight saving are crossed.
    let now = jiff::Timestamp::from_second(-2_208_988_800 + seconds.rem_euclid(9_467_280_000)).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    if let Ok(routing) = civic311_fuzz::riverton().route(&request, now) {
        let asked = routing.requested_datetime.timestamp();
        if let Some(due) = routing.expected_datetime {
            assert!(due.timestamp() >= asked, "due {due} before the request at {asked}");
        }
    }
});

//! Small text helpers shared across modules.

/// The first `max` characters of `s`, with "..." when cut: for quoting a
/// resident's input in an error message without echoing 10 kB of it.
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clips_on_char_boundaries() {
        assert_eq!(super::clip("añob", 2), "añ...");
        assert_eq!(super::clip("", 2), "");
        assert_eq!(super::clip("ab", 2), "ab");
    }
}

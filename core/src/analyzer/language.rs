//! The languages the analyzer knows, and telling them apart in a short text.

use std::fmt;

use super::stop_words;

/// A language the analyzer stems and knows stop words for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    English,
    Spanish,
}

impl Language {
    /// Every language, in a fixed order.
    pub const ALL: [Language; 2] = [Language::English, Language::Spanish];

    /// From an ISO 639-1 code such as "en" or "es".
    pub fn from_code(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Language::English),
            "es" => Some(Language::Spanish),
            _ => None,
        }
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Spanish => "es",
        }
    }

    pub(crate) fn stop_words(self) -> &'static [&'static str] {
        match self {
            Language::English => stop_words::ENGLISH,
            Language::Spanish => stop_words::SPANISH,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Words that mark a text as English or Spanish, folded. Words common to
/// both ("a", "no", "me", "son") are left out: they say nothing.
const ENGLISH_MARKERS: &[&str] = &[
    "and", "are", "can", "do", "does", "for", "from", "have", "how", "i", "in", "is", "it", "my", "of", "on", "the",
    "there", "to", "what", "when", "where", "who", "why", "with", "you",
];
const SPANISH_MARKERS: &[&str] = &[
    "al", "como", "con", "cual", "cuando", "de", "del", "donde", "el", "en", "esta", "hay", "la", "las", "los", "mi",
    "para", "por", "puedo", "que", "quien", "se", "su", "un", "una", "y",
];

/// The length in bytes of the longest marker.
const MARKER_MAX_LEN: usize = 6;

/// Guesses the language of a short text (a query, a phrasing) from its
/// marker words and its letters; `None` when it cannot tell, as with a
/// single word such as "bache" or "pothole".
///
/// ```
/// use civic311::analyzer::{Language, detect_language};
///
/// assert_eq!(detect_language("how do I report a pothole"), Some(Language::English));
/// assert_eq!(detect_language("¿dónde pago la factura del agua?"), Some(Language::Spanish));
/// assert_eq!(detect_language("bache"), None);
/// ```
pub fn detect_language(text: &str) -> Option<Language> {
    let mut english = 0i32;
    let mut spanish = 0i32;
    if text.contains(['¿', '¡', 'ñ', 'Ñ']) {
        spanish += 2;
    }
    if text.contains(['á', 'é', 'í', 'ó', 'ú', 'Á', 'É', 'Í', 'Ó', 'Ú']) {
        spanish += 1;
    }
    let mut word = String::new();
    for w in unicode_segmentation::UnicodeSegmentation::unicode_words(text).take(64) {
        word.clear();
        super::fold::fold_into(w, &mut word);
        // Note: every marker is short; longer words skip the searches
        // (this runs on every text the classifier trains on).
        if word.len() > MARKER_MAX_LEN {
            continue;
        }
        if ENGLISH_MARKERS.binary_search(&word.as_str()).is_ok() {
            english += 1;
        }
        if SPANISH_MARKERS.binary_search(&word.as_str()).is_ok() {
            spanish += 1;
        }
    }
    match english.cmp(&spanish) {
        std::cmp::Ordering::Greater => Some(Language::English),
        std::cmp::Ordering::Less => Some(Language::Spanish),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_lists_are_sorted() {
        assert!(ENGLISH_MARKERS.windows(2).all(|w| w[0] < w[1]));
        assert!(SPANISH_MARKERS.windows(2).all(|w| w[0] < w[1]));
        let longest = ENGLISH_MARKERS.iter().chain(SPANISH_MARKERS).map(|w| w.len()).max();
        assert_eq!(longest, Some(MARKER_MAX_LEN));
    }

    #[test]
    fn tells_english_from_spanish() {
        assert_eq!(detect_language("my neighbor's grass is two feet tall"), Some(Language::English));
        assert_eq!(detect_language("se llevo la grua mi carro"), Some(Language::Spanish));
        assert_eq!(detect_language("como reporto un bache en mi calle"), Some(Language::Spanish));
        assert_eq!(detect_language("recolección"), Some(Language::Spanish));
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language("311"), None);
        assert_eq!(Language::from_code("ES"), Some(Language::Spanish));
        assert_eq!(Language::from_code("fr"), None);
    }
}

//! Lower-casing and diacritic folding: "Vehículo" and "VEHICULO" become
//! "vehiculo", "Straße" becomes "strasse".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Appends the folded form of `word` to `out`: lower case, canonical
/// decomposition with combining marks dropped, and the letters that do not
/// decompose (ß, æ, œ, ø, ł, đ, þ, ı) spelled out in ASCII.
pub(crate) fn fold_into(word: &str, out: &mut String) {
    // Note: the common case, ASCII, skips normalization entirely.
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    for c in word.chars().flat_map(char::to_lowercase).nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            // Typographic apostrophes read as the plain one, so that
            // "neighbor’s" and "neighbor's" stem alike.
            '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
            c => out.push(c),
        }
    }
}

/// The folded form of a whole string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_and_marks() {
        assert_eq!(fold("Vehículo"), "vehiculo");
        assert_eq!(fold("NIÑO"), "nino");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Ærø Łódź"), "aero lodz");
        assert_eq!(fold("neighbor’s"), "neighbor's");
        assert_eq!(fold(""), "");
        // Note: ŉ has only a compatibility decomposition, which NFD keeps.
        assert_eq!(fold("ŉ İstanbul"), "ŉ istanbul");
    }
}

//! Stop words: words too common to tell one answer from another. The lists
//! are short on purpose: "not", "no", "off", "out" and "open" carry meaning
//! in a 311 question ("light out", "water off", "is it open").

/// English stop words, folded.
pub(crate) const ENGLISH: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could",
    "did", "do", "does", "doing", "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers", "him",
    "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "me", "my", "myself", "of", "on",
    "or", "our", "ours", "please", "she", "should", "so", "some", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "too", "us", "very", "was", "we", "were", "what", "when", "where",
    "which", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
];

/// Spanish stop words, folded (so "como" stands for "cómo" too).
pub(crate) const SPANISH: &[&str] = &[
    "a", "al", "algo", "ante", "como", "con", "cual", "cuando", "de", "del", "donde", "el", "ella", "ellas", "ellos",
    "en", "entre", "era", "es", "esa", "ese", "eso", "esta", "estan", "este", "esto", "fue", "ha", "hay", "la", "las",
    "le", "les", "lo", "los", "me", "mi", "mis", "muy", "nos", "o", "para", "pero", "por", "porque", "que", "quien",
    "se", "si", "sin", "son", "su", "sus", "te", "tu", "tus", "u", "un", "una", "unas", "uno", "unos", "y", "ya", "yo",
];

pub(crate) fn is_stop_word(list: &[&str], word: &str) -> bool {
    // Note: the lists are sorted, so this is a binary search (checked by a test).
    list.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_folded() {
        for list in [ENGLISH, SPANISH] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted without duplicates");
            assert!(list.iter().all(|w| crate::analyzer::fold(w) == *w), "folded");
        }
        assert!(is_stop_word(ENGLISH, "the") && !is_stop_word(ENGLISH, "out"));
        assert!(is_stop_word(SPANISH, "donde") && !is_stop_word(SPANISH, "basura"));
    }
}

//! BERT's uncased WordPiece tokenizer, as the model was trained with it
//! (Hugging Face's `BertNormalizer`, `BertPreTokenizer` and `WordPiece`):
//! control characters dropped, Chinese characters set apart, accents
//! stripped and letters lower-cased; words split at white space and at
//! every punctuation mark; each word cut greedily into the longest pieces
//! the vocabulary knows (`##` marks a piece inside a word), or `[UNK]`.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::{Error, ErrorKind, Result};

/// Words longer than this (in characters) are `[UNK]`, as in BERT.
const MAX_WORD_CHARS: usize = 100;

/// A WordPiece vocabulary and the ids of its special tokens.
#[derive(Debug)]
pub(crate) struct WordPiece {
    vocab: HashMap<String, u32>,
    pub(crate) cls: u32,
    pub(crate) sep: u32,
    unk: u32,
}

impl WordPiece {
    /// Reads the vocabulary from a Hugging Face `tokenizer.json` (its
    /// `model.vocab`), refusing any tokenizer other than an uncased WordPiece.
    pub(crate) fn from_tokenizer_json(text: &str, path: &str) -> Result<WordPiece> {
        let bad = |why: String| {
            Error::new(
                ErrorKind::Model,
                format!("{path}: {why}; an encoder folder needs the tokenizer.json of a BERT (WordPiece) model"),
            )
        };
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(format!("not JSON ({e})")))?;
        let model = &json["model"];
        if model["type"].as_str() != Some("WordPiece") {
            return Err(bad(format!("the tokenizer is {}, not WordPiece", model["type"])));
        }
        if json["normalizer"]["lowercase"].as_bool() == Some(false) {
            return Err(bad("the tokenizer is cased; civic311 reads uncased models".into()));
        }
        let Some(entries) = model["vocab"].as_object() else { return Err(bad("it has no model.vocab".into())) };
        let mut vocab = HashMap::with_capacity(entries.len());
        for (piece, id) in entries {
            let id = id
                .as_u64()
                .and_then(|i| u32::try_from(i).ok())
                .ok_or_else(|| bad(format!("the id of '{piece}' is not a number")))?;
            vocab.insert(piece.clone(), id);
        }
        let special = |t: &str| vocab.get(t).copied().ok_or_else(|| bad(format!("the vocabulary has no {t}")));
        Ok(WordPiece { cls: special("[CLS]")?, sep: special("[SEP]")?, unk: special("[UNK]")?, vocab })
    }

    /// The number of pieces in the vocabulary.
    pub(crate) fn len(&self) -> usize {
        self.vocab.len()
    }

    /// The text's token ids, `[CLS]` first and `[SEP]` last, at most `max`
    /// in all (the rest of a long text is cut, as the model saw in training).
    pub(crate) fn encode(&self, text: &str, max: usize) -> Vec<u32> {
        let mut ids = vec![self.cls];
        let budget = max.max(2) - 1;
        let normalized = normalize(text);
        let mut piece = String::new();
        'words: for word in pre_tokenize(&normalized) {
            if ids.len() >= budget {
                break;
            }
            let chars: Vec<(usize, char)> = word.char_indices().collect();
            if chars.len() > MAX_WORD_CHARS {
                ids.push(self.unk);
                continue;
            }
            let mark = ids.len();
            let mut start = 0;
            while start < chars.len() {
                let mut end = chars.len();
                let mut found = None;
                while start < end {
                    let from = chars[start].0;
                    let to = chars.get(end).map_or(word.len(), |c| c.0);
                    piece.clear();
                    if start > 0 {
                        piece.push_str("##");
                    }
                    piece.push_str(&word[from..to]);
                    if let Some(id) = self.vocab.get(piece.as_str()) {
                        found = Some(*id);
                        break;
                    }
                    end -= 1;
                }
                match found {
                    Some(id) => ids.push(id),
                    None => {
                        ids.truncate(mark);
                        ids.push(self.unk);
                        continue 'words;
                    }
                }
                start = end;
            }
        }
        ids.truncate(budget);
        ids.push(self.sep);
        ids
    }
}

/// BertNormalizer: control characters dropped, white space made spaces,
/// Chinese characters set apart, accents stripped, lower case.
fn normalize(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || (is_control(c)) {
            continue;
        }
        if c.is_whitespace() {
            cleaned.push(' ');
        } else if is_chinese(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    cleaned.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// BertPreTokenizer: words at white space, every punctuation mark a word.
fn pre_tokenize(text: &str) -> impl Iterator<Item = &str> {
    text.split(' ').filter(|w| !w.is_empty()).flat_map(|word| {
        let mut parts = Vec::new();
        let mut start = 0;
        for (i, c) in word.char_indices() {
            if is_punctuation(c) {
                if start < i {
                    parts.push(&word[start..i]);
                }
                parts.push(&word[i..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        if start < word.len() {
            parts.push(&word[start..]);
        }
        parts
    })
}

fn is_control(c: char) -> bool {
    // As BERT: tab, newline and carriage return are white space, not control.
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// ASCII's punctuation and symbols (as BERT counts them), and Unicode's
/// punctuation in the blocks residents' text carries: Latin-1's (¡ ¿ « »),
/// General Punctuation (’ “ ” – — …) and CJK's.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{a1}' | '\u{a7}' | '\u{ab}' | '\u{b6}' | '\u{b7}' | '\u{bb}' | '\u{bf}'
                | '\u{2010}'..='\u{2027}'
                | '\u{2030}'..='\u{205e}'
                | '\u{3001}'..='\u{3003}'
                | '\u{3008}'..='\u{3011}'
                | '\u{3014}'..='\u{301f}'
                | '\u{ff01}'..='\u{ff0f}'
        )
}

fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> WordPiece {
        let vocab = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "where", "is", "the", "pot", "##hole", "?", "cafe", "un", "##want",
            "##ed", ",",
        ];
        let json = serde_json::json!({
            "normalizer": {"lowercase": true},
            "model": {"type": "WordPiece", "vocab": vocab.iter().enumerate().map(|(i, p)| (p.to_string(), serde_json::json!(i))).collect::<serde_json::Map<_, _>>()}
        });
        WordPiece::from_tokenizer_json(&json.to_string(), "tokenizer.json").unwrap()
    }

    #[test]
    fn longest_pieces_first_and_unknown_words_whole() {
        let wp = tiny();
        assert_eq!(wp.encode("Where is the POTHOLE?", 64), vec![2, 4, 5, 6, 7, 8, 9, 3]);
        assert_eq!(wp.encode("unwanted, Café", 64), vec![2, 11, 12, 13, 14, 10, 3]);
        // "potx" cannot be finished: the whole word is unknown, not "pot" + [UNK].
        assert_eq!(wp.encode("potx is", 64), vec![2, 1, 5, 3]);
        assert_eq!(wp.encode("", 64), vec![2, 3]);
        assert_eq!(wp.encode("the the the the", 4), vec![2, 6, 6, 3]);
    }

    #[test]
    fn refuses_other_tokenizers() {
        let err = WordPiece::from_tokenizer_json(r#"{"model":{"type":"BPE"}}"#, "x/tokenizer.json").unwrap_err();
        assert!(err.to_string().contains("not WordPiece"), "{err}");
        assert!(WordPiece::from_tokenizer_json("nope", "t.json").unwrap_err().to_string().contains("not JSON"));
    }
}

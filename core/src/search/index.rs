//! The tantivy index of answers: its schema, building it in memory, and
//! reading it back from the files a bundle carries.

use std::collections::HashMap;
use std::path::Path;

use tantivy::directory::{Directory, RamDirectory};
use tantivy::index::SegmentComponent;
use tantivy::schema::{FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TokenizerManager;
use tantivy::{DocId, Index, IndexBuilder, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument};

use super::documents::AnswerDoc;
use super::vocabulary::Vocabulary;
use crate::analyzer::{Language, TantivyAnalyzer};
use crate::error::{Error, ErrorKind, Result};

/// The text fields of one language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LangFields {
    pub title: Field,
    pub questions: Field,
    pub keywords: Field,
    pub body: Field,
}

impl LangFields {
    /// Each field with its weight: title and questions above keywords above body.
    pub(crate) fn weighted(&self) -> [(Field, f32); 4] {
        [(self.title, 3.0), (self.questions, 2.5), (self.keywords, 2.0), (self.body, 1.0)]
    }
}

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
        let c = l.code();
        LangFields {
            title: b.add_text_field(&format!("title_{c}"), options.clone()),
            questions: b.add_text_field(&format!("questions_{c}"), options.clone()),
            keywords: b.add_text_field(&format!("keywords_{c}"), options.clone()),
            body: b.add_text_field(&format!("body_{c}"), options),
        }
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
                for (values, field) in [
                    (&texts.title, lf.title),
                    (&texts.questions, lf.questions),
                    (&texts.keywords, lf.keywords),
                    (&texts.body, lf.body),
                ] {
                    for v in values {
                        d.add_text(field, v);
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

    /// The stems of each language's fields, from the term dictionaries, with
    /// their largest document frequency over the fields.
    fn read_vocabularies(&self) -> Result<[Vocabulary; 2]> {
        let searcher = self.reader.searcher();
        let mut out: [Vocabulary; 2] = Default::default();
        for (i, lf) in self.fields.text.iter().enumerate() {
            let mut freq: HashMap<String, u32> = HashMap::new();
            for segment in searcher.segment_readers() {
                for field in [lf.title, lf.questions, lf.keywords, lf.body] {
                    let inverted =
                        segment.inverted_index(field).map_err(|e| index_error("cannot read the search index", e))?;
                    let mut stream =
                        inverted.terms().stream().map_err(|e| index_error("cannot read the search index", e))?;
                    while stream.advance() {
                        if let Ok(stem) = std::str::from_utf8(stream.key()) {
                            let df = stream.value().doc_freq;
                            let e = freq.entry(stem.to_string()).or_insert(0);
                            *e = (*e).max(df);
                        }
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

    /// The answer position of a document.
    pub(crate) fn ord(&self, searcher: &tantivy::Searcher, address: tantivy::DocAddress) -> Option<usize> {
        let segment = searcher.segment_reader(address.segment_ord);
        let column = segment.fast_fields().u64("ord").ok()?;
        column.first(address.doc_id as DocId).map(|v| v as usize)
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
        let directory = RamDirectory::create();
        for (name, bytes) in files {
            directory
                .atomic_write(Path::new(name), bytes)
                .map_err(|e| index_error(&format!("cannot load index file {name}"), e))?;
        }
        let mut index =
            Index::open(directory.clone()).map_err(|e| index_error("the bundle's search index cannot be opened", e))?;
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Err(Error::new(
                ErrorKind::Bundle,
                "the bundle's search index has another schema; rebuild the bundle with this version of civic311",
            ));
        }
        index.set_tokenizers(tokenizers());
        SearchIndex::open_index(index, directory, fields)
    }

    pub(crate) fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

//! The catalog: jurisdictions, departments, service categories, knowledge
//! articles, facilities, calendars and boundaries, loaded from a folder and
//! validated as a whole.
//!
//! A catalog is a folder (see `docs/catalog-format.md`): `catalog.toml`,
//! `routing.toml`, `facilities.toml`, `boundaries.geojson`, `triage.toml`
//! and `articles/*.md`.
//! Only `articles/` is required. Loading reports every problem at once, each
//! with its file, line, field, bad value and what would be accepted:
//!
//! ```
//! use civic311::Catalog;
//!
//! let dir = std::env::temp_dir().join(format!("civic311-doc-{}", std::process::id()));
//! std::fs::create_dir_all(dir.join("articles"))?;
//! std::fs::write(dir.join("articles/hours.md"), "+++\nid = \"hours\"\ntitle = \"City Hall hours\"\nservices = [\"PTH-9\"]\n+++\nOpen 8 to 5.\n")?;
//! let err = Catalog::load(&dir).unwrap_err();
//! assert_eq!(err.problems()[0].to_string(),
//!     "articles/hours.md:4: services[0]: unknown service code 'PTH-9' (none are defined; defined by [[services]] in catalog.toml)");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod articles;
mod boundaries;
mod calendar;
mod hours;
mod load;
mod model;
mod opening;
mod source;
mod stored;

use std::collections::HashMap;
use std::path::Path;

pub use boundaries::{Boundary, Placement};
pub use calendar::{Calendar, Holiday, HolidayRule};
pub use hours::{DAY_NAMES, HoursException, TimeRange, WeeklyHours};
pub use model::{
    Article, Attribute, AttributeValue, Datatype, Department, Facility, Jurisdiction, JurisdictionKind, Location,
    ServiceCategory, ServiceType, SynonymGroup,
};
pub use opening::{DayHours, HoursReason, OpenStatus};
pub use source::SourceFile;
pub(crate) use source::{FileCtx, did_you_mean};

use crate::error::{Error, Problem, Result};

/// A map by id with a fast hash: ids are short, trusted strings, looked up
/// several times per routing.
pub(crate) type IdMap = HashMap<String, usize, std::hash::BuildHasherDefault<crate::analyzer::FnvHasher>>;

/// Positions of every id in its list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Indexes {
    pub(crate) jurisdictions: IdMap,
    pub(crate) departments: IdMap,
    pub(crate) services: IdMap,
    pub(crate) articles: IdMap,
    pub(crate) facilities: IdMap,
    pub(crate) calendars: IdMap,
    pub(crate) boundaries: IdMap,
}

/// A validated catalog.
///
/// ```
/// let catalog = civic311::Catalog::riverton()?;
/// let pothole = catalog.service("ST-POTHOLE").unwrap();
/// assert_eq!(catalog.department(&pothole.department).unwrap().name, "Public Works: Street Maintenance");
/// # Ok::<(), civic311::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) name: String,
    pub(crate) default_jurisdiction: Option<String>,
    pub(crate) languages: Vec<String>,
    pub(crate) jurisdictions: Vec<Jurisdiction>,
    pub(crate) departments: Vec<Department>,
    pub(crate) services: Vec<ServiceCategory>,
    pub(crate) synonyms: Vec<SynonymGroup>,
    pub(crate) articles: Vec<Article>,
    pub(crate) facilities: Vec<Facility>,
    pub(crate) calendars: Vec<Calendar>,
    pub(crate) boundaries: Vec<Boundary>,
    /// Routing rules, in order, and service levels (`routing.toml`).
    pub(crate) rules: Vec<crate::route::Rule>,
    pub(crate) slas: crate::route::ServiceLevels,
    /// The catalog's own emergency cues and danger words (`triage.toml`).
    pub(crate) triage: crate::classify::cues::LocalCues,
    pub(crate) index: Indexes,
    /// The files it was read from, sorted by path (none when it came from a bundle).
    pub(crate) sources: Vec<SourceFile>,
}

/// The Riverton catalog's files, compiled in.
#[cfg(feature = "riverton")]
static RIVERTON_DIR: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../kb-fixtures/riverton");

/// The names of the files a catalog folder may hold, besides `articles/`.
pub const CATALOG_FILES: [&str; 5] =
    ["catalog.toml", "routing.toml", "facilities.toml", "boundaries.geojson", "triage.toml"];

impl Catalog {
    pub(crate) fn empty() -> Catalog {
        Catalog {
            name: "civic311 catalog".into(),
            default_jurisdiction: None,
            languages: vec!["en".into()],
            jurisdictions: Vec::new(),
            departments: Vec::new(),
            services: Vec::new(),
            synonyms: Vec::new(),
            articles: Vec::new(),
            facilities: Vec::new(),
            calendars: Vec::new(),
            boundaries: Vec::new(),
            rules: Vec::new(),
            slas: crate::route::ServiceLevels::default(),
            triage: Default::default(),
            index: Indexes::default(),
            sources: Vec::new(),
        }
    }

    /// Loads and validates the catalog folder at `dir`.
    ///
    /// Every problem is reported at once in the returned [`Error`]'s
    /// [`problems`](Error::problems). Files other than the catalog's own
    /// (a README, a `.git` folder) are ignored.
    pub fn load(dir: impl AsRef<Path>) -> Result<Catalog> {
        let dir = dir.as_ref();
        let mut files = Vec::new();
        let mut problems = Vec::new();
        if !dir.is_dir() {
            let why = if dir.exists() { "is not a folder" } else { "does not exist" };
            return Err(Error::catalog(vec![Problem {
                file: dir.display().to_string(),
                line: None,
                field: String::new(),
                message: format!(
                    "the catalog folder {why}; give the path of a folder holding articles/ and optionally catalog.toml"
                ),
            }]));
        }
        for name in CATALOG_FILES {
            let path = dir.join(name);
            if path.is_file() {
                read_text(&path, name.to_string(), &mut files, &mut problems);
            }
        }
        let articles = dir.join("articles");
        if articles.is_dir() {
            collect_articles(&articles, "articles", &mut files, &mut problems, 0);
        }
        if !problems.is_empty() {
            return Err(Error::catalog(problems));
        }
        load::load(files)
    }

    /// Loads a catalog from files in memory: pairs of a path relative to the
    /// catalog folder (`catalog.toml`, `articles/potholes.md`) and its text.
    /// This is how the embedded catalog, bundles and the browser load.
    pub fn from_files<P: Into<String>, T: Into<String>>(files: impl IntoIterator<Item = (P, T)>) -> Result<Catalog> {
        load::load(files.into_iter().map(|(path, text)| SourceFile { path: path.into(), text: text.into() }).collect())
    }

    /// The Riverton catalog compiled into the library: a fictional mid-size
    /// US city with its county, a regional water and sewer utility and a
    /// state transportation department (the `riverton` feature, on by default).
    #[cfg(feature = "riverton")]
    pub fn riverton() -> Result<Catalog> {
        static RIVERTON: std::sync::OnceLock<Result<Catalog>> = std::sync::OnceLock::new();
        RIVERTON
            .get_or_init(|| {
                let mut files = Vec::new();
                collect_embedded(&RIVERTON_DIR, &mut files);
                load::load(files)
            })
            .clone()
    }

    pub(crate) fn reindex(&mut self) {
        fn positions<T>(items: &[T], id: impl Fn(&T) -> &str) -> IdMap {
            items.iter().enumerate().map(|(i, x)| (id(x).to_string(), i)).collect()
        }
        self.index = Indexes {
            jurisdictions: positions(&self.jurisdictions, |x| &x.id),
            departments: positions(&self.departments, |x| &x.id),
            services: positions(&self.services, |x| &x.code),
            articles: positions(&self.articles, |x| &x.id),
            facilities: positions(&self.facilities, |x| &x.id),
            calendars: positions(&self.calendars, |x| &x.id),
            boundaries: positions(&self.boundaries, |x| &x.id),
        };
    }

    /// The catalog's name, from `[catalog].name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The languages articles may be written in; the first is the default.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    /// The jurisdiction requests belong to unless routing says otherwise.
    pub fn default_jurisdiction(&self) -> Option<&Jurisdiction> {
        self.default_jurisdiction.as_deref().and_then(|id| self.jurisdiction(id))
    }

    pub fn jurisdictions(&self) -> &[Jurisdiction] {
        &self.jurisdictions
    }
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }
    /// Service categories in catalog order.
    pub fn services(&self) -> &[ServiceCategory] {
        &self.services
    }
    pub fn synonyms(&self) -> &[SynonymGroup] {
        &self.synonyms
    }
    /// Articles in file-path order.
    pub fn articles(&self) -> &[Article] {
        &self.articles
    }
    pub fn facilities(&self) -> &[Facility] {
        &self.facilities
    }
    pub fn calendars(&self) -> &[Calendar] {
        &self.calendars
    }
    pub fn boundaries(&self) -> &[Boundary] {
        &self.boundaries
    }

    pub fn jurisdiction(&self, id: &str) -> Option<&Jurisdiction> {
        self.index.jurisdictions.get(id).map(|&i| &self.jurisdictions[i])
    }
    pub fn department(&self, id: &str) -> Option<&Department> {
        self.index.departments.get(id).map(|&i| &self.departments[i])
    }
    /// The service category with this Open311 `service_code`.
    pub fn service(&self, code: &str) -> Option<&ServiceCategory> {
        self.index.services.get(code).map(|&i| &self.services[i])
    }
    pub fn article(&self, id: &str) -> Option<&Article> {
        self.index.articles.get(id).map(|&i| &self.articles[i])
    }
    pub fn facility(&self, id: &str) -> Option<&Facility> {
        self.index.facilities.get(id).map(|&i| &self.facilities[i])
    }
    pub fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.index.calendars.get(id).map(|&i| &self.calendars[i])
    }
    /// The routing rules, in the order they are tried.
    pub fn rules(&self) -> &[crate::route::Rule] {
        &self.rules
    }

    /// The service levels of `[slas]`.
    pub fn service_levels(&self) -> &crate::route::ServiceLevels {
        &self.slas
    }

    pub fn boundary(&self, id: &str) -> Option<&Boundary> {
        self.index.boundaries.get(id).map(|&i| &self.boundaries[i])
    }

    /// The files the catalog was read from, sorted by path; none for a
    /// catalog loaded from a bundle, which stores the catalog already read.
    pub fn source_files(&self) -> &[SourceFile] {
        &self.sources
    }
}

const MAX_DEPTH: usize = 16;

fn read_text(path: &Path, rel: String, files: &mut Vec<SourceFile>, problems: &mut Vec<Problem>) {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => files.push(SourceFile { path: rel, text }),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
                problems.push(Problem {
                    file: rel,
                    line: Some(line),
                    field: String::new(),
                    message: format!("the file is not UTF-8 (bad byte at offset {at}); save it as UTF-8"),
                });
            }
        },
        Err(e) => problems.push(Problem {
            file: rel,
            line: None,
            field: String::new(),
            message: format!("cannot read the file: {e}"),
        }),
    }
}

fn collect_articles(dir: &Path, rel: &str, files: &mut Vec<SourceFile>, problems: &mut Vec<Problem>, depth: usize) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Problem {
                file: rel.to_string(),
                line: None,
                field: String::new(),
                message: format!("cannot read the folder: {e}"),
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let child = format!("{rel}/{name}");
        // Note: file_type() does not follow symbolic links, so a link loop
        // cannot make loading run forever; the depth bound is a second guard.
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() && depth < MAX_DEPTH {
            collect_articles(&path, &child, files, problems, depth + 1);
        } else if kind.is_file() && name.ends_with(".md") {
            read_text(&path, child, files, problems);
        }
    }
}

#[cfg(feature = "riverton")]
fn collect_embedded(dir: &include_dir::Dir<'static>, files: &mut Vec<SourceFile>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if let Some(text) = file.contents_utf8() {
            files.push(SourceFile { path, text: text.to_string() });
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, files);
    }
}

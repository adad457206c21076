//! Inputs shared by the benchmarks: the Riverton catalog's files and, for the
//! scaling benches, synthetic catalogs built from them.

use civic311::catalog::SourceFile;

/// The files of the embedded Riverton catalog.
pub fn riverton_files() -> Vec<SourceFile> {
    civic311::Catalog::riverton().expect("Riverton loads").source_files().to_vec()
}

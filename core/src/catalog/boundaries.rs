//! Named areas on the map (city limits, council districts, the county, a
//! utility's service area) read from `boundaries.geojson`.

use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, Contains, CoordinatePosition, Intersects, MultiPolygon, Point, Rect, Validation};

/// A named area: one polygon or several, with holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    pub id: String,
    pub name: String,
    /// `city_limits`, `council_district`, `county`, `utility_area`, `state_route`, or another word.
    pub kind: String,
    pub jurisdiction: Option<String>,
    pub area: MultiPolygon<f64>,
    bbox: Option<Rect<f64>>,
}

/// Where a point lies with respect to a boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Inside,
    /// Exactly on an edge. Routing counts it as inside, so that a point on a
    /// shared border belongs to both neighbours and rule order decides.
    OnEdge,
    Outside,
}

impl Boundary {
    pub(crate) fn new(
        id: String,
        name: String,
        kind: String,
        jurisdiction: Option<String>,
        area: MultiPolygon<f64>,
    ) -> Boundary {
        let bbox = area.bounding_rect();
        Boundary { id, name, kind, jurisdiction, area, bbox }
    }

    /// Where the point (WGS 84 latitude and longitude) lies.
    pub fn placement(&self, lat: f64, lon: f64) -> Placement {
        let point = Point::new(lon, lat);
        match self.bbox {
            Some(bbox) if bbox.intersects(&point) => {}
            _ => return Placement::Outside,
        }
        match self.area.coordinate_position(&point.0) {
            CoordPos::Inside => Placement::Inside,
            CoordPos::OnBoundary => Placement::OnEdge,
            CoordPos::Outside => Placement::Outside,
        }
    }

    /// Whether the point is inside or on an edge: the same answer every time
    /// for a point on a border shared by two boundaries (both contain it).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.placement(lat, lon) != Placement::Outside
    }

    /// Whether the point is strictly inside, off every edge.
    pub fn contains_strictly(&self, lat: f64, lon: f64) -> bool {
        self.area.contains(&Point::new(lon, lat))
    }
}

/// Checks polygons' rings (a GeoJSON file's, a bundle's) before geo-types
/// closes them silently; `coords` gives a position's numbers, longitude
/// first. Returns what is wrong with the first bad ring.
pub(crate) fn check_rings<P>(polygons: &[Vec<Vec<P>>], coords: impl Fn(&P) -> &[f64]) -> Result<(), String> {
    for (p, polygon) in polygons.iter().enumerate() {
        if polygon.is_empty() {
            return Err(format!("polygon {p} has no rings; give an outer ring of at least four positions"));
        }
        for (r, ring) in polygon.iter().enumerate() {
            let which = if r == 0 { "outer ring".to_string() } else { format!("hole {r}") };
            if ring.len() < 4 {
                return Err(format!(
                    "polygon {p} {which} has {} positions; a ring needs at least four, the last equal to the first",
                    ring.len()
                ));
            }
            for pos in ring {
                let s = coords(pos);
                if s.len() < 2 || !s.iter().all(|v| v.is_finite()) {
                    return Err(format!("polygon {p} {which} has a position {s:?}; write [longitude, latitude]"));
                }
                if !(-180.0..=180.0).contains(&s[0]) || !(-90.0..=90.0).contains(&s[1]) {
                    return Err(format!(
                        "polygon {p} {which} has a position [{}, {}] off the globe; write [longitude, latitude] with longitude in -180..180 and latitude in -90..90",
                        s[0], s[1]
                    ));
                }
            }
            if ring.first().map(|p| &coords(p)[..2]) != ring.last().map(|p| &coords(p)[..2]) {
                return Err(format!("polygon {p} {which} is not closed; repeat its first position at the end"));
            }
        }
    }
    Ok(())
}

/// Checks a multipolygon with geo's validation (self-intersections, holes
/// outside their shell, overlapping parts).
pub(crate) fn check_validity(area: &MultiPolygon<f64>) -> Result<(), String> {
    area.check_validation().map_err(|e| {
        format!("the shape is not a valid polygon: {e}; fix the coordinates so that no ring crosses itself")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn square_with_hole() -> Boundary {
        let outer = LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]);
        let hole = LineString::from(vec![(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)]);
        Boundary::new(
            "b".into(),
            "B".into(),
            "city_limits".into(),
            None,
            MultiPolygon::new(vec![Polygon::new(outer, vec![hole])]),
        )
    }

    #[test]
    fn holes_and_edges() {
        let b = square_with_hole();
        assert_eq!(b.placement(1.0, 1.0), Placement::Inside);
        assert_eq!(b.placement(5.0, 5.0), Placement::Outside, "inside the hole");
        assert_eq!(b.placement(0.0, 5.0), Placement::OnEdge);
        assert_eq!(b.placement(4.0, 5.0), Placement::OnEdge, "on the hole's edge");
        assert!(b.contains(0.0, 5.0) && !b.contains_strictly(0.0, 5.0));
        assert_eq!(b.placement(20.0, 20.0), Placement::Outside);
        assert_eq!(b.placement(f64::NAN, 1.0), Placement::Outside);
    }
}

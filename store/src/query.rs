//! Finding requests: the Open311 filters and the common extensions, one
//! page at a time, in a stable order (newest request first, then by id).

use civic311::{Error, ErrorKind, Result};

use crate::db::{Mode, Value};
use crate::model::{Filter, Page, StatusFilter};
use crate::{Store, geo, rows};

/// The most ids or service codes one filter may list.
const MAX_LISTED: usize = 1000;

impl Store {
    /// One page of the requests that pass every filter given, without their
    /// history or personal data.
    ///
    /// ```
    /// # use civic311_store::{Filter, Near, StatusFilter, Store};
    /// let store = Store::open("sqlite::memory:")?;
    /// let filter = Filter {
    ///     status: Some(StatusFilter::Open),
    ///     near: Some(Near { lat: 38.95, long: -90.95, radius_m: 500.0 }),
    ///     ..Filter::default()
    /// };
    /// assert!(store.query(&filter)?.requests.is_empty());
    /// # Ok::<(), civic311::Error>(())
    /// ```
    pub fn query(&self, filter: &Filter) -> Result<Page> {
        let (sql, params) = statement(filter)?;
        let rows = self.autocommit(Mode::Read, |c| c.query(&sql, &params))?;
        let has_more = rows.len() > filter.page_size as usize;
        let requests =
            rows.into_iter().take(filter.page_size as usize).map(rows::from_row).collect::<Result<Vec<_>>>()?;
        Ok(Page { requests, page: filter.page, page_size: filter.page_size, has_more })
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::Query, message)
}

/// The SELECT for a filter and its parameters (one row more than the page,
/// to tell whether there is a next one).
fn statement(f: &Filter) -> Result<(String, Vec<Value>)> {
    if f.page == 0 {
        return Err(invalid("page is 0; pages count from 1".into()));
    }
    if f.page_size == 0 || f.page_size > Filter::MAX_PAGE_SIZE {
        return Err(invalid(format!("page_size is {}; give 1 to {}", f.page_size, Filter::MAX_PAGE_SIZE)));
    }
    if f.ids.len() > MAX_LISTED || f.service_codes.len() > MAX_LISTED {
        return Err(invalid(format!("a filter lists at most {MAX_LISTED} ids or service codes")));
    }
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let list = |column: &str, values: &[String], clauses: &mut Vec<String>, params: &mut Vec<Value>| {
        if !values.is_empty() {
            clauses.push(format!("{column} IN ({})", vec!["?"; values.len()].join(", ")));
            params.extend(values.iter().map(|v| Value::from(v.as_str())));
        }
    };
    list("id", &f.ids, &mut clauses, &mut params);
    list("service_code", &f.service_codes, &mut clauses, &mut params);
    match f.status {
        Some(StatusFilter::Open) => clauses.push("state <> 'closed'".into()),
        Some(StatusFilter::Closed) => clauses.push("state = 'closed'".into()),
        Some(StatusFilter::State(s)) => {
            clauses.push("state = ?".into());
            params.push(s.into());
        }
        None => {}
    }
    if let Some(start) = f.start {
        clauses.push("requested_at >= ?".into());
        params.push(Value::Int(rows::seconds(start)));
    }
    if let Some(end) = f.end {
        clauses.push("requested_at <= ?".into());
        params.push(Value::Int(rows::seconds(end)));
    }
    if let (Some(start), Some(end)) = (f.start, f.end)
        && start > end
    {
        return Err(invalid(format!("start_date {start} is after end_date {end}")));
    }
    if let Some(d) = &f.department {
        clauses.push("department = ?".into());
        params.push(d.as_str().into());
    }
    if let Some(after) = f.updated_after {
        clauses.push("updated_at > ?".into());
        params.push(Value::Int(rows::seconds(after)));
    }
    let point = |lat: f64, long: f64, what: &str| -> Result<()> {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&long) {
            return Err(invalid(format!(
                "{what} ({lat}, {long}) is not a place: latitude is -90 to 90, longitude -180 to 180"
            )));
        }
        Ok(())
    };
    if let Some(b) = f.bbox {
        point(b.min_lat, b.min_long, "the box's corner")?;
        point(b.max_lat, b.max_long, "the box's corner")?;
        if b.min_lat > b.max_lat || b.min_long > b.max_long {
            return Err(invalid("the box's first corner must be south-west of its second".into()));
        }
        let (clause, values) = geo::box_clause(b.min_lat, b.max_lat, b.min_long, b.max_long);
        clauses.push(clause);
        params.extend(values);
    }
    if let Some(n) = f.near {
        point(n.lat, n.long, "the point")?;
        if !(n.radius_m > 0.0 && n.radius_m <= 100_000.0) {
            return Err(invalid(format!("radius is {} m; give more than 0 and at most 100000", n.radius_m)));
        }
        let (lat0, lat1, lon0, lon1) = geo::bounding_box(n.lat, n.long, n.radius_m);
        let (clause, values) = geo::box_clause(lat0, lat1, lon0, lon1);
        clauses.push(format!("{clause} AND civic311_distance_m(lat, lon, ?, ?) <= ?"));
        params.extend(values);
        params.extend([n.lat, n.long, n.radius_m].map(Value::from));
    }
    let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    let offset = (u64::from(f.page) - 1) * u64::from(f.page_size);
    // The page's ids first, from an index where one holds what the filter
    // reads; then only those rows, whole.
    let order = "ORDER BY requested_at DESC, id DESC";
    let sql = format!(
        "SELECT {} FROM requests WHERE id IN (SELECT id FROM requests{filter} {order} LIMIT {} OFFSET {offset}) {order}",
        rows::REQUEST_COLUMNS,
        f.page_size + 1
    );
    Ok((sql, params))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Near;

    #[test]
    fn filters_that_cannot_be_answered() {
        for (f, words) in [
            (Filter { page: 0, ..Filter::default() }, "pages count from 1"),
            (Filter { page_size: 0, ..Filter::default() }, "give 1 to 1000"),
            (Filter { page_size: 5000, ..Filter::default() }, "give 1 to 1000"),
            (Filter { near: Some(Near { lat: 91.0, long: 0.0, radius_m: 10.0 }), ..Filter::default() }, "not a place"),
            (Filter { near: Some(Near { lat: 1.0, long: 0.0, radius_m: f64::NAN }), ..Filter::default() }, "radius"),
            (Filter { ids: vec!["1".into(); 1001], ..Filter::default() }, "at most 1000"),
        ] {
            let err = statement(&f).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Query);
            assert!(err.to_string().contains(words), "{err}");
        }
    }

    #[test]
    fn one_row_past_the_page() {
        let (sql, params) = statement(&Filter { page: 3, page_size: 20, ..Filter::default() }).unwrap();
        assert!(sql.contains("LIMIT 21 OFFSET 40)"), "{sql}");
        assert!(params.is_empty());
    }
}

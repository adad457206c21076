//! The generated request history the store and server benches load:
//! deterministic, in NYC 311's open-data schema.

use std::io::Write;

/// A deterministic pseudo-random sequence (a 64-bit LCG): the same rows every run.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
    pub fn unit(&mut self) -> f64 {
        self.next(1 << 30) as f64 / f64::from(1u32 << 30)
    }
}

/// A generated NYC-311-schema history of `n` requests over two years:
/// twelve complaint types, eight agencies, channels, about 8% still open,
/// due dates, points around Riverton.
pub fn generated_history(n: usize, path: &std::path::Path) {
    let mut rng = Lcg(311);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "Unique Key,Created Date,Closed Date,Agency,Complaint Type,Descriptor,Status,Due Date,Latitude,Longitude,Open Data Channel Type").unwrap();
    let types = [
        "Pothole",
        "Graffiti",
        "Missed Collection",
        "Street Light",
        "Noise",
        "Illegal Parking",
        "Dead Animal",
        "Sidewalk",
        "Water Leak",
        "Tree Damage",
        "Rodent",
        "Abandoned Vehicle",
    ];
    let agencies = ["DOT", "DSNY", "NYPD", "DEP", "DPR", "DOHMH", "HPD", "DOB"];
    let channels = ["PHONE", "ONLINE", "MOBILE", "OTHER"];
    let t0 = jiff::civil::date(2024, 1, 1).at(0, 0, 0, 0);
    for i in 0..n {
        let created = t0 + jiff::Span::new().seconds((rng.next(2 * 365 * 86_400)) as i64);
        let open = rng.next(100) < 8;
        let closed = created + jiff::Span::new().seconds(rng.next(30 * 86_400) as i64);
        let due = created + jiff::Span::new().seconds((rng.next(10) as i64 + 1) * 86_400);
        let f = |d: jiff::civil::DateTime| d.strftime("%m/%d/%Y %I:%M:%S %p").to_string();
        let k = rng.next(12) as usize;
        writeln!(
            w,
            "{},{},{},{},{},Descriptor {},{},{},{:.6},{:.6},{}",
            10_000_000 + i,
            f(created),
            if open { String::new() } else { f(closed) },
            agencies[k % agencies.len()],
            types[k],
            rng.next(40),
            if open { "Open" } else { "Closed" },
            f(due),
            38.90 + rng.unit() * 0.10,
            -91.00 + rng.unit() * 0.10,
            channels[rng.next(4) as usize],
        )
        .unwrap();
    }
}

//! A report as one HTML file for a person: a summary, inline SVG charts
//! (drawn with plotters' SVG backend) and tables, with its style inline and
//! nothing fetched from elsewhere, laid out to print on A4 or Letter.

use std::collections::BTreeMap;
use std::fmt::Write;

use plotters::prelude::*;

use super::{Bucket, Report};

/// Colors for series, readable in print and by people with the common
/// color-vision deficiencies (the Okabe–Ito palette).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
];
const WIDTH: u32 = 720;

/// Text as HTML (white space runs read as one space, as in a table cell).
fn esc(text: &str) -> String {
    civic311::search::escape_html(text)
}

fn pct(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.1}%")).unwrap_or_else(|| "–".into())
}

fn hours(x: Option<f64>) -> String {
    match x {
        None => "–".into(),
        Some(h) if h < 48.0 => format!("{h:.1} h"),
        Some(h) => format!("{:.1} days", h / 24.0),
    }
}

fn change(count: u64, previous: u64) -> String {
    match (count as f64 - previous as f64, previous) {
        (_, 0) => "new".into(),
        (d, p) => format!("{:+.0}%", 100.0 * d / p as f64),
    }
}

/// Text a chart draws: plotters writes it as SVG `<text>`, escaped.
fn label(text: &str, max: usize) -> String {
    let mut t: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        t.push('…');
    }
    t
}

/// A line chart of the volumes per bucket: all requests and the five
/// largest categories.
fn trend_chart(r: &Report) -> Option<String> {
    let mut buckets: Vec<jiff::civil::Date> = r.volumes.iter().map(|v| v.bucket).collect();
    buckets.sort();
    buckets.dedup();
    if buckets.is_empty() {
        return None;
    }
    let index = |d: jiff::civil::Date| buckets.iter().position(|b| *b == d).unwrap_or(0);
    let mut totals = vec![0u64; buckets.len()];
    let mut by_category: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for v in r.volumes.iter().filter(|v| v.dimension == "category") {
        totals[index(v.bucket)] += v.count;
        by_category.entry(&v.value).or_insert_with(|| vec![0; buckets.len()])[index(v.bucket)] += v.count;
    }
    let mut top: Vec<(&str, Vec<u64>)> = by_category.into_iter().collect();
    top.sort_by_key(|(name, counts)| (std::cmp::Reverse(counts.iter().sum::<u64>()), *name));
    top.truncate(5);
    let mut series = vec![("All requests".to_string(), totals)];
    series.extend(top.into_iter().map(|(n, c)| (n.to_string(), c)));
    let max = series.iter().flat_map(|(_, c)| c.iter()).copied().max().unwrap_or(1).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 300)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let n = buckets.len();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0..n.max(2) - 1, 0..max + max / 10 + 1)
            .ok()?;
        let labels = buckets.clone();
        chart
            .configure_mesh()
            .x_labels(n.min(12))
            .x_label_formatter(&|i| labels.get(*i).map(|d| d.strftime("%b %-d").to_string()).unwrap_or_default())
            .y_desc("requests")
            .label_style(("sans-serif", 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .ok()?;
        for (i, (name, counts)) in series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let width = if i == 0 { 3 } else { 2 };
            chart
                .draw_series(LineSeries::new(
                    counts.iter().enumerate().map(|(x, c)| (x, *c)),
                    color.stroke_width(width),
                ))
                .ok()?
                .label(label(name, 28))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", 13))
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    Some(svg)
}

/// Horizontal bars, one row a value; `previous` draws a thin bar of the
/// period before under each.
fn bar_chart(rows: &[(String, f64, Option<f64>)], unit: &str, max: Option<f64>) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let height = 40 + 26 * rows.len() as u32;
    let top = max.unwrap_or_else(|| rows.iter().map(|r| r.1.max(r.2.unwrap_or(0.0))).fold(1.0, f64::max) * 1.08);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let n = rows.len();
        let names: Vec<String> = rows.iter().map(|r| label(&r.0, 30)).collect();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(210)
            .build_cartesian_2d(0.0..top, (0..n).into_segmented())
            .ok()?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            // The first row at the top.
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if *i < n => names.get(n - 1 - *i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_desc(unit)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .ok()?;
        let color = PALETTE[0];
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let at = n - 1 - i;
                let mut bar = Rectangle::new(
                    [(0.0, SegmentValue::Exact(at)), (r.1, SegmentValue::Exact(at + 1))],
                    color.filled(),
                );
                bar.set_margin(3, 3, 0, 0);
                bar
            }))
            .ok()?;
        let _ = chart.draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
            let at = n - 1 - i;
            r.2.map(|p| {
                PathElement::new(
                    vec![(p, SegmentValue::Exact(at)), (p, SegmentValue::Exact(at + 1))],
                    PALETTE[1].stroke_width(3),
                )
            })
        }));
        root.present().ok()?;
    }
    Some(svg)
}

const STYLE: &str = "
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1a1a1a;
  max-width: 760px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #0072b2; padding-bottom: 2px; }
p.meta { color: #555; margin: 0 0 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px; }
.tile { border: 1px solid #d0d0d0; border-radius: 6px; padding: 8px 10px; }
.tile b { display: block; font-size: 22px; }
.tile span { color: #555; font-size: 13px; }
.wide { overflow-x: auto; margin: 6px 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
th { background: #f3f6f9; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 8px 0 16px; }
figcaption { color: #555; font-size: 13px; }
svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 13px; }
section, figure, table, .tiles { break-inside: avoid; }
@media print {
  body { margin: 0; max-width: none; font-size: 12px; }
  .wide { overflow: visible; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
";

impl Report {
    /// The report as one self-contained HTML page: no script, font or image
    /// from elsewhere, so it can be mailed, archived or printed as it is.
    pub fn to_html(&self, title: &str) -> String {
        let mut h = String::new();
        let period = format!(
            "{} to {}, by {}; compared with {} to {}; open and overdue as of {}",
            self.from,
            self.to,
            match self.by {
                Bucket::Day => "day",
                Bucket::Week => "week (from Monday)",
                Bucket::Month => "month",
            },
            self.previous_from,
            self.previous_to,
            self.now.strftime("%Y-%m-%d %H:%M UTC"),
        );
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
             <style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n",
            esc(title),
            esc(title),
            esc(&period)
        );

        let all = self.service_levels.iter().find(|s| s.dimension == "all");
        let _ = write!(h, "<div class=\"tiles\">");
        let tile = |h: &mut String, value: String, what: String| {
            let _ = write!(h, "<div class=\"tile\"><b>{}</b><span>{}</span></div>", esc(&value), esc(&what));
        };
        tile(
            &mut h,
            self.total.to_string(),
            format!(
                "requests ({} the period before, {})",
                self.previous_total,
                change(self.total, self.previous_total)
            ),
        );
        if let Some(a) = all {
            tile(
                &mut h,
                pct(a.within_sla_percent),
                format!("closed within SLA ({} of {})", a.within_sla, a.sla_decided),
            );
            tile(
                &mut h,
                pct(a.overdue_percent),
                format!("of the period's open requests overdue ({} of {})", a.overdue, a.open),
            );
            tile(&mut h, hours(a.close_hours_p50), "median time to close".into());
            tile(&mut h, pct(a.reopen_percent), format!("reopened ({} of {} closed)", a.reopened, a.closed));
        }
        let _ = writeln!(h, "</div>");

        if let Some(svg) = trend_chart(self) {
            let _ = write!(
                h,
                "<h2>Trend</h2>\n<figure>{svg}<figcaption>Requests filed each {}: all, and the five largest categories.</figcaption></figure>\n",
                match self.by {
                    Bucket::Day => "day",
                    Bucket::Week => "week",
                    Bucket::Month => "month",
                }
            );
        }

        let top = |dimension: &str, n: usize| -> Vec<(String, f64, Option<f64>)> {
            let mut c: Vec<_> = self.changes.iter().filter(|c| c.dimension == dimension && c.count > 0).collect();
            c.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            c.into_iter().take(n).map(|c| (c.value.clone(), c.count as f64, Some(c.previous as f64))).collect()
        };
        for (dimension, heading) in [("category", "By category"), ("department", "By department")] {
            if let Some(svg) = bar_chart(&top(dimension, 12), "requests", None) {
                let _ = write!(
                    h,
                    "<h2>{heading}</h2>\n<figure>{svg}<figcaption>Requests in the period (bars) and in the period before (orange marks); the largest twelve.</figcaption></figure>\n"
                );
            }
        }
        let sla: Vec<(String, f64, Option<f64>)> = self
            .service_levels
            .iter()
            .filter(|s| s.dimension == "department")
            .filter_map(|s| s.within_sla_percent.map(|p| (s.value.clone(), p, None)))
            .collect();
        if let Some(svg) = bar_chart(&sla, "% closed within SLA", Some(100.0)) {
            let _ = write!(
                h,
                "<h2>Service levels</h2>\n<figure>{svg}<figcaption>Percent of each department's requests whose SLA is decided (closed, or due and still open) that were closed by their due time.</figcaption></figure>\n"
            );
        }

        // Tables.
        let _ = writeln!(h, "<h2>Rising categories</h2>");
        if self.rising.is_empty() {
            let _ = writeln!(h, "<p class=\"note\">No category rose beyond what chance explains.</p>");
        } else {
            let _ = write!(
                h,
                "<table><tr><th>category</th><th class=\"n\">period</th><th class=\"n\">before</th><th class=\"n\">ratio</th><th class=\"n\">q</th></tr>"
            );
            for r in &self.rising {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.3}</td></tr>",
                    esc(&r.category),
                    r.count,
                    r.previous,
                    r.ratio,
                    r.q
                );
            }
            let _ = writeln!(h, "</table>");
        }
        let _ = writeln!(
            h,
            "<p class=\"note\">A category is listed when its rise is unlikely to be chance: the exact test for two Poisson counts over periods of equal length, adjusted for testing every category at once (Benjamini–Hochberg, q &lt; 0.05).</p>"
        );

        for (dimension, heading) in
            [("department", "Service levels by department"), ("category", "Service levels by category")]
        {
            let rows: Vec<_> = self.service_levels.iter().filter(|s| s.dimension == dimension).collect();
            if rows.is_empty() {
                continue;
            }
            let _ = write!(
                h,
                "<h2>{heading}</h2>\n<table><tr><th>{dimension}</th><th class=\"n\">requests</th><th class=\"n\">within SLA</th><th class=\"n\">overdue</th><th class=\"n\">acknowledge p50 / p90</th><th class=\"n\">close p50 / p90</th><th class=\"n\">reopened</th></tr>"
            );
            for s in rows {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} / {}</td><td class=\"n\">{} / {}</td><td class=\"n\">{}</td></tr>",
                    esc(&s.value),
                    s.requests,
                    pct(s.within_sla_percent),
                    pct(s.overdue_percent),
                    hours(s.acknowledge_hours_p50),
                    hours(s.acknowledge_hours_p90),
                    hours(s.close_hours_p50),
                    hours(s.close_hours_p90),
                    pct(s.reopen_percent)
                );
            }
            let _ = writeln!(h, "</table>");
        }

        let _ = writeln!(h, "<h2>Backlog by age</h2>");
        let departments: Vec<&str> = {
            let mut d: Vec<&str> = self.backlog.iter().map(|b| b.department.as_str()).collect();
            d.dedup();
            d
        };
        if departments.is_empty() {
            let _ = writeln!(h, "<p class=\"note\">No request is open.</p>");
        } else {
            let ages: Vec<&str> = super::AGES.iter().map(|(a, _)| *a).collect();
            let _ = write!(h, "<table><tr><th>department</th>");
            for a in &ages {
                let _ = write!(h, "<th class=\"n\">{a}</th>");
            }
            let _ = write!(h, "</tr>");
            for d in departments {
                let _ = write!(h, "<tr><td>{}</td>", esc(d));
                for a in &ages {
                    match self.backlog.iter().find(|b| b.department == d && b.age == *a) {
                        Some(b) => {
                            let _ = write!(h, "<td class=\"n\">{} <small>({} overdue)</small></td>", b.open, b.overdue);
                        }
                        None => {
                            let _ = write!(h, "<td class=\"n\">0</td>");
                        }
                    }
                }
                let _ = write!(h, "</tr>");
            }
            let _ = writeln!(h, "</table>");
        }

        let mut volume_table = |dimension: &str, heading: &str| {
            let rows: Vec<_> = self.changes.iter().filter(|c| c.dimension == dimension).collect();
            if rows.is_empty() {
                return;
            }
            let _ = write!(
                h,
                "<h2>{heading}</h2>\n<table><tr><th>{dimension}</th><th class=\"n\">period</th><th class=\"n\">before</th><th class=\"n\">change</th></tr>"
            );
            for c in rows {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    esc(&c.value),
                    c.count,
                    c.previous,
                    change(c.count, c.previous)
                );
            }
            let _ = writeln!(h, "</table>");
        };
        volume_table("district", "By district");
        volume_table("jurisdiction", "By jurisdiction");
        volume_table("channel", "By channel");
        volume_table("reporter", "By reporter");

        for (list, heading, column) in [
            (&self.referrals, "Referred to other governments", "jurisdiction"),
            (&self.duplicates, "Merged as duplicates", "category"),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = write!(h, "<h2>{heading}</h2>\n<table><tr><th>{column}</th><th class=\"n\">requests</th></tr>");
            for c in list {
                let _ = write!(h, "<tr><td>{}</td><td class=\"n\">{}</td></tr>", esc(&c.value), c.count);
            }
            let _ = writeln!(h, "</table>");
        }
        let q = &self.questions;
        if q.searches > 0 || !q.inquiries.is_empty() {
            let _ = writeln!(
                h,
                "<h2>What residents asked</h2>\n<p>{} searches, {} distinct questions; {} answers followed.</p>",
                q.searches, q.groups, q.follows
            );
        }
        for (list, heading, note) in [
            (&q.top, "Most asked", ""),
            (
                &q.unanswered,
                "Asked, and not answered well: articles to write",
                "<p class=\"note\">Questions whose best answer is unlikely to answer them (confidence under 0.5), most asked first, with the department that should know.</p>",
            ),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = write!(
                h,
                "<h3>{heading}</h3>\n{note}<table><tr><th>question</th><th class=\"n\">asked</th><th class=\"n\">no answer</th><th class=\"n\">followed</th><th>best answer</th><th class=\"n\">confidence</th><th>department</th></tr>"
            );
            for g in list {
                let confidence = g.confidence.map(|c| format!("{c:.2}")).unwrap_or_default();
                let forms = if g.forms.is_empty() {
                    String::new()
                } else {
                    format!("<br><small>also: {}</small>", esc(&g.forms.join("; ")))
                };
                let _ = write!(
                    h,
                    "<tr><td>{}{forms}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{confidence}</td><td>{}</td></tr>",
                    esc(&g.question),
                    g.count,
                    g.no_answers,
                    g.followed,
                    esc(g.top_answer.as_deref().unwrap_or("")),
                    esc(g.department_name.as_deref().or(g.department.as_deref()).unwrap_or("")),
                );
            }
            let _ = writeln!(h, "</table>");
        }
        if !q.inquiries.is_empty() {
            let _ = write!(
                h,
                "<h3>Questions escalated to departments</h3>\n<table><tr><th>department</th><th class=\"n\">asked</th><th class=\"n\">replied</th><th class=\"n\">in time</th><th class=\"n\">open</th><th class=\"n\">overdue</th><th class=\"n\">reply p50</th></tr>"
            );
            for l in &q.inquiries {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    esc(&l.department),
                    l.asked,
                    l.replied,
                    pct(l.in_time_percent),
                    l.open,
                    l.overdue,
                    hours(l.reply_hours_p50),
                );
            }
            let _ = writeln!(h, "</table>");
        }
        let _ = write!(
            h,
            "<p class=\"note\">Made by civic311. Days, weeks and months are counted in each request's own time zone.</p>\n</body>\n</html>\n"
        );
        // A table wider than a phone scrolls in its own box, not the page.
        h.replace("<table>", "<div class=\"wide\"><table>").replace("</table>", "</table></div>")
    }
}

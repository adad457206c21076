"""civic311's report figures against an independent computation in pandas,
on the same rows of a real city export.

    python benches/compare/report_check.py FILE --mapping nyc311 \
        --from 2011-03-01 --to 2011-03-03 --by day --at 2011-03-10T17:00:00Z

The file is imported with `civic311 import` into a new SQLite store and
reported with `civic311 report --format json`; pandas reads the same CSV
and computes the same tables from the rules written in docs/analytics.md
(and the mapping's: which rows are closed, which date closes them). Every
figure is compared; the script prints a table and exits 1 on any
difference. CIVIC311_BIN names the CLI (default target/release/civic311).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
ZONE = "America/New_York"

MAPPINGS = {
    "nyc311": {
        "id": "Unique Key",
        "created": "Created Date",
        "closed": "Closed Date",
        "updated": "Resolution Action Updated Date",
        "due": "Due Date",
        "category": "Complaint Type",
        "department": "Agency",
        "status": "Status",
        "open_states": {"Open", "Assigned", "In Progress", "Started", "Pending"},
        "closed_statuses": {"Closed"},
        "default_category": None,
    },
    "nyc-council": {
        "id": "unique_key",
        "created": "opendate",
        "closed": "closedate",
        "updated": None,
        "due": None,
        "category": "complaint_type",
        "department": "account",
        "status": None,
        "open_states": set(),
        "closed_statuses": set(),
        "default_category": "Uncategorized",
    },
}
FORMATS = ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


def local_times(column: pd.Series) -> pd.Series:
    """Local New York times as UTC instants: a time in the spring gap moves
    forward by the gap (as jiff's `compatible`), a repeated autumn time is
    the earlier one."""
    text = column.fillna("").astype(str).str.strip()
    parsed = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns]")
    for fmt in FORMATS:
        missing = parsed.isna() & (text != "")
        if not missing.any():
            break
        parsed[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce")
    localized = parsed.dt.tz_localize(ZONE, ambiguous=np.ones(len(parsed), dtype=bool), nonexistent=pd.Timedelta("1h"))
    return localized.dt.tz_convert("UTC")


def pandas_report(path: Path, mapping: str, start, end, by: str, now: pd.Timestamp) -> dict:
    m = MAPPINGS[mapping]
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df.drop_duplicates(subset=[m["id"]], keep="first")
    created = local_times(df[m["created"]])
    closed_date = local_times(df[m["closed"]])
    updated = local_times(df[m["updated"]]) if m["updated"] and m["updated"] in df else pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")
    due = local_times(df[m["due"]]) if m["due"] and m["due"] in df else pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")
    status = df[m["status"]] if m["status"] else pd.Series("", index=df.index)
    said_closed = status.isin(m["closed_statuses"])
    open_state = status.isin(m["open_states"])
    is_closed = said_closed | (~open_state & closed_date.notna())
    closed_at = closed_date.where(closed_date.notna(), updated).where(is_closed)
    category = df[m["category"]].where(df[m["category"]].str.strip() != "", m["default_category"])
    department = df[m["department"]].replace("", "(none)")
    t = pd.DataFrame({
        "created": created, "closed_at": closed_at, "due": due, "is_closed": is_closed,
        "category": category, "department": department,
    }).dropna(subset=["created", "category"])
    day = t.created.dt.tz_convert(ZONE).dt.date
    days = (end - start).days + 1
    prev_start = start - pd.Timedelta(days=days)
    current = t[(day >= start) & (day <= end)].copy()
    previous = t[(day >= prev_start) & (day < start)]
    cday = pd.to_datetime(current.created.dt.tz_convert(ZONE).dt.date)
    if by == "day":
        current["bucket"] = cday.dt.date
    elif by == "week":
        current["bucket"] = (cday - pd.to_timedelta(cday.dt.weekday, unit="D")).dt.date
    else:
        current["bucket"] = cday.dt.to_period("M").dt.start_time.dt.date
    volumes = {(c, str(b)): int(n) for (c, b), n in current.groupby(["category", "bucket"]).size().items()}
    changes = {}
    for c in set(current.category) | set(previous.category):
        changes[c] = (int((current.category == c).sum()), int((previous.category == c).sum()))

    def level(rows: pd.DataFrame) -> dict:
        has_due = rows.due.notna()
        closed_with = rows.is_closed & rows.closed_at.notna()
        decided = has_due & (closed_with | (~rows.is_closed & (rows.due < now)))
        within = has_due & closed_with & (rows.closed_at <= rows.due)
        open_ = ~rows.is_closed
        overdue = open_ & rows.due.notna() & (rows.due < now)
        hours = ((rows.closed_at - rows.created).dt.total_seconds() / 3600)[closed_with & (rows.closed_at >= rows.created)]
        q = lambda p: None if hours.empty else float(np.quantile(hours, p))  # noqa: E731
        return {
            "requests": len(rows), "sla_decided": int(decided.sum()), "within_sla": int(within.sum()),
            "open": int(open_.sum()), "overdue": int(overdue.sum()),
            "close_hours_p50": q(0.5), "close_hours_p90": q(0.9),
        }

    levels = {("all", "(all)"): level(current)}
    for d, rows in current.groupby("department"):
        levels[("department", d)] = level(rows)
    for c, rows in current.groupby("category"):
        levels[("category", c)] = level(rows)
    # The backlog: every open request filed by now.
    open_rows = t[~t.is_closed & (t.created <= now)]
    age = (now - open_rows.created).dt.total_seconds()
    limits = [86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400]
    names = ["under 1 day", "1-3 days", "3-7 days", "7-30 days", "30-90 days", "over 90 days"]
    band = np.searchsorted(limits, age.to_numpy(), side="right")
    backlog = {}
    for b, over in zip(band, (open_rows.due.notna() & (open_rows.due < now)).to_numpy()):
        key = names[b]
        n, o = backlog.get(key, (0, 0))
        backlog[key] = (n + 1, o + int(over))
    return {"total": len(current), "previous_total": len(previous), "volumes": volumes, "changes": changes,
            "levels": levels, "backlog": backlog}


def civic311_report(path: Path, mapping: str, args) -> dict:
    cli = os.environ.get("CIVIC311_BIN", str(ROOT / "target" / "release" / "civic311"))
    with tempfile.TemporaryDirectory() as tmp:
        store = f"sqlite:{Path(tmp) / 'store.db'}"
        subprocess.run([cli, "import", "--store", store, str(path), "--mapping", mapping], check=True, capture_output=True)
        out = subprocess.run(
            [cli, "report", "--store", store, "--from", args.from_date, "--to", args.to_date, "--by", args.by, "--at", args.at],
            check=True, capture_output=True, text=True,
        )
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--mapping", default="nyc311", choices=sorted(MAPPINGS))
    ap.add_argument("--from", dest="from_date", required=True)
    ap.add_argument("--to", dest="to_date", required=True)
    ap.add_argument("--by", default="week")
    ap.add_argument("--at", required=True)
    args = ap.parse_args()
    now = pd.Timestamp(args.at).tz_convert("UTC")
    start, end = pd.Timestamp(args.from_date).date(), pd.Timestamp(args.to_date).date()
    ours = civic311_report(args.file, args.mapping, args)
    theirs = pandas_report(args.file, args.mapping, start, end, args.by, now)

    checks = []

    def same(what, a, b):
        ok = (a is None and b is None) or (a is not None and b is not None and abs(float(a) - float(b)) < 1e-6)
        checks.append((what, a, b, ok))

    same("requests in the period", ours["total"], theirs["total"])
    same("requests in the period before", ours["previous_total"], theirs["previous_total"])
    vol = {(v["value"], v["bucket"]): v["count"] for v in ours["volumes"] if v["dimension"] == "category"}
    same("category-bucket cells", len(vol), len(theirs["volumes"]))
    same("category-bucket cells that differ", sum(1 for k, n in theirs["volumes"].items() if vol.get(k) != n), 0)
    ch = {c["value"]: (c["count"], c["previous"]) for c in ours["changes"] if c["dimension"] == "category"}
    same("categories", len(ch), len(theirs["changes"]))
    same("categories whose counts differ", sum(1 for k, v in theirs["changes"].items() if ch.get(k) != v), 0)
    levels = {(s["dimension"], s["value"]): s for s in ours["service_levels"]}
    same("service-level groups", len(levels), len(theirs["levels"]))
    differ = 0
    for key, want in theirs["levels"].items():
        got = levels.get(key)
        if got is None:
            differ += 1
            continue
        for field, value in want.items():
            a = got[field]
            if (a is None) != (value is None) or (a is not None and abs(a - value) > 1e-6):
                differ += 1
                if differ <= 5:
                    print(f"  differs: {key} {field}: civic311 {a}, pandas {value}", file=sys.stderr)
    same("service-level figures that differ", differ, 0)
    overall = levels[("all", "(all)")]
    for field in ["sla_decided", "within_sla", "open", "overdue", "close_hours_p50", "close_hours_p90"]:
        same(f"all requests: {field}", overall[field], theirs["levels"][("all", "(all)")][field])
    backlog = {b["age"]: (b["open"], b["overdue"]) for b in ours["backlog"] if b["department"] == "(all)"}
    same("backlog bands that differ", sum(1 for k, v in theirs["backlog"].items() if backlog.get(k) != v) + abs(len(backlog) - len(theirs["backlog"])), 0)

    print(f"{args.file.name}: {args.from_date} to {args.to_date} by {args.by}, at {args.at}")
    print("| figure | civic311 | pandas | same |\n|---|---|---|---|")
    for what, a, b, ok in checks:
        fmt = lambda x: "–" if x is None else (f"{x:.4f}" if isinstance(x, float) else str(x))  # noqa: E731
        print(f"| {what} | {fmt(a)} | {fmt(b)} | {'yes' if ok else 'NO'} |")
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The full report on a large store, side by side with pandas and DuckDB
computing the same tables from the same rows, in one run.

    cargo build --release -p civic311-cli -p civic311-benches
    target/release/store history 1000000 /tmp/history.csv
    target/release/civic311 import --store sqlite:/tmp/history.db /tmp/history.csv --mapping nyc311
    pip install pandas duckdb
    python benches/compare/report_speed.py /tmp/history.db --from 2025-01-06 --to 2025-06-29 --at 2026-01-01T00:00:00Z

civic311 is timed as a whole process (`civic311 report --format json`),
reading the store and writing the report. pandas reads the same columns of
the same rows from the same SQLite file (`pandas.read_sql`) and computes
the volumes by week for five dimensions, the categories' changes against
the period before, the service levels by category, department and overall
(within SLA, overdue, close-time p50 and p90), and the backlog by age.
DuckDB computes the same tables in SQL over the frames pandas read (it
cannot read SQLite without an extension it would download): its time is
given alone and with the read. Each is the median of RUNS runs.
CIVIC311_BIN names the CLI (default target/release/civic311).
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
ZONE = "America/New_York"
DIMENSIONS = ["service_code", "department", "jurisdiction", "channel", "reporter"]
AGES = [86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400]


def timed(f, runs):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def read(db, first, last, now):
    with sqlite3.connect(db) as c:
        rows = pd.read_sql(
            "SELECT id, service_code, department, jurisdiction, channel, reporter, state, requested_at, "
            "acknowledged_at, closed_at, expected_at FROM requests WHERE requested_at >= ? AND requested_at < ?",
            c, params=(first, last))
        open_ = pd.read_sql(
            "SELECT department, requested_at, expected_at FROM requests WHERE state <> 'closed' AND requested_at <= ?",
            c, params=(now,))
    return rows, open_


def with_days(rows, start, end, prev_start):
    day = pd.to_datetime(rows.requested_at, unit="s", utc=True).dt.tz_convert(ZONE).dt.tz_localize(None).dt.normalize()
    rows = rows.assign(day=day)
    current = rows[(day >= start) & (day <= end)]
    previous = rows[(day >= prev_start) & (day < start)]
    return current, previous


def pandas_tables(rows, open_, start, end, prev_start, now):
    current, previous = with_days(rows, start, end, prev_start)
    current = current.assign(week=current.day - pd.to_timedelta(current.day.dt.day_of_week, unit="D"))
    volumes = [current.groupby([d, "week"], dropna=False).size() for d in DIMENSIONS]
    changes = pd.concat([current.service_code.value_counts(), previous.service_code.value_counts()], axis=1)
    closed = current.state == "closed"
    has = current.closed_at.notna() & closed
    c = current.assign(
        decided=current.expected_at.notna() & (has | (~closed & (current.expected_at < now))),
        within=current.expected_at.notna() & has & (current.closed_at <= current.expected_at),
        open=~closed,
        overdue=~closed & current.expected_at.notna() & (current.expected_at < now),
        close_h=((current.closed_at - current.requested_at) / 3600).where(has & (current.closed_at >= current.requested_at)),
    )
    levels = []
    for key in ["service_code", "department"]:
        g = c.groupby(key, dropna=False)
        levels.append(g[["decided", "within", "open", "overdue"]].sum().join(g.close_h.quantile([0.5, 0.9]).unstack()))
    levels.append(c[["decided", "within", "open", "overdue"]].sum())
    age = now - open_.requested_at
    band = pd.cut(age, [-1, *AGES, float("inf")], right=False)
    backlog = open_.assign(band=band, overdue=open_.expected_at < now).groupby(["department", "band"], observed=True).agg(
        open=("band", "size"), overdue=("overdue", "sum"))
    return volumes, changes, levels, backlog


def duckdb_tables(con, start, end, prev_start, now):
    s, e, p = start.date().isoformat(), end.date().isoformat(), prev_start.date().isoformat()
    base = (
        "WITH r AS (SELECT *, CAST(timezone('America/New_York', to_timestamp(requested_at)) AS DATE) AS day FROM rows), "
        f"cur AS (SELECT *, date_trunc('week', day) AS week FROM r WHERE day BETWEEN DATE '{s}' AND DATE '{e}') "
    )
    out = []
    for d in DIMENSIONS:
        out.append(con.sql(base + f"SELECT {d}, week, count(*) FROM cur GROUP BY ALL").fetchall())
    out.append(con.sql(
        "WITH r AS (SELECT *, CAST(timezone('America/New_York', to_timestamp(requested_at)) AS DATE) AS day FROM rows) "
        f"SELECT service_code, count(*) FILTER (WHERE day BETWEEN DATE '{s}' AND DATE '{e}'), "
        f"count(*) FILTER (WHERE day >= DATE '{p}' AND day < DATE '{s}') FROM r GROUP BY ALL").fetchall())
    level = (
        "SELECT {key}, "
        f"count(*) FILTER (WHERE expected_at IS NOT NULL AND ((state = 'closed' AND closed_at IS NOT NULL) OR (state <> 'closed' AND expected_at < {now}))), "
        "count(*) FILTER (WHERE expected_at IS NOT NULL AND state = 'closed' AND closed_at <= expected_at), "
        "count(*) FILTER (WHERE state <> 'closed'), "
        f"count(*) FILTER (WHERE state <> 'closed' AND expected_at < {now}), "
        "quantile_cont((closed_at - requested_at) / 3600.0, [0.5, 0.9]) FILTER (WHERE state = 'closed' AND closed_at >= requested_at) "
        "FROM cur GROUP BY ALL"
    )
    for key in ["service_code", "department", "'(all)'"]:
        out.append(con.sql(base + level.format(key=key)).fetchall())
    out.append(con.sql(
        f"SELECT department, CASE WHEN {now} - requested_at < 86400 THEN 0 WHEN {now} - requested_at < 259200 THEN 1 "
        f"WHEN {now} - requested_at < 604800 THEN 2 WHEN {now} - requested_at < 2592000 THEN 3 "
        f"WHEN {now} - requested_at < 7776000 THEN 4 ELSE 5 END AS band, count(*), count(*) FILTER (WHERE expected_at < {now}) "
        "FROM open GROUP BY ALL").fetchall())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--from", dest="from_date", required=True)
    ap.add_argument("--to", dest="to_date", required=True)
    ap.add_argument("--at", required=True)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    cli = os.environ.get("CIVIC311_BIN", str(ROOT / "target" / "release" / "civic311"))
    start, end = pd.Timestamp(args.from_date), pd.Timestamp(args.to_date)
    prev_start = start - (end - start + pd.Timedelta(days=1))
    now = int(pd.Timestamp(args.at).timestamp())
    first = int(prev_start.tz_localize("UTC").timestamp()) - 2 * 86_400
    last = int(end.tz_localize("UTC").timestamp()) + 3 * 86_400

    ours, _ = timed(lambda: subprocess.run(
        [cli, "report", "--store", f"sqlite:{args.db}", "--from", args.from_date, "--to", args.to_date, "--by", "week",
         "--at", args.at, "--format", "json", "-o", os.devnull], check=True), args.runs)
    read_s, (rows, open_) = timed(lambda: read(args.db, first, last, now), args.runs)
    compute_s, _ = timed(lambda: pandas_tables(rows, open_, start, end, prev_start, now), args.runs)
    try:
        import duckdb
        con = duckdb.connect()
        con.register("rows", rows)
        con.register("open", open_)
        duck_s, _ = timed(lambda: duckdb_tables(con, start, end, prev_start, now), args.runs)
        duck = f"{duck_s:.2f} s computing, {read_s + duck_s:.2f} s with the read"
    except ImportError:
        duck_s, duck = None, "not installed (pip install duckdb)"
    rows_n = len(rows)
    print(f"{args.db.name}: {rows_n:,} rows in the two periods, {len(open_):,} open; {args.from_date} to {args.to_date} by week")
    print("| tool | seconds | against civic311 |\n|---|---|---|")
    print(f"| civic311 report (whole process: read, compute, write JSON) | {ours:.2f} | 1.00x |")
    print(f"| pandas: read_sql | {read_s:.2f} | |")
    print(f"| pandas: compute | {compute_s:.2f} | |")
    print(f"| pandas: read and compute | {read_s + compute_s:.2f} | {(read_s + compute_s) / ours:.2f}x |")
    if duck_s is not None:
        print(f"| DuckDB over the frames: compute | {duck_s:.2f} | {duck_s / ours:.2f}x |")
        print(f"| DuckDB: the read and compute | {read_s + duck_s:.2f} | {(read_s + duck_s) / ours:.2f}x |")
    else:
        print(f"| DuckDB | {duck} | |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent reference for Riverton's routing table (routing_table.jsonl).

Standard library only. It re-implements, from the routing spec and not from
the Rust code:

* due dates (expected_datetime) for "<n> business hours", "<n> business days",
  "<n> hours", "<n> minutes" and "<n> days", on the calendars and holidays of
  kb-fixtures/riverton/routing.toml;
* the routing itself (first matching rule, else the service's department,
  else a referral by boundary, else an error), with boundaries from
  boundaries.geojson and a small English stemmer for keyword conditions;
* the Open311 validation of each request against its service definition.

Checks made:
 1. every rule refers only to services, groups, boundaries, attributes, value
    keys, departments, channels and durations that exist;
 2. [slas] covers every service code and names no unknown one;
 3. every request in the table is valid for its service;
 4. every expected_datetime equals the due date recomputed from the expected
    rule's SLA on the expected department's calendar;
 5. the routing simulated here agrees with every expected row;
 6. every rule id named in the table exists, and every condition kind, action
    kind, `when` value, duration unit and outcome appears at least once.

Exits 0 when all hold, 1 otherwise. Run: python3 core/tests/it/routing_reference.py
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
KB = ROOT / "kb-fixtures" / "riverton"
TABLE = HERE / "routing_table.jsonl"

CONDITION_KINDS = ["services", "groups", "inside", "outside", "attributes", "keywords", "channels", "when", "reporter"]
ACTION_KINDS = ["department", "priority", "sla", "escalate", "notice", "refer"]
RULE_KEYS = {"id", "description", *CONDITION_KINDS, *ACTION_KINDS}
CHANNELS = {"phone", "web", "mobile_app", "email", "walk_in", "social", "internal", "api"}
WHENS = {"after-hours", "weekend", "holiday", "business-hours"}
PRIORITIES = {"emergency", "urgent", "high", "normal", "low"}
REPORTERS = {"resident", "staff"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Referral order of the spec: the city first, then a county, a state; a
# utility only for a service a utility delivers.
REFERRAL_KIND_ORDER = ["city", "utility", "county", "state"]

# The analyzer's English stop words (core/src/analyzer/stop_words.rs).
STOP_WORDS = set(
    """a about am an and any are as at be been being but by can could did do does doing for from had has have
    having he her here hers him his how i i'm if in into is it it's its just me my myself of on or our ours please
    she should so some than that the their them then there these they this those to too us very was we were what
    when where which who whom why will with would you your yours""".split()
)

problems: list[str] = []


def problem(msg: str) -> None:
    problems.append(msg)


# ---------------------------------------------------------------------------
# Durations
# ---------------------------------------------------------------------------

DURATION_RE = re.compile(r"^([1-9][0-9]*) (business hours?|business days?|hours?|days?|minutes?)$")


def parse_duration(text: str) -> tuple[int, str] | None:
    """("3 business days") -> (3, "business days"); units normalised to plural."""
    m = DURATION_RE.match(text.strip()) if isinstance(text, str) else None
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if not unit.endswith("s"):
        unit += "s"
    return n, unit


# ---------------------------------------------------------------------------
# Calendars
# ---------------------------------------------------------------------------


def parse_hhmm(s: str) -> int:
    h, m = s.split(":")
    return int(h) * 60 + int(m)


class Calendar:
    def __init__(self, raw: dict):
        self.id = raw["id"]
        self.tz = ZoneInfo(raw["time_zone"])
        self.hours: dict[int, list[tuple[int, int]]] = {}
        for i, name in enumerate(DAY_NAMES):
            ranges = []
            for r in raw.get("hours", {}).get(name, []):
                a, b = r.split("-")
                ranges.append((parse_hhmm(a), parse_hhmm(b)))
            self.hours[i] = sorted(ranges)
        self.holidays = raw.get("holidays", [])

    @staticmethod
    def _holiday_date(h: dict, year: int) -> date | None:
        if "date" in h:
            d = h["date"] if isinstance(h["date"], date) else date.fromisoformat(str(h["date"]))
            return d if d.year == year else None
        month = h["month"]
        if "day" in h:
            d = date(year, month, h["day"])
            if h.get("observed"):
                if d.weekday() == 5:
                    d -= timedelta(days=1)
                elif d.weekday() == 6:
                    d += timedelta(days=1)
            return d
        wd = DAY_NAMES.index(h["weekday"])
        nth = h["nth"]
        if nth == -1:
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            d = nxt - timedelta(days=1)
            while d.weekday() != wd:
                d -= timedelta(days=1)
            return d
        d = date(year, month, 1)
        while d.weekday() != wd:
            d += timedelta(days=1)
        d += timedelta(days=7 * (nth - 1))
        return d if d.month == month else None

    def holiday_on(self, d: date) -> str | None:
        for h in self.holidays:
            if self._holiday_date(h, d.year) == d:
                return h["name"]
            # an observed holiday can move into the previous year (Jan 1 on a Saturday)
            if d.month == 12 and self._holiday_date(h, d.year + 1) == d:
                return h["name"]
        return None

    def ranges_on(self, d: date) -> list[tuple[int, int]]:
        return [] if self.holiday_on(d) else self.hours[d.weekday()]

    def at(self, d: date, minute: int) -> datetime:
        """The instant of local `d` + minute (1440 = the next midnight), in UTC."""
        if minute >= 1440:
            d, minute = d + timedelta(days=1), minute - 1440
        local = datetime.combine(d, time(minute // 60, minute % 60), tzinfo=self.tz)
        return local.astimezone(timezone.utc)

    def intervals_on(self, d: date) -> list[tuple[datetime, datetime]]:
        return [(self.at(d, a), self.at(d, b)) for a, b in self.ranges_on(d)]

    def is_open(self, t: datetime) -> bool:
        local = t.astimezone(self.tz)
        sec = local.hour * 3600 + local.minute * 60 + local.second
        return any(a * 60 <= sec < b * 60 for a, b in self.ranges_on(local.date()))

    def fmt(self, t: datetime) -> str:
        return t.astimezone(self.tz).isoformat()


def due(cal: Calendar, start: datetime, sla: str) -> datetime:
    parsed = parse_duration(sla)
    if parsed is None:
        raise ValueError(f"bad duration {sla!r}")
    n, unit = parsed
    t = start.astimezone(timezone.utc)
    if unit == "minutes":
        return t + timedelta(minutes=n)
    if unit == "hours":
        return t + timedelta(hours=n)
    if unit == "days":
        local = t.astimezone(cal.tz).replace(tzinfo=None) + timedelta(days=n)
        out = local.replace(tzinfo=cal.tz)
        # refuse a wall-clock time that does not exist (spring-forward gap)
        if out.astimezone(timezone.utc).astimezone(cal.tz).replace(tzinfo=None) != local:
            raise ValueError(f"{local} does not exist in {cal.id}'s time zone")
        return out.astimezone(timezone.utc)
    if unit == "business hours":
        remaining = timedelta(hours=n)
        d = t.astimezone(cal.tz).date()
        for _ in range(3660):
            for a, b in cal.intervals_on(d):
                if b <= t:
                    continue
                begin = max(a, t)
                avail = b - begin
                if remaining <= avail:
                    return begin + remaining  # exactly at a closing: that closing
                remaining -= avail
            d += timedelta(days=1)
        raise ValueError("no business hours within ten years")
    if unit == "business days":
        d = t.astimezone(cal.tz).date()
        count = 0
        for _ in range(3660):
            d += timedelta(days=1)
            ranges = cal.ranges_on(d)
            if ranges:
                count += 1
                if count == n:
                    return cal.at(d, ranges[-1][1])
        raise ValueError("no business days within ten years")
    raise ValueError(unit)


# ---------------------------------------------------------------------------
# Boundaries
# ---------------------------------------------------------------------------


def in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    n = len(ring)
    for i in range(n - 1):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[i + 1][0], ring[i + 1][1]
        if (y1 > lat) != (y2 > lat):
            x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x:
                inside = not inside
    return inside


def in_polygon(lon: float, lat: float, rings: list) -> bool:
    return in_ring(lon, lat, rings[0]) and not any(in_ring(lon, lat, h) for h in rings[1:])


def in_boundary(geom: dict, lat: float, lon: float) -> bool:
    if geom["type"] == "Polygon":
        return in_polygon(lon, lat, geom["coordinates"])
    return any(in_polygon(lon, lat, p) for p in geom["coordinates"])


# ---------------------------------------------------------------------------
# Keywords: words, stop words kept as positions, a small stemmer
# ---------------------------------------------------------------------------


def fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c))


def stem(w: str) -> str:
    # A deliberately small stand-in for Snowball English: enough for the
    # inflections the table uses (sparks/sparking, wires, blocked/blocking).
    for suf in ("ing", "ed", "s"):
        if w.endswith(suf) and len(w) - len(suf) >= 3 and not w.endswith("ss"):
            w = w[: -len(suf)]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def tokens(text: str) -> list[tuple[int, str]]:
    words = re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", fold(text))
    return [(i, stem(w)) for i, w in enumerate(words) if w not in STOP_WORDS]


def has_keyword(description: str, keyword: str) -> bool:
    kw = tokens(keyword)
    if not kw:
        return False
    base = kw[0][0]
    rel = [(p - base, s) for p, s in kw]
    desc = dict(tokens(description))
    return any(all(desc.get(p + off) == s for off, s in rel) for p in list(desc))


# ---------------------------------------------------------------------------
# Loading and checking the catalog and the rules
# ---------------------------------------------------------------------------

catalog = tomllib.loads((KB / "catalog.toml").read_text())
routing = tomllib.loads((KB / "routing.toml").read_text())
geo = json.loads((KB / "boundaries.geojson").read_text())

services = {s["code"]: s for s in catalog["services"]}
departments = {d["id"]: d for d in catalog["departments"]}
jurisdictions = {j["id"]: j for j in catalog["jurisdictions"]}
calendars = {c["id"]: Calendar(c) for c in routing["calendars"]}
boundaries = {f["properties"]["id"]: f["geometry"] for f in geo["features"]}
groups = {s["group"] for s in services.values()}
slas = routing.get("slas", {})
rules = routing.get("rules", [])
rules_by_id = {r.get("id"): r for r in rules}


def dept_calendar(dept_id: str) -> Calendar:
    return calendars[departments[dept_id]["calendar"]]


def check_rules() -> None:
    for code in slas:
        # "default" and "inquiry" (the reply deadline of escalated
        # questions) are the two keys that name no service.
        if code not in ("default", "inquiry") and code not in services:
            problem(f"[slas] {code}: no such service")
        if parse_duration(slas[code]) is None:
            problem(f"[slas] {code}: bad duration {slas[code]!r}")
    for code in services:
        if code not in slas:
            problem(f"[slas] has no entry for {code}")
    seen = set()
    for i, r in enumerate(rules):
        rid = r.get("id", f"#{i}")
        where = f"rule {rid}"
        if not ID_RE.match(str(r.get("id", ""))):
            problem(f"{where}: bad or missing id")
        if rid in seen:
            problem(f"{where}: duplicate id")
        seen.add(rid)
        if not str(r.get("description", "")).strip():
            problem(f"{where}: no description")
        for k in r:
            if k not in RULE_KEYS:
                problem(f"{where}: unknown field {k}")
        for code in r.get("services", []):
            if code not in services:
                problem(f"{where}: unknown service {code}")
        for g in r.get("groups", []):
            if g not in groups:
                problem(f"{where}: unknown group {g!r}")
        for b in r.get("inside", []) + r.get("outside", []):
            if b not in boundaries:
                problem(f"{where}: unknown boundary {b}")
        scope = [services[c] for c in r.get("services", []) if c in services]
        if not scope and r.get("groups"):
            scope = [s for s in services.values() if s["group"] in r["groups"]]
        for attr, accepted in r.get("attributes", {}).items():
            if not isinstance(accepted, list) or not accepted:
                problem(f"{where}: attribute {attr} needs a list of accepted values")
                continue
            if not scope:
                problem(f"{where}: attribute {attr} with no services or groups to check it against")
            for s in scope:
                defs = [a for a in s.get("attributes", []) if a["code"] == attr]
                if not defs:
                    problem(f"{where}: service {s['code']} has no attribute {attr}")
                    continue
                a = defs[0]
                if a["datatype"] in ("singlevaluelist", "multivaluelist"):
                    keys = {v["key"] for v in a.get("values", [])}
                    for v in accepted:
                        if v not in keys:
                            problem(f"{where}: {s['code']}.{attr} has no value key {v!r}")
        for c in r.get("channels", []):
            if c not in CHANNELS:
                problem(f"{where}: unknown channel {c}")
        for w in r.get("when", []):
            if w not in WHENS:
                problem(f"{where}: unknown when {w}")
        if "reporter" in r and r["reporter"] not in REPORTERS:
            problem(f"{where}: unknown reporter {r['reporter']}")
        if "department" in r and r["department"] not in departments:
            problem(f"{where}: unknown department {r['department']}")
        if "priority" in r and r["priority"] not in PRIORITIES:
            problem(f"{where}: unknown priority {r['priority']}")
        if "sla" in r and parse_duration(r["sla"]) is None:
            problem(f"{where}: bad sla {r['sla']!r}")
        if "escalate" in r:
            e = r["escalate"]
            if e.get("to") not in departments:
                problem(f"{where}: escalate.to unknown department {e.get('to')}")
            if parse_duration(e.get("after", "")) is None:
                problem(f"{where}: escalate.after bad duration {e.get('after')!r}")
        if r.get("refer") and "sla" in r:
            problem(f"{where}: a referral takes no sla")
        if not any(k in r for k in CONDITION_KINDS):
            problem(f"{where}: no conditions (it would take every request)")


# ---------------------------------------------------------------------------
# Validation of a request (mirrors core/src/open311/validate.rs)
# ---------------------------------------------------------------------------


def parse_time(s: str) -> datetime:
    t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"{s!r} has no offset")
    return t


def validate(req: dict) -> list[str]:
    errs = []
    s = services.get(req.get("service_code", ""))
    if s is None:
        return [f"unknown service {req.get('service_code')!r}"]
    reporter = req.get("reporter", "resident")
    if reporter not in REPORTERS:
        errs.append(f"reporter {reporter!r}")
    if s.get("staff_only") and reporter != "staff":
        errs.append("staff-only service filed by a resident")
    if "channel" in req and req["channel"] not in CHANNELS:
        errs.append(f"channel {req['channel']!r}")
    has_lat, has_long = "lat" in req, "long" in req
    if has_lat != has_long:
        errs.append("lat without long or long without lat")
    if not has_lat and not (str(req.get("address_string", "")).strip() or req.get("address_id")):
        errs.append("no location")
    if has_lat and not (-90 <= req["lat"] <= 90 and -180 <= req["long"] <= 180):
        errs.append("lat/long off the globe")
    if len(req.get("description", "")) > 4000:
        errs.append("description too long")
    try:
        parse_time(req["requested_datetime"])
    except Exception as e:  # noqa: BLE001
        errs.append(f"requested_datetime: {e}")
    answers = req.get("attribute", {})
    defs = {a["code"]: a for a in s.get("attributes", [])}
    for code, a in defs.items():
        variable = a.get("variable", True)
        if code not in answers:
            if a.get("required") and variable:
                errs.append(f"attribute {code} is required")
            continue
        if not variable:
            errs.append(f"attribute {code} is informational")
            continue
        vals = answers[code] if isinstance(answers[code], list) else [answers[code]]
        vals = [str(v) for v in vals]
        if all(not v.strip() for v in vals):
            if a.get("required"):
                errs.append(f"attribute {code} required but empty")
            continue
        if len(vals) > 1 and a["datatype"] != "multivaluelist":
            errs.append(f"attribute {code} takes one value")
        for v in vals:
            dt = a["datatype"]
            if dt in ("singlevaluelist", "multivaluelist") and v not in {x["key"] for x in a.get("values", [])}:
                errs.append(f"attribute {code} has no value {v!r}")
            elif dt == "number":
                try:
                    float(v)
                except ValueError:
                    errs.append(f"attribute {code} must be a number")
            elif dt == "datetime":
                try:
                    parse_time(v)
                except Exception:  # noqa: BLE001
                    errs.append(f"attribute {code} must be a date-time")
            elif dt == "string" and ("\n" in v or "\r" in v):
                errs.append(f"attribute {code} is one line")
    for code in answers:
        if code not in defs:
            errs.append(f"attribute {code} is not an attribute of {s['code']}")
    return errs


# ---------------------------------------------------------------------------
# Routing (the spec, independently)
# ---------------------------------------------------------------------------


def located(req: dict) -> bool:
    return "lat" in req and "long" in req


def inside_any(req: dict, ids: list[str]) -> bool:
    return any(in_boundary(boundaries[b], req["lat"], req["long"]) for b in ids)


def when_holds(item: str, cal: Calendar, t: datetime) -> bool:
    local = t.astimezone(cal.tz)
    if item == "weekend":
        return local.weekday() >= 5
    if item == "holiday":
        return cal.holiday_on(local.date()) is not None
    if item == "business-hours":
        return cal.is_open(t)
    if item == "after-hours":
        return not cal.is_open(t)
    raise ValueError(item)


def answer_values(req: dict, code: str) -> list[str]:
    v = req.get("attribute", {}).get(code)
    if v is None:
        return []
    return [str(x) for x in (v if isinstance(v, list) else [v])]


def rule_matches(r: dict, req: dict, service: dict, t: datetime) -> bool:
    if "services" in r and service["code"] not in r["services"]:
        return False
    if "groups" in r and service["group"] not in r["groups"]:
        return False
    if "inside" in r and not (located(req) and inside_any(req, r["inside"])):
        return False
    if "outside" in r and not (located(req) and not inside_any(req, r["outside"])):
        return False
    for code, accepted in r.get("attributes", {}).items():
        if not any(v in accepted for v in answer_values(req, code)):
            return False
    if "keywords" in r and not any(has_keyword(req.get("description", ""), k) for k in r["keywords"]):
        return False
    if "channels" in r and req.get("channel") not in r["channels"]:
        return False
    if "when" in r:
        cal = dept_calendar(service["department"])
        if not any(when_holds(w, cal, t) for w in r["when"]):
            return False
    if "reporter" in r and req.get("reporter", "resident") != r["reporter"]:
        return False
    return True


def sla_for(rule: dict | None, code: str) -> str | None:
    if rule is not None and "sla" in rule:
        return rule["sla"]
    return slas.get(code, slas.get("default"))


def route(req: dict) -> dict:
    service = services[req["service_code"]]
    t = parse_time(req["requested_datetime"])
    for r in rules:
        if rule_matches(r, req, service, t):
            dept = r.get("department", service["department"])
            out = {
                "jurisdiction": departments[dept]["jurisdiction"],
                "department": dept,
                "priority": r.get("priority", "normal"),
                "rule": r["id"],
                "expected_datetime": None,
                "referral": bool(r.get("refer", False)),
            }
            if not out["referral"]:
                sla = sla_for(r, service["code"])
                cal = dept_calendar(dept)
                out["expected_datetime"] = cal.fmt(due(cal, t, sla)) if sla else None
            return out
    dept = service["department"]
    jur = jurisdictions[departments[dept]["jurisdiction"]]
    if located(req) and jur.get("boundary") and not inside_any(req, [jur["boundary"]]):
        for kind in REFERRAL_KIND_ORDER:
            if kind == "utility" and jur["kind"] != "utility":
                continue
            for j in jurisdictions.values():
                if j["kind"] == kind and j.get("boundary") and inside_any(req, [j["boundary"]]):
                    return {
                        "jurisdiction": j["id"],
                        "department": None,
                        "priority": "normal",
                        "rule": "referral",
                        "expected_datetime": None,
                        "referral": True,
                    }
        return {"error": "routing"}
    sla = sla_for(None, service["code"])
    cal = dept_calendar(dept)
    return {
        "jurisdiction": jur["id"],
        "department": dept,
        "priority": "normal",
        "rule": "default",
        "expected_datetime": cal.fmt(due(cal, t, sla)) if sla else None,
        "referral": False,
    }


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

EXPECTED_KEYS = {"jurisdiction", "department", "priority", "rule", "expected_datetime", "referral"}


def check_table() -> None:
    rows = []
    for n, line in enumerate(TABLE.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            problem(f"table line {n}: not JSON: {e}")
    names = set()
    covered_conditions, covered_actions, covered_when, covered_units, outcomes = set(), set(), set(), set(), set()
    rules_seen = set()
    for n, row in rows:
        name = row.get("name", f"line {n}")
        where = f"table line {n} ({name})"
        if name in names:
            problem(f"{where}: duplicate name")
        names.add(name)
        req, exp = row.get("request", {}), row.get("expected", {})
        for e in validate(req):
            problem(f"{where}: invalid request: {e}")
        if exp != {"error": "routing"} and set(exp) != EXPECTED_KEYS:
            problem(f"{where}: expected has keys {sorted(exp)}")
            continue
        # 1. the rule it names exists
        rid = exp.get("rule")
        if exp == {"error": "routing"}:
            outcomes.add("error")
        elif rid in ("default", "referral"):
            outcomes.add(rid)
        elif rid not in rules_by_id:
            problem(f"{where}: unknown rule {rid!r}")
            continue
        else:
            rules_seen.add(rid)
            r = rules_by_id[rid]
            covered_conditions |= {k for k in CONDITION_KINDS if k in r}
            covered_actions |= {k for k in ACTION_KINDS if k in r}
            outcomes.add("rule-referral" if r.get("refer") else "rule")
        # 2. the due date, recomputed from the expected rule's SLA
        if exp != {"error": "routing"}:
            rule = rules_by_id.get(rid)
            if exp["referral"]:
                if exp["expected_datetime"] is not None:
                    problem(f"{where}: a referral has no expected_datetime")
            else:
                sla = sla_for(rule, req["service_code"])
                covered_units.add(parse_duration(sla)[1])
                cal = dept_calendar(exp["department"])
                want = cal.fmt(due(cal, parse_time(req["requested_datetime"]), sla))
                if exp["expected_datetime"] != want:
                    problem(f"{where}: expected_datetime {exp['expected_datetime']} but {sla!r} on calendar {cal.id} gives {want}")
            if rule is not None and "when" in rule:
                cal = dept_calendar(services[req["service_code"]]["department"])
                t = parse_time(req["requested_datetime"])
                covered_when |= {w for w in rule["when"] if when_holds(w, cal, t)}
        # 3. the whole routing, simulated
        try:
            got = route(req)
        except Exception as e:  # noqa: BLE001
            problem(f"{where}: routing failed here: {e}")
            continue
        if got != exp:
            diff = {k: (exp.get(k), got.get(k)) for k in set(exp) | set(got) if exp.get(k) != got.get(k)}
            problem(f"{where}: table says / reference gives: {diff}")
    for k in CONDITION_KINDS:
        if k not in covered_conditions:
            problem(f"coverage: no table row exercises a rule with condition '{k}'")
    for k in ACTION_KINDS:
        if k not in covered_actions:
            problem(f"coverage: no table row exercises a rule with action '{k}'")
    for w in WHENS:
        if w not in covered_when:
            problem(f"coverage: no table row matches a rule through when = '{w}'")
    for u in ("business hours", "business days", "hours", "days", "minutes"):
        if u not in covered_units:
            problem(f"coverage: no table row has an SLA in {u}")
    for o in ("default", "referral", "error", "rule", "rule-referral"):
        if o not in outcomes:
            problem(f"coverage: no table row ends in outcome '{o}'")
    untested = [r["id"] for r in rules if r["id"] not in rules_seen]
    print(f"{len(rows)} table rows, {len(rules)} rules, {len(rules) - len(untested)} rules exercised")
    if untested:
        print("rules no row exercises (informational): " + ", ".join(untested))


def main() -> int:
    check_rules()
    check_table()
    for p in problems:
        print("MISMATCH: " + p)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("routing table agrees with the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Builds the searchable documents of a civic311 catalog for the peer engines.

The set is the one civic311's answer search indexes:

* every knowledge article   -> "article:<id>"
* every service that is not staff_only -> "service:<code>"
* every facility             -> "facility:<id>"

Each document is a flat record with the text fields title, questions,
keywords and body (all plain strings), plus key, kind, id and lang (articles
have a language, services and facilities are shared by all languages and get
lang null).

Usage: python docs.py OUT.json [--catalog DIR]

Only the standard library is used (Python 3.11+ for tomllib).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_CATALOG = REPO / "kb-fixtures" / "riverton"

TEXT_FIELDS = ("title", "questions", "keywords", "body")


# ---------------------------------------------------------------------------
# Articles: TOML front matter between +++ lines, then a Markdown body
# ---------------------------------------------------------------------------

def split_front_matter(text: str) -> tuple[str, str]:
    """Returns (front_matter, body) of `+++\\n<toml>\\n+++\\n<body>`.

    Same rules as civic311's loader: a BOM and blank lines before the
    opening +++ are allowed; the front matter ends at the next line that is
    exactly +++ (trailing whitespace allowed).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].strip() == "":
        i += 1
    if i >= len(lines) or lines[i].rstrip() != "+++":
        raise ValueError("the article does not start with a '+++' line")
    for j in range(i + 1, len(lines)):
        if lines[j].rstrip() == "+++":
            return "".join(lines[i + 1:j]), "".join(lines[j + 1:])
    raise ValueError("the front matter is not closed with a '+++' line")


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HR = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_HTML_BLOCK = re.compile(r"^\s{0,3}</?[A-Za-z][A-Za-z0-9-]*(\s|/?>|$)|^\s{0,3}<!--")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s+|$)")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_QUOTE = re.compile(r"^\s{0,3}(>\s?)+")
_LIST = re.compile(r"^\s*([-*+]|\d{1,9}[.)])\s+")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_INLINE_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_STAR_EM = re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1")
# Underscores mark emphasis only at word edges: snake_case stays as it is.
_UNDERSCORE_EM = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")
_STRIKE = re.compile(r"~~(.+?)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")


def _inline(text: str) -> str:
    """Plain text of one line of inline Markdown."""
    # Code spans keep their text verbatim (civic311 does too); protect them
    # from the other rules with placeholders.
    spans: list[str] = []

    def keep(m: re.Match) -> str:
        spans.append(m.group(2).strip() if m.group(2).strip() else m.group(2))
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE_SPAN.sub(keep, text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _INLINE_HTML.sub("", text)
    for _ in range(3):  # nested emphasis: ***a*** or **_a_**
        new = _UNDERSCORE_EM.sub(r"\2", _STAR_EM.sub(r"\2", text))
        if new == text:
            break
        text = new
    text = _STRIKE.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)
    return text


def markdown_to_text(markdown: str) -> str:
    """The plain text of a Markdown body, close to civic311's own
    conversion: headings, paragraphs, list items and table rows become
    paragraphs separated by blank lines; markup characters (#, *, _, `, >,
    list bullets, table pipes) and link targets are dropped; code keeps its
    text; raw HTML blocks are dropped."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            joined = " ".join(s for s in current if s)
            joined = re.sub(r"[ \t]+", " ", joined).strip()
            if joined:
                blocks.append(joined)
            current.clear()

    in_fence = False
    in_html = False
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if in_fence:
            if _FENCE.match(line):
                in_fence = False
                flush()
            else:
                current.append(line.strip())
            continue
        if _FENCE.match(line):
            flush()
            in_fence = True
            continue
        if in_html:
            if not line.strip():
                in_html = False
            continue
        if not line.strip():
            flush()
            continue
        if _HTML_BLOCK.match(line) and not current:
            in_html = True
            continue
        if _REF_DEF.match(line):
            continue
        if "|" in line and _TABLE_SEP.match(line):
            flush()  # a table's delimiter row: |---|:--:|
            continue
        if current and _SETEXT.match(line):
            flush()  # the line above was a setext heading
            continue
        if _HR.match(line):
            flush()  # a thematic break: --- or *** or ___
            continue
        if _HEADING.match(line):
            flush()
            current.append(_inline(_HEADING.sub("", line).rstrip("# ").strip()))
            flush()
            continue
        line = _QUOTE.sub("", line)
        if _LIST.match(line):
            flush()
            line = _LIST.sub("", line)
        if "|" in line and line.strip().startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            current.append(" ".join(_inline(c) for c in cells if c))
            flush()
            continue
        current.append(_inline(line.strip()))
    flush()
    return "\n\n".join(blocks)


def _joined(values) -> str:
    if values is None:
        return ""
    if isinstance(values, str):
        return values
    return "\n".join(str(v) for v in values)


def load_articles(catalog_dir: Path) -> list[dict]:
    docs = []
    articles_dir = catalog_dir / "articles"
    for path in sorted(articles_dir.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front, body = split_front_matter(text)
        meta = tomllib.loads(front)
        docs.append({
            "key": f"article:{meta['id']}",
            "kind": "article",
            "id": meta["id"],
            "lang": meta.get("lang", "en"),
            "title": meta["title"],
            "questions": _joined(meta.get("questions")),
            "keywords": _joined(meta.get("keywords")),
            "body": markdown_to_text(body),
        })
    return docs


def load_services(catalog_dir: Path) -> list[dict]:
    with open(catalog_dir / "catalog.toml", "rb") as f:
        catalog = tomllib.load(f)
    docs = []
    for s in catalog.get("services", []):
        if s.get("staff_only", False):
            continue
        docs.append({
            "key": f"service:{s['code']}",
            "kind": "service",
            "id": s["code"],
            "lang": None,
            "title": s["name"],
            "questions": _joined(s.get("phrasings")),
            "keywords": _joined(s.get("keywords")),
            "body": s.get("description", ""),
        })
    return docs


def load_facilities(catalog_dir: Path) -> list[dict]:
    path = catalog_dir / "facilities.toml"
    if not path.exists():
        return []
    with open(path, "rb") as f:
        data = tomllib.load(f)
    docs = []
    for fac in data.get("facilities", []):
        body = "\n\n".join(p for p in (fac.get("description", ""), fac.get("address", "")) if p)
        docs.append({
            "key": f"facility:{fac['id']}",
            "kind": "facility",
            "id": fac["id"],
            "lang": None,
            "title": fac["name"],
            "questions": "",
            "keywords": _joined(fac.get("keywords")),
            "body": body,
        })
    return docs


def build_docs(catalog_dir: Path | str = DEFAULT_CATALOG) -> list[dict]:
    """All searchable documents of the catalog, articles first, then
    services, then facilities. Keys are unique."""
    catalog_dir = Path(catalog_dir)
    docs = load_articles(catalog_dir) + load_services(catalog_dir) + load_facilities(catalog_dir)
    seen: set[str] = set()
    for d in docs:
        if d["key"] in seen:
            raise ValueError(f"duplicate document key {d['key']}")
        seen.add(d["key"])
    return docs


def write_docs(docs: list[dict], out: Path | str) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(docs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="where to write the documents as JSON")
    ap.add_argument("--catalog", default=str(DEFAULT_CATALOG), help="catalog folder (default: %(default)s)")
    args = ap.parse_args(argv)
    docs = build_docs(args.catalog)
    write_docs(docs, args.out)
    counts: dict[str, int] = {}
    for d in docs:
        counts[d["kind"]] = counts.get(d["kind"], 0) + 1
    plural = {"article": "articles", "service": "services", "facility": "facilities"}
    summary = ", ".join(f"{n} {plural.get(k, k)}" for k, n in counts.items())
    print(f"wrote {len(docs)} documents ({summary}) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

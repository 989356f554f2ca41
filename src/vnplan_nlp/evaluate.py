"""Score ``parse`` against the corpus gold files: per-field accuracy and the misses.

Gold comes in two kinds (see the corpus README): hand-read files for plans, and the
metadata a legal-document site shows beside its pages. The site names a province's or
city's bodies by the locality alone ("Tỉnh Bắc Ninh" for its People's Committee); such a
gold issuer is matched when the parsed issuer or its parent organ belongs to that locality.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import VnplanError
from .normalise import match_key
from .parse import parse_path

FIELDS = ("number_symbol", "doc_type", "issued_date", "issuer", "signer")
RAW_FIELDS = ("number_symbol", "doc_type", "issued_date", "issuer", "parent_organ", "place", "signer", "title")

_ABBREV = [(r"\bubnd\b", "ủy ban nhân dân"), (r"\bhđnd\b", "hội đồng nhân dân"),
           (r"\bmttq\b", "mặt trận tổ quốc"), (r"\btp\.\s*", "thành phố "), (r"\bvn\b", "việt nam")]
_LOCALITY = re.compile(r"^(tỉnh|thành phố)\s+(.+)$")


def _key(s: str | None) -> str | None:
    if s is None:
        return None
    k = match_key(s)
    for pat, rep in _ABBREV:
        k = re.sub(pat, rep, k)
    return " ".join(k.split())


def issuer_matches(gold: str | None, issuer: str | None, parent: str | None) -> bool:
    g, i, p = _key(gold), _key(issuer), _key(parent)
    if g == i:
        return True
    if g is None or i is None:
        return False
    m = _LOCALITY.match(g)
    if m:  # the site's locality short form
        place = m.group(2)
        return any(x is not None and re.search(rf"\b{re.escape(place)}$", x) for x in (i, p))
    return False


def field_value(doc, name: str):
    h = doc.header
    if name == "signer":
        return doc.signature.signer if doc.signature else None
    return getattr(h, name)


def same(name: str, gold, got, doc=None) -> bool:
    if name == "issuer" and doc is not None:
        return issuer_matches(gold, got, doc.header.parent_organ)
    if name == "number_symbol":
        return (gold or "").replace(" ", "") == (got or "").replace(" ", "")
    if name in ("doc_type", "signer", "place", "issuer", "parent_organ", "title"):
        return _key(gold) == _key(got)
    return gold == got


@dataclass
class Report:
    rows: list[dict] = field(default_factory=list)         # one per gold document
    misses: list[tuple[str, str, object, object]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    raw_rows: list[dict] = field(default_factory=list)
    raw_misses: list[tuple[str, str, object, object]] = field(default_factory=list)
    parsed_all: int = 0
    parse_errors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def accuracy(self) -> dict[str, tuple[int, int]]:
        out = {}
        for f in FIELDS:
            scored = [r[f] for r in self.rows if f in r]
            out[f] = (sum(scored), len(scored))
        return out


def gold_header(gold: dict) -> dict:
    h = dict(gold.get("header") or {})
    sig = h.get("signature") or {}
    if "signer" not in h and sig:
        h["signer"] = sig.get("signer")
    return h


def evaluate(corpus: Path, raw: bool = True) -> Report:
    rep = Report()
    t0 = time.perf_counter()
    docs_dir = corpus / "docs"
    for gf in sorted((corpus / "gold").glob("*.json")):
        gold = json.loads(gf.read_text("utf-8"))
        doc_id = gold.get("id") or gf.stem
        path = docs_dir / f"{doc_id}.txt"
        try:
            doc = parse_path(path)
        except VnplanError as e:
            rep.errors.append((doc_id, e.message))
            continue
        gh = gold_header(gold)
        row = {"id": doc_id}
        for f in FIELDS:
            if f not in gh:
                continue
            got = field_value(doc, f)
            ok = same(f, gh[f], got, doc)
            row[f] = ok
            if not ok:
                rep.misses.append((doc_id, f, gh[f], got))
        rep.rows.append(row)
    # every document and raw file parses without error
    for p in sorted(docs_dir.glob("*.txt")):
        try:
            parse_path(p)
            rep.parsed_all += 1
        except VnplanError as e:
            rep.parse_errors.append((p.name, e.message))
    if raw:
        for p in sorted((corpus / "raw").glob("*")):
            try:
                rdoc = parse_path(p)
                rep.parsed_all += 1
            except VnplanError as e:
                rep.parse_errors.append((p.name, f"[{e.code}] {e.message}"))
                continue
            tpath = docs_dir / f"{p.stem}.txt"
            if not tpath.exists():
                continue
            tdoc = parse_path(tpath)
            row = {"id": p.name}
            for f in RAW_FIELDS:
                a, b = field_value(tdoc, f), field_value(rdoc, f)
                ok = same(f, a, b)
                row[f] = ok
                if not ok:
                    rep.raw_misses.append((p.name, f, a, b))
            rep.raw_rows.append(row)
    rep.seconds = time.perf_counter() - t0
    return rep


def format_report(rep: Report, misses: bool = True) -> str:
    out = []
    n = len(rep.rows)
    out.append(f"Header fields against {n} gold files ({sum(1 for r in rep.rows if r['id'].startswith('tvpl-'))} site "
               f"metadata, {sum(1 for r in rep.rows if not r['id'].startswith('tvpl-'))} read by hand)")
    out.append(f"{'field':<15}{'right':>7}{'scored':>8}{'accuracy':>10}")
    for f, (ok, tot) in rep.accuracy().items():
        out.append(f"{f:<15}{ok:>7}{tot:>8}{(100.0 * ok / tot if tot else 0):>9.1f}%")
    full = sum(1 for r in rep.rows if all(v for k, v in r.items() if k != "id"))
    out.append(f"documents with every field right: {full}/{n}")
    if rep.raw_rows:
        out.append("")
        out.append(f"Raw files against their text copies ({len(rep.raw_rows)} files): same header field")
        for f in RAW_FIELDS:
            ok = sum(1 for r in rep.raw_rows if r.get(f))
            out.append(f"{f:<15}{ok:>7}{len(rep.raw_rows):>8}")
    out.append("")
    out.append(f"parsed without error: {rep.parsed_all} files; errors: {len(rep.parse_errors)}; "
               f"{rep.seconds:.1f} s")
    for name, msg in rep.parse_errors + rep.errors:
        out.append(f"  ERROR {name}: {msg}")
    if misses and rep.misses:
        out.append("")
        out.append("Misses (document, field, gold, parsed):")
        for d, f, g, got in rep.misses:
            out.append(f"  {d:<40} {f:<14} gold={g!r}  got={got!r}")
    if misses and rep.raw_misses:
        out.append("")
        out.append("Raw-file differences (file, field, text copy, raw file):")
        for d, f, g, got in rep.raw_misses:
            out.append(f"  {d:<45} {f:<13} txt={g!r}  raw={got!r}")
    return "\n".join(out)

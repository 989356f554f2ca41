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


# -- responsibilities -------------------------------------------------------------------------
#
# Matching rule (benchmarks/eval_responsibilities.py prints both gold views with it). Actor
# phrases are compared by key (responsibilities.actor_key: tones and case folded, punctuation
# and a leading 'các'/'mỗi'/'đồng chí' dropped); two phrases match when their keys are equal or
# one contains the other at word boundaries. Each gold entry is matched to at most one
# prediction, greedily in text order, in rounds: same section path, then section paths one of
# which extends the other ('III.2' ~ 'III.2.b'), then any section; equal keys before
# containment within each round. Role: equal. Deadline: both empty, or every '; '-separated
# part of each has a part of the other that contains it or is contained in it.

def actor_match(a: str, b: str) -> int:
    """2 equal keys, 1 one key contains the other at word boundaries, 0 no match."""
    from .responsibilities import actor_key
    ka, kb = actor_key(a), actor_key(b)
    if not ka or not kb:
        return 0
    if ka == kb:
        return 2
    if f" {ka} " in f" {kb} " or f" {kb} " in f" {ka} ":
        return 1
    return 0


def sections_compatible(a: str | None, b: str | None) -> bool:
    a, b = a or "", b or ""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _parts(s: str | None) -> list[str]:
    from .responsibilities import actor_key
    if not s:
        return []
    return [k for k in (actor_key(p) for p in s.split(";")) if k]


def phrase_match(pred: str | None, gold: str | None) -> bool:
    """Deadline (or report_to) agreement: both empty, or each part covered by the other."""
    p, g = _parts(pred), _parts(gold)
    if not p and not g:
        return True
    if not p or not g:
        return False

    def covered(x, ys):
        return any(x in y or y in x for y in ys)
    return all(covered(x, p) for x in g) and all(covered(x, g) for x in p)


def match_responsibilities(gold: list[dict], pred: list[dict],
                           rounds=("same", "compatible", "any")) -> list[tuple[int, int]]:
    """(gold index, prediction index) pairs under the matching rule above."""
    pairs: list[tuple[int, int]] = []
    used_g: set[int] = set()
    used_p: set[int] = set()
    for rnd in rounds:
        for strength in (2, 1):
            for gi, g in enumerate(gold):
                if gi in used_g:
                    continue
                for pi, p in enumerate(pred):
                    if pi in used_p or actor_match(p["actor"], g["actor"]) < strength:
                        continue
                    if rnd == "same" and (p.get("section") or "") != (g.get("section") or ""):
                        continue
                    if rnd == "compatible" and not sections_compatible(p.get("section"), g.get("section")):
                        continue
                    pairs.append((gi, pi))
                    used_g.add(gi)
                    used_p.add(pi)
                    break
    return pairs


def score_responsibilities(gold: list[dict], pred: list[dict]) -> dict:
    """Counts for actor P/R/F1 and, on matched pairs, role, deadline, report_to and request."""
    pairs = match_responsibilities(gold, pred)
    return {
        "gold": len(gold), "pred": len(pred), "matched": len(pairs),
        "role": sum(1 for gi, pi in pairs if gold[gi]["role"] == pred[pi]["role"]),
        "deadline": sum(1 for gi, pi in pairs if phrase_match(pred[pi].get("deadline"), gold[gi].get("deadline"))),
        "report_to": sum(1 for gi, pi in pairs if phrase_match(pred[pi].get("report_to"), gold[gi].get("report_to"))),
        "request": sum(1 for gi, pi in pairs if bool(pred[pi].get("request")) == bool(gold[gi].get("request"))),
        "pairs": pairs,
    }


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def summarise(counts: list[dict]) -> dict:
    """Totals over documents: precision, recall, F1, role and deadline accuracy on matched."""
    tot = {k: sum(c[k] for c in counts) for k in ("gold", "pred", "matched", "role", "deadline", "report_to", "request")}
    p, r, f = prf(tot["matched"], tot["pred"], tot["gold"])
    n = tot["matched"] or 1
    return {**tot, "precision": p, "recall": r, "f1": f, "role_accuracy": tot["role"] / n,
            "deadline_accuracy": tot["deadline"] / n, "report_to_accuracy": tot["report_to"] / n,
            "request_accuracy": tot["request"] / n}

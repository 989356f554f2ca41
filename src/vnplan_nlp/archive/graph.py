"""The reference graph: which archived record a reference points to, and who points at a record.

A reference names a document by number, date, issuer and type. The number alone is not
an identity: bodies number their documents independently (a commune's 16/KH-MTTQ-BTT and a
province's), so a record is taken for a reference only when nothing known about the two
disagrees: the dates (when both are known), the types, and the places in the issuers'
names ("xã Lương Minh" is not "tỉnh Quảng Ninh"). When several records remain and the
issuers cannot tell them apart, the reference is *ambiguous*, and said to be so: records
are never merged. Resolution happens at query time, so a record indexed after the
documents citing it is found by them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..normalise import fold_tones
from .search import fold, tokens

RELATION_ORDER = {"implements": 0, "basis": 1, "cites": 2}


def number_key(number_symbol: str | None) -> str | None:
    """The form numbers are compared in: "159-KH/ĐUK" -> "159-KH/DUK", "05/KH-UBND" ->
    "5/KH-UBND", spaces dropped, case and diacritics folded."""
    if not number_symbol:
        return None
    s = unicodedata.normalize("NFC", number_symbol)
    s = "".join(fold(fold_tones(s)).upper().split())
    s = re.sub(r"^0+(?=\d)", "", s)
    return s or None


def type_code(symbol: str | None, number_symbol: str | None = None) -> str | None:
    """The type part of a symbol: "KH/ĐU" -> "kh", "103-KH/ĐU" -> "kh", "16/KH-MTTQ-BTT" -> "kh"."""
    s = symbol
    if not s and number_symbol:
        m = re.match(r"^\s*\d+[\w.]*?\s*[-/]\s*(.*)$", number_symbol)
        s = m.group(1) if m else None
    if not s:
        return None
    first = tokens(fold(s))
    return first[0] if first else None


# -- places in issuer names -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _units() -> tuple[re.Pattern, set[str]]:
    data = json.loads((Path(__file__).resolve().parents[1] / "data" / "admin_units.json").read_text("utf-8"))
    levels = sorted({fold(u).lower() for u in data["levels"]}, key=len, reverse=True)
    # "xã Lương Minh", "tỉnh Quảng Ninh", "TP Hồ Chí Minh": a level word, then a capitalised name.
    pattern = re.compile(r"(?<![^\W_])(" + "|".join(re.escape(l) for l in levels) + r")\.?\s+"
                         r"((?:[^\W\d_][^\W_]*)(?:\s+[^\W\d_][^\W_]*){0,3})", re.I)
    return pattern, {fold(w).lower() for w in data.get("not_names", [])}


def places(name: str | None) -> set[str]:
    """The places an organ's name carries: "Ủy ban MTTQ Việt Nam xã Lương Minh" ->
    {"luong minh"}. Only capitalised words count as a name (not "tỉnh ủy", "xã hội")."""
    if not name:
        return set()
    pattern, not_names = _units()
    folded = fold(name)          # same length: a match's offsets hold in ``name`` too
    out = set()
    for m in pattern.finditer(folded):
        words = []
        pos = m.start(2)
        for w in m.group(2).split():
            at = folded.index(w, pos)
            pos = at + len(w)
            if not name[at].isupper() or w in not_names:
                break
            words.append(w)
        if words:
            out.add(" ".join(words))
    return out


def _issuer_words(name: str | None) -> set[str]:
    return set(tokens(fold(fold_tones(name)))) if name else set()


def _issuer_score(a: str | None, b: str | None) -> float:
    """How alike two organ names are (0..1): shared words over the shorter name's words."""
    wa, wb = _issuer_words(a), _issuer_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _same_date(ref_date: str | None, rec_date: str | None) -> bool | None:
    """None when either is unknown; "2025-11" agrees with "2025-11-20"."""
    if not ref_date or not rec_date:
        return None
    n = min(len(ref_date), len(rec_date))
    return ref_date[:n] == rec_date[:n]


# -- resolution -------------------------------------------------------------------------------

@dataclass
class Resolution:
    """What a reference points to in the archive.

    ``status``: ``resolved`` (one record), ``ambiguous`` (several records fit and nothing
    tells them apart), ``unresolved`` (records carry the number but disagree with the
    reference: ``near`` says how), ``absent`` (no record carries the number)."""
    status: str
    records: list[dict] = field(default_factory=list)
    near: list[dict] = field(default_factory=list)
    by: list[str] = field(default_factory=list)   # what decided: number, date, issuer, type

    def to_dict(self) -> dict:
        return {"status": self.status, "by": self.by,
                "records": [_brief(r) for r in self.records],
                "near": [dict(_brief(r), conflict=r.get("conflict")) for r in self.near]}


def _brief(r: dict) -> dict:
    return {k: r.get(k) for k in ("sha256", "path", "doc_type", "number_symbol", "issued_date", "issuer")}


def conflicts(ref: dict, rec: dict) -> list[str]:
    """What the reference says that the record contradicts."""
    out = []
    if _same_date(ref.get("date"), rec.get("issued_date")) is False:
        out.append(f"ngày {rec.get('issued_date')} khác {ref.get('date')}")
    if ref.get("doc_type") and rec.get("doc_type") and \
            key(ref["doc_type"]) != key(rec["doc_type"]):
        out.append(f"loại {rec['doc_type']} khác {ref['doc_type']}")
    ref_places = places(ref.get("issuer"))
    if ref_places:
        rec_places = places(rec.get("issuer")) | places(rec.get("parent_organ"))
        if rec.get("place"):
            rec_places.add(" ".join(tokens(fold(rec["place"]))))
        if rec_places and not (ref_places & rec_places):
            out.append(f"cơ quan ở {', '.join(sorted(rec_places))}, không phải {', '.join(sorted(ref_places))}")
    return out


def key(s: str) -> str:
    return " ".join(tokens(fold(fold_tones(s))))


def resolve(ref: dict, candidates: list[dict]) -> Resolution:
    """Pick the records (carrying the reference's number) that the reference means."""
    if not candidates:
        return Resolution("absent")
    fit, near = [], []
    for rec in candidates:
        c = conflicts(ref, rec)
        if c:
            near.append(dict(rec, conflict="; ".join(c)))
        else:
            fit.append(rec)
    if not fit:
        return Resolution("unresolved", near=near)
    by = ["number"]
    if len(fit) > 1 and ref.get("date"):
        dated = [r for r in fit if _same_date(ref["date"], r.get("issued_date"))]
        if dated:
            fit = dated
            by.append("date")
    if len(fit) > 1 and ref.get("issuer"):
        scored = sorted(((_issuer_score(ref["issuer"], r.get("issuer")), i) for i, r in enumerate(fit)),
                        reverse=True)
        best, second = scored[0][0], scored[1][0]
        if best >= 0.5 and best - second >= 0.25:
            fit = [fit[scored[0][1]]]
            by.append("issuer")
    if len(fit) == 1:
        if ref.get("date") and fit[0].get("issued_date") and "date" not in by:
            by.append("date")
        return Resolution("resolved", records=fit, near=near, by=by)
    return Resolution("ambiguous", records=fit, near=near, by=by)


def _dedupe(refs: list[dict]) -> list[dict]:
    """One entry per (number, date, issuer) a document names, with its strongest relation;
    short mentions that repeat a full reference are folded into it."""
    best: dict[tuple, dict] = {}
    for r in refs:
        if r.get("refers_to") is not None or not r.get("number_key"):
            continue
        k = (r["number_key"], r.get("date"), key(r.get("issuer") or ""))
        old = best.get(k)
        if old is None or RELATION_ORDER.get(r["relation"], 9) < RELATION_ORDER.get(old["relation"], 9):
            best[k] = r
    return sorted(best.values(), key=lambda r: (RELATION_ORDER.get(r["relation"], 9), r["ord"]))


def _dedupe_per_document(refs: list[dict]) -> list[dict]:
    by_doc: dict[int, list[dict]] = {}
    for r in refs:
        by_doc.setdefault(r["doc_id"], []).append(r)
    return [r for doc_refs in by_doc.values() for r in _dedupe(doc_refs)]


def outgoing(store, record: dict) -> list[dict]:
    """The documents ``record`` implements, takes as basis or cites, each resolved."""
    refs = _dedupe(store.references_of(record["id"]))
    cands = store.records_by_number({r["number_key"] for r in refs})
    out = []
    for r in refs:
        res = resolve(r, [c for c in cands.get(r["number_key"], []) if c["id"] != record["id"]])
        out.append({"reference": _ref_out(r), "resolution": res})
    return out


def incoming(store, number_keys: set[str], target_ids: set[int] | None) -> list[dict]:
    """Documents whose references carry one of ``number_keys``.

    With ``target_ids`` (the records shown), each such reference is resolved and kept when
    it points to one of them (``resolved``) or might (``ambiguous``); without (the number
    is not in the archive), every reference is kept, grouped by what it says."""
    refs = store.references_to(number_keys)
    cands = store.records_by_number(number_keys)
    kept = []
    for r in _dedupe_per_document(refs):
        res = resolve(r, [c for c in cands.get(r["number_key"], []) if c["id"] != r["doc_id"]])
        ids = {c["id"] for c in res.records}
        if target_ids is not None and not ids & target_ids:
            continue
        kept.append((r, res))
    briefs = store.records_brief({r["doc_id"] for r, _ in kept})
    out = [{"reference": _ref_out(r), "resolution": res, "by_document": briefs.get(r["doc_id"], {})}
           for r, res in kept]
    out.sort(key=lambda x: (RELATION_ORDER.get(x["reference"]["relation"], 9),
                            x["by_document"].get("issued_date") or "", x["by_document"]["path"]))
    return out


def _ref_out(r: dict) -> dict:
    return {k: r.get(k) for k in ("doc_type", "number_symbol", "date", "issuer", "relation", "alias",
                                  "text", "start", "end")}


def _compatible(a: dict, b: dict) -> bool:
    """Can two citations of one number mean the same document?"""
    if _same_date(a.get("date"), b.get("date")) is False:
        return False
    pa, pb = places(a.get("issuer")), places(b.get("issuer"))
    if pa and pb and not pa & pb:
        return False
    if a.get("issuer") and b.get("issuer") and _issuer_score(a["issuer"], b["issuer"]) < 0.5:
        return False
    return True


def group_citations(items: list[dict]) -> tuple[list[dict], list[dict]]:
    """For a number not in the archive: the distinct documents its citations describe.

    Citations agreeing on date and issuer are one document; two bodies' same number
    show as two. Returns ``(groups, unattributed)``: each group is ``{"number_symbol",
    "doc_type", "date", "issuer", "citations": [...]}``; a citation that fits several
    groups (it names neither date nor issuer) is *unattributed*, not guessed."""
    def richness(it):
        r = it["reference"]
        return (-(bool(r.get("date")) + bool(r.get("issuer"))), it["by_document"].get("path") or "")
    groups: list[dict] = []
    loose: list[dict] = []
    for it in sorted(items, key=richness):
        r = it["reference"]
        fits = [g for g in groups if _compatible(r, g)]
        if len(fits) == 1:
            g = fits[0]
            for k in ("date", "issuer", "doc_type"):
                g[k] = g[k] or r.get(k)
            g["citations"].append(it)
        elif not fits:
            groups.append({"number_symbol": r["number_symbol"], "doc_type": r.get("doc_type"),
                           "date": r.get("date"), "issuer": r.get("issuer"), "citations": [it]})
        else:
            loose.append(it)
    return groups, loose

"""Accuracy of references and dates against hand-read gold.

Gold comes from ``../shared/corpus/gold/*.json`` (the documents that carry a
"references" list) and from the project's own ``corpus/annotations/{references,dates}/``
(see docs/annotation.md). A reference matches when its number_symbol is the gold one
(for a law cited without a number: when its name is the gold name); on matched ones the
date, the issuer (same body, spelling aside) and the relation are checked. A date
matches when its value is the gold value and one text holds the other.

    PYTHONPATH=src python benchmarks/eval_references.py [--annotations DIR] [--verbose]
        [--save run.json] [--compare run.json]

``--compare`` prints, per document, the references gained and lost since a saved run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from vnplan_nlp import settings
from vnplan_nlp.bodies import same_body
from vnplan_nlp.dates import find_dates
from vnplan_nlp.normalise import match_key, normalise
from vnplan_nlp.read import read_path
from vnplan_nlp.references import _law_key, find_references, normalise_number


def gold_sets(corpus: Path, annotations: Path | None):
    """[(source, doc_id, {"references": [...] | None, "dates": [...] | None, "dates_complete": bool})]:
    the shared hand-read gold (its "references" lists: numbered documents and laws) and the
    project's annotations, each measured on its own."""
    out: list[tuple[str, str, dict]] = []
    for f in sorted((corpus / "gold").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        if "references" in d:
            out.append(("gold", d.get("id", f.stem), {"references": d["references"], "dates": d.get("dates"),
                                                      "dates_complete": False}))
    if annotations and annotations.is_dir():
        docs: dict[str, dict] = {}
        for f in sorted((annotations / "references").glob("*.json")):
            docs.setdefault(f.stem, {"references": None, "dates": None, "dates_complete": False})[
                "references"] = json.loads(f.read_text(encoding="utf-8"))["references"]
        for f in sorted((annotations / "dates").glob("*.json")):
            e = docs.setdefault(f.stem, {"references": None, "dates": None, "dates_complete": False})
            e["dates"] = json.loads(f.read_text(encoding="utf-8"))["dates"]
            e["dates_complete"] = True
        out += [("annot", k, v) for k, v in sorted(docs.items())]
    return out


def in_scope(source: str, r) -> bool:
    """The shared gold lists numbered documents and laws only; the annotations also list
    Party documents cited by name (Điều lệ Đảng, Congress resolutions)."""
    return source != "gold" or bool(r.number_symbol) or r.doc_type in ("Luật", "Bộ luật")


def extracted(path: Path):
    """References and dates of a document as ``vnplan parse`` gives them (the header's own
    number and date are used); the bare extractors if the parse fails."""
    try:
        from vnplan_nlp.parse import parse_path
        doc = parse_path(path)
        return doc.references, doc.dates
    except ImportError:
        src = read_path(path)
        text = normalise(src.text, src.markup).text
        return find_references(text), find_dates(text)


def ref_key(r: dict) -> str | None:
    ns = r.get("number_symbol")
    if ns:
        return normalise_number(ns) or ns
    if r.get("name"):
        return _law_key(r["name"])
    return None


def prf(tp: int, np_: int, ng: int) -> tuple[float, float, float]:
    p = tp / np_ if np_ else 1.0
    r = tp / ng if ng else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def norm_text(s: str) -> str:
    return " ".join(s.split())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--annotations", type=Path, default=settings.project_corpus_dir() / "annotations")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--save", type=Path)
    ap.add_argument("--compare", type=Path)
    a = ap.parse_args(argv)
    corpus = settings.corpus_dir()
    if not (corpus / "docs").is_dir():
        print(f"corpus not found at {corpus}: set VNPLAN_CORPUS", file=sys.stderr)
        return 2
    golds = gold_sets(corpus, a.annotations)
    parsed: dict[str, object] = {}
    previous = json.loads(a.compare.read_text()) if a.compare and a.compare.exists() else {}
    run: dict[str, dict] = {}
    tot = defaultdict(int)
    by_source = defaultdict(lambda: defaultdict(int))
    print(f"{'document':44} {'src':5} {'gold':>4} {'found':>5} {'tp':>3}  {'P':>5} {'R':>5} {'F1':>5}  "
          f"{'date':>5} {'issuer':>6} {'rel':>5} | {'dates g/f/tp':>12}")
    for source, doc_id, g in golds:
        path = corpus / "docs" / f"{doc_id}.txt"
        if not path.exists():
            continue
        if doc_id not in parsed:
            parsed[doc_id] = extracted(path)
        refs, found_dates = parsed[doc_id]
        row = {"found": [], "missed": [], "extra": []}
        line = f"{doc_id[:44]:44} {source:5}"
        if g.get("references") is not None:
            pred = {}
            for r in refs:
                if r.refers_to is None and in_scope(source, r):
                    k = r.number_symbol or (_law_key(r.name) if r.name else None)
                    if k and k not in pred:
                        pred[k] = r
            gold = {}
            for r in g["references"]:
                k = ref_key(r)
                if k and k not in gold:
                    gold[k] = r
            tp = [k for k in gold if k in pred]
            date_ok = sum(1 for k in tp if (gold[k].get("date") or None) == (pred[k].date or None))
            iss_ok = sum(1 for k in tp if same_body(gold[k].get("issuer"), pred[k].issuer, drop_term=False))
            rel_ok = sum(1 for k in tp if gold[k].get("relation") == pred[k].relation)
            p, r_, f = prf(len(tp), len(pred), len(gold))
            line += (f" {len(gold):4} {len(pred):5} {len(tp):3}  {p:5.2f} {r_:5.2f} {f:5.2f}  "
                     f"{date_ok:2}/{len(tp):<2} {iss_ok:3}/{len(tp):<2} {rel_ok:2}/{len(tp):<2}")
            src_t = by_source[source]
            for name, val in (("gold", len(gold)), ("pred", len(pred)), ("tp", len(tp)), ("date", date_ok),
                              ("issuer", iss_ok), ("rel", rel_ok)):
                tot[name] += val
                src_t[name] += val
            row["found"] = sorted(tp)
            row["missed"] = sorted(k for k in gold if k not in pred)
            row["extra"] = sorted(k for k in pred if k not in gold)
            if a.verbose:
                for k in row["missed"]:
                    row.setdefault("detail", []).append(f"  - missed {k}  {json.dumps(gold[k], ensure_ascii=False)}")
                for k in row["extra"]:
                    row.setdefault("detail", []).append(f"  + extra  {k}  «{pred[k].text[:110]}»")
                for k in tp:
                    gk, pk = gold[k], pred[k]
                    if (gk.get("date") or None) != (pk.date or None):
                        row.setdefault("detail", []).append(f"  ~ date   {k}: gold {gk.get('date')} found {pk.date}")
                    if not same_body(gk.get("issuer"), pk.issuer, drop_term=False):
                        row.setdefault("detail", []).append(f"  ~ issuer {k}: gold {gk.get('issuer')!r} found {pk.issuer!r}")
                    if gk.get("relation") != pk.relation:
                        row.setdefault("detail", []).append(f"  ~ rel    {k}: gold {gk.get('relation')} found {pk.relation}")
        else:
            line += " " * 57
        if g.get("dates") is not None:
            found = found_dates
            used = set()
            tp_d = 0
            for gd in g["dates"]:
                gt = norm_text(gd["text"])
                for i, d in enumerate(found):
                    if i in used or d.value != gd.get("value"):
                        continue
                    dt = norm_text(d.text)
                    if dt == gt or gt in dt or dt in gt:
                        used.add(i)
                        tp_d += 1
                        break
                else:
                    if a.verbose:
                        row.setdefault("detail", []).append(f"  - date   {gd}")
            if g["dates_complete"]:
                tot["dg"] += len(g["dates"]); tot["df"] += len(found); tot["dtp"] += tp_d
                if a.verbose:
                    for i, d in enumerate(found):
                        if i not in used:
                            row.setdefault("detail", []).append(f"  + date   {d.text!r} {d.value}")
                line += f" | {len(g['dates']):4}/{len(found):3}/{tp_d:<3}"
            else:
                tot["dpg"] += len(g["dates"]); tot["dptp"] += tp_d
                line += f" | {len(g['dates']):4}/  -/{tp_d:<3} (partial list)"
        print(line)
        for dl in row.get("detail", []):
            print(dl)
        key = f"{source}:{doc_id}"
        if previous.get(key):
            before = set(previous[key]["found"])
            now = set(row["found"])
            for k in sorted(now - before):
                print(f"  gained {k}")
            for k in sorted(before - now):
                print(f"  LOST   {k}")
        run[key] = {k: v for k, v in row.items() if k != "detail"}
    print()
    for src_name, t in sorted(by_source.items()):
        p, r, f = prf(t["tp"], t["pred"], t["gold"])
        print(f"references ({src_name}): gold {t['gold']}, found {t['pred']}, matched {t['tp']}: "
              f"P {p:.3f} R {r:.3f} F1 {f:.3f}; on matched: date {t['date']}/{t['tp']}, "
              f"issuer {t['issuer']}/{t['tp']}, relation {t['rel']}/{t['tp']}")
    p, r, f = prf(tot["tp"], tot["pred"], tot["gold"])
    print(f"references (all):  gold {tot['gold']}, found {tot['pred']}, matched {tot['tp']}: "
          f"P {p:.3f} R {r:.3f} F1 {f:.3f}; on matched: date {tot['date']}/{tot['tp']} "
          f"({tot['date'] / max(tot['tp'], 1):.3f}), issuer {tot['issuer']}/{tot['tp']} "
          f"({tot['issuer'] / max(tot['tp'], 1):.3f}), relation {tot['rel']}/{tot['tp']} "
          f"({tot['rel'] / max(tot['tp'], 1):.3f})")
    if tot["dg"]:
        p, r, f = prf(tot["dtp"], tot["df"], tot["dg"])
        print(f"dates (annotations): gold {tot['dg']}, found {tot['df']}, matched {tot['dtp']}: "
              f"P {p:.3f} R {r:.3f} F1 {f:.3f}")
    else:
        print("dates (annotations): none found in", a.annotations)
    if tot["dpg"]:
        print(f"dates (gold/, partial lists): {tot['dptp']}/{tot['dpg']} found (recall {tot['dptp'] / tot['dpg']:.3f})")
    if a.save:
        a.save.write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Responsibilities against the gold: actor P/R/F1, role and deadline accuracy on matched actors.

Two views:

1. the project gold, ``corpus/annotations/responsibilities/<doc-id>.json`` (one entry per
   actor phrase and section item; docs/annotation.md);
2. the shared hand-read gold, ``../shared/corpus/gold/*.json`` "responsibilities" (one entry
   per distinct actor phrase, deadlines merged into prose): our output is merged the same
   way before comparing (role: the strongest of the merged entries).

Matching rule (``vnplan_nlp.evaluate.match_responsibilities``, the same for both views).
Actor phrases are compared by key: tones folded, case folded, punctuation dropped, a leading
"các"/"mỗi"/"đồng chí" dropped (``responsibilities.actor_key``). Two phrases match when their
keys are equal or one contains the other at word boundaries ("Sở Nội vụ" ~ "Sở Nội vụ (Cơ
quan thường trực ...)"). Each gold entry is matched to at most one prediction and back,
greedily in text order, in rounds: first same section path, then section paths one of which
extends the other ("III.2" ~ "III.2.b"), then any section of the document (the shared view,
which has no sections, uses only the last round). A matched pair's role is right when equal.
Its deadline is right when both are empty, or when both are present and every "; "-separated
part of each has a part of the other that contains it or is contained in it (keys as for
actors). Shared view: a merged deadline is right when both are empty, or every predicted part
is contained in the gold prose.

Usage: PYTHONPATH=src python benchmarks/eval_responsibilities.py [--docs ID ...] [--misses]
       [--model rules|model|auto]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vnplan_nlp import settings  # noqa: E402
from vnplan_nlp.parse import parse_path  # noqa: E402
from vnplan_nlp.responsibilities import actor_key, find_responsibilities  # noqa: E402

from vnplan_nlp.evaluate import match_responsibilities as match  # noqa: E402
from vnplan_nlp.evaluate import phrase_match as deadline_ok  # noqa: E402
from vnplan_nlp.evaluate import prf  # noqa: E402

STRENGTH = {"lead": 3, "execute": 2, "coordinate": 1}


def parts_of(s: str | None) -> list[str]:
    if not s:
        return []
    return [k for k in (actor_key(p) for p in s.split(";")) if k]


def merge_by_actor(items: list[dict]) -> list[dict]:
    out: dict[str, dict] = {}
    for r in items:
        k = actor_key(r["actor"])
        m = out.setdefault(k, {"actor": r["actor"], "role": r["role"], "deadlines": [], "report_to": r.get("report_to")})
        if STRENGTH[r["role"]] > STRENGTH[m["role"]]:
            m["role"] = r["role"]
        if r.get("deadline"):
            m["deadlines"].append(r["deadline"])
    for m in out.values():
        m["deadline"] = "; ".join(m["deadlines"]) or None
    return list(out.values())


def shared_deadline_ok(pred: str | None, gold: str | None) -> bool:
    p = parts_of(pred)
    g = actor_key(gold or "")
    if not p and not g:
        return True
    if not p or not g:
        return False
    return all(x in g for x in p)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", nargs="*", help="only these document ids")
    ap.add_argument("--misses", action="store_true", help="list the misses and false alarms")
    ap.add_argument("--model", choices=("rules", "model", "auto"), default="auto",
                    help="which line classifier decides (default: what find_responsibilities ships)")
    args = ap.parse_args(argv)
    corpus = settings.corpus_dir()
    gold_dir = settings.project_corpus_dir() / "annotations" / "responsibilities"
    if not (corpus / "docs").is_dir() or not gold_dir.is_dir():
        print(f"no corpus at {corpus} or no gold at {gold_dir}", file=sys.stderr)
        return 2
    if args.model != "auto":
        import os
        os.environ["VNPLAN_RESPONSIBILITY_LINES"] = args.model
    ids = sorted(p.stem for p in gold_dir.glob("*.json"))
    if args.docs:
        ids = [i for i in ids if i in args.docs]
    tot = dict(tp=0, np=0, ng=0, role=0, dl=0, rt=0, req=0, pairs=0)
    t0 = time.perf_counter()
    print("Project gold (per actor and item)")
    print(f"{'document':<45}{'gold':>5}{'pred':>5}{'P':>7}{'R':>7}{'F1':>7}{'role':>7}{'dl':>7}{'rt':>7}")
    preds_by_doc = {}
    for doc_id in ids:
        gold = json.loads((gold_dir / f"{doc_id}.json").read_text("utf-8"))["responsibilities"]
        doc = parse_path(corpus / "docs" / f"{doc_id}.txt")
        pred = [r.to_dict() for r in find_responsibilities(doc)]
        preds_by_doc[doc_id] = pred
        pairs = match(gold, pred)
        role = sum(1 for gi, pi in pairs if gold[gi]["role"] == pred[pi]["role"])
        dl = sum(1 for gi, pi in pairs if deadline_ok(pred[pi]["deadline"], gold[gi].get("deadline")))
        rt = sum(1 for gi, pi in pairs if deadline_ok(pred[pi]["report_to"], gold[gi].get("report_to")))
        req = sum(1 for gi, pi in pairs if bool(pred[pi]["request"]) == bool(gold[gi].get("request")))
        p, r, f = prf(len(pairs), len(pred), len(gold))
        n = len(pairs) or 1
        print(f"{doc_id:<45}{len(gold):>5}{len(pred):>5}{p:>7.2f}{r:>7.2f}{f:>7.2f}{role / n:>7.2f}{dl / n:>7.2f}{rt / n:>7.2f}")
        for k, x in (("tp", len(pairs)), ("np", len(pred)), ("ng", len(gold)), ("role", role), ("dl", dl),
                     ("rt", rt), ("req", req), ("pairs", len(pairs))):
            tot[k] += x
        if args.misses:
            mg = {gi for gi, _ in pairs}
            mp = {pi for _, pi in pairs}
            for gi, g in enumerate(gold):
                if gi not in mg:
                    print(f"    MISS  {g.get('section')!s:<10} {g['role']:<10} {g['actor'][:90]}")
            for pi, q in enumerate(pred):
                if pi not in mp:
                    print(f"    FALSE {q.get('section')!s:<10} {q['role']:<10} {q['actor'][:90]}")
            for gi, pi in pairs:
                g, q = gold[gi], pred[pi]
                if g["role"] != q["role"]:
                    print(f"    ROLE  {g.get('section')!s:<10} gold {g['role']:<10} pred {q['role']:<10} {g['actor'][:70]}")
                if not deadline_ok(q["deadline"], g.get("deadline")):
                    print(f"    DL    {g.get('section')!s:<10} gold {g.get('deadline')!r:.70}  pred {q['deadline']!r:.70}  [{g['actor'][:30]}]")
    p, r, f = prf(tot["tp"], tot["np"], tot["ng"])
    n = tot["pairs"] or 1
    print(f"{'TOTAL (' + str(len(ids)) + ' documents)':<45}{tot['ng']:>5}{tot['np']:>5}{p:>7.3f}{r:>7.3f}{f:>7.3f}"
          f"{tot['role'] / n:>7.3f}{tot['dl'] / n:>7.3f}{tot['rt'] / n:>7.3f}")
    print(f"  request agreement on matched: {tot['req'] / n:.3f}   time {time.perf_counter() - t0:.1f}s")

    # shared gold view
    shared = sorted((corpus / "gold").glob("*.json"))
    tot2 = dict(tp=0, np=0, ng=0, role=0, dl=0, pairs=0)
    rows = []
    for gp in shared:
        g = json.loads(gp.read_text("utf-8"))
        if "responsibilities" not in g:
            continue
        doc_id = gp.stem
        if args.docs and doc_id not in args.docs:
            continue
        gold = g["responsibilities"]
        if doc_id in preds_by_doc:
            pred_items = preds_by_doc[doc_id]
        else:
            doc = parse_path(corpus / "docs" / f"{doc_id}.txt")
            pred_items = [r.to_dict() for r in find_responsibilities(doc)]
        pred = merge_by_actor(pred_items)
        pairs = match(gold, pred, rounds=("any",))
        role = sum(1 for gi, pi in pairs if gold[gi]["role"] == pred[pi]["role"])
        dl = sum(1 for gi, pi in pairs if shared_deadline_ok(pred[pi]["deadline"], gold[gi].get("deadline")))
        rows.append((doc_id, len(gold), len(pred), *prf(len(pairs), len(pred), len(gold)), role / (len(pairs) or 1),
                     dl / (len(pairs) or 1)))
        for k, x in (("tp", len(pairs)), ("np", len(pred)), ("ng", len(gold)), ("role", role), ("dl", dl),
                     ("pairs", len(pairs))):
            tot2[k] += x
    if rows:
        print()
        print("Shared gold (one entry per distinct actor phrase; our output merged by actor)")
        print(f"{'document':<45}{'gold':>5}{'pred':>5}{'P':>7}{'R':>7}{'F1':>7}{'role':>7}{'dl':>7}")
        for doc_id, ng, np_, p, r, f, ro, d in rows:
            print(f"{doc_id:<45}{ng:>5}{np_:>5}{p:>7.2f}{r:>7.2f}{f:>7.2f}{ro:>7.2f}{d:>7.2f}")
        p, r, f = prf(tot2["tp"], tot2["np"], tot2["ng"])
        n = tot2["pairs"] or 1
        print(f"{'TOTAL (' + str(len(rows)) + ' documents)':<45}{tot2['ng']:>5}{tot2['np']:>5}{p:>7.3f}{r:>7.3f}"
              f"{f:>7.3f}{tot2['role'] / n:>7.3f}{tot2['dl'] / n:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

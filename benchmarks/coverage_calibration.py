"""Calibrate the coverage thresholds of ``vnplan check --parent`` on hand-labelled pairs.

For each pair in benchmarks/coverage_labels.json: every applicable parent item's best
score under each scoring component (word TF-IDF cosine, character n-gram cosine, idf-
weighted word containment) and the labelled truth (carried or not). Prints each pair's
table, then for the blend in data/compliance.json the precision/recall of "carried"
(score >= covered) and of "not uncovered" (score >= partial) at a range of thresholds.

    PYTHONPATH=src python benchmarks/coverage_calibration.py [--items]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vnplan_nlp import settings
from vnplan_nlp.compliance import (Tokenizer, _applies, _item_actor, draft_passages, parent_items, similarity_parts,
                                   vocab)
from vnplan_nlp.parse import parse_path

ROOT = Path(__file__).resolve().parents[1]


def _path(name: str) -> Path:
    if "/" in name:
        return ROOT / name
    return settings.corpus_dir() / "docs" / f"{name}.txt"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", action="store_true", help="print every item's scores")
    args = ap.parse_args(argv)
    labels = json.loads((ROOT / "benchmarks" / "coverage_labels.json").read_text("utf-8"))
    w = vocab()["thresholds"]["weights"]
    rows = []          # (pair, label, truth, {component: score})
    tok = Tokenizer()
    for pair in labels["pairs"]:
        cp, pp = _path(pair["child"]), _path(pair["parent"])
        if not cp.exists() or not pp.exists():
            print(f"skip {pair['child']} / {pair['parent']}: not found", file=sys.stderr)
            continue
        child, parent = parse_path(cp), parse_path(pp)
        items = parent_items(parent)
        passages = draft_passages(child)
        parts = similarity_parts([it.text for it in items], child, passages, tok)
        carried = set(pair["carried"])
        unknown = carried - {it.label for it in items}
        if unknown:
            print(f"  labels not among the items of {pair['parent']}: {sorted(unknown)}", file=sys.stderr)
        for i, it in enumerate(items):
            if not _applies(_item_actor(parent, it, {}), child, parent):
                continue
            comp = {k: float(m[i].max()) for k, m in parts.items()}
            blend = sum(w.get(k, 0) * parts[k][i] for k in parts).max()
            comp["blend"] = float(blend)
            rows.append((f"{Path(pair['child']).stem} < {Path(pair['parent']).stem}", it.label, it.label in carried, comp))
    comps = list(rows[0][3]) if rows else []
    if args.items:
        for pair, label, truth, comp in rows:
            print(f"{pair[:60]:<60} {label:<12} {'Y' if truth else '.'} " + " ".join(f"{k}={comp[k]:.2f}" for k in comps))
    print(f"\n{len(rows)} applicable items, {sum(1 for r in rows if r[2])} labelled carried")
    print("separation (ROC AUC) per component:")
    for k in comps:
        pos = [r[3][k] for r in rows if r[2]]
        neg = [r[3][k] for r in rows if not r[2]]
        auc = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / max(1, len(pos) * len(neg))
        print(f"  {k:<12} AUC {auc:.3f}   carried mean {sum(pos) / max(1, len(pos)):.2f}   "
              f"other mean {sum(neg) / max(1, len(neg)):.2f}")
    print("\nblend: threshold -> precision / recall / F1 of 'carried'")
    best = (0.0, 0.0)
    for t in [x / 100 for x in range(10, 61, 2)]:
        tp = sum(1 for r in rows if r[2] and r[3]["blend"] >= t)
        fp = sum(1 for r in rows if not r[2] and r[3]["blend"] >= t)
        fn = sum(1 for r in rows if r[2] and r[3]["blend"] < t)
        p = tp / max(1, tp + fp)
        rcl = tp / max(1, tp + fn)
        f1 = 2 * p * rcl / max(1e-9, p + rcl)
        best = max(best, (f1, t))
        print(f"  {t:.2f}  P {p:.2f}  R {rcl:.2f}  F1 {f1:.2f}  (tp {tp}, fp {fp}, fn {fn})")
    th = vocab()["thresholds"]
    print(f"\nbest F1 {best[0]:.2f} at {best[1]:.2f}; data/compliance.json has covered={th['covered']}, "
          f"partial={th['partial']}")
    # what "uncovered" misses: carried items scored below the partial threshold
    missed = [(p, l, c["blend"]) for p, l, t, c in rows if t and c["blend"] < th["partial"]]
    print(f"carried items that would be reported uncovered: {len(missed)} {missed[:10]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

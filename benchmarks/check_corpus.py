"""Run ``vnplan check`` over every corpus document and the parent/child pairs.

Prints: documents checked and crashes; a table of findings per rule and severity; check
throughput (documents/s, parse included, without a parent); the time of each parent/child
pair check. ``--list RULE`` prints every finding of that rule (for hand-checking), and
``--errors`` every error-level finding with its document and text.

    PYTHONPATH=src python benchmarks/check_corpus.py [--corpus DIR] [--errors] [--list C01]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from vnplan_nlp import settings
from vnplan_nlp.check import check
from vnplan_nlp.parse import parse_path

# (child, parent) pairs in the corpus: the Lương Minh plans under 16/KH-MTTQ-BTT, and the
# plans and guides that cite NQ 101/2025/UBTVQH15.
PAIRS = [
    ("kh-mttq-luongminh-hiepthuong-2025", "kh-16-mttq-luongminh-2025"),
    ("kh-mttq-luongminh-hiepthuong2-2026", "kh-16-mttq-luongminh-2025"),
    ("kh-mttq-luongminh-kiemtragiamsat-2025", "kh-16-mttq-luongminh-2025"),
    ("kh-mttq-luongminh-layykien-2026", "kh-16-mttq-luongminh-2025"),
    ("kh-mttq-luongminh-layykien-2026", "nq-101-2025-ubtvqh15"),
    ("kh-mttq-luongminh-hiepthuong-2025", "nq-101-2025-ubtvqh15"),
    ("kh-mttq-baccamranh-kiemtragiamsat-2025", "nq-101-2025-ubtvqh15"),
    ("hd-mttq-luongminh-baucu-2025", "nq-101-2025-ubtvqh15"),
    ("hd-mttq-quangninh-hiepthuong-2025", "nq-101-2025-ubtvqh15"),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="corpus folder (default: VNPLAN_CORPUS or ../shared/corpus)")
    ap.add_argument("--errors", action="store_true", help="print every error-level finding")
    ap.add_argument("--list", metavar="RULE", action="append", default=[],
                    help="print every finding of a rule id (e.g. C01); repeatable")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs over the corpus (best is kept)")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus) if args.corpus else settings.corpus_dir()
    paths = sorted((corpus / "docs").glob("*.txt"))
    if not paths:
        print(f"no corpus at {corpus}; set VNPLAN_CORPUS", file=sys.stderr)
        return 2

    per_rule: Counter = Counter()
    per_doc_errors: Counter = Counter()
    crashes: list[tuple[str, str]] = []
    listed: list[str] = []
    for p in paths:
        try:
            doc = parse_path(p)
            review = check(doc)
        except Exception:                         # the benchmark must see every crash
            crashes.append((p.name, traceback.format_exc(limit=3)))
            continue
        for f in doc.findings:
            rid = f.rule.split("/")[-1]
            per_rule[(rid, f.severity)] += 1
            if f.severity == "error":
                per_doc_errors[p.stem] += 1
            if (args.errors and f.severity == "error") or rid in args.list:
                snippet = doc.text[f.start:f.end].replace("\n", " ⏎ ")[:120]
                listed.append(f"{p.stem}\t{f.rule}\t{f.severity}\tline {doc.line_of(f.start)}\t{snippet}\t{f.message}")

    print(f"documents: {len(paths)}   crashes: {len(crashes)}")
    for name, tb in crashes:
        print(f"  CRASH {name}\n{tb}")
    print()
    print(f"{'rule':<6} {'error':>6} {'warning':>8} {'info':>6}")
    for rid in sorted({r for r, _ in per_rule}):
        print(f"{rid:<6} {per_rule[(rid, 'error')]:>6} {per_rule[(rid, 'warning')]:>8} {per_rule[(rid, 'info')]:>6}")
    tot = Counter()
    for (rid, sev), n in per_rule.items():
        tot[sev] += n
    print(f"{'total':<6} {tot['error']:>6} {tot['warning']:>8} {tot['info']:>6}")
    print(f"documents with an error: {len(per_doc_errors)} of {len(paths)}")
    print()

    # throughput without a parent: the check stage alone, and parse + check end to end
    best_parse = best_check = None
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        docs = [parse_path(p) for p in paths]
        t1 = time.perf_counter()
        for d in docs:
            check(d)
        t2 = time.perf_counter()
        best_parse = t1 - t0 if best_parse is None else min(best_parse, t1 - t0)
        best_check = t2 - t1 if best_check is None else min(best_check, t2 - t1)
    n = len(paths)
    print(f"check stage without a parent: {n / best_check:.0f} documents/s ({best_check:.2f} s for {n})")
    print(f"parse + check end to end:     {n / (best_parse + best_check):.1f} documents/s "
          f"(parse {best_parse:.2f} s of which most is the extract stage; best of {args.repeat})")

    # parent/child pairs
    docs = corpus / "docs"
    print()
    print(f"{'child':<40} {'parent':<28} {'time s':>7} {'items':>6} {'cov':>4} {'part':>4} {'unc':>4} errors")
    for child, parent in PAIRS:
        cp, pp = docs / f"{child}.txt", docs / f"{parent}.txt"
        if not cp.exists() or not pp.exists():
            continue
        check(parse_path(cp), parents=[parse_path(pp)])          # warm: models and vocabularies loaded
        t0 = time.perf_counter()
        d = parse_path(cp)
        par = parse_path(pp)
        rv = check(d, parents=[par])
        dt = time.perf_counter() - t0
        st = Counter(r.status for r in d.coverage if r.item.get("applies", True))
        errs = Counter(f.rule.split("/")[-1] for f in d.findings if f.severity == "error" and f.rule.split("/")[-1].startswith("R"))
        print(f"{child:<40} {parent:<28} {dt:>7.3f} {len(d.coverage):>6} {st['covered']:>4} {st['partial']:>4} "
              f"{st['uncovered']:>4} {dict(errs) or ''}")
    if listed:
        print()
        print("\n".join(listed))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())

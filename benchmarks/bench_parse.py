"""Parse speed and peak memory by input format over the corpus (a table, not a test).

    python benchmarks/bench_parse.py [--corpus DIR] [--repeat N] [--extract] [--cpu] [--only txt,...]

Documents per second on one core (this process), pages per second for PDF, and the peak
memory of parsing one document of each format (tracemalloc, Python allocations).
``--cpu`` adds this process's CPU seconds (time.process_time) and documents per CPU
second beside the wall-clock figures: on a shared, loaded machine wall time also counts
the time other processes held the core. The CPU time of .doc/.pdf conversion done by
child processes (soffice, antiword) is not counted in it.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vnplan_nlp import settings  # noqa: E402
from vnplan_nlp.errors import VnplanError  # noqa: E402
from vnplan_nlp.parse import parse_path  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(settings.corpus_dir()))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--extract", action="store_true", help="include references, dates, bodies, responsibilities")
    ap.add_argument("--cpu", action="store_true", help="also report CPU time (time.process_time) and docs per CPU s")
    ap.add_argument("--only", default="", help="comma-separated formats (txt,docx,doc,pdf); default all")
    args = ap.parse_args()
    root = Path(args.corpus)
    files = sorted((root / "docs").glob("*.txt")) + sorted((root / "raw").glob("*"))
    by_fmt: dict[str, list[Path]] = defaultdict(list)
    for f in files:
        by_fmt[f.suffix.lower().lstrip(".")].append(f)
    only = {x.strip().lstrip(".") for x in args.only.split(",") if x.strip()}
    cpu_cols = f"{'cpu s':>9}{'docs/cpu s':>11}" if args.cpu else ""
    print(f"{'format':<7}{'files':>6}{'pages':>7}{'seconds':>9}{'docs/s':>9}{cpu_cols}{'pages/s':>9}{'peak MB':>9}"
          f"{'errors':>8}")
    for fmt in ("txt", "docx", "doc", "pdf"):
        fs = by_fmt.get(fmt, []) if not only or fmt in only else []
        if not fs:
            continue
        pages = 0
        errors = 0
        # warm-up (imports, data files), then timed runs
        for f in fs[:1]:
            try:
                parse_path(f, extract=args.extract)
            except VnplanError:
                pass
        gc.collect()
        t0 = time.perf_counter()
        c0 = time.process_time()
        for _ in range(args.repeat):
            for f in fs:
                try:
                    d = parse_path(f, extract=args.extract)
                    pages += d.source.pages or 0
                except VnplanError:
                    errors += 1
        dt = time.perf_counter() - t0
        ct = time.process_time() - c0
        n = len(fs) * args.repeat
        # peak memory of the largest file of the format
        big = max(fs, key=lambda p: p.stat().st_size)
        tracemalloc.start()
        try:
            parse_path(big, extract=args.extract)
        except VnplanError:
            pass
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        pps = f"{pages / dt:9.1f}" if pages else f"{'-':>9}"
        cpu = f"{ct:>9.2f}{n / ct:>11.1f}" if args.cpu else ""
        print(f"{fmt:<7}{len(fs):>6}{pages // max(args.repeat, 1):>7}{dt:>9.2f}{n / dt:>9.1f}{cpu}{pps}{peak:>9.1f}"
              f"{errors // max(args.repeat, 1):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Reading speed and memory, per format, over the corpus (docs/*.txt, raw/*.docx|.doc|.pdf).

Each format is read in a fresh process, so its peak resident memory (ru_maxrss) is its own;
the baseline is the same process after importing the readers and before reading.

    PYTHONPATH=src python benchmarks/bench_read.py [--repeat 3] [--formats txt,docx,doc,pdf]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from vnplan_nlp import settings

EXT = {"txt": ("docs", ".txt"), "docx": ("raw", ".docx"), "doc": ("raw", ".doc"), "pdf": ("raw", ".pdf")}


def files_for(fmt: str) -> list[Path]:
    folder, ext = EXT[fmt]
    return sorted((settings.corpus_dir() / folder).glob(f"*{ext}"))


def child(fmt: str, repeat: int) -> dict:
    from vnplan_nlp import read_office, read_pdf  # noqa: F401  (imports are not part of the cost)
    from vnplan_nlp.read import read_path
    import pdfplumber  # noqa: F401
    files = files_for(fmt)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    header_secs = 0.0
    if fmt == "pdf":                           # time spent in pdfplumber (page-1 header block)
        original = read_pdf._header_block

        def timed(data):
            nonlocal header_secs
            t = time.perf_counter()
            try:
                return original(data)
            finally:
                header_secs += time.perf_counter() - t
        read_pdf._header_block = timed
    pages = chars = 0
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    for _ in range(repeat):
        for f in files:
            src = read_path(f)
            pages += src.pages or 0
            chars += len(src.text)
    secs = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    header_timed = header_secs
    # Python's own allocations, in a separate pass (tracemalloc slows everything down)
    py_peak = 0
    for f in files:
        tracemalloc.start()
        read_path(f)
        py_peak = max(py_peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return {"format": fmt, "files": len(files), "reads": len(files) * repeat, "pages": pages,
            "chars": chars, "secs": secs, "cpu": cpu, "header_secs": header_timed,
            "py_peak": py_peak, "base_rss_kb": base_rss, "rss_kb": rss}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="read every file this many times")
    ap.add_argument("--formats", default="txt,docx,doc,pdf")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return 0
    if not (settings.corpus_dir() / "raw").is_dir():
        print(f"shared corpus not found at {settings.corpus_dir()}; set VNPLAN_CORPUS", file=sys.stderr)
        return 2
    rows = []
    for fmt in args.formats.split(","):
        repeat = 1 if fmt == "doc" else args.repeat    # .doc: LibreOffice dominates, once is enough
        out = subprocess.run([sys.executable, __file__, "--child", fmt, "--repeat", str(repeat)],
                             capture_output=True, text=True, env=os.environ.copy())
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'format':6} {'files':>5} {'reads':>5} {'pages':>6} {'seconds':>8} {'cpu s':>7} {'docs/s':>8} "
          f"{'pages/s':>8} {'p/s cpu':>8} {'chars/s':>10} {'peak RSS':>9} {'+reading':>9} {'py peak':>8}")
    for r in rows:
        docs_s = r["reads"] / r["secs"] if r["secs"] else 0
        pages_s = f"{r['pages'] / r['secs']:8.1f}" if r["pages"] else f"{'-':>8}"
        pages_cpu = f"{r['pages'] / r['cpu']:8.1f}" if r["pages"] and r["cpu"] else f"{'-':>8}"
        print(f"{r['format']:6} {r['files']:5d} {r['reads']:5d} {r['pages'] or '-':>6} {r['secs']:8.2f} {r['cpu']:7.2f} "
              f"{docs_s:8.1f} {pages_s} {pages_cpu} {r['chars'] / r['secs']:10,.0f} {r['rss_kb'] / 1024:7.0f}MB "
              f"{(r['rss_kb'] - r['base_rss_kb']) / 1024:7.0f}MB {r['py_peak'] / 1048576:6.1f}MB")
    for r in rows:
        if r["format"] == "pdf" and r["secs"]:
            body = r["secs"] - r["header_secs"]
            print(f"\npdf: {r['header_secs']:.2f} s of {r['secs']:.2f} s (wall) in pdfplumber (page-1 "
                  f"header block, {1000 * r['header_secs'] / r['reads']:.0f} ms a document); the rest "
                  f"{r['pages'] / body:.0f} pages/s with PDFium")
    print("\nseconds: wall clock; cpu s: this process's CPU time (LibreOffice runs in its own). "
          "peak RSS: whole process (Python, imports, PDFium); +reading: above the process after "
          "imports; py peak: largest Python allocation peak reading one file (tracemalloc).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

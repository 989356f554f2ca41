"""Time of references + dates + bodies over the corpus against one underthesea pass.

    PYTHONPATH=src python benchmarks/bench_extract.py [--repeat 3] [--limit N]

Reads every corpus document once (normalised text), then times: the three extractors
together (best of ``--repeat`` runs), and one ``underthesea.word_tokenize`` pass over
the same texts (one call per document). Prints a table and the ratio; the extractors
should cost less than the word segmentation.
"""

from __future__ import annotations

import argparse
import sys
import time

from vnplan_nlp import settings
from vnplan_nlp.bodies import find_bodies
from vnplan_nlp.dates import find_dates
from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import read_path
from vnplan_nlp.references import find_references


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents")
    a = ap.parse_args(argv)
    docs = sorted((settings.corpus_dir() / "docs").glob("*.txt"))
    if not docs:
        print(f"no corpus at {settings.corpus_dir()}: set VNPLAN_CORPUS", file=sys.stderr)
        return 2
    if a.limit:
        docs = docs[:a.limit]
    texts = []
    for p in docs:
        src = read_path(p)
        texts.append(normalise(src.text, src.markup).text)
    chars = sum(len(t) for t in texts)

    # warm the compiled patterns (built once per process, from the data files)
    find_references(texts[0]); find_dates(texts[0]); find_bodies(texts[0])
    timings = {"references": [], "dates": [], "bodies": []}
    counts = {}
    for _ in range(max(1, a.repeat)):
        for name, fn in (("references", find_references), ("dates", find_dates), ("bodies", find_bodies)):
            t0 = time.perf_counter()
            n = 0
            for t in texts:
                n += len(fn(t))
            timings[name].append(time.perf_counter() - t0)
            counts[name] = n
    best = {k: min(v) for k, v in timings.items()}
    total = sum(best.values())

    from underthesea import word_tokenize
    word_tokenize("Khởi động mô hình.")            # load the model outside the timing
    t0 = time.perf_counter()
    words = 0
    for t in texts:
        words += len(word_tokenize(t))
    wt = time.perf_counter() - t0

    print(f"corpus: {len(texts)} documents, {chars:,} characters, {words:,} underthesea words")
    print(f"{'stage':24} {'seconds':>8} {'items':>7} {'chars/s':>12}")
    for k in ("references", "dates", "bodies"):
        print(f"{k:24} {best[k]:8.3f} {counts[k]:7} {chars / best[k]:12,.0f}")
    print(f"{'references+dates+bodies':24} {total:8.3f} {'':7} {chars / total:12,.0f}")
    print(f"{'underthesea word_tokenize':24} {wt:8.3f} {'':7} {chars / wt:12,.0f}")
    print(f"ratio (extractors / word_tokenize): {total / wt:.3f}")
    return 0 if total < wt else 1


if __name__ == "__main__":
    sys.exit(main())

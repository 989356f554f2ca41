"""Write displaCy's span view of documents (references, dates, bodies) as HTML pages.

    PYTHONPATH=src python scripts/displacy_page.py [PATH ...] [--out DIR]

With no PATH, renders the corpus seed. Pages go to ``build/displacy/<name>.html`` (not
committed: they hold the documents' text). They use inline styles only and load nothing
from the network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vnplan_nlp import settings
from vnplan_nlp.errors import VnplanError
from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import iter_inputs, read_path
from vnplan_nlp.spacy_vi import load, render_spans


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=settings.PROJECT_ROOT / "build" / "displacy")
    a = ap.parse_args(argv)
    paths = a.paths or [settings.corpus_dir() / "docs" / "seed-103-kh-du-hungyen-2024.txt"]
    nlp = load()
    a.out.mkdir(parents=True, exist_ok=True)
    status = 0
    for p in iter_inputs(paths):
        try:
            src = read_path(p)
        except VnplanError as e:
            print(f"{p}: {e.message}", file=sys.stderr)
            status = 1
            continue
        text = normalise(src.text, src.markup).text
        doc = nlp(text)
        out = a.out / f"{Path(p).stem}.html"
        out.write_text(render_spans(doc), encoding="utf-8")
        counts = {k: len(doc.spans[k]) for k in ("vnplan_references", "vnplan_dates", "vnplan_bodies")}
        print(f"{out}  {counts}")
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Write the line labels of corpus/annotations/lines/ from the hand-read responsibility gold.

For each document with a file in corpus/annotations/responsibilities/, every gold entry that
is not an appendix-table row is placed on the candidate clause of the document that prints
its actor in its section (``learn.project_gold``); the file lists those clauses with their
role. Every other candidate clause of the document is, by omission, a clause that assigns
nothing. Existing files are kept unless --force: they may have been corrected by hand.

Usage: PYTHONPATH=src python scripts/project_line_labels.py [--force] [DOC-ID ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vnplan_nlp import settings  # noqa: E402
from vnplan_nlp.learn import lines_dir, project_gold  # noqa: E402
from vnplan_nlp.parse import parse_path  # noqa: E402
from vnplan_nlp.responsibilities import _Extractor  # noqa: E402


def main(argv: list[str]) -> int:
    force = "--force" in argv
    ids = [a for a in argv if not a.startswith("--")]
    gold_dir = settings.project_corpus_dir() / "annotations" / "responsibilities"
    out_dir = lines_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    for gp in sorted(gold_dir.glob("*.json")):
        doc_id = gp.stem
        if ids and doc_id not in ids:
            continue
        target = out_dir / f"{doc_id}.json"
        if target.exists() and not force:
            print(f"{doc_id}: kept (exists)")
            continue
        gold = json.loads(gp.read_text("utf-8"))["responsibilities"]
        doc = parse_path(settings.corpus_dir() / "docs" / f"{doc_id}.txt", extract=False)
        ex = _Extractor(doc)
        ex.task_blocks()
        cands = ex.candidates()
        lines = project_gold(ex, cands, gold)
        target.write_text(json.dumps({
            "id": doc_id,
            "derived_from": f"corpus/annotations/responsibilities/{doc_id}.json",
            "note": "Clauses that assign a task, with the role, placed from the hand-read gold; every other "
                    "candidate clause of the document assigns nothing. 'line' is the first 60 characters of the "
                    "printed line (whitespace collapsed); 'actor' the actor phrase as printed there.",
            "lines": lines}, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"{doc_id}: {len(lines)} clauses of {len(gold)} gold entries "
              f"({sum(1 for g in gold if (g.get('section') or '').startswith('PL.'))} table rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

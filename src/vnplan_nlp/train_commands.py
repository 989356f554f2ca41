"""``vnplan train``: rebuild the models from the project's annotations."""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_train(args) -> int:
    from . import settings
    from .learn import lines_dir, models_dir, train
    corpus = Path(args.corpus) if args.corpus else settings.corpus_dir()
    if not (corpus / "docs").is_dir():
        sys.stderr.write(f"vnplan train: no corpus at {corpus} (expected docs/). Set VNPLAN_CORPUS or pass --corpus.\n")
        return 2
    if not any(lines_dir().glob("*.json")):
        sys.stderr.write(f"vnplan train: no line labels in {lines_dir()}; see corpus/annotations/lines/README.md.\n")
        return 2
    try:
        import sklearn  # noqa: F401
    except ImportError:
        sys.stderr.write("vnplan train: training needs scikit-learn; install the project with its 'nlp' extra "
                         "(pip install 'vnplan_nlp[nlp]').\n")
        return 2
    out = Path(args.out) if args.out else models_dir()
    train(corpus, out, log=lambda s: sys.stdout.write(s + "\n"))
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "train", help="rebuild the responsibility line model from corpus/annotations/lines",
        description="Train the classifier that decides which clauses assign a task and with what role, on the "
                    "line labels in corpus/annotations/lines; measure it and the rules on held-out documents; "
                    "write models/responsibility-lines.json and its model card. The model is used only if it "
                    "beats the rules on the held-out documents.")
    p.add_argument("--corpus", help="the corpus folder (default: VNPLAN_CORPUS or ../shared/corpus)")
    p.add_argument("--out", help="where to write the model and its card (default: VNPLAN_MODELS or models/)")
    p.set_defaults(func=cmd_train)

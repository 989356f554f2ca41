"""Settings read from the environment, with defaults that work from the project root."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: Largest input accepted, in bytes of file (and of text after reading).
MAX_FILE_BYTES = int(os.environ.get("VNPLAN_MAX_FILE_BYTES", str(20 * 1024 * 1024)))
#: Largest text (characters) a document may hold after reading.
MAX_TEXT_CHARS = int(os.environ.get("VNPLAN_MAX_TEXT_CHARS", str(5 * 1024 * 1024)))
#: Largest uncompressed XML in a .docx.
MAX_DOCX_XML_BYTES = int(os.environ.get("VNPLAN_MAX_DOCX_XML_BYTES", str(64 * 1024 * 1024)))


def corpus_dir() -> Path:
    """The shared corpus: ``VNPLAN_CORPUS``, else ``../shared/corpus`` beside the project."""
    env = os.environ.get("VNPLAN_CORPUS")
    if env:
        return Path(env)
    return PROJECT_ROOT.parent / "shared" / "corpus"


def project_corpus_dir() -> Path:
    """The project's own annotations of the corpus (``corpus/`` in the project)."""
    return PROJECT_ROOT / "corpus"

"""The shared corpus for module-level use (skip marks, parametrisation); the fixtures in
conftest.py serve test functions. Tests skip with a clear message where it is absent."""

from __future__ import annotations

import pytest

from vnplan_nlp import settings
from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import read_path

CORPUS = settings.corpus_dir()
DOCS = sorted((CORPUS / "docs").glob("*.txt")) if (CORPUS / "docs").is_dir() else []
needs_corpus = pytest.mark.skipif(not DOCS, reason=f"corpus not found at {CORPUS} (set VNPLAN_CORPUS)")


def corpus_text(doc_id: str) -> str:
    """A corpus document's normalised text."""
    src = read_path(CORPUS / "docs" / f"{doc_id}.txt")
    return normalise(src.text, src.markup).text

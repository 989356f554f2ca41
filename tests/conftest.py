"""Shared fixtures. Corpus tests skip with a clear message where ../shared/corpus is absent."""

from __future__ import annotations

import pytest

from vnplan_nlp import settings


def corpus_or_skip():
    root = settings.corpus_dir()
    if not (root / "docs").is_dir():
        pytest.skip(f"shared corpus not found at {root}; set VNPLAN_CORPUS to run the corpus tests")
    return root


@pytest.fixture(scope="session")
def corpus():
    return corpus_or_skip()


@pytest.fixture(scope="session")
def corpus_docs(corpus):
    return sorted((corpus / "docs").glob("*.txt"))


_PARSED: dict = {}


@pytest.fixture(scope="session")
def parsed(corpus):
    """parsed(doc_id) -> Document, parsed once per session."""
    from vnplan_nlp.parse import parse_path

    def get(doc_id: str):
        if doc_id not in _PARSED:
            _PARSED[doc_id] = parse_path(corpus / "docs" / f"{doc_id}.txt")
        return _PARSED[doc_id]
    return get

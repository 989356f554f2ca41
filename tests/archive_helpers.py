"""Shared by the archive's tests: the corpus, the parser to index with, document factories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vnplan_nlp import settings
from vnplan_nlp.models import Document, Header, Reference, Responsibility, SourceInfo

CORPUS = settings.corpus_dir()
DOCS = CORPUS / "docs"
SEED = DOCS / "seed-103-kh-du-hungyen-2024.txt"
TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"

needs_corpus = pytest.mark.skipif(not SEED.is_file(),
                                  reason=f"the shared corpus is not at {CORPUS}; set VNPLAN_CORPUS")


def parser_spec() -> str:
    """The parser the archive indexes with (the project's)."""
    return "vnplan_nlp.parse:parse_path"


def env_with_paths() -> dict:
    """An environment in which a child process (CLI, pool or Dask worker) imports the
    project and the tests' helpers."""
    env = dict(os.environ)
    parts = [str(SRC), str(TESTS)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    return env


class DocBuilder:
    """Builds a document's text sentence by sentence, so that every reference and
    responsibility gets its offsets from the place its sentence was put."""

    def __init__(self, path: str, **header):
        self.path = path
        self.header = header
        self.parts: list[str] = []
        self.pos = 0
        self.references: list[Reference] = []
        self.responsibilities: list[Responsibility] = []
        self.system = header.pop("system", None)

    def line(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text + "\n")
        self.pos += len(text) + 1
        return start, start + len(text)

    def ref(self, sentence: str, cited: str, *, number_symbol, doc_type, date, issuer, relation) -> "DocBuilder":
        """``cited``: the part of ``sentence`` naming the document."""
        s, _ = self.line(sentence)
        at = s + sentence.find(cited)   # the builder placed the sentence: the offset is known
        self.references.append(Reference(doc_type=doc_type, number_symbol=number_symbol, date=date,
                                         issuer=issuer, relation=relation, alias=None, text=cited,
                                         start=at, end=at + len(cited)))
        return self

    def task(self, sentence: str, *, actor, role, task=None, deadline=None, report_to=None) -> "DocBuilder":
        s, e = self.line(sentence)
        self.responsibilities.append(Responsibility(actor=actor, role=role, task=task, deadline=deadline,
                                                    report_to=report_to, start=s, end=e))
        return self

    def build(self) -> Document:
        text = "".join(self.parts)
        h = dict(self.header)
        ns = h.get("number_symbol")
        if ns and "symbol" not in h and ("-" in ns or "/" in ns):
            h["symbol"] = ns.split("-", 1)[1] if "-" in ns.split("/")[0] else ns.split("/", 1)[1]
        doc = Document(source=SourceInfo(path=self.path, format="txt"), text=text, system=self.system,
                       header=Header(**h), references=list(self.references),
                       responsibilities=list(self.responsibilities))
        for r in doc.references + doc.responsibilities:
            assert text[r.start:r.end] == getattr(r, "text", text[r.start:r.end])
        return doc

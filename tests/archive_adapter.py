"""TEMPORARY, tests only: a stand-in for ``vnplan_nlp.parse.parse_path`` until the parser
lands in main. It reads and normalises a file and leaves the header empty; the archive's
tests that need header fields or references build their Documents explicitly."""

from vnplan_nlp.models import Document, SourceInfo
from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import read_path


def parse_path(path):
    src = read_path(path)
    n = normalise(src.text, src.markup)
    return Document(source=SourceInfo(path=src.path, format=src.format, pages=src.pages,
                                      sha256=src.sha256, encoding=src.encoding), text=n.text)

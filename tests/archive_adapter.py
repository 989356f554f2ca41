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


def parse_path_failing(path):
    """For the tests of per-file failures: a parser that raises on files named boom-raise*,
    and whose process dies on files named boom-exit*."""
    import importlib.util
    import os
    name = os.path.basename(str(path))
    if name.startswith("boom-raise"):
        raise RuntimeError("a defect in the parser")
    if name.startswith("boom-exit"):
        os._exit(3)
    if importlib.util.find_spec("vnplan_nlp.parse") is not None:
        from vnplan_nlp.parse import parse_path as real
        return real(path)
    return parse_path(path)

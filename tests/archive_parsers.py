"""Parsers for the archive's tests of per-file failures: the project's parser, except on
files named boom-raise* (it raises) and boom-exit* (its process dies)."""

import os

from vnplan_nlp.parse import parse_path as _parse_path


def parse_path_failing(path):
    name = os.path.basename(str(path))
    if name.startswith("boom-raise"):
        raise RuntimeError("a defect in the parser")
    if name.startswith("boom-exit"):
        os._exit(3)
    return _parse_path(path)

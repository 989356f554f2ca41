"""Parsers for the archive's tests of per-file failures: the project's parser, except on
files named boom-raise* (it raises), boom-exit* (its process dies) and, for timeouts,
*slow-regex* (a regular expression that backtracks for ever, in C: no signal stops it),
*slow-sleep* (sleeps for a minute) and slow-<N>s* (sleeps N seconds, then parses)."""

import os
import re
import time

from vnplan_nlp.parse import parse_path as _parse_path


def parse_path_failing(path):
    name = os.path.basename(str(path))
    if name.startswith("boom-raise"):
        raise RuntimeError("a defect in the parser")
    if name.startswith("boom-exit"):
        os._exit(3)
    return _parse_path(path)


def parse_path_slow(path):
    name = os.path.basename(str(path))
    if "slow-regex" in name:
        re.match(r"(a+)+$", "a" * 64 + "b")          # 2**64 steps
    elif "slow-sleep" in name:
        time.sleep(60)
    else:
        m = re.match(r"slow-(\d+(?:\.\d+)?)s", name)
        if m:
            time.sleep(float(m.group(1)))
    return _parse_path(path)


def parse_path_ocr_flag(path, ocr=None):
    """The project's parser, saying in the document's warnings how it was called: whether
    the indexer asked for OCR reaches the process that parses."""
    doc = _parse_path(path)
    doc.source.warnings.append(f"called with ocr={ocr}; VNPLAN_OCR={os.environ.get('VNPLAN_OCR')}")
    return doc

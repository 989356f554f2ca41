"""Segmentation of the normalised text into lines, and the shared vocabulary of the
structure parsers (type names, signing prefixes, positions, organ words)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from .normalise import fold_tones


class TextLine(NamedTuple):
    """A line of the text with its span (a tuple: made by the hundred per document, it is
    built several times faster than a frozen dataclass)."""
    text: str
    start: int
    end: int
    index: int

    @property
    def upper(self) -> bool:
        t = self.text
        # str.upper maps each character on its own, so a text that upper() leaves as it is
        # begins with such a head: most lines are told "no" by their first few characters
        head = t[:8]
        return head == head.upper() and t == t.upper() and t != t.lower()


# TextLine(...) as a NamedTuple's own _make builds it (the same tuple), without a Python call
_tuple_new = tuple.__new__


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[TextLine]:
    """The lines of :func:`split_lines`, one at a time (to stop after the first few)."""
    # start and end taken as re takes a search's pos and endpos (clamped to the text)
    n = len(text)
    end = n if end is None else end
    lo = min(max(start, 0), n)
    pos = lo
    index = 0
    # str.split and str.strip rather than a regex's matches: a third of the time per line
    for piece in text[lo:min(max(start, end, 0), n)].split("\n"):
        if piece:
            line = piece.strip(" \t")
            if line:
                a = pos + piece.index(line) if piece[0] in " \t" else pos
                yield _tuple_new(TextLine, (line, a, a + len(line), index))
                index += 1
        pos += len(piece) + 1


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[TextLine]:
    """The non-empty lines of ``text[start:end]`` with their spans: each line from its
    first to its last character other than a space or a tab (a newline ends a line; a line
    of spaces and tabs is left out)."""
    return list(iter_lines(text, start, end))


@lru_cache(maxsize=None)
def load_json(name: str):
    return json.loads(resources.files("vnplan_nlp.data").joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=None)
def doc_types() -> list[dict]:
    return load_json("doctypes.json")["types"]


@lru_cache(maxsize=None)
def type_name_by_key() -> dict[str, str]:
    """'KẾ HOẠCH' (any case, any tone placement) -> 'Kế hoạch'."""
    return {fold_tones(t["name"]).upper(): t["name"] for t in doc_types()}


@lru_cache(maxsize=None)
def type_by_code() -> dict[tuple[str, str], str]:
    """('party', 'KH') -> 'Kế hoạch'; ('state', 'QĐ') -> 'Quyết định'."""
    out: dict[tuple[str, str], str] = {}
    for t in doc_types():
        for system in ("party", "state"):
            code = t.get(system)
            if code and (system, code) not in out:
                out[(system, code)] = t["name"]
    return out


def type_of_line(line: str) -> str | None:
    """'KẾ HOẠCH' -> 'Kế hoạch'; 'KẾ HOẠCH LIÊN TỊCH' -> 'Kế hoạch liên tịch'; else None."""
    key = fold_tones(line).upper().strip()
    names = type_name_by_key()
    if key in names:
        return names[key]
    if key.endswith(" LIÊN TỊCH") and key[: -len(" LIÊN TỊCH")] in names:
        return names[key[: -len(" LIÊN TỊCH")]] + " liên tịch"
    return None


# Signing prefixes (Party: T/M K/T T/L; State: TM. KT. TL. TUQ. Q.) and spelled-out forms.
SIGN_PREFIX = re.compile(
    r"^(?:T/M|K/T|T/L|TM\.?|KT\.?|TL\.?|TUQ\.?|Q\.|THAY\s+MẶT|KÝ\s+THAY|THỪA\s+LỆNH|THỪA\s+ỦY\s+QUYỀN|"
    r"THỪA\s+UỶ\s+QUYỀN|QUYỀN)(?=\s|$)")

POSITION_WORDS = (
    "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "BÍ THƯ", "PHÓ BÍ THƯ", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "THỦ TƯỚNG",
    "PHÓ THỦ TƯỚNG", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG",
    "PHÓ VỤ TRƯỞNG", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN",
    "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "TỔNG CỤC TRƯỞNG", "PHÓ TỔNG CỤC TRƯỞNG", "TỔNG THƯ KÝ",
    "TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "THƯỜNG TRỰC BAN BÍ THƯ", "TỔNG BÍ THƯ", "CHÁNH ÁN",
    "VIỆN TRƯỞNG", "HIỆU TRƯỞNG", "CHÁNH THANH TRA", "TỔNG GIÁM ĐỐC", "PHÓ TỔNG GIÁM ĐỐC",
    "TRƯỞNG ĐOÀN", "THƯỜNG TRỰC", "ỦY VIÊN", "TRƯỞNG CÔNG AN", "CHỈ HUY TRƯỞNG", "GIÁM ĐỐC SỞ",
    "PHÓ CHỦ TỊCH THƯỜNG TRỰC", "PHÓ BÍ THƯ THƯỜNG TRỰC", "CHÁNH VĂN PHÒNG TRUNG ƯƠNG",
)


def _position_re() -> re.Pattern:
    alts = "|".join(re.escape(fold_tones(p)) for p in sorted(POSITION_WORDS, key=len, reverse=True))
    return re.compile(rf"^(?:Q\.\s*)?(?:{alts})\b")


POSITION_RE = _position_re()

_NAME_PREFIX = re.compile(r"^(?:(?:Đại|Thượng|Trung|Thiếu)\s+tướng|GS\.?|PGS\.?|TS\.?|ThS\.?|BS\.?|PGS\.\s*TS\.?|GS\.\s*TS\.?)\s+")


def is_person_name(s: str) -> bool:
    """'Cù Trọng Khang': 2-6 syllables, each capitalised and otherwise lower case."""
    s = _NAME_PREFIX.sub("", s.strip())
    words = s.split()
    if not 2 <= len(words) <= 6:
        return False
    return all(w[0].isupper() and (len(w) == 1 or w[1:].islower()) and w.isalpha() for w in words)


SIGNED_MARK = re.compile(r"^\(?\s*(?:đã\s+ký|Đã\s+ký|ĐÃ\s+KÝ|ký|Ký)[^)]*\)?\s*(?:và\s+đóng\s+dấu\)?)?$")

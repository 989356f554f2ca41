"""The body's section tree: Phần, Chương, Mục, Điều, I./I-, 1./1-, 1.1., a), (1), bullets.

Levels are not fixed by label kind: the first kind met is level 1, a kind not yet open
goes one level deeper, a kind already open closes everything below it. That reads both
"I. → 1. → a)" plans and "Điều 1. → 1. → a)" decisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import Section
from .segment import split_lines

LABEL = re.compile(r"""^(?:
    (?P<phan>(?:PHẦN|Phần)\s+(?:THỨ\s+[A-ZĐÀ-Ỹ]+|thứ\s+\w+|[IVXLC]+|\d+))\s*[.:\-]?\s*
  | (?P<chuong>(?:CHƯƠNG|Chương)\s+(?:[IVXLC]+|\d+))\s*[.:\-]?\s*
  | (?P<muc>(?:MỤC|Mục)\s+(?:\d+|[IVXLC]+))\s*[.:\-]\s*
  | (?P<dieu>Điều\s+\d+[a-z]?)\s*[.:]\s*
  | (?P<roman>[IVXL]{1,5})\s*[.\-)]\s*
  | (?P<decimal>\d{1,2}(?:\.\d{1,2}){1,4})(?!\d)\.?\s*(?=\S)
  | (?P<arabic>\d{1,2})\s*(?:[.)](?![\d/])|-(?=\s|$))\s*
  | \((?P<paren>\d{1,2})\)\s*
  | \((?P<lparen>[a-zđ])\)\s*
  | (?P<letter>[a-zđ])\s*[)\-]\s*
  | (?P<letterdot>[a-zđ])\.\s+
  | (?P<uletter>[A-HJ-KM-UWYZ])\s*[.)]\s+
  | (?P<bullet>[-+•●○▪■◦])\s*
)""", re.X)

_KIND_OF = {"phan": "phan", "chuong": "chuong", "muc": "muc", "dieu": "dieu", "roman": "roman",
            "arabic": "arabic", "paren": "paren", "lparen": "lparen", "letter": "letter", "letterdot": "letter",
            "uletter": "uletter"}


@dataclass
class _Node:
    label: str | None
    title: str | None
    kind: str
    start: int
    marker: str
    label_start: int
    label_end: int
    end: int = 0
    children: list["_Node"] = field(default_factory=list)
    level: int = 0

    def freeze(self) -> Section:
        return Section(label=self.label, title=self.title, level=self.level, start=self.start, end=self.end,
                       children=[c.freeze() for c in self.children], kind=self.kind, marker=self.marker,
                       label_start=self.label_start, label_end=self.label_end)


def _title(rest: str) -> str | None:
    rest = rest.strip()
    if not rest:
        return None
    if not any(map(str.islower, rest)):
        return rest.rstrip(":").strip()
    if len(rest) <= 160 and not rest.endswith((".", ";", ",")) and ": " not in rest[:-1]:
        return rest.rstrip(":").strip()
    return None


def classify(line: str) -> tuple[str, str, int, int] | None:
    """(kind, label, marker_end, label_len) of a heading line, or None."""
    m = LABEL.match(line)
    if not m:
        return None
    group = m.lastgroup
    value = m.group(group)
    if group == "bullet":
        return "bullet" + value, value, m.end(), len(value)
    if group == "decimal":
        kind = f"decimal{value.count('.') + 1}"
    else:
        kind = _KIND_OF[group]
    label = " ".join(value.split())
    return kind, label, m.end(), len(value)


def parse_sections(text: str, start: int, end: int, bullets: bool = True) -> list[Section]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    kinds: list[str] = []           # open kinds, outermost first
    all_lines = split_lines(text, start, end)
    for ln in all_lines:
        c = classify(ln.text)
        if not c:
            continue
        kind, label, mend, _ = c
        if kind.startswith("bullet") and not bullets:
            continue
        rest = ln.text[mend:]
        marker = ln.text[:mend].rstrip()
        lstart = ln.start + ln.text.index(label) if label in ln.text[:mend] else ln.start
        title = None if kind.startswith("bullet") else _title(rest)
        if title is None and not rest.strip() and kind in ("phan", "chuong", "muc", "dieu", "roman") \
                and ln.index + 1 < len(all_lines):
            nxt = all_lines[ln.index + 1]
            if nxt.upper and not classify(nxt.text):   # "Chương I" / "QUY ĐỊNH CHUNG"
                title = nxt.text
        node = _Node(label=label, title=title, kind=kind, start=ln.start,
                     marker=marker, label_start=lstart, label_end=lstart + len(label))
        if not kind.startswith("bullet") and kind not in kinds:
            # bullets hold only bullets: a new labelled kind closes the open bullets first
            while kinds and kinds[-1].startswith("bullet"):
                stack.pop().end = _trim_end(text, ln.start)
                kinds.pop()
        if kind in kinds:
            depth = kinds.index(kind)
            for closed in stack[depth:]:
                closed.end = _trim_end(text, ln.start)
            del stack[depth:]
            del kinds[depth + 1:]
        else:
            kinds.append(kind)
        node.level = len(stack) + 1
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        kinds[:] = kinds[: len(stack)]
    for open_node in stack:
        open_node.end = _trim_end(text, end)
    _fix_ends(roots, _trim_end(text, end))
    return [r.freeze() for r in roots]


def _trim_end(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in "\n ":
        pos -= 1
    return pos


def _fix_ends(nodes: list[_Node], parent_end: int) -> None:
    for k, n in enumerate(nodes):
        if not n.end:
            n.end = parent_end
        n.end = min(n.end, parent_end) if n.end > n.start else parent_end
        _fix_ends(n.children, n.end)

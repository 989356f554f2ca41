"""Every type the pipeline produces.

Each extracted item is a small frozen dataclass whose ``start``/``end`` index the
normalised text (``Document.text``), ``end`` exclusive, taken from the match that
found it; ``text[start:end] == item.text`` holds for every item that has a ``text``.
``to_dict()`` gives the contract's JSON shape (see ``shared/contract/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from operator import attrgetter
from typing import Any

SCHEMA = "vnplan.document/1"


# to_dict runs for every item of every document the archive stores: the field names of
# each class are looked up once, and plain values return at the first test
_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


_FIELD_GETTERS: dict[type, tuple[tuple[str, ...], Any]] = {}


def _names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _getter(cls: type) -> tuple[tuple[str, ...], Any]:
    """The field names of ``cls`` and a function giving the tuple of their values (one
    attrgetter call reads them all)."""
    g = _FIELD_GETTERS.get(cls)
    if g is None:
        names = _names(cls)
        if len(names) < 2:           # (attrgetter of one name gives the value, not a tuple)
            get = lambda obj, _names=names: tuple(getattr(obj, n) for n in _names)  # noqa: E731
        else:
            get = attrgetter(*names)
        g = _FIELD_GETTERS[cls] = (names, get)
    return g


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, _Dict):         # (the items of the lists below: no list, tuple or dict)
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if is_dataclass(value):
        return value.to_dict() if hasattr(value, "to_dict") else {
            n: _plain(getattr(value, n)) for n in _names(type(value))}
    return value


class _Dict:
    def to_dict(self) -> dict[str, Any]:
        names, get = _getter(type(self))
        # most fields are plain values: tested here, without a call of _plain
        return {n: v if type(v) in _SCALARS else _plain(v) for n, v in zip(names, get(self))}


@dataclass(frozen=True)
class SourceInfo(_Dict):
    path: str
    format: str
    pages: int | None = None
    sha256: str | None = None
    encoding: str | None = None
    #: what the reader could not read as it should (damaged or image-only pages, a file
    #: misnamed) and how it read it (pages read by OCR)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Line(_Dict):
    """One printed line (a paragraph of the normalised text) with its span."""
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Header(_Dict):
    parent_organ: str | None = None
    issuer: str | None = None
    number: str | None = None
    symbol: str | None = None
    number_symbol: str | None = None
    number_line: str | None = None
    place: str | None = None
    issued_date: str | None = None
    doc_type: str | None = None
    title: str | None = None
    # What the header printed, for the format rules: "ĐẢNG CỘNG SẢN VIỆT NAM" or the
    # State quốc hiệu, the motto, the place-date line, the type line, the star.
    national: str | None = None
    motto: str | None = None
    date_line: str | None = None
    type_line: str | None = None
    subject_line: str | None = None   # "V/v ..." of a công văn
    star: bool = False
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["spans"] = {k: list(v) for k, v in self.spans.items()}
        return d


@dataclass(frozen=True)
class Signature(_Dict):
    authority_lines: list[str]
    position: str | None
    signer: str | None
    start: int
    end: int
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class Recipient(_Dict):
    text: str
    start: int
    end: int
    line: str = ""          # the whole printed line, with its dash and final punctuation


@dataclass(frozen=True)
class Section(_Dict):
    label: str | None       # printed label without its punctuation ("II" for "II-")
    title: str | None
    level: int
    start: int
    end: int
    children: list["Section"] = field(default_factory=list)
    kind: str = ""          # roman, arabic, decimal, letter, paren, dieu, chuong, phan, muc
    marker: str = ""        # the label exactly as printed, punctuation included ("II-", "1.1.", "a)")
    label_start: int = 0
    label_end: int = 0


@dataclass(frozen=True)
class Part(_Dict):
    """An appendix or form printed after the signature."""
    label: str | None
    title: str | None
    start: int
    end: int
    kind: str = "appendix"          # appendix | attachment (a regulation issued with the decision)
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Reference(_Dict):
    doc_type: str | None
    number_symbol: str | None
    date: str | None
    issuer: str | None
    relation: str            # implements | basis | cites
    alias: str | None
    text: str
    start: int
    end: int
    number_printed: str | None = None
    name: str | None = None  # a law's name ("Luật Tổ chức chính quyền địa phương")
    refers_to: int | None = None   # for a short mention: index of the full reference it repeats


@dataclass(frozen=True)
class DateMention(_Dict):
    text: str
    value: Any               # "YYYY-MM-DD" | {"start","end"} | {"every", ...}
    start: int
    end: int
    kind: str = "date"       # date | month | quarter | year | interval | recurrence | deadline
    year_inferred: bool = False
    bound: str | None = None  # before | by | from | until, from "trước ngày", "chậm nhất", "từ"...


@dataclass(frozen=True)
class Body(_Dict):
    text: str
    name: str                # normalised name
    kind: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Responsibility(_Dict):
    actor: str
    role: str                # lead | coordinate | execute
    task: str | None
    deadline: str | None
    report_to: str | None
    start: int
    end: int
    actor_body: str | None = None
    deadline_value: Any = None
    request: bool = False
    section: str | None = None
    actor_start: int | None = None   # the actor phrase as printed: text[actor_start:actor_end]
    actor_end: int | None = None


@dataclass(frozen=True)
class Finding(_Dict):
    rule: str
    severity: str            # error | warning | info
    message: str
    expected: str | None
    actual: str | None
    start: int
    end: int
    source: str | None = None   # the provision the rule comes from
    message_en: str | None = None


@dataclass(frozen=True)
class CoverageRow(_Dict):
    parent: str
    item: dict[str, Any]
    status: str
    covered_by: list[dict[str, Any]]


@dataclass
class Document:
    """One parsed document: the source, the normalised text and all that was found in it."""
    source: SourceInfo
    text: str
    system: str | None = None
    header: Header = field(default_factory=Header)
    signatures: list[Signature] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    appendices: list[Part] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    start: int = 0           # where the document begins (text before it is a web page's chrome)
    body_start: int = 0      # where the content after the header begins
    body_end: int = 0        # where the content before Nơi nhận / signature ends
    end: int = 0             # where the document ends (a web page's caption and chrome may follow)
    offsets: Any = None      # normalised index -> source index (an array), not serialised

    @property
    def signature(self) -> Signature | None:
        return self.signatures[0] if self.signatures else None

    def to_dict(self, with_text: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": SCHEMA,
            "source": self.source.to_dict(),
            "system": self.system,
            "header": self.header.to_dict(),
            "signature": self.signature.to_dict() if self.signature else None,
            "signatures": [s.to_dict() for s in self.signatures],
            "recipients": [r.to_dict() for r in self.recipients],
            "sections": [s.to_dict() for s in self.sections],
            "appendices": [p.to_dict() for p in self.appendices],
            "references": [r.to_dict() for r in self.references],
            "dates": [x.to_dict() for x in self.dates],
            "bodies": [b.to_dict() for b in self.bodies],
            "responsibilities": [r.to_dict() for r in self.responsibilities],
            "findings": [f.to_dict() for f in self.findings],
            "coverage": [c.to_dict() for c in self.coverage],
        }
        if with_text:
            d["text"] = self.text
        return d

    def in_document(self, offset: int) -> bool:
        return self.start <= offset < (self.end or len(self.text))

    def line_of(self, offset: int) -> int:
        """1-based line number of an offset in the normalised text."""
        return self.text.count("\n", 0, offset) + 1

    def iter_sections(self):
        stack = list(reversed(self.sections))
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.children))

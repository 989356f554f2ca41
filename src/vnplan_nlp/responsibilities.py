"""Responsibilities: who must do what, by when, reporting to whom.

``find_responsibilities(doc)`` reads a parsed :class:`~vnplan_nlp.models.Document` (it is
pure: it changes nothing) and returns one :class:`~vnplan_nlp.models.Responsibility` per
(actor phrase, item) assignment, in text order (the pipeline's stage,
``extract.responsibilities``, stores them on the document).

Where assignments are found:

- items of the sections that assign ("Tổ chức thực hiện", "Trách nhiệm", "Phân công ...",
  "Nhiệm vụ cụ thể"): an actor that heads an item ("1. Sở Nội vụ: ...", a heading line
  "2.3. Công an tỉnh" over lettered sub-items or bullets, "3. Đề nghị Ủy ban MTTQ ...",
  "4. Giao Sở Tư pháp ...", "- Các cơ quan, đơn vị ... có trách nhiệm ...");
- per-task lines ("Đơn vị chủ trì: X", "Đơn vị phối hợp: Y", "Cơ quan thực hiện: X chủ
  trì, phối hợp với Y", "Thời gian thực hiện: ...") under the task they close;
- task tables in appendices (columns Nội dung / Cơ quan chủ trì / Cơ quan phối hợp /
  Thời gian ...), one responsibility per row and role; tables flattened to one cell per
  line (Markdown pages) and tables printed as rows of cells joined by " | " (.docx) alike;
- sentences anywhere else that name an actor and assign it something ("X có trách nhiệm
  ...", "Giao X ...", "Đề nghị X ...", "Yêu cầu X ...", "X chủ trì, phối hợp với Y ...");
- the unnumbered closing paragraph that adds a duty ("Trong quá trình thực hiện, nếu có
  khó khăn, vướng mắc, các cơ quan ... báo cáo về Sở X");
- the execution clause of a decision, resolution or directive ("Chánh Văn phòng UBND tỉnh;
  Giám đốc Sở Nội vụ, Chủ tịch UBND các xã ... chịu trách nhiệm thi hành Quyết định này"):
  one ``execute`` responsibility per office of the list;
- a document issued with a decision (a regulation "Ban hành kèm theo Quyết định ..."): its
  sections that assign ("Tổ chức thực hiện", "Trách nhiệm ...", "Chế độ báo cáo"), read as
  the body's; its other articles state rules, not assignments.

In "X chủ trì, phối hợp (với) Y ..." X is the lead and Y gets its own ``coordinate``
responsibility. An item's role is the strongest its clauses give (lead, then execute, then
coordinate); the cue words and their sources are in ``data/responsibility_verbs.json``.

What the span covers: ``start``/``end`` cite the assignment as printed -- the heading line
of an item, the sentence of a sentence assignment, the role line of a per-task block, the
cells of a table row -- so ``doc.text[start:end]`` always holds the actor; ``actor_start``
/ ``actor_end`` cite the actor phrase itself (``actor`` is that text with its line breaks
turned into spaces). ``task`` is the assigned work with whitespace collapsed (long tasks
are cut at a clause boundary and end with "…"). ``deadline`` is the time phrase as printed
(several joined with "; "), ``deadline_value`` the value of the date mentions of
``doc.dates`` inside it, when the dates stage has run.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from .models import Document, Responsibility, Section
from .normalise import alternation, fold_tones, match_key, strip_diacritics
from .segment import iter_lines, load_json

log = logging.getLogger(__name__)

ROLES = ("lead", "coordinate", "execute")
_STRENGTH = {"lead": 3, "execute": 2, "coordinate": 1}
TASK_MAX = 600


# -- vocabulary -------------------------------------------------------------------------------

def _low(s: str) -> str:
    """Tone placement folded and lower case; same length as ``s`` for Vietnamese text."""
    if len(s) > 2000:                   # a document's text: see _low_document
        return _low_document(s)
    return fold_tones(s).lower()


@lru_cache(maxsize=1)
def _low_document(s: str) -> str:
    """The whole text is lowered by the scanner and again for each assignment's deadlines:
    once is enough (the last text is kept)."""
    return fold_tones(s).lower()


def _bare(s: str) -> str:
    """Diacritics stripped, lower case, spaces collapsed: for titles and column names.
    (Tone placement needs no folding first: "hoà" and "hòa" both lose their mark.)"""
    return " ".join(_stripped(s).lower().split())


# strip_diacritics removes the combining marks (all of U+0300-U+036F but the grapheme joiner
# U+034F, which has no combining class); anything else outside ASCII it keeps
_NOT_ASCII_OR_MARK = re.compile("[^\x00-\x7f" + "".join(
    chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]")


def _stripped(s: str) -> str:
    """``strip_diacritics(s)``. Where the decomposed text holds nothing outside ASCII but
    those marks (most Vietnamese titles and cells), that is the text without its non-ASCII
    characters, and encoding to ASCII drops them at once."""
    d = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    if _NOT_ASCII_OR_MARK.search(d):
        return strip_diacritics(s)
    return d.encode("ascii", "ignore").decode("ascii")


def _alts(words) -> str:
    """The words (lowered) as one alternation, longest first, written as a tree of shared
    beginnings: the same matches, and re tests each beginning once (see normalise.alternation)."""
    return alternation({_low(w) for w in words if w}, ignorecase=False)


@dataclass(frozen=True)
class _Vocab:
    heads: re.Pattern          # an actor head at a position of the lowered text
    not_heads: re.Pattern
    determiners: re.Pattern
    list_nouns: re.Pattern
    stops: re.Pattern
    strong_stops: re.Pattern
    keep_after: dict
    lead_head: re.Pattern
    lead_any: re.Pattern
    lead_not_after: tuple
    coord_head: re.Pattern
    giao: re.Pattern
    yeu_cau: re.Pattern
    de_nghi: re.Pattern
    adverbs: re.Pattern
    predicates: re.Pattern
    zones_assign: tuple
    zones_skip: tuple
    zones_skip_contains: tuple
    col: dict
    role_heads: re.Pattern
    time_heads: re.Pattern
    other_heads: re.Pattern
    outside: dict
    closing_openers: re.Pattern
    extend_to: re.Pattern


@lru_cache(maxsize=1)
def vocab() -> _Vocab:
    d = load_json("responsibility_verbs.json")
    h = d["actor_heads"]
    st = d["stop_words"]
    cues = d["cues"]
    tl = d["task_lines"]
    def words(items, after: str = "") -> re.Pattern:
        """Any of the phrases ``items``, as whole words, then ``after``."""
        return re.compile(rf"(?:{_alts(items)})(?![\w]){after}")

    return _Vocab(
        heads=words(h['bodies'] + h['persons']),
        not_heads=words(h['not_heads']['words']),
        determiners=words(h['determiners'], r"\s*"),
        list_nouns=words(d['list_nouns']['words']),
        stops=words(st['phrases']),
        strong_stops=re.compile(r"(?:chủ\s+trì|phối\s+hợp|tham\s+mưu|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm)(?![\w])"),
        keep_after={_low(k): tuple(_low(x) for x in v) for k, v in st["keep_after"].items() if k != "note"},
        lead_head=words(cues['lead']['head']),
        lead_any=words(cues['lead']['anywhere']),
        lead_not_after=tuple(_low(x) for x in cues["lead"]["not_after"]),
        coord_head=words(cues['coordinate']['head']),
        giao=words(cues['assign']['giao'], r"\s*"),
        yeu_cau=words(cues['assign']['yeu_cau'], r"\s*"),
        de_nghi=words(cues['assign']['de_nghi'], r"\s*:?\s*"),
        adverbs=re.compile(rf"(?:(?:{_alts(cues['subject_predicates']['adverbs'])})(?![\w])[\s,]*)*"),
        predicates=words(cues['subject_predicates']['verbs']),
        zones_assign=tuple(d["zones"]["assign"]),
        zones_skip=tuple(d["zones"]["skip"]),
        zones_skip_contains=tuple(d["zones"]["skip_contains"]),
        col={k: tuple(v) for k, v in d["table_columns"].items() if k != "note"},
        role_heads=re.compile(rf"^(?:[-+•*]\s*)?(?:{_alts(tl['role_heads'])})\s+(?P<role>chủ\s+trì|phối\s+hợp|thực\s+hiện)"
                              rf"[^:\n]{{0,40}}:\s*"),
        time_heads=re.compile(rf"^(?:[-+•*]\s*)?(?:{_alts(tl['time_heads'])})[^:\n]{{0,25}}:\s*"),
        other_heads=re.compile(rf"^(?:[-+•*]\s*)?(?:{_alts(tl['other_heads'])})[^:\n]{{0,20}}:\s*"),
        outside={k: tuple(v) for k, v in d["outside_authority"].items() if k != "note"},
        closing_openers=words(d['closing']['openers']),
        extend_to=re.compile(rf"(?<![\w])(?:{_alts(cues['extend_to']['words'])})(?![\w])"),
    )


def _cell_head(cell: str) -> str:
    """``_bare(cell).strip(" :.*")``, the form _cell_kind compares with the column names;
    for a long cell (a paragraph) only as much of it as that comparison reads.

    The cell is cut at a space: the bare form of the part before it is then the beginning
    of the bare form of the whole (diacritics, case and spaces change nothing across a
    space), so where it is longer than every column name and its opening, the
    names cannot equal the whole and open it exactly when they open this part."""
    longest = _longest_column()
    cut = cell.find(" ", 2 * longest + 8)
    if cut > 0:
        head = _bare(cell[:cut]).strip(" :.*")
        if len(head) > longest + 1:
            return head
    return _bare(cell).strip(" :.*")


@lru_cache(maxsize=1)
def _longest_column() -> int:
    return max(len(w) for names in vocab().col.values() for w in names)


@lru_cache(maxsize=1)
def _column_initials() -> frozenset[str]:
    """The first characters of the column names."""
    return frozenset(w[0] for names in vocab().col.values() for w in names if w)


_CELL_LEAD = re.compile(r"[\s:.*]*")      # what _bare and the strip of _cell_head drop in front


def _names_no_column(cell: str) -> bool:
    """A quick no for most cells that are no header cell ('1.', '- Sở ...', '(2)'): where the
    cell's first character that _cell_head keeps is ASCII, it is the first character of
    the bare form, lowered (no ASCII character gains or loses a letter there), and no
    column name opens with it. False where that cannot be told this way."""
    i = _CELL_LEAD.match(cell).end()
    if i == len(cell):
        return True                      # the bare form is empty
    c = cell[i]
    return c.isascii() and c.lower() not in _column_initials()


@lru_cache(maxsize=1)
def _column_openings() -> dict[str, tuple[str, ...]]:
    """Per column kind, the openings of a header cell that names it at its start ('cơ quan
    chủ trì ' ...): one str.startswith with a tuple instead of a loop over the names."""
    return {k: tuple(w + sep for w in names if len(w) > 3 for sep in (" ", "/", "("))
            for k, names in vocab().col.items()}


@lru_cache(maxsize=1)
def _cue_phrases() -> tuple[str, ...]:
    """The cue phrases of ``vocab().de_nghi``, ``.giao`` and ``.yeu_cau``, lowered."""
    cues = load_json("responsibility_verbs.json")["cues"]["assign"]
    return tuple(_low(w) for k in ("de_nghi", "giao", "yeu_cau") for w in cues[k] if w)


@lru_cache(maxsize=1)
def _cue_initials() -> frozenset[str] | None:
    """The characters the cue phrases begin with, so a match of theirs too; None where one
    begins with a space, which their pattern writes as any run of spaces."""
    firsts = {p[0] for p in _cue_phrases()}
    return None if any(c.isspace() for c in firsts) else frozenset(firsts)


@lru_cache(maxsize=1)
def _cue_first_words() -> tuple[str, ...] | None:
    """The first words of the cue phrases, each written literally in their pattern; None
    where a phrase has no word."""
    phrases = _cue_phrases()
    if any(not p.split() for p in phrases):
        return None
    return tuple(dict.fromkeys(p.split()[0] for p in phrases))


# -- the actor hook ---------------------------------------------------------------------------

def normalise_actor(actor: str) -> str:
    """The normalised name of an actor phrase, the one place that decides it: short forms
    spelled out ('Sở KH&CN' -> 'Sở Khoa học và Công nghệ') and parentheses dropped here,
    then the bodies stage's ``normalise_body`` where installed (new-style tones, the case of
    body words, named variants merged), else new-style tones, spaces collapsed, first
    letter capital."""
    pre = _expand(actor)
    try:
        from .bodies import normalise_body  # type: ignore[attr-defined]
    except ImportError:
        normalise_body = None
    if normalise_body is not None:
        try:
            out = normalise_body(pre)
        except Exception:   # noqa: BLE001 - a failing hook must not lose the responsibility
            log.warning("normalise_body failed on %r", actor, exc_info=True)
        else:
            if isinstance(out, str) and out:
                return out[:1].upper() + out[1:]
    name = " ".join(fold_tones(pre).split()).strip(" ,;:.-")
    name = re.sub(r"^(?:[Đđ]ề nghị|[Gg]iao|[Yy]êu cầu)\s+", "", name)
    return name[:1].upper() + name[1:] if name else actor


@lru_cache(maxsize=1)
def _abbreviations() -> list[tuple[str, re.Pattern, str]]:
    """(short form, its pattern as a whole word, the full name), longest short form first."""
    forms = load_json("responsibility_verbs.json")["abbreviations"]["forms"]
    return [(k, re.compile(rf"(?<![\w&]){re.escape(k)}(?![\w&])"), v)
            for k, v in sorted(forms.items(), key=lambda x: -len(x[0]))]


_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


def _expand(actor: str) -> str:
    """'Sở KH&CN' -> 'Sở Khoa học và Công nghệ', for grouping only."""
    for short, pat, full in _abbreviations():
        if short in actor:          # (a pattern can only match where its short form is)
            actor = pat.sub(full, actor)
    if "(" in actor:
        actor = _PARENTHESIS.sub("", actor)       # '(Cơ quan thường trực ...)', '(qua ...)'
    return actor


def actor_key(actor: str) -> str:
    k = match_key(actor)
    k = re.sub(r"[^\w\s&/]", " ", k)
    k = re.sub(r"^(?:(?:các|mỗi|tất cả|toàn thể|những|đồng chí|đ/c)\s+)+", "", " ".join(k.split()))
    return k


# -- lines, sections, zones -------------------------------------------------------------------

@dataclass
class _Line:
    start: int            # first character of the (logical) line
    end: int              # end, exclusive
    body: int             # where the text after the label or bullet begins
    kind: str             # label | bullet | plain
    path: str             # section path of the innermost labelled section
    node: Section | None  # that section
    zone: str             # assign | content | skip
    index: int = 0


_BULLET = re.compile(r"^(?:[-+•●○▪■◦–*]\s*)")


def _section_paths(doc: Document):
    """(start, end, path, node, zone) for every labelled section, outermost first."""
    v = vocab()
    out = []

    def zone_of(title: str | None, inherited: str) -> str:
        if not title or inherited == "assign":      # (an assigning section's parts assign)
            return inherited
        b = _bare(title)
        if any(w in b for w in v.zones_assign):
            return "assign"
        if b.startswith(v.zones_skip) and len(b) < 90:
            return "skip"
        if any(w in b for w in v.zones_skip_contains):
            return "skip"
        return inherited

    def walk(nodes, prefix: list[str], parent_label: str | None, inherited: str):
        for s in nodes:
            if s.kind.startswith("bullet"):
                walk(s.children, prefix, parent_label, inherited)
                continue
            label = s.label or ""
            p = list(prefix)
            # "2.1" under "2" already carries its parent: III.2.1, not III.2.2.1
            if "." in label and parent_label is not None and label.split(".")[0] == parent_label.split(".")[-1] and p:
                p[-1:] = [label]
            else:
                p.append(label)
            z = zone_of(s.title, inherited)
            if z != "assign" and inherited != "skip" and s.title is None and s.level == 1:
                z = inherited
            out.append((s.start, s.end, ".".join(x for x in p if x), s, z))
            walk(s.children, p, label, z)

    walk(doc.sections, [], None, "content")
    return out


def _logical_lines(doc: Document, start: int, end: int, paths) -> list[_Line]:
    """Lines of text[start:end] with a line that continues the one before (it opens in lower
    case, or the one before ends with a comma or 'và') joined to it."""
    from .sections import classify
    text = doc.text
    lines: list[_Line] = []
    by_start = {p[0]: p for p in paths}
    starts = sorted(by_start)
    for t, a, b, _ in iter_lines(text, start, end):
        c = classify(t)
        if lines and not c and (t[0].islower() or text[lines[-1].end - 1] in ",(" or
                                text.endswith((" và", " của", " với"), lines[-1].start, lines[-1].end)
                                or _title_wraps(text, lines[-1], t)):
            lines[-1].end = b
            continue
        if c and not c[0].startswith("bullet"):
            kind, bodypos = "label", a + c[2]
        elif c:
            m = _BULLET.match(t)
            kind, bodypos = "bullet", a + (m.end() if m else c[2])
        elif m := _BULLET.match(t):
            kind, bodypos = "bullet", a + m.end()
        else:
            kind, bodypos = "plain", a
        # innermost labelled section holding the line
        k = bisect.bisect_right(starts, a) - 1
        path, node, zone = "", None, "content"
        while k >= 0:
            s0, e0, p0, n0, z0 = by_start[starts[k]]
            if s0 <= a < max(e0, s0 + 1) or (s0 <= a and a <= e0):
                path, node, zone = p0, n0, z0
                break
            k -= 1
        if node is None:
            # inside nothing: outside any numbered section; take the enclosing top level if any
            for s0, e0, p0, n0, z0 in paths:
                if s0 <= a <= e0:
                    path, node, zone = p0, n0, z0
        lines.append(_Line(a, b, bodypos, kind, path, node, zone, len(lines)))
    return lines


def _title_wraps(text: str, prev: _Line, t: str) -> bool:
    """A heading printed over two lines ('3. Đề nghị Ủy ban MTTQ ..., Hội Liên hiệp' /
    'Phụ nữ Thành phố và các tổ chức thành viên của Mặt trận'): a short unpunctuated line
    right after a label line that is only a title, itself unpunctuated."""
    if prev.kind != "label" or prev.node is None or prev.node.start != prev.start or not prev.node.title:
        return False
    if prev.end - prev.start > 160 or len(t) > 100 or _BULLET.match(t):
        return False
    last = text[prev.end - 1]
    return last.isalnum() and t[-1].isalnum() and t[0].isupper() and not any(c in t for c in ".;:")


# -- scanning actors --------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+(?:[/&.’']\w+)*|[^\w\s]")


# Clause openings inside a line (see _Extractor._sentence_starts): their definition ...
_CLAUSE_OPENS = re.compile(r"(?<=[.;:])\s+(?=\S)|(?<=\.)\s*\n|;\s*\n")
# ... and the form the extractor scans with, the same openings begun at their mark: at each '.', ';' or ':' the alternatives of
# _CLAUSE_OPENS that can follow it, in the same order, so the same matches end at the same
# places; and re finds the marks with a scan for them instead of trying every character.
_CLAUSE_OPENS_AT_MARK = re.compile(r"[.;:](?:(?<=;)\s*\n|\s+(?=\S)|(?<=\.)\s*\n)")
_DIRECTED = re.compile(r"(?<![\w])chỉ\s+đạo\s+(?=\w)")


_ADVERBIAL_OPENING = re.compile(
    r"(?:căn cứ|trên cơ sở|trong phạm vi|trong quá trình|quá trình|để|đồng thời|"
    r"sau khi|nếu|khi|theo đó|ngoài ra|bên cạnh đó|kết thúc|trong thời gian|hằng năm|hàng năm|"
    r"định kỳ)\b")
_CUE_WORD = re.compile(r"(?<![\w])(?:đề\s+nghị|yêu\s+cầu|giao)(?![\w])")
_CUE_INSIDE = re.compile(r"(?<![\w])(?:giao|yêu cầu|đề nghị)\s+(?=\w)")
_NOT_A_CUE_AFTER = re.compile(r"(?:được|theo|các|của|nhiệm vụ|việc|và|để)\s*$")


class _Scanner:
    """Finds actor phrases in the document text; ``low`` is the lowered text (same length)."""

    def __init__(self, text: str):
        self.text = text
        low = _low(text)
        if len(low) != len(text):     # a character whose lower case is longer: fall back per char
            low = "".join(_low(c) if len(_low(c)) == 1 else c for c in text)
        self.low = low
        self.v = vocab()

    def _is_cap(self, i: int) -> bool:
        c = self.text[i]
        return c.isupper()

    def past_determiners(self, i: int) -> int:
        """Where the words after the determiners at i ("các", "mỗi", "tất cả" ...) begin."""
        while (m := self.v.determiners.match(self.low, i)) and m.end() > i:
            i = m.end()
        return i

    def head_at(self, i: int) -> int | None:
        """End of an actor head (with its determiners) starting at i, or None."""
        v = self.v
        j = self.past_determiners(i)
        m = v.heads.match(self.low, j)
        if not m:
            return None
        nh = v.not_heads.match(self.low, j)
        if nh and nh.end() > m.end():
            return None
        # "Ban hành", "Sở hữu": a head that is a verb or a common word in lower case
        w = self.low[m.start():m.end()]
        nxt = self.low[m.end():m.end() + 12]
        if w in ("ban", "sở", "bộ", "hội", "đoàn", "tổ", "vụ", "viện", "báo", "đài", "phòng", "trường", "cục",
                 "đội", "nhóm") and not self._is_cap(m.start()):
            if w not in ("sở",) or not nxt.startswith((" ", ",")):
                return None
        if w in ("ban", "báo", "đài", "phòng", "trường", "hội", "bộ", "tổ", "vụ", "đoàn", "viện", "cục", "đội", "nhóm",
                 "lãnh đạo") and re.match(r"\s+(?:hành|cáo|thọ|ngừa|vệ|chức|việc|quân|sự|đạo|phối|có|tài)\b", nxt):
            return None
        if w == "lãnh đạo" and not re.match(r"\s+(?:sở|ban|ubnd|ủy ban|các|cơ quan|đơn vị|văn phòng|cấp ủy|bộ|cục|"
                                            r"công an|ngành|địa phương)\b", nxt):
            return None
        return m.end()

    def stop_at(self, i: int) -> bool:
        """Does a predicate (a stop word) begin at i?"""
        return self._stop(i) is True

    def _stop(self, i: int):
        """True where a predicate begins at i; the end of a kept phrase where a stop word is
        part of the name ('có liên quan', 'được giao nhiệm vụ'); False otherwise."""
        m = self.v.strong_stops.match(self.low, i)
        if m:
            return True
        if self._is_cap(i):
            return False
        m = self.v.stops.match(self.low, i)
        if not m:
            return False
        w = " ".join(self.low[m.start():m.end()].split())
        if w == "có" and self.low[max(0, i - 4):i] == "nơi ":
            return False       # 'UBND xã nơi có dự án': a relative clause of the name, no predicate
        if w == "tổ chức" and (self.low[m.end():m.end() + 1] == "," or self.low[max(0, m.start() - 4):m.start()] == "các "):
            return m.end()     # 'các tổ chức, doanh nghiệp': the noun
        if w == "tổ chức" and self.text[m.end() + 1:m.end() + 2].isupper():
            nh = self.head_at(m.end() + 1)
            if nh is not None:
                return nh      # 'tổ chức Hội', 'tổ chức Đoàn': a body, not the verb
        keep = self.v.keep_after.get(w)
        if keep:
            k0 = m.end()
            while k0 < len(self.low) and self.low[k0] == " ":
                k0 += 1
            for k in keep:
                if self.low.startswith(k, k0) and not self.low[k0 + len(k):k0 + len(k) + 1].isalnum():
                    return k0 + len(k)
        return True

    def scan(self, i: int, limit: int, *, must_head: bool = True) -> tuple[int, int] | None:
        """The actor phrase starting at i (spaces skipped), as (start, end), or None."""
        text, low = self.text, self.low
        while i < limit and text[i] in " \t\n":
            i += 1
        if i >= limit:
            return None
        h = self.head_at(i)
        if h is None:
            if must_head:
                return None
            h = i
        start = i
        j = h
        last_end = h
        while j < limit:
            m = _TOKEN.match(text, j)
            if not m:
                # whitespace
                k = j
                while k < limit and text[k] in " \t":
                    k += 1
                if k < limit and text[k] == "\n":
                    # a line break inside an actor phrase only after a comma/semicolon/'và'
                    p = j
                    while p > start and text[p - 1] in " \t":
                        p -= 1
                    if text[p - 1:p] in (",", ";") or low[max(start, p - 3):p] == " và":
                        nxt = self._next_word(k + 1, limit)
                        if nxt is not None and self._continues_list(nxt, limit):
                            j = k + 1
                            continue
                    break
                if k == j:
                    break
                j = k
                continue
            tok = m.group(0)
            if tok[0].isalnum() or tok[0] == "_":
                if tok[0].isupper():
                    # a head inside a name ('Ủy viên Ban Chấp hành Đảng bộ'): take it whole
                    hm = self.v.heads.match(low, m.start())
                    if hm and hm.end() > m.end():
                        j = last_end = hm.end()
                        continue
                if tok.lower() in ("và", "hoặc", "cùng"):
                    nxt = self._next_word(m.end(), limit)
                    if nxt is None or not self._continues_list(nxt, limit):
                        break
                    j = m.end()
                    continue
                st = self._stop(m.start())
                if st is True:
                    break
                j = last_end = (st if st else m.end())
                continue
            if tok in ",;":
                nxt = self._next_word(m.end(), limit)
                if nxt is None or not self._continues_list(nxt, limit):
                    break
                j = m.end()
                continue
            if tok in "-–":
                nxt = self._next_word(m.end(), limit)
                if nxt is None or self.stop_at(nxt):
                    break
                j = m.end()
                continue
            if tok == "(":
                close = text.find(")", m.end(), min(limit, m.end() + 200))
                inner = low[m.end():close] if close > 0 else ""
                if close < 0 or inner.lstrip().startswith(("qua ", "sau đây", "gọi tắt", "viết tắt", "b/c")) \
                        or "," not in inner:
                    break
                j = last_end = close + 1
                continue
            if tok == "&" or tok == "/":
                j = m.end()
                continue
            break
        end = last_end
        # trailing connectors and punctuation never belong to the actor
        while end > start and (text[end - 1] in " ,;-–(" or low[max(start, end - 3):end] == " và"):
            end = end - 3 if low[max(start, end - 3):end] == " và" else end - 1
        if end <= start:
            return None
        return start, end

    def extend(self, a: tuple[int, int], limit: int) -> tuple[int, int]:
        """An actor not followed by a predicate may run on to a strong one within its
        clause ('Tất cả lực lượng, phương tiện tham gia thực hiện Kế hoạch này phải ...')."""
        if self.predicate_at(a[1], limit):
            return a
        stop = min(limit, a[1] + 120)
        m = self.v.extend_to.search(self.low, a[1], stop)
        if not m:
            return a
        between = self.text[a[1]:m.start()]
        if re.search(r"[.;:()\n]", between) or len(between.split()) > 20:
            return a
        e = m.start()
        while e > a[0] and self.text[e - 1] in " ,":
            e -= 1
        return (a[0], e)

    def _next_word(self, i: int, limit: int) -> int | None:
        while i < limit and self.text[i] in " \t\n":
            i += 1
        return i if i < limit else None

    def _continues_list(self, i: int, limit: int) -> bool:
        """After a comma or 'và': does another body (or another word of a list) follow?"""
        text = self.text
        if self.stop_at(i):
            return False
        if text[i].isupper():
            return True
        if self.head_at(i) is not None:
            return True
        m = self.v.list_nouns.match(self.low, i)
        return bool(m)

    def predicate_at(self, i: int, limit: int) -> bool:
        """Does an assigning predicate (adverbs, then a verb of the list) begin at i? An
        opening 'căn cứ chức năng, nhiệm vụ được giao,' is skipped."""
        while i < limit and self.text[i] in " \t,:":
            i += 1
        f = _FUNCTIONS.match(self.low, i)
        if f and f.end() > i:
            i = f.end()
        m = self.v.adverbs.match(self.low, i)
        j = m.end() if m else i
        return bool(self.v.predicates.match(self.low, j))


# -- the extraction ---------------------------------------------------------------------------

@dataclass
class _Entry:
    actor: tuple[int, int]
    kind: str                         # heading | sentence | taskline | table | partner | closing
    section: str
    span: tuple[int, int]
    scope: list[tuple[int, int]] = field(default_factory=list)
    role: str | None = None           # fixed role (task line, table column, partner)
    request: bool = False
    deadline_spans: list[tuple[int, int]] | None = None   # fixed time phrases (task lines, tables)
    task: str | None = None
    giao: bool = False
    line: int = -1
    parent: "_Entry | None" = None
    directed: bool = False            # 'chỉ đạo X ...': X's sentence shares the director's clause


@dataclass
class Candidate:
    """A place an actor phrase opens a line or clause, for the choice of what assigns."""
    line: _Line
    start: int                 # where the clause (with its cue word) begins
    how: str                   # body | start | adverbial | inner | directed
    cue: str | None            # de_nghi | giao | yeu_cau | chi_dao
    actor: tuple[int, int]
    entry: _Entry              # the entry it makes if accepted
    rule_role: str | None      # what the rules decided (None: not an assignment)


# a line that ends 'Chủ trì, phối hợp (với):', its partners on the bullets under it
_PARTNERS_HEAD = re.compile(r"chủ\s+trì\s*,?\s*(?:và\s+)?phối\s+hợp(?:\s+với)?\s*:?\s*$")


class _Extractor:
    def __init__(self, doc: Document):
        self.doc = doc
        self.text = doc.text
        self.sc = _Scanner(doc.text)
        self.v = vocab()
        self._cell_kinds: dict[str, str | None] = {}      # header cell -> column (see _cell_kind)
        self._partner_bullets: set[int] | None = None             # see _is_partner_bullet
        self.paths = _section_paths(doc)
        body_end = doc.body_end or len(doc.text)
        self.lines = _logical_lines(doc, doc.body_start, body_end, self.paths)
        self.entries: list[_Entry] = []
        self.issuer_kind = _issuer_kind(doc)
        self.used_lines: set[int] = set()
        self.block_lines: set[int] = set()
        self.task_text_lines: dict[int, list] = {}
        self.closing_line = self._closing_line()
        self.scope_end = min(body_end, self.lines[self.closing_line].start) if self.closing_line is not None \
            else body_end

    # - helpers -

    def ltext(self, ln: _Line) -> str:
        return self.text[ln.start:ln.end]

    def add(self, e: _Entry) -> _Entry:
        self.entries.append(e)
        return e

    def run(self, decide=None) -> list[_Entry]:
        """All entries. ``decide`` (a candidate -> role or None function, the line model)
        replaces the rules' choice of which lines assign a task and with what role; the
        structured sources (per-task lines, tables) and partners stay with the rules."""
        self._lines_and_sentences(decide)
        self.closing()
        self.execution()
        for p in self.doc.appendices:
            self.tables(p.start, p.end, p)
            if p.kind == "attachment":
                self.entries += self._attachment(p, decide)
        self.partners()
        self.settle()
        return self.entries

    def _lines_and_sentences(self, decide) -> None:
        self.task_blocks()
        self.items()
        self.sentences()
        if decide is not None:
            cands = self.candidates()
            kept = [e for e in self.entries if e.kind not in ("heading", "sentence")]
            for c in cands:
                role = decide(self, c)
                if role in ROLES:
                    e = c.entry
                    e.role = role
                    kept.append(e)
            self.entries = kept

    def _attachment(self, part, decide) -> list[_Entry]:
        """A document issued with the decision (a regulation: "QUY CHẾ ... (Ban hành kèm
        theo Quyết định số ...)"): its sections that assign ("Tổ chức thực hiện", "Trách
        nhiệm ...") are read as the body's are; the rest of it (what a centre does, how a
        class is run) states rules, not assignments."""
        view = replace(self.doc, sections=part.sections, body_start=part.start, body_end=part.end,
                       appendices=[])
        sub = _Extractor(view)
        sub.scope_end = part.end            # its own closing formula is no end of its articles
        sub._lines_and_sentences(decide)
        return [e for e in sub.entries if e.line >= 0 and sub.lines[e.line].zone == "assign"]

    def settle(self) -> None:
        """Sentence entries of one line end where the next begins; entries whose whole
        task is the closing formula ('nghiêm túc triển khai thực hiện') are dropped."""
        by_line: dict[int, list[_Entry]] = {}
        for e in self.entries:
            if e.kind in ("sentence", "closing") and e.line >= 0:
                by_line.setdefault(e.line, []).append(e)
        for es in by_line.values():
            es.sort(key=lambda x: x.actor[0])
            for x, y in zip(es, es[1:]):
                if y.directed:
                    continue
                s, t = x.scope[0]
                cut = y.span[0]
                if s < cut < t:
                    x.scope = [(s, cut)]
                    x.span = (x.span[0], max(x.actor[1], cut))
        keep = []
        for e in self.entries:
            if e.kind in ("sentence", "closing", "heading"):
                own = " ".join(self.text[s:t] for s, t in e.scope)
                if _BOILER.match(_low(own)):
                    continue
            keep.append(e)
        self.entries = keep

    # - per-task lines -

    def task_blocks(self) -> None:
        """'Đơn vị chủ trì: X' / 'Đơn vị phối hợp: Y' / 'Thời gian ...: Z' groups."""
        v = self.v
        lines = self.lines
        i = 0
        block_floor = 0     # first line a task may start at
        while i < len(lines):
            ln = lines[i]
            t = self.ltext(ln)
            # (a role line has its colon: the lines without one are passed at once)
            if ":" not in t or not v.role_heads.match(_low(t)):
                if ln.kind == "label" and not (ln.node is not None and ln.node.kind in ("paren", "lparen")
                                               and ln.node.start == ln.start):
                    # a new item starts a new task; '(1) ... (2) ...' enumerate inside one
                    block_floor = i
                i += 1
                continue
            # the block: consecutive role / time / other lines (and time lines just before)
            j = i
            first = i
            while first - 1 >= block_floor and (v.time_heads.match(_low(self.ltext(lines[first - 1])))
                                                or v.other_heads.match(_low(self.ltext(lines[first - 1])))):
                if v.other_heads.match(_low(self.ltext(lines[first - 1]))) and \
                        _low(self.ltext(lines[first - 1])).lstrip("-+• ").startswith("nội dung"):
                    break
                first -= 1
            while j < len(lines) and (v.role_heads.match(_low(self.ltext(lines[j])))
                                      or v.time_heads.match(_low(self.ltext(lines[j])))
                                      or v.other_heads.match(_low(self.ltext(lines[j])))):
                if j > i and lines[j].kind == "label":
                    break
                if j > i and v.other_heads.match(_low(self.ltext(lines[j]))) and \
                        _low(self.ltext(lines[j])).lstrip("-+• ").startswith("nội dung"):
                    break
                j += 1
            block = lines[first:j]
            task_lines = [x for x in lines[block_floor:first]]
            # dated phrases in the task's own text ('Chậm nhất ngày 10/12/2025', '(từ ngày 15/11
            # đến ngày 15/12)') join those of its time line
            # a task starts at the label of the item or after the previous block
            section = _common_path([x.path for x in task_lines] or [lines[first].path])
            task = self._task_text(task_lines)
            deadlines = []
            for x in block:
                m = v.time_heads.match(_low(self.ltext(x)))
                if m:
                    s = x.start + m.end()
                    e = x.end
                    while e > s and self.text[e - 1] in ".;, ":
                        e -= 1
                    if e > s:
                        deadlines.append((s, e))
            for x in task_lines:
                for d in _deadlines(self.text, [(x.body, x.end)], recurrences=False):
                    if d not in deadlines:
                        deadlines.append(d)
            deadlines.sort()
            for x in block:
                lt = _low(self.ltext(x))
                m = v.role_heads.match(lt)
                if not m:
                    continue
                role_word = " ".join(m.group("role").split())
                s = x.start + m.end()
                e = x.end
                while e > s and self.text[e - 1] in ".;, ":
                    e -= 1
                if e <= s:
                    # "- Cơ quan thực hiện:" with actors on the following '+' lines
                    for y in lines[j:]:
                        if y.kind != "bullet" or not self.text[y.start] in "+":
                            break
                        self._sentence_actor_line(y, section, task, deadlines)
                        self.used_lines.add(y.index)
                        self.block_lines.add(y.index)
                        j = max(j, y.index + 1)
                    continue
                role = {"chủ trì": "lead", "phối hợp": "coordinate"}.get(role_word, "execute")
                # "Cơ quan thực hiện: Sở X chủ trì, phối hợp với Y ..." reads as a sentence
                if role == "execute" and re.search(r"chủ\s+trì", _low(self.text[s:e])):
                    self._sentence_actor_line(x, section, task, deadlines, body=s)
                    continue
                self.add(_Entry(actor=(s, e), kind="taskline", section=section, span=(x.start, x.end),
                                scope=[(s, e)], role=role, deadline_spans=deadlines, task=task, line=x.index))
            for x in block:
                self.used_lines.add(x.index)
                self.block_lines.add(x.index)
            for x in task_lines:
                self.used_lines.add(x.index)
                self.task_text_lines[x.index] = deadlines
            block_floor = j
            i = j

    def _task_text(self, task_lines: list[_Line]) -> str | None:
        parts = []
        for x in task_lines:
            t = self.text[x.body:x.end] if x.kind != "plain" else self.text[x.start:x.end]
            if self.v.other_heads.match(_low(self.text[x.start:x.end])):
                m = self.v.other_heads.match(_low(self.text[x.start:x.end]))
                if _low(self.text[x.start:x.end]).lstrip("-+• ").startswith(("kết quả", "sản phẩm")):
                    continue
                t = self.text[x.start + m.end():x.end]
            parts.append(" ".join(t.split()))
        return _cut("; ".join(p.rstrip(";.") for p in parts if p)) if parts else None

    def _sentence_actor_line(self, x: _Line, section: str, task, deadlines, body: int | None = None) -> None:
        """'Sở X chủ trì, phối hợp với Y ...' on a per-task line: X lead (Y via partners)."""
        b = x.body if body is None else body
        a = self.sc.scan(b, x.end)
        if not a:
            return
        e = self.add(_Entry(actor=a, kind="taskline", section=section, span=(x.start, x.end),
                            scope=[(a[1], x.end)], deadline_spans=deadlines, task=task, line=x.index))
        e.role = self._role([(a[1], x.end)])

    # - items of the assigning sections -

    def items(self) -> None:
        lines = self.lines
        for i, ln in enumerate(lines):
            if ln.zone != "assign" or ln.index in self.used_lines:
                continue
            if ln.kind == "plain" or self._is_partner_bullet(ln):
                continue
            b = ln.body
            t = self.text
            # "Đề nghị X: ...", "Giao X ...", "Yêu cầu X ..."
            req, giao, after = self._cue(b)
            b = after if after is not None else b
            a = self.sc.scan(b, ln.end)
            if not a:
                continue
            a2 = self._to_colon(a, ln)
            if a2 == a:
                a2 = self._title_actor(a, ln)
            a = a2 if a2 != a else self.sc.extend(a, ln.end)
            after = a[1]
            while after < ln.end and t[after] in " \t":
                after += 1
            rest = t[after:ln.end]
            node_is_heading = ln.kind == "label"
            if rest.startswith(":") or (not rest.strip()) or rest.startswith("("):
                if rest.startswith("("):
                    close = t.find(")", after, ln.end)
                    if close < 0:
                        continue
                    after2 = close + 1
                    rest2 = t[after2:ln.end].lstrip()
                    if rest2 and not rest2.startswith(":"):
                        if not self.sc.predicate_at(after2, ln.end):
                            continue
                kind = "heading"
            elif self.sc.predicate_at(after, ln.end) or giao or req:
                kind = "heading" if node_is_heading else "sentence"
            elif node_is_heading and ln.node is not None and ln.node.start == ln.start and \
                    re.match(r"[a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", rest):
                # '6. Đoàn kiểm tra trong quá trình ...': an item that opens with its actor
                kind = "heading"
            else:
                continue
            # a whole-line heading that is the title of a zone section is not an actor
            if node_is_heading and ln.node is not None and ln.node.start == ln.start and \
                    ln.node.title and (bare_title := _bare(ln.node.title)) and any(w in bare_title for w in self.v.zones_assign) \
                    and not req and not giao:
                continue
            owner = self._owner(ln)
            if owner is not None and owner.line != ln.index and \
                    _same_actor(t[a[0]:a[1]], t[owner.actor[0]:owner.actor[1]]):
                continue     # a bullet or sub-item repeating its item's actor is part of that item
            scope = self._scope_of(ln, a[1]) if node_is_heading else self._bullet_scope(ln, a[1])
            e = self.add(_Entry(actor=a, kind=kind, section=ln.path, span=(ln.start, ln.end), scope=scope,
                                request=req and self._outside(a), giao=giao, line=ln.index))
            self.used_lines.add(ln.index)
            if req:
                self._request_followers(e, ln)

    def candidates(self) -> list["Candidate"]:
        """Every place an actor phrase opens a line, a sentence or a clause (the rules' and
        the line model's choices are made among these), with the entry it would make.
        ``rule_role`` is the role the rules gave it, or None where they passed it over."""
        lt = self.sc.low
        t = self.text
        by_start = {e.actor[0]: e for e in self.entries if e.kind in ("heading", "sentence")}
        out: list[Candidate] = []
        seen: set[int] = set()
        for ln in self.lines:
            if ln.index in self.block_lines or self._is_partner_bullet(ln):
                continue
            starts = [(ln.body, "body")] + [(p, k) for p, k in self._sentence_starts(ln) if p != ln.body]
            spans: list[tuple[int, int]] = []
            for s, how in starts:
                if any(a0 < s < a1 for a0, a1 in spans):
                    continue
                cue = None
                b = s
                m = self.v.de_nghi.match(lt, b)
                if m:
                    cue, b = "de_nghi", m.end()
                else:
                    m = self.v.giao.match(lt, b)
                    if m:
                        cue, b = "giao", m.end()
                    else:
                        m = self.v.yeu_cau.match(lt, b)
                        if m:
                            cue, b = "yeu_cau", m.end()
                if how == "directed":
                    cue = "chi_dao"
                a = self.sc.scan(b, ln.end)
                if not a or a[1] - a[0] < 3:
                    continue
                if how == "body" and ln.kind != "plain":
                    a2 = self._to_colon(a, ln)
                    if a2 == a:
                        a2 = self._title_actor(a, ln)
                    a = a2 if a2 != a else self.sc.extend(a, ln.end)
                elif how != "directed":
                    a = self.sc.extend(a, ln.end)
                if a[0] in seen:
                    continue
                seen.add(a[0])
                spans.append(a)
                rule = by_start.get(a[0])
                if rule is not None:
                    entry = _Entry(actor=rule.actor, kind=rule.kind, section=rule.section, span=rule.span,
                                   scope=list(rule.scope), request=rule.request, giao=rule.giao, line=rule.line,
                                   parent=rule.parent, directed=rule.directed, deadline_spans=rule.deadline_spans)
                else:
                    heading = how == "body" and ln.kind == "label" and ln.zone == "assign"
                    if heading:
                        scope = self._scope_of(ln, a[1])
                    elif how == "body" and ln.kind == "bullet":
                        scope = self._bullet_scope(ln, a[1])
                    else:
                        scope = [(a[1], ln.end)]
                    entry = _Entry(actor=a, kind="heading" if heading else "sentence", section=ln.path or "preamble",
                                   span=(s if how != "body" else ln.start, ln.end), scope=scope,
                                   request=cue == "de_nghi" and self._outside(a), giao=cue == "giao",
                                   line=ln.index, directed=how == "directed",
                                   deadline_spans=self.task_text_lines.get(ln.index))
                rule_role = None
                if rule is not None:
                    rule_role = rule.role or ("lead" if rule.giao else _role_of(t, lt, rule.scope))
                out.append(Candidate(line=ln, start=s, how=how, cue=cue, actor=a, entry=entry, rule_role=rule_role))
        return out

    def _is_partner_bullet(self, ln: _Line) -> bool:
        """A dashed line under 'Chủ trì, phối hợp' (with nothing after it) names a partner."""
        if ln.kind != "bullet":
            return False
        if self._partner_bullets is None:
            self._partner_bullets = self._find_partner_bullets()
        return ln.index in self._partner_bullets

    def _find_partner_bullets(self) -> set[int]:
        """The bullet lines whose nearest line before them that is no bullet ends with
        'chủ trì, phối hợp': that line is read once for the run of bullets under it."""
        out: set[int] = set()
        under_partners = False      # (bullets before any other line have no such line)
        for x in self.lines:
            if x.kind != "bullet":
                under_partners = bool(_PARTNERS_HEAD.search(self.sc.low, x.start, x.end))
            elif under_partners:
                out.add(x.index)
        return out

    def _title_actor(self, a, ln: _Line):
        """A label line that is only a title ('7. Các doanh nghiệp hoạt động trong lĩnh vực
        ... trên địa bàn Tỉnh') names its actor whole when no predicate follows the head."""
        if ln.kind != "label" or ln.node is None or ln.node.start != ln.start or not ln.node.title:
            return a
        if self.sc.predicate_at(a[1], ln.end) or self.v.strong_stops.search(self.sc.low, a[1], ln.end):
            return a
        e = ln.end
        while e > a[1] and self.text[e - 1] in " :.;,":
            e -= 1
        return (a[0], e)

    def _to_colon(self, a, ln: _Line):
        """'Các cơ quan thông tin, truyền thông của tỉnh: ...': in a heading 'X: task' the
        actor runs to the colon, unless a predicate or a parenthesis comes first."""
        t = self.text
        colon = t.find(":", a[1], min(ln.end, a[1] + 200))
        if colon < 0:
            return a
        between = t[a[1]:colon]
        if not between.strip() or between.lstrip().startswith("("):
            return a
        if self.sc.predicate_at(a[1], colon) or self.v.strong_stops.search(self.sc.low, a[1], colon):
            return a
        if re.search(r"[.;]", between):
            return a
        e = colon
        while e > a[0] and t[e - 1] in " ,":
            e -= 1
        return (a[0], e)

    def _scope_of(self, ln: _Line, after: int) -> list[tuple[int, int]]:
        """Text of the item headed by ``ln``: to the end of its section."""
        end = ln.node.end if ln.node is not None and ln.node.start == ln.start else ln.end
        end = min(end, self.scope_end)
        return [(after, max(end, ln.end))]

    def _bullet_scope(self, ln: _Line, after: int) -> list[tuple[int, int]]:
        """A bullet's text and the lines under it up to the next bullet or label."""
        end = ln.end
        for x in self.lines[ln.index + 1:]:
            if x.kind != "plain" or x.start >= self.scope_end:
                break
            end = x.end
        return [(after, end)]

    def _request_followers(self, e: _Entry, ln: _Line) -> None:
        """'Đề nghị X ...; Mỗi đoàn viên, hội viên phải ...': a second actor under the same
        request is requested too (handled as a sentence entry flagged later)."""
        self._requested_lines = getattr(self, "_requested_lines", set())
        self._requested_lines.add(ln.index)

    # - sentences -

    def sentences(self) -> None:
        """Sentence assignments: in content sections, and subjects inside assigning items
        that differ from the item's actor."""
        lt = self.sc.low
        t = self.text
        heading_at: dict[int, _Entry] = {}
        for e in self.entries:
            if e.kind in ("heading", "sentence"):
                heading_at[e.line] = e
        # the loop adds sentence entries of the line it is on only: the headings and the
        # actors already read on each line can be listed once
        headings = [e for e in self.entries if e.kind == "heading"]
        actors_on: dict[int, list] = {}
        for e in self.entries:
            actors_on.setdefault(e.line, []).append(e.actor)
        for ln in self.lines:
            if ln.zone == "skip" or ln.index in self.block_lines or self._is_partner_bullet(ln):
                continue
            if ln.index in self.used_lines and ln.index not in heading_at:
                # lines of per-task blocks: subjects of their own there ("MTTQ phối hợp ...")
                pass
            if not ln.path and not self._may_hold_cue(ln):
                continue     # before the first section only a cue assigns (see below): none here
            # the item holding the line: read only where a clause needs it (most clauses of
            # a line name no actor and are left before)
            owner, owner_read = None, False
            taken = list(actors_on.get(ln.index, ()))
            for s, kind in self._sentence_starts(ln):
                if ln.index in heading_at and s <= heading_at[ln.index].actor[0]:
                    continue
                if taken and any(a0 < s < a1 for a0, a1 in taken):
                    continue     # inside an actor phrase already read ('người đứng đầu cấp ủy; thủ trưởng ...')
                if kind == "adverbial" and not owner_read:
                    owner, owner_read = self._owner(ln, headings), True
                if kind == "adverbial" and owner is not None:
                    continue     # inside an item with its actor: 'Căn cứ ..., Bộ, ngành và tỉnh, ...' is no subject
                req, giao, after = self._cue(s)
                if after is None and (kind == "inner" or not ln.path):
                    continue     # before the first section only an explicit cue assigns
                b = after if after is not None else s
                # "Căn cứ ..., X ..." / "Trong phạm vi ..., X ..."
                a = self.sc.scan(b, ln.end)
                if not a:
                    continue
                if kind == "directed":
                    a = self._directed(a, ln.end)
                    if not a:
                        continue
                else:
                    a = self.sc.extend(a, ln.end)
                    # ('yêu cầu' is looked for only where it decides)
                    if not (self.sc.predicate_at(a[1], ln.end)
                            or (giao or self.v.yeu_cau.match(lt, s)) and self._verbish(a[1], ln.end)):
                        continue
                mcol = re.match(r"([^.;]{0,40}):", t[a[1]:ln.end])
                if ln.zone == "content" and mcol and not re.search(r"(?:sau|gồm|gồm có|sau đây|thông qua|như)\s*$",
                                                                 mcol.group(1)):
                    continue     # 'Đoàn Kiểm tra giám sát bầu cử của tỉnh: 01 cá nhân' lists, not tasks
                if ";" in t[a[0]:a[1]] and not (req or giao):
                    continue     # 'Tập thể: các cơ quan ...; các Sở, ban, ngành ...; UBND ...': a list of bodies
                if a[1] - a[0] < 3:
                    continue
                if not owner_read:
                    owner, owner_read = self._owner(ln, headings), True
                if owner is not None and _same_actor(t[a[0]:a[1]], t[owner.actor[0]:owner.actor[1]]):
                    continue
                if ln.index in self.used_lines and ln.index not in heading_at and owner is None \
                        and not self._block_subject_ok(ln, a):
                    continue
                if self._is_past(a[1], ln.end):
                    continue
                end = self._sentence_end(ln, a[1])
                taken.append(a)
                e = self.add(_Entry(actor=a, kind="sentence", section=ln.path or "preamble", span=(s, end),
                                    scope=[(a[1], end)], request=req and self._outside(a), giao=giao,
                                    line=ln.index, parent=owner, directed=kind == "directed"))
                if ln.index in self.task_text_lines:
                    e.deadline_spans = self.task_text_lines[ln.index]
                if not req and getattr(self, "_requested_lines", None) and ln.index in self._requested_lines:
                    e.request = self._outside(a) or True
                if ln.zone != "assign" and not ln.path:
                    e.section = "preamble"

    def _directed(self, a, limit: int):
        """'chỉ đạo X chủ trì / (tiếp tục) phối hợp / khẩn trương ...': X is listed only when
        its own predicate opens with such a cue (after an optional 'theo chức năng ...')."""
        lt = self.sc.low
        p = a[1]
        m = re.match(r"\s+theo\s+chức\s+năng,?\s+nhiệm\s+vụ(?:\s+được\s+giao)?", lt[p:limit])
        q = p + (m.end() if m else 0)
        if re.match(r"\s*(?:tiếp\s+tục\s+)?(?:chủ\s+trì|phối\s+hợp|khẩn\s+trương)(?![\w])", lt[q:limit]):
            if m:
                return a
            return a
        return None

    def _block_subject_ok(self, ln: _Line, a) -> bool:
        """Inside a per-task block's task text, a subject counts only when it names a body of
        its own: not the block's actor again, not a generic 'các cơ quan, đơn vị, địa phương'
        that restates it."""
        actor = self.text[a[0]:a[1]]
        generic = set(load_json("responsibility_verbs.json")["actor_heads"]["generic"]["words"])
        if set(match_key(actor).replace(",", " ").split()) <= generic:
            return False
        for e in self.entries:
            if e.kind == "taskline" and e.line > ln.index and e.line - ln.index < 12:
                if actor_key(actor) == actor_key(self.text[e.actor[0]:e.actor[1]]):
                    return False
        return True

    def _verbish(self, i: int, limit: int) -> bool:
        while i < limit and self.text[i] in " \t,:":
            i += 1
        return i < limit and self.text[i].isalpha()

    def _is_past(self, i: int, limit: int) -> bool:
        """'Ngành Thuế đã tập trung ...': a report of past work, not an assignment."""
        rest = self.sc.low[i:min(limit, i + 30)].lstrip()
        return rest.startswith(("đã ", "vừa ", "đang "))

    def _owner(self, ln: _Line, headings: list[_Entry] | None = None) -> _Entry | None:
        """The heading entry whose item holds this line (``headings``: the heading entries,
        where the caller has them listed)."""
        best = None
        for e in self.entries if headings is None else headings:
            if e.kind != "heading":
                continue
            for s, t in e.scope:
                if s <= ln.start < t or (e.line == ln.index):
                    if best is None or e.span[0] >= best.span[0]:
                        best = e
        return best

    def _may_hold_cue(self, ln: _Line) -> bool:
        """False where no cue ("Đề nghị", "Giao", "Yêu cầu") can open a clause of the line:
        the first word of each cue is printed whole in its match, and a word starting in a
        line ends in it."""
        words = _cue_first_words()
        return words is None or any(self.sc.low.find(w, ln.body, ln.end) >= 0 for w in words)

    def _cue(self, at: int) -> tuple[bool, bool, int | None]:
        """The cue a clause opens with at ``at``: "Đề nghị X" (a request), "Giao X" or
        "Yêu cầu X" (an assignment). Returns (request?, "giao"?, where the actor then
        begins), the last None where no cue opens there."""
        lt = self.sc.low
        initials = _cue_initials()
        if initials is not None and lt[at:at + 1] not in initials:
            return False, False, None       # (most clauses: no cue word can begin there)
        m = self.v.de_nghi.match(lt, at)
        if m:
            return True, False, m.end()
        g = self.v.giao.match(lt, at)
        m = g or self.v.yeu_cau.match(lt, at)
        if m:
            return False, bool(g), m.end()
        return False, False, None

    def _sentence_starts(self, ln: _Line):
        """Positions where a sentence or clause opens in a line: the line body, after '. ',
        after '; ', and after an opening adverbial ('Căn cứ ..., ')."""
        t = self.text
        lt = self.sc.low
        body = ln.body
        # the ends of _CLAUSE_OPENS over t[body:ln.end], read in place: the pattern looks
        # behind only at the mark it has read, so pos and endpos read as that slice does
        opens = [m.end() for m in _CLAUSE_OPENS_AT_MARK.finditer(t, body, ln.end)]
        out = [(body, "start")]
        out += [(p, "start") for p in opens]
        more = []
        # 'chỉ đạo X chủ trì ...': a body directed to take a task of its own
        low_line = lt[body:ln.end]
        if "chỉ" in low_line:           # (the patterns below are tried only where their word is)
            for m in _DIRECTED.finditer(low_line):
                more.append((body + m.end(), "directed"))
        adverbial = _ADVERBIAL_OPENING.match
        for p in (body, *opens):
            # an opening adverbial clause ends at its first comma (endpos p + 20 reads as the
            # slice lt[p:p + 20] did: the pattern has no look-behind)
            if adverbial(lt, p, p + 20):
                c = t.find(", ", p, min(ln.end, p + 400))
                while c > 0:
                    nxt = c + 2
                    # a verb of its own in the opening clause ('Căn cứ ..., phối hợp với các cơ
                    # quan, đơn vị ...') makes what follows an object, not a subject; so does a
                    # cue word ('..., đề nghị các sở, ban, ngành ...'), handled on its own
                    if self.v.strong_stops.search(lt, p, c) or _CUE_WORD.search(lt[p:c + 2]):
                        break
                    if self.sc.head_at(nxt) is not None:
                        more.append((self._proper_subject(nxt, ln.end), "adverbial"))
                        break
                    c = t.find(", ", nxt, min(ln.end, p + 400))
        # 'giao', 'yêu cầu', 'đề nghị' inside a sentence
        cues = (_CUE_INSIDE.finditer(low_line)
                if "giao" in low_line or "yêu cầu" in low_line or "đề nghị" in low_line else ())
        taken = None
        for m in cues:
            p = body + m.start()
            if taken is None:
                taken = {x for x, _ in out + more}
            if p not in taken:
                prev = lt[max(body, p - 12):p]
                if _NOT_A_CUE_AFTER.search(prev):
                    continue
                more.append((p, "inner"))
                taken.add(p)
        if not more:
            # the clause openings alone are in order already, each once
            return [x for x in out if x[0] < ln.end]
        seen = set()
        res = []
        for p, k in sorted(out + more):
            if p not in seen and p < ln.end:
                seen.add(p)
                res.append((p, k))
        return res

    def _proper_subject(self, p: int, limit: int) -> int:
        """'Căn cứ ... tại cơ quan, đơn vị, Đảng ủy Sở, các chi bộ trực thuộc tổ chức ...': a
        list opening with a common noun that runs on into named bodies is the tail of the
        opening phrase; the subject starts at the first named body."""
        if self.text[p].isupper():
            return p
        a = self.sc.scan(p, limit)
        if not a:
            return p
        for m in re.finditer(r",\s+", self.text[a[0]:a[1]]):
            q = a[0] + m.end()
            if self.text[q].isupper() and self.sc.head_at(q) is not None:
                return q
        return p

    def _sentence_end(self, ln: _Line, after: int) -> int:
        return ln.end

    # - closing paragraphs -

    def _closing_line(self) -> int | None:
        """Index of the first line of the closing paragraphs: after the last labelled item,
        an unlabelled line opening with 'Trên đây', 'Trong quá trình ...', 'Đề nghị ...' or
        saying 'xin thông báo'."""
        last_label = max((x.index for x in self.lines if x.kind == "label"), default=-1)
        if last_label < 0:
            return None
        for x in self.lines[last_label + 1:]:
            if x.kind != "plain":
                continue
            if self.v.closing_openers.match(self.sc.low, x.start) or \
                    re.search(r"xin\s+thông\s+báo", self.sc.low[x.start:x.end]):
                return x.index
            prev = self.lines[x.index - 1]
            # after bullets, or after an item that printed its own text on its label line,
            # an unlabelled paragraph is no longer the item's
            low = self.sc.low[x.start:x.end]
            if prev.kind == "bullet" or (prev.kind == "label" and self._label_has_text(prev)
                                         and re.search(r"báo\s+cáo|phản\s+ánh", low)
                                         and re.search(r"vướng\s+mắc|khó\s+khăn|kế\s+hoạch\s+này", low)
                                         and not low.startswith("đồng thời")):
                return x.index
        return None

    def _label_has_text(self, ln: _Line) -> bool:
        return not (ln.node is not None and ln.node.title and ln.node.start == ln.start)

    def closing(self) -> None:
        """The unnumbered paragraphs after the last item ('Trong quá trình thực hiện, nếu có
        khó khăn, vướng mắc, các cơ quan ... báo cáo về X'): their sentence assignments are
        labelled 'closing'; a reporting sentence with no subject of its own takes the actor
        of the closing sentence before it."""
        first = self.closing_line
        if first is None:
            return
        for x in self.lines[first:]:
            if x.kind != "plain":
                continue
            mine = [e for e in self.entries if e.line == x.index and e.kind in ("sentence", "closing")]
            for e in mine:
                e.section = "closing"
                e.kind = "closing"
            if mine:
                continue
            low = self.sc.low[x.start:x.end]
            if not re.search(r"báo\s+cáo|phản\s+ánh|gửi", low) or not re.search(r"vướng\s+mắc|khó\s+khăn|đề\s+nghị", low):
                continue
            prev = [e for e in self.entries if e.kind == "closing"] or \
                   [e for e in self.entries if e.line == x.index - 1 and e.kind == "sentence"]
            if not prev:
                continue
            self.add(_Entry(actor=prev[-1].actor, kind="closing", section="closing", span=(x.start, x.end),
                            scope=[(x.start, x.end)], line=x.index))

    # - the execution clause -

    def execution(self) -> None:
        """The clause that closes a decision, a resolution or a directive: "Chánh Văn phòng
        UBND tỉnh; Giám đốc Sở Nội vụ, Chủ tịch UBND các xã và các tổ chức, cá nhân có liên
        quan chịu trách nhiệm thi hành Quyết định này." Each body or office of the list is
        an actor of its own (``execute``), cut where ";" or ", " / " và " is followed by an
        actor head ("Giám đốc", "Chủ tịch", "UBND", "các ..."): commas inside a name ("Cục
        Quản lý, giám sát kế toán", "tỉnh ủy, thành ủy", "các xã, phường") stay. What the
        sentence reader made of the list on that line (the whole list, or its last part)
        gives way."""
        low = self.sc.low
        for ln in self.lines:
            if ln.zone == "skip" or ln.start >= self.scope_end:
                continue
            m = _EXECUTION.search(low, ln.body, ln.end)
            if not m:
                continue
            start = ln.body
            cut = low.rfind(". ", start, m.start())       # a sentence before it on the line
            if cut >= 0:
                start = cut + 2
            parts = self._execution_actors(start, m.start())
            if not parts:
                continue
            self.entries = [e for e in self.entries
                            if not (e.line == ln.index and start <= e.actor[0] < m.start())]
            task = " ".join(self.text[m.start("task"):m.end()].split())
            for a0, a1 in parts:
                self.add(_Entry(actor=(a0, a1), kind="execution", section=ln.path, span=(a0, m.end()),
                                scope=[(m.start(), m.end())], role="execute", task=task, line=ln.index))

    def _execution_actors(self, start: int, end: int) -> list[tuple[int, int]]:
        """The actors of an execution clause's subject ``text[start:end]``, as spans: cut at
        ";", and at ", " or " và " before a capitalised head ("Giám đốc", "các Sở"); the
        closing "và các tổ chức, cá nhân có liên quan" stays with the actor before it. None
        when the subject does not open with an actor head."""
        text = self.text
        if self.sc.head_at(start) is None:
            return []
        cuts = [start]
        for sep in _EXECUTION_SEP.finditer(text, start, end):
            nxt = sep.end()
            if ";" in sep.group() or self._capital_head(nxt):
                cuts += [sep.start(), nxt]
        cuts.append(end)
        out = []
        for a, b in zip(cuts[::2], cuts[1::2]):
            while a < b and not text[a].isalnum():
                a += 1
            while b > a and not (text[b - 1].isalnum() or text[b - 1] == ")"):
                b -= 1
            if b - a >= 3:
                out.append((a, b))
        return out

    def _capital_head(self, i: int) -> bool:
        """An actor head at ``i`` whose first word after the determiners is capitalised
        ("Giám đốc Sở", "các Sở"), not a common noun ("đơn vị", "các cơ quan")."""
        return self.sc.head_at(i) is not None and self.text[self.sc.past_determiners(i)].isupper()

    # - tables -

    def tables(self, start: int, end: int, part) -> None:
        """Task tables: a header row of known column names, then rows. Tables printed as rows
        of cells joined by ' | ' (Word files) are read as a stream of cells; tables flattened
        to one cell per line (Markdown pages) line by line."""
        text = self.text
        raw = _plain_lines(text, start, end)
        if any(" | " in t for _, _, t in raw):
            self._piped_tables(raw, (part.start, part.start))
        lines = _join_cell_lines(text, [x for x in raw if " | " not in x[2]])
        i = 0
        while i < len(lines):
            t = lines[i][2]
            if " | " not in t and not t.startswith("|") and self._cell_kind(t) is None:
                i += 1          # (_table_header's answer where no column name opens the line)
                continue
            header, hdr_end, piped = self._table_header(lines, i)
            if piped:
                i += 1
                continue
            if not header:
                i += 1
                continue
            rows = self._table_rows(lines, hdr_end, header, piped)
            title_span = (lines[max(0, i - 4)][0], lines[i][0]) if i > 0 else (part.start, part.start)
            self._table_entries(rows, header, title_span)
            i = hdr_end + max(1, sum(len(r["lines"]) for r in rows))

    def _cell_kind(self, cell: str) -> str | None:
        """The column a header cell names: equal to a known name, or opening with one
        ('Cơ quan chủ trì thực hiện'); 'other' for a short unknown header ('Văn bản giao
        nhiệm vụ'); None for what is no header cell."""
        if cell in self._cell_kinds:        # a header is tried again from each of its lines
            return self._cell_kinds[cell]
        kind = None if _names_no_column(cell) else self._column_of(_cell_head(cell))
        self._cell_kinds[cell] = kind
        return kind

    def _column_of(self, b: str) -> str | None:
        if not b:
            return None
        for k in ("number", "lead", "coordinate", "deadline", "task", "product", "other"):
            if b in self.v.col[k]:
                return k
        openings = _column_openings()
        for k in ("lead", "coordinate", "deadline", "task", "product", "other"):
            if b.startswith(openings[k]):
                return k
        return None

    def _piped_tables(self, raw, title_span) -> None:
        """Rows of cells joined by ' | '. The cells of consecutive lines form one stream, so
        a row the normaliser joined to the next ('... | Quý III Năm 2026 2 | Khảo sát ...')
        is split again where a row number ends a cell. Lines without a pipe between rows
        ('I. NÂNG CAO NHẬN THỨC') name the group of the rows after them."""
        text = self.text
        stream: list = []          # (start, end) cells, or ("group", label)
        for a, b, t in raw:
            if " | " not in t:
                g = re.match(r"^([IVXLC]+|[A-Z])[.\-)]\s+\S", t)
                if g and stream:
                    stream.append(("group", g.group(1)))
                elif stream:
                    stream.append(("break", None))
                continue
            pos = a
            for piece in t.split("|"):
                cs, ce = pos, pos + len(piece)
                pos = ce + 1
                while cs < ce and text[cs] == " ":
                    cs += 1
                while ce > cs and text[ce - 1] == " ":
                    ce -= 1
                stream.append((cs, ce))
        i = 0
        while i < len(stream):
            # a header: consecutive cells of known column names
            ks: list[str] = []
            j = i
            while j < len(stream) and stream[j][0] not in ("group", "break"):
                k = self._cell_kind(text[stream[j][0]:stream[j][1]])
                if k is None:
                    m = re.match(r"^(.*\S)\s+(1)\.?$", text[stream[j][0]:stream[j][1]])
                    if m and ks and self._cell_kind(m.group(1)):      # 'Thời gian thực hiện 1'
                        cs = stream[j][0]
                        stream[j:j + 1] = [(cs, cs + len(m.group(1))), (stream[j][1] - len(m.group(2)) -
                                                                       (1 if text[stream[j][1] - 1] == "." else 0),
                                                                       stream[j][1])]
                        ks.append(self._cell_kind(m.group(1)))
                        j += 1
                    break
                ks.append(k)
                j += 1
            if not ("lead" in ks and "task" in ks):
                i = max(j, i + 1)
                continue
            rows = []
            group = None
            expect = 1
            n = len(ks)
            k0 = j
            while k0 < len(stream):
                if stream[k0][0] == "group":
                    group = stream[k0][1]
                    k0 += 1
                    continue
                if stream[k0][0] == "break":
                    k0 += 1
                    continue
                if ks[0] == "number" and not re.fullmatch(r"\d{1,3}\.?", text[stream[k0][0]:stream[k0][1]]):
                    k0 += 1          # out of step: go on to the next row number
                    continue
                cells = []
                while len(cells) < n and k0 < len(stream) and stream[k0][0] not in ("group", "break"):
                    cells.append(stream[k0])
                    k0 += 1
                if not cells:
                    break
                first = cells[0]
                if re.fullmatch(r"\d{1,3}\.?", text[first[0]:first[1]]):
                    expect = int(text[first[0]:first[1]].rstrip("."))
                # the last cell may carry the next row's number: '... Năm 2026 2'
                last = cells[-1]
                m = re.match(r"^(.*\S)\s+(\d{1,3})\.?$", text[last[0]:last[1]])
                if m and int(m.group(2)) == expect + 1 and len(cells) == n:
                    cut = last[0] + len(m.group(1))
                    num_start = last[0] + m.start(2)
                    cells[-1] = (last[0], cut)
                    stream.insert(k0, (num_start, last[1]))
                row = dict(zip(ks, cells))
                num = row.get("number")
                rows.append({"group": group, "num": num, "cells": cells, "lines": [(cells[0][0], cells[-1][1])],
                             "piped": True})
            self._table_entries(rows, ks, title_span)
            i = k0

    def _table_header(self, lines, i):
        """(columns, index after the header, piped?) of a header starting at line i."""
        kind = self._cell_kind
        a, b, t = lines[i]
        if " | " in t or t.startswith("|"):
            cells = [c.strip() for c in t.strip().strip("|").split("|")]
            ks = [kind(c) for c in cells]
            if ks.count(None) <= len(ks) // 2 and ("lead" in ks) and ("task" in ks):
                return ks, i + 1, True
            return None, i, False
        ks = []
        j = i
        while j < len(lines) and len(ks) < 8:
            k = kind(lines[j][2])
            if k is None:
                break
            ks.append(k)
            j += 1
        if "lead" in ks and "task" in ks and len(ks) >= 2:
            return ks, j, False
        return None, i, False

    def _table_rows(self, lines, i, header, piped):
        """Rows: from a number cell to the next. Group lines ('I. KINH TẾ SỐ') are kept."""
        rows = []
        n = len(header)
        num_col = header[0] == "number"
        group = None
        cur = None
        j = i
        while j < len(lines):
            a, b, t = lines[j]
            if piped:
                if " | " not in t and not t.startswith("|"):
                    if re.match(r"^(?:[IVXLC]+|[A-Z])[.\-)]\s", t):
                        group = re.match(r"^([IVXLC]+|[A-Z])", t).group(1)
                        j += 1
                        continue
                    break
                cells = []
                raw = t.split("|")
                off = a
                for c in raw:
                    cs = off
                    ce = off + len(c)
                    off = ce + 1
                    s2, e2 = cs, ce
                    while s2 < e2 and self.text[s2] == " ":
                        s2 += 1
                    while e2 > s2 and self.text[e2 - 1] == " ":
                        e2 -= 1
                    cells.append((s2, e2))
                if t.startswith("|"):
                    cells = cells[1:]
                if t.rstrip().endswith("|"):
                    cells = cells[:-1]
                if len(cells) == 1 and re.match(r"^(?:[IVXLC]+|[A-Z])[.\-)]\s", self.text[cells[0][0]:cells[0][1]]):
                    group = re.match(r"^([IVXLC]+|[A-Z])", self.text[cells[0][0]:cells[0][1]]).group(1)
                    j += 1
                    continue
                rows.append({"group": group, "cells": cells[:n], "lines": [(a, b)], "piped": True})
                j += 1
                continue
            # flattened: a row opens with its number
            if num_col and re.fullmatch(r"\d{1,3}\.?", t):
                cur = {"group": group, "num": (a, b), "lines": [(a, b)], "cell_lines": [], "piped": False}
                rows.append(cur)
                j += 1
                continue
            if re.match(r"^(?:[IVXLC]+|[A-Z])[.\-)]\s+\S", t) and (cur is None or len(cur["cell_lines"]) >= n - 2):
                group = re.match(r"^([IVXLC]+|[A-Z])", t).group(1)
                cur = None
                j += 1
                continue
            if cur is None:
                if rows:
                    break
                j += 1
                if j - i > 3:
                    break
                continue
            if _APPENDIX_END.match(t):
                break
            cur["cell_lines"].append((a, b))
            cur["lines"].append((a, b))
            j += 1
        return rows

    def _table_entries(self, rows, header, title_span) -> None:
        text = self.text
        deadline_default = None if "deadline" in header else _title_deadline(text, *title_span)
        restart = _numbers_restart(rows, text)
        for r in rows:
            if r.get("piped"):
                cells = dict()
                for k, c in zip(header, r["cells"]):
                    if k and k not in cells:
                        cells[k] = c
                num = cells.get("number")
                num_s = text[num[0]:num[1]].strip(" .") if num else ""
            else:
                num_s = text[r["num"][0]:r["num"][1]].strip(" .")
                cells = self._assign_cells(r["cell_lines"], header[1:] if header[0] == "number" else header)
            if not num_s and not cells.get("lead"):
                continue
            section = "PL." + (f"{r['group']}." if restart and r["group"] else "") + num_s
            span = (r["lines"][0][0], r["lines"][-1][1])
            task_span = cells.get("task")
            task = _cut(" ".join(text[task_span[0]:task_span[1]].split())) if task_span else None
            dl = cells.get("deadline")
            dls = [dl] if dl and dl[1] > dl[0] else ([deadline_default] if deadline_default else [])
            for role, k in (("lead", "lead"), ("coordinate", "coordinate")):
                c = cells.get(k)
                if not c or c[1] <= c[0]:
                    continue
                ctext = text[c[0]:c[1]]
                if self.sc.head_at(c[0]) is None and (_looks_time(ctext) or not ctext[:1].isupper()
                                                      or len(ctext) > 200):
                    log.info("table row %s: %r is no actor; cells out of step", section, ctext[:60])
                    continue
                for a, rl, extra_dl in self._cell_actors(c, role):
                    self.add(_Entry(actor=a, kind="table", section=section, span=span, scope=[a],
                                    role=rl, deadline_spans=extra_dl or dls, task=task))

    def _cell_actors(self, c, role):
        """A cell is one actor phrase as printed; 'X chủ trì ...; Y thực hiện ...' names two."""
        text = self.text
        s, e = c
        while e > s and text[e - 1] in ".;, ":
            e -= 1
        out = []
        # 'Sở KH&CN chủ trì hướng dẫn, tổng hợp; Các sở, ngành, UBND cấp xã thực hiện ...'
        parts = []
        p0 = s
        for m in re.finditer(r";\s*", text[s:e]):
            parts.append((p0, s + m.start()))
            p0 = s + m.end()
        parts.append((p0, e))
        verbs = [bool(re.search(r"\s(?:chủ trì|thực hiện|thúc đẩy|theo dõi|phối hợp|hướng dẫn)\b", self.sc.low[a:b]))
                 for a, b in parts]
        if len(parts) > 1 and any(verbs):
            # clauses with their own verb split the cell; a clause without one joins the next
            # clauses with a verb of their own each name an actor ('Sở KH&CN chủ trì ...; Các
            # sở ... thực hiện ...'); verbless ones before them together name another
            pend = None
            pend_end = None
            for (a, b), has in zip(parts, verbs):
                if not has:
                    if pend is None:
                        pend = a
                    pend_end = b
                    continue
                if pend is not None:
                    out.append(((pend, pend_end), role, None))
                    pend = None
                sc = self.sc.scan(a, b)
                if not sc:
                    continue
                actor_end = sc[1]
                rest = self.sc.low[actor_end:b]
                rl = role
                if re.match(r"\s*thực hiện", rest):
                    rl = "execute"
                dl = _recurrence_in(self.text, actor_end, b)
                out.append(((a, actor_end), rl, dl))
            if pend is not None:
                out.append(((pend, pend_end), role, None))
            return out
        sc = self.sc.scan(s, e)
        if sc and re.match(r"\s+(?:chủ trì|thúc đẩy|theo dõi|thực hiện|phối hợp)\b", self.sc.low[sc[1]:e]):
            return [((s, sc[1]), role, None)]
        return [((s, e), role, None)]

    def _assign_cells(self, cell_lines, header):
        """Flattened cells (one per line, a long cell over several lines) to columns."""
        text = self.text
        vals = list(cell_lines)
        out: dict = {}
        if not vals:
            return out
        # the columns after the task are short (an actor, a time); the task may wrap
        kinds = list(header)
        if "task" in kinds:
            ti = kinds.index("task")
            after = kinds[ti + 1:]
            before = kinds[:ti]
            k_after = len(after)
            if len(vals) >= len(before) + 1 + k_after:
                tail = vals[len(vals) - k_after:] if k_after else []
                head = vals[:len(before)]
                mid = vals[len(before):len(vals) - k_after] if k_after else vals[len(before):]
                for k, c in zip(before, head):
                    out[k] = c
                out["task"] = (mid[0][0], mid[-1][1])
                for k, c in zip(after, tail):
                    out.setdefault(k, c)
            else:
                # fewer lines than columns: some cells are empty; place them by what they look like
                head = vals[:len(before)]
                for k, c in zip(before, head):
                    out[k] = c
                rest = vals[len(before):]
                if rest:
                    out["task"] = rest[0]
                    rest = rest[1:]
                slots = [k for k in after]
                for c in rest:
                    t = text[c[0]:c[1]]
                    if _looks_time(t) and "deadline" in slots:
                        out["deadline"] = c
                        slots = slots[slots.index("deadline") + 1:]
                        continue
                    for k in slots:
                        if k in ("lead", "coordinate"):
                            out[k] = c
                            slots = slots[slots.index(k) + 1:]
                            break
        return out

    # - partners of 'chủ trì, phối hợp với Y' -

    def partners(self) -> None:
        t = self.text
        lt = self.sc.low
        extra = []
        pat = re.compile(r"chủ\s+trì\s*,?\s*(?:và\s+)?phối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+(?:với|cùng))?[ \t]*")
        for e in list(self.entries):
            if e.kind in ("table", "partner") or (e.kind == "taskline" and e.role == "coordinate"):
                continue
            seen = set()
            for s, end in e.scope:
                for m in pat.finditer(lt, s, end):
                    # only a 'chủ trì' of this entry's actor (not 'do Bộ X chủ trì')
                    before = lt[max(s, m.start() - 15):m.start()]
                    if re.search(r"(?:được giao|do|\bcác)\s*$", before):
                        continue
                    # a partner owned by a sub-entry belongs to that entry
                    if any(o is not e and o.kind in ("heading", "sentence", "taskline") and
                           o.actor[0] > e.actor[0] and o.span[0] <= m.start() < o.scope[-1][1] and o.actor[1] <= m.start()
                           for o in self.entries):
                        continue
                    line_end = t.find("\n", m.end())
                    line_end = len(t) if line_end < 0 else line_end
                    line_end = min(line_end, end)
                    a = self.sc.scan(m.end(), line_end)
                    found = []
                    if a:
                        found.append(a)
                    elif not t[m.end():line_end].strip(" :"):
                        # 'Chủ trì, phối hợp' and the partners on the following dashed lines
                        for ln in self.lines:
                            if ln.start <= line_end:
                                continue
                            if ln.kind != "bullet" or ln.start >= end:
                                break
                            b = self.sc.scan(ln.body, ln.end)
                            if not b:
                                break
                            found.append(b)
                    for a in found:
                        key = actor_key(t[a[0]:a[1]])
                        sec = self._path_at(a[0]) or e.section
                        if (key, sec) in seen:
                            continue
                        seen.add((key, sec))
                        if e.kind == "taskline" and e.parent is None:
                            sec = e.section
                        clause_end = min(end, _line_end(t, a[1]))
                        stop = re.search(r"[;.](?:\s|$)", t[a[1]:clause_end])
                        if stop:
                            clause_end = a[1] + stop.start()
                        dls = e.deadline_spans if e.deadline_spans is not None else \
                            _deadlines(t, [(m.start(), clause_end)], recurrences=False)
                        x = _Entry(actor=a, kind="partner", section=sec if e.kind != "taskline" else e.section,
                                   span=(m.start(), a[1]), scope=[(a[1], clause_end)], role="coordinate",
                                   deadline_spans=dls, task=e.task, line=e.line, parent=e)
                        extra.append(x)
        self.entries.extend(extra)

    def _path_at(self, pos: int) -> str:
        best = ""
        for s, e, p, n, z in self.paths:
            if s <= pos < max(e, s + 1):
                best = p
        return best

    # - per-entry fields -

    def _outside(self, a) -> bool:
        return _outside_authority(self.text[a[0]:a[1]], self.issuer_kind)

    def _role(self, scope) -> str:
        return _role_of(self.text, self.sc.low, scope)


# "... chịu trách nhiệm thi hành Quyết định này" (on the lowered, tone-folded text)
_EXECUTION = re.compile(r"(?:có|chịu)\s+trách\s+nhiệm\s+(?P<task>thi\s+hành\s+(?:quyết\s+định|nghị\s+quyết|chỉ\s+thị|"
                        r"quy\s+định|quy\s+chế|thông\s+tư|nghị\s+định|văn\s+bản|kế\s+hoạch)\s+này)")
_EXECUTION_SEP = re.compile(r"\s*;\s*|,\s+|\s+và\s+")

_BOILER = re.compile(r"^[\W_]*(?:(?:nghiêm\s+túc|khẩn\s+trương|chủ\s+động|tích\s+cực)\s+)?(?:(?:tổ\s+chức|triển\s+khai|thực\s+hiện)[\s,]*)+"
                     r"(?:có\s+hiệu\s+quả|nghiêm\s+túc|kế\s+hoạch(?:\s+này)?|[\s,])*[\s./]*$")


def _line_end(t: str, i: int) -> int:
    j = t.find("\n", i)
    return len(t) if j < 0 else j


_APPENDIX_END = re.compile(r"^(?:Nơi nhận|TM\.|KT\.|T/M|K/T|PHỤ LỤC|Phụ lục)\b")


def _plain_lines(text: str, start: int, end: int):
    """The lines of ``text[start:end]`` as (start, end, text)."""
    return [(a, b, t) for t, a, b, _ in iter_lines(text, start, end)]


def _join_cell_lines(text: str, lines):
    """A flattened cell printed over several lines ('... các doanh nghiệp viễn thông;' /
    'các cơ quan, đơn vị liên quan') is one cell: a line opening in lower case, or after a
    line ending with a comma or semicolon, continues the one before."""
    out = []
    for a, b, t in lines:
        if out and " | " not in t and " | " not in out[-1][2] and (
                t[0].islower() or out[-1][2].rstrip().endswith((",", ";"))) \
                and not re.fullmatch(r"\d{1,3}\.?", out[-1][2]):
            pa, pb, pt = out[-1]
            out[-1] = (pa, b, text[pa:b])
            continue
        out.append((a, b, t))
    return out


def _title_deadline(text: str, start: int, end: int):
    """'... ĐẾN NĂM 2030' in a table's title (the lines before its header): the deadline of
    every row of a table without a time column, as a span of the document text."""
    m = re.search(r"(?<![\w])(?:ĐẾN|đến|Đến)\s+(?:HẾT\s+|hết\s+)?(?:NĂM|năm)\s+\d{4}", text[start:end])
    if m:
        return (start + m.start(), start + m.end())
    return None


def _numbers_restart(rows, text: str) -> bool:
    """Do row numbers start again in each group (I.1, I.2, II.1 ...)? Then a row's section
    needs its group: PL.I.2; else the number alone is unique: PL.8."""
    prev_group, prev_num = object(), None
    for r in rows:
        num = r.get("num")
        if not num:
            continue
        try:
            n = int(text[num[0]:num[1]].strip(" ."))
        except ValueError:
            continue
        if prev_num is not None and r["group"] != prev_group and n <= prev_num:
            return True
        prev_group, prev_num = r["group"], n
    return False


def _looks_time(t: str) -> bool:
    b = _bare(t)
    return bool(re.search(r"\b(?:quy|qui|thang|nam|ngay|thuong xuyen|hang|hang nam|dinh ky|truoc|giai doan|tu|den)\b", b)
                or re.search(r"\d{4}", b)) and len(t) < 80


def _recurrence_in(text: str, s: int, e: int):
    m = re.search(r"(?:hằng|hàng)\s+(?:năm|quý|tháng|tuần)", text[s:e])
    if m:
        return [(s + m.start(), s + m.end())]
    return None


def _common_path(paths: list[str]) -> str:
    paths = [p for p in paths if p]
    if not paths:
        return ""
    parts = [p.split(".") for p in paths]
    out = []
    for xs in zip(*parts):
        if all(x == xs[0] for x in xs):
            out.append(xs[0])
        else:
            break
    return ".".join(out)


def _cut(s: str | None) -> str | None:
    if not s:
        return s
    s = " ".join(s.split())
    if len(s) <= TASK_MAX:
        return s
    cut = s.rfind(";", 0, TASK_MAX)
    if cut < TASK_MAX // 2:
        cut = s.rfind(",", 0, TASK_MAX)
    if cut < TASK_MAX // 2:
        cut = s.rfind(" ", 0, TASK_MAX)
    return s[:cut].rstrip(" ,;") + " …"


def _same_actor(a: str, b: str) -> bool:
    ka, kb = actor_key(a), actor_key(b)
    if not ka or not kb:
        return False
    return ka == kb or f" {ka} " in f" {kb} " or f" {kb} " in f" {ka} "


# -- roles ------------------------------------------------------------------------------------

# '[;.]\s+|\n|;$' with each alternative opening with its own character: re then finds the
# places to try with a scan for ';', '.' and line breaks instead of trying every character
_CLAUSE_SPLIT = re.compile(r";\s+|\.\s+|\n|;$")
_LEAD_IN = re.compile(r"^(?:[-+•*]\s*|[a-zđ]\)\s*|\(\w+\)\s*|\d+(?:\.\d+)*[.)]\s*)*")
_FUNCTIONS = re.compile(r"^(?:căn\s+cứ|theo|trong\s+phạm\s+vi|trên\s+cơ\s+sở)\s+(?:vào\s+)?(?:chức\s+năng,?\s+nhiệm\s+vụ"
                        r"(?:,?\s+quyền\s+hạn)?|lĩnh\s+vực\s+quản\s+lý)(?:\s+(?:của\s+(?:đơn\s+vị|mình|ngành|cơ\s+quan)"
                        r"(?:\s+mình)?|được\s+giao))?\s*,?\s*")
_ADVERBIAL = re.compile(r"^(?:căn\s+cứ|trên\s+cơ\s+sở|trong\s+phạm\s+vi|theo\s+chức\s+năng|trong\s+quá\s+trình)[^.;]{0,200}?,\s*")
_ADVERBS = re.compile(r"^(?:(?:tiếp\s+tục|chủ\s+động|thường\s+xuyên|tích\s+cực|khẩn\s+trương|kịp\s+thời|trực\s+tiếp)\s+)+")


def _clauses(text: str, low: str, scope):
    for s, e in scope:
        pos = s
        for m in _CLAUSE_SPLIT.finditer(low, s, e):
            yield pos, m.start()
            pos = m.end()
        if pos < e:
            yield pos, e


_OPENING_PHRASE = re.compile(r"(?:căn\s+cứ|trên\s+cơ\s+sở|trong\s+phạm\s+vi|trong\s+quá\s+trình|theo)\b")
_COMMA = re.compile(r",\s*")
_LEAD_OPENING = re.compile(r"(?:tiếp tục|chủ động|khẩn trương|là cơ quan[^,]{0,60},\s*)\s*chủ\s+trì")
_FOR_RECIPIENT = re.compile(r"(?<![\w])để\s[^.;]{0,30}$")
_CHU_TRI = re.compile(r"(?<![\w])chủ\s+trì(?![\w])")


def _clause_role(low: str, s: int, e: int) -> str:
    v = vocab()
    c = low[s:e]
    c = _LEAD_IN.sub("", c, count=1).lstrip(" :,")
    c2 = _FUNCTIONS.sub("", c, count=1)
    if _OPENING_PHRASE.match(c) and not (
            v.coord_head.match(_ADVERBS.sub("", c2)) or v.lead_head.match(_ADVERBS.sub("", c2))
            or v.predicates.match(_ADVERBS.sub("", c2))):
        # 'Căn cứ ..., <verb>': the opening phrase runs to the comma a verb follows
        for cm in _COMMA.finditer(c[:400]):
            rest = _ADVERBS.sub("", c[cm.end():])
            if v.coord_head.match(rest) or v.lead_head.match(rest) or v.predicates.match(rest):
                c2 = c[cm.end():]
                break
    c = _ADVERBS.sub("", c2.lstrip(" :,"))
    if v.coord_head.match(c):
        return "coordinate"
    if v.lead_head.match(c):
        return "lead"
    if _LEAD_OPENING.match(c):
        return "lead"
    for m in v.lead_any.finditer(c):
        before = c[max(0, m.start() - 16):m.start()]
        if any(before.rstrip().endswith(w) for w in v.lead_not_after):
            continue
        if _FOR_RECIPIENT.search(c[max(0, m.start() - 40):m.start()]):
            continue     # '... về Sở X để tổng hợp, tham mưu ...': the recipient's work, not the actor's
        return "lead"
    # (a clause without the word 'chủ' is not scanned for it)
    for m in (_CHU_TRI.finditer(c) if "chủ" in c else ()):
        before = c[max(0, m.start() - 16):m.start()]
        if any(before.rstrip().endswith(w) for w in v.lead_not_after):
            continue
        return "lead"
    return "execute"


def _role_of(text: str, low: str, scope) -> str:
    best = None
    for s, e in _clauses(text, low, scope):
        if not low[s:e].strip(" :,-+"):
            continue
        r = _clause_role(low, s, e)
        if best is None or _STRENGTH[r] > _STRENGTH[best]:
            best = r
    return best or "execute"


# -- deadlines and reporting ------------------------------------------------------------------

_MONTHS = r"(?:tháng\s+\d{1,2}(?:\s*[/\-.]\s*\d{4}|\s+năm\s+\d{4})?)"
_QUARTER = r"(?:(?:quý|quí)\s+(?:[IV]+|\d)(?:\s*[/\-]\s*\d{4}|\s+năm\s+\d{4})?)"
_DAY1 = r"(?:\d{1,2}\s*[/\-.]\s*\d{1,2}(?:\s*[/\-.]\s*\d{4})?|\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
_DAY = rf"(?:ngày\s+{_DAY1}(?:\s*(?:,|và)\s*{_DAY1})*|\d{{1,2}}/\d{{1,2}}(?:/\d{{4}})?(?:\s*(?:,|và)\s*{_DAY1})*)"
_YEAR = r"(?:năm\s+\d{4})"
_HOUR = r"(?:\d{1,2}\s*h\s*\d{0,2}\S?)"
_EVERY = r"(?:\s+(?:hằng|hàng)\s+(?:năm|quý|tháng|tuần|ngày))"
# explicit time phrases of an assignment: bounds, periods, months and quarters, reporting hours,
# start conditions ('khi Bộ Y tế có văn bản triển khai'); 'đến năm 2030' only where it opens a clause.
# The look-ahead holds the first characters of the alternatives below (keep it so when one is
# added): it changes no match, and most word beginnings fail there at once instead of each
# alternative being tried.
_DEADLINE = re.compile(
    rf"(?<![\w])(?=[đh(tckxqn\d])(?:"
    rf"(?:định\s+kỳ\s+)?(?:(?:hằng|hàng)\s+(?:năm|quý|tháng)\s*)?\(?(?:trước|chậm\s+nhất|không\s+quá)\s+(?:(?:là\s+)?{_DAY}|{_MONTHS}|{_QUARTER}|{_HOUR}(?:\s*và\s*{_HOUR})?){_EVERY}?\)?"
    rf"|\d{{1,2}}\s+lần\s*/\s*(?:ngày|tuần|tháng)(?:\s*\([^)]{{0,40}}\))?"
    rf"|(?:hoàn\s+thành|xong)\s+(?:trước|trong)\s+(?:{_DAY}|{_MONTHS}|{_QUARTER}|{_YEAR})"
    rf"|trong\s+(?:{_MONTHS}|{_QUARTER}|{_YEAR})"
    rf"|(?:từ|kể\s+từ)\s+(?:{_DAY}|{_MONTHS}|{_QUARTER})\s+(?:đến|tới)\s+(?:(?:hết\s+)?{_DAY}|{_MONTHS}|{_QUARTER}|{_YEAR})"
    rf"|(?:(?<=^)|(?<=[;:(]\s)|(?<=[;:(]))đến\s+(?:hết\s+)?{_YEAR}"
    rf"|{_QUARTER}"
    rf"|ngay\s+trong\s+năm\s+\d{{4}}"
    rf"|khi\s+(?:Bộ|Tổng\s+Liên\s+đoàn|Trung\s+ương|Chính\s+phủ|cấp\s+trên)[^,;.()]{{2,60}}?(?:có\s+văn\s+bản\s+triển\s+khai|triển\s+khai(?:\s+thực\s+hiện)?|có\s+hướng\s+dẫn)"
    rf")", re.I | re.M)
_RECUR = re.compile(r"(?<![\w])(?:định\s+kỳ(?:\s+(?:hằng|hàng)\s+(?:năm|quý|tháng))?|(?:hằng|hàng)\s+(?:năm|quý|tháng))(?![\w])", re.I)
_REPORTISH = re.compile(r"báo\s+cáo|tổng\s+hợp|đánh\s+giá\s+kết\s+quả|sơ\s+kết|tổng\s+kết", re.I)


def _deadlines(text: str, scope, recurrences: bool = True) -> list[tuple[int, int]]:
    """Time phrases of an assignment, clause by clause: the explicit ones; a recurrence
    ('định kỳ', 'hằng năm') only in a clause that reports and gives no explicit date."""
    low = _low(text)
    found: list[tuple[int, int]] = []
    for cs, ce in _clauses(text, low, scope):
        dated = []
        for m in _DEADLINE.finditer(text, cs, ce):
            a, b = m.start(), m.end()
            seg = text[a:b]
            if seg.startswith("(") and not seg.endswith(")"):
                a += 1
            if seg.endswith(")") and "(" not in seg:
                b -= 1
            if text[a:b].startswith("đến") and a > cs and text[cs:a].strip(" -+•(:"):
                continue     # 'Chương trình ... đến năm 2030': part of a name, not a deadline
            dated.append((a, b))
        if dated:
            found.extend(dated)
            continue
        if recurrences and _REPORTISH.search(text, cs, ce):
            for m in _RECUR.finditer(text, cs, ce):
                found.append((m.start(), m.end()))
                break
    found.sort()
    out: list[tuple[int, int]] = []
    for a, b in found:
        if out and a < out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
            continue
        out.append((a, b))
    return out


_REPORT = re.compile(r"(?<![\w])(?:báo\s+cáo|gửi|phản\s+ánh)(?:\s+(?:kết\s+quả|báo\s+cáo|tình\s+hình|văn\s+bản)[^.;()]{0,160}?)?"
                     r"\s+(?:về\s+|cho\s+|lên\s+)?", re.I)


# What a match of _REPORT holds in the lowered text: re.IGNORECASE takes no other character
# for any letter of these (unlike 'i', which 'ı' matches), and the lowered text has them in
# lower case only; so a part of the text without them is not scanned with the pattern.
_REPORT_WORDS = ("báo", "gử", "phả")


def _report_to(sc: _Scanner, scope) -> tuple[int, int] | None:
    text = sc.text
    for s, e in scope:
        if all(sc.low.find(w, s, e) < 0 for w in _REPORT_WORDS):
            continue
        for m in _REPORT.finditer(sc.low, s, e):
            before = sc.low[max(s, m.start() - 40):m.start()]
            if re.search(r"tham\s+mưu[^,.;]{0,30}$", before):
                continue     # 'tham mưu UBND ... báo cáo Quốc hội': the UBND reports
            p = m.end()
            a = sc.scan(p, e)
            if not a:
                # 'gửi báo cáo ... về X': the body after 'về'
                k = sc.low.find(" về ", m.start(), min(e, m.start() + 200))
                if k > 0:
                    a = sc.scan(k + 4, e)
                if not a:
                    continue
            end = a[1]
            # '(qua Y)'
            rest = text[end:end + 120]
            mq = re.match(r"\s*\(\s*qua\s+[^)]{2,100}\)", rest)
            if mq:
                end += mq.end()
            return a[0], end
    return None


# -- requests ---------------------------------------------------------------------------------

def _issuer_kind(doc: Document) -> str:
    h = doc.header
    b = _bare(" ".join(filter(None, [h.issuer, h.symbol, h.number_symbol, h.parent_organ])))
    if "mat tran" in b or "mttq" in b:
        return "front"
    if "uy ban nhan dan" in b or "ubnd" in b or doc.system == "state":
        return "state"
    if doc.system == "party":
        return "party"
    return "state"


def _outside_authority(actor: str, issuer_kind: str) -> bool:
    b = " " + _bare(actor) + " "
    pats = vocab().outside.get(issuer_kind, ())
    return any(p in b for p in pats)


# -- public -----------------------------------------------------------------------------------

def find_responsibilities(doc: Document, *, decide="auto") -> list[Responsibility]:
    """All responsibilities of ``doc``, in text order (see the module docstring).

    ``decide`` chooses which candidate clauses assign a task: ``"auto"`` (the line model
    where it is shipped, see :func:`vnplan_nlp.learn.active_decider`; the rules otherwise),
    ``None`` (the rules), or a function ``(extractor, candidate) -> role | None``."""
    if decide == "auto":
        from .learn import active_decider
        decide = active_decider()
    ex = _Extractor(doc)
    entries = ex.run(decide)
    text = doc.text
    out: list[Responsibility] = []
    seen = set()
    for e in sorted(entries, key=lambda x: (x.span[0], x.actor[0])):
        a0, a1 = e.actor
        actor = " ".join(text[a0:a1].split())
        if not actor:
            continue
        key = (a0, a1, e.section, e.role)
        if key in seen:
            continue
        seen.add(key)
        role = e.role
        if role is None:
            role = "lead" if e.giao else _role_of(text, ex.sc.low, e.scope)
        if e.deadline_spans is not None:
            dls = e.deadline_spans
        else:
            dls = _deadlines(text, e.scope)
        deadline = "; ".join(" ".join(text[a:b].split()) for a, b in dls) or None
        rt = _report_to(ex.sc, e.scope) if e.kind != "table" else None
        report_to = " ".join(text[rt[0]:rt[1]].split()) if rt else None
        task = e.task if e.task is not None else _cut(_task_of(text, e))
        s, t_end = e.span
        s = min(s, a0)
        t_end = max(t_end, a1)
        out.append(Responsibility(
            actor=actor, role=role, task=task, deadline=deadline, report_to=report_to,
            start=s, end=t_end, actor_body=normalise_actor(actor),
            deadline_value=_deadline_value(doc, dls), request=bool(e.request), section=e.section or None,
            actor_start=a0, actor_end=a1))
    return out


_MARKER = re.compile(r"^\s*(?:[-+•●○▪■◦–*]\s*|[a-zđ]\)\s*|\(\w{1,3}\)\s*|\d{1,2}(?:\.\d{1,2})*[.)]\s+)")


def _task_of(text: str, e: _Entry) -> str | None:
    """The assigned work: the entry's own text, its lines (bullets, sub-items) joined with
    '; ' and their markers dropped."""
    parts = []
    for s, t in e.scope:
        for line in text[s:t].split("\n"):
            seg = _MARKER.sub("", line).strip(" :,;.")
            if seg:
                parts.append(seg)
    return "; ".join(parts) if parts else None


def _deadline_value(doc: Document, spans) -> object:
    """Values of the dates stage's mentions inside the deadline phrases (None without them)."""
    if not spans or not doc.dates:
        return None
    vals = []
    for a, b in spans:
        for d in doc.dates:
            if d.start < b and a < d.end:
                vals.append(d.value)
    if not vals:
        return None
    return vals[0] if len(vals) == 1 else vals


# -- ordering by deadline ---------------------------------------------------------------------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def deadline_sort_key(resp: Responsibility, doc_date: str | None = None) -> tuple:
    """A key that orders responsibilities by when they fall due: a dated deadline by its
    (last) day, then recurrences ('hằng năm', 'định kỳ', 'thường xuyên'), then none.
    Uses ``deadline_value`` from the dates stage where present, else reads the printed
    phrase; a day and month without a year take the year of ``doc_date``."""
    v = resp.deadline_value
    iso = _iso_of_value(v[0] if isinstance(v, list) and v else v)
    if iso is None and resp.deadline:
        iso = _iso_of_phrase(resp.deadline, doc_date)
    if iso is not None:
        return (0, iso)
    if resp.deadline:
        return (1, _bare(resp.deadline))
    return (2, "")


def _iso_of_value(v) -> str | None:
    if isinstance(v, str) and re.match(r"\d{4}-\d{2}", v):
        return v
    if isinstance(v, dict):
        if v.get("end") or v.get("start"):
            return v.get("end") or v.get("start")
    return None


def _iso_of_phrase(phrase: str, doc_date: str | None) -> str | None:
    """The latest day a printed time phrase names ('trước ngày 15/11/2025' -> '2025-11-15',
    'Quý III/2024' -> '2024-09-30', 'tháng 12/2025' -> '2025-12-31')."""
    b = _bare(phrase)
    year = None
    if doc_date and re.match(r"\d{4}", doc_date):
        year = int(doc_date[:4])
    best: list[str] = []
    for m in re.finditer(r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})(?:\s*[/\-.]\s*(\d{4}))?", b):
        d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
        y = int(y) if y else year
        if y and 1 <= mo <= 12 and 1 <= d <= 31:
            best.append(f"{y:04d}-{mo:02d}-{d:02d}")
    for m in re.finditer(r"ngay (\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))?", b):
        d, mo, y = int(m.group(1)), int(m.group(2)), m.group(3)
        y = int(y) if y else year
        if y and 1 <= mo <= 12:
            best.append(f"{y:04d}-{mo:02d}-{d:02d}")
    if not best:
        for m in re.finditer(r"(?:quy|qui) (i{1,3}|iv|\d)\s*(?:[/\-]\s*| nam )(\d{4})", b):
            g = m.group(1)
            q = int(g) if g.isdigit() else _ROMAN.get(g, 0)
            if 1 <= q <= 4:
                end_month = q * 3
                best.append(f"{int(m.group(2)):04d}-{end_month:02d}-{_month_end(end_month)}")
        for m in re.finditer(r"thang (\d{1,2})\s*(?:/| nam )\s*(\d{4})", b):
            mo = int(m.group(1))
            if 1 <= mo <= 12:
                best.append(f"{int(m.group(2)):04d}-{mo:02d}-{_month_end(mo)}")
        for m in re.finditer(r"nam (\d{4})", b):
            best.append(f"{int(m.group(1)):04d}-12-31")
    return max(best) if best else None


def _month_end(m: int) -> str:
    return "31" if m in (1, 3, 5, 7, 8, 10, 12) else ("30" if m != 2 else "28")

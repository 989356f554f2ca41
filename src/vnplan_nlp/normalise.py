"""Normalisation: a list of named steps, each keeping the map back to the read text.

The result is the text every extractor works on: NFC, one paragraph per line, Markdown
marks and table chrome removed, dash and space variants unified. Old and new tone
placement ("uỷ"/"ủy") is left as printed; :func:`match_key` folds it for matching.

Each step returns ``(new_text, index)`` where ``index[i]`` is the position in the step's
input of output character ``i`` (``len(index) == len(new_text) + 1``; the last entry maps
the end), or ``None`` for the index where it changed nothing. Given ``base``, the map of
the steps before it, a step writes ``base[position]`` instead: its map comes out composed
with theirs, as :attr:`Normalised.offsets` holds it.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
try:    # re's own parser, for first_char_guard: where a Python has none, no guard is added
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover
    _sre = _sre_parse = None
from typing import Callable

Step = Callable[..., tuple[str, "array | None"]]     # (text, markup, base=None)


@dataclass
class Normalised:
    text: str
    offsets: array            # offsets[i] = index in the read text of text[i]; one extra at the end
    steps: list[str]

    def to_source(self, offset: int) -> int:
        return self.offsets[min(max(offset, 0), len(self.offsets) - 1)]


# 0, 1, 2 ... : copied pieces take their map as a slice of it (a memory copy) instead of
# building it number by number. It only ever grows, replaced whole (never changed in place),
# up to _COUNT_KEPT entries (8 MB); a longer text builds one of its own for the call.
_COUNT = array("l", range(1 << 16))
_COUNT_KEPT = 1 << 20


def _count_upto(n: int) -> array:
    """An array whose first ``n`` entries are 0 .. n-1 (longer is fine)."""
    global _COUNT
    count = _COUNT
    if len(count) < n:
        count = array("l", range(max(n, min(2 * len(count), _COUNT_KEPT))))
        if len(count) <= _COUNT_KEPT:
            _COUNT = count
    return count


def _identity(n: int) -> array:
    return _count_upto(n + 1)[:n + 1]


def _input_map(base: array | None, input_len: int) -> array:
    """What a step's index holds for each input position, the end included (one more
    entry): ``base``, the map of the steps before, or the positions themselves."""
    return base if base is not None else _count_upto(input_len + 1)


class _Builder:
    """Collects output pieces with the input index of each output character (through
    ``base``, the map of the steps before, where given)."""

    __slots__ = ("parts", "index", "count")

    def __init__(self, input_len: int, base: array | None = None) -> None:
        self.parts: list[str] = []
        self.index = array("l")
        self.count = _input_map(base, input_len)

    def copy(self, text: str, start: int, end: int) -> None:
        if end > start:
            self.parts.append(text[start:end])
            self.index += self.count[start:end]

    def put(self, s: str, at: int) -> None:
        if s:
            self.parts.append(s)
            self.index.extend([self.count[at]] * len(s))

    def done(self, input_len: int) -> tuple[str, array]:
        self.index.append(self.count[input_len])
        return "".join(self.parts), self.index


# -- steps ------------------------------------------------------------------------------------

def step_newlines(text: str, markup: bool, base: array | None = None):
    """\r\n and lone \r become \n; form feeds and vertical tabs end lines."""
    if "\r" not in text and "\f" not in text and "\v" not in text:
        return text, None
    # a Windows text file has a "\r\n" on every line: found by str.split (a regex scan of
    # the text costs five times more); each piece's map is one slice, taking in the
    # position of its "\r", where the "\n" that replaces the pair maps
    count = _input_map(base, len(text))
    pieces = text.split("\r\n")
    index = array("l")
    at = 0
    for piece in pieces:
        index += count[at:at + len(piece) + 1]      # (the last piece's takes in the end)
        at += len(piece) + 2
    out = "\n".join(pieces)
    for brk in ("\r", "\f", "\v"):                   # the rest: one character for one
        if brk in out:
            out = out.replace(brk, "\n")
    return out, index


def step_nfc(text: str, markup: bool, base: array | None = None):
    """Unicode NFC: decomposed Vietnamese letters (from some PDFs and Mac files) composed."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    # Each character with the combining marks that follow it is composed on its own (a
    # character without any is copied as it is): one cluster per letter of a decomposed
    # text. They are found by re, whose class holds the marks this text has (a handful),
    # and each distinct one composed once; the loop is written out (no _Builder calls).
    marks = "".join(sorted(c for c in set(text) if unicodedata.combining(c)))
    clusters = re.compile(f"(?s).[{re.escape(marks)}]+").finditer(text) if marks else ()
    count = _input_map(base, len(text))
    parts: list[str] = []
    index = array("l")
    composed_of: dict[str, str] = {}
    last = 0
    for m in clusters:
        start = m.start()
        parts.append(text[last:start])
        index += count[last:start]
        cluster = m.group()
        composed = composed_of.get(cluster)
        if composed is None:
            composed = composed_of[cluster] = unicodedata.normalize("NFC", cluster)
        parts.append(composed)
        index.extend([count[start]] * len(composed))    # all of it maps to the cluster's start
        last = m.end()
    parts.append(text[last:])
    index += count[last:len(text) + 1]                  # the rest, and the end
    return "".join(parts), index


# One for one replacements: spaces, dashes, zero-width characters removed.
_SPACE = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"
_DASH = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_ZERO = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CHAR_PAIRS = [(c, " ") for c in _SPACE] + [(c, "-") for c in _DASH]
_ZERO_RE = re.compile(f"[{_ZERO}]")


def step_chars(text: str, markup: bool, base: array | None = None):
    """Space and dash variants become ' ' and '-' (same length); zero-width characters go."""
    # one str.replace per variant present: str.translate looks up every character of a
    # non-ASCII text in its table, 20x slower on a document where few or none occur
    out = text
    for variant, plain in _CHAR_PAIRS:
        if variant in out:
            out = out.replace(variant, plain)
    if not any(zero in out for zero in _ZERO):     # (str searches: a regex scan costs 20x more)
        return out, None
    b = _Builder(len(out), base)
    last = 0
    for m in _ZERO_RE.finditer(out):
        b.copy(out, last, m.start())
        last = m.end()
    b.copy(out, last, len(out))
    return b.done(len(out))


# -- Markdown-ish web text and hard wraps ---------------------------------------------------

_RULE_LINE = re.compile(r"^[ \t]*(?:[-_=~]{3,}|[|+\- ]+[-=]{3,}[|+\- ]*)[ \t]*$")
# A line of table pipes (r"^[ \t|]*\|[ \t|]*$"): a "|" in it, and nothing else once
# these are stripped (no regex needed).
_PIPE_LINE_CHARS = " \t|"
# A rule line holds only these (emphasis stars included: dropped before _RULE_LINE in
# Markdown): other lines skip the regex, most of them told by their last character.
_RULE_LAST = " \t-_=~|+*"
_HASH_HEADING = re.compile(r"^#{1,6}(?=\s|$)")
_EMPH_SPLIT = re.compile(r"(\*+)")
_LONE_STAR = re.compile(r"^\s*\*\s*$")

_BLOCK_START = re.compile(
    r"""^(?:
        [-+•·●○▪■◦*]\s              # bullets
      | \(?[IVXLC]{1,6}[.\-)/]\s*\S  # I.  I-  II)
      | \(?\d{1,3}(?:[.)](?![\d/])|-\s|(?:\.\d{1,3})+\.?(?=\s))   # 1.  1-  1.1.  1)  (not 14/8/2025, 57-NQ/TW)
      | \(\d{1,3}\)                   # (1)
      | [a-zđ][)\-.]\s                # a)  đ)  a-
      | (?:Điều|Chương|Phần|Mục|Phụ\s+lục|PHỤ\s+LỤC|PHẦN|CHƯƠNG)\s+[\dIVXLC]+
      | Số\b | Nơi\s+nhận | Kính\s+gửi | Căn\s+cứ | Thực\s+hiện\s | V/v
      | CỘNG\s+H(?:ÒA|OÀ) | ĐẢNG\s+CỘNG\s+SẢN | Độc\s+lập
      | T/M\b | TM\. | K/T\b | KT\. | T/L\b | TL\. | TUQ\. | Q\.\s
    )""", re.X)
# A line that ends a sentence ("./." ends with "."); lines are compared stripped, so
# endswith() says what r"[.:;!?…]\s*$" would.
_TERMINAL_ENDS = (".", ":", ";", "!", "?", "…")
# A heading label alone on its line ("III.", "1.", "a)"): its title is on the next line.
_BARE_LABEL = re.compile(r"^(?:[IVXLC]{1,5}|\d{1,2}(?:\.\d{1,2})*|[a-zđ])\s*[.\-)]$")
_BARE_LABEL_LAST = ".-)"    # the last character of any _BARE_LABEL line (tested first)
_YEAR_END = re.compile(r"\b(?:19|20)\d\d$")
_YEAR_RANGE_END = re.compile(r"^-\s*(?:19|20)\d\d\b")
_NUMBER_LINE_HEAD = re.compile(r"^(?:[A-ZĐ][a-zà-ỹđ]+(?:\s+[a-zà-ỹđ]+){0,3}\s+số|Số)\s*[:/.]?\s*(?=[\d/])")


def _is_number_line(line: str) -> bool:
    """A header's number line holds the number and nothing else ("Số: 141/KH-UBND",
    "Nghị quyết số: 101/2025/UBTVQH15"); "Hướng dẫn số 7886/HD-BNV ngày ..." is running text."""
    if "số" not in line and "Số" not in line:      # (in every match: a quicker "no")
        return False
    m = _NUMBER_LINE_HEAD.match(line)
    if not m:
        return False
    return not any(len(w) > 1 and w.isalpha() and w.islower() for w in line[m.end():].split())
# A signing prefix line ("T/M ĐẢNG ỦY") is followed by the position, not continued by it.
_SIGN_LINE = re.compile(r"^(?:T/M|K/T|T/L|TM\.|KT\.|TL\.|TUQ\.)\s.*[^,]$")


def _split_marks(line: str) -> tuple[list[str], list[str]]:
    """The pieces of ``line`` between its emphasis marks, and the marks (``pieces`` has one
    more item: the text after the last mark): one re.split gives both."""
    split = _EMPH_SPLIT.split(line)
    return split[0::2], split[1::2]


_INLINE_RULE = re.compile(r"[ \t]+[-_=]{5,}(?:[ \t]+|$)")
_RULE_RUNS = ("---", "___", "===")     # a line is searched for _INLINE_RULE only where it holds one


def _physical_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines and their starts; a rule printed inside a line ("ỦY BAN THƯỜNG VỤ QUỐC
    HỘI -------" from a flattened header cell) ends that line."""
    lines = text.split("\n")
    starts = list(accumulate([len(line) + 1 for line in lines[:-1]], initial=0))
    # the lines that hold a run, found by str.find over the text (a few hits) rather than
    # by testing every line
    with_run = set()
    for run in _RULE_RUNS:
        at = text.find(run)
        while at >= 0:
            k = bisect_right(starts, at) - 1
            with_run.add(k)
            at = text.find(run, starts[k] + len(lines[k]))
    if not with_run:
        return lines, starts                    # no rule anywhere: the lines as they are
    out_lines: list[str] = []
    out_starts: list[int] = []
    done = 0
    for k in sorted(with_run):
        out_lines += lines[done:k]
        out_starts += starts[done:k]
        line, start = lines[k], starts[k]
        last = 0
        for m in _INLINE_RULE.finditer(line):
            out_lines.append(line[last:m.start()])
            out_starts.append(start + last)
            last = m.end()
        out_lines.append(line[last:])
        out_starts.append(start + last)
        done = k + 1
    out_lines += lines[done:]
    out_starts += starts[done:]
    return out_lines, out_starts


def _toggles(marks: list[str]) -> int:
    """Which emphasis states a line's marks flip: '**' bold (1), '*' italic (2), '***' both."""
    t = 0
    for mark in marks:
        n = len(mark)
        if n % 2:
            t ^= 2
        if n >= 2:
            t ^= 1 if (n // 2) % 2 else 0
    return t


def _case(line: str) -> int:
    """1: capitals only; 0: lower case in it; -1: no letters (numbers, marks)."""
    return 0 if line != line.upper() else 1 if line != line.lower() else -1


def step_blocks(text: str, markup: bool, base: array | None = None):
    """One paragraph per line: drop Markdown emphasis marks, lines of table pipes and
    rules, leading/trailing spaces; join hard-wrapped lines with a space.

    A line is joined to the one before when neither a blank line, nor a formatting
    boundary (an emphasis run that ends or starts there), nor terminal punctuation, nor
    a block opener (label, bullet, "Số", "Nơi nhận", signing prefix ...) separates them.
    """
    # the output pieces and, per output character, its index in ``text`` (as _Builder
    # keeps them, written out here: this loop runs once per line of every document)
    parts: list[str] = []
    index = array("l")
    count = _input_map(base, len(text))
    prev_kept: str | None = None     # last emitted line (stripped), None after a break
    prev_kept_case: int | None = None  # _case(prev_kept) where it was computed, else None
    prev_end_mark = False
    pending_break = False
    first = True
    open_emph = False                # inside an emphasis run that spans lines
    emph = 0                         # bit 1: bold open, bit 2: italic open
    for line, line_start in zip(*_physical_lines(text)):
        raw = line
        if not raw or (raw[0] in " \t" and not raw.strip(" \t")):
            # a blank line (a third of a web copy's lines): a break, and no emphasis runs across it
            pending_break = True
            prev_kept = None
            emph, open_emph = 0, False
            continue
        # a rule line ("-------" typed under a heading) is a break in any source; pipes only in Markdown
        if ((markup and "|" in raw and not raw.strip(_PIPE_LINE_CHARS))
                or (raw[-1:] in _RULE_LAST and not raw.strip(_RULE_LAST)
                    and _RULE_LINE.match(raw.replace("*", "") if markup else raw))):
            pending_break = True
            prev_kept = None
            emph, open_emph = 0, False      # emphasis never runs across a table cell or a rule
            continue
        if markup and ("*" in raw or raw[:1] == "#"):
            hm = _HASH_HEADING.match(raw)
            if hm:
                raw = " " * hm.end() + raw[hm.end():]
            if "*" in raw and not _LONE_STAR.match(raw):   # (the Party header star stays)
                pieces, marks = _split_marks(raw)
                content = "".join(pieces)
                # whether the line begins or ends at a mark (a formatting boundary)
                starts_mark, ends_mark = not pieces[0].strip(), not pieces[-1].strip()
                toggles = _toggles(marks)
            else:
                pieces, starts_mark, ends_mark, toggles = None, False, False, 0
                content = raw
        else:                           # (in Markdown too, a line without marks keeps all)
            pieces, starts_mark, ends_mark, toggles = None, False, False, 0
            content = raw
        stripped = content.strip()
        if not stripped:
            if not (markup and toggles and emph):
                pending_break = True
                prev_kept = None
            # an empty emphasis pair ("** **") is nothing; a blank line closes emphasis
            emph = 0 if not toggles else emph ^ toggles
            open_emph = bool(emph)
            continue
        # Decide: join with the previous line, or start a new one.
        join = False
        case = None                     # _case(stripped), where a rule below computes it
        if prev_kept is not None and not pending_break:
            boundary = markup and ((prev_end_mark and not open_emph) or (starts_mark and not open_emph))
            # block_start: _BLOCK_START's match of the line, looked up only by a rule that
            # gets that far (None: not looked up, or no match)
            block_start = None
            if (prev_kept[-1] in _BARE_LABEL_LAST and _BARE_LABEL.match(prev_kept)
                    and not (block_start := _BLOCK_START.match(stripped))):
                join = True
            elif boundary:
                pass
            elif prev_kept[-1:].isdigit() and _YEAR_END.search(prev_kept) and _YEAR_RANGE_END.match(stripped):
                join = True            # "giai đoạn 2026" / "- 2030": a year range, not a bullet
            elif (prev_kept.endswith((";", ",")) and stripped[:1].islower()
                    and not (block_start := block_start or _BLOCK_START.match(stripped))):
                join = True            # "người đứng đầu cấp ủy;" / "thủ trưởng cơ quan ..." wrapped
            elif (not prev_kept.endswith(_TERMINAL_ENDS)
                    and not (block_start or _BLOCK_START.match(stripped))
                    and not _is_number_line(prev_kept)
                    and not _SIGN_LINE.match(prev_kept)
                    # (the case of the line before is kept from its own turn, where computed)
                    and ((prev_case := _case(prev_kept) if prev_kept_case is None else prev_kept_case)
                         == (case := _case(stripped)) or -1 in (prev_case, case))
                    # capitals to capitals: a wrapped title line is long; organ lines are short
                    and not (prev_case == 1 and case == 1 and not open_emph and len(prev_kept) < 40)
                    # (a lone star: _LONE_STAR on a stripped line)
                    and stripped != "*" and prev_kept != "*"):
                join = True
        if not first:
            parts.append(" " if join else "\n")
            index.append(count[line_start - 1])
        first = False
        # the line without its marks and its leading and trailing spaces (what ``text``
        # holds at the positions the index gives: a "#" heading's marks are in ``lead``)
        parts.append(stripped)
        lead = len(content) - len(content.lstrip()) if content[0].isspace() else 0
        total = lead + len(stripped)
        if pieces is None:                  # no marks: the line's positions in one piece
            index += count[line_start + lead:line_start + total]
        else:                               # the positions of the pieces, marks left out
            line_index = array("l")
            at = line_start
            for piece, mark in zip(pieces, marks):
                line_index += count[at:at + len(piece)]
                at += len(piece) + len(mark)
            line_index += count[at:at + len(pieces[-1])]
            index += line_index[lead:total]
        prev_kept = stripped
        prev_kept_case = case
        emph ^= toggles
        open_emph = bool(emph)
        prev_end_mark = ends_mark
        pending_break = False
    index.append(count[len(text)])
    return "".join(parts), index


STEPS: list[tuple[str, Callable]] = [
    ("newlines", step_newlines),
    ("nfc", step_nfc),
    ("chars", step_chars),
    ("blocks", step_blocks),
]


def normalise(text: str, markup: bool = True) -> Normalised:
    """Run every step; compose their maps."""
    offsets: array | None = None
    names = []
    for name, fn in STEPS:
        # a step writes its map through the map of the steps before: composed as it is
        # built, by the same slices, instead of looked up entry by entry afterwards
        out, index = fn(text, markup, base=offsets)
        names.append(name)
        if index is not None:
            offsets = index
        text = out
    if offsets is None:
        offsets = _identity(len(text))
    return Normalised(text=text, offsets=offsets, steps=names)


# -- compiling the extractors' patterns -------------------------------------------------------

# Python's re tries a pattern at every position of the text; a pattern that opens with a
# look-behind or with many case-insensitive alternatives gets no prefix scan and costs
# ~1 µs at each word. A look-ahead for the characters a match can begin with fails in a
# few ns instead. It is computed from the parsed pattern (re's own parser), so it stays
# right when the data files or the pattern change; where it cannot be computed (the
# pattern may begin with any character) the pattern is compiled as it is.
_SRE_CATEGORY = {_sre.CATEGORY_DIGIT: r"\d", _sre.CATEGORY_NOT_DIGIT: r"\D", _sre.CATEGORY_WORD: r"\w",
                 _sre.CATEGORY_NOT_WORD: r"\W", _sre.CATEGORY_SPACE: r"\s",
                 _sre.CATEGORY_NOT_SPACE: r"\S"} if _sre is not None else {}
# what the analysis raises on a parse tree it does not know: the pattern then gets no guard
_UNKNOWN_TREE = (AttributeError, IndexError, KeyError, TypeError, ValueError)
_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


class _AnyFirst(Exception):
    """The pattern may begin with a character no class lists (., [^...], a back-reference)."""


def _first_chars(items, ignorecase: bool, out: set, words: bool = False) -> bool:
    """Add to ``out`` (class items, each with its case flag) the characters a match of the
    parsed sequence ``items`` can begin with; return whether the sequence can match empty.
    With ``words``, a literal beginning is added whole ("ngày" rather than "n"), marked
    as a string: ``(text, case flag, True)``."""
    for k, (op, av) in enumerate(items):
        if op is _sre.LITERAL:
            if words:
                n = k
                while n < len(items) and items[n][0] is _sre.LITERAL:
                    n += 1
                out.add(("".join(chr(a) for _, a in items[k:n]), ignorecase, True))
            else:
                out.add((re.escape(chr(av)), ignorecase))
            return False
        if op is _sre.IN:
            for o, a in av:
                if o is _sre.LITERAL:
                    item = re.escape(chr(a))
                elif o is _sre.RANGE:
                    item = f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}"
                elif o is _sre.CATEGORY and a in _SRE_CATEGORY:
                    item = _SRE_CATEGORY[a]
                else:
                    raise _AnyFirst(o)
                out.add((item, ignorecase, False) if words else (item, ignorecase))
            return False
        if op is _sre.BRANCH:
            empty = False
            for alt in av[1]:
                empty |= _first_chars(alt.data, ignorecase, out, words)
            if not empty:
                return False
        elif op is _sre.SUBPATTERN:
            _group, add, remove, sub = av
            if (add | remove) & ~(_sre.SRE_FLAG_IGNORECASE | _sre.SRE_FLAG_VERBOSE):
                raise _AnyFirst("local flags")
            ic = (ignorecase or bool(add & _sre.SRE_FLAG_IGNORECASE)) and not remove & _sre.SRE_FLAG_IGNORECASE
            if not _first_chars(sub.data, ic, out, words):
                return False
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            if not _first_chars(sub.data, ignorecase, out, words) and lo > 0:
                return False
        elif op is _sre.ATOMIC_GROUP:
            if not _first_chars(av.data, ignorecase, out, words):
                return False
        elif op is _sre.ASSERT_NOT and not av[1].data:
            return False                    # (?!) never matches: nothing follows
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue                        # zero width: the next item begins the match
        elif op is _sre.GROUPREF_EXISTS:
            _group, yes, no = av
            empty = _first_chars(yes.data, ignorecase, out, words)
            empty |= _first_chars(no.data, ignorecase, out, words) if no is not None else True
            if not empty:
                return False
        else:
            raise _AnyFirst(op)
    return True


def _parse(pattern: str, flags: int):
    """re's parse tree of ``pattern`` and its case flag; None where there is no parser."""
    if _sre_parse is None:
        return None
    parsed = _sre_parse.parse(pattern, flags)
    try:
        return parsed.data, bool(parsed.state.flags & _sre.SRE_FLAG_IGNORECASE)
    except _UNKNOWN_TREE:
        return None


def _beginnings(tree, words: bool) -> set | None:
    """What :func:`_first_chars` finds for a whole parse tree; None where it cannot tell."""
    if tree is None:
        return None
    try:
        out: set = set()
        if _first_chars(tree[0], tree[1], out, words):
            return None
    except (_AnyFirst, *_UNKNOWN_TREE):
        return None
    return out


def _char_guard(out: set | None) -> str:
    if out is None:
        return ""
    cased = "".join(sorted(f for f, ic in out if not ic))
    folded = "".join(sorted(f for f, ic in out if ic))
    alts = ([f"[{cased}]"] if cased else []) + ([f"(?i:[{folded}])"] if folded else [])
    return f"(?={'|'.join(alts)})"


def _word_guard(out: set | None) -> str:
    if out is None:
        return ""
    alts = []
    for ic in (False, True):
        # the words as a tree of shared beginnings (one test per beginning), then the classes
        words_ = [w for w, case, literal in out if literal and case == ic]
        items = ([alternation(words_, ignorecase=ic, space=r"\ ")] if words_ else []) + \
            sorted(f"[{f}]" for f, case, literal in out if not literal and case == ic)
        if items:
            alts.append(f"(?i:{'|'.join(items)})" if ic else "|".join(items))
    return f"(?={'|'.join(alts)})"


def first_char_guard(pattern: str, flags: int = 0) -> str:
    """A look-ahead ``(?=[...])`` for the characters every match of ``pattern`` begins
    with; "" when any character may begin one (or a match may be empty)."""
    return _char_guard(_beginnings(_parse(pattern, flags), words=False))


def first_word_guard(pattern: str, flags: int = 0) -> str:
    """A look-ahead for the literal beginnings of the matches of ``pattern`` (whole words
    where the pattern spells them: ``(?=(?i:ngày|tháng|...)|[\\d])``); "" where some match
    may begin with anything."""
    return _word_guard(_beginnings(_parse(pattern, flags), words=True))


def compile_guarded(pattern: str, flags: int = 0, *, words: bool = False, head: str | None = None,
                    before_words: str = "") -> re.Pattern:
    """``re.compile(pattern, flags)`` with :func:`first_char_guard` in front: the same
    matches, found faster by ``search``/``finditer`` over long texts. With ``words`` the
    :func:`first_word_guard` follows it: worth it where most words begin with a guarded
    letter but few are a pattern's first word (the dates' "ngày", "tháng", "từ" ...).

    ``head``: a short pattern whose matches begin as those of ``pattern`` do (its opening
    alternatives, the long lists that follow them left out), analysed instead of it: re's
    parser takes 30-50 ms on the longest patterns, which a single document would feel.

    ``before_words``: a zero-width test every match passes where it begins (the pattern's
    own opening look-behind, ``(?<![\\w/])``), put between the two guards: the word guard,
    the costly one, is then tried only where a word begins, not at each letter inside one."""
    tree = _parse(head if head is not None else pattern, flags)
    guard = _char_guard(_beginnings(tree, words=False))
    if words:
        guard += before_words + _word_guard(_beginnings(tree, words=True))
    at = 0
    while m := _GLOBAL_FLAGS.match(pattern, at):    # "(?ix)" must stay first
        at = m.end()
    return re.compile(pattern[:at] + guard + pattern[at:], flags)


def start_finder(pattern: str, flags: int = 0) -> re.Pattern | None:
    """A pattern found wherever a match of ``pattern`` can begin: its literal beginnings
    (the words of :func:`first_word_guard`), consumed, as one case-sensitive alternation.
    re finds its candidates with a "charset prefix" scan in C, several times faster than
    entering a pattern at each position as a look-ahead guard makes it do; see
    :func:`finditer_from`. None where some beginning is a class or case-insensitive (re
    then has no such scan for it)."""
    out = _beginnings(_parse(pattern, flags), words=True)
    if not out or any(ic or not literal for _w, ic, literal in out):
        return None
    return re.compile(alternation(sorted(w for w, _ic, _literal in out), ignorecase=False, space=r"\ "))


def finditer_from(rx: re.Pattern, starts: re.Pattern | None, text: str, pos: int = 0, endpos: int | None = None):
    """``rx.finditer(text, pos, endpos)``: the same matches, with ``rx`` tried only where
    ``starts`` (its :func:`start_finder`) is found. A match of ``rx`` is nonempty (it
    begins with one of those words), so the next one is looked for from its end."""
    if endpos is None:
        endpos = len(text)
    if starts is None:
        yield from rx.finditer(text, pos, endpos)
        return
    find, match = starts.search, rx.match
    while (c := find(text, pos, endpos)) is not None:
        at = c.start()
        m = match(text, at, endpos)
        if m is not None:
            yield m
            pos = m.end()
        else:
            pos = at + 1


def alternation(phrases, *, ignorecase: bool, space: str = r"\s+") -> str:
    """The regex ``(?:p1|p2|...)`` of ``phrases`` tried longest first (each space written
    ``space``, every other character literal), written as a tree of shared beginnings:
    "Kế hoạch", "Kế hoạch liên tịch", "Kết luận" -> ``K(?:ế(?:\\s+hoạch(?:\\s+liên\\s+tịch|)|t\\s+luận))``.

    It finds the same matches in the same order of preference as the flat alternation
    (longest phrase first; phrases that match the same text are one), and re tests each
    beginning once instead of once per phrase. ``ignorecase`` says how the pattern will be
    compiled: letters that differ only in case are then one branch."""
    def key(ch: str) -> str:
        low = ch.lower()
        return low if ignorecase and ch != " " and re.fullmatch(re.escape(ch), low, re.I) else ch

    root: dict = {}
    for phrase in sorted(dict.fromkeys(phrases), key=len, reverse=True):
        node = root
        for ch in phrase:
            node = node.setdefault(key(ch), {})
        node[None] = {}                      # a phrase ends here

    def atom(key: str) -> str:
        return space if key == " " else re.escape(key)

    def emit(node: dict) -> str:
        keys = [k for k in node if k is not None]
        # Branches must exclude each other for the order of preference to hold: no literal
        # space beside the flexible one, no two letters that re.IGNORECASE takes for one.
        for i, a in enumerate(keys):
            if a != " " and a.isspace():
                raise ValueError(a)
            for b in keys[i + 1:]:
                if ignorecase and re.fullmatch(re.escape(a), b, re.I):
                    raise ValueError(a + b)
        alts = [atom(k) + emit(node[k]) for k in keys] + ([""] if None in node else [])
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    try:
        return "(?:" + emit(root) + ")"
    except ValueError:                      # fall back on the flat alternation
        flat = sorted(dict.fromkeys(phrases), key=len, reverse=True)
        return "(?:" + "|".join(re.escape(p).replace(r"\ ", space) for p in flat) + ")"


# -- matching helpers -------------------------------------------------------------------------

# Old-style ("hoà", "uỷ") and new-style ("hòa", "ủy") tone placement: fold to one form.
_OLD_NEW = [("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa"),
            ("oè", "òe"), ("oé", "óe"), ("oẻ", "ỏe"), ("oẽ", "õe"), ("oẹ", "ọe"),
            ("uỳ", "ùy"), ("uý", "úy"), ("uỷ", "ủy"), ("uỹ", "ũy"), ("uỵ", "ụy")]
_TO_NEW = {}
for o, nw in _OLD_NEW:
    _TO_NEW[o] = nw
    _TO_NEW[o.upper()] = nw.upper()
    _TO_NEW[o[0].upper() + o[1:]] = nw[0].upper() + nw[1:]
# Placement differs only at the end of a syllable ("hoà"/"hòa", "uỷ"/"ủy"); before a final
# consonant both styles mark the same vowel ("hoạch", "huỳnh"), so those are left alone.
_TONE_RE = re.compile(alternation(list(_TO_NEW), ignorecase=False) + r"(?![^\W\d_])")
_TONE_MARKED = frozenset(o[1] for o in _TO_NEW)


def _new_style(m: re.Match) -> str:
    return _TO_NEW[m.group(0)]


def fold_tones(s: str) -> str:
    """Old-style tone placement to new style, same length ("Uỷ ban" -> "Ủy ban")."""
    if _TONE_MARKED.isdisjoint(s):      # most strings hold none of the marked vowels
        return s
    if len(s) > 2000:                   # a document's text: see _fold_document
        return _fold_document(s)
    return _TONE_RE.sub(_new_style, s)


@lru_cache(maxsize=1)
def _fold_document(s: str) -> str:
    """A whole document is folded by the references and by the bodies extractor: the
    second takes the first one's result (the last text is kept)."""
    return _TONE_RE.sub(_new_style, s)


def match_key(s: str) -> str:
    """A key for comparing names: tones folded, case folded, spaces collapsed."""
    return " ".join(fold_tones(unicodedata.normalize("NFC", s)).casefold().split())


def strip_diacritics(s: str) -> str:
    """'Tuyên truyền miệng' -> 'Tuyen truyen mieng' (same length for NFC input)."""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    # the combining marks the text holds (a handful), each removed by str.replace: a
    # character-by-character filter costs ten times more on a long line
    # (no combining character lies below U+0300)
    for mark in [c for c in set(s) if c >= "\u0300" and unicodedata.combining(c)]:
        s = s.replace(mark, "")
    return unicodedata.normalize("NFC", s)

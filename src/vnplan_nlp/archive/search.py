"""Search: fold the query, match it phrase first, rank, cut snippets from the accented text.

Both stores index the *folded* text (diacritics stripped, đ -> d, lower case), so
"tuyen truyen mieng" and "tuyên truyền miệng" are the same query. No word segmentation
is done, at index time or query time: Vietnamese words are runs of syllables, and a
query's syllables found side by side (one phrase) are what a reader means by the
words. Matching therefore runs in tiers, best first:

1. ``phrase``: the query's syllables as one phrase;
2. ``all``: every syllable (and every quoted phrase) somewhere in the document.

A document found by tier 1 always ranks above one found only by tier 2; within a tier
the store's relevance orders (SQLite: bm25; PostgreSQL: where and how often the phrase
occurs, from the keys of :func:`index_keys`), the document's header (type, number,
issuer, title) weighing more than its body.

Snippets are cut from the accented text: :func:`fold` keeps the length of the text, so
an offset in the folded text is the same offset in the original.
"""

from __future__ import annotations

import calendar
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..normalise import strip_diacritics

# -- folding ----------------------------------------------------------------------------------


def _fold_table() -> dict[int, str]:
    """Latin letters with diacritics (Vietnamese and the rest of Latin Extended) -> base
    letter, lower case; one character for one, so folding keeps every offset."""
    table: dict[int, str] = {}
    ranges = [(0x41, 0x5B), (0xC0, 0x250), (0x1E00, 0x1F00)]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            ch = chr(cp)
            base = strip_diacritics(ch).lower()
            if len(base) == 1 and base != ch:
                table[cp] = base
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """'Tuyên truyền MIỆNG' -> 'tuyen truyen mieng'; ``len(fold(t)) == len(t)`` always.

    Other characters pass through unchanged (the stores' tokenizers lower-case them)."""
    return text.translate(_FOLD)


_TOKEN = re.compile(r"[^\W_]+")
_WORD = re.compile(r"\w+")       # the same runs where the text holds no "_", found faster


def tokens(folded: str) -> list[str]:
    """The index terms of folded text: runs of letters and digits ("30-CT/TW" -> 30 ct tw)."""
    return [t.lower() for t in _TOKEN.findall(folded)]


def index_text(text: str) -> str:
    """What SQLite's FTS5 indexes: the text with đ -> d. Its tokenizer (unicode61,
    remove_diacritics 2) lower-cases and strips every other diacritic itself, in C, which
    is far cheaper than folding in Python; đ is a letter of its own to it."""
    return text.replace("đ", "d").replace("Đ", "D")    # str.translate: 20 times slower


# a document's syllables repeat: each distinct one is folded once (bounded: cleared when full)
_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 500_000


def cached(cache: dict, items: list, make) -> list:
    """``[make(x) for x in items]``, each distinct ``x`` made once and kept in ``cache``
    (cleared when it would pass :data:`_FOLDED_MAX`): a document's syllables repeat, and
    most were seen in the documents before it."""
    try:
        return list(map(cache.__getitem__, items))    # the common case: every one known
    except KeyError:
        missing = set(items).difference(cache)
        if len(cache) + len(missing) > _FOLDED_MAX:
            cache.clear()
            missing = set(items)
        for x in missing:
            cache[x] = make(x)
        return list(map(cache.__getitem__, items))


def runs(text: str) -> list[str]:
    """The runs of letters and digits of ``text`` as it is (folding maps a letter to a
    letter, so they are the runs of the folded text too)."""
    rx = _TOKEN if "_" in text else _WORD
    out: list[str] = []
    # most space-separated words are a run already (isalnum: \w without "_"); the regex
    # is run only on the others (punctuation, codes): a third less time than over the text
    for word in text.split():
        if word.isalnum():
            out.append(word)
        else:
            out.extend(rx.findall(word))
    return out


def fold_run(run: str) -> str:
    return run.translate(_FOLD).lower()


#: tf classes marked in PostgreSQL's keys (pgkeys.py): a term occurring at least this often
TF_CLASSES = (10, 3)


# -- queries ----------------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Query:
    """A parsed query: loose syllables and quoted phrases, all folded."""
    text: str
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    def tiers(self) -> list[tuple[str, list[tuple[str, ...]]]]:
        """``[(tier name, [phrase, ...])]``: each tier is an AND of phrases (a one-word
        phrase is a plain term). The phrase tier exists only for a several-syllable query
        without explicit quotes."""
        out: list[tuple[str, list[tuple[str, ...]]]] = []
        if not self.phrases and len(self.words) > 1:
            out.append(("phrase", [self.words]))
        if self.words or self.phrases:
            out.append(("all", [*self.phrases, *((w,) for w in _unique(self.words))]))
        return out

    def patterns(self) -> list[tuple[str, ...]]:
        """What to mark in a snippet, longest first: the quoted phrases, the query's runs of
        consecutive syllables (so "tuyên truyền" is one mark even without "miệng"), the words."""
        pats = list(self.phrases)
        w = self.words[:12]
        for n in range(len(w), 1, -1):
            pats.extend(w[i:i + n] for i in range(len(w) - n + 1))
        pats.extend((x,) for x in _unique(self.words))
        return _unique(pats)


def _unique(items):
    seen = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def parse_query(text: str) -> Query:
    """``tuyen truyen "chuyen doi so"`` -> words (tuyen, truyen), phrases ((chuyen, doi, so),)."""
    text = unicodedata.normalize("NFC", text or "")
    if text.count('"') % 2:
        raise UsageError(f"the query {text!r} has an unclosed double quote. Close the phrase: "
                         '"tuyên truyền miệng".', code="bad-query")
    phrases = []
    for m in _QUOTED.finditer(text):
        t = tuple(tokens(fold(m.group(1))))
        if t:
            phrases.append(t)
    rest = _QUOTED.sub(" ", text)
    return Query(text=text, words=tuple(tokens(fold(rest))), phrases=tuple(phrases))


# -- filters ----------------------------------------------------------------------------------

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})(?:-(\d{1,2}))?|[Qq]([1-4])))?$")


def period(value: str, end: bool) -> str:
    """'2024' / '2024-07' / '2024-07-15' / '2024-Q3' -> the first (``end=False``) or last day."""
    m = _PERIOD.match(value.strip())
    if not m:
        raise UsageError(f"{value!r} is not a date. Write 2024-07-15, 2024-07, 2024-Q3 or 2024.",
                         code="bad-date")
    year, month, day, quarter = m.groups()
    y = int(year)
    if quarter:
        q = int(quarter)
        lo, hi = (q - 1) * 3 + 1, q * 3
    elif month:
        lo = hi = int(month)
    else:
        lo, hi = 1, 12
    if not 1 <= lo <= 12 or not 1 <= hi <= 12:
        raise UsageError(f"{value!r}: month {lo if not 1 <= lo <= 12 else hi} does not exist.",
                         code="bad-date")
    if day:
        d = int(day)
        if not 1 <= d <= calendar.monthrange(y, lo)[1]:
            raise UsageError(f"{value!r}: day {d} does not exist in that month.", code="bad-date")
        return f"{y:04d}-{lo:02d}-{d:02d}"
    if end:
        return f"{y:04d}-{hi:02d}-{calendar.monthrange(y, hi)[1]:02d}"
    return f"{y:04d}-{lo:02d}-01"


@dataclass(frozen=True)
class Filters:
    """Metadata filters; text values are folded (accent- and case-insensitive)."""
    doc_type: str | None = None       # a type name ("ke hoach") or a type code ("KH")
    issuer: str | None = None         # part of the issuer (or of the organ above it)
    date_from: str | None = None      # ISO day, inclusive
    date_to: str | None = None        # ISO day, inclusive
    system: str | None = None         # party | state

    @classmethod
    def build(cls, doc_type=None, issuer=None, date_from=None, date_to=None, system=None) -> "Filters":
        if system and system not in ("party", "state"):
            raise UsageError(f"--system {system!r}: choose party or state.", code="bad-option")
        lo = period(date_from, end=False) if date_from else None
        hi = period(date_to, end=True) if date_to else None
        if lo and hi and lo > hi:
            raise UsageError(f"--from {date_from} is after --to {date_to}.", code="bad-date")
        return cls(doc_type=" ".join(tokens(fold(doc_type))) if doc_type else None,
                   issuer=" ".join(tokens(fold(issuer))) if issuer else None,
                   date_from=lo, date_to=hi, system=system)

    def sql(self) -> tuple[list[str], list[Any]]:
        """WHERE conditions on ``d`` (the documents table), with ``?`` parameters."""
        where, params = [], []
        if self.doc_type:
            # a name ("ke hoach"), or a code: the symbol's ("KH" of 103-KH/ĐU) or the
            # names the code stands for (a document printed without a number has no symbol)
            names = [self.doc_type, *type_names(self.doc_type)]
            where.append(f"(d.doc_type_key IN ({', '.join('?' for _ in names)}) OR d.type_code = ?)")
            params += [*names, self.doc_type]
        if self.issuer:
            where.append("(d.issuer_key LIKE ? OR d.parent_organ_key LIKE ?)")
            params += [f"%{self.issuer}%"] * 2
        if self.date_from:
            where.append("d.issued_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            where.append("d.issued_date <= ?")
            params.append(self.date_to)
        if self.system:
            where.append("d.system = ?")
            params.append(self.system)
        return where, params


@lru_cache(maxsize=1)
def _type_codes() -> dict[str, set[str]]:
    """Folded type code -> folded type names, from data/doctypes.json (when present)."""
    path = Path(__file__).resolve().parents[1] / "data" / "doctypes.json"
    if not path.is_file():
        return {}
    out: dict[str, set[str]] = {}
    for t in json.loads(path.read_text(encoding="utf-8")).get("types", []):
        for system in ("party", "state"):
            if t.get(system):
                out.setdefault(key_text(t[system]), set()).add(key_text(t["name"]))
    return out


def type_names(code: str) -> list[str]:
    """'kh' -> ['ke hoach']; [] for what is not a known code."""
    return sorted(_type_codes().get(code, ()))


def key_text(value: str | None) -> str | None:
    """The folded, space-normalised form stored for filtering ("Đảng ủy Sở" -> "dang uy so")."""
    if not value:
        return None
    return " ".join(tokens(fold(value))) or None


# -- snippets ---------------------------------------------------------------------------------

def _letter_classes() -> dict[str, str]:
    """'a' -> '[aAàÀáÁ...]': every letter that folds to it, to find folded words in accented text."""
    members: dict[str, set[str]] = {}
    for cp, base in _FOLD.items():
        members.setdefault(base, set()).add(chr(cp))
    for c in "abcdefghijklmnopqrstuvwxyz":
        members.setdefault(c, set()).update((c, c.upper()))
    return {b: "[" + "".join(sorted(m)) + "]" for b, m in members.items()}


_CLASSES = _letter_classes()


def _pattern(phrase: tuple[str, ...]) -> str:
    """A regex finding a folded phrase in the accented text, as whole words."""
    words = ("".join(_CLASSES.get(ch) or re.escape(ch) for ch in w) for w in phrase)
    return r"(?<![^\W_])" + r"[\W_]+".join(words) + r"(?![^\W_])"


def snippet(text: str, query: Query, width: int = 200, mark: tuple[str, str] = ("[", "]")) -> dict:
    """The passage of ``text`` around the best hit, hits marked.

    Returns ``{"text": "... công tác [tuyên truyền miệng] ...", "start", "end",
    "hits": [[start, end], ...]}``: offsets into ``text``, the hits inside the passage.
    The best hit is the first occurrence of the whole query as a phrase (or of every
    quoted phrase), else the window holding the most distinct query words."""
    empty = {"text": "", "start": 0, "end": 0, "hits": []}
    pats = query.patterns()
    if not pats or not text:
        return empty
    s = e = None
    whole = list(query.phrases) or ([query.words] if len(query.words) > 1 else [])
    for ph in whole:
        m = re.search(_pattern(ph), text)
        if m:
            s, e = m.span()
            break
    if s is None:
        words = _unique(query.words) or _unique(w for p in query.phrases for w in p)
        regex = re.compile("|".join(f"(?P<w{i}>{_pattern((w,))})" for i, w in enumerate(words)))
        # slide a window over the hits: the most distinct words wins, the first on a tie;
        # stop at the first window holding them all
        hits: list[tuple[int, int, str]] = []
        count: dict[str, int] = {}
        best, best_n, j = None, 0, 0
        for m in regex.finditer(text):
            w = m.lastgroup
            hits.append((m.start(), m.end(), w))
            count[w] = count.get(w, 0) + 1
            while hits[j][0] < m.start() - width * 2 // 3:
                cw = hits[j][2]
                count[cw] -= 1
                if not count[cw]:
                    del count[cw]
                j += 1
            if len(count) > best_n:
                best, best_n = hits[j], len(count)
                if best_n == len(words):
                    break
        if best is None:
            return empty
        s, e = best[0], best[1]
    lo = max(0, s - width // 3)
    hi = min(len(text), lo + width)
    # widen to whole words, never across a line break
    while lo > 0 and text[lo - 1].isalnum():
        lo -= 1
    nl = text.rfind("\n", lo, s)
    if nl != -1:
        lo = nl + 1
    while hi < len(text) and text[hi].isalnum():
        hi += 1
    nl = text.find("\n", e, hi)
    if nl != -1:
        hi = nl
    regex = re.compile("|".join(_pattern(p) for p in pats))
    inside = [(m.start() + lo, m.end() + lo) for m in regex.finditer(text[lo:hi])]
    parts, pos = [], lo
    for a, b in inside:
        parts += [text[pos:a], mark[0], text[a:b], mark[1]]
        pos = b
    parts.append(text[pos:hi])
    body = " ".join("".join(parts).split())
    return {"text": ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else ""),
            "start": lo, "end": hi, "hits": [list(h) for h in inside]}


# -- the search -------------------------------------------------------------------------------

@dataclass
class Results:
    query: Query
    filters: Filters
    rows: list[dict] = field(default_factory=list)


def search(store, query: str | None = None, *, filters: Filters | None = None, limit: int = 20,
           mark: tuple[str, str] = ("[", "]")) -> Results:
    """Ranked search of the archive: phrase hits first, then documents holding every
    syllable; no query lists the documents the filters select, newest first."""
    if limit < 1:
        raise UsageError("--limit must be at least 1.", code="bad-option")
    q = parse_query(query or "")
    filters = filters or Filters()
    out = Results(q, filters)
    if q.empty:
        if query and query.strip():
            raise UsageError(f"the query {query!r} holds no letters or digits to search for.",
                             code="bad-query")
        out.rows = [dict(r, tier=None, score=None) for r in store.list_records(filters, limit)]
        return out
    seen: set[int] = set()
    for tier, phrases in q.tiers():
        if len(out.rows) >= limit:
            break
        for row in store.match(phrases, filters, limit - len(out.rows), exclude=seen):
            seen.add(row["id"])
            out.rows.append(dict(row, tier=tier))
    texts = store.texts([r["id"] for r in out.rows])
    for r in out.rows:
        r["snippet"] = snippet(texts.get(r["id"], ""), q, mark=mark)
    return out

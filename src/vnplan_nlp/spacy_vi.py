"""A spaCy pipeline for Vietnamese official text.

``vietnamese()`` / ``load()`` return a spaCy ``Language`` ("vi") whose tokenizer keeps
every character (``doc.text == text`` for any input: newlines, double spaces and tabs
become whitespace tokens) and segments words with underthesea's ``word_tokenize``.
Before segmenting, new-style tone marks are mapped to the old style the underthesea model
was trained on ("Đảng ủy" -> "Đảng uỷ", same length) and document numbers ("159-KH/ĐUK")
are protected as ``fixed_words``; tokens always carry the text as written.

``load()`` adds three components, registered as spaCy factories, that run this package's
extractors and put their items in ``doc.spans``:

- ``vnplan_references`` -> label ``REFERENCE``
- ``vnplan_dates`` -> label ``DATE``
- ``vnplan_bodies`` -> label ``BODY``

Each writes its own key (``vnplan_references`` ...) and the shared key ``vnplan``; each
span's ``span._.vnplan`` holds the item's ``to_dict()``. A document's own date may be
given as ``doc.user_data["doc_date"]`` (else it is read from the text).

    nlp = load()
    for doc in nlp.pipe(texts): ...
    displacy.render(doc, style="span", options={"spans_key": "vnplan"})
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

import srsly
from spacy.language import BaseDefaults, Language
from spacy.lang.vi.lex_attrs import LEX_ATTRS
from spacy.lang.vi.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span
from spacy.util import load_config_from_str, registry
from spacy.vocab import Vocab

from .normalise import _OLD_NEW

SPANS_KEY = "vnplan"

# -- old-style tone placement, same length ---------------------------------------------------

_TO_OLD: dict[str, str] = {}
for _old, _new in _OLD_NEW:
    _TO_OLD[_new] = _old
    _TO_OLD[_new.upper()] = _old.upper()
    _TO_OLD[_new[0].upper() + _new[1:]] = _old[0].upper() + _old[1:]
_TO_OLD_RE = re.compile("|".join(re.escape(k) for k in sorted(_TO_OLD, key=len, reverse=True)))


def to_old_tones(s: str) -> str:
    """"Đảng ủy" -> "Đảng uỷ", "hòa" -> "hoà": the placement underthesea was trained on.
    Same length, so offsets hold."""
    return _TO_OLD_RE.sub(lambda m: _TO_OLD[m.group(0)], s)


# -- word segmentation -------------------------------------------------------------------------

_FALLBACK = re.compile(r"\w+(?:[/.\-]\w+)*|[^\w\s]")


def _fixed_words(line: str) -> list[str]:
    """Document numbers in ``line``, escaped for underthesea's fixed-word pattern (it puts
    them into a regex as they are, spaces excepted)."""
    from .references import patterns
    out = []
    # "Số/103 -KH/ĐU": a slash glued before the number hides it from the pattern
    probe = re.sub(r"(?<=\S)/(?=\d)", " ", line)
    for m in patterns().number.finditer(probe):
        out.append(re.escape(line[m.start():m.end()]).replace("\\ ", " "))
    return sorted(set(out), key=len, reverse=True)


def segment_line(line: str) -> list[tuple[int, int]]:
    """Word spans of one line (no newline in it), as (start, end) into ``line``.

    Words come from underthesea; each is located syllable by syllable in the line, so a
    word that underthesea joined over a double space is split there. Whatever cannot be
    located is segmented by a plain pattern, so nothing is ever lost."""
    if not line.strip():
        return []
    from underthesea import word_tokenize
    folded = to_old_tones(line)
    try:
        words = word_tokenize(folded, use_token_normalize=False, fixed_words=_fixed_words(folded))
    except Exception:  # underthesea fails on rare inputs; the fallback keeps every character
        words = None
    spans: list[tuple[int, int]] = []
    pos = 0
    if words is not None:
        for w in words:
            sylls = w.split(" ")
            cur: tuple[int, int] | None = None
            ok = True
            for syl in sylls:
                j = pos
                while j < len(folded) and folded[j].isspace():
                    j += 1
                if folded.startswith(syl, j):
                    if cur is not None and folded[cur[1]:j] == " ":
                        cur = (cur[0], j + len(syl))
                    else:
                        if cur is not None:
                            spans.append(cur)
                        cur = (j, j + len(syl))
                    pos = j + len(syl)
                else:
                    ok = False
                    break
            if cur is not None:
                spans.append(cur)
            if not ok:
                break
        else:
            if not folded[pos:].strip():
                return spans
    # the rest, by the plain pattern
    for m in _FALLBACK.finditer(line, pos):
        spans.append((m.start(), m.end()))
    return spans


def words_and_spaces(text: str, segment: Callable[[str], list[tuple[int, int]]] = segment_line
                     ) -> tuple[list[str], list[bool]]:
    """Tokens and trailing-space flags such that ``"".join(w + " " * s) == text``."""
    words: list[str] = []
    spaces: list[bool] = []
    prev = 0

    def gap(a: int, b: int) -> None:
        if a >= b:
            return
        g = text[a:b]
        if words and not spaces[-1] and not words[-1].isspace() and g[0] == " ":
            spaces[-1] = True
            g = g[1:]
        if g:
            words.append(g)
            spaces.append(False)

    line_start = 0
    for line in text.split("\n"):
        for s, e in segment(line):
            gap(prev, line_start + s)
            words.append(text[line_start + s:line_start + e])
            spaces.append(False)
            prev = line_start + e
        line_start += len(line) + 1
    gap(prev, len(text))
    return words, spaces


class VietnameseTokenizer:
    """Keeps every character; words from underthesea (``segment=True``) or, for speed,
    from a plain pattern of syllables and punctuation (``segment=False``)."""

    def __init__(self, vocab: Vocab, segment: bool = True):
        self.vocab = vocab
        self.segment = segment

    def __call__(self, text: str) -> Doc:
        seg = segment_line if self.segment else (lambda line: [(m.start(), m.end()) for m in _FALLBACK.finditer(line)])
        words, spaces = words_and_spaces(text, seg)
        return Doc(self.vocab, words=words, spaces=spaces)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000):
        for t in texts:
            yield self(t)

    # serialisation: the tokenizer has no learned state, only its setting
    def to_bytes(self, **kwargs) -> bytes:
        return srsly.msgpack_dumps({"segment": self.segment})

    def from_bytes(self, data: bytes, **kwargs) -> "VietnameseTokenizer":
        self.segment = srsly.msgpack_loads(data)["segment"]
        return self

    def to_disk(self, path, **kwargs) -> None:
        from pathlib import Path
        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path, **kwargs) -> "VietnameseTokenizer":
        from pathlib import Path
        return self.from_bytes(Path(path).read_bytes())


@registry.tokenizers("vnplan.VietnameseTokenizer.v1")
def create_tokenizer(segment: bool = True):
    def factory(nlp: Language) -> VietnameseTokenizer:
        return VietnameseTokenizer(nlp.vocab, segment=segment)
    return factory


_CONFIG = """
[nlp]

[nlp.tokenizer]
@tokenizers = "vnplan.VietnameseTokenizer.v1"
segment = true
"""


class VietnameseDefaults(BaseDefaults):
    config = load_config_from_str(_CONFIG)
    lex_attr_getters = LEX_ATTRS
    stop_words = STOP_WORDS


class Vietnamese(Language):
    """spaCy's "vi" language with this package's tokenizer (spaCy's own imports pyvi)."""
    lang = "vi"
    Defaults = VietnameseDefaults


# -- components --------------------------------------------------------------------------------

if not Span.has_extension("vnplan"):
    Span.set_extension("vnplan", default=None)


class _Component:
    label = ""
    key = ""

    def __init__(self, nlp: Language, name: str, spans_key: str):
        self.name = name
        self.spans_key = spans_key

    def match(self, doc: Doc) -> list:
        raise NotImplementedError

    def set_annotations(self, doc: Doc, items: list) -> None:
        own = doc.spans[self.key] if self.key in doc.spans else None
        shared = doc.spans[self.spans_key] if self.spans_key in doc.spans else None
        own_spans, shared_spans = (list(own) if own is not None else []), (list(shared) if shared is not None else [])
        for it in items:
            span = doc.char_span(it.start, it.end, label=self.label, alignment_mode="expand")
            if span is None:
                continue
            span._.vnplan = it.to_dict()
            own_spans.append(span)
            shared_spans.append(span)
        doc.spans[self.key] = own_spans
        doc.spans[self.spans_key] = shared_spans

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc


class ReferencesComponent(_Component):
    """References to other documents (``find_references``) as ``REFERENCE`` spans."""
    label, key = "REFERENCE", "vnplan_references"

    def match(self, doc: Doc) -> list:
        from .references import find_references
        return find_references(doc.text, doc.user_data.get("doc_date"))


class DatesComponent(_Component):
    """Dates and periods (``find_dates``) as ``DATE`` spans."""
    label, key = "DATE", "vnplan_dates"

    def match(self, doc: Doc) -> list:
        from .dates import find_dates
        return find_dates(doc.text, doc.user_data.get("doc_date"))


class BodiesComponent(_Component):
    """Issuing bodies (``find_bodies``) as ``BODY`` spans."""
    label, key = "BODY", "vnplan_bodies"

    def match(self, doc: Doc) -> list:
        from .bodies import find_bodies
        return find_bodies(doc.text)


@Language.factory("vnplan_references", default_config={"spans_key": SPANS_KEY},
                  assigns=["doc.spans"])
def make_references(nlp: Language, name: str, spans_key: str) -> ReferencesComponent:
    return ReferencesComponent(nlp, name, spans_key)


@Language.factory("vnplan_dates", default_config={"spans_key": SPANS_KEY}, assigns=["doc.spans"])
def make_dates(nlp: Language, name: str, spans_key: str) -> DatesComponent:
    return DatesComponent(nlp, name, spans_key)


@Language.factory("vnplan_bodies", default_config={"spans_key": SPANS_KEY}, assigns=["doc.spans"])
def make_bodies(nlp: Language, name: str, spans_key: str) -> BodiesComponent:
    return BodiesComponent(nlp, name, spans_key)


def vietnamese(segment: bool = True) -> Language:
    """A blank Vietnamese pipeline with this package's tokenizer (no components)."""
    return Vietnamese.from_config({"nlp": {"tokenizer": {"@tokenizers": "vnplan.VietnameseTokenizer.v1",
                                                         "segment": segment}}})


def load(segment: bool = True, components: Iterable[str] = ("vnplan_references", "vnplan_dates",
                                                            "vnplan_bodies")) -> Language:
    """The Vietnamese pipeline with the references, dates and bodies components."""
    nlp = vietnamese(segment=segment)
    for c in components:
        nlp.add_pipe(c)
    return nlp


def render_spans(doc: Doc, spans_key: str = SPANS_KEY, page: bool = True) -> str:
    """displaCy's span view of a document as HTML (inline styles, nothing fetched)."""
    from spacy import displacy
    return displacy.render(doc, style="span", page=page, jupyter=False,
                           options={"spans_key": spans_key,
                                    "colors": {"REFERENCE": "#f7c873", "DATE": "#9fd3f5", "BODY": "#b8e6a8"}})

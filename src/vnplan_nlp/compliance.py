"""Compliance with the parent (R01–R07): does the draft carry out what its parent asks?

The parent is split into its items (the tasks and requirements of its "Nhiệm vụ",
"Nội dung", "Tổ chức thực hiện" ... sections, or the khoản of a normative document's
Điều). Each item is matched to the draft's passages (its sections and paragraphs) by
cosine similarity of TF-IDF vectors over words (underthesea segmentation, document codes
kept whole) and over character n-grams. Every item gets a coverage row with its best
passage and score; below the calibrated thresholds it is "partial" or "uncovered"
(see docs/check-coverage.md for the pairs the thresholds were set on).

The other R rules read the two headers, the draft's references, dates and recipients.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from .check import (Pack, Rule, _date_end, _vn_date, first_line_span, is_deadline, later_than, line_span,
                    may_issue)
from .models import CoverageRow, DateMention, Document, Finding, Section
from .normalise import fold_tones, match_key
from .segment import split_lines

log = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def vocab() -> dict[str, Any]:
    raw = resources.files("vnplan_nlp.data").joinpath("compliance.json").read_text("utf-8")
    return json.loads(raw)


@lru_cache(maxsize=None)
def _re(key: str) -> re.Pattern:
    return re.compile(vocab()[key])


# -- parent items -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParentItem:
    label: str
    start: int                      # offsets into the parent's text
    end: int
    text: str                       # the item's text for matching (attribute lines left out)
    actors: tuple[str, ...] = ()
    applies: bool = True
    section: str = ""               # the top-level section's title
    clauses: tuple[tuple[int, int], ...] = ()   # the separate tasks joined in one item ("...; biểu dương ...")


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    kind: str                       # section | line


@dataclass
class Compliance:
    findings: list[Finding] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)


def _is_bullet(s: Section) -> bool:
    return s.kind.startswith("bullet")


def _labelled_children(s: Section) -> list[Section]:
    return [c for c in s.children if not _is_bullet(c)]


def _title_only(doc: Document, s: Section) -> bool:
    """A heading line that is only a title ("1. Mục đích"), its content in the bullets below."""
    a, b = line_span(doc.text, s.start)
    line = doc.text[a:b]
    rest = line[len(s.marker):].strip() if line.startswith(s.marker) else line
    return len(rest.split()) <= 14 and not rest.endswith((".", ";"))


def _item_text(doc: Document, start: int, end: int) -> str:
    attr = _re("attribute_lines")
    return "\n".join(ln.text for ln in split_lines(doc.text, start, end) if not attr.match(ln.text))


_CLAUSE_SPLIT = re.compile(r";\s*|\.\s+(?=[A-ZĐÀ-Ỹ])")


def _clauses(doc: Document, start: int, end: int) -> list[tuple[int, int]]:
    """The separate tasks of an item: its lines (attribute lines left out) cut at ';' and at
    sentence ends; pieces of fewer than five words stay with their neighbour."""
    attr = _re("attribute_lines")
    out: list[tuple[int, int]] = []
    for ln in split_lines(doc.text, start, end):
        if attr.match(ln.text):
            continue
        a = ln.start
        body = re.match(r"^\s*(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ]|[-+•])\s*[.)\-]?\s*", ln.text)
        if body:
            a += body.end()
        for m in _CLAUSE_SPLIT.finditer(doc.text, a, ln.end):
            if len(doc.text[a:m.start()].split()) >= 5:
                out.append((a, m.start()))
                a = m.end()
        if len(doc.text[a:ln.end].split()) >= 5:
            out.append((a, ln.end))
        elif out and a < ln.end:
            out[-1] = (out[-1][0], ln.end)
    return out


def _trim(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in " \n\t":
        pos -= 1
    return pos


def _join_label(path: str, k: Section) -> str:
    """'II' + '1' -> 'II.1'; 'II.1' + '1.1' -> 'II.1.1'; 'II.2.1' + '(1)' -> 'II.2.1.(1)'."""
    lab = k.label or "?"
    if k.kind in ("paren",):
        lab = f"({lab})"
    if not path:
        return lab
    if k.kind.startswith("decimal"):
        head = path.rsplit(".", lab.count("."))[0] if "." in path else ""
        parts = path.split(".")
        # the decimal label repeats its parent's number: keep the path's Roman head
        for i in range(len(parts)):
            if ".".join(parts[i:]) == lab.rsplit(".", 1)[0]:
                return ".".join(parts[:i] + [lab])
        return f"{path}.{lab}" if not head else f"{path}.{lab.split('.')[-1]}"
    return f"{path}.{lab}"


def parent_items(parent: Document) -> list[ParentItem]:
    """The parent's tasks and requirements, in order, with their labels ("II.1", "I.-2")."""
    task_re, skip_re = _re("task_sections"), _re("skip_sections")
    items: list[ParentItem] = []
    tops = [s for s in parent.sections if not _is_bullet(s)]
    # a normative document: Chương > Điều > khoản
    dieus = [s for s in _walk(parent.sections) if s.kind == "dieu"]

    def add(s: Section, label: str, top_title: str) -> None:
        text = _item_text(parent, s.start, s.end)
        if len(text.split()) < 4:
            return
        cl = _clauses(parent, s.start, s.end)
        items.append(ParentItem(label=label, start=s.start, end=s.end, text=text, section=top_title,
                                clauses=tuple(cl) if len(cl) >= 2 else ()))

    def visit(s: Section, path: str, top_title: str) -> None:
        kids = _labelled_children(s)
        if kids:
            # the section's own words before its first sub-item are a task too
            # ("2.1. Chuẩn bị ... tổ chức 3 Hội nghị hiệp thương" above "(1)", "(2)", "(3)")
            own = _item_text(parent, s.start, kids[0].start)
            if s.level > 1 and len(own.split()) >= 10 and not _title_only(parent, s):
                cl = _clauses(parent, s.start, kids[0].start)
                items.append(ParentItem(label=path, start=s.start, end=_trim(parent.text, kids[0].start),
                                        text=own, section=top_title, clauses=tuple(cl) if len(cl) >= 2 else ()))
            for k in kids:
                visit(k, _join_label(path, k), top_title)
            return
        bullets = [c for c in s.children if _is_bullet(c)]
        attr = _re("attribute_lines")
        real = [b for b in bullets if not attr.match(parent.text[b.start:b.end])]
        if len(real) >= 2 and _title_only(parent, s):
            for i, b in enumerate(real, 1):
                add(b, f"{path}.-{i}", top_title)
        else:
            add(s, path, top_title)

    if dieus and not any(t.kind in ("roman",) for t in tops):
        for d in dieus:
            if skip_re.search(d.title or ""):
                continue
            label = (d.label or "").replace("Điều ", "Đ")
            kids = _labelled_children(d)
            if kids:
                for k in kids:
                    visit(k, f"{label}.{k.label}", d.title or "")
            else:
                add(d, label, d.title or "")
        return items
    for t in tops:
        title = t.title or ""
        if skip_re.search(title) or (title and not task_re.search(title)):
            continue
        visit(t, t.label or "", title)
    if not items:                      # no titled task sections: every leaf is an item
        for t in tops:
            visit(t, t.label or "", t.title or "")
    return items


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)


# -- who an item is for -------------------------------------------------------------------------------

def actor_kinds(name: str) -> set[str]:
    return {k for k, pat in vocab()["actor_kinds"].items() if re.search(pat, name)}


def _item_actor(parent: Document, it: ParentItem) -> str | None:
    """The body an item addresses: an "Đơn vị chủ trì: ..." line, the heading it sits under
    in "Tổ chức thực hiện", or the noun phrase that opens it."""
    m = _re("actor_lines").search(parent.text, it.start, it.end)
    if m:
        return m.group("actor").strip()
    owner = None
    for start, (end, title) in sorted(_tcth_heads(parent).items()):
        if start <= it.start < end:
            owner = title
    if owner:
        return owner
    body = re.sub(r"^\s*(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])\s*[.)\-]\s*", "", it.text.split("\n")[0])
    m = re.match(r"^((?:Các|Ban|Đảng|Ủy|Uỷ|UBND|HĐND|Văn\s+phòng|Sở|Hội|Chi\s+bộ|Mặt\s+trận|MTTQ|Thường\s+trực|"
                 r"Cấp|Tổ(?!\s+chức))\b[^:;.]{0,90}?)\s+(?:chủ\s+trì|phối\s+hợp|tổ\s+chức|xây\s+dựng|thực\s+hiện|triển\s+khai|"
                 r"có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|theo\s+dõi|hướng\s+dẫn|chỉ\s+đạo|tham\s+mưu|báo\s+cáo)\b", body)
    return m.group(1).strip() if m else None


def _tcth_heads(parent: Document) -> dict[int, tuple[int, str]]:
    """Headings that name a body inside the sections that assign work ("1. Ban Thường trực ...")."""
    out: dict[int, tuple[int, str]] = {}
    for t in parent.sections:
        if not re.search(r"(?i)tổ\s+chức\s+thực\s+hiện|phân\s+công|trách\s+nhiệm", t.title or ""):
            continue
        for k in _labelled_children(t):
            if k.title and _re("actor_head").match(k.title):
                out[k.start] = (k.end, k.title)
    return out


def _applies(actor: str | None, draft: Document, parent: Document) -> bool:
    """Is the item addressed to bodies like the draft's issuer? Unknown or general actors: yes."""
    if not actor or _re("general_actor").match(actor):
        return True
    issuer = draft.header.issuer or ""
    p_issuer = parent_facts(parent).issuer or ""
    same_body = bool(issuer) and _same_body(issuer, p_issuer)
    if _re("internal_unit").match(actor) and not actor_kinds(actor) - actor_kinds(p_issuer):
        # "Ban Tuyên giáo và Dân vận Đảng ủy Khối", "Văn phòng ...": the parent's own unit
        return same_body or _same_body(actor, issuer)
    ak, dk = actor_kinds(actor), actor_kinds(issuer)
    if not ak:
        return True
    if not dk:
        return True
    return bool(ak & dk)


# -- body names -----------------------------------------------------------------------------------

def _same_body(a: str | None, b: str | None) -> bool:
    """Do two names point at the same body, one perhaps less fully ("Ban Thường trực Ủy ban
    Mặt trận Tổ quốc Việt Nam xã" for "... xã Lương Minh"; "Ban Thường vụ Đảng ủy Khối X" for
    "Đảng ủy Khối X")? Keys from the issuing-bodies stage where installed."""
    if not a or not b:
        return False
    ka, kb = _body_key(a), _body_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return long_.startswith(short + " ") or f" {short} " in f" {long_} "


_ABBR = [(r"\bmttq\b", "mặt trận tổ quốc"), (r"\bubnd\b", "ủy ban nhân dân"), (r"\bhđnd\b", "hội đồng nhân dân"),
         (r"\bbtv\b", "ban thường vụ"), (r"\bbtt\b", "ban thường trực"), (r"\bcq\s*-\s*dn\b", "cơ quan doanh nghiệp"),
         (r"\btt\b", "thường trực")]
_LEAD = re.compile(r"^(?:ban thường vụ|ban thường trực|ban chấp hành|thường trực|tm\.?|t/m)\s+")


def _body_key(s: str) -> str:
    """A key for a body's name: abbreviations expanded, case and tones folded, the collective
    that acts for the body ("Ban Thường vụ", "Thường trực") left off."""
    s = re.sub(r"(?:^|(?<=\s))/+", "", s)       # a stray slash before a word ("Ban Thường trực /ủy ban ...")
    try:
        from .bodies import body_key
        k = body_key(s, True)
    except ImportError:                     # the issuing-bodies stage is not installed
        k = match_key(s)
        for pat, rep in _ABBR:
            k = re.sub(pat, rep, k)
    k = " ".join(k.replace("-", " ").split())
    return _LEAD.sub("", k)


# -- matching --------------------------------------------------------------------------------------

_CODE = re.compile(r"\b\d+[a-z]?\s*[-/]\s*(?:\d{4}\s*/\s*)?[A-ZĐ][A-Za-zĐđ0-9]*(?:\s*[-/]\s*[A-ZĐ][A-Za-zĐđ0-9]*)*")
def _to_old_tones(s: str) -> str:
    """'ủy' -> 'uỷ' (same length): underthesea's segmenter was trained on the old placement."""
    return re.sub(r"(?i)ủy", lambda m: ("Uỷ" if m.group(0)[0].isupper() else "uỷ"), s)


@lru_cache(maxsize=1)
def _lexicon() -> frozenset[str]:
    """underthesea's word list (Viet74K), words of 2-4 syllables, tones folded, lower case."""
    import importlib.util
    from pathlib import Path
    from .normalise import _OLD_NEW
    spec = importlib.util.find_spec("underthesea")       # locate the package without importing it (slow)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("underthesea")
    raw = (Path(spec.submodule_search_locations[0]) / "corpus" / "data" / "Viet74K.txt").read_text("utf-8")
    raw = raw.lower()
    for old, new in _OLD_NEW:           # fold_tones, by plain replacement: 74k entries at once
        raw = raw.replace(old, new)
    return frozenset(w for w in raw.split("\n") if 1 <= w.count(" ") <= 3)


_SYLLABLE = re.compile(r"[\w/.&-]+")


class Tokenizer:
    """Word segmentation for matching, cached per line; document codes kept whole.

    ``crf``: underthesea's ``word_tokenize`` (its CRF model; ``ủy`` mapped to ``uỷ`` first,
    codes passed as ``fixed_words``). ``lexicon``: longest match against underthesea's own
    word list (Viet74K). The default is set in data/compliance.json; both are measured in
    docs/check-coverage.md (the lexicon is about ten times faster for a small loss)."""

    def __init__(self, segmenter: str | None = None) -> None:
        self.cache: dict[str, list[str]] = {}
        self.segmenter = segmenter or vocab().get("segmenter", "lexicon")
        self._wt = None
        try:
            if self.segmenter == "crf":
                from underthesea import word_tokenize
                self._wt = word_tokenize
            else:
                self._words = _lexicon()
        except ImportError:                      # the nlp extra is not installed: syllables then
            log.warning("underthesea is not installed; matching uses syllables (pip install vnplan_nlp[nlp])")
            self.segmenter = "syllables"
            self._words = frozenset()

    def line(self, text: str) -> list[str]:
        got = self.cache.get(text)
        if got is not None:
            return got
        codes = [re.sub(r"\s+", "", m.group(0)) for m in _CODE.finditer(text)]
        t = _CODE.sub(lambda m: re.sub(r"\s+", "", m.group(0)), text)
        if self._wt is not None:
            words = self._wt(_to_old_tones(t), fixed_words=codes) if codes else self._wt(_to_old_tones(t))
            words = [fold_tones(w).lower() for w in words]
        else:
            words = self._longest_match(_SYLLABLE.findall(fold_tones(t).lower()))
        out = [w.replace(" ", "_") for w in words if any(c.isalnum() for c in w)]
        self.cache[text] = out
        return out

    def _longest_match(self, syl: list[str]) -> list[str]:
        out, i, n, lex = [], 0, len(syl), self._words
        while i < n:
            for k in (4, 3, 2):
                if i + k <= n and " ".join(syl[i:i + k]) in lex:
                    out.append(" ".join(syl[i:i + k]))
                    i += k
                    break
            else:
                out.append(syl[i])
                i += 1
        return out

    def span(self, text: str, start: int, end: int) -> list[str]:
        toks: list[str] = []
        for ln in split_lines(text, start, end):
            toks.extend(self.line(ln.text))
        return toks


@lru_cache(maxsize=None)
def _stopwords() -> frozenset[str]:
    return frozenset(vocab().get("stopwords", []))


def _features(tokens: list[str]) -> list[str]:
    """Content words (function words, body names and the boilerplate of plans left out),
    and the pairs of neighbouring content words."""
    stop = _stopwords()
    toks = [t for t in tokens if t not in stop and not t.isdigit() and len(t) > 1]
    return toks + [f"{a}|{b}" for a, b in zip(toks, toks[1:])]


def draft_passages(draft: Document) -> list[Passage]:
    out: list[Passage] = []
    end = draft.body_end or len(draft.text)
    for s in _walk(draft.sections):
        if not _is_bullet(s) and s.end > s.start:
            out.append(Passage(s.start, s.end, "section"))
    first = min((s.start for s in draft.sections if not _is_bullet(s)), default=draft.body_start)
    closing = _re("closing_lines")
    for ln in split_lines(draft.text, max(first, draft.body_start), end):
        if len(ln.text.split()) >= 4:
            out.append(Passage(ln.start, ln.end, "line"))
    # "Trên đây là Kế hoạch ...": the closing formula restates the title, it carries no task
    out = [p for p in out if not (p.kind == "line" and closing.match(draft.text[p.start:p.end]))]
    return out


def _lines_of(doc: Document, start: int, end: int, skip_attr: bool = False) -> list[str]:
    attr = _re("attribute_lines")
    return [ln.text for ln in split_lines(doc.text, start, end) if not (skip_attr and attr.match(ln.text))]


def similarity_parts(texts: list[str], draft: Document, passages: list[Passage],
                     tok: Tokenizer | None = None, components: tuple[str, ...] = ("words", "chars", "containment")
                     ) -> dict[str, Any]:
    """Text × passage matrices, one per component, fitted on this comparison's texts:
    ``words`` cosine of word TF-IDF (content words and their pairs), ``chars`` cosine of
    character 3–5-gram TF-IDF, ``containment`` the idf-weighted share of a text's content
    words found in the passage (a draft passage may add detail without losing the task).

    Every distinct line is tokenised and counted once; a text or a passage (a section holds
    many lines) is the sum of its lines' counts, weighted afterwards."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.metrics.pairwise import cosine_similarity
    tok = tok or Tokenizer()
    line_ids: dict[str, int] = {}

    def ids(lines: list[str]) -> list[int]:
        return [line_ids.setdefault(l, len(line_ids)) for l in lines]

    groups = [ids([l for l in t.split("\n") if l.strip()]) for t in texts]
    closing = _re("closing_lines")
    groups += [ids([l for l in _lines_of(draft, p.start, p.end) if not closing.match(l)]) for p in passages]
    uniq = list(line_ids)
    toks = [_features(tok.line(l)) for l in uniq]
    rows, cols = [], []
    for g, members in enumerate(groups):
        for m in members:
            rows.append(g)
            cols.append(m)
    incidence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(groups), len(uniq)))
    n = len(texts)
    out: dict[str, Any] = {}
    wc = CountVectorizer(analyzer=lambda x: x).fit_transform(toks)
    wcounts = incidence @ wc
    wt = TfidfTransformer(sublinear_tf=True)
    wm = wt.fit_transform(wcounts)
    out["words"] = cosine_similarity(wm[:n], wm[n:])
    if "containment" in components:
        out["containment"] = _containment(wm, wt.idf_, n)
    if "chars" in components:
        plain = [" ".join(t for t in tk if "|" not in t).replace("_", " ") for tk in toks]
        cc = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(plain)
        cm = TfidfTransformer(sublinear_tf=True).fit_transform(incidence @ cc)
        out["chars"] = cosine_similarity(cm[:n], cm[n:])
    return out


def _containment(wm, idf, n: int):
    """The idf-weighted share of each text's content words present in each passage."""
    import numpy as np
    bi = (wm > 0).astype(np.float64)
    iw = bi[:n].multiply(idf.reshape(1, -1)).tocsr()
    num = iw @ bi[n:].T
    den = np.asarray(iw.sum(axis=1)).ravel()
    den[den == 0] = 1.0
    return np.asarray(num.todense()) / den.reshape(-1, 1)


def similarity(texts: list[str], draft: Document, passages: list[Passage], tok: Tokenizer | None = None):
    """Text × passage similarity: the weighted blend of :func:`similarity_parts`."""
    w = vocab()["thresholds"]["weights"]
    parts = similarity_parts(texts, draft, passages, tok, tuple(k for k, v in w.items() if v))
    out = None
    for k, m in parts.items():
        if w.get(k):
            out = w[k] * m if out is None else out + w[k] * m
    return out


@dataclass
class CoverageResult:
    item: ParentItem
    status: str
    best: list[tuple[Passage, float]]
    clauses: list[tuple[tuple[int, int], float, str]]      # (span in the parent, best score, status)


def _status(score: float) -> str:
    th = vocab()["thresholds"]
    return "covered" if score >= th["covered"] else "partial" if score >= th["partial"] else "uncovered"


def coverage(draft: Document, parent: Document, items: list[ParentItem], tok: Tokenizer | None = None,
             top: int = 3) -> list[CoverageResult]:
    """Every item with its status and best passages; its clauses with theirs."""
    passages = draft_passages(draft)
    if not items or not passages:
        return [CoverageResult(it, "uncovered", [], []) for it in items]
    clause_spans = [(k, c) for k, it in enumerate(items) for c in it.clauses]
    texts = [it.text for it in items] + [parent.text[a:b] for _k, (a, b) in clause_spans]
    # a clause is part of a line: give it a line of its own
    sim = similarity(texts, draft, passages, tok)
    out = []
    for i, it in enumerate(items):
        order = sim[i].argsort()[::-1]
        best: list[tuple[Passage, float]] = []
        for j in order[: top * 4]:
            p, sc = passages[j], float(sim[i, j])
            if best and any(q.start <= p.start and p.end <= q.end or p.start <= q.start and q.end <= p.end
                            for q, _ in best):
                continue                   # a passage inside (or around) one already listed
            best.append((p, sc))
            if len(best) >= top:
                break
        score = best[0][1] if best else 0.0
        out.append(CoverageResult(it, _status(score), best, []))
    for n, (k, span) in enumerate(clause_spans):
        sc = float(sim[len(items) + n].max())
        out[k].clauses.append((span, sc, _status(sc)))
    return out


# -- deadlines and reports ---------------------------------------------------------------------------

def deadlines_in(doc: Document, start: int, end: int, scheduled: bool = False) -> list[DateMention]:
    """Date mentions inside [start, end) that set a deadline: bounded ("trước ngày", "chậm
    nhất") or printed after a deadline cue ("Thời gian hoàn thành: Quý IV/2025"); with
    ``scheduled``, also the dates a draft fixes for doing the task ("dự kiến tổ chức hội nghị
    vào ngày ..."). The dates of cited documents are not deadlines."""
    cue, sched = _re("deadline_cues"), _re("schedule_cues")
    refs = [(r.start, r.end) for r in doc.references]
    out = []
    for dm in doc.dates:
        if dm.start < start or dm.end > end:
            continue
        if isinstance(dm.value, dict) and dm.value.get("every"):
            continue
        if any(a <= dm.start < b for a, b in refs):
            continue
        lead = doc.text[max(start, dm.start - 40): dm.start]
        if is_deadline(dm) or cue.search(lead) or cue.match(dm.text) or (scheduled and sched.search(lead)):
            if _date_end(dm.value):
                out.append(dm)
    return out


@dataclass(frozen=True)
class ReportRequest:
    text: str
    start: int
    end: int
    target: str | None
    timing: str | None


def report_requests(doc: Document, start: int, end: int) -> list[ReportRequest]:
    """Sentences in [start, end) that ask for a report, with to whom and when."""
    out = []
    seg = doc.text[start:end]
    for m in re.finditer(r"[^.;\n]+", seg):
        sent = m.group(0)
        if not _re("report_cue").search(sent):
            continue
        t = _re("report_target").search(sent)
        tm = _re("report_timing").search(sent)
        out.append(ReportRequest(text=sent.strip(), start=start + m.start(), end=start + m.end(),
                                 target=t.group("target").strip() if t else None,
                                 timing=tm.group(0).strip() if tm else None))
    return out


# -- the rules -------------------------------------------------------------------------------------

_DATE_AFTER = re.compile(r"^[\s,]*(?:ngày|ban\s+hành\s+ngày)\s*(?:(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})|"
                         r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s*(?:,\s*)?năm\s+(?P<y2>\d{4}))", re.I)
_ISSUER_AFTER = re.compile(r"^\s*của\s+(?P<org>[^,;:()\n]+?)\s*(?=\s(?:về|V/v|hướng\s+dẫn|quy\s+định|ban\s+hành|"
                           r"triển\s+khai|thực\s+hiện|tổ\s+chức|và\s+(?:các|Chương|Điều|Luật|Nghị|Kế\s+hoạch|"
                           r"Hướng\s+dẫn|Quyết\s+định|Chỉ\s+thị))\b|[,;:()\n]|\.(?:\s|$)|$)", re.I)


@dataclass(frozen=True)
class Citation:
    start: int
    end: int
    text: str
    number: str
    date: str | None
    issuer: str | None


_HEAD_NUMBER = re.compile(r"\b[Ss]ố\s*:?\s*(?P<ns>\d+\s*/\s*\d{4}\s*/\s*[A-ZĐ][\wĐđ-]*|\d+\s*[-/]\s*[A-ZĐ][A-Za-zĐđ]*"
                          r"(?:\s*[-/]\s*[A-ZĐ][A-Za-zĐđ0-9]*)+)")
_HEAD_DATE = re.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})")


@dataclass(frozen=True)
class Facts:
    """What the parent's header says about it, read again from the header's text where the
    header parser missed a part (a header flattened onto one line)."""
    number_symbol: str | None
    issued_date: str | None
    issuer: str | None
    doc_type: str | None


def parent_facts(parent: Document) -> Facts:
    h = parent.header
    head = parent.text[: parent.body_start if 0 < parent.body_start <= 3000 else 1500]
    ns = h.number_symbol
    if not ns:
        m = _HEAD_NUMBER.search(head)
        ns = re.sub(r"\s+", "", m.group("ns")) if m else None
    date = h.issued_date
    if not date:
        m = _HEAD_DATE.search(head)
        date = f"{int(m.group('y')):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}" if m else None
    issuer = re.sub(r"[\s\-–—_*]+$", "", h.issuer) if h.issuer else None
    return Facts(ns, date, issuer, h.doc_type)


def _code_re(number_symbol: str) -> re.Pattern:
    parts = re.split(r"([-/])", number_symbol)
    pat = r"\s*".join(re.escape(p) for p in parts if p)
    return re.compile(rf"(?<![\w/]){pat}(?![\w])", re.I)


def find_citations(draft: Document, parent: Document) -> list[Citation]:
    """Where the draft cites the parent by its number, with the date and issuer printed after it."""
    ns = parent_facts(parent).number_symbol
    if not ns:
        return []
    out = []
    for m in _code_re(ns).finditer(draft.text):
        after = draft.text[m.end(): m.end() + 300]
        date = None
        dm = _DATE_AFTER.match(after)
        tail = after
        if dm:
            d, mo, y = (dm.group("d"), dm.group("m"), dm.group("y")) if dm.group("d") else \
                (dm.group("d2"), dm.group("m2"), dm.group("y2"))
            date = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
            tail = after[dm.end():]
        im = _ISSUER_AFTER.match(tail)
        issuer = im.group("org").strip() if im else None
        end = m.end() + (len(after) - len(tail)) + (im.end() if im else 0)
        # the citation opens with its type name ("Kế hoạch số ...")
        a = m.start()
        pre = draft.text[max(0, a - 40): a]
        tm = re.search(r"(?:[A-ZĐ][a-zà-ỹđ]+(?:\s+[a-zà-ỹđ]+){0,2})\s+(?:số\s*:?\s*)?$", pre)
        if tm:
            a = a - (len(pre) - tm.start())
        out.append(Citation(start=a, end=end, text=draft.text[a:end], number=m.group(0), date=date, issuer=issuer))
    # a reference found by the references stage adds what the scan could not read
    for c_i, c in enumerate(out):
        for r in draft.references:
            if r.start <= c.start < r.end or c.start <= r.start < c.end:
                out[c_i] = Citation(c.start, c.end, c.text, c.number, c.date or r.date, c.issuer or r.issuer)
    return out


def _legal(doc: Document) -> bool:
    return bool(re.search(r"/\d{4}/", parent_facts(doc).number_symbol or ""))


def _parent_name(parent: Document) -> str:
    f = parent_facts(parent)
    return " ".join(x for x in (f.doc_type, f.number_symbol) if x) or parent.source.path


def comply(draft: Document, parents: list[Document], pack: Pack) -> Compliance:
    res = Compliance()
    tok = Tokenizer()
    for rid in ("R01", "R02", "R03", "R04", "R05", "R06", "R07"):
        if pack.rule(rid):
            res.ran.append(rid)
    for parent in parents:
        _one_parent(draft, parent, pack, res, tok)
    return res


def _one_parent(draft: Document, parent: Document, pack: Pack, res: Compliance, tok: Tokenizer) -> None:
    ph = parent_facts(parent)
    name = _parent_name(parent)
    pdate = ph.issued_date
    cits = find_citations(draft, parent)
    anchor = (cits[0].start, cits[0].end) if cits else line_span(draft.text, draft.body_start) \
        if draft.body_start < len(draft.text) else first_line_span(draft)

    r = pack.rule("R01")
    if r:
        res.findings.extend(_r01(draft, parent, cits, r, name))
    r = pack.rule("R02")
    if r and pdate and draft.header.issued_date and later_than(pdate, draft.header.issued_date):
        span = draft.header.spans.get("date_line") or anchor
        res.findings.append(r.finding(*span, expected=f"≥ {_vn_date(pdate)}", actual=_vn_date(draft.header.issued_date),
                                      parent=name))

    items = parent_items(parent)
    rows = coverage(draft, parent, items, tok)
    r03, r04 = pack.rule("R03"), pack.rule("R04")
    top_for: dict[int, float] = {}       # draft passage -> its best score over all parent items
    for row in rows:
        for p, sc in row.best:
            top_for[p.start] = max(top_for.get(p.start, 0.0), sc)
    for row in rows:
        it, status, best = row.item, row.status, row.best
        actor = _item_actor(parent, it)
        applies = _applies(actor, draft, parent)
        res.coverage.append(CoverageRow(
            parent=ph.number_symbol or parent.source.path,
            item={"label": it.label, "text": parent.text[it.start:it.end], "start": it.start, "end": it.end,
                  "actor": actor, "applies": applies, "section": it.section,
                  "clauses": [{"start": a, "end": b, "score": round(sc, 3), "status": st}
                              for (a, b), sc, st in row.clauses]},
            status=status,
            covered_by=[{"start": p.start, "end": p.end, "score": round(sc, 3)} for p, sc in best]))
        if not applies:
            continue
        short = _short(parent.text[it.start:it.end])
        score = f"{best[0][1]:.2f}" if best else "0"
        if r03 and status == "uncovered":
            res.findings.append(r03.finding(*anchor, expected=short, actual=None, label=it.label, parent=name,
                                            score=score, item=short))
        # a partial item is shown in the coverage table, not repeated as a finding
        if r03 and status in ("covered", "partial"):
            for (a, b), sc, st in row.clauses:
                clause = parent.text[a:b]
                if st != "uncovered" or (pack.rule("R05") and _re("report_cue").search(clause)):
                    continue          # a report is R05's business
                if _re("deadline_cues").search(clause) and len(clause.split()) <= 8:
                    continue          # "hoàn thành trước ngày 30/6/2025": a deadline (R04), not a task
                part = _short(clause)
                res.findings.append(r03.finding(*anchor, case="clause", expected=part, actual=None,
                                                label=it.label, parent=name, score=f"{sc:.2f}", item=part))
        # deadlines are compared only where this item and the draft passage are each other's best match
        if r04 and status in ("covered", "partial") and best and best[0][1] >= top_for.get(best[0][0].start, 0):
            res.findings.extend(_r04(draft, parent, it, best[0][0], r04, name))

    r = pack.rule("R05")
    if r:
        res.findings.extend(_r05(draft, parent, items, r, name, anchor))
    r = pack.rule("R06")
    if r:
        res.findings.extend(_r06(draft, parent, r, name))
    r = pack.rule("R07")
    p11 = pack.rule("P11")
    if r and p11:
        for f in may_issue(draft, p11):
            res.findings.append(r.finding(f.start, f.end, expected=None, actual=draft.header.doc_type,
                                          issuer=draft.header.issuer, doc_type=draft.header.doc_type,
                                          instrument=p11.param("instrument", "")))


def _short(s: str, n: int = 140) -> str:
    s = " ".join(s.split())
    return s[:n] + ("…" if len(s) > n else "")


def _r01(draft: Document, parent: Document, cits: list[Citation], r: Rule, name: str) -> list[Finding]:
    ph = parent_facts(parent)
    pdate = ph.issued_date
    full = f"{name} ngày {_vn_date(pdate)} của {ph.issuer or '?'}"
    if not ph.number_symbol:
        return []                   # an unnumbered parent cannot be cited by number
    if not cits:
        a, b = line_span(draft.text, draft.body_start) if draft.body_start < len(draft.text) else first_line_span(draft)
        # a citation by the parent's date and issuer with another number
        for ref in draft.references:
            if ref.date and pdate and ref.date == pdate and _same_body(ref.issuer, ph.issuer) \
                    and (ref.doc_type or "") == (ph.doc_type or ""):
                return [r.finding(ref.start, ref.end, case="wrong_number", expected=ph.number_symbol,
                                  actual=ref.number_symbol or ref.text, parent=name, parent_date=_vn_date(pdate))]
        return [r.finding(a, b, expected=full, actual=None, parent=name, parent_date=_vn_date(pdate),
                          parent_issuer=ph.issuer or "?")]
    out = []
    first = cits[0]
    # the first citation must be full; later ones may be short (S11/P12 say so separately)
    full_cits = [c for c in cits if c.date]
    if not full_cits:
        out.append(r.finding(first.start, first.end, case="no_date", expected=_vn_date(pdate), actual=first.text,
                             parent=name))
    for c in full_cits:
        if pdate and c.date != pdate[:10] and not (len(pdate) == 7 and c.date.startswith(pdate)):
            out.append(r.finding(c.start, c.end, case="wrong_date", expected=_vn_date(pdate), actual=c.text,
                                 parent=name))
        if c.issuer and ph.issuer and not _same_body(c.issuer, ph.issuer):
            out.append(r.finding(c.start, c.end, case="wrong_issuer", expected=ph.issuer, actual=c.issuer,
                                 parent=name))
    return out


def _enclosing(draft: Document, p: Passage) -> tuple[int, int]:
    """The smallest labelled section holding a passage: a task's deadline sits beside it."""
    best = (p.start, p.end)
    for s in _walk(draft.sections):
        if _is_bullet(s):
            continue
        if s.start <= p.start and p.end <= s.end:
            best = (s.start, s.end)
    return best


def _r04(draft: Document, parent: Document, it: ParentItem, p: Passage, r: Rule, name: str) -> list[Finding]:
    pd = deadlines_in(parent, it.start, it.end)
    if not pd:
        return []
    p_end = max(_date_end(d.value) for d in pd)
    a, b = _enclosing(draft, p)
    out = []
    for d in deadlines_in(draft, a, b, scheduled=True):
        e = _date_end(d.value)
        if e and e > p_end:
            latest = max(pd, key=lambda x: _date_end(x.value))
            out.append(r.finding(d.start, d.end, expected=latest.text, actual=d.text, parent=name, label=it.label))
    return out


def _r05(draft, parent, items, r: Rule, name: str, anchor) -> list[Finding]:
    out = []
    draft_reports = report_requests(draft, draft.body_start, draft.body_end or len(draft.text))
    for it in items:
        actor = _item_actor(parent, it)
        if not _applies(actor, draft, parent):
            continue
        for req in report_requests(parent, it.start, it.end):
            if not req.target and not req.timing:
                continue
            target = req.target or parent_facts(parent).issuer
            if target and _same_body(target, draft.header.issuer):
                continue                  # a report to the draft's own body is its own business
            if _carried(draft, draft_reports, target, parent):
                continue
            where = _tcth_span(draft) or anchor
            to = f"cho {target}" if target else ""
            to_en = f"to {target}" if target else ""
            if req.timing:
                to += f" ({req.timing})"
                to_en += f" ({req.timing})"
            out.append(r.finding(*where, expected=req.text, actual=None, parent=name, label=it.label, to=to,
                                 to_en=to_en))
    return out


def _carried(draft: Document, reports: list[ReportRequest], target: str | None, parent: Document) -> bool:
    for rep in reports:
        if not target:
            return True
        if rep.target and (_same_body(rep.target, target) or _same_body(rep.target, parent_facts(parent).issuer)):
            return True
        if _body_key(target) and _body_key(target) in _body_key(rep.text):
            return True
    for resp in draft.responsibilities:
        if resp.report_to and (_same_body(resp.report_to, target) or _same_body(resp.report_to, parent_facts(parent).issuer)):
            return True
    return False


def _tcth_span(draft: Document) -> tuple[int, int] | None:
    for s in draft.sections:
        if re.search(r"(?i)tổ\s+chức\s+thực\s+hiện", s.title or ""):
            return line_span(draft.text, s.start)
    return None


def _r06(draft: Document, parent: Document, r: Rule, name: str) -> list[Finding]:
    p_issuer = parent_facts(parent).issuer
    if not p_issuer or _legal(parent) or _same_body(p_issuer, draft.header.issuer):
        return []
    if any(_same_body(rc.text, p_issuer) for rc in draft.recipients):
        return []
    if draft.recipients:
        a = draft.recipients[0].start
        span = line_span(draft.text, a)
    else:
        span = (draft.signatures[0].start, draft.signatures[0].end) if draft.signatures else first_line_span(draft)
    return [r.finding(*span, expected=p_issuer, actual=None, parent=name)]

"""The check stage: rule packs as data, rules as pure functions, findings at their spans.

A rule pack (``data/rules/<pack>.json``) names the instrument it comes from, the dates it
applies to and, for each rule, its id, severity, source provision, confidence and the
messages (Vietnamese and English) with their cases. Code here only decides *where* a rule
is broken and *what* was expected and found; severity and wording come from the pack.

``check(doc)`` selects the pack from the document's system and date (or ``rules=``), runs
every rule the pack holds, and, with ``parents=``, the compliance rules of
:mod:`vnplan_nlp.compliance`. It fills ``doc.findings`` (and ``doc.coverage``).
"""

from __future__ import annotations

import json
import logging
import re
import string
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

from .bodies import expand_abbreviations, same_body
from .errors import VnplanError
from .models import Document, Finding, Section
from .normalise import fold_tones, match_key
from .sections import classify
from .segment import SIGN_PREFIX, doc_types, split_lines, type_name_by_key

log = logging.getLogger(__name__)

PACKS = ("party-2017", "party-2026", "state-2020")
SEVERITIES = ("error", "warning", "info")


class RulesError(VnplanError):
    """A rule pack that cannot be loaded (code ``rules``)."""
    code = "rules"


# -- packs --------------------------------------------------------------------------------------

class _Fmt(dict):
    """Format fields: a missing field prints as empty rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""


_FORMATTER = string.Formatter()


def _format(template: str, fields: dict[str, Any]) -> str:
    try:
        return _FORMATTER.vformat(template, (), _Fmt(fields))
    except (ValueError, IndexError, AttributeError) as e:   # a broken template is a data bug: say so
        raise RulesError(f"message template {template!r} cannot be filled: {e}") from e


@dataclass(frozen=True)
class Rule:
    """One rule of a pack, with the pack's parameters at hand."""
    id: str
    pack: str
    severity: str
    confidence: str
    source: str
    message_vi: str
    message_en: str
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    pack_params: dict[str, Any] = field(default_factory=dict)
    scope: str = "document"          # document | parent | archive
    justification: str | None = None

    def param(self, key: str, default: Any = None) -> Any:
        if key in self.params:
            return self.params[key]
        return self.pack_params.get(key, default)

    def problems(self, keys: list[str]) -> tuple[str, str]:
        """The Vietnamese and English phrases for the problem keys found."""
        table = self.params.get("problems", {})
        vi = "; ".join(table.get(k, [k, k])[0] for k in keys)
        en = "; ".join(table.get(k, [k, k])[1] for k in keys)
        return vi, en

    def finding(self, start: int, end: int, *, case: str | None = None, expected: str | None = None,
                actual: str | None = None, **fields: Any) -> Finding:
        spec = self.cases.get(case, {}) if case else {}
        if case and case not in self.cases:
            log.debug("rule %s has no case %r in pack %s; using its main message", self.id, case, self.pack)
        f = {"expected": expected if expected is not None else "", "actual": actual if actual is not None else ""}
        f.update(fields)
        f_en = dict(f)
        for k, v in fields.items():          # "problems" -> "problems_en" style pairs
            if k.endswith("_en"):
                f_en[k[:-3]] = v
        msg_vi = _format(spec.get("message_vi", self.message_vi), f)
        msg_en = _format(spec.get("message_en", self.message_en), f_en)
        return Finding(rule=f"{self.pack}/{self.id}", severity=spec.get("severity", self.severity),
                       message=msg_vi, expected=expected, actual=actual, start=start, end=end,
                       source=self.source, message_en=msg_en)


@dataclass(frozen=True)
class Pack:
    name: str
    system: str | None
    title: str
    applies_from: str | None
    applies_until: str | None
    instruments: list[dict[str, Any]]
    params: dict[str, Any]
    rules: dict[str, Rule]
    source: str = ""

    def rule(self, rule_id: str) -> Rule | None:
        return self.rules.get(rule_id)


def _read_pack_json(name: str) -> dict[str, Any]:
    try:
        raw = resources.files("vnplan_nlp.data").joinpath("rules").joinpath(f"{name}.json").read_text("utf-8")
    except FileNotFoundError:
        raise RulesError(f"no rule pack named {name!r}; choose one of: {', '.join(PACKS)}") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise RulesError(f"rule pack {name}.json is not valid JSON ({e}); fix the data file") from e


def _rule_specs(name: str, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(pack params, rule specs by id) after resolving ``extends`` and ``include``."""
    if name in seen:
        raise RulesError(f"rule pack {name!r} includes itself ({' -> '.join(seen + (name,))})")
    data = _read_pack_json(name)
    params: dict[str, Any] = {}
    specs: dict[str, dict[str, Any]] = {}
    if data.get("extends"):
        params, specs = _rule_specs(data["extends"], seen + (name,))
        params = dict(params)
        specs = dict(specs)
    for inc in data.get("include", []):
        _p, inc_specs = _rule_specs(inc, seen + (name,))
        for rid, spec in inc_specs.items():
            specs.setdefault(rid, spec)
    params.update(data.get("params", {}))
    for spec in data.get("rules", []):
        specs[spec["id"]] = spec
    for rid in data.get("remove", []):
        specs.pop(rid, None)
    return params, specs


@lru_cache(maxsize=None)
def load_pack(name: str) -> Pack:
    data = _read_pack_json(name)
    params, specs = _rule_specs(name)
    rules: dict[str, Rule] = {}
    for rid, s in specs.items():
        sev = s.get("severity", "error")
        if sev not in SEVERITIES:
            raise RulesError(f"rule {rid} in pack {name} has severity {sev!r}; use error, warning or info")
        for key in ("message_vi", "message_en", "source"):
            if not s.get(key):
                raise RulesError(f"rule {rid} in pack {name} lacks {key}; every rule needs both messages and its source")
        rules[rid] = Rule(id=rid, pack=name, severity=sev, confidence=s.get("confidence", "S"), source=s["source"],
                          message_vi=s["message_vi"], message_en=s["message_en"], cases=s.get("cases", {}),
                          params=s.get("params", {}), pack_params=params, scope=s.get("scope", "document"),
                          justification=s.get("justification"))
    applies = data.get("applies", {})
    return Pack(name=name, system=data.get("system"), title=data.get("title", name),
                applies_from=applies.get("from"), applies_until=applies.get("until"),
                instruments=data.get("instruments", []), params=params, rules=rules, source=data.get("source", ""))


def select_pack(doc: Document, rules: str = "auto", today: str | None = None) -> tuple[Pack, str]:
    """The pack for a document and the reason it was chosen (in Vietnamese and English)."""
    if rules and rules != "auto":
        if rules not in PACKS:
            raise RulesError(f"unknown rule pack {rules!r}; choose auto or one of: {', '.join(PACKS)}")
        return load_pack(rules), f"chọn theo --rules {rules} / chosen with --rules"
    system = doc.system
    why_system = "theo tiêu đề văn bản / from the header"
    if system is None:
        sym = doc.header.symbol or ""
        prefixes = [a.split()[0] for s in doc.signatures for a in s.authority_lines if a.split()]
        if re.match(r"^[A-Za-zĐđ]+/", sym):
            system, why_system = "party", "theo dạng ký hiệu / from the symbol's form"
        elif prefixes and all(p in ("T/M", "K/T", "T/L") for p in prefixes):
            system, why_system = "party", "theo cách ghi thẩm quyền ký / from the signing prefix"
        else:
            system, why_system = "state", "không rõ hệ thống, dùng thể thức nhà nước / system unknown, State format assumed"
    date = (doc.header.issued_date or today or _today())[:10]
    if system == "party":
        p26 = load_pack("party-2026")
        if p26.applies_from and date >= p26.applies_from:
            return p26, f"văn bản Đảng ngày {date} / Party document of {date} ({why_system})"
        return load_pack("party-2017"), f"văn bản Đảng ngày {date} / Party document of {date} ({why_system})"
    return load_pack("state-2020"), f"văn bản nhà nước ngày {date} / State document of {date} ({why_system})"


def _today() -> str:
    import datetime
    return datetime.date.today().isoformat()


# -- registry -----------------------------------------------------------------------------------

RuleFn = Callable[[Document, Rule], list[Finding]]
RULES: dict[str, RuleFn] = {}


def rule(rule_id: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        RULES[rule_id] = fn
        return fn
    return register


@dataclass
class Review:
    """What ``check`` did: the pack, why, which rules ran and the parents compared."""
    doc: Document
    pack: Pack
    pack_reason: str
    ran: list[str]
    not_run: list[tuple[str, str]]       # (rule id, why)
    parents: list[Document] = field(default_factory=list)
    lang: str = "vi"

    @property
    def errors(self) -> int:
        return sum(1 for f in self.doc.findings if f.severity == "error")

    def to_dict(self) -> dict[str, Any]:
        d = self.doc.to_dict()
        d["review"] = {
            "pack": self.pack.name, "pack_title": self.pack.title, "reason": self.pack_reason,
            "instruments": self.pack.instruments, "rules_run": self.ran,
            "rules_not_run": [{"rule": r, "why": w} for r, w in self.not_run],
            "parents": [{"path": p.source.path, "number_symbol": p.header.number_symbol,
                         "issued_date": p.header.issued_date, "issuer": p.header.issuer} for p in self.parents],
            "counts": {s: sum(1 for f in self.doc.findings if f.severity == s) for s in SEVERITIES},
            "lang": self.lang,
        }
        return d


def check(doc: Document, *, rules: str = "auto", parents: list[Document] | tuple[Document, ...] = (),
          lang: str = "vi", today: str | None = None) -> Review:
    """Run the pack's rules (and, with parents, the compliance rules) over ``doc``."""
    pack, reason = select_pack(doc, rules, today)
    findings: list[Finding] = []
    ran: list[str] = []
    not_run: list[tuple[str, str]] = []
    for rid, spec in pack.rules.items():
        if spec.scope == "archive":
            not_run.append((rid, "cần kho lưu trữ (archive) / needs the archive"))
            continue
        if spec.scope == "parent":
            if not parents:
                not_run.append((rid, "cần --parent / needs --parent"))
            continue
        fn = RULES.get(rid)
        if fn is None:
            not_run.append((rid, "chưa có cài đặt / not implemented"))
            continue
        findings.extend(fn(doc, spec))
        ran.append(rid)
    coverage = []
    if parents:
        from .compliance import comply
        res = comply(doc, list(parents), pack)
        findings.extend(res.findings)
        coverage = res.coverage
        ran.extend(res.ran)
    findings = _settle(findings)
    if lang == "en":
        findings = [replace(f, message=f.message_en or f.message) for f in findings]
    doc.findings = findings
    doc.coverage = coverage
    return Review(doc=doc, pack=pack, pack_reason=reason, ran=ran, not_run=not_run, parents=list(parents), lang=lang)


def _settle(findings: list[Finding]) -> list[Finding]:
    """Drop exact duplicates (same rule, span, message) and sort by place, then severity."""
    seen: set[tuple] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.rule, f.start, f.end, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(out, key=lambda f: (f.start, order.get(f.severity, 9), f.rule))


# -- shared helpers -----------------------------------------------------------------------------

def line_span(text: str, pos: int) -> tuple[int, int]:
    """The printed line around ``pos`` (spaces trimmed)."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    b = len(text) if b < 0 else b
    while a < b and text[a] in " \t":
        a += 1
    while b > a and text[b - 1] in " \t":
        b -= 1
    return a, b


def first_line_span(doc: Document) -> tuple[int, int]:
    """The first printed line: where a missing header part belongs."""
    t = doc.text
    m = re.search(r"\S", t)
    return line_span(t, m.start()) if m else (0, 0)


def header_span(doc: Document, *keys: str) -> tuple[int, int] | None:
    for k in keys:
        s = doc.header.spans.get(k)
        if s and s[1] > s[0]:
            return tuple(s)  # type: ignore[return-value]
    return None


def _lines_note(doc: Document, spans: list[tuple[int, int]]) -> tuple[str, str]:
    """' và 2 chỗ khác (dòng 40, 52)' for findings that repeat one problem."""
    if not spans:
        return "", ""
    lines = ", ".join(str(doc.line_of(a)) for a, _ in spans[:8]) + (", ..." if len(spans) > 8 else "")
    return f" và {len(spans)} chỗ khác (dòng {lines})", f" and {len(spans)} more (lines {lines})"


# -- header (P01-P06, S01-S09) ---------------------------------------------------------------------

@rule("P01")
def party_national(doc: Document, r: Rule) -> list[Finding]:
    if doc.header.national:
        return []
    a, b = first_line_span(doc)
    return [r.finding(a, b, expected=r.param("national"), actual=None)]


_ISSUER_NOT_IN_HEADER = {"body", "signature", "filename", "number", "authority line"}


def _issuer_in_header(doc: Document) -> bool:
    """Does the header print an issuing body? The parser's reading, or else a line in
    capitals above the first anchor (national line, number, date) that names an organ."""
    h = doc.header
    if h.issuer and h.evidence.get("issuer") not in _ISSUER_NOT_IN_HEADER:
        return True
    anchors = [doc.header.spans[k][0] for k in ("national", "number_line", "date_line") if k in doc.header.spans]
    if not anchors:
        return False
    for ln in split_lines(doc.text, 0, min(anchors)):
        if ln.upper and len(ln.text) > 3 and _ORGAN_WORD.search(fold_tones(ln.text)):
            return True
    return False


_ORGAN_WORD = re.compile(r"\b(?:ỦY\s+BAN|ĐẢNG\s+(?:ỦY|BỘ)|BAN|BỘ|SỞ|CỤC|VĂN\s+PHÒNG|CHÍNH\s+PHỦ|THỦ\s+TƯỚNG|"
                         r"QUỐC\s+HỘI|HỘI\s+ĐỒNG|TỈNH\s+ỦY|THÀNH\s+ỦY|CHI\s+BỘ|MẶT\s+TRẬN|UBND|HĐND|MTTQ)\b")
_HEAD_DATE = re.compile(r"ngày\s*\d{0,2}[\s.…_]*tháng\s*\d{1,2}\s*năm\s*\d{4}|ngày\s+\d{1,2}/\d{1,2}/\d{4}", re.I)
_HEAD_NUMBER = re.compile(r"\bsố\s*:?\s*\d*\s*/\s*[\dA-ZĐ]", re.I)


def _head_text(doc: Document) -> str:
    """The header region: up to the body, or the first 1,200 characters where no body was found."""
    end = doc.body_start if 0 < doc.body_start <= 3000 else 1200
    return doc.text[:end]


def _type_printed(doc: Document) -> bool:
    """A type name in capitals opening a header line, even when the title was run into it
    ("THÔNG BÁO KẾT LUẬN CỦA ...")."""
    names = sorted(type_name_by_key(), key=len, reverse=True)
    for ln in split_lines(doc.text, 0, min(len(doc.text), (doc.body_start or 0) + 400))[:40]:
        t = fold_tones(ln.text).upper() if ln.upper else ""
        if any(t == n or t.startswith(n + " ") for n in names):
            return True
    return False


def _signature_printed(doc: Document) -> bool:
    for ln in split_lines(doc.text, doc.body_end or 0):
        if SIGN_PREFIX.match(ln.text):
            return True
    return False


@rule("P02")
def party_issuer_block(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    out: list[Finding] = []
    if not _issuer_in_header(doc):
        a, b = header_span(doc, "star") or first_line_span(doc)
        if h.issuer:
            out.append(r.finding(a, b, case="issuer_from_body", expected=h.issuer, actual=None, found=h.issuer))
        else:
            out.append(r.finding(a, b, expected=None, actual=None))
    elif not h.star:
        a, b = header_span(doc, "issuer") or first_line_span(doc)
        out.append(r.finding(a, b, case="star", expected="*", actual=None))
    return out


_NUMBER_HEAD = re.compile(r"^(?P<so>Số)(?P<after>[^\d\w]*)(?P<rest>.*)$", re.S)


def _symbol_tokens(sym: str) -> list[str]:
    return re.findall(r"[A-Za-zĐđ][A-Za-zĐđ0-9&]*", sym)


def _number_parts(printed: str) -> tuple[str, str, str] | None:
    """('Số', what follows it up to the number, the rest) of a printed number line."""
    m = _NUMBER_HEAD.match(printed.strip())
    if not m:
        return None
    return m.group("so"), m.group("after"), m.group("rest")


def _number_line_fields(printed: str) -> tuple[str, str | None, str | None, str, str] | None:
    """A number line's parts: (what follows "Số", the number, its separator, the symbol,
    all that follows "Số" and its marks)."""
    parts = _number_parts(" ".join(printed.split()))
    if not parts:
        return None
    _so, after, rest = parts
    rest_c = rest.strip()
    m = re.match(r"^(?P<num>\d+[a-z]?)?\s*(?P<sep>[-/.])?\s*(?P<sym>.*)$", rest_c)
    if not m:
        return after, None, None, rest_c, rest_c
    return after, m.group("num"), m.group("sep"), m.group("sym").strip(), rest_c


def _pad(num: str) -> str:
    return num.zfill(2) if num.isdigit() and int(num) < 10 else num


@rule("P03")
def party_number_line(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    span = header_span(doc, "number_line")
    if not h.number_line or not span:
        a, b = header_span(doc, "star", "issuer") or first_line_span(doc)
        return [r.finding(a, b, case="missing", expected="Số 103-KH/ĐU")]
    printed = h.number_line
    got = _number_line_fields(printed)
    if not got:
        return []
    after, num, sep, sym, rest_c = got
    toks = _symbol_tokens(sym)
    expected_sym = f"{toks[0]}/{'-'.join(toks[1:])}" if len(toks) >= 2 else sym.replace(" ", "")
    if not num:
        return [r.finding(*span, case="blank", expected=f"Số ...-{expected_sym}", actual=printed)]
    problems: list[str] = []
    if ":" in after:
        problems.append("colon")
    if "/" in after:
        problems.append("slash_after_so")
    if after.strip() == "" and after == "":
        problems.append("no_space_after_so")
    body = rest_c
    if re.search(r"\s", body):
        problems.append("spaces")
    state_form = bool(re.match(r"^[A-Za-zĐđ]+-[A-Za-zĐđ]", sym)) and "/" not in sym
    if state_form:
        problems.append("state_form")
    elif sep != "-":
        problems.append("separator")
    elif len(toks) >= 2 and not re.match(r"^[A-Za-zĐđ0-9&]+/", sym.replace(" ", "")):
        problems.append("issuer_slash")
    if num.isdigit() and int(num) < 10 and len(num) < 2:
        problems.append("padding")
    if not problems:
        return []
    expected = f"Số {_pad(num)}-{expected_sym}"
    vi, en = r.problems(problems)
    return [r.finding(*span, expected=expected, actual=printed, problems=vi, problems_en=en)]


@rule("S06")
def state_number_line(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    span = header_span(doc, "number_line")
    if not h.number_line or not span:
        return []        # S01 reports a missing number
    printed = h.number_line
    got = _number_line_fields(printed)
    if not got:
        return []
    after, num, sep, sym, rest_c = got
    year = re.match(r"^(\d{4})\s*/\s*(.*)$", sym)
    sym_body = year.group(2) if year else sym
    toks = _symbol_tokens(sym_body)
    expected_sym = ("{}/".format(year.group(1)) if year else "") + "-".join(toks)
    if not num:
        return [r.finding(*span, case="blank", expected=f"Số: .../{expected_sym}", actual=printed)]
    problems: list[str] = []
    if ":" not in after:
        problems.append("no_colon")
    if re.search(r"\s", rest_c):
        problems.append("spaces")
    party_form = sep == "-" and "/" in sym_body
    if party_form:
        problems.append("party_form")
    elif sep != "/":
        problems.append("separator")
    elif "/" in sym_body.replace(" ", ""):
        problems.append("group_sep")
    if num.isdigit() and int(num) < 10 and len(num) < 2:
        problems.append("padding")
    if not problems:
        return []
    if party_form and len(toks) >= 2:
        expected_sym = "-".join(toks)
    expected = f"Số: {_pad(num)}/{expected_sym}"
    vi, en = r.problems(problems)
    return [r.finding(*span, expected=expected, actual=printed, problems=vi, problems_en=en)]


_DATE_WORDS = re.compile(
    r"^(?P<place>[^,\d]*?)\s*(?P<comma>,)?\s*ngày(?P<dsp>\s*)(?P<d>\d{1,2})?(?P<dfill>[\s.…_]*)"
    r"tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})(?P<trail>.*)$", re.I | re.S)
_DATE_NUMERIC = re.compile(
    r"^(?P<place>[^,\d]*?)\s*(?P<comma>,)?\s*ngày\s*(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?P<trail>.*)$",
    re.I | re.S)


def _date_line_findings(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    span = header_span(doc, "date_line")
    if not h.date_line or not span:
        return []
    printed = " ".join(h.date_line.split())
    problems: list[str] = []
    m = _DATE_WORDS.match(printed)
    numeric = False
    if not m:
        m = _DATE_NUMERIC.match(printed)
        numeric = bool(m)
        if not m:
            return []
    place = m.group("place").strip().strip("*").strip()
    d, mo, y = m.group("d"), m.group("m"), m.group("y")
    if not d:
        return [r.finding(*span, case="blank", expected=None, actual=h.date_line)]
    if numeric:
        problems.append("numeric")
    if not place:
        problems.append("no_place")
    if int(d) < 10 and len(d) < 2:
        problems.append("day_padding")
    if int(mo) in (1, 2) and len(mo) < 2:
        problems.append("month_padding")
    trail = m.group("trail").strip().strip("*").strip()
    if trail:
        problems.append("trailing")
    if not problems:
        return []
    month = mo.zfill(2) if int(mo) <= 2 else mo
    expected = f"{place or h.place or '<địa danh>'}, ngày {d.zfill(2)} tháng {month} năm {y}"
    vi, en = r.problems(problems)
    return [r.finding(*span, expected=expected, actual=h.date_line, problems=vi, problems_en=en)]


@rule("P05")
def party_date_line(doc: Document, r: Rule) -> list[Finding]:
    if not doc.header.date_line:
        a, b = header_span(doc, "number_line", "national") or first_line_span(doc)
        return [r.finding(a, b, case="missing")]
    return _date_line_findings(doc, r)


@rule("S08")
def state_date_line(doc: Document, r: Rule) -> list[Finding]:
    return _date_line_findings(doc, r)


def _no_title_ok(doc: Document, r: Rule) -> bool:
    return (doc.header.doc_type or "") in r.param("no_title_types", [])


@rule("P06")
def party_type_line(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    if h.subject_line:
        return []
    if not h.type_line:
        if _type_printed(doc):
            return []
        a, b = (doc.body_start, line_span(doc.text, doc.body_start)[1]) if doc.body_start < len(doc.text) \
            else first_line_span(doc)
        return [r.finding(a, b, expected="KẾ HOẠCH / HƯỚNG DẪN / ...", actual=None)]
    if not h.title and not _no_title_ok(doc, r):
        span = header_span(doc, "doc_type")
        return [r.finding(*span, case="no_title", expected=None, actual=h.type_line)] if span else []
    return []


@rule("S09")
def state_type_line(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    if h.doc_type == "Công văn" and not h.subject_line and not h.type_line:
        a, b = header_span(doc, "number_line") or first_line_span(doc)
        return [r.finding(a, b, case="cong_van", expected="V/v ...", actual=None)]
    if h.type_line and not h.title and not _no_title_ok(doc, r):
        span = header_span(doc, "doc_type")
        return [r.finding(*span, expected=None, actual=h.type_line)] if span else []
    return []


@rule("S01")
def state_required_parts(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    parts_table = r.params.get("parts", {})
    out: list[Finding] = []
    top = first_line_span(doc)
    head = _head_text(doc)

    def missing(part: str, span: tuple[int, int]) -> None:
        vi, en = parts_table.get(part, [part, part])
        out.append(r.finding(span[0], span[1], expected=vi, actual=None, part=vi, part_en=en))

    # Điều 8 khoản 2 a): "Quốc hiệu và Tiêu ngữ" is one part
    if not h.national and not h.motto:
        missing("national_motto", top)
    elif not h.national:
        missing("national", top)
    elif not h.motto:
        missing("motto", header_span(doc, "national") or top)
    if not _issuer_in_header(doc):
        missing("issuer", top)
    if not h.number_line and not _HEAD_NUMBER.search(head):
        missing("number", (header_span(doc, "issuer") if _issuer_in_header(doc) else None) or top)
    if not h.date_line and not _HEAD_DATE.search(head):
        missing("date", header_span(doc, "number_line", "national") or top)
    if not h.doc_type and not _type_printed(doc):
        a = doc.body_start if doc.body_start < len(doc.text) else 0
        missing("type", line_span(doc.text, a))
    if not doc.signatures:
        if not _signature_printed(doc):
            a = max(doc.body_end - 1, 0)
            missing("signature", line_span(doc.text, a))
    elif not doc.signatures[0].signer:
        sig = doc.signatures[0]
        missing("signer", (sig.start, sig.end))
    if not doc.recipients and not re.search(r"(?m)^\s*Nơi\s+nhận", doc.text):
        a = doc.signatures[0].start if doc.signatures else max(doc.body_end - 1, 0)
        missing("recipients", line_span(doc.text, a))
    return out


@rule("S03")
def state_type_known(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    if not h.doc_type or not h.type_line:
        return []
    legal = {t["name"] for t in doc_types() if t.get("legal")}
    if h.doc_type in r.param("types_dieu7", []) or h.doc_type in legal:
        return []
    span = header_span(doc, "doc_type")
    return [r.finding(*span, expected=None, actual=h.type_line)] if span else []


@rule("S04")
def state_national(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    out: list[Finding] = []
    want_n = r.param("national")
    if h.national and fold_tones(" ".join(h.national.split())).upper() != fold_tones(want_n).upper():
        out.append(r.finding(*header_span(doc, "national"), expected=want_n, actual=h.national))
    want_m = r.param("motto")
    span = header_span(doc, "motto")
    if h.motto and span:
        # the words must be the motto's; the spacing around the hyphens must be " - "
        m = re.match(r"^Độc\s*lập(\s*)[-–—](\s*)Tự\s*do(\s*)[-–—](\s*)Hạnh\s*phúc", h.motto)
        if not m:
            out.append(r.finding(*span, expected=want_m, actual=h.motto))
        elif any(g != " " for g in m.groups()):
            out.append(r.finding(span[0], span[0] + m.end(), expected=want_m, actual=m.group(0)))
    return out


# -- signature (P07, P08, S13, C07) ------------------------------------------------------------------

def _authority_lines(doc: Document) -> list[tuple[str, tuple[int, int]]]:
    """Each signature's authority lines with the span of the printed line that opens them."""
    out: list[tuple[str, tuple[int, int]]] = []
    for sig in doc.signatures:
        for auth in sig.authority_lines:
            span = None
            head = auth.split()[0] if auth.split() else auth
            for ln in sig.lines:
                if ln.text.startswith(head) and ln.text.split()[:1] == auth.split()[:1]:
                    span = (ln.start, ln.end)
                    break
            if span is None:
                span = (sig.start, sig.end)
            out.append((auth, span))
    return out


def _prefix(auth: str) -> tuple[str, str]:
    """('T/M', 'ĐẢNG ỦY') of an authority line."""
    m = SIGN_PREFIX.match(auth)
    if not m:
        return "", auth
    return m.group(0), auth[m.end():].strip()


def _fix_prefix(prefix: str, table: dict[str, str]) -> str | None:
    p = " ".join(prefix.split()).upper()
    return table.get(p)


@rule("P07")
def party_signing(doc: Document, r: Rule) -> list[Finding]:
    out: list[Finding] = []
    table = r.param("foreign_prefixes", {})
    for auth, span in _authority_lines(doc):
        prefix, rest = _prefix(auth)
        fixed = _fix_prefix(prefix, table) if prefix else None
        if fixed:
            out.append(r.finding(*span, expected=f"{fixed} {rest}".strip(), actual=auth))
    issuer = doc.header.issuer or ""
    collective = re.compile(r.param("collective_issuer", "^$"))
    if doc.signatures and issuer and collective.search(issuer):
        sig = doc.signatures[0]
        auths = sig.authority_lines
        first = auths[0] if auths else ""
        prefix, rest = _prefix(first)
        p = " ".join(prefix.split()).upper()
        if p in ("T/M", "TM.", "TM", "THAY MẶT"):
            return out
        span = _authority_lines(doc)[0][1] if auths else (sig.start, sig.end)
        printed = first or (sig.position or "")
        if p in ("K/T", "KT.", "KT", "KÝ THAY") and r.param("committee_kt_forbidden"):
            out.append(r.finding(*span, case="committee_kt", expected="T/M", actual=printed, issuer=issuer))
        elif not prefix:
            out.append(r.finding(*span, case="collective", expected=f"T/M {_collective_name(issuer)}",
                                 actual=printed, issuer=issuer))
    return out


def _collective_name(issuer: str) -> str:
    m = re.match(r"^(Ban Thường vụ|Ban Chấp hành|Thường trực|Đảng ủy|Đảng uỷ|Chi bộ|Tỉnh ủy|Thành ủy|Huyện ủy)", issuer)
    return (m.group(1) if m else issuer).upper()


_POSITION_BODY = re.compile(r"\b(?:TỈNH|THÀNH|HUYỆN|QUẬN|ĐẢNG)\s+(?:ỦY|UỶ)\b|\bCHI\s+BỘ\b|\bĐẢNG\s+BỘ\b|\bBAN\s+[A-ZĐ]")
_ACADEMIC = re.compile(r"^(?:GS|PGS|TS|ThS|TSKH|CN|KS|BS)\.?\s*(?:,\s*|\s+)")


@rule("P08")
def party_signer_title(doc: Document, r: Rule) -> list[Finding]:
    out: list[Finding] = []
    for sig in doc.signatures:
        pos = sig.position or ""
        m = re.match(r"^(PHÓ\s+BÍ\s+THƯ(?:\s+THƯỜNG\s+TRỰC)?|BÍ\s+THƯ|TRƯỞNG\s+BAN|PHÓ\s+TRƯỞNG\s+BAN|CHỦ\s+NHIỆM|"
                     r"PHÓ\s+CHỦ\s+NHIỆM)\s+(.+)$", pos)
        if m and _POSITION_BODY.search(m.group(2)):
            ln = next((x for x in sig.lines if x.text == pos), None)
            span = (ln.start, ln.end) if ln else (sig.start, sig.end)
            out.append(r.finding(*span, expected=m.group(1), actual=pos))
        if sig.signer and _ACADEMIC.match(sig.signer):
            ln = next((x for x in sig.lines if x.text == sig.signer), None)
            span = (ln.start, ln.end) if ln else (sig.start, sig.end)
            out.append(r.finding(*span, expected=_ACADEMIC.sub("", sig.signer), actual=sig.signer))
    return out


@rule("S13")
def state_signing(doc: Document, r: Rule) -> list[Finding]:
    out: list[Finding] = []
    table = r.param("foreign_prefixes", {})
    allowed = set(r.param("sign_prefixes", []))
    for auth, span in _authority_lines(doc):
        prefix, rest = _prefix(auth)
        if not prefix or " ".join(prefix.split()).upper() in allowed:
            continue
        fixed = _fix_prefix(prefix, table)
        if fixed:
            out.append(r.finding(*span, expected=f"{fixed} {rest}".strip(), actual=auth))
    return out


def authority_body(doc: Document) -> tuple[str, tuple[int, int]] | None:
    """The body named by the first authority line without its prefix ('ĐẢNG ỦY'), or the
    position of a signer who signs in their own name ('CHỦ TỊCH')."""
    if not doc.signatures:
        return None
    sig = doc.signatures[0]
    lines = _authority_lines(doc)
    if lines:
        auth, span = lines[0]
        _p, rest = _prefix(auth)
        # "T/M BAN" + position "BÍ THƯ" is "T/M BAN BÍ THƯ" broken over two lines
        if re.fullmatch(r"BAN", rest.strip()) and (sig.position or "").startswith("BÍ THƯ"):
            rest = "BAN BÍ THƯ"
        return rest, span
    if sig.position:
        ln = next((x for x in sig.lines if x.text == sig.position), None)
        return sig.position, ((ln.start, ln.end) if ln else (sig.start, sig.end))
    return None


@lru_cache(maxsize=256)
def _kind_re(pattern: str) -> re.Pattern:
    return re.compile(fold_tones(pattern))


def _kind_of(name: str, kinds: list[dict[str, Any]], key: str) -> list[str]:
    name = fold_tones(name)
    return [k["kind"] for k in kinds if _kind_re(k[key]).search(name)]


@rule("C07")
def authority_fits_issuer(doc: Document, r: Rule) -> list[Finding]:
    issuer = doc.header.issuer
    ab = authority_body(doc)
    if not issuer or not ab:
        return []
    kinds = r.param("kinds", [])
    ik = _kind_of(issuer, kinds, "issuer")
    body, span = ab
    ak = _kind_of(body.upper(), kinds, "authority")
    if not ik or not ak or ik[0] in ak:
        return []
    expected = next(k["expected"] for k in kinds if k["kind"] == ik[0])
    printed = next((a for a, s in _authority_lines(doc) if s == span), body)
    return [r.finding(*span, expected=expected, actual=printed, issuer=issuer)]


# -- recipients (P09, S15) ------------------------------------------------------------------------

def _recipient_lines(doc: Document) -> list[tuple[str, tuple[int, int]]]:
    out = []
    for rc in doc.recipients:
        a = doc.text.rfind("\n", 0, rc.start) + 1
        while a < rc.start and doc.text[a] in " \t":
            a += 1
        _x, b = line_span(doc.text, max(rc.end - 1, rc.start))
        out.append((doc.text[a:b], (a, b)))
    return out


def _recipient_findings(doc: Document, r: Rule, state: bool) -> list[Finding]:
    lines = _recipient_lines(doc)
    if not lines:
        return []
    ends = tuple(r.param("line_ends", [";"]))
    bad: dict[str, list[tuple[str, tuple[int, int]]]] = {}
    for i, (ln, span) in enumerate(lines):
        last = i == len(lines) - 1
        t = ln.strip()
        if not re.match(r"^[-+–•]", t):
            bad.setdefault("dash", []).append((ln, span))
        # "- Bộ Tài chính; (Báo cáo)": a brace's note printed after the line by the rendering
        t_end = re.sub(r"\s*\((?:để\s+)?(?:báo\s+cáo|b/c|thực\s+hiện|t/h|p/h|phối\s+hợp)\)\s*$", "", t, flags=re.I) \
            if t.rstrip().endswith(")") and re.search(r"[;,]\s*\([^()]*\)\s*$", t) else t
        if not last and not t_end.endswith(ends) and not t_end.endswith(":"):
            bad.setdefault("line_end", []).append((ln, span))
    ln, span = lines[-1]
    body = re.sub(r"^[-+–•]\s*", "", ln.strip())
    if not re.match(r"^Lưu\b", body, re.I):
        bad.setdefault("last_luu", []).append((ln, span))
    else:
        if state and not re.match(r"^Lưu\s*:", body, re.I):
            bad.setdefault("luu_colon", []).append((ln, span))
        if state and not re.match(r"^Lưu\s*:?\s*(?:VT|Văn\s+thư)", body, re.I):
            bad.setdefault("luu_vt", []).append((ln, span))
        # "- Lưu: VT, KGVX (3). ĐND": the drafter's initials may follow the full stop
        if not re.search(r"\.(?:\s+[\wĐđ]{1,6})?$", body):
            bad.setdefault("luu_period", []).append((ln, span))
    out = []
    for key, items in bad.items():
        vi, en = r.problems([key])
        more_vi, more_en = _lines_note(doc, [s for _l, s in items[1:]])
        first_line, first_span = items[0]
        out.append(r.finding(*first_span, expected=None, actual=first_line.strip(), problems=vi + more_vi,
                             problems_en=en + more_en))
    return out


@rule("P09")
def party_recipients(doc: Document, r: Rule) -> list[Finding]:
    if not doc.recipients:
        if re.search(r"(?m)^\s*Nơi\s+nhận", doc.text):
            return []
        a = doc.signatures[0].start if doc.signatures else max(doc.body_end - 1, 0)
        return [r.finding(*line_span(doc.text, a), case="missing")]
    return _recipient_findings(doc, r, state=False)


@rule("S15")
def state_recipients(doc: Document, r: Rule) -> list[Finding]:
    return _recipient_findings(doc, r, state=True)    # a missing block is S01's


# -- headings (C01, C02, P10, S12) -------------------------------------------------------------------

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ORDINAL = {"NHẤT": 1, "HAI": 2, "BA": 3, "TƯ": 4, "BỐN": 4, "NĂM": 5, "SÁU": 6, "BẢY": 7, "TÁM": 8, "CHÍN": 9, "MƯỜI": 10}


def roman_value(s: str) -> int | None:
    s = s.upper()
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN[c]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def to_roman(n: int) -> str:
    vals = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _is_bullet(s: Section) -> bool:
    return s.kind.startswith("bullet")


def _marker_span(doc: Document, s: Section) -> tuple[int, int]:
    a = s.start
    if s.marker and doc.text.startswith(s.marker, a):
        return a, a + len(s.marker)
    return s.label_start, s.label_end


def _punct(s: Section) -> str:
    """The punctuation printed after a label: '-' for 'II-', '.' for '1.', ')' for 'a)'."""
    m = s.marker
    if s.kind in ("paren", "lparen"):
        return "()"
    if s.label and s.label in m:
        tail = m[m.index(s.label) + len(s.label):]
        return tail.strip()
    return m[-1:] if m else ""


def _value(s: Section, alphabet: list[str]) -> int | None:
    label = (s.label or "").strip()
    k = s.kind
    if k == "roman":
        return roman_value(label)
    if k in ("arabic", "paren"):
        return int(label) if label.isdigit() else None
    if k.startswith("decimal"):
        last = label.split(".")[-1]
        return int(last) if last.isdigit() else None
    if k in ("letter", "lparen"):
        return alphabet.index(label) + 1 if label in alphabet else None
    if k == "uletter":
        return ord(label) - ord("A") + 1 if len(label) == 1 else None
    if k in ("phan", "chuong", "muc", "dieu"):
        word = label.split()[-1]
        if word.isdigit():
            return int(word)
        rv = roman_value(word)
        if rv:
            return rv
        return _ORDINAL.get(fold_tones(word).upper())
    return None


def _shown(s: Section, value: int, alphabet: list[str]) -> str:
    """How heading number ``value`` of the same kind and punctuation is printed."""
    k, p = s.kind, _punct(s)
    if k == "roman":
        lab = to_roman(value)
    elif k in ("arabic",):
        lab = str(value)
    elif k == "paren":
        return f"({value})"
    elif k == "lparen":
        return f"({alphabet[value - 1]})" if 0 < value <= len(alphabet) else "?"
    elif k.startswith("decimal"):
        lab = ".".join((s.label or "").split(".")[:-1] + [str(value)])
    elif k == "letter":
        lab = alphabet[value - 1] if 0 < value <= len(alphabet) else "?"
    elif k == "uletter":
        lab = chr(ord("A") + value - 1)
    else:
        words = (s.label or "").split()
        lab = " ".join(words[:-1] + [to_roman(value) if roman_value(words[-1]) else str(value)])
        return lab + (p if p not in ("()",) else "")
    return lab + p


def _sibling_groups(nodes: list[Section]):
    """Children of each parent grouped by kind, in order, with the parent."""
    stack: list[tuple[Section | None, list[Section]]] = [(None, nodes)]
    while stack:
        parent, kids = stack.pop()
        groups: dict[str, list[Section]] = {}
        for c in kids:
            if not _is_bullet(c):
                groups.setdefault(c.kind, []).append(c)
            stack.append((c, c.children))
        for kind, items in groups.items():
            yield parent, kind, items


def _all_section_trees(doc: Document) -> list[list[Section]]:
    trees = [doc.sections]
    trees.extend(p.sections for p in doc.appendices if p.sections and p.kind == "attachment")
    return trees


_LATIN = [chr(c) for c in range(ord("a"), ord("z") + 1)]


def _quoted_regions(doc: Document) -> list[tuple[int, int]]:
    """Text quoted over several lines ("“Điều 6a. ...”" in an amending decision): its
    headings are the amended document's, numbered on their own."""
    t = doc.text
    out = []
    # a line that opens with a quote: the first line, then each after a newline (a pattern
    # opening with the literal newline is scanned for far faster than one opening with ^)
    first = _QUOTE_OPENS.match(t)
    for m in ([first] if first else []) + list(_QUOTE_LINE.finditer(t)):
        close = t.find("”", m.end())
        if close < 0:
            close = t.find('"', m.end())
        if close > 0 and "\n" in t[m.end():close]:
            out.append((m.start() + (m is not first), close))     # (after the newline)
    return out


_QUOTE_OPENS = re.compile(r"[ \t]*[“\"]")
_QUOTE_LINE = re.compile(r"\n[ \t]*[“\"]")


def _excluded(doc: Document, s: Section, quoted: list[tuple[int, int]]) -> bool:
    """Headings the sequence rule must not count."""
    if quoted and any(a <= s.start < b for a, b in quoted):
        return True
    t = doc.text
    prev_line = t[t.rfind("\n", 0, max(s.start - 1, 0)) + 1: max(s.start - 1, 0)].strip()
    if s.kind == "arabic" and prev_line in ("Điều", "Chương", "Mục", "Phần"):
        return True              # "Điều" / "4. Điều khoản thi hành": a Điều label broken over two lines
    # (the line before is tested first: it rarely qualifies, and the rest of the line is then not read)
    if (prev_line.endswith(",") or (len(prev_line) > 60 and prev_line[-1:].isalnum())):
        rest = t[s.start + len(s.marker): line_span(t, s.start)[1]].strip() if t.startswith(s.marker, s.start) else ""
        if not rest or rest[:1].islower():
            return True          # "... tại điểm a), b), c)," / "d) khoản 1": a wrapped line, not a heading
    if s.kind.startswith("decimal"):
        after = t[s.label_end: s.label_end + 2]
        if after[:1] in "-–x×%," or (not s.marker.endswith(".") and after[1:2].islower()):
            return True          # "1.8-2.0 gram", "1.82 inch": a measure, not a heading
    return False


def _unnumbered_before(doc: Document, s: Section, bound: int) -> int:
    """Unnumbered paragraphs just before heading ``s`` (back to ``bound``): bullets are
    skipped, a labelled heading or a list's lead-in line ("... như sau:") stops the count."""
    n = 0
    for ln in reversed(split_lines(doc.text, bound, s.start)):
        c = classify(ln.text)
        if c and c[0].startswith("bullet"):
            continue
        if c or ln.text.rstrip().endswith(":"):
            break
        n += 1
    return n


@rule("C01")
def heading_sequence(doc: Document, r: Rule) -> list[Finding]:
    alphabet = r.param("alphabet")
    optional = set(r.param("optional_letters", []))
    kinds = set(r.param("kinds", []))
    quoted = _quoted_regions(doc)
    out: list[Finding] = []
    for tree in _all_section_trees(doc):
        last_seen: dict[tuple[int, str], int] = {}   # (level, kind) -> last value, for numbering that runs on
        groups = sorted(_sibling_groups(tree), key=lambda g: g[2][0].start)
        for parent, kind, items in groups:
            if kind not in kinds:
                continue
            items = [s for s in items if not _excluded(doc, s, quoted)]
            if not items:
                continue
            letters = alphabet
            if kind in ("letter", "lparen"):
                labels = {s.label for s in items}
                if labels & {"f", "j", "w", "z"}:
                    letters = _LATIN               # the Latin alphabet throughout: S12 says so for State text
                if items[0].label == "i" and kind == "lparen":
                    continue                       # (i), (ii), (iii): Roman numerals, not letters
            out.extend(_sequence(doc, r, parent, items, letters, optional, last_seen))
        dieu = [s for s in _walk(tree) if s.kind == "dieu" and not _excluded(doc, s, quoted)]
        if dieu and "dieu" in r.param("continuous_kinds", []):
            out.extend(_sequence(doc, r, None, dieu, alphabet, optional, {}))
    return out


def _walk(nodes: list[Section]):
    """Every section of the trees ``nodes``, parents before their children, in order (a
    stack, not a generator per level)."""
    stack = nodes[::-1]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _inline_label(doc: Document, prev_s: Section | None, want: str) -> bool:
    """The missing label printed inside the previous item's line ("... hàng năm b. Địa điểm"):
    two paragraphs run together, the label is there."""
    if prev_s is None:
        return False
    a, b = line_span(doc.text, prev_s.start)
    return bool(re.search(rf"\s{re.escape(want)}\s+[A-ZĐÀ-Ỹ]", doc.text[a:b]))


def _sequence(doc, r, parent, items, alphabet, optional, last_seen) -> list[Finding]:
    out: list[Finding] = []
    prev: int | None = None
    prev_s: Section | None = None
    after_repeat = False
    seen_at: dict[int, Section] = {}
    key = (items[0].level, items[0].kind)
    for s in items:
        v = _value(s, alphabet)
        if v is None:
            prev, prev_s = None, None      # a label outside the alphabet: S12 reports it; restart here
            continue
        span = _marker_span(doc, s)
        if s.kind.startswith("decimal") and parent is not None and parent.label and parent.kind in ("arabic", "decimal2", "decimal3"):
            want_prefix = parent.label
            got_prefix = ".".join((s.label or "").split(".")[:-1])
            if got_prefix != want_prefix:
                out.append(r.finding(*span, case="prefix", expected=f"{want_prefix}.{v}", actual=s.marker,
                                     parent=parent.marker))
        if prev is None:
            first_ok = v == 1 or last_seen.get(key, 0) + 1 == v
            if not first_ok:
                since = line_span(doc.text, parent.start)[1] + 1 if parent is not None else doc.body_start
                lost = _unnumbered_before(doc, s, since)
                if lost and lost == v - 1:
                    out.append(r.finding(*span, case="lost", expected=_shown(s, 1, alphabet), actual=s.marker,
                                         count=lost))
                else:
                    out.append(r.finding(*span, case="start", expected=_shown(s, 1, alphabet), actual=s.marker))
        else:
            step_ok = v == prev + 1 or (after_repeat and v == prev + 2)
            if (not step_ok and s.kind in ("letter", "lparen") and 0 < prev < len(alphabet)
                    and alphabet[prev] in optional and v == prev + 2):
                step_ok = True                 # d -> e: đ may be skipped (S12 says more for State text)
            after_repeat = False
            if not step_ok:
                want = _shown(s, prev + 1, alphabet)
                if v == prev:
                    out.append(r.finding(*span, case="repeat", expected=want, actual=s.marker,
                                         prev=prev_s.marker if prev_s else "",
                                         prev_line=doc.line_of(seen_at[v].start) if v in seen_at else ""))
                    after_repeat = True
                elif v > prev:
                    lost = _unnumbered_before(doc, s, line_span(doc.text, prev_s.start)[1] + 1) if prev_s else 0
                    if _inline_label(doc, prev_s, want):
                        pass
                    elif lost > 0 and lost == v - prev - 1:
                        out.append(r.finding(*span, case="lost", expected=want, actual=s.marker, count=lost))
                    else:
                        out.append(r.finding(*span, case="gap", expected=want, actual=s.marker,
                                             prev=prev_s.marker if prev_s else ""))
                elif v != 1:
                    out.append(r.finding(*span, case="backwards", expected=want, actual=s.marker,
                                         prev=prev_s.marker if prev_s else ""))
                # v == 1 after a higher number: a new list starts (a nested list the tree flattened)
        seen_at.setdefault(v, s)
        prev, prev_s = v, s
    if prev is not None:
        last_seen[key] = prev
    return out


def _style_groups(doc: Document) -> dict[str, dict[str, list[Section]]]:
    """kind -> punctuation -> headings, over the body and attached regulations."""
    out: dict[str, dict[str, list[Section]]] = {}
    for tree in _all_section_trees(doc):
        for s in _walk(tree):
            if _is_bullet(s) or s.kind in ("paren", "lparen"):
                continue
            out.setdefault(s.kind, {}).setdefault(_punct(s), []).append(s)
    return out


@rule("P10")
def party_heading_mix(doc: Document, r: Rule) -> list[Finding]:
    out: list[Finding] = []
    for kind, by_p in _style_groups(doc).items():
        if kind not in ("roman", "arabic") or not {"-", "."} <= set(by_p):
            continue
        major = max(("-", "."), key=lambda p: (len(by_p[p]), -by_p[p][0].start))
        minor = "." if major == "-" else "-"
        first = by_p[minor][0]
        out.append(r.finding(*_marker_span(doc, first), expected=by_p[major][0].marker, actual=first.marker))
    return out


@rule("C02")
def heading_style(doc: Document, r: Rule) -> list[Finding]:
    allowed = r.pack_params.get("heading_punct", {})
    party = r.pack_params.get("national", "").startswith("ĐẢNG")
    out: list[Finding] = []
    for kind, by_p in _style_groups(doc).items():
        if len(by_p) < 2:
            continue
        styles = sorted(by_p, key=lambda p: (-len(by_p[p]), by_p[p][0].start))
        major = styles[0]
        for p in styles[1:]:
            if party and {p, major} == {"-", "."}:
                continue                  # P10's case
            if not party and kind in allowed and p not in allowed[kind]:
                continue                  # S12 reports the form itself
            first = by_p[p][0]
            out.append(r.finding(*_marker_span(doc, first), expected=by_p[major][0].marker, actual=first.marker))
    return out


@rule("S12")
def state_headings(doc: Document, r: Rule) -> list[Finding]:
    allowed = r.param("heading_punct", {})
    alphabet = load_pack("state-2020").rules.get("C01")
    letters = set(alphabet.param("alphabet")) if alphabet else set("abcdđeghiklmnopqrstuvxy")
    bad: dict[tuple[str, str], list[Section]] = {}
    for tree in _all_section_trees(doc):
        for s in _walk(tree):
            if _is_bullet(s):
                continue
            if s.kind in ("letter", "lparen") and (s.label or "") not in letters:
                bad.setdefault(("!alphabet", s.kind), []).append(s)
                continue
            if s.kind in ("phan", "chuong"):
                word = (s.label or "").split()[-1] if s.label else ""
                if word.isdigit():
                    bad.setdefault(("!roman", s.kind), []).append(s)
                    continue
            p = _punct(s)
            if s.kind in allowed and p not in allowed[s.kind]:
                bad.setdefault((s.kind, p), []).append(s)
    out: list[Finding] = []
    for (kind, p), items in sorted(bad.items(), key=lambda kv: kv[1][0].start):
        first = items[0]
        more_vi, more_en = _lines_note(doc, [(x.start, x.end) for x in items[1:]])
        span = _marker_span(doc, first)
        if kind == "!alphabet":
            out.append(r.finding(*span, case="letter", expected=None, actual=first.marker, more=more_vi,
                                 more_en=more_en))
        elif kind == "!roman":
            words = (first.label or "").split()
            exp = " ".join(words[:-1] + [to_roman(int(words[-1]))])
            out.append(r.finding(*span, case="chuong", expected=exp, actual=first.marker))
        else:
            want = allowed[kind][0]
            lab = first.label or ""
            exp = f"{lab}{want}" if first.kind != "dieu" else f"{lab}."
            out.append(r.finding(*span, expected=exp, actual=first.marker, more=more_vi, more_en=more_en))
    return out


# -- citations and dates (C03, C04, C06, S10, S11/P12) ---------------------------------------------------

_BOUND_PAD = {"start": ("-01", "-01-01"), "end": ("-31", "-12-31")}


def _date_bound(value: Any, side: str) -> str | None:
    """The first (``side="start"``) or last (``"end"``) day a date value covers:
    '2025-11' -> '2025-11-01' / '2025-11-31' (compares right as text); a period's own
    start or end."""
    if isinstance(value, str):
        month_pad, year_pad = _BOUND_PAD[side]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return value
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return value + month_pad
        if re.fullmatch(r"\d{4}", value):
            return value + year_pad
        return None
    if isinstance(value, dict) and value.get(side):
        return _date_bound(value[side], side)
    return None


def _date_end(value: Any) -> str | None:
    return _date_bound(value, "end")


def _date_start(value: Any) -> str | None:
    return _date_bound(value, "start")


def later_than(a: str | None, b: str | None) -> bool:
    """Is date ``a`` surely later than ``b``? Month-only dates compare at month level."""
    if not a or not b:
        return False
    if len(a) == 7 or len(b) == 7:
        return a[:7] > b[:7]
    return a > b


def _vn_date(iso: str | None) -> str:
    if not iso:
        return "?"
    p = iso.split("-")
    if len(p) == 3:
        return f"{int(p[2]):02d}/{int(p[1]):02d}/{p[0]}"
    if len(p) == 2:
        return f"{int(p[1]):02d}/{p[0]}"
    return iso


def solid(ref) -> bool:
    """A reference whose printed text shows its own symbol ("... 27/CT-TTg ..."); a bare
    number the references stage read as a code ("năm 2025, 8008/...") is left aside."""
    if not ref.number_symbol:
        return True
    letters = re.findall(r"[A-Za-zĐđ]{2,}", ref.number_symbol)
    t = ref.text.upper().replace(" ", "")
    return not letters or any(x.upper() in t for x in letters)


def ref_label(ref) -> str:
    if ref.number_symbol:
        return f"{ref.doc_type + ' ' if ref.doc_type else ''}{ref.number_symbol}".strip()
    return ref.name or ref.text[:60]


@rule("C03")
def not_before_cited(doc: Document, r: Rule) -> list[Finding]:
    date = doc.header.issued_date
    if not date:
        return []
    rel_vi = r.param("relation_vi", {})
    rel_en = r.param("relation_en", {})
    out: list[Finding] = []
    done: set[tuple] = set()
    for ref in doc.references:
        if not ref.date or not later_than(ref.date, date) or not solid(ref):
            continue
        key = (ref.number_symbol or ref.name or ref.text, ref.date)
        if key in done:
            continue
        done.add(key)
        out.append(r.finding(ref.start, ref.end, expected=f"≥ {_vn_date(ref.date)}", actual=_vn_date(date),
                             date=_vn_date(date), ref=ref_label(ref), ref_date=_vn_date(ref.date),
                             relation=rel_vi.get(ref.relation, ref.relation),
                             relation_en=rel_en.get(ref.relation, ref.relation)))
    return out


def _same_issuer(a: str | None, b: str | None) -> bool | None:
    """True/False where both are known; None where one is missing."""
    if not a or not b:
        return None
    return bool(same_body(a, b))


@rule("C04")
def citations_consistent(doc: Document, r: Rule) -> list[Finding]:
    out: list[Finding] = []
    first: dict[str, Any] = {}
    for ref in sorted(doc.references, key=lambda x: x.start):
        if not ref.number_symbol or not ref.date or not solid(ref):
            continue
        key = re.sub(r"\s+", "", ref.number_symbol).upper()
        f = first.get(key)
        if f is None:
            first[key] = ref
            continue
        if f.date != ref.date and _same_issuer(f.issuer, ref.issuer) is not False:
            out.append(r.finding(ref.start, ref.end, expected=_vn_date(f.date), actual=_vn_date(ref.date),
                                 ref=ref_label(ref), first_line=doc.line_of(f.start)))
    aliases: dict[str, Any] = {}
    for ref in sorted(doc.references, key=lambda x: x.start):
        if not ref.alias or ref.refers_to is not None:
            continue
        k = match_key(ref.alias)
        prev = aliases.get(k)
        if prev is None:
            aliases[k] = ref
        elif (prev.number_symbol or prev.name) != (ref.number_symbol or ref.name):
            out.append(r.finding(ref.start, ref.end, case="alias_redefined", expected=ref_label(prev),
                                 actual=ref_label(ref), alias=ref.alias))
    return out


_PAST_SECTION = re.compile(r"(?i)(đánh\s+giá|kết\s+quả|tình\s+hình|thực\s+trạng|bối\s+cảnh|sự\s+cần\s+thiết|căn\s+cứ)")


def _top_title(doc: Document, pos: int) -> str:
    for s in doc.sections:
        if s.start <= pos < max(s.end, s.start + 1):
            return s.title or ""
    return ""


def plan_period(doc: Document) -> tuple[str, str] | None:
    """The period a plan covers, from the dates printed in its title (a year or a range)."""
    span = doc.header.spans.get("title")
    if not span:
        return None
    starts, ends = [], []
    for dm in doc.dates:
        if span[0] <= dm.start and dm.end <= span[1] and dm.kind in ("year", "interval", "period", "quarter", "month"):
            s, e = _date_start(dm.value), _date_end(dm.value)
            if s and e:
                starts.append(s)
                ends.append(e)
    if not starts:
        return None
    return min(starts), max(ends)


def is_deadline(dm) -> bool:
    return dm.kind == "deadline" or dm.bound in ("before", "by")


@rule("C06")
def deadlines_inside_plan(doc: Document, r: Rule) -> list[Finding]:
    issued = doc.header.issued_date
    period = plan_period(doc)
    out: list[Finding] = []
    for dm in doc.dates:
        if not is_deadline(dm) or dm.start < doc.body_start or dm.start >= doc.body_end:
            continue
        if isinstance(dm.value, dict) and dm.value.get("every"):
            continue
        if _PAST_SECTION.search(_top_title(doc, dm.start)):
            continue
        end = _date_end(dm.value)
        if not end:
            continue
        if issued and len(issued) == 10 and end < issued:
            out.append(r.finding(dm.start, dm.end, case="before_issue", expected=_vn_date(issued), actual=dm.text))
        elif period and end > period[1]:
            out.append(r.finding(dm.start, dm.end, expected=f"{_vn_date(period[0])} – {_vn_date(period[1])}",
                                 actual=dm.text))
    return out


_CAN_CU = re.compile(r"^(?:Căn\s+cứ|Theo\s+đề\s+nghị|Xét\s+đề\s+nghị|Xét\s+(?:Tờ\s+trình|báo\s+cáo))", re.I)
_DECIDES = re.compile(r"^(?:QUYẾT\s+ĐỊNH|QUYẾT\s+NGHỊ|BAN\s+HÀNH|CHỈ\s+THỊ|NGHỊ\s+QUYẾT)\s*:?\s*$")


@rule("S10")
def state_can_cu(doc: Document, r: Rule) -> list[Finding]:
    """The căn cứ lines before the body: ';' after each line; '.' after the last where a
    decision word ("QUYẾT ĐỊNH:") follows them (in a plan prose follows, and may differ)."""
    lines = split_lines(doc.text, doc.body_start, doc.body_end or None)[:60]
    block = []
    after = None
    for ln in lines:
        if _CAN_CU.match(ln.text):
            block.append(ln)
            continue
        if block:
            after = ln
            break
        if not ln.upper:
            return []            # prose comes first: no căn cứ block
    if not block:
        return []
    decides = after is not None and bool(_DECIDES.match(after.text) or (after.upper and len(block) > 0))
    out = []
    for i, ln in enumerate(block):
        last = i == len(block) - 1
        t = ln.text.rstrip()
        if last:
            if decides and not t.endswith("."):
                out.append(r.finding(ln.start, ln.end, expected=".", actual=t[-40:]))
        elif not t.endswith(";"):
            out.append(r.finding(ln.start, ln.end, expected=";", actual=t[-40:]))
    return out


def _first_citations(doc: Document, r: Rule) -> list[Finding]:
    out: list[Finding] = []
    by_doc: dict[str, list] = {}
    for ref in sorted(doc.references, key=lambda x: x.start):
        if not ref.number_symbol or ref.start < doc.body_start or not solid(ref):
            continue
        by_doc.setdefault(re.sub(r"\s+", "", ref.number_symbol).upper(), []).append(ref)
    for refs in by_doc.values():
        first = refs[0]
        if first.date:
            continue
        full = next((x for x in refs[1:] if x.date), None)
        if full is None:
            continue
        out.append(r.finding(first.start, first.end, expected=full.text[:120], actual=first.text,
                             ref=ref_label(first), missing="ngày ban hành", missing_en="date",
                             full_line=doc.line_of(full.start)))
    return out


@rule("S11")
def state_first_citation(doc: Document, r: Rule) -> list[Finding]:
    return _first_citations(doc, r)


@rule("P12")
def party_first_citation(doc: Document, r: Rule) -> list[Finding]:
    return _first_citations(doc, r)


# -- type and symbol (C05), authority to issue (P11) ------------------------------------------------

def _type_code(symbol: str, system: str) -> str | None:
    """The type code printed in a symbol: 'KH' in 'KH/ĐU', 'KH-UBND', '2025/QĐ-UBND'."""
    s = symbol.replace(" ", "")
    s = re.sub(r"^\d{4}/", "", s)
    if system == "party" and "/" in s:
        return s.split("/")[0]
    return re.split(r"[-/]", s)[0] or None


@lru_cache(maxsize=1)
def _type_codes() -> tuple[dict[str, set[str]], set[str]]:
    by_type: dict[str, set[str]] = {}
    codes: set[str] = set()
    for t in doc_types():
        by_type[t["name"]] = {t.get("party"), t.get("state")} - {None}
        codes |= by_type[t["name"]]
    return by_type, codes


@rule("C05")
def type_matches_symbol(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    if not h.symbol or not h.type_line or h.evidence.get("doc_type") or not h.doc_type:
        return []
    if h.doc_type == "Công văn":
        return []
    system = "party" if re.match(r"^[A-Za-zĐđ]+/", h.symbol.replace(" ", "")) else "state"
    code = _type_code(h.symbol, system)
    codes_by_type, all_codes = _type_codes()
    want = codes_by_type.get(h.doc_type, set())
    if not code or not want or code in want or code not in all_codes:
        return []
    expected_code = sorted(want)[0] if len(want) == 1 else "/".join(sorted(want))
    span = header_span(doc, "number_line") or header_span(doc, "doc_type")
    return [r.finding(*span, expected=expected_code, actual=h.number_symbol or h.symbol,
                      type_line=h.type_line, expected_code=expected_code)]


def may_issue(doc: Document, r: Rule) -> list[Finding]:
    h = doc.header
    if not h.issuer or not h.doc_type or h.doc_type not in r.param("forbidden_types", []):
        return []
    grass = re.compile(r.param("grassroots_issuer", "^$"))
    code = (h.symbol or "").replace(" ", "").split("/")[-1] if "/" in (h.symbol or "") else ""
    if not (grass.search(h.issuer) or code in r.param("grassroots_codes", [])):
        return []
    span = header_span(doc, "doc_type") or first_line_span(doc)
    return [r.finding(*span, expected=None, actual=h.doc_type, issuer=h.issuer, doc_type=h.doc_type,
                      instrument=r.param("instrument", ""))]


@rule("P11")
def party_may_issue(doc: Document, r: Rule) -> list[Finding]:
    return may_issue(doc, r)


# -- bodies (C08) ---------------------------------------------------------------------------------

@lru_cache(maxsize=4096)   # a body's name recurs in a document and from one to the next
def _spelling(s: str) -> str:
    """A name as written: abbreviations expanded, tone placement folded, spaces collapsed,
    case kept."""
    s = re.sub(r"\s*([-–])\s*", r" \1 ", fold_tones(expand_abbreviations(s)))
    return " ".join(s.split())


def _edits(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, stopping at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    # an edit changes the count of one or two letters by one: when the counts of the two
    # strings differ by 2 * limit - 1 or more, the distance is at least limit
    count_a, count_b = Counter(a), Counter(b)
    if sum(((count_a - count_b) + (count_b - count_a)).values()) >= 2 * limit - 1:
        return limit
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) >= limit:
            return limit
        prev = cur
    return min(prev[-1], limit)


@rule("C08")
def bodies_spelled_one_way(doc: Document, r: Rule) -> list[Finding]:
    """One body written two ways: in capitals differently ("Mặt trận tổ quốc Việt nam") or with
    a slip of one or two letters ("Thường tực"). A short form of a name given in full
    elsewhere ("Ban Bí thư" for "Ban Bí thư Trung ương Đảng") is usage, not a finding."""
    groups: dict[str, dict[str, list]] = {}
    for b in doc.bodies:
        if b.start < doc.body_start or (doc.body_end and b.start >= doc.body_end):
            continue
        if not any(c.islower() for c in b.text):
            continue              # a name in capitals (a heading, an authority line) is typography
        groups.setdefault(b.name, {}).setdefault(_spelling(b.text), []).append(b)
    out: list[Finding] = []
    for variants in groups.values():
        if len(variants) < 2:
            continue
        ordered = sorted(variants.items(), key=lambda kv: (-len(kv[1]), kv[1][0].start))
        major_key, major = ordered[0]
        for key, items in ordered[1:]:
            same_letters = key.casefold() == major_key.casefold()
            # (a slip is measured only where the letters differ: equal ones are at distance 0)
            slip = not same_letters and len(key) > 8 and 0 < _edits(key.casefold(), major_key.casefold()) <= 2
            if same_letters or slip:
                out.append(r.finding(items[0].start, items[0].end, expected=major[0].text, actual=items[0].text))
    return out

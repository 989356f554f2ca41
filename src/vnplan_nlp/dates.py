"""Dates and periods in Vietnamese official text, each with a normalised value.

``find_dates(text, doc_date)`` returns every calendar expression with its span, in text
order: days ("ngày 05/02/2024", "ngày 15 tháng 6 năm 2024", "05-02-2024"), months
("tháng 6/2024"), quarters ("Quý III/2024"), half-years ("6 tháng đầu năm 2025"), years
("năm 2025"), ranges ("giai đoạn 2026 - 2030") and recurrences ("định kỳ 6 tháng",
"trước ngày 15/12 hằng năm"). A lead word that bounds the date ("trước", "chậm nhất",
"từ", "đến hết") is part of the span and sets ``bound``.

Values follow ``docs/annotation.md``: a day ``"YYYY-MM-DD"`` (``"YYYY-MM"`` when the day
is left blank), a period ``{"start", "end"}``, a recurrence ``{"every": "P1Y", "on":
"--MM-DD"}``. A day or month printed without a year takes the year of the nearest dated
expression that follows in the same sentence, else of ``doc_date`` (else of the
document's own date line) and says so with ``year_inferred``; with no year anywhere its
value is ``None``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import replace
from datetime import date

from .models import DateMention
from .normalise import compile_guarded

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
NUMBER_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "chín": 9}

# Lead words that bound a date; longest first so "đến hết" wins over "đến".
_BOUNDS = [
    ("chậm nhất là", "before"), ("chậm nhất vào", "before"), ("chậm nhất", "before"),
    ("không quá", "before"), ("không muộn hơn", "before"), ("hoàn thành trước", "before"),
    ("trước", "before"),
    ("hoàn thành trong", "by"), ("xong trong", "by"), ("hoàn thành vào", "by"),
    ("kể từ", "from"), ("bắt đầu từ", "from"), ("từ", "from"),
    ("đến hết", "until"), ("cho đến", "until"), ("đến", "until"), ("tới", "until"),
]
_BOUND_OF = {w: b for w, b in _BOUNDS}
_BOUND_RE = "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w, _ in _BOUNDS) + ")"

_SEP = r"\s*[/.\-]\s*"
_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_Y = r"(?:19|20)\d\d"
_ROMAN_Q = r"(?:IV|I{1,3}|[1-4])"
_RECUR_UNIT = {"năm": "P1Y", "quý": "P3M", "tháng": "P1M", "tuần": "P1W", "ngày": "P1D"}

# One master pattern: at each position the first alternative that matches wins, so the
# longer forms come first. ``(?i)`` because lead words may start a sentence ("Quý", "Năm").
_MASTER_SRC = rf"""(?ix)
(?<![\w/])
(?:(?P<bound>{_BOUND_RE})\s+)?
(?:
   # ngày 15/12 hằng năm, ngày 30 tháng 11 hàng năm, ngày 25/12 trong năm, ngày mồng 3 hằng
   # tháng: a day that recurs
   (?P<rday>ngày\s+(?:mồng\s+)?(?P<rd>{_D})(?:{_SEP}(?P<rm>{_M})|\s+tháng\s+(?P<rm2>{_M}))?\s+(?:(?:hằng|hàng|mỗi)\s+(?P<runit>năm|tháng)|trong\s+năm))
 | # Tháng 11 hằng năm
   (?P<rmonth>tháng\s+(?P<rmm>{_M})\s+(?:hằng|hàng|mỗi)\s+năm)
 | # ngày 15 tháng 6 năm 2024 / ngày 05/02/2024 / ngày 05-02-2024
   (?P<dmy>ngày\s+(?P<d1>{_D})\s+tháng\s+(?P<m1>{_M})\s*(?:,\s*)?năm\s+(?P<y1>{_Y}))
 | (?P<dmy2>ngày\s+(?P<d2>{_D}){_SEP}(?P<m2>{_M}){_SEP}(?P<y2>{_Y}))(?![\d/])
 | # a day left blank in an unissued copy: "ngày    tháng 11 năm 2025", "ngày …/11/2025"
   (?P<blank>ngày(?:\s|[.…_]){{0,12}}?\s*tháng\s+(?P<bm>{_M}|(?:\s|[.…_]){{1,12}}?)\s*(?:năm\s+|/\s*)(?P<by>{_Y}))
 | (?P<blank2>ngày\s*(?:[.…_]+\s*)?/\s*(?:[.…_]+\s*)?(?:(?P<bm2>{_M})\s*)?/\s*(?P<by2>{_Y}))(?![\d/])
 | # từ ngày 08 đến ngày 10 tháng 12 năm 2025: a day whose month comes after
   (?P<dayonly>ngày\s+(?P<d6>{_D}))(?=\s+(?:đến|tới)(?:\s+hết)?\s+ngày\s+\d)
 | # 6 tháng đầu năm 2025
   (?P<half>(?P<hn>\d{{1,2}}|sáu|chín|ba)\s+tháng\s+(?P<hpos>đầu|cuối)\s+năm(?:\s+(?P<hy>{_Y}))?)
 | # Quý III/2024, quý I năm 2026, quý IV
   (?P<quarter>quý\s+(?P<q>{_ROMAN_Q})(?:(?:\s*[/\-]\s*|\s+năm\s+)(?P<qy>{_Y}))?)(?![\w/])
 | # tháng 6/2024, tháng 6 năm 2024, tháng 12
   (?P<month>tháng\s+(?P<mm>{_M})(?:(?:\s*[/\-]\s*|\s+năm\s+)(?P<my>{_Y}))?)(?![\w/]|\s+năm\s+\d|\s*-\s*\d)
 | # ngày 30/9, ngày 15 tháng 6 (the year comes from context)
   (?P<dm>ngày\s+(?P<d3>{_D})(?:{_SEP}(?P<m3>{_M})|\s+tháng\s+(?P<m4>{_M})))(?![\d/]|\s*[.\-]\s*\d|\s+năm\s+\d)
 | # giai đoạn 2026 - 2030, nhiệm kỳ 2026 - 2031, 2021-2025
   (?P<range>(?:(?P<rlead>giai\s+đoạn|nhiệm\s+kỳ|thời\s+kỳ|niên\s+độ|năm\s+học|các\s+năm|năm)\s+)?(?P<ya>{_Y})\s*[-–]\s*(?P<yb>{_Y}))(?![\w/])
 | # năm 2025
   (?P<year>năm\s+(?P<yy>{_Y}))(?![\w/]|\s*-\s*\d)
 | # định kỳ 6 tháng (một lần), 6 tháng một lần
   (?P<every>(?:định\s+kỳ\s+)?(?P<en>\d{{1,2}}|sáu|ba|hai)\s+tháng\s*(?:một|1)\s+lần|định\s+kỳ\s+(?P<en2>\d{{1,2}}|sáu|ba|hai)\s+tháng)
 | # định kỳ hằng quý, hằng năm, hàng tháng
   (?P<recur>(?:định\s+kỳ\s+)?(?:hằng|hàng)\s+(?P<ru>năm|quý|tháng|tuần|ngày))(?![\w])
 | # 05/02/2024, 05-02-2024 without a lead word (never part of a document number)
   (?P<bare>(?P<d5>{_D})(?P<s5>[/.\-])(?P<m5>{_M})(?P=s5)(?P<y5>{_Y}))(?![\w/]|-[A-ZĐ])
 | # đến 2025: a bare year after a bound word
   (?(bound)(?P<byear>{_Y})(?![\w/.,]\d|\s*(?:người|đồng|tỷ|triệu|nghìn|ha|km|tấn|%|USD))(?![\w/])|(?!))
)
"""
# A date never runs over a line break (wrapped lines are joined by normalise).
_MASTER_LINE_SRC = _MASTER_SRC.replace(r"\s", r"[^\S\n]")
# Its guards, with its opening look-behind between them (see compile_guarded)
_MASTER = compile_guarded(_MASTER_LINE_SRC, words=True, before_words=r"(?<![\w/])")
# Every alternative of _MASTER holds one of these words or a year, so a line without one
# holds no date and is not scanned (two thirds of a document's text). Keep the two in step.
_DATE_LINE_HINT = re.compile(r"(?i:ngày|tháng|quý|hằng|hàng)|(?:19|20)\d\d")
# The same, searched in the text in lower case: four times faster (re finds the first
# letters with a table instead of trying every position). For these letters str.lower()
# and re.IGNORECASE agree (none has a special case fold: tests/test_dates.py).
_DATE_LINE_HINT_LOWER = re.compile(r"ngày|tháng|quý|hằng|hàng|19\d\d|20\d\d")

_DOC_DATE = re.compile(
    r"^[^\n]{0,80}?,\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.M | re.I)
_SENTENCE_END = re.compile(r"[.;:!?\n](?:\s|$)|\n")


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _month_range(y: int, m1: int, m2: int) -> dict:
    return {"start": f"{y:04d}-{m1:02d}-01",
            "end": f"{y:04d}-{m2:02d}-{calendar.monthrange(y, m2)[1]:02d}"}


def _num(s: str) -> int:
    return int(s) if s.isdigit() else NUMBER_WORDS.get(s.lower(), 0)


def document_date(text: str) -> str | None:
    """The document's own date, read from its place-date line ("Hưng Yên, ngày 15 tháng 6
    năm 2024") near the top; None when there is none."""
    m = _DOC_DATE.search(text, 0, min(len(text), 4000))
    if not m:
        return None
    return _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))


def _year_after(text: str, end: int) -> int | None:
    """The year of the next dated expression in the same sentence (within 120 chars):
    "từ ngày 01/12 đến ngày 10/12/2025", "Quý IV và năm 2025"."""
    stop = _SENTENCE_END.search(text, end)
    limit = min(stop.start() if stop else len(text), end + 120)
    m = re.search(rf"(?:/|-|năm\s+)({_Y})(?![\d/])", text[end:limit], re.I)
    return int(m.group(1)) if m else None


def _bound(m: re.Match) -> str | None:
    b = m.group("bound")
    if not b:
        return None
    return _BOUND_OF.get(" ".join(b.lower().split()))


def _master_matches(text: str):
    """``_MASTER.finditer(text)``, line by line over the lines that hold a hint word: the
    same matches, since none runs over a line break."""
    pos, n = 0, len(text)
    lower = text.lower()
    hints, probe = ((_DATE_LINE_HINT_LOWER, lower) if len(lower) == n     # offsets kept
                    else (_DATE_LINE_HINT, text))
    while hint := hints.search(probe, pos):
        line_start = text.rfind("\n", 0, hint.start()) + 1
        line_end = text.find("\n", hint.end())
        if line_end < 0:
            line_end = n
        yield from _MASTER.finditer(text, line_start, line_end)
        pos = line_end


def find_dates(text: str, doc_date: str | None = None) -> list[DateMention]:
    """Every date and period in ``text`` with its normalised value, in text order."""
    out: list[DateMention] = []
    default_year: int | None = None
    if doc_date and re.match(r"\d{4}", doc_date):
        default_year = int(doc_date[:4])
    else:
        own = document_date(text)
        default_year = int(own[:4]) if own else None

    for m in _master_matches(text):
        g = m.group
        bound = _bound(m)
        start, end = m.start(), m.end()
        value = None
        kind = "date"
        inferred = False

        def year_or_context() -> tuple[int | None, bool]:
            y = _year_after(text, end)
            if y is not None:
                return y, True
            return default_year, default_year is not None

        if g("rday"):
            d = int(g("rd"))
            mo = g("rm") or g("rm2")
            if (g("runit") or "năm").lower() == "năm" and mo:
                value = {"every": "P1Y", "on": f"--{int(mo):02d}-{d:02d}"}
            else:
                value = {"every": "P1M", "on": f"---{d:02d}"}
            kind = "recurrence"
        elif g("rmonth"):
            value = {"every": "P1Y", "on": f"--{int(g('rmm')):02d}"}
            kind = "recurrence"
        elif g("blank2"):
            y = int(g("by2"))
            value = f"{y:04d}-{int(g('bm2')):02d}" if g("bm2") else {"start": f"{y:04d}-01-01", "end": f"{y:04d}-12-31"}
        elif g("dayonly"):
            value = None            # the month and year come from the date it runs to
            kind = "day"
        elif g("byear"):
            y = int(g("byear"))
            value = {"start": f"{y:04d}-01-01", "end": f"{y:04d}-12-31"}
            kind = "year"
        elif g("dmy") or g("dmy2") or g("bare"):
            if g("dmy"):
                d, mo, y = g("d1"), g("m1"), g("y1")
            elif g("dmy2"):
                d, mo, y = g("d2"), g("m2"), g("y2")
            else:
                d, mo, y = g("d5"), g("m5"), g("y5")
                if _inside_number(text, start):
                    continue
            value = _iso(int(y), int(mo), int(d))
            if value is None:
                continue
        elif g("blank"):
            bm = g("bm").strip(" .…_")
            y = int(g("by"))
            value = f"{y:04d}-{int(bm):02d}" if bm.isdigit() else {"start": f"{y:04d}-01-01", "end": f"{y:04d}-12-31"}
        elif g("half"):
            n = _num(g("hn"))
            if not 1 <= n <= 11:
                continue
            y = int(g("hy")) if g("hy") else None
            if y is None:
                y, inferred = year_or_context()
            if y is not None:
                value = (_month_range(y, 1, n) if g("hpos").lower() == "đầu"
                         else _month_range(y, 13 - n, 12))
            kind = "interval"
        elif g("quarter"):
            q = g("q").upper()
            qn = ROMAN.get(q) or int(q)
            y = int(g("qy")) if g("qy") else None
            if y is None:
                y, inferred = year_or_context()
            if y is not None:
                value = _month_range(y, 3 * qn - 2, 3 * qn)
            kind = "quarter"
        elif g("month"):
            mo = int(g("mm"))
            y = int(g("my")) if g("my") else None
            if y is None:
                y, inferred = year_or_context()
            if y is not None:
                value = _month_range(y, mo, mo)
            kind = "month"
        elif g("dm"):
            d, mo = int(g("d3")), int(g("m3") or g("m4"))
            if _iso(2024, mo, d) is None:       # 2024: a leap year accepts 29/2
                continue
            if _yearly(text, start, end):
                # "Định kỳ hằng năm (trước ngày 15 tháng 11)": a day of every year
                value = {"every": "P1Y", "on": f"--{mo:02d}-{d:02d}"}
                kind = "recurrence"
            else:
                y, inferred = year_or_context()
                if y is not None:
                    value = _iso(y, mo, d)
        elif g("range"):
            ya, yb = int(g("ya")), int(g("yb"))
            if not (ya < yb <= ya + 15):
                continue
            if not g("rlead") and _inside_number(text, start):
                continue
            value = {"start": f"{ya:04d}-01-01", "end": f"{yb:04d}-12-31"}
            kind = "interval"
        elif g("year"):
            y = int(g("yy"))
            value = {"start": f"{y:04d}-01-01", "end": f"{y:04d}-12-31"}
            kind = "year"
        elif g("every"):
            n = _num(g("en") or g("en2"))
            if not n:
                continue
            value = {"every": f"P{n}M" if n % 12 else f"P{n // 12}Y"}
            kind = "recurrence"
        elif g("recur"):
            value = {"every": _RECUR_UNIT[g("ru").lower()]}
            kind = "recurrence"
        else:  # pragma: no cover - every alternative is handled above
            continue
        out.append(DateMention(text=text[start:end], value=value, start=start, end=end,
                               kind=kind, year_inferred=inferred and value is not None,
                               bound=bound))
    return [m for m in _by_completion(text, _ranges(text, out)) if m.kind != "day" or m.value is not None]


# "Định kỳ hằng năm (trước ngày 15 tháng 11)", "Kỳ báo cáo năm: từ ngày 01/01 đến hết ngày 31/12"
_YEARLY = re.compile(r"(?i)(?<![\w])(?:(?:hằng|hàng|mỗi|từng)\s+năm|trong\s+năm|định\s+kỳ|kỳ\s+báo\s+cáo|năm\s+báo\s+cáo)(?![\w])")


def _yearly(text: str, start: int, end: int) -> bool:
    """Whether the sentence around a day printed without a year speaks of every year."""
    a = max(text.rfind(".", 0, start), text.rfind(";", 0, start), text.rfind("\n", 0, start), start - 160)
    ends = [i for i in (text.find(".", end), text.find(";", end), text.find("\n", end)) if i >= 0]
    b = min(ends + [end + 60, len(text)])
    return bool(_YEARLY.search(text, a + 1, start) or _YEARLY.search(text, end, b))


def _first_day(v) -> str | None:
    if isinstance(v, str) and len(v) >= 7:
        return v if len(v) == 10 else v + "-01"
    if isinstance(v, dict) and "start" in v:
        return v["start"]
    return None


def _last_day(v) -> str | None:
    if isinstance(v, str) and len(v) == 10:
        return v
    if isinstance(v, str) and len(v) == 7:
        y, m = int(v[:4]), int(v[5:])
        return f"{v}-{calendar.monthrange(y, m)[1]:02d}"
    if isinstance(v, dict) and "end" in v:
        return v["end"]
    return None


# between the two ends of a range: "từ X đến Y", "X - Y", "từ ngày ... đến 17 giờ 00, ngày ..."
_RANGE_GAP = re.compile(r"[^\S\n]*(?:-|–)[^\S\n]*")
_CLOCK_GAP = re.compile(r"[^\S\n]+(?i:đến|tới)[^\S\n]+\d{1,2}[^\S\n]*(?i:giờ|h)(?:[^\S\n]*\d{1,2}(?:[^\S\n]*(?i:phút))?)?[^\S\n]*,?[^\S\n]*")


def _ranges(text: str, found: list[DateMention]) -> list[DateMention]:
    """One mention for a range: "từ ngày 20/11/2025 đến ngày 03/12/2025", "Từ tháng 11/2025
    đến quý I/2026", "Quý IV/2025- Quý II/2026", "từ ngày 08 đến ngày 10 tháng 12 năm 2025"."""
    out: list[DateMention] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        if b is not None and a.bound in (None, "from") and a.kind not in ("recurrence",):
            gap = text[a.end:b.start]
            joined = ((b.bound == "until" and not gap.strip())
                      or (b.bound is None and a.bound == "from" and _CLOCK_GAP.fullmatch(gap))
                      or (a.bound is None and b.bound is None and _RANGE_GAP.fullmatch(gap)
                          and a.kind in ("month", "quarter") and b.kind in ("month", "quarter")))
            end = _last_day(b.value)
            first = _first_day(a.value)
            if joined and a.kind == "day" and end:
                first = _iso(int(end[:4]), int(end[5:7]), int(a.text.split()[-1]))
            if joined and first and end and first <= end and b.kind != "recurrence":
                out.append(DateMention(text=text[a.start:b.end], value={"start": first, "end": end},
                                       start=a.start, end=b.end, kind="interval",
                                       year_inferred=a.year_inferred or b.year_inferred, bound=None))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


_TRONG = re.compile(r"(?i)(?<![\w])trong[^\S\n]+$")
_COMPLETE = re.compile(r"(?i)(?<![\w])(?:hoàn\s+thành|xong)(?![\w])")


def _by_completion(text: str, found: list[DateMention]) -> list[DateMention]:
    """"hoàn thành ... trong tháng 11/2025": "trong" bounds the date (by) where the clause
    says the work is to be completed."""
    out = []
    for m in found:
        t = _TRONG.search(text, max(0, m.start - 8), m.start) if m.bound is None else None
        if t and m.kind in ("month", "quarter", "year", "interval"):
            a = max(text.rfind(x, 0, t.start()) for x in ",;.\n")
            if _COMPLETE.search(text, max(a + 1, t.start() - 80), t.start()):
                m = replace(m, text=text[t.start():m.end], start=t.start(), bound="by")
        out.append(m)
    return out




def _inside_number(text: str, start: int) -> bool:
    """A bare d/m/yyyy or yyyy-yyyy that belongs to a document number or a code."""
    before = text[max(0, start - 6):start]
    return bool(re.search(r"[/\-]\s*$", before)) or bool(re.search(r"số\s*$", before, re.I))

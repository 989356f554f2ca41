"""Issuing bodies: Party, State and Front bodies named in the text, and their canonical names.

The knowledge lives in ``data/bodies.json`` (named bodies, ministries, departments,
generic heads such as "Ủy ban nhân dân", the parts of a body such as "Ban Thường vụ",
abbreviations), ``data/issuer_codes.json`` (the codes after the slash of a document
number) and ``data/provinces.json`` (the provinces before and after the 2025 merger);
the regexes are built from them.

``find_bodies(text)`` finds body mentions; ``normalise_body(name)`` gives the canonical
name used to decide that two spellings are one body ("UBND tỉnh" and "Ủy ban nhân dân
tỉnh", "Đảng uỷ" and "Đảng ủy", "BTV Tỉnh ủy" and "Ban Thường vụ Tỉnh ủy").
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from .models import Body
from .normalise import compile_guarded, fold_tones, match_key

DATA_DIR = Path(__file__).resolve().parent / "data"

# Letters, for patterns that need "a capitalised word": Python's re has no \p{Lu}.
UPPER = "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isalpha() and c.isupper())
LOWER = "".join(c for c in map(chr, range(0x61, 0x1F00)) if c.isalpha() and c.islower())
_UP = f"[{re.escape(UPPER)}]"
_LO = f"[{re.escape(LOWER)}]"


@lru_cache(maxsize=None)
def load_data(name: str) -> dict:
    """A data file of the package, parsed (``name`` without ``.json``)."""
    with open(DATA_DIR / f"{name}.json", encoding="utf-8") as f:
        return json.load(f)


def _words_re(phrase: str) -> str:
    """A phrase as a regex: flexible spaces, optional comma before a space, ``-`` with or
    without spaces, the first letter as written and the rest in any case."""
    phrase = fold_tones(phrase)
    parts = []
    for i, ch in enumerate(phrase):
        if ch == " ":
            parts.append(r"\s+")
        elif ch == ",":
            parts.append(",?")
        elif ch == "-":
            parts.append(r"\s?-\s?")
        else:
            parts.append(re.escape(ch))
    first, rest = parts[0], "".join(parts[1:])
    if not rest:
        return first
    # "-" and "\s" are not letters: keep the case-insensitive part as a group
    return f"{first}(?i:{rest})"


def _alt(phrases, sort=True) -> str:
    """The phrases as one alternation, longest first unless ``sort`` is False.

    Phrases are grouped by their first letter, which each keeps as written:
    ``B(?:(?i:an...)|(?i:ộ...))|S(?:...)``. Phrases with different first letters never
    match at the same place, so the order that matters, within a group, is kept; re then
    tests each first letter once instead of once per phrase (hundreds of body names).
    (That holds where the first letter is matched as written: not inside ``(?i:...)``.)"""
    items = sorted(set(phrases), key=len, reverse=True) if sort else list(phrases)
    groups: dict[str, list[str]] = {}
    for p in items:
        first = fold_tones(p)[:1]
        if first in ("", " ", ",", "-"):           # not a plain letter: keep the flat list
            return "(?:" + "|".join(_words_re(p) for p in items) + ")"
        groups.setdefault(first, []).append(_words_re(p)[len(re.escape(first)):])
    return "(?:" + "|".join(re.escape(first) + (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")")
                            for first, rests in groups.items()) + ")"


# -- data tables -------------------------------------------------------------------------------

def abbreviations() -> list[dict]:
    return load_data("bodies")["abbreviations"]


def issuer_codes() -> dict[str, dict]:
    """Issuer code (after the slash: TW, TU, ĐU, UBND ...) -> its record."""
    d = load_data("issuer_codes")
    out: dict[str, dict] = {}
    for system in ("party", "state"):
        for c in d[system]:
            out.setdefault(c["code"], {**c, "system": system})
    return out


def issuer_code_info(code: str) -> dict | None:
    """The record of an issuer code; a Quốc hội code with its term ("QH15", "UBTVQH15")
    is looked up without the term."""
    codes = issuer_codes()
    if code in codes:
        return codes[code]
    m = re.fullmatch(r"([A-ZĐ]+?)(\d+)", code)
    if m and m.group(1) in codes:
        return codes[m.group(1)]
    return None


def code_valid_on(code: str, day: str) -> bool | None:
    """Whether an issuer code was in use on ``day`` (ISO); None when the code is unknown."""
    info = issuer_code_info(code)
    if info is None:
        return None
    lo, hi = info.get("from"), info.get("until")
    return (lo is None or day >= lo) and (hi is None or day < hi)


def provinces() -> dict:
    return load_data("provinces")


@lru_cache(maxsize=None)
def _province_index() -> dict[str, dict]:
    d = provinces()
    idx: dict[str, dict] = {}
    merged_into = {old: p["name"] for p in d["after"] for old in p["from"]}
    after = {p["name"] for p in d["after"]}
    for p in d["before"]:
        rec = {"name": p["name"], "kind": p["kind"], "merged_into": merged_into.get(p["name"]),
               "exists_after": p["name"] in after}
        for n in [p["name"], *p.get("aliases", [])]:
            idx[match_key(n)] = rec
    return idx


def province(name: str) -> dict | None:
    """A province or centrally-run city by name (old or new, aliases accepted):
    ``{"name", "kind", "merged_into", "exists_after"}``."""
    return _province_index().get(match_key(re.sub(r"^(?i:tỉnh|thành phố|tp\.?)\s+", "", name.strip())))


def province_on(name: str, day: str) -> str | None:
    """The province that ``name`` belongs to on ``day``: a province merged on 01/7/2025
    belongs to the new one from that date ("Thái Bình" on 2025-08-01 -> "Hưng Yên")."""
    rec = province(name)
    if rec is None:
        return None
    if day >= provinces()["merger"]["in_force"]:
        return rec["merged_into"]
    return rec["name"]


def province_names() -> list[str]:
    d = provinces()
    names = {p["name"] for p in d["before"]} | {p["name"] for p in d["after"]}
    for p in d["before"]:
        names.update(p.get("aliases", []))
    return sorted(names, key=len, reverse=True)


# -- the body grammar --------------------------------------------------------------------------

_STOP_CAP = ("Về|V/v|Quy|Hướng|Kế|Nghị|Chỉ|Quyết|Luật|Thông|Công|Ban|Sở|Bộ|Ủy|Uỷ|UBND|HĐND|Đảng|"
             "Tỉnh|Thành|Huyện|Xã|Phường|Trong|Theo|Tại|Thực|Triển|Căn|Để|Các|Và|Nội|Hội|Kết|Báo|"
             "Tờ|Chủ|Phó|Giám|Văn|Mặt|Đoàn|Liên|Chương|Phương|Đề|Dự|Giấy|Phụ|Mẫu|Điều|Khoản|Mục|"
             "Số|Ngày|Năm|Tháng|Quý|Lãnh|Thường|Chính|Quốc|Trung|Việt|Sau|Trên|Với|Cơ|Người|Bước|Giai|"
             "Tổ|Nơi|Lưu|Kính|Ghi|Đồng|Phối|Tham|Hoàn|Tăng|Xây|Kiểm|Tiếp|Nâng|Đẩy|Bảo|Tuyên|Phát")
_CAPWORD = rf"(?!(?:{_STOP_CAP})(?![{re.escape(LOWER)}\w]))(?:{_UP}[\w]*)"


@lru_cache(maxsize=None)
def _grammar() -> dict[str, str]:
    d = load_data("bodies")
    named, kinds = [], {}
    for b in d["named"]:
        for n in [b["name"], *b.get("variants", [])]:
            named.append(n)
            kinds[match_key(n)] = b["kind"]
    ministries = [m["name"] for m in d["ministries"]["items"]]
    departments = [m["name"] for m in d["departments"]["items"]]
    heads = [h["name"] for h in d["heads"]["items"]]
    for h in d["heads"]["items"]:
        kinds[match_key(h["name"])] = h["kind"]
    for n in ministries + departments:
        kinds[match_key(n)] = "state"
    # abbreviations that name a body by themselves (not "TW", "BTV": parts of a name)
    abbr = [a["abbr"] for a in d["abbreviations"] if a.get("kind") is None and a["abbr"] not in
            ("TP", "TP.", "Tp.", "TT", "VP", "TW", "TƯ", "BTV", "BTT", "BCH", "CQ-DN", "CQDN", "CHXHCN",
             "ĐBQH", "CCB", "LHPN")]
    # a place: a province, or two to four capitalised words ("Lương Minh", "Quảng Ninh")
    place = "(?:" + _alt(province_names()) + rf"|{_CAPWORD}(?:\s+{_CAPWORD}){{1,3}})"
    locality = r"(?:(?i:" + "|".join(
        re.escape(fold_tones(x)).replace(r"\ ", r"\s+") for x in sorted(d["localities"]["items"], key=len, reverse=True)
    ) + r"|TP\.?|Tp\.)" + rf"(?:\s+{place})?)"
    term = r"(?:\s*\(?(?i:khóa|khoá|nhiệm\s+kỳ)\s+(?:[IVXLC]+|\d{1,2}|\d{4}\s?-\s?\d{4})\)?)"
    core_parts = [
        # abbreviations that name a body on their own: UBND, HĐND, MTTQ ...
        "(?:" + "|".join(re.escape(a) for a in sorted(abbr, key=len, reverse=True)) + r")(?![\w])",
        # "Đảng ủy Khối CQ-DN", "Ủy ban MTTQ Việt Nam"
        r"Đảng\s+(?i:ủy)\s+Khối\s+(?:CQ-DN|CQDN|" + _CAPWORD + r"(?:\s+(?:-\s+)?" + _CAPWORD + r"){0,3})",
        r"Ủy\s+ban\s+(?:MTTQ|Mặt\s+trận\s+Tổ\s+quốc)(?:\s+Việt\s+Nam|VN)?",
    ]
    names = named + ministries + departments + heads
    core = "(?:" + "|".join(core_parts + [_alt(names)]) + ")"
    prefix = _alt(d["prefixes"]["items"] + d["party_units"]["items"] + d.get("council_units", {}).get("items", [])
                  + ["BTV", "BTT", "BCH", "TT", "UBKT", "VP"])
    # "Thuế tỉnh Nghệ An": a head that names a body only with its place
    localised = _alt(d.get("localised_heads", {}).get("items", []))
    provinces_only = _alt(province_names())
    topics = d.get("steering_topics", {}).get("items", [])
    topic = ("(?:" + "|".join(_words_re(t) for t in sorted(topics, key=len, reverse=True)) + ")") if topics else "(?!)"
    position = _alt(d["positions"]["items"])
    # a bare "Sở"/"Bộ" is a body only after a prefix ("Đảng ủy Sở", "Lãnh đạo Sở")
    # not inside a document number ("30-CT/TW"), not a member ("Đảng ủy viên", "Ủy viên")
    body_re = (rf"(?<![\w/\-])(?:(?:(?P<pos>{position})\s+)?(?:(?:{prefix})\s+)*"
               rf"(?:{localised}\s+{locality}|{core}(?:\s+{locality}|\s+{provinces_only}(?![\w]))?)"
               rf"(?:\s+(?i:Trung\s+ương|Việt\s+Nam)(?![\w]))?(?:\s+(?i:về)\s+{topic}(?![\w]))?{term}?"
               rf"|(?:{prefix})(?:\s+(?:{prefix}))*\s+(?:Sở|Bộ|Ngành)(?![\w]))(?![\w/])(?!\s+(?i:viên)(?![\w]))")
    # the body's beginnings, for its guard (see body_regex): the same openings with each
    # name cut to its first letter, short enough to parse in a millisecond
    head = (rf"(?<![\w/\-])(?:{position}|{prefix}|{localised}|"
            + "|".join(core_parts + [_alt({fold_tones(n)[:1] for n in names})]) + ")")
    return {"body": body_re, "head": head, "kinds": kinds, "place": place, "locality": locality, "term": term,
            "core": core, "prefix": prefix, "position": position}


@lru_cache(maxsize=None)
def body_regex() -> re.Pattern:
    """The compiled body pattern (apply it to ``fold_tones(text)``: same offsets)."""
    # a body's name never runs over a line break
    g = _grammar()
    return compile_guarded(g["body"].replace(r"\s", r"[^\S\n]"), head=g["head"].replace(r"\s", r"[^\S\n]"))


# -- normalising names -------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _abbr_re() -> tuple[re.Pattern, dict[str, dict]]:
    items = {a["abbr"]: a for a in abbreviations()}
    pat = "|".join(re.escape(a) for a in sorted(items, key=len, reverse=True))
    return re.compile(rf"(?<![\w/])(?:{pat})(?![\w])"), items


def expand_abbreviations(s: str) -> str:
    """"UBND tỉnh" -> "Ủy ban nhân dân tỉnh", "BTV Tỉnh ủy" -> "Ban Thường vụ Tỉnh ủy",
    "TT Tỉnh ủy" -> "Thường trực Tỉnh ủy", "Đảng ủy Khối CQ-DN" -> "... Cơ quan - Doanh nghiệp"."""
    rx, items = _abbr_re()

    def sub(m: re.Match) -> str:
        a = items[m.group(0)]
        if "only_before" in a:
            after = s[m.end():].lstrip()
            if not any(after.startswith(w) for w in a["only_before"]):
                return m.group(0)
        exp = a["expansion"]
        if m.group(0).endswith(".") and not exp.endswith("."):
            exp += " "
        return exp

    return " ".join(rx.sub(sub, s).split())


@lru_cache(maxsize=None)
def _lexicon() -> tuple[re.Pattern, dict[str, str]]:
    """Canonical spellings of body words, to fix case ("Ban thường vụ" -> "Ban Thường vụ")."""
    d = load_data("bodies")
    phrases = [b["name"] for b in d["named"]]
    for b in d["named"]:
        phrases += b.get("variants", [])
    phrases += [m["name"] for m in d["ministries"]["items"]] + [m["name"] for m in d["departments"]["items"]]
    phrases += [h["name"] for h in d["heads"]["items"]]
    phrases += d["prefixes"]["items"] + d["party_units"]["items"] + d["positions"]["items"]
    phrases += ["Ban Thường vụ", "Ban Thường trực", "Trung ương", "Việt Nam", "Khối", "Cơ quan - Doanh nghiệp",
                "khóa", "nhiệm kỳ", "Thành phố Hồ Chí Minh"]
    phrases += [x.lower() for x in d["localities"]["items"]]
    phrases += province_names()
    canon: dict[str, str] = {}
    for p in phrases:
        k = match_key(p)
        if k not in canon or p[:1].isupper() and p != p.lower():
            canon.setdefault(k, p)
    # the preferred casing of generic words
    canon[match_key("Ban Thường vụ")] = "Ban Thường vụ"
    canon[match_key("thành phố")] = "thành phố"
    canon[match_key("tỉnh")] = "tỉnh"
    canon[match_key("xã")] = "xã"
    canon[match_key("phường")] = "phường"
    keys = sorted(canon, key=len, reverse=True)
    rx = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys) + r")(?![\w])",
                    re.I)
    return rx, canon


@lru_cache(maxsize=None)
def _variants() -> list[tuple[str, str]]:
    """(variant, canonical name) of the named bodies, longest variant first."""
    pairs = [(v, b["name"]) for b in load_data("bodies")["named"] for v in b.get("variants", [])]
    names = {b["name"] for b in load_data("bodies")["named"]}
    # a variant that is itself the start of a longer canonical name is left alone
    return sorted(((v, n) for v, n in pairs if v not in names), key=lambda p: -len(p[0]))


_LOCALITY_WORDS = {"tỉnh", "thành phố", "xã", "phường", "huyện", "quận", "thị xã", "thị trấn", "đặc khu"}


@lru_cache(maxsize=8192)
def normalise_body(name: str) -> str:
    """The canonical name of a body: NFC, new-style tones, abbreviations expanded, the case
    of body words fixed, "(khóa XVI)" written "khóa XVI", the named variants merged
    ("Ban Bí thư Trung ương Đảng" -> "Ban Bí thư"). Two spellings of one body give one name."""
    s = unicodedata.normalize("NFC", name)
    s = fold_tones(s)
    s = re.sub(r"\(\s*((?i:khóa|khoá|nhiệm kỳ)[^)]*)\)", r"\1", s)
    s = s.strip(" \t\n,;:.-–*\"“”'()")
    s = re.sub(r"^(?i:của|các)\s+", "", s)
    s = expand_abbreviations(s)
    s = re.sub(r"\s*-\s*", " - ", s)
    s = re.sub(r"(?i)\bkhoá\b", "khóa", s)
    all_caps = not any(c.islower() for c in s)
    if all_caps:
        s = s.lower()
    rx, canon = _lexicon()
    s = rx.sub(lambda m: canon.get(match_key(m.group(0)), m.group(0)), s)
    if all_caps:
        # proper names after a locality word lost their capitals: "xã lương minh" -> "xã Lương Minh"
        words = s.split(" ")
        out, cap = [], False
        for i, w in enumerate(words):
            two = " ".join(words[i - 1:i + 1]) if i else ""
            if cap and w and w[0].islower() and w not in ("và", "khóa", "nhiệm"):
                w = w[0].upper() + w[1:]
            cap = w in _LOCALITY_WORDS or two in _LOCALITY_WORDS or (cap and w[:1].isupper())
            out.append(w)
        s = " ".join(out)
        s = re.sub(r"khóa ([ivxlc]+)\b", lambda m: "khóa " + m.group(1).upper(), s)
        s = s[:1].upper() + s[1:]
    s = re.sub(r"Mặt trận Tổ quốc(?! Việt Nam)", "Mặt trận Tổ quốc Việt Nam", s)
    # named variants: "Ban Bí thư Trung ương Đảng khóa XIII" -> "Ban Bí thư khóa XIII"
    for v, canonical in _variants():
        # a variant that is the start of its own canonical name ("Ban Chấp hành Trung ương"
        # of "... Trung ương Đảng") is replaced only where the rest is not already there
        if (s.startswith(v) and (len(s) == len(v) or not s[len(v)].isalpha())
                and not (len(canonical) > len(v) and s.startswith(canonical))):
            s = canonical + s[len(v):]
            break
    return " ".join(s.split())


def body_key(name: str, drop_term: bool = False) -> str:
    """A comparison key: the canonical name, case folded; without the term if asked."""
    s = normalise_body(name)
    if drop_term:
        s = re.sub(r"\s*(?:khóa|nhiệm kỳ)\s+\S+(?:\s*-\s*\d{4})?$", "", s)
    return match_key(s)


def same_body(a: str | None, b: str | None, drop_term: bool = True) -> bool:
    """Whether two spellings name one body ("UBND tỉnh" / "Ủy ban nhân dân tỉnh")."""
    if not a or not b:
        return a == b
    return body_key(a, drop_term) == body_key(b, drop_term)


@lru_cache(maxsize=None)
def _kind_patterns() -> tuple[re.Pattern, re.Pattern]:
    g = _grammar()
    return re.compile(rf"(?:{g['position']})\s"), re.compile(g["core"])


@lru_cache(maxsize=8192)
def body_kind(name: str) -> str | None:
    """party | state | front | position, from the body's core words; None if unknown.
    (Cached: a document names the same bodies again and again.)"""
    canon = normalise_body(name)
    g = _grammar()
    position, rx = _kind_patterns()
    m = position.match(canon)
    if m:
        return "position"
    best = None
    for mm in rx.finditer(fold_tones(canon)):
        k = g["kinds"].get(match_key(mm.group(0)))
        if k is None:
            k = g["kinds"].get(match_key(expand_abbreviations(mm.group(0))))
        if k:
            best = k
            break
    if best is None and re.search(r"(?i)\bủy\b|Đảng", canon):
        best = "party"
    return best


# -- finding -------------------------------------------------------------------------------

def match_body(text: str, pos: int = 0) -> Body | None:
    """The body that starts exactly at ``pos`` of ``text``, if any (for the header parser
    and the responsibilities extractor: "Sở Tư pháp chủ trì ...")."""
    m = body_regex().match(fold_tones(text), pos)
    if not m:
        return None
    return _body(text, m.start(), m.end())


def _body(text: str, start: int, end: int) -> Body:
    s = text[start:end]
    return Body(text=s, name=normalise_body(s), kind=body_kind(s), start=start, end=end)


def find_bodies(text: str) -> list[Body]:
    """Every body named in ``text``, in text order, each with its canonical ``name``."""
    folded = fold_tones(text)
    out: list[Body] = []
    for m in body_regex().finditer(folded):
        start, end = m.start(), m.end()
        # trim a trailing "-" or space the flexible patterns may take
        while end > start and text[end - 1] in " -":
            end -= 1
        if end - start < 2:
            continue
        out.append(_body(text, start, end))
    return out


def distinct_bodies(bodies: list[Body]) -> dict[str, list[Body]]:
    """Mentions grouped by body: canonical key -> its mentions (one body written two ways
    is one group)."""
    groups: dict[str, list[Body]] = {}
    for b in bodies:
        groups.setdefault(match_key(b.name), []).append(b)
    return groups

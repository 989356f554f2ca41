"""References to other documents: number and symbol, type, date, issuer, relation, alias.

``find_references(text, doc_date)`` returns every mention of another document in text
order. A *full* mention carries a number and symbol in any printed form (Party
``30-CT/TW``, State ``24/KH-UBND``, legal ``30/2020/NĐ-CP``, joint
``102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN``, printed variants ``100 - KL/TW``,
``223/KH- UBND``, ``86/QĐ UBND``) or names a law ("Luật Tổ chức chính quyền địa phương
ngày 16/6/2025"); a *short* mention ("Chỉ thị 30", a repeated number, a defined alias)
points with ``refers_to`` at the index of the full mention it repeats. Lists ("Kết luận số
187, 188-KL/TW") give one reference per number.

The patterns are built from ``data/doctypes.json``, ``data/issuer_codes.json``,
``data/laws.json`` and ``data/bodies.json`` (see :func:`patterns`). Matching runs on
``fold_tones(text)``, which has the same length, so every span comes from its match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as calendar_date
from functools import lru_cache

from .bodies import LOWER, UPPER, expand_abbreviations, issuer_codes, load_data
from .models import Reference
from .normalise import alternation, compile_guarded, finditer_from, fold_tones, match_key, start_finder

_UP = f"[{re.escape(UPPER)}]"

# -- patterns built from the data ----------------------------------------------------------------


@dataclass(frozen=True)
class _Patterns:
    number: re.Pattern          # a number and symbol, Party or State form
    type_before: re.Pattern     # a type word just before a number ("Chỉ thị số ")
    short: re.Pattern           # "Chỉ thị 30", "Nghị quyết số 57" (no symbol): its type, before a number
    short_number: re.Pattern    # ... and the number it ends with
    short_last: re.Pattern      # the last word of "Chỉ thị", "Nghị quyết số": before the number's blanks
    law: re.Pattern             # a law, code or the constitution cited by name
    law_starts: re.Pattern | None  # where one can begin ("Luật", "Bộ", "Hiến" ...): see finditer_from
    date_after: re.Pattern      # ", ngày 05/02/2024" right after a number
    date_before: re.Pattern     # "Ngày 22/10/2025, tại " before a citation
    year_after: re.Pattern      # " năm 2017" right after a law's name
    alias: re.Pattern           # "(sau đây viết tắt là ...)"
    this: re.Pattern            # "Kế hoạch này": the type, before "này"
    this_word: re.Pattern       # ... and "này"
    type_line: re.Pattern       # a header line that is a type name in capitals ("KẾ HOẠCH")
    law_list_item: re.Pattern   # one name of a list "Luật: Chứng khoán, Kế toán"
    known_law: re.Pattern       # a law's name the list of laws knows
    named_types: list           # (pattern, doc_type) of documents cited by name
    type_word: re.Pattern       # a type name at the start of a string
    party_codes: frozenset
    state_codes: frozenset
    code_types: dict            # (system, code) -> type name
    type_names: dict            # match_key(printed type) -> type name
    misprints: dict
    party_issuers: frozenset


def _type_words() -> list[tuple[str, str]]:
    """(printed form, type name), longest first."""
    out = []
    for t in load_data("doctypes")["types"]:
        out.append((t["name"], t["name"]))
        for v in t.get("variants", []):
            out.append((v, t["name"]))
    return sorted(out, key=lambda p: -len(p[0]))


def _flex(phrase: str) -> str:
    return re.escape(fold_tones(phrase)).replace(r"\ ", r"\s+")


@lru_cache(maxsize=None)
def patterns() -> _Patterns:
    dt = load_data("doctypes")
    party_codes, state_codes, code_types = set(), set(), {}
    for t in dt["types"]:
        if t.get("party"):
            party_codes.add(t["party"])
            code_types.setdefault(("party", t["party"]), t["name"])
        for c in t.get("old_codes", []):
            party_codes.add(c)
            code_types.setdefault(("party", c), t["name"])
        if t.get("state"):
            state_codes.add(t["state"])
            code_types.setdefault(("state", t["state"]), t["name"])
    code_types[("party", "QĐ")] = "Quyết định"
    code_types[("party", "TT")] = "Thông tri"
    code_types[("state", "TT")] = "Thông tư"
    party_alt = "|".join(re.escape(c) for c in sorted(party_codes, key=len, reverse=True))
    state_alt = "|".join(re.escape(c) for c in sorted(state_codes, key=len, reverse=True))
    misprints = dt["code_misprints"]["map"]

    num = r"\d{1,5}"
    grp = r"[A-ZĐ][A-Za-zĐđ0-9&]*"
    sep = r"[^\S\n]?[-–][^\S\n]?"
    slash = r"[^\S\n]?/[^\S\n]?"
    party = (rf"(?P<pn>{num}){sep}(?P<pt>{party_alt}){slash}"
             rf"(?P<pi>{grp}(?:{sep}{grp})*)")
    state = (rf"(?P<sn>{num}){slash}(?:(?P<sy>(?:19|20)\d\d){slash})?"
             rf"(?P<ss>(?:(?:{state_alt})[^\S\n](?=[A-ZĐ][A-ZĐ0-9&]+(?![\w])))?{grp}(?:(?:{sep}|{slash}){grp})*)")
    number = compile_guarded(rf"(?<![\w/.\-])(?:{party}|{state})(?![\w&])")

    words = _type_words()
    # type names share their beginnings ("Chương trình ...", "Kế hoạch ..."): as a tree they
    # cost one test per beginning where a word could start (see normalise.alternation)
    type_alt = alternation([fold_tones(w) for w, _ in words], ignorecase=True)
    type_alt_cased = alternation([fold_tones(w) for w, _ in words], ignorecase=False)
    type_names = {match_key(w): n for w, n in words}
    type_before = re.compile(
        rf"(?<![\w])(?<!(?i:pháp)\s)(?P<type>{type_alt})(?:[^\S\n]+(?i:liên\s+tịch|phối\s+hợp))?[\s*]*:?[\s*]*(?:\(\s*)?"
        rf"(?:(?i:s[ốổo])[\s*]*:?[\s*]*){{0,2}}$", re.I)
    # a short mention is found by its number (a few hundred a document) and then the type
    # name just before it: scanning the text for type names, which begin with common
    # letters, costs ten times more (see _by_tail)
    short = re.compile(rf"(?<![\w])(?P<type>{type_alt})[^\S\n]+(?:(?i:s[ốổ])[^\S\n]+)?$", re.I)
    short_number = re.compile(r"\d(?<=[^\S\n]\d)\d{0,4}(?![\w/]|[^\S\n]?[-–/][^\S\n]?[A-ZĐ\d]|[.,]\d)", re.I)
    # how a short mention's head ends, before the number's blanks: the last word of a type
    # name or "số" (compiled with re.I as `short` is, so that it takes what `short` takes)
    last_words = sorted({fold_tones(w).split()[-1] for w, _ in words}, key=len, reverse=True)
    short_last = re.compile(rf"(?:{'|'.join(map(re.escape, last_words))}|s[ốổ])\Z", re.I)

    laws = load_data("laws")
    law_names = [n[len("Luật "):] for n in laws["laws"]]
    abbr_of = {e.lower(): a for a, e in laws["abbreviations"].items()}

    def law_re(n: str) -> str:
        r = re.escape(fold_tones(n)).replace(r"\ ", r"\s+").replace(",", ",?")
        for e, a in abbr_of.items():      # "Ban hành văn bản QPPL", "Ngân sách nhà nước" / "NSNN"
            pe = re.escape(fold_tones(e)).replace(r"\ ", r"\s+")
            r = re.sub(re.escape(pe), lambda _m: f"(?:{_m.group(0)}|{re.escape(a)})", r, flags=re.I)
        return r

    known = "|".join(law_re(n) for n in sorted(law_names, key=len, reverse=True))
    abbr = "|".join(re.escape(a) for a in sorted(laws["abbreviations"], key=len, reverse=True))
    stop = ("số|ngày|năm|và|về|quy|được|đã|của|theo|tại|có|để|trong|hiện|hành|này|các|với|thì|khi|"
            "đối|sửa|mới|hướng|nhằm|do|từ|đến|thuộc|là|cho|bị|qua|ban|phải|không|như|gồm|thay")
    fallback = (rf"(?:{_UP}[\w]*|{abbr})(?:[^\S\n]+(?!(?:{stop})(?![\w]))"
                rf"(?:[{re.escape(LOWER)}][\w]*|{abbr}|{_UP}[\w]*)){{0,5}}")
    # "pháp luật", "luật pháp" are not laws; in capitals only a known name is one
    one_law = (rf"(?<!pháp[^\S\n])(?<!PHÁP[^\S\n])(?:Luật[^\S\n]+(?:(?i:{known})(?![\w])|{fallback})"
               rf"|LUẬT[^\S\n]+(?i:{known})(?![\w]))")
    amend = (rf"(?:Luật|LUẬT)[^\S\n]+(?i:sửa\s+đổi,?\s+bổ\s+sung)(?:[^\S\n]+(?i:một\s+số\s+điều))?"
             rf"(?:[^\S\n]+(?i:của))?[^\S\n]+{one_law}(?:(?:,[^\S\n]*|[^\S\n]+và[^\S\n]+){one_law})*")
    codes = "|".join(_flex(c[len("Bộ luật "):]) for c in laws["codes"])
    hspace = r"[^\S\n]+"
    named = "|".join("(?:" + fold_tones(n["pattern"]).replace(" ", hspace) + ")"
                     for n in laws["named_documents"]["items"])
    named_types = [(re.compile(fold_tones(n["pattern"]).replace(" ", r"\s+")), n["doc_type"])
                   for n in laws["named_documents"]["items"]]
    # its beginnings, for the guard: a law is "Luật"/"LUẬT" (amended or not), "Bộ luật",
    # "Hiến pháp" or a named document (the list of law names after them is long)
    law_head = rf"(?<![\w])(?:Luật|LUẬT|Bộ|Hiến|{named})"
    law = compile_guarded(
        rf"(?<![\w])(?P<law>{amend}|{one_law}"
        rf"|Bộ[^\S\n]+luật[^\S\n]+(?i:{codes})"
        # the constitution only where it is cited as a text, not in "Hiến pháp và pháp luật"
        rf"|Hiến[^\S\n]+pháp[^\S\n]+(?:nước[^\S\n]+(?:CHXHCN|(?i:Cộng\s+hòa\s+xã\s+hội\s+chủ\s+nghĩa))[^\S\n]+Việt[^\S\n]+Nam"
        rf"|năm[^\S\n]+(?:19|20)\d\d)"
        rf"|(?<=(?i:căn\scứ)\s)Hiến[^\S\n]+pháp"
        # Party documents cited by name: the Statute, Congress and plenum resolutions
        rf"|(?P<named>{named}))"
        rf"(?![\w])",
        head=law_head)
    # "các Luật: Chứng khoán, Kế toán, ...": names listed after one "Luật"
    law_list_item = re.compile(
        rf"[^\S\n]*(?:Luật[^\S\n]+)?(?P<item>(?i:{known})(?![\w])|{_UP}[\w]*(?:[^\S\n]+[{re.escape(LOWER)}][\w]*){{0,4}})"
        rf"[^\S\n]*(?:,|;|và|$)")
    day = (r"(?i:ngày)[^\S\n]+(?:(?P<d>\d{1,2})[^\S\n]*[/.\-][^\S\n]*(?P<m>\d{1,2})[^\S\n]*[/.\-][^\S\n]*(?P<y>\d{4})"
           r"|(?P<d2>\d{1,2})[^\S\n]+(?i:tháng)[^\S\n]+(?P<m2>\d{1,2})[^\S\n]+(?i:năm)[^\S\n]+(?P<y2>\d{4})"
           r"|(?:[.…_]+[^\S\n]*)?(?i:tháng)[^\S\n]+(?P<m3>\d{1,2})[^\S\n]+(?i:năm)[^\S\n]+(?P<y3>\d{4}))")
    date_after = re.compile(rf"[\s*]*,?[\s*]*(?:\([^\S\n]*)?(?:(?i:ban\s+hành|được\s+ban\s+hành|ký)[^\S\n]+)?{day}")
    year_after = re.compile(r"[^\S\n]+(?i:năm)[^\S\n]+(?P<y>(?:19|20)\d\d)(?![\w/])")
    alias = re.compile(
        r"(?:\(|,)[\s*]*(?i:sau\s+đây\s+)?(?i:được\s+)?(?i:viết|gọi)\s+(?i:tắt)\s+(?i:là)[\s*]*:?[\s*]*[“\"]?"
        r"(?P<alias>[^()“”\"\n;]+?)[”\"]?[\s*]*(?:\)|(?=[;.]))")
    this = re.compile(rf"(?<![\w])(?P<type>{type_alt_cased})[^\S\n]+$")
    this_word = re.compile(r"này(?<=[^\S\n]này)(?![\w])")
    caps = "|".join(_flex(w.upper()) for w, _ in words)
    type_line = re.compile(rf"^[\s*]*(?P<type>{caps})[\s*]*$", re.M)
    party_issuers = frozenset(c["code"] for c in load_data("issuer_codes")["party"]
                              if c["code"] not in ("BCĐ", "BCS", "BCSĐ", "ĐĐ", "TGV"))
    type_word = re.compile(rf"(?P<type>{type_alt})(?![\w])", re.I)
    date_before = re.compile(rf"{day}[^\S\n]*,?[^\S\n]+(?i:tại|theo)[^\S\n]+(?:(?i:các)[^\S\n]+)?$")
    return _Patterns(number=number, type_before=type_before, short=short, short_number=short_number,
                     short_last=short_last, law=law, law_starts=start_finder(law_head),
                     date_after=date_after, date_before=date_before, year_after=year_after, alias=alias, this=this, this_word=this_word,
                     type_line=type_line, type_word=type_word, law_list_item=law_list_item,
                     known_law=re.compile(rf"(?:Luật|LUẬT|Bộ\s+luật)\s+(?i:{known}|{codes})"),
                     named_types=named_types, party_codes=frozenset(party_codes),
                     state_codes=frozenset(state_codes), code_types=code_types,
                     type_names=type_names, misprints=misprints, party_issuers=party_issuers)


# -- the number and symbol -------------------------------------------------------------------


_GROUP_SEP = re.compile(r"\s*[-–/]\s*|\s+")


def _groups(s: str) -> list[str]:
    return [g for g in _GROUP_SEP.split(s.strip()) if g]


def _fix(groups: list[str], misprints: dict) -> list[str]:
    out: list[str] = []
    for g in groups:
        fixed = misprints.get(g, g)
        out.extend(fixed.split("-"))
    return out


@lru_cache(maxsize=4096)
def _code_groups(symbol: str) -> tuple[str, ...] | None:
    """The groups of a printed symbol ("KH- UBND" -> KH, UBND), misprints fixed; None
    unless each looks like a code. (Cached: a document repeats the same few symbols.)"""
    groups = _fix(_groups(symbol), patterns().misprints)
    if not all(_looks_like_code(g) for g in groups):
        return None
    return tuple(groups)


def _looks_like_code(g: str) -> bool:
    letters = [c for c in g if c.isalpha()]
    if len(g) < 2 or not letters or not g[0].isupper():
        return False
    return sum(c.isupper() for c in letters) * 2 >= len(letters)


@dataclass
class _Number:
    canonical: str
    number: str
    system: str                 # party | state
    type_code: str | None
    groups: list[str]


def parse_number(m: re.Match, has_type: bool) -> _Number | None:
    """The canonical number of a match, or None when the match is not a document number
    (a form code "06/BBKP", a kilometre post, a table cell)."""
    p = patterns()
    if m.group("pn"):
        issuers = _code_groups(m.group("pi"))
        if issuers is None:
            return None
        issuers = list(issuers)
        code = m.group("pt")
        return _Number(f"{m.group('pn')}-{code}/{'-'.join(issuers)}", m.group("pn"), "party", code, issuers)
    groups = _code_groups(m.group("ss"))
    if not groups:
        return None
    groups = list(groups)
    year = m.group("sy")
    num = m.group("sn")
    if not year and len(groups) == 1 and not has_type and groups[0] not in issuer_codes():
        return None
    # A Party number printed State-style: "27/NQ- TW" is 27-NQ/TW.
    if (not year and len(groups) == 2 and groups[0] in p.party_codes
            and groups[1] in p.party_issuers):
        return _Number(f"{num}-{groups[0]}/{groups[1]}", num, "party", groups[0], groups[1:])
    code = groups[0] if groups[0] in p.state_codes else None
    prefix = f"{num}/{year}/" if year else f"{num}/"
    return _Number(prefix + "-".join(groups), num, "state", code, groups)


def normalise_number(printed: str) -> str | None:
    """A printed number and symbol as it should be written ("100 - KL/TW" -> "100-KL/TW",
    "86/QĐ UBND" -> "86/QĐ-UBND", "27/NQ- TW" -> "27-NQ/TW"); None if it is not one."""
    m = patterns().number.fullmatch(fold_tones(printed.strip()))
    if not m:
        return None
    n = parse_number(m, has_type=True)
    return n.canonical if n else None


def _type_of_code(n: _Number) -> str | None:
    p = patterns()
    if n.type_code:
        return p.code_types.get((n.system, n.type_code))
    if n.system == "state":
        if "/" in n.canonical.split("/", 1)[1] and re.fullmatch(r"(?:QH|UBTVQH)\d*", n.groups[0] or ""):
            return None          # a law or a Quốc hội resolution: the number does not say
        return "Công văn"        # issuer-unit symbol with no type code: a công văn
    return None


# -- issuer -------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _issuer_vocab() -> tuple[frozenset, frozenset, tuple]:
    """Lowercase words that may occur inside a body's name, read from the body data."""
    d = load_data("bodies")
    phrases = [b["name"] for b in d["named"]] + [v for b in d["named"] for v in b.get("variants", [])]
    phrases += [m["name"] for m in d["ministries"]["items"]] + [m["name"] for m in d["departments"]["items"]]
    phrases += [h["name"] for h in d["heads"]["items"]] + d["prefixes"]["items"] + d["party_units"]["items"]
    phrases += d["positions"]["items"] + d["localities"]["items"]
    # every word of a body's name, in lower case too: real texts write "Ban chấp hành",
    # "Ban thường vụ"; the stop pairs below keep "ban hành", "tổ chức" ... out
    words = set()
    for ph in phrases:
        for w in re.findall(r"[\w]+", fold_tones(ph)):
            words.add(w.lower())
    words |= {"khóa", "khoá", "và", "các", "cấp", "trung", "ương", "nhân", "dân", "đảng", "quốc", "gia",
              "tỉnh", "thành", "phố", "xã", "phường", "huyện", "thường", "vụ", "trực", "chế", "nước",
              "chủ", "nghĩa", "hòa"}
    comma_names = tuple(match_key(n) for n in phrases if "," in n)
    stop_pairs = frozenset({"ban hành", "tổ chức", "kiểm tra", "chỉ đạo", "thực hiện", "hướng dẫn",
                            "quy định", "tuyên truyền", "phối hợp", "triển khai", "thông qua", "bổ sung",
                            "sửa đổi", "phê duyệt", "đại biểu", "nhân dân về", "công tác"})
    return frozenset(words), stop_pairs, comma_names


_CAP_STOP_PAIRS = {"Quy định", "Hướng dẫn", "Kế hoạch", "Nghị quyết", "Nghị định", "Chỉ thị", "Quyết định",
                   "Thông tư", "Thông báo", "Thông tri", "Công văn", "Về việc", "Ban hành", "Phê duyệt",
                   "Kết luận", "Báo cáo", "Tờ trình", "Chương trình", "Đề án"}
# capitalised words that open a sentence or a clause, never part of a body's name
_CAP_STOP = {"Về", "V/v", "Luật", "Trích", "Tại", "Theo", "Thực", "Triển", "Căn", "Để", "Nhằm", "Trên", "Các",
             "Những", "Thời", "Yêu", "Xét", "Đề", "Trong", "Sau", "Kính", "Nơi"}
# A name may run over one line break or bold marks ("Ban Bí thư Trung ương Đảng\nkhóa
# XIII", "**khóa XIII**") in text that was not normalised; a blank line ends it.
_TOKEN = re.compile(r"\(?(?i:khóa|khoá)[\s*]+(?:[IVXLC]+|\d{1,2})\)?|[\w&]+(?:[./][\w&]+)*"
                    r"|[^\S\n]+-[^\S\n]+|(?:[^\S\n]|\*)*\n?(?:[^\S\n]|\*)+|(?:[^\S\n]|\*)*\n|.", re.S)


_TWO_WORDS = re.compile(r"[^\s,;]+\s+[^\s,;]+")
_TERM_TOKEN = re.compile(r"\(?(?i:khóa|khoá).*")
_STEERING_NAME = re.compile(r"(?i)Ban\s+Chỉ\s+đạo(?:\s+\S+){0,3}$")


def scan_issuer(text: str, pos: int, list_ok: bool = False) -> int | None:
    """End of the issuer's name that begins at ``pos`` ("Ban Bí thư Trung ương Đảng khóa
    XIII" in "... của Ban Bí thư Trung ương Đảng khóa XIII về công tác ..."), or None.
    A name runs while its words are capitalised or belong to the vocabulary of body names,
    and stops at "về", a type name, a verb ("ban hành", "quy định"), a quote or a comma."""
    vocab, stop_pairs, comma_names = _issuer_vocab()
    head = _TWO_WORDS.match(text, pos, pos + 60)
    if head and not any(ch.islower() for ch in head.group(0)):
        # a line in capitals: only the body grammar can tell where the name ends
        from .bodies import body_regex
        m = body_regex().match(text, pos)
        return m.end() if m else None
    if not text[pos:pos + 1].isupper():
        return None             # a name begins with a capital (nothing below can change that)
    # tokens are read as far as the name runs, not over the whole window
    tokens = _TOKEN.finditer(text, pos, min(len(text), pos + 260))
    toks: list[tuple[str, int]] = []

    def token(k: int) -> tuple[str, int] | None:
        while len(toks) <= k:
            m = next(tokens, None)
            if m is None:
                return None
            toks.append((m.group(0), m.start()))
        return toks[k]

    good_end = None
    nwords = 0
    i = 0
    while (t := token(i)) is not None:
        tok, at = t
        if not tok.strip(" \t\n*\u00a0"):
            if tok.count("\n") > 1:
                break
            i += 1
            continue
        k = i + 1                   # the next token that is not blank
        while (u := token(k)) is not None and not u[0].strip():
            k += 1
        nxt, nxt_at = u if u is not None else ("", len(text))
        if _TERM_TOKEN.fullmatch(tok) and len(tok) > 5:
            if nwords:
                good_end = at + len(tok)
            break
        if tok.strip() == "-":
            if nwords and nxt[:1].isupper():
                i += 1
                continue
            break
        if tok == ",":
            name_so_far = match_key(text[pos:at] + ", " + nxt)
            if any(c.startswith(name_so_far) for c in comma_names):
                i += 1
                continue
            if list_ok and nxt[:1].isupper():
                i += 1
                continue
            break
        if not (tok[0].isalnum()):
            break
        pair = f"{tok} {nxt}"
        if tok[0].isupper():
            if tok in _CAP_STOP or pair in _CAP_STOP_PAIRS or patterns().type_word.match(text, at):
                break
            nwords += 1
            good_end = at + len(tok)
        elif tok.isdigit():
            break
        elif tok in vocab:
            if pair in stop_pairs:
                break
            nwords += 1
            if tok not in ("và", "các", "của"):
                good_end = at + len(tok)
            elif tok == "và" and (not (list_ok or nxt[:1].isupper())
                                  or patterns().type_word.match(text, nxt_at)):
                break
        else:
            break
        if nwords > (30 if list_ok else 18):
            break
        i += 1
    if good_end is None:
        return None
    # a steering committee's name holds its field: "Ban Chỉ đạo Trung ương về phát triển ..."
    if _STEERING_NAME.search(text[pos:good_end]):
        m = _steering_topic().match(text, good_end)
        if m:
            good_end = m.end()
    return good_end


@lru_cache(maxsize=None)
def _steering_topic() -> re.Pattern:
    topics = sorted(load_data("bodies").get("steering_topics", {}).get("items", []), key=len, reverse=True)
    alt = "|".join(re.escape(fold_tones(t)).replace(r"\ ", r"\s+").replace(",", ",?") for t in topics)
    return re.compile(rf"\s+(?i:về)\s+(?i:{alt})(?![\w])")


_ISSUER_LEAD = re.compile(
    r"[\s*]*,?[\s*]*(?:(?i:hội\s+nghị)(?:\s+(?i:lần\s+)?(?i:thứ)\s+[\w]+)?[^\S\n]+(?:(?i:của)[^\S\n]+)?"
    r"|(?P<lead>(?i:của|giữa|do))[^\S\n]+)")
_ISSUER_BEFORE_LEAD = re.compile(r"(?<![\w])(?:của|được|do)[^\S\n]+", re.I)
# "Bộ Nội vụ đã có Văn bản số 8091/BNV-TCBC": the issuer as the subject
_SUBJECT_TAIL = re.compile(r"[^\S\n]+(?:(?i:đã)[^\S\n]+)?(?i:có|ban\s+hành|gửi)[^\S\n]+$")
_ISSUER_BEFORE_TAIL = re.compile(r"[^\S\n]+(?:(?i:phê\s+duyệt|ban\s+hành|chỉ\s+đạo)[^\S\n]+)?(?i:tại)[^\S\n]+(?:(?i:các)[^\S\n]+)?$")


def _clean(s: str) -> str:
    """A name as printed, on one line: bold marks and line breaks gone."""
    return " ".join(s.replace("*", " ").split())


def _issuer_before(text: str, folded: str, start: int) -> str | None:
    """An issuer named before the citation: "ý kiến chỉ đạo của Ủy ban nhân dân tỉnh tại
    Chương trình hành động số 01/CTr-UBND", "được Thủ tướng Chính phủ phê duyệt tại ..."."""
    lo = max(0, start - 160)
    tail = _ISSUER_BEFORE_TAIL.search(folded, lo, start)
    if not tail:
        sub = _SUBJECT_TAIL.search(folded, max(0, start - 30), start)
        if sub:
            from .bodies import body_regex
            for m in body_regex().finditer(folded, lo, sub.start()):
                if m.end() == sub.start() and m.group("pos") is None:
                    return _clean(text[m.start():m.end()])
        return None
    for m in reversed(list(_ISSUER_BEFORE_LEAD.finditer(folded, lo, tail.start()))):
        end = scan_issuer(folded, m.end())
        if end == tail.start():
            return _clean(text[m.end():end])
    return None


# -- relation ----------------------------------------------------------------------------------

_LABEL = r"(?:[-+•*]\s*|\(?(?:\d{1,2}|[a-zđ]|[IVX]{1,4})(?:\.\d{1,2})*[.)\-]\s+)?"
_TRIGGER = re.compile(
    rf"^[\s*]*{_LABEL}[\s*]*(?:(?P<basis>(?i:căn\s+cứ)(?:\s+(?:vào|theo))?)"
    r"|(?P<impl>(?:(?i:để|nhằm|tiếp\s+tục)\s+){0,2}(?:(?i:tổ\s+chức)\s+)?(?:(?i:triển\s+khai)\s+)?"
    r"(?i:thực\s+hiện|triển\s+khai|thi\s+hành|cụ\s+thể\s+hóa|cụ\s+thể\s+hoá|quán\s+triệt)))(?![\w])")
_IMPL_VERB = re.compile(r"(?i)(?<![\w])(?:thực\s+hiện|triển\s+khai|thi\s+hành|cụ\s+thể\s+h[óo]á?|quán\s+triệt)(?![\w])")
_CONNECTOR = re.compile(
    r"[\s*]*\)?[\s*]*(?:[,;]|và|cùng)?[\s*]*(?:(?:và\s+)?(?:đã\s+)?được\s+sửa\s+đổi,?\s+bổ\s+sung"
    r"(?:\s+một\s+số\s+điều)?(?:\s+(?:tại|theo|bởi))?)?[\s*]*(?:các\s+)?[\s*]*", re.I)
_ZONE_END = re.compile(r"^[\s*]*(?:II[\s*]*[.\-–)]|Điều[\s*]+2[.\s])", re.M)


def _zone_end(text: str) -> int:
    """Where the preamble and purpose end: the second top-level section ("II-") or
    "Điều 2"; else the first quarter of the text."""
    m = _ZONE_END.search(text)
    return m.start() if m else len(text) // 4


def _title_span(text: str) -> tuple[int, int] | None:
    """The title: the lines after the type line ("KẾ HOẠCH") near the top, up to the
    first line that opens the body ("Thực hiện ...", "Căn cứ ...", a section label)."""
    m = patterns().type_line.search(text, 0, min(len(text), 3000))
    if not m:
        return None
    start = pos = m.end() + 1
    end = None
    for _ in range(5):
        if pos >= len(text):
            break
        le = text.find("\n", pos)
        le = le if le >= 0 else len(text)
        line = text[pos:le]
        mixed = any(ch.islower() for ch in line)
        if line.strip(" *") and ((mixed and _TRIGGER.match(line))
                                 or re.match(r"[\s*]*(?:Kính\s+gửi|I[.\-]|1[.\-]\s|Điều\s)", line)):
            break
        if end is not None and any(ch.islower() for ch in line) and not any(ch.islower() for ch in text[start:end]):
            break       # a title in capitals ends where mixed case begins
        end = le
        if any(ch.islower() for ch in line):
            break       # a title in mixed case is one paragraph
        pos = le + 1
    return (start, end) if end else None


_LIST_ISSUER = re.compile(r"(?i:các)[\s*]+[^\W\d][\w ]{0,30}?[\s*]+(?i:của)[\s*]+(?=\S)")


def _issuer_code(number_symbol: str | None) -> str | None:
    """The issuer group of a number: "BTCTW" of 9671-CV/BTCTW, "SGDĐT" of 1780/SGDĐT-KHTC,
    "BTC" of 16495/BTC-PTHT, "UBND" of 24/KH-UBND; None for a law's number."""
    if not number_symbol:
        return None
    p = patterns()
    if re.match(r"\d+-", number_symbol):
        return number_symbol.split("/", 1)[1].split("-")[0]
    groups = number_symbol.split("/")[-1].split("-")
    if groups[0] in p.state_codes and len(groups) > 1:
        return groups[1]
    if re.fullmatch(r"(?:QH|UBTVQH)\d*", groups[0]):
        return None
    return groups[0]


def _share_issuers(text: str, folded: str, cands: list) -> None:
    """Give an issuer to the citations that print none but share one:
    - "Nghị định số 178/2024/NĐ-CP, Nghị định số 67/2025/NĐ-CP của Chính phủ": the issuer after
      the last of a list belongs to each;
    - "đề nghị của Sở Giáo dục và Đào tạo tại Công văn số 1383/SGDĐT-KHTC ..., Công văn số
      1780/SGDĐT-KHTC": an issuer named before the first belongs to the next ones;
    - "Căn cứ các Luật của Quốc hội nước ...: Luật ... số 20/2023/QH15; ...": the list's lead.
    An issuer is never guessed from the number's code alone."""
    for i in range(len(cands) - 2, -1, -1):
        c, nxt = cands[i], cands[i + 1]
        if (c.issuer is None and nxt.issuer and not nxt.extra.get("issuer_before") and c.number_symbol
                and re.fullmatch(r"[\s*]*(?:,|và|;(?=[\s*]*(?i:số)))[\s*]*(?:(?i:và)[\s*]+)?(?:(?i:số)[\s*]*)?",
                                 folded[c.end:nxt.start])):
            c.issuer = nxt.issuer
    for i in range(1, len(cands)):
        prev, c = cands[i - 1], cands[i]
        if (c.issuer is None and prev.extra.get("issuer_before") and c.ref_start > prev.start
                and "\n" not in folded[prev.end:c.start]
                and _issuer_code(c.number_symbol) == _issuer_code(prev.number_symbol)):
            c.issuer = prev.issuer
            c.extra["issuer_before"] = prev.issuer
    for c in cands:
        if c.issuer is not None:
            continue
        ls = folded.rfind("\n", 0, c.start) + 1
        lead = folded.find(":", ls, c.start)
        if lead >= 0:
            m = _LIST_ISSUER.search(folded, ls, lead)
            if m:
                end = scan_issuer(folded, m.end())
                if end == len(folded[:lead].rstrip(" *")):
                    c.issuer = _clean(text[m.end():end])


# -- finding -------------------------------------------------------------------------------------

@dataclass
class _Cand:
    start: int
    end: int
    number_symbol: str | None
    printed: str | None
    doc_type: str | None
    date: str | None
    issuer: str | None
    name: str | None = None
    short: bool = False
    key: str | None = None       # identity for dedup: number_symbol, or a law's name key
    ref_start: int = 0           # where the number or the law's name starts
    alias: str | None = None
    relation: str = "cites"
    refers_to: int | None = None
    extra: dict = field(default_factory=dict)


@lru_cache(maxsize=4096)
def _law_key(name: str) -> str:
    """The identity of a law's name (cached: asked for every pair of citations)."""
    s = expand_abbreviations(name)
    for a, e in load_data("laws")["abbreviations"].items():
        s = re.sub(rf"(?<![\w]){re.escape(a)}(?![\w])", e, s)
    s = re.sub(r"\s+năm\s+\d{4}$", "", s)
    s = re.sub(r"\s*\((?:sửa đổi|sửa đổi, bổ sung)\)$", "", s)
    return "law:" + match_key(s.replace(",", ""))


def _date_of(m: re.Match) -> str | None:
    """The ISO date of a citation's date match; "YYYY-MM" when the day is left blank."""
    if m.group("m3"):
        return f"{int(m.group('y3')):04d}-{int(m.group('m3')):02d}"
    return _iso(m.group("y") or m.group("y2"), m.group("m") or m.group("m2"), m.group("d") or m.group("d2"))


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return calendar_date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _tail(text: str, folded: str, end: int, allow_year: bool = False,
          joint: bool = False) -> tuple[int, str | None, str | None]:
    """After a number or a law's name: the date and the issuer. Returns (end, date, issuer)."""
    p = patterns()
    date = issuer = None
    m = p.date_after.match(folded, end)
    if m:
        date = _date_of(m)
        end = m.end()
    elif allow_year:
        m = p.year_after.match(folded, end)
        if m:
            end = m.end()       # the year belongs to the citation, but is no date
    m = _ISSUER_LEAD.match(folded, end)
    if m:
        # a joint document ("giữa ...", 102/2025/NQLT-UBTVQH15-CP-...) has several issuers
        iend = scan_issuer(folded, m.end(), list_ok=joint or (m.group("lead") or "").lower() == "giữa")
        if iend:
            issuer = _clean(text[m.end():iend])
            end = iend
            if date is None:
                m2 = p.date_after.match(folded, end)
                if m2:
                    date = _date_of(m2)
                    end = m2.end()
    return end, date, issuer


# "Kết luận số 187, 188-KL/TW": the bare numbers listed before a number and symbol
_LIST_BEFORE = re.compile(r"(?P<list>(?:(?<![\w/.\-])\d{1,5}[^\S\n]*(?:,|và|;)[^\S\n]*)+)$")
# "Nghị định số 178/2024/NĐ-CP, số 67/2025/NĐ-CP": the next number of a list
_NEXT_OF_LIST = re.compile(r"(?:[;,][\s*]*(?:và[\s*]+)?|[\s*]+và[\s*]+)(?i:số)[\s*]*$")
# Every alias names itself "... viết tắt là": most documents hold no "tắt", which a
# search finds in half the time the alias pattern takes to scan the text (at each comma).
_ALIAS_HINT = re.compile(r"(?i:tắt)")
_LAW_LIST = compile_guarded(r"(?<![\w])(?:Luật|luật)[^\S\n]*:")
# Its literal part, found by a fast literal search: most documents hold none.
_LAW_LIST_HINT = re.compile(r"uật[^\S\n]*:")
_FORM_BEFORE = re.compile(r"(?i)(?:mẫu|biểu|phụ\s+lục|mã)[\s*]*(?:số)?[\s*]*:?[\s*]*$")
# The document's own number line: "Số: 141/KH-UBND", "Số:\n21/2025/NQ-HĐND", "Nghị quyết
# số: 101/2025/UBTVQH15" in a flattened header ("số:" with a colon is never a citation).
_OWN_NUMBER = re.compile(r"(?:(?:^|\n)[\s*|]*Số[\s*]*[:/.]?|(?i:số)[^\S\n]*:)[\s*|]*$")
_CAPTION = re.compile(r"^[\s*]*\(?[\s*]*(?i:ban\s+hành\s+)?(?i:kèm\s+theo)[\s*]+(?P<type>[^\d\n]{3,40}?)[\s*]+(?i:số)[\s*]*$",
                      re.M)


def _numbers(folded: str):
    """``patterns().number.finditer(folded)``, scanning only the lines that hold a '/': a
    number and symbol always has one and never runs over a line break (a quarter of a
    document's text is on such lines)."""
    number = patterns().number
    pos, n = 0, len(folded)
    while (slash := folded.find("/", pos)) >= 0:
        line_start = folded.rfind("\n", 0, slash) + 1
        line_end = folded.find("\n", slash)
        if line_end < 0:
            line_end = n
        yield from number.finditer(folded, line_start, line_end)
        pos = line_end


def _own_numbers(text: str, folded: str, own_type: str | None) -> set[str]:
    """The document's own number: on its "Số ..." line at the top, or, where there is none,
    in the caption of its appendix ("(Kèm theo Hướng dẫn số 40-HD/BTGDVTW, ngày ...)")."""
    p = patterns()
    out: set[str] = set()
    for m in p.number.finditer(folded, 0, min(len(folded), 2500)):
        if _OWN_NUMBER.search(folded, max(0, m.start() - 40), m.start()):
            n = parse_number(m, has_type=True)
            if n:
                out.add(n.canonical)
                break
    if not out and own_type:
        for m in _numbers(folded):
            line_start = folded.rfind("\n", 0, m.start()) + 1
            cm = _CAPTION.match(folded[line_start:m.start()])
            if cm and p.type_names.get(match_key(cm.group("type"))) == own_type:
                n = parse_number(m, has_type=True)
                if n:
                    out.add(n.canonical)
                    break
    return out


def _own_type(text: str) -> str | None:
    m = patterns().type_line.search(text, 0, min(len(text), 3000))
    if not m:
        return None
    return patterns().type_names.get(match_key(m.group("type")))


def _by_tail(head: re.Pattern, tail: re.Pattern, text: str, window: int = 80, last: re.Pattern | None = None):
    """``(head match, tail match)`` for each place where ``head`` (a pattern ending in
    ``$``) ends right where ``tail`` begins: a pattern found by its rarer end. ``head`` is
    searched in the ``window`` characters before each tail match (look-behinds still see
    the text before the window); the leftmost start wins, as a scan of the text would.

    ``last``: a pattern ending in ``\\Z`` for what ``head`` ends with before its trailing
    blanks, none of it a blank; it is tested first on the last word there (most tails are
    a year or a count after some other word: the search of the window costs far more)."""
    for t in tail.finditer(text):
        lo = max(0, t.start() - window)
        if last is not None:
            # str.split and re's \s take the same characters for blanks
            words = text[lo:t.start()].rsplit(None, 1)
            if not words or not last.search(words[-1]):
                continue
        h = head.search(text, lo, t.start())
        if h is not None and h.end() == t.start():
            yield h, t


def find_references(text: str, doc_date: str | None = None, *, doc_type: str | None = None,
                    own_number: str | None = None) -> list[Reference]:
    """Every reference to another document in ``text``, in text order.

    ``doc_date`` (ISO) is accepted for symmetry with :func:`find_dates` and for callers
    that know it; ``doc_type`` and ``own_number`` (the document's own type and number)
    are read from the header lines when not given: a mention of the document itself
    ("Kế hoạch này", its own number) is not a reference."""
    p = patterns()
    folded = fold_tones(text)
    own_type = doc_type or _own_type(text)
    own = _own_numbers(text, folded, own_type)
    if own_number:
        own.add(normalise_number(own_number) or own_number)
    cands: list[_Cand] = []

    # 1. numbers and symbols
    by_start: dict[int, _Cand] = {}
    for m in _numbers(folded):
        before = folded[max(0, m.start() - 80):m.start()]
        if _FORM_BEFORE.search(before):
            continue

        # a list of bare numbers before: "Kết luận số 187, 188-KL/TW"
        # (a list ends in a separator: the text without its last blanks is tested first)
        lm = _LIST_BEFORE.search(before) if before.rstrip().endswith((",", "và", ";")) else None
        list_start = m.start() - len(lm.group("list")) if lm else m.start()
        tm = p.type_before.search(folded, max(0, list_start - 60), list_start)
        has_type = bool(tm)
        n = parse_number(m, has_type)
        if n is None:
            continue
        if n.canonical in own:
            continue
        doc_type = p.type_names.get(match_key(tm.group("type"))) if tm else _type_of_code(n)
        law_name = None
        if not tm:
            # "Luật Bầu cử đại biểu Quốc hội và dại biểu Hội đồng nhân dân số 85/2015/QH13": a
            # law's name the list of names does not know, then its number
            lw = re.search(r"(?<![\w])(?<!pháp )Luật[^\S\n]+[^\W\d][^,;.:()\n]{2,140}?[^\S\n]+(?i:số)[^\S\n]*$",
                           folded[max(0, list_start - 160):list_start])
            if lw:
                tm_start = max(0, list_start - 160) + lw.start()
                law_name = re.sub(r"\s+(?i:số)\s*$", "", text[tm_start:list_start]).strip()
                doc_type = "Luật"
        start = tm.start() if tm else (tm_start if law_name else list_start)
        issuer_groups = n.groups[1:] if n.type_code else n.groups
        end, date, issuer = _tail(text, folded, m.end(), joint=len(issuer_groups) >= 2 and n.type_code is not None)
        issuer_before = None
        if issuer is None:
            issuer = issuer_before = _issuer_before(text, folded, start)
        if date is None:
            dm = p.date_before.search(folded, max(0, start - 60), start)
            if dm:
                date = _date_of(dm)
        typed = bool(tm)
        if not tm and cands and _NEXT_OF_LIST.search(before):
            prev = cands[-1]
            if "\n" not in folded[prev.end:m.start()] and prev.extra.get("typed"):
                doc_type, typed = prev.doc_type, True
                issuer_before = prev.extra.get("issuer_before")
                issuer = issuer or issuer_before
        if lm:
            # one reference per listed number, sharing type, symbol, date and issuer
            pos = list_start
            for nm in re.finditer(r"\d{1,5}", lm.group("list")):
                s = list_start + nm.start()
                e = list_start + nm.end()
                canon = re.sub(r"^\d+", nm.group(0), n.canonical)
                c = _Cand(start=start if pos == list_start else s, end=e, number_symbol=canon,
                          printed=text[s:e], doc_type=doc_type, date=date, issuer=issuer,
                          key=canon, ref_start=s)
                cands.append(c)
                pos = e
            start = m.start()
        c = _Cand(start=start, end=end, number_symbol=n.canonical, printed=text[m.start():m.end()],
                  doc_type=doc_type, date=date, issuer=issuer, key=n.canonical, ref_start=m.start())
        c.name = law_name
        c.extra.update(typed=typed, issuer_before=issuer_before)
        cands.append(c)
        by_start[m.start()] = c

    # 2. laws by name (with their number when one follows: "Luật ... số 85/2015/QH13"), the
    # laws an amending law names, the names listed after one "Luật:", and Party documents
    # cited by name
    def add_named(s: int, e: int, kind: str, inner: bool = False) -> None:
        name = text[s:e].strip()
        after = re.match(r"[\s*]*,?[\s*]*(?:(?i:số)[\s*]*)?", folded[e:e + 20])
        numbered = by_start.get(e + after.end()) if after and not inner else None
        if numbered is not None:
            numbered.start = min(numbered.start, s)
            numbered.name = name
            numbered.doc_type = kind
            return
        if not inner and any(c.start <= s < c.end for c in cands):
            return            # inside a citation already taken ("Luật số 83/2025/QH15")
        if not inner:
            # "Luật số 57/2024/QH15 ... của Quốc hội ban hành Luật sửa đổi, bổ sung ...": its name
            prev = [c for c in cands if c.end <= s and c.number_symbol and c.doc_type == "Luật" and not c.name]
            if prev and re.fullmatch(r"[\s*]+(?i:ban\s+hành)[\s*]+", folded[prev[-1].end:s]):
                prev[-1].name = name
                return
        end, date, issuer = _tail(text, folded, e, allow_year=True) if not inner else (e, None, None)
        cands.append(_Cand(start=s, end=end, number_symbol=None, printed=None, doc_type=kind,
                           date=date, issuer=issuer, name=name, key=_law_key(name), ref_start=s))

    def kind_of(name_folded: str) -> str:
        if name_folded.startswith("Hiến"):
            return "Hiến pháp"
        if name_folded.startswith("Bộ"):
            return "Bộ luật"
        for rx, t in p.named_types:
            if rx.match(name_folded):
                return t
        return "Luật"

    for m in finditer_from(p.law, p.law_starts, folded):
        add_named(m.start(), m.end(), kind_of(m.group(0)))
        name_f = m.group(0)
        if re.match(r"(?i)luật\s+sửa\s+đổi", name_f):
            # "Luật sửa đổi, bổ sung một số điều của Luật Quy hoạch, Luật Đầu tư ...": each
            # amended law is cited too
            for im in finditer_from(p.law, p.law_starts, folded, m.start() + 5, m.end()):
                add_named(im.start(), im.end(), kind_of(im.group(0)), inner=True)
        # "Luật: Chứng khoán, Kế toán, Kiểm toán độc lập, ...", "các Luật: ..."
    for m in (_LAW_LIST.finditer(folded) if _LAW_LIST_HINT.search(folded) else ()):
        pos = m.end()
        while True:
            im = p.law_list_item.match(folded, pos)
            if not im:
                break
            s0, e0 = im.start("item"), im.end("item")
            if not any(c.start <= s0 < c.end for c in cands):
                name = "Luật " + text[s0:e0] if not folded[s0:e0].startswith("Luật") else text[s0:e0]
                cands.append(_Cand(start=s0, end=e0, number_symbol=None, printed=None, doc_type="Luật",
                                   date=None, issuer=None, name=name, key=_law_key(name), ref_start=s0))
            pos = im.end()
            if folded[im.end() - 1:im.end()] == ";":
                break

    cands.sort(key=lambda c: (c.start, c.ref_start))
    # "Nghị định số 178/2024/NĐ-CP, Nghị định số 67/2025/NĐ-CP của Chính phủ": the issuer
    # printed after the last of a list belongs to each
    _share_issuers(text, folded, cands)

    # 3. aliases: "(sau đây viết tắt là Chỉ thị số 30-CT/TW)"
    aliases: list[tuple[str, _Cand, int]] = []
    for m in (p.alias.finditer(folded) if _ALIAS_HINT.search(folded) else ()):
        alias = text[m.start("alias"):m.end("alias")].strip(" *")
        am = p.type_word.match(fold_tones(alias))
        inner = [c for c in cands if m.start() <= c.ref_start < m.end()]
        target = None
        if inner:
            key = inner[0].key
            target = next((c for c in cands if c.key == key and c.start < m.start()), None)
        elif am:
            line_start = folded.rfind("\n", 0, m.start()) + 1
            prior = [c for c in cands if line_start <= c.start and c.end <= m.start() and not c.short]
            tname = p.type_names.get(match_key(am.group("type")))
            same = [c for c in prior if c.doc_type == tname]
            target = (same or prior or [None])[-1]
        if target is not None and target.alias is None:
            target.alias = alias
            aliases.append((alias, target, m.end()))

    # 4. short mentions: "Chỉ thị 30", an alias used later, "Chỉ thị này"
    shorts: list[_Cand] = []
    taken = [(c.start, c.end) for c in cands]

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in taken)

    for m, nm in _by_tail(p.short, p.short_number, folded, last=p.short_last):
        if not free(m.start(), nm.end()):
            continue
        tname = p.type_names.get(match_key(m.group("type")))
        n = nm.group(0)
        match = [c for c in cands if c.doc_type == tname and c.number_symbol
                 and re.match(rf"0*{int(n)}(?![\d])", c.number_symbol)]
        if not match:
            continue
        prior = [c for c in match if c.start < m.start()]
        target = (prior or match)[-1] if prior else match[0]
        shorts.append(_Cand(start=m.start(), end=nm.end(), number_symbol=target.number_symbol,
                            printed=text[nm.start():nm.end()], doc_type=tname, date=None, issuer=None,
                            short=True, key=target.key, ref_start=nm.start()))
        taken.append((m.start(), nm.end()))
    for alias, target, after in aliases:
        if normalise_number(alias) or len(alias) < 4:
            continue
        for m in re.finditer(rf"(?<![\w]){re.escape(fold_tones(alias))}(?![\w])", folded[after:]):
            s, e = after + m.start(), after + m.end()
            if free(s, e):
                shorts.append(_Cand(start=s, end=e, number_symbol=target.number_symbol, printed=None,
                                    doc_type=target.doc_type, date=None, issuer=None, name=target.name,
                                    short=True, key=target.key, ref_start=s))
                taken.append((s, e))
    if own_type:
        for m, wm in _by_tail(p.this, p.this_word, folded):
            tname = p.type_names.get(match_key(m.group("type")))
            if tname == own_type or not free(m.start(), wm.end()):
                continue
            prior = [c for c in cands if c.doc_type == tname and c.end <= m.start()]
            if prior:
                t = prior[-1]
                shorts.append(_Cand(start=m.start(), end=wm.end(), number_symbol=t.number_symbol, printed=None,
                                    doc_type=tname, date=None, issuer=None, name=t.name, short=True,
                                    key=t.key, ref_start=m.start()))
    # a law cited by a shorter name ("Luật Bầu cử" for "Luật Bầu cử đại biểu Quốc hội ...")
    # a number printed short, cut at a group ("Nghị quyết liên tịch số 102/2025/NQLT." for
    # 102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN) is the longer one
    numbers = sorted({c.key for c in cands if c.number_symbol}, key=len)
    for c in cands:
        if c.number_symbol and c.key:
            longer = [k for k in numbers if len(k) > len(c.key) and k.startswith(c.key + "-")]
            if len(longer) == 1:
                c.key = longer[0]
    # (only a name the list of laws does not know is taken for a short one)
    law_keys = [c.key for c in cands if c.key and c.key.startswith("law:")]
    for c in cands:
        if c.name and c.number_symbol is None and c.key and not p.known_law.fullmatch(fold_tones(c.name)):
            longer = [k for k in law_keys if k != c.key and k.startswith(c.key + " ")]
            numbered = [x for x in cands if x.name and x.number_symbol and _law_key(x.name).startswith(c.key)]
            if numbered:
                c.key = numbered[0].key
                c.number_symbol = None
            elif longer and c.key.count(" ") <= 2:
                c.key = longer[0]
    # a law named without its number, elsewhere cited with it
    name_to_number = {_law_key(c.name): c.key for c in cands if c.name and c.number_symbol}
    for c in cands:
        if c.name and c.number_symbol is None and c.key in name_to_number:
            c.key = name_to_number[c.key]

    allc = sorted(cands + shorts, key=lambda c: (c.start, c.ref_start))
    _relations(text, folded, allc)

    # 5. link repeats to the first full mention (the first with a date, else with an issuer)
    first: dict[str, int] = {}
    for key in dict.fromkeys(c.key for c in allc if c.key):
        group = [i for i, c in enumerate(allc) if c.key == key]
        full = [i for i in group if not allc[i].short]
        named = [i for i in full if allc[i].name]
        if named:
            # a law: the mention that gives its full name ("Luật Bầu cử đại biểu Quốc hội ..."
            # rather than "Luật Bầu cử năm 2015")
            longest = max(len(allc[i].name) for i in named)
            best = next(i for i in named if len(allc[i].name) == longest)
        else:
            best = next((i for i in full if allc[i].date), None)
        if best is None:
            best = next((i for i in full if allc[i].issuer), None)
        if best is None:
            best = full[0] if full else group[0]
        first[key] = best
        for i in group:
            if i != best:
                allc[i].refers_to = best
        # what the first full mention leaves out, a later one may give
        if allc[best].issuer is None:
            allc[best].issuer = next((allc[i].issuer for i in full if allc[i].issuer), None)
        if allc[best].alias is None:
            allc[best].alias = next((allc[i].alias for i in group if allc[i].alias), None)
        if allc[best].number_symbol is None:
            allc[best].number_symbol = next((allc[i].number_symbol for i in group if allc[i].number_symbol), None)

    out = []
    for c in allc:
        number = c.number_symbol
        if c.short and c.refers_to is not None:
            number = allc[c.refers_to].number_symbol or number
        out.append(Reference(doc_type=c.doc_type, number_symbol=number, date=c.date, issuer=c.issuer,
                             relation=c.relation, alias=c.alias, text=text[c.start:c.end],
                             start=c.start, end=c.end, number_printed=c.printed, name=c.name,
                             refers_to=c.refers_to))
    return out


_NEAR_VERB = re.compile(
    r"(?i)(?<![\w])(?:thực\s+hiện|triển\s+khai|thi\s+hành|cụ\s+thể\s+h[óo]á?|quán\s+triệt)"
    r"(?:[^\S\n]+(?:có\s+hiệu\s+quả|hiệu\s+quả|nghiêm\s+túc|tốt|đầy\s+đủ|các|đúng))*[\s*:]*$")
_AMENDED_BY = re.compile(r"(?i)sửa\s+đổi,?\s+bổ\s+sung(?:\s+một\s+số\s+điều)?\s+(?:tại|theo|bởi)[\s*]*$")
# "theo quy định tại Điều 102 Luật Lâm nghiệp": a rule applied, not a document carried out
_BY_RULE = re.compile(r"(?i)(?<![\w])(?:theo\s+quy\s+định|quy\s+định\s+tại|Điều\s+\d)")
# "Căn cứ các Luật của Quốc hội nước ...: Luật Giao dịch điện tử số 20/2023/QH15, ...;"
_LIST_LEAD = re.compile(r"[\s*]*(?:(?i:các)[\s*]+)?[^\W\d][^:;.\n]{0,120}:[\s*]*")
_REJOIN = re.compile(r"(?:,|;|[^\S\n])[^\S\n]*(?i:và)[^\S\n]+(?:[^,;.\n]{0,60}?[^\S\n](?i:tại)[^\S\n]+)?"
                     r"(?:(?i:các)[^\S\n]+)?$")


def _relations(text: str, folded: str, cands: list[_Cand]) -> None:
    """Set ``relation``: ``basis`` for the documents a "Căn cứ" clause lists, ``implements``
    for those a "Thực hiện"/"Triển khai" clause of the preamble lists or the title says the
    document carries out, ``cites`` otherwise. A document named inside another's subject
    line ("... về sửa đổi ... Luật Công đoàn") is cited, not listed, unless the subject
    says it is carried out ("Kế hoạch số 24/KH-UBND ... thực hiện Nghị quyết số 66-NQ/TW"
    in a "Thực hiện" clause)."""
    zone = _zone_end(folded)
    title = _title_span(folded)
    for c in cands:
        c.relation = "cites"
    # logical lines: a citation broken over a line break ("Thông tri số\n02-TT/TU ...")
    # joins the two lines
    by_line: dict[int, list[int]] = {}
    line_end: dict[int, int] = {}
    for i, c in enumerate(cands):
        ls = folded.rfind("\n", 0, c.start) + 1
        for known in line_end:
            if known <= ls <= line_end[known]:
                ls = known
                break
        le = folded.find("\n", max(c.end - 1, ls))
        le = le if le >= 0 else len(folded)
        line_end[ls] = max(line_end.get(ls, 0), le)
        by_line.setdefault(ls, []).append(i)
    inherited: tuple[str, int] | None = None     # a list that runs on from the line before
    prev_line_end = -1
    for ls in sorted(by_line):
        idx = by_line[ls]
        le = line_end[ls]
        line = folded[ls:le]
        in_title = title is not None and title[0] <= ls < title[1]
        trig = _TRIGGER.match(line)
        rel = None
        seg_start = ls
        first_seg = True
        if trig:
            rel = "basis" if trig.group("basis") else "implements"
            if rel == "implements" and ls >= zone:
                rel = None
            seg_start = ls + trig.end()
        elif (inherited and prev_line_end == ls - 1
              and re.fullmatch(r"[\s*\-+•]*", folded[ls:cands[idx[0]].start])):
            # the list goes on from the line before ("...;\nHướng dẫn số 7886/HD-BNV ...")
            rel = inherited[0]
            first_seg = False
        chain: list[int] = []          # indices listed by the clause, in order
        nested_since = False           # a document named inside the last listed one's subject
        started = not first_seg        # the clause listed its first document
        for i in idx:
            c = cands[i]
            if rel:
                semi = folded.rfind(";", seg_start, c.start)
                if semi >= 0 and _depth(folded, ls, semi) == 0:
                    seg_start = semi + 1
                    first_seg = False
                    chain_last = None
                else:
                    chain_last = cands[chain[-1]] if chain and cands[chain[-1]].start >= seg_start else None
                if c.start >= seg_start:
                    if chain_last is None:
                        gap = folded[seg_start:c.start]
                        limit = (40 if rel == "basis" else 150) if first_seg else 14
                        if ((first_seg or started) and len(gap) <= limit and "." not in gap.replace("..", "")
                                and not _inside_subject(gap) and not _BY_RULE.search(gap)
                                or first_seg and _LIST_LEAD.fullmatch(gap)):
                            c.relation = rel
                            chain.append(i)
                            nested_since = False
                            started = True
                            continue
                    elif c.start >= chain_last.end:
                        gap = folded[chain_last.end:c.start]
                        if _CONNECTOR.fullmatch(gap) or (not nested_since and _REJOIN.search(gap)):
                            c.relation = rel
                            chain.append(i)
                            continue
                        if c.key == chain_last.key and folded[c.start - 1:c.start] == "(":
                            # "(Nghị quyết số 163/2024/QH15)": the listed one named again
                            c.relation = rel
                            chain.append(i)
                            nested_since = False
                            continue
                    nested_since = True
            if rel == "basis" and _AMENDED_BY.search(folded, max(ls, c.start - 40), c.start):
                # "được sửa đổi, bổ sung bởi Nghị định số 187/2025/NĐ-CP": basis like the one it amends
                c.relation = "basis"
            elif in_title and _IMPL_VERB.search(folded, title[0], c.start):
                c.relation = "implements"
            elif rel == "implements":
                near = _NEAR_VERB.search(folded, max(ls, c.start - 60), c.start)
                # "Kế hoạch ... thực hiện Nghị quyết 66" is carried out too; a subject line
                # "về thực hiện Nghị quyết 71" only names it
                if near and not re.search(r"(?i)(?<![\w])về[\s*]+(?:việc[\s*]+)?(?:tổ\s+chức[\s*]+)?(?:triển\s+khai[\s*]+)?$",
                                          folded[max(ls, near.start() - 40):near.start()]):
                    c.relation = "implements"
        ends_list = line.rstrip(" *").endswith((";", ","))
        inherited = (rel, le) if rel and ends_list else None
        prev_line_end = le


def _depth(s: str, a: int, b: int) -> int:
    return s.count("(", a, b) - s.count(")", a, b)


def _inside_subject(gap: str) -> bool:
    return bool(re.search(r"(?i)(?<![\w])về(?![\w])", gap))

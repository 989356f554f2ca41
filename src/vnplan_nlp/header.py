"""The header: issuing organ(s), national line, number line, place and date, type and title.

Works on the normalised text's lines. Headers come flattened from two-column tables in
every order; the parser finds the anchors (national line, number line, date line, type
line) and reads the organ lines around them. A part the header lacks may be filled from
the body; ``Header.evidence`` then says so and the span points at the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice

from .models import Header
from .normalise import alternation, compile_guarded, fold_tones
from .segment import TextLine, iter_lines, type_by_code, type_of_line

_SCAN_LINES = 80

NATIONAL_STATE = re.compile(r"^CỘNG\s+H(?:ÒA|OÀ)\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM\b")
NATIONAL_PARTY = re.compile(r"^ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM$")
MOTTO = re.compile(r"^Độc\s+lập\s*-\s*Tự\s+do\s*-\s*Hạnh\s+phúc", re.I)

# "Số: 141/KH-UBND", "Số 103-KH/ĐU", "Số/103 -KH/ĐU", "Số:      /KH-MTTQ-BTT", "Số:" alone
NUMBER_LINE = re.compile(
    r"^(?:(?P<tprefix>[A-ZĐ][a-zà-ỹđ]+(?:\s+[a-zà-ỹđ]+){0,3})\s+số|Số)\s*[:/.]?\s*"
    r"(?P<rest>(?:\d|/|[A-ZĐ]{2,}[-/]).*)?$")   # "Số: 141/KH-UBND", "Nghị quyết số: 101/2025/UBTVQH15"
_NUMBER_REST = re.compile(r"^(?P<num>\d+[a-zA-Z]?)?\s*(?P<sep>[-/])?\s*(?P<sym>[^\s].*)?$")

DATE_LINE = re.compile(
    r"^(?:(?P<place>[^\d,;:\n]{2,60}?)\s*,\s*)?ngày\s*(?P<d>\d{1,2})?[\s.…_]*tháng\s*(?P<m>\d{1,2})"
    r"[\s.…_]*năm\s*(?P<y>\d{4})", re.I)
DATE_LINE_NUMERIC = re.compile(
    r"^(?:(?P<place>[^\d,;:\n]{2,60}?)\s*,\s*)?ngày\s*(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})",
    re.I)

VV_LINE = re.compile(r"^V/v\b\.?\s*:?\s*(?P<subject>.*)$")

# Lines that open the body rather than continue a title.
BODY_OPENER = re.compile(
    r"^(?:Căn\s+cứ|Thực\s+hiện|Triển\s+khai|Kính\s+gửi|Xét\s|Theo\s|Nhằm\s|Để\s|Ngày\s+\d|Trong\s|Qua\s|Sau\s|"
    r"Trên\s+cơ\s+sở|Vừa\s+qua|Hiện\s+nay|Tiếp\s+tục|Năm\s+\d|Thời\s+gian\s+qua|[IVX]+[.\-]\s|\d+[.\-)]\s|"
    r"Điều\s+\d|Chương\s+[IVX\d]|PHẦN\s|Phần\s)")

# Words that open a new organ in a stack of header lines.
ORGAN_HEAD = re.compile(
    r"^(?:ỦY\s+BAN|UỶ\s+BAN|UBND|HĐND|HỘI\s+ĐỒNG|BAN|ĐẢNG\s+(?:ỦY|UỶ|BỘ|ĐOÀN)|(?:TỈNH|THÀNH|HUYỆN|QUẬN|THỊ)\s+(?:ỦY|UỶ)|"
    r"CHI\s+BỘ|BỘ(?!\s+CHÍNH\s+TRỊ\s*$)|SỞ|CỤC|TỔNG\s+CỤC|VỤ|VĂN\s+PHÒNG|CHÍNH\s+PHỦ|THỦ\s+TƯỚNG|QUỐC\s+HỘI|"
    r"MẶT\s+TRẬN|TRƯỜNG|VIỆN|TÒA\s+ÁN|TOÀ\s+ÁN|CÔNG\s+AN|THANH\s+TRA|KHO\s+BẠC|BẢO\s+HIỂM|NGÂN\s+HÀNG|ĐOÀN|"
    r"HỘI|LIÊN\s+ĐOÀN|TRUNG\s+TÂM|PHÒNG|THƯỜNG\s+TRỰC|TẬP\s+ĐOÀN|TỔNG\s+CÔNG\s+TY|CÔNG\s+TY|HỌC\s+VIỆN|"
    r"ĐẠI\s+HỌC|BÁO|ĐÀI|LỰC\s+LƯỢNG|BỘ\s+CHỈ\s+HUY|BỘ\s+TƯ\s+LỆNH|QUÂN\s+KHU|KIỂM\s+TOÁN)\b")
# A head that cannot stand alone: the next line completes it.
INCOMPLETE_HEAD = re.compile(
    r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN$|^HỘI\s+ĐỒNG\s+NHÂN\s+DÂN$|^BAN\s+CHẤP\s+HÀNH$|^ĐẢNG\s+(?:ỦY|UỶ|BỘ)$|"
    r"^(?:ỦY|UỶ)\s+BAN$|^BAN$|^VĂN\s+PHÒNG$|^BỘ$|^SỞ$|^CỤC$|^(?:ỦY|UỶ)\s+BAN\s+MẶT\s+TRẬN\s+TỔ\s+QUỐC$|"
    r"^(?:ỦY|UỶ)\s+BAN\s+MTTQ$|^ĐOÀN\s+ĐẠI\s+BIỂU$|^(?:ỦY|UỶ)\s+BAN\s+THƯỜNG\s+VỤ$|^ĐOÀN\s+CHỦ\s+TỊCH$")
# Sub-bodies named without their parent ("BAN THƯỜNG TRỰC" under "ỦY BAN MTTQ ... XÃ X").
DEPENDENT = re.compile(
    r"^(?:BAN\s+THƯỜNG\s+(?:TRỰC|VỤ)|THƯỜNG\s+TRỰC|VĂN\s+PHÒNG|BAN\s+TỔ\s+CHỨC|BAN\s+TUYÊN\s+GIÁO(?:\s+VÀ\s+DÂN\s+VẬN)?|"
    r"(?:ỦY|UỶ)\s+BAN\s+KIỂM\s+TRA|BAN\s+DÂN\s+VẬN|BAN\s+NỘI\s+CHÍNH|BAN\s+KINH\s+TẾ|BAN\s+ĐỐI\s+NGOẠI|"
    r"BAN\s+CHÍNH\s+SÁCH,?\s+CHIẾN\s+LƯỢC|BAN\s+CHỈ\s+ĐẠO)$")

# Body sentences that name the issuer: "Đảng ủy Sở Nội vụ xây dựng Kế hoạch ..."
_ORG_START = (r"(?:Ban\s+Thường\s+(?:vụ|trực)\s+|Ban\s+Chấp\s+hành\s+|Thường\s+trực\s+)?"
              r"(?:Đảng\s+(?:ủy|uỷ|bộ|đoàn)|Ủy\s+ban|Uỷ\s+ban|UBND|Sở|Ban|Chi\s+bộ|Tỉnh\s+(?:ủy|uỷ)|"
              r"Thành\s+(?:ủy|uỷ)|Huyện\s+(?:ủy|uỷ)|Hội\s+đồng|Bộ|Văn\s+phòng|Cục|Mặt\s+trận|Ban\s+cán\s+sự)")
BODY_ISSUER = re.compile(
    rf"(?P<org>{_ORG_START}[^,;.:()\n]{{0,70}}?)\s+(?:xây\s+dựng|ban\s+hành|hướng\s+dẫn|thông\s+báo|triển\s+khai)\s+"
    r"(?:[Kk]ế\s+hoạch|[Hh]ướng\s+dẫn|[Cc]hương\s+trình|[Qq]uy\s+chế|[Qq]uy\s+định|[Đđ]ề\s+án|[Pp]hương\s+án|"
    r"[Kk]ết\s+luận|[Cc]hỉ\s+thị|[Nn]ghị\s+quyết|[Tt]hông\s+báo|[Qq]uyết\s+định|một\s+số|như\s+sau|nội\s+dung)")
CLOSING_ISSUER = re.compile(
    rf"^Trên\s+đây\s+là\s+[^\n]*?\s+của\s+(?P<org>{_ORG_START}[^,;:()\n]{{0,70}}?)\s*[.;]?\s*$")


AUTHORITY_ISSUER = re.compile(
    r"^(?:(?:CHỦ\s+TỊCH|BỘ\s+TRƯỞNG|CỤC\s+TRƯỞNG|GIÁM\s+ĐỐC|TỔNG\s+CỤC\s+TRƯỞNG|CHÁNH\s+VĂN\s+PHÒNG|"
    r"TRƯỞNG\s+BAN|VIỆN\s+TRƯỞNG|TỔNG\s+GIÁM\s+ĐỐC|THỐNG\s+ĐỐC|TỔNG\s+KIỂM\s+TOÁN)\s+(?P<org>[^a-zđ:]+?)"
    r"|(?P<self>THỦ\s+TƯỚNG\s+CHÍNH\s+PHỦ|CHÍNH\s+PHỦ|CHỦ\s+TỊCH\s+NƯỚC|QUỐC\s+HỘI|"
    r"(?:ỦY|UỶ)\s+BAN\s+THƯỜNG\s+VỤ\s+QUỐC\s+HỘI))\s*(?:điện)?\s*:?$")

# Codes that name one body whatever the locality (a ministry, the Prime Minister).
_GENERIC_CODES = {"UBND", "HĐND", "MTTQ", "TU", "HU", "QU", "ĐU", "ĐUK", "CB", "BTCTU", "BTGDVTU", "VPTU", "UBKTTU"}


def issuer_from_symbol(symbol: str) -> str | None:
    from .segment import load_json
    data = load_json("issuer_codes.json")
    codes = {e["code"]: e for e in data["state"] + data["party"]}
    type_codes = {c for (_s, c) in type_by_code()}
    if "/" in symbol and not re.match(r"^\d{4}/", symbol):      # Party: KH/ĐU
        cand = symbol.split("/", 1)[1].split("-")[0]
    else:
        groups = symbol.split("/")[-1].split("-")
        cand = groups[1] if groups[0] in type_codes and len(groups) > 1 else groups[0]
    e = codes.get(cand)
    if not e or cand in _GENERIC_CODES or e.get("unit_code_only") or "/" in e["name"]:
        return None
    return e["name"]


@dataclass
class HeaderResult:
    header: Header
    body_start: int            # offset where the body begins (after the title)
    system: str | None
    organ_lines: list[TextLine] = field(default_factory=list)
    start: int = 0             # offset where the document's header begins


def parse_number(rest: str) -> tuple[str | None, str | None, str | None, str | None]:
    """The number, symbol, number_symbol and style ('party'|'state'|'legal') of what
    follows "Số". Printed spaces around '-' and '/' are dropped; a blank number gives
    number_symbol None."""
    rest = rest.strip()
    m = _NUMBER_REST.match(rest)
    if not m:
        return None, None, None, None
    num, sep, sym = m.group("num"), m.group("sep"), (m.group("sym") or "")
    # the symbol ends where a word that is no code begins ("101/2025/UBTVQH15 Hà Nội, ngày ...")
    sym = re.sub(r"\s+(?![-/]|[A-ZĐ0-9][A-ZĐ0-9\-/]*(?:\s|$)).*$", "", sym.strip())
    sym = re.sub(r"\s*([-/])\s*", r"\1", sym.strip())
    sym = re.sub(r"\s+", "-", sym).strip("-/.,;")
    if not sym:
        return num, None, None, None
    legal = re.match(r"^(\d{4})/(.+)$", sym)
    if legal:
        style = "legal"
        ns = f"{num}/{sym}" if num else None
    elif sep == "-" or (re.match(r"^[A-Za-zĐđ]+/[A-Za-zĐđ0-9-]+$", sym) and "-" not in sym.split("/")[0]
                        and sep != "/"):
        style = "party"
        ns = f"{num}-{sym}" if num else None
    else:
        style = "state"
        ns = f"{num}/{sym}" if num else None
    return num, sym, ns, style


_LEVEL_WORDS = ("tỉnh", "thành phố", "xã", "phường", "huyện", "quận", "thị xã", "thị trấn", "đặc khu")
_PROPER = ["Ủy ban Thường vụ Quốc hội", "Uỷ ban Thường vụ Quốc hội", "Đoàn Chủ tịch", "Ủy ban Trung ương",
           "Uỷ ban Trung ương", "Việt Nam", "Trung ương", "Chính phủ", "Quốc hội", "Mặt trận Tổ quốc", "Nhà nước", "Bộ Chính trị",
           "Ban Bí thư", "Ban Chấp hành", "Ban Thường vụ", "Ban Thường trực", "Tỉnh ủy", "Tỉnh uỷ", "Thành ủy",
           "Thành uỷ", "Huyện ủy", "Huyện uỷ", "Đảng", "Khối", "Cơ quan", "Doanh nghiệp", "Thủ tướng", "MTTQ",
           "Hồ Chí Minh", "Công an", "Quân sự", "Biên phòng"]
# After these words an organ's own name starts with a capital ("Sở Nội vụ", "Ban Tuyên giáo và Dân vận").
_HEADS = {"Sở", "Bộ", "Cục", "Tổng cục", "Vụ", "Ban", "Văn phòng", "Chi bộ", "Đảng ủy", "Đảng uỷ", "Trường", "Viện",
          "Trung tâm", "Phòng", "và"}


# the names longest first, as a tree of shared beginnings behind a test of their first letters
# (the same matches as the flat alternation, found a few times faster)
_PROPER_RE = compile_guarded(r"(?i)\b" + alternation(_PROPER, ignorecase=True, space=r"\ ") + r"\b")
_PROPER_BY_KEY = {p.lower(): p for p in _PROPER}


def _sentence_case(s: str) -> str:
    """Capitals to lower case, first letter and known proper names capitalised (one pass,
    longest name first, so "Ủy ban Thường vụ Quốc hội" is not recased as "Ban Thường vụ")."""
    low = s.lower()
    out = low[:1].upper() + low[1:]
    out = _PROPER_RE.sub(lambda m: _recase(m.group(0), _PROPER_BY_KEY.get(m.group(0).lower(), m.group(0))), out)
    return out[:1].upper() + out[1:]


def _cap_words(m: re.Match) -> str:
    return m.group(1) + " " + " ".join(w[:1].upper() + w[1:] for w in m.group(2).split())


_PARTY_COMMITTEE_PLACE = re.compile(r"\b((?:Tỉnh|Thành|Huyện|Quận|Thị)\s+(?:ủy|uỷ))\s+([^\n,;()]+)$")
_LEVEL_PLACE = re.compile(r"\b(" + "|".join(_LEVEL_WORDS) + r")\s+([^\n,;()]+)$")


def organ_case(s: str) -> str:
    """'UỶ BAN NHÂN DÂN TỈNH BẮC NINH' -> 'Uỷ ban nhân dân tỉnh Bắc Ninh' (tone placement kept)."""
    if any(map(str.islower, s)):
        return s
    out = _sentence_case(s)
    # a place name after a level word or a Party committee: every syllable capitalised
    out = _PARTY_COMMITTEE_PLACE.sub(_cap_words, out)
    out = _LEVEL_PLACE.sub(_cap_words, out)
    words = out.split(" ")
    for k in range(1, len(words)):
        one, two = words[k - 1], " ".join(words[max(0, k - 2):k])
        if (one in _HEADS or two in _HEADS) and words[k]:
            words[k] = words[k][:1].upper() + words[k][1:]
    out = " ".join(words)
    return out[:1].upper() + out[1:]


def _recase(found: str, proper: str) -> str:
    # keep the printed tone placement, take the proper form's capitals
    return "".join(f.upper() if p.isupper() else f.lower() for f, p in zip(found, proper)) + found[len(proper):]


def _group_organs(lines: list[TextLine]) -> list[list[TextLine]]:
    groups: list[list[TextLine]] = []
    for ln in lines:
        t = fold_tones(ln.text)
        starts_new = bool(ORGAN_HEAD.match(ln.text) or ORGAN_HEAD.match(t))
        if groups and (not starts_new or INCOMPLETE_HEAD.match(fold_tones(" ".join(x.text for x in groups[-1])))):
            groups[-1].append(ln)
        else:
            groups.append([ln])
    return groups


def _is_organ_line(ln: TextLine) -> bool:
    t = ln.text
    # a joint document's organs on one line ("ỦY BAN THƯỜNG VỤ QUỐC HỘI - CHÍNH PHỦ - ĐOÀN
    # CHỦ TỊCH ..."): long as a whole, each organ as short as any
    if not ln.upper or max(len(p) for p in t.split(" - ")) > 90:
        return False
    if NATIONAL_STATE.match(t) or NATIONAL_PARTY.match(t) or NUMBER_LINE.match(t) or t.startswith("V/V"):
        return False
    if re.search(r"\d\s*[-/]|[-/]\s*\d|^\d", t):   # a number line's continuation, a date
        return False
    return any(map(str.isalpha, t))


def _find(lines: list[TextLine], pred, start: int = 0, stop: int | None = None) -> int | None:
    for ln in lines[start:stop]:
        if pred(ln):
            return ln.index
    return None


def parse_header(text: str) -> HeaderResult:
    lines = list(islice(iter_lines(text), _SCAN_LINES))
    spans: dict[str, tuple[int, int]] = {}
    evidence: dict[str, str] = {}
    vals: dict[str, object] = {}

    nat_i = _find(lines, lambda ln: bool(NATIONAL_STATE.match(fold_tones(ln.text)) or NATIONAL_STATE.match(ln.text)
                                          or NATIONAL_PARTY.match(ln.text)))
    num_i = _find(lines, lambda ln: bool(NUMBER_LINE.match(ln.text)))
    date_i = _find(lines, lambda ln: bool(DATE_LINE.match(ln.text) or DATE_LINE_NUMERIC.match(ln.text)))
    anchors = [i for i in (nat_i, num_i, date_i) if i is not None]
    first_anchor = min(anchors) if anchors else None

    # national line and motto
    system = None
    if nat_i is not None:
        ln = lines[nat_i]
        m = NATIONAL_STATE.match(fold_tones(ln.text)) or NATIONAL_STATE.match(ln.text)
        if m:
            system = "state"
            vals["national"] = ln.text[: m.end()]
            spans["national"] = (ln.start, ln.start + m.end())
            rest = ln.text[m.end():].strip()
            if MOTTO.match(rest):
                off = ln.text.index(rest)
                vals["motto"] = rest
                spans["motto"] = (ln.start + off, ln.end)
        else:
            system = "party"
            vals["national"] = ln.text
            spans["national"] = (ln.start, ln.end)
    motto_i = _find(lines, lambda ln: bool(MOTTO.match(ln.text)), 0, (first_anchor or 0) + 12)
    if motto_i is not None and "motto" not in vals:
        vals["motto"] = lines[motto_i].text
        spans["motto"] = (lines[motto_i].start, lines[motto_i].end)

    # number line
    if num_i is not None:
        ln = lines[num_i]
        m = NUMBER_LINE.match(ln.text)
        rest = (m.group("rest") or "") if m else ""
        line_end = ln.end
        if not rest.strip() and num_i + 1 < len(lines) and re.match(r"^\d*\s*[-/]", lines[num_i + 1].text):
            # "Số:" on one line and the number on the next
            rest = lines[num_i + 1].text
            line_end = lines[num_i + 1].end
        number, symbol, ns, style = parse_number(rest)
        vals.update(number=number, symbol=symbol, number_symbol=ns, number_line=text[ln.start:line_end])
        spans["number_line"] = (ln.start, line_end)
        if system is None and style in ("party", "state"):
            system = style

    # place and date
    if date_i is not None:
        ln = lines[date_i]
        m = DATE_LINE.match(ln.text) or DATE_LINE_NUMERIC.match(ln.text)
        d, mo, y = m.group("d"), int(m.group("m")), int(m.group("y"))
        if 1 <= mo <= 12:
            vals["issued_date"] = f"{y:04d}-{mo:02d}-{int(d):02d}" if d and 1 <= int(d) <= 31 else f"{y:04d}-{mo:02d}"
            spans["issued_date"] = (ln.start + m.start("d") if d else ln.start + m.start(), ln.start + m.end())
        vals["date_line"] = ln.text
        spans["date_line"] = (ln.start, ln.end)
        if m.group("place"):
            place = m.group("place").strip().strip("*").strip()
            vals["place"] = place
            off = ln.text.index(place)
            spans["place"] = (ln.start + off, ln.start + off + len(place))

    # organ lines: the capitals just above the first anchor (or after the motto)
    organ_lines: list[TextLine] = []
    star = False
    if first_anchor is not None:
        i = first_anchor - 1
        while i >= 0 and first_anchor - i <= 8:
            ln = lines[i]
            if ln.text.strip() == "*":
                star = True
                spans.setdefault("star", (ln.start, ln.end))
            elif _is_organ_line(ln):
                organ_lines.insert(0, ln)
            else:
                break
            i -= 1
        if not organ_lines:
            # read right cell first: organ lines after the national line and motto
            j = max(i for i in (nat_i, motto_i) if i is not None) + 1 if nat_i is not None else first_anchor + 1
            while j < len(lines) and j - first_anchor <= 8:
                ln = lines[j]
                if ln.text.strip() == "*":
                    star = True
                    spans.setdefault("star", (ln.start, ln.end))
                    j += 1
                    continue
                if _is_organ_line(ln) and not _type_line(ln):
                    organ_lines.append(ln)
                    j += 1
                    continue
                break
        # the star may stand just after the number line's neighbours
        for ln in lines[max(0, first_anchor - 1): first_anchor + 6]:
            if ln.text.strip() == "*":
                star = True
                spans.setdefault("star", (ln.start, ln.end))
    if organ_lines:
        groups = _group_organs(organ_lines)
        issuer_g = groups[-1]
        parent_gs = groups[:-1]
        issuer_txt = " ".join(x.text for x in issuer_g)
        parent_txt = " ".join(" ".join(x.text for x in g) for g in parent_gs) if parent_gs else None
        spans["issuer"] = (issuer_g[0].start, issuer_g[-1].end)
        # a joint document's organs, each cased as the name it is
        issuer_name = " - ".join(organ_case(p) for p in issuer_txt.split(" - "))
        if DEPENDENT.match(fold_tones(issuer_txt)) and parent_txt:
            parent_name = organ_case(parent_txt)
            if re.match(r"(?i)^ban\s+chấp\s+hành\s+trung\s+ương$", parent_name):
                issuer_name = f"{issuer_name} Trung ương"
            else:
                issuer_name = f"{issuer_name} {parent_name[:1].lower() + parent_name[1:] if parent_name.startswith(('Ủy ban', 'Uỷ ban')) else parent_name}"
                issuer_name = issuer_name.replace(" ủy ban", " Ủy ban").replace(" uỷ ban", " Uỷ ban")
            evidence["issuer"] = "header+parent"
        vals["issuer"] = issuer_name
        vals["issuer_printed"] = issuer_txt
        if parent_txt:
            vals["parent_organ"] = organ_case(parent_txt)
            spans["parent_organ"] = (parent_gs[0][0].start, parent_gs[-1][-1].end)
    vals["star"] = star

    # type line and title
    header_last = max([i for i in (nat_i, num_i, date_i, motto_i) if i is not None], default=-1)
    if organ_lines:
        header_last = max(header_last, organ_lines[-1].index)
    search_from = (min(anchors) if anchors else 0)
    type_i = _find(lines, _type_line, search_from, search_from + 25)
    vv_i = _find(lines, lambda ln: bool(VV_LINE.match(ln.text)), search_from, search_from + 12)
    title_lines: list[TextLine] = []
    body_start_line = header_last + 1
    if type_i is not None:
        ln = lines[type_i]
        tname = type_of_line(ln.text)
        vals["doc_type"] = tname
        vals["type_line"] = ln.text
        spans["doc_type"] = (ln.start, ln.end)
        title_lines = _title_lines(lines, type_i + 1)
        body_start_line = max(header_last, type_i + len(title_lines)) + 1
    if vv_i is not None:
        ln = lines[vv_i]
        m = VV_LINE.match(ln.text)
        vals["subject_line"] = ln.text
        spans["subject_line"] = (ln.start, ln.end)
        if "doc_type" not in vals:
            vals["doc_type"] = "Công văn"
            evidence["doc_type"] = "inferred from V/v"
            spans["doc_type"] = (ln.start, ln.start + 3)
            subj = m.group("subject").strip()
            if subj:
                off = ln.text.index(subj)
                vals["title"] = subj
                spans["title"] = (ln.start + off, ln.end)
            body_start_line = max(body_start_line, vv_i + 1)
    if title_lines:
        first, last = title_lines[0], title_lines[-1]
        raw = " ".join(x.text for x in title_lines)
        vals["title"] = _title_case(raw)
        spans["title"] = (first.start, last.end)
    if "doc_type" not in vals and vals.get("symbol"):
        code = re.split(r"[-/]", str(vals["symbol"]))
        style_sys = system or "state"
        cand = code[1] if re.match(r"^\d{4}$", code[0]) and len(code) > 1 else code[0]
        name = type_by_code().get((style_sys, cand)) or type_by_code().get(("state", cand)) \
            or type_by_code().get(("party", cand))
        if name:
            vals["doc_type"] = name
            evidence["doc_type"] = "number"
            spans["doc_type"] = spans.get("number_line", (0, 0))
    body_start = lines[body_start_line].start if body_start_line < len(lines) else len(text)
    if not lines:
        body_start = 0

    # issuer from the authority line under the title ("BỘ TRƯỞNG BỘ Y TẾ", "THỦ TƯỚNG CHÍNH PHỦ điện:")
    if "issuer" not in vals and body_start_line < len(lines):
        ln = lines[body_start_line]
        m = AUTHORITY_ISSUER.match(ln.text)
        if m:
            org = m.group("org") or m.group("self")
            a = ln.start + (m.start("org") if m.group("org") else m.start("self"))
            vals["issuer"] = organ_case(org)
            spans["issuer"] = (a, a + len(org))
            evidence["issuer"] = "authority line"
            body_start = lines[body_start_line + 1].start if body_start_line + 1 < len(lines) else len(text)
    # issuer from the symbol's issuer code ("QĐ-BYT": Bộ Y tế) where the code names one body
    if "issuer" not in vals and vals.get("symbol"):
        name = issuer_from_symbol(str(vals["symbol"]))
        if name:
            vals["issuer"] = name
            spans["issuer"] = spans.get("number_line", (0, 0))
            evidence["issuer"] = "number"
    # issuer from the body where the header lacks it
    if "issuer" not in vals:
        found = _issuer_from_body(text, body_start)
        if found:
            name, (a, b) = found
            vals["issuer"] = name
            spans["issuer"] = (a, b)
            evidence["issuer"] = "body"

    header = Header(
        parent_organ=vals.get("parent_organ"), issuer=vals.get("issuer"), number=vals.get("number"),
        symbol=vals.get("symbol"), number_symbol=vals.get("number_symbol"), number_line=vals.get("number_line"),
        place=vals.get("place"), issued_date=vals.get("issued_date"), doc_type=vals.get("doc_type"),
        title=vals.get("title"), national=vals.get("national"), motto=vals.get("motto"),
        date_line=vals.get("date_line"), type_line=vals.get("type_line"), subject_line=vals.get("subject_line"),
        star=bool(vals.get("star")), spans=spans, evidence=evidence)
    # where the document begins: a web page's chrome may come before its header
    starts = [ln.start for ln in organ_lines] + [lines[i].start for i in anchors]
    if star and "star" in spans:
        starts.append(spans["star"][0])
    return HeaderResult(header=header, body_start=body_start, system=system, organ_lines=organ_lines,
                        start=min(starts) if starts else 0)


def _type_line(ln: TextLine) -> bool:
    return ln.upper and type_of_line(ln.text) is not None


_AUTHORITY_LINE = re.compile(r"^(?:CHỦ\s+TỊCH|BỘ\s+TRƯỞNG|THỦ\s+TƯỚNG|GIÁM\s+ĐỐC|CỤC\s+TRƯỞNG|(?:ỦY|UỶ)\s+BAN|"
                             r"HỘI\s+ĐỒNG|BAN\s+(?:THƯỜNG|CHẤP)|TỔNG\s+CỤC|CHÁNH|TRƯỞNG\s+BAN|THƯỜNG\s+TRỰC|"
                             r"BỘ\s+CHÍNH\s+TRỊ$|BAN\s+BÍ\s+THƯ$)")


def _title_lines(lines: list[TextLine], i: int) -> list[TextLine]:
    """The trích yếu: the line after the type line, and the lines that continue it."""
    out: list[TextLine] = []
    while i < len(lines) and len(out) < 8:
        ln = lines[i]
        t = ln.text
        if out and (BODY_OPENER.match(t) or NUMBER_LINE.match(t)):
            break
        if not out:
            if BODY_OPENER.match(t) and not re.match(r"^(?:Thực\s+hiện|Triển\s+khai|Về|VỀ|Tổ\s+chức)", t):
                break
            if t.startswith("Kính gửi"):
                break
            out.append(ln)
            i += 1
            continue
        prev = out[-1].text
        if out[0].upper and ln.upper:
            if _AUTHORITY_LINE.match(t) and not prev.rstrip().endswith((",", "và", "VÀ")) \
                    and i + 1 < len(lines) and BODY_OPENER.match(lines[i + 1].text):
                break
            if _AUTHORITY_LINE.match(t) and i + 1 < len(lines) and lines[i + 1].text.startswith("Căn cứ"):
                break
            out.append(ln)
            i += 1
            continue
        # a mixed-case title continues on lines that start in lower case
        if not out[0].upper and t[:1].islower() and not prev.endswith((".", ":", ";")):
            out.append(ln)
            i += 1
            continue
        break
    return out


def _title_case(s: str) -> str:
    """Upper-case trích yếu to sentence case (proper names kept capitalised where known);
    mixed case as printed."""
    return s if any(map(str.islower, s)) else _sentence_case(s)


def _issuer_from_body(text: str, body_start: int) -> tuple[str, tuple[int, int]] | None:
    window = text[body_start: body_start + 4000]
    m = BODY_ISSUER.search(window)
    if m:
        a = body_start + m.start("org")
        org = m.group("org").strip()
        return org, (a, a + len(org))
    ms = list(re.finditer(CLOSING_ISSUER.pattern, text[body_start:], re.M))
    if ms:
        m = ms[-1]
        org = m.group("org").strip()
        a = body_start + m.start("org")
        return org, (a, a + len(org))
    return None

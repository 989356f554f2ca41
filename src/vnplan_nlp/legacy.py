"""Vietnamese typed in legacy 8-bit fonts: TCVN3 (ABC; the ".VnTime" family) and VNI.

Before Unicode, Vietnamese offices typed with fonts whose 8-bit codes draw Vietnamese
letters: in a ".VnTime" run, "KÕ ho¹ch" is what the file holds and "Kế hoạch" what the page
shows. Word keeps such text as the Windows-1252 characters of those codes, so a reader that
ignores the font reads nonsense. The Word reader converts a run set in a TCVN3 font ("."
then "Vn": .VnTime, .VnArial, .VnTimeH ...; the "H" fonts draw capitals) with the table
below, and a run set in a VNI font ("VNI-Times", "VNI-Helve") with :func:`from_vni`.

The table is TCVN 5712:1993's (checked against glibc's iconv TCVN5712-1 for every code).
"""

from __future__ import annotations

import re
from functools import lru_cache

# TCVN3 code (as the Windows-1252 character Word stores) -> Unicode letter
_TCVN3_CODES = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xAF: "Ằ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ", 0xBA: "Ẳ", 0xBB: "ằ", 0xBC: "ẳ",
    0xBD: "ẵ", 0xBE: "ắ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ",
    0xC5: "Ề", 0xC6: "ặ", 0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ", 0xCC: "è",
    0xCD: "Ể", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ",
    0xD5: "ế", 0xD6: "ệ", 0xD7: "ì", 0xD8: "ỉ", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xDC: "ĩ",
    0xDD: "í", 0xDE: "ị", 0xDF: "ò", 0xE0: "Ổ", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ",
    0xED: "ớ", 0xEE: "ợ", 0xEF: "ù", 0xF0: "Ỗ", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ",
    0xFD: "ý", 0xFE: "ỵ", 0xFF: "Ố",
}
# the code points 0xA0-0xFF are the same characters in Windows-1252 and Latin-1
TCVN3 = str.maketrans({chr(code): letter for code, letter in _TCVN3_CODES.items()})

_TCVN3_FONT = re.compile(r"^\.vn", re.I)             # ".VnTime", ".VnArialH", ".VnCentury Schoolbook"
_VNI_FONT = re.compile(r"^vni[-_ ]", re.I)           # "VNI-Times", "VNI-Helve"


@lru_cache(maxsize=256)
def font_encoding(font: str | None) -> str | None:
    """"tcvn3" for a TCVN3 font, "vni" for a VNI font, None for a Unicode font."""
    if not font:
        return None
    name = font.strip()
    if _TCVN3_FONT.match(name):
        return "tcvn3"
    if _VNI_FONT.match(name):
        return "vni"
    return None


def from_tcvn3(text: str, capitals: bool = False) -> str:
    """A TCVN3 run's text in Unicode; ``capitals`` for the "H" fonts, which draw every
    letter as a capital."""
    out = text.translate(TCVN3)
    return out.upper() if capitals else out


# VNI (VNI-Windows, the "VNI-" fonts): a letter is its base letter followed by the code of
# its marks (one code for a tone, for a circumflex or breve, or for both), or a code of its
# own (đ, ơ, ư, and the i's and ỵ). Word keeps the codes as the Windows-1252 characters
# below; capitals take the capital form of the mark's code.
_VNI_TONES = {"ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HATTED = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLE = {"ñ": "đ", "ô": "ơ", "ö": "ư", "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


@lru_cache(maxsize=1)
def _vni_table() -> tuple[re.Pattern, dict[str, str]]:
    import unicodedata

    def nfc(s: str) -> str:
        return unicodedata.normalize("NFC", s)
    table: dict[str, str] = {}
    bases = {b: b for b in "aeouy"} | {"ô": "ơ", "ö": "ư"}    # (the i's have codes of their own)
    for lower in (True, False):
        case = (lambda s: s) if lower else str.upper
        for code, letter in _VNI_SINGLE.items():
            table[case(code)] = case(letter)
        for code, base in bases.items():
            for mark, tone in _VNI_TONES.items():
                if base != "y" or mark != "ï":          # ỵ has a code of its own
                    table[case(code) + case(mark)] = case(nfc(base + tone))
        for base in "aeo":
            for mark, tone in _VNI_HATTED.items():
                table[case(base) + case(mark)] = case(nfc(base + "\u0302" + tone))
        for mark, tone in _VNI_BREVE.items():
            table[case("a") + case(mark)] = case(nfc("a\u0306" + tone))
    keys = sorted(table, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))), table


def from_vni(text: str) -> str:
    """A VNI run's text in Unicode ("Keá hoaïch" -> "Kế hoạch"); two codes may make one
    letter, so the text may get shorter."""
    pattern, table = _vni_table()
    return pattern.sub(lambda m: table[m.group(0)], text)


def capitals_font(font: str) -> bool:
    """.VnTimeH, .VnArialH ...: the fonts that draw capitals."""
    return font.strip().rstrip("*").endswith("H")


# What a TCVN3 text shows when read as Windows-1252: signs and letters Vietnamese never uses
# ("¹" for ạ, "¶" for ả, "Ö" for ệ ...); and the letters only Vietnamese Unicode text has
_TCVN3_MARKS = re.compile("[\u00a1-\u00bf\u00c4-\u00c7\u00cb\u00ce\u00cf\u00d1\u00d6-\u00d8\u00db\u00dc"
                          "\u00de\u00df\u00e4-\u00e7\u00eb\u00ee\u00ef\u00f1\u00f6-\u00f8\u00fb\u00fc\u00fe\u00ff]")
_VIETNAMESE = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")


def looks_tcvn3(text: str) -> bool:
    """Text that reads as TCVN3 codes taken for Windows-1252 ("KÕ ho¹ch thùc hiÖn"): many
    of those characters, hardly any Vietnamese letter, and Vietnamese once converted."""
    marks = len(_TCVN3_MARKS.findall(text))
    return (marks >= 20 and len(_VIETNAMESE.findall(text)) < marks / 10
            and reads_as_vietnamese(from_tcvn3(text)))


_WORD = re.compile(r"[^\W\d_]+")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")    # grave, acute, tilde, hook, dot below


# A Vietnamese syllable, its tone mark taken off: onset, one to three vowels, coda
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[aăâeêioôơuưy]{1,3}"
                       r"(?:ch|ng|nh|[cmnpt])?")


def reads_as_vietnamese(text: str) -> bool:
    """Whether converted text is Vietnamese: many words with Vietnamese letters, nearly all of
    them shaped as a Vietnamese syllable (onset, vowels, coda) with one tone mark at most. Any
    8-bit text converts to Vietnamese letters (every code from 0xA1 up is one in TCVN3), but
    Russian or Chinese bytes give runs of toned vowels, and German or Spanish words
    ("Förderung", "señor") keep their shapes."""
    import unicodedata
    marked = good = 0
    for w in _WORD.findall(text[:200000]):
        if w.isascii():
            continue
        marked += 1
        d = unicodedata.normalize("NFD", w.lower())
        if sum(ch in _TONES for ch in d) >= 2:
            continue
        bare = unicodedata.normalize("NFC", "".join(ch for ch in d if ch not in _TONES))
        if _SYLLABLE.fullmatch(bare):
            good += 1
    return marked >= 10 and good >= 0.9 * marked


# What a VNI text shows read as Windows-1252: mark codes that are letters of no Vietnamese
# word ("ø" for a grave accent, "ï" for a dot below, "ñ" for đ, "ö" for ư ...)
_VNI_MARKS = re.compile("[øïäëåüûæñöîØÏÄËÅÜÛÆÑÖÎ]")


def looks_vni(text: str) -> bool:
    """Text that still holds VNI codes: many of those and hardly any Vietnamese letter; once
    converted, the codes are gone (each stood after its letter) and it reads as Vietnamese.
    TCVN3 text shows the same characters, but as letters of their own: they stay."""
    marks = len(_VNI_MARKS.findall(text))
    if marks < 20 or len(_VIETNAMESE.findall(text)) >= marks / 10:
        return False
    converted = from_vni(text)
    return len(_VNI_MARKS.findall(converted)) <= marks / 10 and reads_as_vietnamese(converted)


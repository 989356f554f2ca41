"""Normalisation keeps a map back to the read text; each step does one job."""

import re

import pytest

from vnplan_nlp.normalise import (alternation, compile_guarded, finditer_from, first_char_guard, first_word_guard,
                                  fold_tones, match_key, normalise, start_finder, strip_diacritics)
from vnplan_nlp.read import read_path

SAME_OR_UNIFIED = set(" \n-")


def _check_map(raw: str, markup: bool = True):
    n = normalise(raw, markup)
    assert len(n.offsets) == len(n.text) + 1
    for i, ch in enumerate(n.text):
        src = raw[n.offsets[i]]
        assert ch == src or ch in SAME_OR_UNIFIED, (i, ch, src)
    # offsets never run backwards
    assert all(n.offsets[i] <= n.offsets[i + 1] for i in range(len(n.offsets) - 1))
    return n


@pytest.mark.parametrize("raw, expected", [
    # kh-141-ubnd-bacninh-2025: bold marks inside a label, a heading wrapped inside bold
    ("**1**. **Mục đích**\n\n- Triển khai", "1. Mục đích\n- Triển khai"),
    ("**I. MỤC ĐÍCH,\nYÊU CẦU**\n", "I. MỤC ĐÍCH, YÊU CẦU"),
    # a date line split mid-phrase inside italics (tvpl pages)
    ("*Bắc Ninh, ngày 20\ntháng 11 năm 2025*\n|\n", "Bắc Ninh, ngày 20 tháng 11 năm 2025"),
    # table pipes and rules go; the Party star stays
    ("|\n**BAN CHẤP HÀNH\nTRUNG ƯƠNG**\n*\n|\n---------------\n", "BAN CHẤP HÀNH TRUNG ƯƠNG\n*"),
    # a hard-wrapped citation is joined; a wrapped number is not taken for a label
    ("Thực hiện Kế hoạch số 14-KH/TU\nngày 29/7/2025 của Ban Thường vụ", "Thực hiện Kế hoạch số 14-KH/TU ngày 29/7/2025 của Ban Thường vụ"),
    ("Căn cứ Nghị quyết số\n57-NQ/TW ngày 22/12/2024", "Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024"),
    # a new bullet or label starts a new line
    ("nội dung sau:\n- Thứ nhất\n2. Hai", "nội dung sau:\n- Thứ nhất\n2. Hai"),
    # a label alone on its line takes its title from the next
    ("III.\nNHIỆM VỤ VÀ GIẢI PHÁP", "III. NHIỆM VỤ VÀ GIẢI PHÁP"),
    # the signing prefix line is not continued by the position
    ("**T/M ĐẢNG ỦY\nPHÓ BÍ THƯ**\n\nCù Trọng Khang", "T/M ĐẢNG ỦY\nPHÓ BÍ THƯ\nCù Trọng Khang"),
    # dates and periods wrapped mid-phrase (kh-141-ubnd-bacninh-2025, kl-07-vptw-2025, tvpl-40de74e605854414)
    ("Trong giai đoạn 2026\n- 2030 tỉnh", "Trong giai đoạn 2026 - 2030 tỉnh"),
    ("Từ\n01/7/2025 đến", "Từ 01/7/2025 đến"),
    ("trong Tháng\n12/2025", "trong Tháng 12/2025"),
    ("đến tháng\n6/2027", "đến tháng 6/2027"),
    ("ngày 18 tháng 11 năm\n2025.", "ngày 18 tháng 11 năm 2025."),
    # a citation line that begins "<type> số ..." is running text, not a number line (kh-0125-ubnd-daklak-2025)
    ("Hướng dẫn số 7886/HD-BNV ngày 14/9/2025 của Bộ Nội vụ về khen thưởng trong công\ntác bầu cử",
     "Hướng dẫn số 7886/HD-BNV ngày 14/9/2025 của Bộ Nội vụ về khen thưởng trong công tác bầu cử"),
    ("Nghị quyết số: 101/2025/UBTVQH15\nHà Nội, ngày 26 tháng 9 năm 2025",
     "Nghị quyết số: 101/2025/UBTVQH15\nHà Nội, ngày 26 tháng 9 năm 2025"),
    # dash and space variants
    ("giai đoạn 2026 – 2030\u00a0và", "giai đoạn 2026 - 2030 và"),
])
def test_blocks(raw, expected):
    assert _check_map(raw).text == expected


def test_nfc_and_crlf_keep_the_map():
    raw = "Ke\u0302\u0301 hoa\u0323ch\r\nSố 1"
    n = _check_map(raw, markup=False) if False else normalise(raw)
    assert n.text == "Kế hoạch\nSố 1"
    assert raw[n.offsets[n.text.index("Số")]] == "S"


def test_tone_folding_same_length():
    assert fold_tones("Đảng uỷ Khối") == "Đảng ủy Khối"
    assert fold_tones("HOÀ") == "HÒA"
    # closed syllables carry the mark on the same vowel in both styles
    assert fold_tones("kế hoạch hoàng huỳnh") == "kế hoạch hoàng huỳnh"
    assert fold_tones("thuỷ lợi, hoá chất") == "thủy lợi, hóa chất"
    assert len(fold_tones("hoà thuận uỷ ban")) == len("hoà thuận uỷ ban")
    assert match_key("UỶ BAN  Nhân dân") == match_key("Ủy ban nhân dân")
    assert strip_diacritics("Tuyên truyền miệng Đảng") == "Tuyen truyen mieng Dang"


@pytest.mark.corpus
def test_map_holds_on_every_corpus_document(corpus_docs):
    for p in corpus_docs:
        _check_map(read_path(p).text)


@pytest.mark.parametrize("pattern, flags, guard", [
    (r"(?<![\w])(?:ab|Cd)x", 0, "(?=[Ca])"),
    (r"(?i)(?<![\w])(?:ngày|quý)", 0, "(?=(?i:[nq]))"),
    (r"(?:(?i:từ)\s+)?(?:ngày|\d)", 0, r"(?=[\dn]|(?i:[t]))"),
    (r"Luật|(?i:bộ\s+luật)", 0, "(?=[L]|(?i:[b]))"),
    # (?!) never matches; "y" is kept although it cannot begin a match (a guard may over-include)
    (r"(?P<b>x)?(?(b)y|(?!))", 0, "(?=[xy])"),
    (r"x?", 0, ""),                                # may match empty: no guard
    (r".x", 0, ""),                                # any character begins one: no guard
    (r"[^a]b", 0, ""),
])
def test_first_char_guard(pattern, flags, guard):
    assert first_char_guard(pattern, flags) == guard


@pytest.mark.parametrize("pattern, flags, guard", [
    # re's parser takes the shared "L" out of "Luật|LUẬT": the guard keeps what is left spelled
    (r"(?<![\w])(?:Luật|LUẬT)\s", 0, "(?=(?:L))"),
    (r"(?<![\w])Điều\s+\d|Chương\s", 0, "(?=(?:(?:Chương|Điều)))"),
    (r"(?i)(?:(?P<b>từ|đến)\s+)?(?:ngày|tháng|\d)", 0, r"(?=(?i:(?:(?:t(?:háng|ừ)|ngày|đến))|[\d]))"),
    (r"x?", 0, ""),
    (r".x", 0, ""),
])
def test_first_word_guard(pattern, flags, guard):
    assert first_word_guard(pattern, flags) == guard


@pytest.mark.parametrize("pattern, flags, text", [
    (r"(?ix)(?<![\w/]) (?:ngày|tháng) \s+ \d+", 0, "Ngày 5, THÁNG 6, ngày5, /ngày 7, tháng   8"),
    (r"(?<![\w])(?:Kế\s+hoạch|KẾ\s+HOẠCH)(?![\w])", 0, "Kế hoạch này, KẾ HOẠCH, Kế hoạchx, kế hoạch"),
    (r"(?<![\w/.\-])\d{1,5}/[A-ZĐ]+", 0, "số 24/KH-UBND, 3/ĐU, x1/AB, .5/CD"),
])
def test_guarded_patterns_find_the_same_matches(pattern, flags, text):
    plain = re.compile(pattern, flags)
    for guarded in (compile_guarded(pattern, flags), compile_guarded(pattern, flags, words=True)):
        assert guarded.pattern != plain.pattern
        assert [m.span() for m in guarded.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in guarded.finditer(text)]


@pytest.mark.corpus
def test_extractor_patterns_unchanged_by_their_guard(corpus_docs):
    """The guarded extractor patterns find exactly what they find without the guard."""
    from vnplan_nlp import bodies, dates, references
    p = references.patterns()
    texts = [fold_tones(normalise(read_path(f).text).text) for f in corpus_docs[::4]]
    for rx in (dates._MASTER, bodies.body_regex(), p.number, p.law):
        guard = first_char_guard(rx.pattern, rx.flags)
        assert guard and guard in rx.pattern
        plain = rx.pattern.replace(guard, "", 1)
        words = first_word_guard(rx.pattern, rx.flags)
        assert (words in plain) == (rx is dates._MASTER)
        plain = re.compile(plain.replace(words, "", 1) if rx is dates._MASTER else plain, rx.flags)
        for t in texts:
            assert [(m.span(), m.groups()) for m in rx.finditer(t)] == \
                [(m.span(), m.groups()) for m in plain.finditer(t)]


@pytest.mark.parametrize("pattern, starts", [
    (r"(?<![\w])(?:Luật|LUẬT|Bộ\s+luật)\s+\w+", "(?:(?:L(?:UẬT|uật)|Bộ))"),
    (r"(?i)(?<![\w])ngày\s+\d", None),                  # case-insensitive: no finder
    (r"(?<![\w/.\-])\d{1,5}/[A-ZĐ]+", None),              # begins with a class
    (r"x?", None),
])
def test_start_finder(pattern, starts):
    rx = start_finder(pattern)
    assert (rx.pattern if rx else None) == starts


@pytest.mark.parametrize("pattern, text", [
    (r"(?<![\w])(?:Luật|LUẬT|Bộ\s+luật)(?:\s+[A-ZĐ]\w*)+", "Luật Đất Đai, xLuật Cũ, LUẬT Mới Bộ luật Dân Sự,Luật Luật A"),
    (r"(?<![\w])(?:Kế\s+hoạch|KẾ\s+HOẠCH)(?![\w])", "Kế hoạch này, KẾ HOẠCH, Kế hoạchx, kế hoạch"),
    (r"ab|abab", "abababab xabab"),
])
def test_finditer_from_finds_what_finditer_finds(pattern, text):
    rx = compile_guarded(pattern)
    starts = start_finder(pattern)
    assert starts is not None
    for pos in range(len(text) + 1):
        for endpos in (len(text), pos + 7, pos):
            assert [m.span() for m in finditer_from(rx, starts, text, pos, endpos)] == \
                [m.span() for m in rx.finditer(text, pos, endpos)]
    assert [m.span() for m in finditer_from(rx, None, text)] == [m.span() for m in rx.finditer(text)]
    assert [m.span() for m in rx.finditer(text)]


@pytest.mark.corpus
def test_law_found_from_its_starts_as_by_a_scan(corpus_docs):
    from vnplan_nlp import references
    p = references.patterns()
    assert p.law_starts is not None
    found = 0
    for f in corpus_docs:
        t = fold_tones(normalise(read_path(f).text).text)
        for text in (t, t.upper(), t.replace("\n", " ")):
            spans = [(m.span(), m.groups()) for m in finditer_from(p.law, p.law_starts, text)]
            assert spans == [(m.span(), m.groups()) for m in p.law.finditer(text)]
            found += len(spans)
    assert found > 100


@pytest.mark.corpus
def test_patterns_found_by_their_tail_as_by_a_scan(corpus_docs):
    """Short mentions ("Chỉ thị 30") and "Kế hoạch này" are found from their number or
    "này" backwards: the same places a left-to-right scan of the whole pattern finds."""
    from vnplan_nlp import references
    p = references.patterns()
    texts = [fold_tones(normalise(read_path(f).text).text) for f in corpus_docs]
    found = 0
    for head, tail in ((p.short, p.short_number), (p.this, p.this_word)):
        whole = re.compile(head.pattern.removesuffix("$") + tail.pattern, head.flags | tail.flags)
        for t in texts:
            by_tail = [(h.start(), m.end()) for h, m in references._by_tail(head, tail, t)]
            assert by_tail == [m.span() for m in whole.finditer(t)]
            found += len(by_tail)
    assert found > 100


def _flat(phrases):
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+")
                            for p in sorted(dict.fromkeys(phrases), key=len, reverse=True)) + ")"


TYPES = ["Kế hoạch", "Kế hoạch liên tịch", "Kế hoạch phối hợp", "Kết luận", "Chỉ thị", "Chương trình",
         "Chương trình hành động", "Nghị quyết", "Nghị quyết liên tịch", "Nghị định", "Luật", "Lệnh"]


@pytest.mark.parametrize("ignorecase, text", [
    (True, "Kế hoạch liên tịch số 5, KẾ HOẠCH 7, kết luận 3, Chương trình hành  động 12, Nghị\nquyết 4"),
    (True, "Kế hoạch liên 9; Kế hoạch phối hợp số 2; Chương trình 8; Lệnh 1; Luật 2"),
    (False, "Kế hoạch liên tịch số 5, KẾ HOẠCH 7, kế hoạch 8, Kết luận 3, Nghị định 4"),
])
def test_alternation_matches_like_the_flat_one(ignorecase, text):
    tail = r"[^\S\n]+(?:số[^\S\n]+)?\d+"
    flags = re.I if ignorecase else 0
    tree = re.compile(rf"(?<![\w])(?P<t>{alternation(TYPES, ignorecase=ignorecase)}){tail}", flags)
    flat = re.compile(rf"(?<![\w])(?P<t>{_flat(TYPES)}){tail}", flags)
    found = [(m.span(), m.group("t")) for m in tree.finditer(text)]
    assert found and found == [(m.span(), m.group("t")) for m in flat.finditer(text)]


def test_alternation_shares_beginnings():
    assert alternation(["Kế hoạch", "Kế hoạch liên tịch", "Kết luận"], ignorecase=True) == \
        r"(?:kế(?:\s+hoạch(?:\s+liên\s+tịch|)|t\s+luận))"
    assert alternation(["Kế hoạch", "kế hoạch"], ignorecase=False) == r"(?:(?:Kế\s+hoạch|kế\s+hoạch))"


@pytest.mark.corpus
def test_type_name_tree_finds_what_the_flat_list_finds(corpus_docs):
    from vnplan_nlp import references
    p = references.patterns()
    names = [fold_tones(w) for w, _ in references._type_words()]
    texts = [fold_tones(normalise(read_path(f).text).text) for f in corpus_docs[1::4]]
    for rx, ignorecase in ((p.short, True), (p.this, False)):
        tree = alternation(names, ignorecase=ignorecase)
        assert tree in rx.pattern
        flat = re.compile(rx.pattern.replace(tree, _flat(names)), rx.flags)
        for t in texts:
            assert [(m.span(), m.groups()) for m in rx.finditer(t)] == \
                [(m.span(), m.groups()) for m in flat.finditer(t)]


@pytest.mark.corpus
def test_windows_line_ends_give_the_same_text_with_offsets_into_the_file(corpus_docs):
    """A document saved with \\r\\n (or old Mac \\r) line ends normalises to the same text
    as with \\n, and every offset points at the same character of the file as read."""
    for f in corpus_docs[::10]:
        raw = read_path(f).text
        plain = normalise(raw)
        for sep in ("\r\n", "\r"):
            crlf = raw.replace("\n", sep)
            n = normalise(crlf)
            assert n.text == plain.text
            for i in range(0, len(n.text), 97):
                ch = n.text[i]
                if ch not in "\n ":
                    assert crlf[n.offsets[i]] == ch

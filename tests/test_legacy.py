"""Text typed in legacy 8-bit Vietnamese fonts (TCVN3 .VnTime, VNI) inside Word files."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest

from vnplan_nlp.legacy import TCVN3, _vni_table, font_encoding, from_tcvn3, from_vni, looks_tcvn3
from vnplan_nlp.parse import parse_path
from vnplan_nlp.errors import ReadError
from vnplan_nlp.read import read_path
from test_bad_input import to_cp1258

# what the page shows, and what a .VnTime file holds for it (as Windows-1252 characters)
PAIRS = [("Kế hoạch", "KÕ ho¹ch"), ("Bảo Thắng", "B¶o Th¾ng"), ("Mường Khương", "M\u00adêng Kh\u00ad¬ng"),
         ("thực hiện", "thùc hiÖn"), ("Đảng ủy", "§¶ng ñy")]
UNICODE_TO_TCVN3 = {letter: chr(code) for code, letter in TCVN3.items()}


def to_tcvn3(text: str) -> str:
    """What a typist's .VnTime file holds for ``text`` (lower case and ASCII)."""
    return "".join(UNICODE_TO_TCVN3.get(ch, ch) for ch in text)


@pytest.mark.parametrize("shown, held", PAIRS)
def test_tcvn3_codes_read_as_the_letters_they_draw(shown, held):
    assert from_tcvn3(held) == shown


def test_the_table_is_tcvn_5712s():
    """Every code against glibc's converter, where the machine has iconv."""
    if not shutil.which("iconv"):
        pytest.skip("no iconv on this machine")
    for ch, letter in TCVN3.items():
        code = bytes([ch])
        got = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=code,
                             capture_output=True).stdout.decode("utf-8")
        assert got == letter, hex(ch)


def test_font_names():
    assert font_encoding(".VnTime") == font_encoding(".VnArialH") == "tcvn3"
    assert font_encoding("VNI-Times") == "vni"
    assert font_encoding("Times New Roman") is None and font_encoding(None) is None


def _docx(path, paragraphs, default_font=None):
    """paragraphs: [[(text, font or None), ...], ...]"""
    import docx
    d = docx.Document()
    if default_font:
        d.styles["Normal"].font.name = default_font
    for runs in paragraphs:
        p = d.add_paragraph()
        for text, font in runs:
            r = p.add_run(text)
            if font:
                r.font.name = font
    d.save(path)
    return path


PLAN = ["ĐẢNG BỘ TỈNH HƯNG YÊN", "ĐẢNG ỦY SỞ NỘI VỤ", "*", "Số 103-KH/ĐU",
        "ĐẢNG CỘNG SẢN VIỆT NAM", "Hưng Yên, ngày 15 tháng 6 năm 2024", "KẾ HOẠCH",
        "tuyên truyền, tổ chức thực hiện Chỉ thị số 30-CT/TW",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Các chi bộ tổ chức quán triệt, báo cáo kết quả về Đảng ủy trước ngày 30/6/2024."]


def test_a_vntime_document_reads_as_its_unicode_twin(tmp_path):
    """The same plan typed in Unicode, and in .VnTime/.VnTimeH (capital lines in the H font,
    as typists did), parse alike."""
    uni = parse_path(_docx(tmp_path / "uni.docx", [[(line, "Times New Roman")] for line in PLAN]))

    def legacy(line):
        if line.isupper() or line == "*":      # capitals: the H font draws the lower-case codes as capitals
            return [(to_tcvn3(line.lower()), ".VnTimeH")]
        return [(to_tcvn3(line), ".VnTime")]
    old = parse_path(_docx(tmp_path / "vn.docx", [legacy(line) for line in PLAN]))
    assert old.text == uni.text
    assert old.header.number_symbol == "103-KH/ĐU" and old.header.issued_date == "2024-06-15"
    assert old.header.issuer == uni.header.issuer
    assert any("TCVN3" in w for w in old.source.warnings)
    # the document's default font: runs that name none are converted too
    dflt = read_path(_docx(tmp_path / "dflt.docx", [[(to_tcvn3(PLAN[-1]), None)]], default_font=".VnTime"))
    assert dflt.text == PLAN[-1]


@pytest.mark.parametrize("shown, held", [
    ("Kế hoạch", "Keá hoaïch"), ("ĐẢNG BỘ TỈNH", "ÑAÛNG BOÄ TÆNH"), ("Đảng ủy", "Ñaûng uûy"),
    ("trường", "tröôøng"), ("thực hiện", "thöïc hieän"), ("Quảng Ngãi", "Quaûng Ngaõi"), ("Mỹ Tho", "Myõ Tho"),
    ("chỉ đạo", "chæ ñaïo"), ("nhiệm kỳ", "nhieäm kyø"), ("cấp xã", "caáp xaõ"), ("ặ ẵ ằ ẳ ắ", "aë aü aè aú aé"),
    ("Ơ Ợ ĩ ị ỵ Ỵ", "Ô ÔÏ ó ò î Î"), ("Số 5/KH-UBND, năm 2025", "Soá 5/KH-UBND, naêm 2025"),
])
def test_vni_codes_read_as_the_letters_they_draw(shown, held):
    assert from_vni(held) == shown


def test_a_vni_document_reads_as_its_unicode_twin(tmp_path):
    """The same plan typed in Unicode and in VNI-Times: the runs are converted (two codes
    make one letter) and the reader says so."""
    to_vni = {letter: codes for codes, letter in _vni_table()[1].items()}
    uni = parse_path(_docx(tmp_path / "uni.docx", [[(line, "Times New Roman")] for line in PLAN]))
    vni = parse_path(_docx(tmp_path / "vni.docx",
                           [[("".join(to_vni.get(ch, ch) for ch in line), "VNI-Times")] for line in PLAN]))
    assert vni.text == uni.text
    assert vni.header.number_symbol == "103-KH/ĐU" and vni.header.issuer == uni.header.issuer
    assert any("VNI" in w and "converted" in w for w in vni.source.warnings)


def test_looks_tcvn3():
    garbled = " ".join(held for _, held in PAIRS) * 5
    assert looks_tcvn3(garbled)
    assert not looks_tcvn3(" ".join(shown for shown, _ in PAIRS) * 5)


def test_a_pdf_whose_text_reads_as_tcvn3_codes_is_converted(tmp_path):
    """A PDF printed from a .VnTime document whose fonts carry no Unicode map: its text layer
    holds the codes ("thùc hiÖn"); they are converted, and the reader says so."""
    from vnplan_nlp.read import Source, _legacy_text
    lines = [PLAN[7], PLAN[9]]                # (capitals are typed in the H fonts: not here)
    body = "\n".join(to_tcvn3(line) for line in lines) * 3
    src = _legacy_text(Source(path="x.pdf", format="pdf", text=body, sha256="0"))
    assert src.text == "\n".join(lines) * 3
    assert any("TCVN3" in w for w in src.warnings)
    plain = _legacy_text(Source(path="y.pdf", format="pdf", text="\n".join(PLAN) * 3, sha256="0"))
    assert plain.text == "\n".join(PLAN) * 3 and not plain.warnings


def test_a_text_file_saved_from_a_vntime_document_is_converted(tmp_path):
    """A .txt typed with .VnTime and saved as text: its bytes are the font's codes. Read as
    such, converted, and said (capitals typed in the H fonts come out in lower case)."""
    lines = [line.lower() for line in PLAN]
    path = tmp_path / "vntime.txt"
    path.write_bytes("\n".join(to_tcvn3(line) for line in lines).encode("latin-1"))
    src = read_path(path)
    assert src.encoding == "tcvn3" and src.text == "\n".join(lines)
    assert any("TCVN3" in w and "lower case" in w for w in src.warnings)
    # Windows-1258 Vietnamese is still read as Windows-1258, not taken for TCVN3
    cp = tmp_path / "cp1258.txt"
    cp.write_bytes(to_cp1258("\n".join(PLAN)))
    got = read_path(cp)
    assert got.encoding == "cp1258" and not got.warnings
    assert unicodedata.normalize("NFC", got.text) == "\n".join(PLAN)
    # and bytes that are neither stay refused, with what to do
    other = tmp_path / "other.txt"
    for data in ("Правительство Российской Федерации постановляет утвердить план. ".encode("koi8-r") * 20,
                 "Правительство Российской Федерации постановляет утвердить план. ".encode("cp1251") * 20,
                 "中华人民共和国国务院关于印发工作计划的通知，各省、自治区、直辖市人民政府".encode("gbk") * 20):
        other.write_bytes(data)
        with pytest.raises(ReadError) as e:
            read_path(other)
        assert e.value.code == "unknown-encoding"


def test_a_text_that_reads_as_vni_codes_is_converted_with_its_segments(tmp_path):
    """A PDF printed from a VNI-Times document whose fonts carry no Unicode map: its text
    layer holds the codes ("thöïc hieän"). They are converted, each page's segment still
    spans its page's text, and the reader says so. Unicode text is left alone."""
    from vnplan_nlp.read import Segment, Source, _legacy_text
    to_vni = {letter: codes for codes, letter in _vni_table()[1].items()}
    pages = [PLAN[7] + "\n" + PLAN[9], PLAN[9] + "\n" + PLAN[7]]
    held = ["".join(to_vni.get(ch, ch) for ch in page) for page in pages]
    text = held[0] + "\n\n" + held[1]
    segments = [Segment(0, len(held[0]), page=1), Segment(len(held[0]) + 2, len(text), page=2)]
    src = _legacy_text(Source(path="x.pdf", format="pdf", text=text, sha256="0", segments=segments))
    assert src.text == pages[0] + "\n\n" + pages[1]
    assert [src.text[s.start:s.end] for s in src.segments] == pages
    assert [s.page for s in src.segments] == [1, 2]
    assert any("VNI" in w for w in src.warnings)
    plain = _legacy_text(Source(path="y.pdf", format="pdf", text="\n".join(PLAN) * 3, sha256="0"))
    assert plain.text == "\n".join(PLAN) * 3 and not plain.warnings
    # German or Spanish (ö, ü, ñ) is no VNI text
    other = "Über die Förderung der Mädchen in München; señor Muñoz, año 2025. " * 10
    assert _legacy_text(Source(path="z.pdf", format="pdf", text=other, sha256="0")).text == other

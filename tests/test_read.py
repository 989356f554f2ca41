"""The readers on the corpus's original files (raw/*.docx, *.doc, *.pdf).

Each file has its text in docs/*.txt (made from the same document by other means): the
readers' text, once normalised, must carry the same words, and the header lines (issuer,
number, quốc hiệu, date, type, title) in the same order. A .docx and the PDF rendered
from it must give the same header lines.
"""

from __future__ import annotations

import difflib
import re
import shutil

import pytest

from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import Source, read_path

HAS_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))


def raw_files(corpus, *exts):
    files = sorted(f for f in (corpus / "raw").iterdir() if f.suffix.lower() in exts)
    assert files, f"no {exts} files in {corpus / 'raw'}"
    return files


_READ: dict[str, Source] = {}


def read(path) -> Source:
    key = str(path)
    if key not in _READ:
        _READ[key] = read_path(path)
    return _READ[key]


def norm_lines(src: Source) -> list[str]:
    return [" ".join(ln.split()) for ln in normalise(src.text, src.markup).text.split("\n") if ln.strip()]


def read_lines(src: Source) -> list[str]:
    """The reader's own lines, spaces trimmed, blank lines dropped (no normalisation)."""
    return [" ".join(ln.split()) for ln in src.text.split("\n") if ln.strip()]


_BODY = re.compile(r"^(?:Căn cứ|Thực hiện|Kính gửi|Theo đề nghị|Chương\s+[IVX\d]|Điều\s+1\b|I\.\s|1\.\s)")


def header_lines(lines: list[str]) -> list[str]:
    """Lines before the body starts (preamble, first section, or a long paragraph)."""
    out = []
    for ln in lines[:16]:
        if _BODY.match(ln) or len(ln) > 160:
            break
        out.append(ln)
    return out


def check_source(src: Source, fmt: str) -> None:
    assert src.format == fmt
    assert src.text.strip()
    assert len(src.sha256) == 64
    assert src.markup is False
    # segments tile the text in order and stay inside it
    assert src.segments
    last = -1
    for seg in src.segments:
        assert 0 <= seg.start <= seg.end <= len(src.text)
        assert seg.start > last or seg.start == 0
        last = seg.start


# -- every raw file ---------------------------------------------------------------------------

def test_docx_every_file(corpus):
    for f in raw_files(corpus, ".docx"):
        src = read(f)
        check_source(src, "docx")
        assert src.warnings == [], (f.name, src.warnings)
        assert all(s.paragraph for s in src.segments), f.name


def test_pdf_every_file(corpus):
    import pypdfium2 as pdfium
    for f in raw_files(corpus, ".pdf"):
        src = read(f)
        check_source(src, "pdf")
        assert src.pages == len(pdfium.PdfDocument(str(f))), f.name
        pages = [s.page for s in src.segments]
        assert pages[0] == 1 and max(pages) == src.pages, f.name
        assert src.warnings == [], (f.name, src.warnings)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_doc_every_file(corpus):
    for f in raw_files(corpus, ".doc"):
        src = read(f)
        check_source(src, "doc")


@pytest.mark.parametrize("ext", [".docx", ".pdf"])
def test_same_words_as_corpus_text(corpus, ext):
    """The words read from the original file are those of the corpus text (footnotes and
    list numbers, which the corpus texts lack, aside)."""
    for f in raw_files(corpus, ext):
        got = " ".join(norm_lines(read(f))).split()
        ref = " ".join(norm_lines(read(corpus / "docs" / f"{f.stem}.txt"))).split()
        ratio = difflib.SequenceMatcher(None, got, ref, autojunk=False).ratio()
        assert ratio >= 0.95, (f.name, round(ratio, 3))


@pytest.mark.parametrize("ext", [".docx", ".pdf"])
def test_header_lines_as_corpus_text(corpus, ext):
    for f in raw_files(corpus, ext):
        got = header_lines(norm_lines(read(f)))
        ref = header_lines(norm_lines(read(corpus / "docs" / f"{f.stem}.txt")))
        assert len(got) >= 6, (f.name, got)
        assert got == ref, f.name


def test_docx_and_its_pdf_same_header(corpus):
    pairs = [(f, f.with_suffix(".pdf")) for f in raw_files(corpus, ".docx") if f.with_suffix(".pdf").exists()]
    assert pairs
    for docx, pdf in pairs:
        assert header_lines(norm_lines(read(docx))) == header_lines(norm_lines(read(pdf))), docx.stem


# -- what the readers do, on real documents -----------------------------------------------------

# (document, format, a printed line the reader must give whole)
LINES = [
    # header table: left cell, then right cell, one paragraph per line
    ("kh-16-mttq-luongminh-2025", ".docx", "Số: 16/KH-MTTQ-BTT"),
    ("kh-16-mttq-luongminh-2025", ".pdf", "Số: 16/KH-MTTQ-BTT"),
    # PDF: capitals LibreOffice draws after the rest of their line come back in place
    ("kh-mttq-baccamranh-kiemtragiamsat-2025", ".pdf", "UỶ BAN MTTQ VIỆT NAM"),
    ("hd-mttq-quangninh-hiepthuong-2025", ".pdf", "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM"),
    # PDF: the quốc hiệu wrapped in a narrow cell is one line again
    ("kh-16-mttq-luongminh-2025", ".pdf", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    # PDF: a title wrapped in a narrow signature cell
    ("hd-mttq-quangninh-hiepthuong-2025", ".pdf", "PHÓ CHỦ TỊCH THƯỜNG TRỰC"),
    # .docx: list labels printed by Word's numbering, not typed
    ("kh-mttq-baccamranh-kiemtragiamsat-2025", ".docx", "1. Mục đích"),
    ("kh-mttq-baccamranh-kiemtragiamsat-2025", ".pdf", "1. Mục đích"),
    # .docx: a task table kept as rows
    ("kh-mttq-luongminh-hiepthuong-2025", ".docx",
     "Stt | Họ và tên (3) | Chức vụ công tác | Tín nhiệm | Không tín nhiệm"),
    # footnotes after the text, numbered as printed
    ("hd-mttq-quangninh-hiepthuong-2025", ".docx", "1 Điều 22. Tiêu chuấn của đại biểu Quốc hội"),
]


@pytest.mark.parametrize("doc,ext,line", LINES)
def test_printed_line(corpus, doc, ext, line):
    src = read(corpus / "raw" / f"{doc}{ext}")
    assert line in [ln.strip() for ln in src.text.split("\n")], (doc, ext, line)


# (document, phrase the PDF reader must give with its spaces where the page has them)
PDF_PHRASES = [
    # word gaps after glyphs drawn out of order (no space character is drawn there)
    ("kh-mttq-luongminh-layykien-2026", "lấy ý kiến nhận xét và tín nhiệm của cử tri nơi cư trú"),
    ("hd-mttq-luongminh-baucu-2025", "Quy định số 296-QĐ/TW, ngày 30/5/2025"),
    ("hd-mttq-luongminh-baucu-2025", "tình hình thực tế ở địa phương"),
    ("hd-mttq-quangninh-hiepthuong-2025", "NGƯỜI ỨNG CỬ ĐẠI BIỂU QUỐC HỘI"),
    # a code broken after its hyphen at the end of a line is one word again
    ("hd-mttq-luongminh-baucu-2025", "Chỉ thị số 46-CT/TW, ngày 16/5/2025"),
    # a paragraph running over a page break is one line
    ("kh-16-mttq-luongminh-2025", "Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh"),
    # footnote marks (raised digits) are not glued to the article number they follow
    ("hd-mttq-quangninh-hiepthuong-2025", "quy định tại Điều 22 Luật Tổ chức Quốc hội"),
]


@pytest.mark.parametrize("doc,phrase", PDF_PHRASES)
def test_pdf_phrase(corpus, doc, phrase):
    text = normalise(read(corpus / "raw" / f"{doc}.pdf").text, False).text
    assert phrase in text, (doc, phrase)


def test_pdf_page_numbers_dropped(corpus):
    # kh-16 prints its page numbers 2..11 at the top of pages 2..11
    src = read(corpus / "raw" / "kh-16-mttq-luongminh-2025.pdf")
    alone = [ln for ln in src.text.split("\n") if re.fullmatch(r"\s*\d{1,2}\s*", ln)]
    assert alone == []


def test_pdf_signature_table_read_by_column(corpus):
    # one page: "Nơi nhận" and its list in the left cell, the signature in the right one
    lines = [ln.strip() for ln in read(corpus / "raw" / "qd-mttq-luongminh-totiepcongdan-2026.pdf").text.split("\n")]
    i_recip, i_last_recip = lines.index("Nơi nhận:"), lines.index("- Lưu: VT")
    i_sig, i_name = lines.index("TM. BAN THƯỜNG TRỰC"), lines.index("Lan Thị Vân")
    assert i_recip < i_last_recip < i_sig < i_name
    assert lines[i_sig + 1] == "CHỦ TỊCH"


def test_pdf_footnotes_after_text(corpus):
    text = read(corpus / "raw" / "hd-mttq-quangninh-hiepthuong-2025.pdf").text
    sig = text.index("Nguyễn Chí Thành")
    note = text.index("1 Điều 22. Tiêu chuấn của đại biểu Quốc hội")
    assert note > sig
    # the paragraph the footnote interrupted on the page is whole
    assert "quy định tại Điều 22 Luật Tổ chức Quốc hội và những trường hợp" in text


def test_pdf_segments_give_pages(corpus):
    src = read(corpus / "raw" / "kh-16-mttq-luongminh-2025.pdf")
    assert src.locate(src.text.index("KẾ HOẠCH")).page == 1
    assert src.locate(src.text.index("Lan Thị Vân")).page == src.pages


def test_docx_segments_give_paragraphs(corpus):
    src = read(corpus / "raw" / "kh-16-mttq-luongminh-2025.docx")
    a = src.locate(src.text.index("ỦY BAN MTTQ VIỆT NAM"))
    b = src.locate(src.text.index("KẾ HOẠCH"))
    assert a.paragraph is not None and b.paragraph is not None and a.paragraph < b.paragraph


@pytest.mark.slow
@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_doc_header_by_column(corpus):
    # nq-101: a two-row header table; the left column (issuer, number) comes first
    lines = read_lines(read(corpus / "raw" / "nq-101-2025-ubtvqh15.doc"))
    assert lines[:8] == ["ỦY BAN THƯỜNG VỤ", "QUỐC HỘI", "-------", "Nghị quyết số: 101/2025/UBTVQH15",
                         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                         "---------------", "Hà Nội, ngày 26 tháng 9 năm 2025"]


@pytest.mark.skipif(not shutil.which("antiword"), reason="antiword is not installed")
def test_doc_with_antiword_when_no_libreoffice(corpus, monkeypatch):
    from vnplan_nlp import read_office
    real = shutil.which
    monkeypatch.setattr(read_office, "_which", lambda n: None if n in ("soffice", "libreoffice") else real(n))
    src = read_office.read_doc(corpus / "raw" / "nq-101-2025-ubtvqh15.doc")
    assert src.format == "doc" and "antiword" in src.warnings[0]
    lines = read_lines(src)
    assert lines[3] == "Nghị quyết số: 101/2025/UBTVQH15"
    assert lines.index("Nghị quyết số: 101/2025/UBTVQH15") < lines.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")

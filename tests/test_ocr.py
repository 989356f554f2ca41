"""OCR of scanned pages: corpus PDFs turned into scans here (each page rendered to an image
and saved as an image-only PDF or PNG), read back with Tesseract, and compared with the
same documents read from their text layer."""

from __future__ import annotations

import difflib
import shutil
import subprocess

import pytest

from vnplan_nlp import ocr
from vnplan_nlp.errors import ReadError
from vnplan_nlp.normalise import strip_diacritics
from vnplan_nlp.parse import parse_path
from vnplan_nlp.read import iter_inputs, read_path

from archive_helpers import CORPUS


def _tesseract_vie() -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    out = subprocess.run([exe, "--list-langs"], capture_output=True).stdout.decode()
    return "vie" in out.split()


RAW = CORPUS / "raw"
PDF = RAW / "kh-16-mttq-luongminh-2025.pdf"        # a commune's plan, two-column header, 3 pages
needs_ocr = pytest.mark.skipif(not _tesseract_vie(),
                               reason="Tesseract with its Vietnamese model is not installed "
                                      "(apt install tesseract-ocr tesseract-ocr-vie)")
needs_pdf = pytest.mark.skipif(not PDF.is_file(), reason=f"corpus PDFs not found at {RAW} (set VNPLAN_CORPUS)")


def _plain(name):
    """A name without its marks: OCR misreads a tone mark now and then ("Lan Thi Vân")."""
    return strip_diacritics(name or "").casefold()


def _page_images(pdf_path, pages=None, dpi=200):
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        idx = range(len(pdf)) if pages is None else pages
        out = []
        for i in idx:
            page = pdf[i]
            out.append(page.render(scale=dpi / 72, grayscale=True).to_pil())
            page.close()
        return out
    finally:
        pdf.close()


def _scan(pdf_path, out, pages=None, dpi=200):
    """An image-only PDF of ``pdf_path``'s pages, as a scanner would make."""
    imgs = _page_images(pdf_path, pages, dpi)
    imgs[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=imgs[1:])
    return out


PAGES = [0, 9, 10]       # the header page and the two pages of recipients and signature


def _typed(pdf_path, pages, out):
    """A PDF of some of ``pdf_path``'s pages, text layer and all."""
    import pypdfium2 as pdfium
    src = pdfium.PdfDocument(str(pdf_path))
    new = pdfium.PdfDocument.new()
    new.import_pages(src, pages)
    new.save(str(out))
    return out


@pytest.fixture(scope="module")
def text_doc(tmp_path_factory):
    """The header and signature pages read from their text layer."""
    if not PDF.is_file():
        pytest.skip(f"corpus PDFs not found at {RAW}")
    return parse_path(_typed(PDF, PAGES, tmp_path_factory.mktemp("typed") / "typed.pdf"))


@needs_pdf
def test_a_scan_without_ocr_says_how_to_read_it(tmp_path):
    scan = _scan(PDF, tmp_path / "scan.pdf", pages=[0])
    with pytest.raises(ReadError) as e:
        read_path(scan, ocr=False)
    assert e.value.code == "no-text-layer" and "--ocr" in e.value.message
    png = tmp_path / "page.png"
    _page_images(PDF, [0])[0].save(png)
    with pytest.raises(ReadError) as e:
        read_path(png, ocr=False)
    assert e.value.code == "no-text-layer" and "--ocr" in e.value.message


@needs_ocr
@needs_pdf
def test_scanned_pdf_read_by_ocr_gives_the_header_of_the_text_layer(tmp_path, text_doc):
    scan = _scan(PDF, tmp_path / "scan.pdf", pages=PAGES, dpi=300)
    doc = parse_path(scan, ocr=True)
    # the two header columns are read one after the other, as from the text layer
    for field in ("number_symbol", "doc_type", "issued_date", "parent_organ", "place"):
        assert getattr(doc.header, field) == getattr(text_doc.header, field), field
    # the signature block read after the recipients, as from the text layer; the name may
    # lose a tone mark ("Lan Thi Vân")
    assert doc.signature and _plain(doc.signature.signer) == _plain(text_doc.signature.signer)
    assert any("read by OCR" in w for w in doc.source.warnings)
    assert doc.to_dict()["source"]["warnings"] == doc.source.warnings
    # the words: the OCR text and the text layer agree almost everywhere (OCR misreads some
    # marks on bold capitals: "BAN THƯƠNG TRỤC" for "BAN THƯỜNG TRỰC")
    ratio = difflib.SequenceMatcher(None, doc.text.split(), text_doc.text.split(), autojunk=False).ratio()
    assert ratio > 0.95, ratio


@needs_ocr
@needs_pdf
def test_only_the_scanned_page_of_a_typed_pdf_is_read_by_ocr(tmp_path, text_doc):
    """A typed plan whose signature page was signed, stamped and scanned."""
    import pypdfium2 as pdfium
    scan = _scan(PDF, tmp_path / "last.pdf", pages=[PAGES[-1]], dpi=300)
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(PDF)), PAGES[:-1])
    mixed.import_pages(pdfium.PdfDocument(str(scan)))
    out = tmp_path / "mixed.pdf"
    mixed.save(str(out))
    without = read_path(out, ocr=False)
    assert any(w.startswith("page 3 is an image") for w in without.warnings)
    with_ocr = read_path(out, ocr=True)
    assert not any("is an image" in w for w in with_ocr.warnings)
    assert any(w.startswith("page 3 read by OCR") for w in with_ocr.warnings)
    # the typed pages: their text layer as it was, up to the recipients' list, which now runs
    # on into the OCR'd page (and the signature column after it)
    typed_text = without.text[:without.text.index("Nơi nhận")]
    assert with_ocr.text.startswith(typed_text)
    layer = read_path(_typed(PDF, PAGES, tmp_path / "layer.pdf")).text
    ratio = difflib.SequenceMatcher(None, with_ocr.text.split(), layer.split(), autojunk=False).ratio()
    assert ratio > 0.95, ratio
    assert _plain("Lan Thị Vân") in _plain(with_ocr.text)


@needs_ocr
@needs_pdf
def test_a_page_image_is_read_and_found_in_folders_only_with_ocr(tmp_path, text_doc):
    png = tmp_path / "p1.png"
    _page_images(PDF, [0], dpi=300)[0].save(png, dpi=(300, 300))
    doc = parse_path(png, ocr=True)
    assert doc.source.format == "png"
    assert doc.header.number_symbol == text_doc.header.number_symbol
    assert doc.header.issued_date == text_doc.header.issued_date
    assert list(iter_inputs([tmp_path], ocr=False)) == []
    assert list(iter_inputs([tmp_path], ocr=True)) == [png]


@needs_pdf
def test_missing_tesseract_is_a_clear_error(tmp_path, monkeypatch):
    scan = _scan(PDF, tmp_path / "scan.pdf", pages=[0])
    monkeypatch.setattr(shutil, "which", lambda name: None)
    ocr._tesseract.cache_clear()
    try:
        with pytest.raises(ReadError) as e:
            read_path(scan, ocr=True)
        assert e.value.code == "ocr-missing" and "tesseract-ocr-vie" in e.value.message
    finally:
        ocr._tesseract.cache_clear()


def test_tesseract_tsv_rows_become_words_in_points():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "4\t1\t1\t1\t1\t0\t300\t600\t900\t60\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t300\t600\t250\t60\t96.0\tKẾ\n"
           "5\t1\t1\t1\t1\t2\t600\t600\t600\t60\t95.1\tHOẠCH\n"
           "5\t2\t1\t1\t1\t1\t0\t0\t10\t10\t90\t \n")
    pages = ocr.parse_tsv(tsv, [300 / 72, 300 / 72])
    assert [w.text for w in pages[0]] == ["KẾ", "HOẠCH"] and pages[1] == []
    assert pages[0][0].left == pytest.approx(72.0) and pages[0][1].right == pytest.approx(288.0)


@needs_pdf
def test_a_missing_page_is_said_in_the_review(tmp_path):
    """A typed plan with a scanned page, checked without OCR: the review says that page was
    not read, in the text and the HTML report and in parse's text view."""
    import pypdfium2 as pdfium
    from vnplan_nlp.cli import main
    scan = _scan(PDF, tmp_path / "p2.pdf", pages=[1])
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(PDF)), [0])
    mixed.import_pages(pdfium.PdfDocument(str(scan)))
    mixed.import_pages(pdfium.PdfDocument(str(PDF)), [2])
    out = tmp_path / "mixed.pdf"
    mixed.save(str(out))
    for fmt in ("text", "html"):
        rep = tmp_path / f"review.{fmt}"
        main(["check", str(out), "--format", fmt, "-o", str(rep)])
        body = rep.read_text(encoding="utf-8")
        assert "page 2 is an image with no text" in body


@needs_ocr
@needs_pdf
def test_index_reads_scans_with_ocr_in_its_workers(tmp_path, capsys, monkeypatch):
    """`vnplan index --ocr`: the parsing workers read the scan; without it the scan is listed
    as an error that says to use --ocr, and the other files are indexed."""
    from vnplan_nlp.archive import open_store, search
    from vnplan_nlp.cli import main
    monkeypatch.setenv("VNPLAN_OCR", "0")       # --ocr sets it for the workers: undone after the test
    docs = tmp_path / "docs"
    docs.mkdir()
    _scan(PDF, docs / "scan.pdf", pages=[0], dpi=300)
    shutil.copy(CORPUS / "docs" / "seed-103-kh-du-hungyen-2024.txt", docs / "seed.txt")
    db = str(tmp_path / "a.sqlite")
    assert main(["index", str(docs), "--db", db, "--workers", "2", "--no-progress"]) == 1
    assert "--ocr" in capsys.readouterr().err
    assert main(["index", str(docs), "--db", db, "--workers", "2", "--no-progress", "--ocr"]) == 0
    with open_store(db) as s:
        rows = search(s, "bau cu dai bieu Quoc hoi khoa XVI").rows
    assert rows and rows[0]["path"].endswith("scan.pdf") and rows[0]["number_symbol"] == "16/KH-MTTQ-BTT"

"""Bad input: every file below is made in tmp_path by the test. Each must raise ReadError
with its stable code and a message naming the file and saying what to do; never any
other exception. Text in legacy encodings must decode to the right Vietnamese."""

from __future__ import annotations

import ctypes
import hashlib
import io
import random
import shutil
import struct
import tracemalloc
import unicodedata
import zipfile

import pytest

from vnplan_nlp import settings
from vnplan_nlp.errors import ReadError
from vnplan_nlp.read import read_path

# sentences from the corpus (kh-16-mttq-luongminh-2025)
VIET = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Ban Thường trực Ủy ban Mặt trận Tổ quốc (MTTQ) Việt Nam xã ban hành kế hoạch thực hiện "
        "công tác bầu cử đại biểu Quốc hội khóa XVI và bầu cử đại biểu Hội đồng nhân dân các cấp "
        "nhiệm kỳ 2026-2031, cụ thể như sau:\n")


def fails(path, code: str, *hints: str) -> ReadError:
    """read_path(path) raises ReadError(code); the message names the file and gives the hints."""
    with pytest.raises(ReadError) as info:
        read_path(path)
    err = info.value
    assert err.code == code, (err.code, err.message)
    assert str(path) in err.message
    assert err.path == str(path)
    for h in hints:
        assert h.lower() in err.message.lower(), (h, err.message)
    assert err.to_dict() == {"code": code, "message": err.message}
    return err


# -- generators -------------------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: vowel letters precomposed (â, ơ, ư ...),
    tone marks as separate combining characters."""
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES)) + tones)
    return "".join(out).encode("cp1258")


def small_docx(text: str = "KẾ HOẠCH\nThực hiện công tác bầu cử") -> bytes:
    import docx
    d = docx.Document()
    for line in text.split("\n"):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def zip_bomb(path, size: int, chunk: int = 1 << 20) -> None:
    """A .docx whose document.xml expands to ``size`` bytes of spaces, written in chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/content-types"/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            block = b" " * chunk
            for _ in range(size // chunk):
                f.write(block)


def text_pdf(path, pages: list[list[str]]) -> None:
    """A PDF with a text layer (Helvetica, one string per line), made with PDFium."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    pdf = pdfium.PdfDocument.new()
    for lines in pages:
        page = pdf.new_page(595, 842)
        font = raw.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
        y = 780
        for line in lines:
            obj = raw.FPDFPageObj_CreateTextObj(pdf.raw, font, ctypes.c_float(12))
            buf = ctypes.create_string_buffer((line + "\0").encode("utf-16-le"))
            raw.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)))
            raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 72, y)
            raw.FPDFPage_InsertObject(page.raw, obj)
            y -= 16
        raw.FPDFPage_GenerateContent(page.raw)
        page.close()
    pdf.save(str(path))
    pdf.close()


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) & 255
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for b in data:
        i = (i + 1) & 255
        j = (j + s[i]) & 255
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) & 255])
    return bytes(out)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def encrypted_pdf(user_pw: str = "matkhau", owner_pw: str = "chusohuu") -> bytes:
    """A one-page PDF encrypted with the standard security handler (RC4, 40 bits,
    revision 2; PDF 1.7 §7.6.3): it opens only with the user password."""
    def padded(pw: str) -> bytes:
        return (pw.encode("latin-1") + _PAD)[:32]
    perms = -44
    file_id = hashlib.md5(b"vnplan test").digest()
    o_value = _rc4(hashlib.md5(padded(owner_pw)).digest()[:5], padded(user_pw))
    key = hashlib.md5(padded(user_pw) + o_value + struct.pack("<i", perms) + file_id).digest()[:5]
    u_value = _rc4(key, _PAD)
    content = b"BT /F1 18 Tf 72 760 Td (Ke hoach thuc hien cong tac bau cu) Tj ET"
    obj_key = hashlib.md5(key + struct.pack("<i", 4)[:3] + b"\0\0").digest()[:10]
    stream = _rc4(obj_key, content)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + o_value.hex().encode() + b"> /U <"
        + u_value.hex().encode() + b"> /P %d >>" % perms,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objs) + 1, file_id.hex().encode(), file_id.hex().encode(), xref))
    return bytes(out)


def ole2_container(stream_names: list[str]) -> bytes:
    """A minimal compound file (OLE2, as legacy Office files and encrypted .docx are):
    header, one FAT sector, one directory sector naming empty streams."""
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end)
    struct.pack_into("<I", header, 68, 0)          # no DIFAT sectors
    struct.pack_into("<I", header, 76, 0)          # DIFAT[0]: the FAT is sector 0
    for k in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * k, free)
    fat = bytearray(struct.pack("<I", free) * 128)
    struct.pack_into("<II", fat, 0, fat_sect, end)

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        e = bytearray(128)
        raw = name.encode("utf-16-le") + b"\0\0"
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, free, right, child)
        struct.pack_into("<II", e, 116, end, 0)
        return bytes(e)
    entries = [entry("Root Entry", 5, child=1 if stream_names else free)]
    for i, name in enumerate(stream_names):
        entries.append(entry(name, 2, right=i + 2 if i + 1 < len(stream_names) else free))
    directory = b"".join(entries).ljust(512, b"\0")
    return bytes(header) + bytes(fat) + directory


# -- empty, binary, encodings -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["empty.txt", "empty.docx", "empty.pdf", "empty.doc", "noext"])
def test_empty_file(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"")
    fails(p, "empty", "supply")


def test_only_whitespace(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_text("  \n\n\t \n", encoding="utf-8")
    fails(p, "empty")


def test_binary_junk_named_txt(tmp_path):
    p = tmp_path / "junk.txt"
    p.write_bytes(random.Random(1).randbytes(5000))
    fails(p, "binary", ".docx", "UTF-8")


def test_binary_junk_without_nul_named_txt(tmp_path):
    p = tmp_path / "junk.txt"
    p.write_bytes(bytes(b for b in random.Random(2).randbytes(6000) if b))
    fails(p, "binary")


@pytest.mark.parametrize("encoding,data", [
    ("utf-8", VIET.encode("utf-8")),
    ("utf-8", VIET.encode("utf-8-sig")),
    ("utf-16", VIET.encode("utf-16")),            # with BOM
    ("utf-16-le", VIET.encode("utf-16-le")),      # without BOM
    ("utf-16-be", VIET.encode("utf-16-be")),      # without BOM
    ("cp1258", to_cp1258(VIET)),
])
def test_encodings_decode_to_vietnamese(tmp_path, encoding, data):
    p = tmp_path / "kh.txt"
    p.write_bytes(data)
    src = read_path(p)
    assert src.encoding == encoding
    assert unicodedata.normalize("NFC", src.text) == VIET


def test_cp1258_crlf_decodes(tmp_path):
    p = tmp_path / "kh.txt"
    p.write_bytes(to_cp1258(VIET.replace("\n", "\r\n")))
    src = read_path(p)
    assert src.encoding == "cp1258"
    assert "Ủy ban Mặt trận Tổ quốc" in unicodedata.normalize("NFC", src.text)


@pytest.mark.parametrize("data", [
    "中华人民共和国国务院关于印发工作计划的通知，各省、自治区、直辖市人民政府".encode("gbk"),
    "Правительство Российской Федерации постановляет утвердить план".encode("koi8-r"),
])
def test_unknown_encoding(tmp_path, data):
    p = tmp_path / "other.txt"
    p.write_bytes(data)
    fails(p, "unknown-encoding", "UTF-8", "VNI")


# -- formats, folders, missing files ----------------------------------------------------------

def test_unknown_extension(tmp_path):
    p = tmp_path / "kh.xyz"
    p.write_text(VIET, encoding="utf-8")
    fails(p, "unsupported-format", ".docx", ".pdf")


def test_missing_file(tmp_path):
    fails(tmp_path / "absent.pdf", "not-found", "check the path")


@pytest.mark.parametrize("name", ["folder", "folder.docx", "folder.txt"])
def test_folder_given_as_file(tmp_path, name):
    d = tmp_path / name
    d.mkdir()
    fails(d, "is-a-folder", "give files")


# -- .docx ------------------------------------------------------------------------------------

def test_small_docx_reads(tmp_path):
    p = tmp_path / "kh.docx"
    p.write_bytes(small_docx())
    src = read_path(p)
    assert src.format == "docx" and src.text == "KẾ HOẠCH\nThực hiện công tác bầu cử"


def test_docx_random_bytes(tmp_path):
    p = tmp_path / "junk.docx"
    p.write_bytes(random.Random(3).randbytes(4000))
    fails(p, "corrupt", "save it again")


def test_docx_truncated_zip(tmp_path):
    data = small_docx()
    p = tmp_path / "cut.docx"
    p.write_bytes(data[: len(data) // 2])
    fails(p, "corrupt", "damaged")


def test_docx_damaged_xml(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small_docx())) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]          # the XML stops mid-element
            dst.writestr(item, data)
    p = tmp_path / "xml.docx"
    p.write_bytes(buf.getvalue())
    fails(p, "corrupt", "damaged")


def test_docx_without_document_part(tmp_path):
    p = tmp_path / "nodoc.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    fails(p, "corrupt", "no document part")


def test_xlsx_named_docx(tmp_path):
    p = tmp_path / "book.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    fails(p, "corrupt", "Excel")


def test_docx_zip_bomb_refused_unexpanded(tmp_path):
    p = tmp_path / "bomb.docx"
    zip_bomb(p, 200 * 1024 * 1024)
    assert p.stat().st_size < 1024 * 1024           # 200 MB of spaces in well under 1 MB
    tracemalloc.start()
    try:
        err = fails(p, "too-large", "VNPLAN_MAX_DOCX_XML_BYTES")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "zip bomb" in err.message
    assert peak < 20 * 1024 * 1024, peak            # refused from the zip directory alone


def test_docx_limit_from_environment(tmp_path, monkeypatch):
    p = tmp_path / "kh.docx"
    p.write_bytes(small_docx())
    monkeypatch.setenv("VNPLAN_MAX_DOCX_XML_BYTES", "1000")
    fails(p, "too-large")


def test_encrypted_docx(tmp_path):
    # Word saves a password-protected .docx as an OLE2 container with these two streams
    p = tmp_path / "locked.docx"
    p.write_bytes(ole2_container(["EncryptionInfo", "EncryptedPackage"]))
    fails(p, "encrypted", "password")


def test_ole2_without_word_stream_named_doc(tmp_path):
    p = tmp_path / "book.doc"
    p.write_bytes(ole2_container(["Workbook"]))
    fails(p, "corrupt", "Excel")


def test_doc_random_bytes(tmp_path):
    p = tmp_path / "junk.doc"
    p.write_bytes(random.Random(4).randbytes(3000))
    fails(p, "corrupt", "Word")


def test_doc_without_any_converter(tmp_path, monkeypatch):
    from vnplan_nlp import read_office
    monkeypatch.setattr(read_office, "_which", lambda name: None)
    p = tmp_path / "old.doc"
    p.write_bytes(ole2_container(["WordDocument", "1Table"]))
    fails(p, "converter-missing", "libreoffice-writer-nogui", "antiword")


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice (soffice) is not installed")
def test_damaged_doc_with_libreoffice(tmp_path):
    # a Word stream name but no Word content: LibreOffice, told it is Word 97, refuses it
    p = tmp_path / "broken.doc"
    p.write_bytes(ole2_container(["WordDocument"]) + random.Random(5).randbytes(2000))
    fails(p, "corrupt", "save it as .docx")


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice (soffice) is not installed")
def test_legacy_doc_named_docx(tmp_path, corpus):
    p = tmp_path / "nq-101.docx"
    shutil.copy(corpus / "raw" / "nq-101-2025-ubtvqh15.doc", p)
    src = read_path(p)
    assert src.format == "doc"
    assert "legacy Word .doc named .docx" in src.warnings[0]
    assert "Nghị quyết số: 101/2025/UBTVQH15" in src.text


# -- PDF --------------------------------------------------------------------------------------

def test_generated_text_pdf_reads(tmp_path):
    p = tmp_path / "plain.pdf"
    text_pdf(p, [["KE HOACH", "Thuc hien cong tac bau cu"], ["2", "Trang hai cua ke hoach"]])
    src = read_path(p)
    assert src.format == "pdf" and src.pages == 2
    assert src.text.split("\n") == ["KE HOACH", "Thuc hien cong tac bau cu", "Trang hai cua ke hoach"]
    assert src.locate(src.text.index("Trang hai")).page == 2


def test_encrypted_pdf(tmp_path):
    import pypdfium2 as pdfium
    p = tmp_path / "locked.pdf"
    p.write_bytes(encrypted_pdf(user_pw="matkhau"))
    # it is a real encrypted PDF: with its password it opens and holds the text
    with pdfium.PdfDocument(str(p), password="matkhau") as pdf:
        assert "Ke hoach thuc hien" in pdf[0].get_textpage().get_text_range()
    fails(p, "encrypted", "password")


def test_pdf_random_bytes(tmp_path):
    p = tmp_path / "junk.pdf"
    p.write_bytes(random.Random(6).randbytes(4000))
    fails(p, "corrupt", "not a PDF")


def test_pdf_header_then_garbage(tmp_path):
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"%PDF-1.7\n" + random.Random(7).randbytes(4000))
    fails(p, "corrupt", "damaged")


def test_pdf_truncated(tmp_path):
    whole = tmp_path / "whole.pdf"
    text_pdf(whole, [["KE HOACH"]] * 3)
    p = tmp_path / "cut.pdf"
    p.write_bytes(whole.read_bytes()[:300])
    fails(p, "corrupt")


def test_docx_named_pdf(tmp_path):
    p = tmp_path / "kh.pdf"
    p.write_bytes(small_docx())
    fails(p, "corrupt", ".docx")


def test_pdf_without_text_layer(tmp_path):
    from PIL import Image, ImageDraw
    pages = []
    for k in range(3):                             # a "scan": pictures of text, no text layer
        img = Image.new("RGB", (1240, 1754), "white")
        ImageDraw.Draw(img).text((150, 150 + 40 * k), "KE HOACH so 16/KH-MTTQ-BTT", fill="black")
        pages.append(img)
    p = tmp_path / "scan.pdf"
    pages[0].save(p, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    err = fails(p, "no-text-layer", "OCR", "ocrmypdf", "tesseract", "-l vie")
    assert "3 page" in err.message


def test_pdf_page_limit(tmp_path, monkeypatch):
    p = tmp_path / "long.pdf"
    text_pdf(p, [["Trang %d cua ke hoach" % i] for i in range(3)])
    monkeypatch.setenv("VNPLAN_MAX_PDF_PAGES", "2")
    fails(p, "too-large", "VNPLAN_MAX_PDF_PAGES")


# -- size limits ------------------------------------------------------------------------------

def test_text_limit_from_environment(tmp_path, monkeypatch):
    p = tmp_path / "long.txt"
    p.write_text(VIET * 20, encoding="utf-8")
    monkeypatch.setenv("VNPLAN_MAX_TEXT_CHARS", "1000")
    fails(p, "too-large", "VNPLAN_MAX_TEXT_CHARS")


@pytest.mark.parametrize("name", ["long.txt", "long.docx", "long.pdf"])
def test_file_limit_from_environment(tmp_path, monkeypatch, name):
    p = tmp_path / name
    p.write_bytes(b"x" * 5000)
    monkeypatch.setenv("VNPLAN_MAX_FILE_BYTES", "4096")
    fails(p, "too-large", "VNPLAN_MAX_FILE_BYTES")


def test_default_file_limit_with_sparse_file(tmp_path, monkeypatch):
    monkeypatch.delenv("VNPLAN_MAX_FILE_BYTES", raising=False)
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:                       # sparse: no disk, no memory
        f.truncate(settings.MAX_FILE_BYTES + 1)
    tracemalloc.start()
    try:
        fails(p, "too-large", "MB")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_default_text_limit_just_above(tmp_path, monkeypatch):
    monkeypatch.delenv("VNPLAN_MAX_TEXT_CHARS", raising=False)
    limit = settings.MAX_TEXT_CHARS
    p = tmp_path / "long.txt"
    line = b"Ban Thuong truc xay dung ke hoach thuc hien cong tac bau cu.\n"
    with open(p, "wb") as f:                       # written in chunks, just above the limit
        written = 0
        while written <= limit:
            f.write(line * 1000)
            written += len(line) * 1000
    fails(p, "too-large", "VNPLAN_MAX_TEXT_CHARS")


def test_bad_setting_is_a_usage_error(monkeypatch):
    from vnplan_nlp.errors import UsageError
    monkeypatch.setenv("VNPLAN_MAX_FILE_BYTES", "twenty")
    with pytest.raises(UsageError) as info:
        settings.MAX_FILE_BYTES
    assert "VNPLAN_MAX_FILE_BYTES" in info.value.message

"""Readers: a file in, its text plus a map back to the source out.

Each reader returns a :class:`Source`: the text as read (one paragraph or printed line per
``\\n``) and ``segments`` that tie ranges of that text to a page and paragraph of the file.
Nothing here normalises; ``normalise.py`` does that and keeps the offsets.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import settings
from .errors import ReadError

TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".text"}
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}    # read with OCR only
SUPPORTED = TEXT_EXTENSIONS | {".docx", ".doc", ".pdf"} | IMAGE_EXTENSIONS
OCR_READS = IMAGE_EXTENSIONS | {".pdf"}             # readers that take ``ocr``


@dataclass(frozen=True)
class Segment:
    """``text[start:end]`` of the read text came from this page / paragraph of the file."""
    start: int
    end: int
    page: int | None = None
    paragraph: int | None = None


@dataclass
class Source:
    path: str
    format: str                      # txt | md | docx | doc | pdf
    text: str
    sha256: str
    pages: int | None = None
    encoding: str | None = None
    markup: bool = False             # the text may carry Markdown marks (** bold, | pipes, rules)
    segments: list[Segment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def locate(self, offset: int) -> Segment | None:
        """The segment of the file that holds ``offset`` of the read text (for text files,
        the line: built on first use)."""
        if not self.segments and self.format in ("txt", "md"):
            self.segments = _line_segments(self.text)
        if not self.segments:
            return None
        starts = [s.start for s in self.segments]
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and self.segments[i].start <= offset <= self.segments[i].end:
            return self.segments[i]
        return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError(f"{path}: no such file. Check the path.", path=str(path), code="not-found")
    except OSError as e:
        raise ReadError(f"{path}: cannot be opened ({e.strerror}). Check its permissions.",
                        path=str(path), code="unreadable")
    if size == 0:
        raise ReadError(f"{path}: the file is empty. Supply the document's text.",
                        path=str(path), code="empty")
    if size > settings.MAX_FILE_BYTES:
        raise ReadError(
            f"{path}: {size / 1048576:.1f} MB is larger than any real document "
            f"(limit {settings.MAX_FILE_BYTES / 1048576:.0f} MB). Split it, or raise "
            f"VNPLAN_MAX_FILE_BYTES if it really is one document.", path=str(path), code="too-large")
    return size


# -- plain text -------------------------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: Vietnamese text has many NULs at odd or even positions."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) / 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _vietnamese_letters() -> frozenset[str]:
    """Every letter of the Vietnamese alphabet, tone-marked or not, both cases."""
    import unicodedata
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    out = set("đĐ")
    for v in vowels:
        for t in tones:
            ch = unicodedata.normalize("NFC", v + t)
            out.update((ch, ch.upper()))
    return frozenset(c for c in out if len(c) == 1)


_VIET = _vietnamese_letters()
# punctuation a Windows text may carry beside the letters
_CP1258_PUNCT = set("“”‘’–—…•€«»°±×÷§¶·")


def _looks_vietnamese(text: str) -> bool:
    """Text whose non-ASCII characters are (almost) all Vietnamese letters, with some."""
    import unicodedata
    nfc = unicodedata.normalize("NFC", text[:200000])
    viet = other = 0
    for ch in nfc:
        if ch < "\x80":
            continue
        if ch in _VIET:
            viet += 1
        elif ch not in _CP1258_PUNCT and not ch.isspace():
            other += 1
    return viet >= 3 and other <= 0.05 * (viet + other)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


def _is_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) > max(8, len(sample) * 0.01)


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Decode bytes of a text file: BOMs, UTF-8, UTF-16 without BOM, then the Vietnamese
    legacy code page Windows-1258, then TCVN3 (returned as the Latin-1 characters of its
    codes, encoding ``tcvn3``: :func:`read_text` converts them). Raise ``unknown-encoding`` /
    ``binary`` otherwise."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError:
                break
    u16 = _looks_utf16(data)
    if u16:
        try:
            return data.decode(u16), u16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise ReadError(f"{path}: this is binary data, not text. Give the original .docx/.pdf, "
                        "or save the document as text (UTF-8).", path=path, code="binary")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1258 is the legacy Vietnamese code page; accept it only where it yields
    # Vietnamese letters (any byte decodes to something: Chinese or Russian text would
    # too, as a jumble of accented Latin letters).
    text = data.decode("cp1258", errors="replace")
    if _is_binary(text):
        raise ReadError(f"{path}: this is binary data, not text. Give the original .docx/.pdf, "
                        "or save the document as text (UTF-8).", path=path, code="binary")
    if "\ufffd" not in text and _looks_vietnamese(text):
        return text, "cp1258"
    # A file typed with .VnTime (TCVN3) fonts and saved as text holds the fonts' 8-bit codes:
    # read as Latin-1, they are the characters the converter maps (see _from_tcvn3)
    from .legacy import looks_tcvn3
    latin = data.decode("latin-1")
    if looks_tcvn3(latin):
        return latin, "tcvn3"
    raise ReadError(f"{path}: the text is not in UTF-8, UTF-16 or Windows-1258, so its letters cannot "
                    "be read. Re-save it as UTF-8 (in Word: Save As > Plain Text > Unicode (UTF-8)); "
                    "text typed with VNI fonts must first be converted to Unicode (e.g. with Unikey's "
                    "converter).", path=path, code="unknown-encoding")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:
        raise ReadError(f"{path}: permission denied. Check the file's permissions.",
                        path=str(path), code="unreadable") from None
    except IsADirectoryError:
        raise ReadError(f"{path}: is a folder; give files, or use a command that walks folders.",
                        path=str(path), code="is-a-folder") from None
    except OSError as e:
        raise ReadError(f"{path}: cannot be read ({e.strerror or e}). Check the file.",
                        path=str(path), code="unreadable") from None


def read_text(path: Path) -> Source:
    _check_size(path)
    data = _read_bytes(path)
    text, enc = decode_text(data, str(path))
    if _is_binary(text):
        raise ReadError(f"{path}: this is binary data, not text. Give the original .docx/.pdf, "
                        "or save the document as text (UTF-8).", path=str(path), code="binary")
    if not text.strip():
        raise ReadError(f"{path}: the file holds no text. Supply the document's text.",
                        path=str(path), code="empty")
    if len(text) > settings.MAX_TEXT_CHARS:
        raise ReadError(f"{path}: {len(text):,} characters is far more than any real document "
                        f"(limit {settings.MAX_TEXT_CHARS:,}). Split it, or raise VNPLAN_MAX_TEXT_CHARS.",
                        path=str(path), code="too-large")
    fmt = "md" if path.suffix.lower() in {".md", ".markdown"} else "txt"
    src = Source(path=str(path), format=fmt, text=text, sha256=_sha256(data), encoding=enc, markup=True)
    if enc == "tcvn3":       # decode_text found the codes: convert, without looking again
        _from_tcvn3(src)
    return src


def _line_segments(text: str) -> list[Segment]:
    """For text files the map back to the source is the line (``paragraph`` = line number)."""
    segs = []
    pos = 0
    for i, line in enumerate(text.split("\n"), start=1):
        segs.append(Segment(pos, pos + len(line), None, i))
        pos += len(line) + 1
    return segs


def read_string(text: str, path: str = "<string>") -> Source:
    """A Source from text already in memory (tests, the API)."""
    data = text.encode("utf-8")
    return Source(path=path, format="txt", text=text, sha256=_sha256(data), encoding="utf-8", markup=True)


# -- dispatch ---------------------------------------------------------------------------------

def _readers():
    from . import read_office, read_pdf  # noqa: F401  (imported lazily: heavy dependencies)
    readers = {".docx": read_office.read_docx, ".doc": read_office.read_doc, ".pdf": read_pdf.read_pdf}
    readers.update(dict.fromkeys(IMAGE_EXTENSIONS, read_pdf.read_image))
    return readers


def _legacy_text(src: Source) -> Source:
    """A text that still reads as VNI or TCVN3 codes (a PDF made from a VNI-Times or .VnTime
    document, whose fonts carry no Unicode map; a Word run whose font the reader did not
    see) is converted, and the warnings say so."""
    from .legacy import looks_tcvn3, looks_vni
    # VNI first: its codes are characters TCVN3 text shows too, but only VNI's vanish once converted
    if looks_vni(src.text):
        from .legacy import from_vni
        _convert(src, from_vni)          # two codes may make one letter: the segments follow
        src.warnings.append("the text reads as VNI codes and was converted to Unicode")
    elif looks_tcvn3(src.text):
        _from_tcvn3(src)
    return src


def _from_tcvn3(src: Source) -> None:
    """Convert a text of TCVN3 codes (one character for one: every offset holds)."""
    from .legacy import from_tcvn3
    src.text = from_tcvn3(src.text)
    src.warnings.append("the text reads as TCVN3 (.VnTime) codes and was converted to Unicode; "
                        "lines typed in capitals (.VnTimeH) may come out in lower case: check them "
                        "against the document")


def _convert(src: Source, convert) -> None:
    """Apply ``convert`` (which may change a text's length) to the text, piece by piece
    between segment bounds, so that each segment still spans its own text."""
    if not src.segments:
        src.text = convert(src.text)
        return
    out: list[str] = []
    segments: list[Segment] = []
    pos = done = 0
    for seg in src.segments:
        gap = convert(src.text[pos:seg.start])
        body = convert(src.text[seg.start:seg.end])
        start = done + len(gap)
        segments.append(replace(seg, start=start, end=start + len(body)))
        out += [gap, body]
        done = start + len(body)
        pos = seg.end
    out.append(convert(src.text[pos:]))
    src.text = "".join(out)
    src.segments = segments


def read_path(path: str | Path, ocr: bool | None = None) -> Source:
    """Read one file, whatever its format. Raises :class:`ReadError` with a stable code.
    ``ocr``: read scanned pages and page images with OCR (default: the VNPLAN_OCR setting)."""
    p = Path(path)
    if p.is_dir():
        raise ReadError(f"{p}: is a folder; give files, or use a command that walks folders.",
                        path=str(p), code="is-a-folder")
    ext = p.suffix.lower()
    if ext in TEXT_EXTENSIONS or ext == "":
        return read_text(p)
    if ext not in SUPPORTED:
        _check_size(p)
        raise ReadError(f"{p}: '{ext}' files are not read. Give .txt, .md, .docx, .doc or .pdf "
                        "(or, with --ocr, a page image: .png, .jpg, .tif).",
                        path=str(p), code="unsupported-format")
    try:
        reader = _readers()[ext]
    except ImportError as e:  # a reader's dependency is not installed
        raise ReadError(f"{p}: reading {ext} needs {e.name}; install the project with its "
                        "dependencies (see README).", path=str(p), code="reader-missing") from None
    _check_size(p)
    try:
        return _legacy_text(reader(p, ocr) if ext in OCR_READS else reader(p))
    except ReadError:
        raise
    except MemoryError:
        raise ReadError(f"{p}: reading it needs more memory than there is; it is far larger than a "
                        "real document. Split it.", path=str(p), code="too-large") from None
    except PermissionError:
        raise ReadError(f"{p}: permission denied. Check the file's permissions.",
                        path=str(p), code="unreadable") from None
    except Exception as e:  # a damage the reader did not foresee: still a clear error, no traceback
        raise ReadError(f"{p}: the {ext} file could not be read ({type(e).__name__}: {e}); it is "
                        "probably damaged. Open it in its program and save it again, or export it "
                        "to PDF.", path=str(p), code="corrupt") from None


def iter_inputs(paths, recursive: bool = True, ocr: bool | None = None):
    """Expand folders into the files the readers know, sorted; files are yielded as given.
    Page images are documents only where OCR is on (else a folder's pictures are left alone)."""
    from .ocr import enabled
    walked = SUPPORTED if enabled(ocr) else SUPPORTED - IMAGE_EXTENSIONS
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*") if recursive else p.iterdir()):
                if f.is_file() and f.suffix.lower() in walked and not f.name.startswith("."):
                    yield f
        else:
            yield p

"""OCR of scanned pages with Tesseract and its Vietnamese model.

Off by default (``--ocr`` on the commands, ``VNPLAN_OCR=1``, or ``read_path(..., ocr=True)``):
it takes a second or more a page, where reading a text layer takes milliseconds, and its
text is a reading, not the document's own characters (about 0.2 % of characters wrong on a
clean page: check names and numbers against the scan).

The PDF reader asks for the pages that hold only an image (a scanned plan, or a scanned
signature page or appendix after typed pages); each is rendered with PDFium and read by one
``tesseract`` process for all of them. Tesseract's words come back with their boxes, so an
OCR'd page is a page of printed lines like any other, laid out by the same code: the two
header columns read one after the other, running heads and page numbers dropped.
Page images (.png, .jpg, .tif) are read the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import settings
from .errors import ReadError

#: resolution pages are rendered at for OCR (Tesseract reads 300 dpi best)
DPI = 300


@dataclass(frozen=True)
class Word:
    text: str
    line: tuple[int, int, int]      # (block, paragraph, line) within the page
    left: float                      # box, in points (1/72 inch) from the page's top left
    top: float
    right: float
    bottom: float


def enabled(ocr: bool | None = None) -> bool:
    """``ocr`` if given, else the ``VNPLAN_OCR`` setting."""
    return bool(settings.OCR) if ocr is None else ocr


@lru_cache(maxsize=None)
def _tesseract(lang: str) -> str:
    exe = shutil.which("tesseract")
    if not exe:
        raise ReadError("OCR needs Tesseract: install it (Debian: apt install tesseract-ocr "
                        "tesseract-ocr-vie), or read the file without --ocr.", code="ocr-missing")
    try:
        listed = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=30).stdout.decode()
    except (OSError, subprocess.SubprocessError) as e:
        raise ReadError(f"Tesseract cannot be run ({e}). Check its installation.", code="ocr-missing")
    have = {ln.strip() for ln in listed.splitlines()[1:]}
    missing = [p for p in lang.split("+") if p not in have]
    if missing:
        raise ReadError(f"Tesseract has no '{'+'.join(missing)}' model: install it (Debian: apt install "
                        "tesseract-ocr-vie), or set VNPLAN_OCR_LANG.", code="ocr-missing")
    return exe


def read_images(images: list[tuple[Path, float]], source: Path) -> list[list[Word]]:
    """The words of each image, its boxes scaled to points by the image's pixels per point.
    ``images``: (file, pixels per point); ``source``: the document, for messages."""
    lang = settings.OCR_LANG
    exe = _tesseract(lang)
    with tempfile.TemporaryDirectory(prefix="vnplan-ocr-") as tmp:
        listing = Path(tmp) / "pages.txt"
        listing.write_text("\n".join(str(p) for p, _ in images) + "\n", encoding="utf-8")
        # one thread a process: the index runs a process per core already
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        try:
            r = subprocess.run([exe, str(listing), "stdout", "-l", lang, "--psm", "3", "tsv"],
                               capture_output=True, env=env,
                               timeout=settings.OCR_PAGE_TIMEOUT * len(images))
        except subprocess.TimeoutExpired:
            raise ReadError(f"{source}: OCR took more than {settings.OCR_PAGE_TIMEOUT:g} s a page and was "
                            "stopped. Check the scan (size, resolution), or raise VNPLAN_OCR_PAGE_TIMEOUT.",
                            path=str(source), code="ocr-failed") from None
        except OSError as e:
            raise ReadError(f"{source}: Tesseract cannot be run ({e}). Check its installation.",
                            path=str(source), code="ocr-missing") from None
    if r.returncode != 0:
        msg = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadError(f"{source}: OCR failed ({msg[-1] if msg else 'Tesseract exit ' + str(r.returncode)}). "
                        "Check the scan.", path=str(source), code="ocr-failed")
    return parse_tsv(r.stdout.decode("utf-8", "replace"), [scale for _, scale in images])


def parse_tsv(tsv: str, scales: list[float]) -> list[list[Word]]:
    """Tesseract's TSV (one row a word, level 5) as words per page, in points."""
    pages: list[list[Word]] = [[] for _ in scales]
    for row in tsv.splitlines():
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5":
            continue
        text = f[11].strip()
        if not text:
            continue
        try:
            page = int(f[1]) - 1
            left, top, width, height = (int(x) for x in f[6:10])
        except ValueError:
            continue
        if not 0 <= page < len(pages):
            continue
        s = scales[page]
        pages[page].append(Word(text, (int(f[2]), int(f[3]), int(f[4])), left / s, top / s,
                                (left + width) / s, (top + height) / s))
    return pages


def render_pdf_pages(pdf, indexes: list[int], folder: Path) -> list[tuple[Path, float]]:
    """Pages ``indexes`` (0-based) of an open pypdfium2 document as grey PNG files."""
    scale = DPI / 72
    out = []
    for i in indexes:
        page = pdf[i]
        try:
            image = page.render(scale=scale, grayscale=True).to_pil()
        finally:
            page.close()
        p = folder / f"page-{i + 1:04d}.png"
        image.save(p)
        out.append((p, scale))
    return out


def image_geometry(path: Path) -> tuple[float, float, float]:
    """A page image's pixels per point, from its resolution (300 dpi where it gives none),
    and its width and height in points."""
    from PIL import Image
    with Image.open(path) as im:
        dpi = im.info.get("dpi", (DPI, DPI))[0] or DPI
        scale = float(dpi) / 72 if dpi > 20 else DPI / 72
        return scale, im.width / scale, im.height / scale


def warning(pages: str | None = None) -> str:
    """The warning a document read by OCR carries (``pages``: which, where not all)."""
    return (f"{pages + ' ' if pages else ''}read by OCR (Tesseract, {settings.OCR_LANG}): check names "
            "and numbers against the scan")

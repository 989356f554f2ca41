"""PDF reader: the text layer of a PDF, one printed line per ``\\n``.

The body is read with pypdfium2 (fast). PDFium gives characters in the order the
producer drew them, which is not always reading order: LibreOffice, for one, draws
precomposed Vietnamese capitals ("Ủ", "Ệ") after the rest of their line and may draw
the header table after the body. So characters are put back in order on each line by
their position, and lines are put in reading order by layout (blocks side by side are
read left block first, as the two cells of a header or signature table).

The header block of page 1 (issuer and number on the left, quốc hiệu and date on the
right) is read with pdfplumber, one column at a time, so the two columns are never
interleaved. pdfplumber is slow (a few pages a second), so it only reads that block.

Running page numbers and running heads alone at the top or bottom of pages are dropped.
"""

from __future__ import annotations

import ctypes
import io
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import settings
from .errors import ReadError
from .read import Segment, Source, _sha256

OCR_HINT = ("Read it with OCR: add --ocr (Tesseract with its Vietnamese model), or run "
            "`ocrmypdf -l vie in.pdf out.pdf` first and read the result.")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float       # distance from the top of the page
    bottom: float
    size: float      # font size
    first_end: float  # where the line's first word ends (x)
    sups: tuple = ()  # (start, end) in text of raised small glyphs (footnote marks)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Block:
    lines: list[_Line] = field(default_factory=list)
    page: int = 0
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0

    def add(self, ln: _Line) -> None:
        if not self.lines:
            self.x0, self.x1, self.top, self.bottom = ln.x0, ln.x1, ln.top, ln.bottom
        else:
            self.x0, self.x1 = min(self.x0, ln.x0), max(self.x1, ln.x1)
            self.top, self.bottom = min(self.top, ln.top), max(self.bottom, ln.bottom)
        self.lines.append(ln)


# -- errors -----------------------------------------------------------------------------------

def _what_is_it(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return " It is a zip file (a .docx?); give it its real extension."
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return " It is a legacy Office file (a .doc?); give it its real extension."
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return " It is a web page; save the document itself, not the page."
    return ""


def _open(data: bytes, path: Path):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    if b"%PDF" not in data[:1024]:
        raise ReadError(f"{path}: not a PDF (no %PDF header).{_what_is_it(data)} "
                        "Otherwise export the document to PDF again.", path=str(path), code="corrupt")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            raise ReadError(f"{path}: the PDF is password-protected. Open it with its password and "
                            "save or print it to a PDF without protection, then read that copy.",
                            path=str(path), code="encrypted") from None
        raise ReadError(f"{path}: the PDF is damaged and cannot be opened ({e}). Get the file again, "
                        "or export it to PDF again from the original.", path=str(path),
                        code="corrupt") from None


# -- characters and lines from PDFium ---------------------------------------------------------

def _pdfium_lines(page, textpage) -> list[_Line]:
    """The page's printed lines: PDFium's lines (stream order), characters sorted by x."""
    import pypdfium2.raw as raw

    tp = textpage.raw
    n = textpage.count_chars()
    if n <= 0:
        return []
    text = textpage.get_text_range()
    if len(text) != n:                       # characters outside the BMP: ask one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, i)) for i in range(n))
    page_top = page.get_mediabox()[3]
    rect = raw.FS_RECTF()
    rp = ctypes.byref(rect)
    get_box = raw.FPDFText_GetLooseCharBox
    generated = raw.FPDFText_IsGenerated
    font_size = raw.FPDFText_GetFontSize
    widths: dict[tuple, float] = {}          # (font, char) -> advance at size 1
    wbuf = ctypes.c_float()
    address = ctypes.c_void_p.from_buffer
    get_object = raw.FPDFText_GetTextObject
    get_font = raw.FPDFTextObj_GetFont

    def advance(i: int, ch: str, size: float) -> float:
        font = get_font(get_object(tp, i))
        if not font:
            return 0.0
        key = (address(font).value, ch)
        w = widths.get(key)
        if w is None:
            ok = raw.FPDFFont_GetGlyphWidth(font, ord(ch), ctypes.c_float(100.0), ctypes.byref(wbuf))
            w = widths[key] = wbuf.value / 100.0 if ok else 0.0
        return w * size

    raw_lines: list[list[list]] = []
    cur: list[list] = []                      # [x0, x1, middle_from_top, height, char, size]
    size = 0.0
    for i, ch in enumerate(text):
        if ch == "\n" or ch == "\r":
            if cur:
                raw_lines.append(cur)
                cur = []
            continue
        # PDFium's inferred spaces are dropped: where glyphs were drawn out of order they
        # fall inside words; word gaps are measured again once the glyphs are in x order
        if ch == " " and generated(tp, i):
            continue
        if ch < " " and ch != "\t" or ch in "\ufffe\uffff":
            continue
        get_box(tp, i, rp)
        nonascii = ch > "\x7f"
        if nonascii or not cur or not i & 7:  # sizes change rarely within a line: sample them
            size = font_size(tp, i)
        right = rect.right
        if nonascii and not ch.isspace():
            # the box of a glyph with marks overhangs (and LibreOffice draws precomposed
            # Vietnamese letters from a wider fallback font): take the font's advance
            adv = advance(i, ch, size)
            if adv > 0:
                right = rect.left + adv
        cur.append([rect.left, right, page_top - (rect.top + rect.bottom) / 2,
                    rect.top - rect.bottom, ch, size])
    if cur:
        raw_lines.append(cur)
    out: list[_Line] = []
    for line in raw_lines:
        for ln in _build_lines(line):
            prev = out[-1] if out else None
            # PDFium starts a new line after a raised footnote mark; the rest of the
            # printed line follows on the same baseline, just to the right
            if (prev is not None and abs(ln.middle - prev.middle) < 0.3 * ln.height
                    and -0.5 <= ln.x0 - prev.x1 < 3 * ln.size and abs(ln.size - prev.size) < 1):
                glue = " " if ln.x0 - prev.x1 > 0.09 * ln.size else ""
                shift = len(prev.text) + len(glue)
                out[-1] = _Line(prev.text + glue + ln.text, prev.x0, ln.x1, min(prev.top, ln.top),
                                max(prev.bottom, ln.bottom), prev.size, prev.first_end,
                                prev.sups + tuple((a + shift, b + shift) for a, b in ln.sups))
            else:
                out.append(ln)
    return out


def _build_lines(chars: list[list]) -> list[_Line]:
    """Characters of one PDFium line put in x order, spaces put where words are apart.

    One PDFium line may hold glyphs of two baselines (rare); they are split. Raised
    small glyphs (footnote marks) stay on their line and are recorded in ``sups``.
    """
    solid = [c for c in chars if not c[4].isspace()]
    if not solid:
        return []
    heights = sorted(c[3] for c in solid)
    h = max(heights[len(heights) // 2], 1.0)
    sizes = sorted(c[5] for c in solid)
    size = sizes[len(sizes) // 2] or h
    mids = sorted(c[2] for c in solid)
    groups = [chars]
    if mids[-1] - mids[0] > 0.7 * h:
        groups = []
        for c in sorted(solid, key=lambda c: c[2]):
            if groups and (abs(c[2] - groups[-1][-1][2]) <= 0.5 * h or c[3] < 0.8 * h):
                groups[-1].append(c)
            else:
                groups.append([c])
    out = []
    for g in groups:
        g = sorted(g, key=lambda c: c[0])      # stable: equal x keeps the drawing order
        g_solid = [c for c in g if not c[4].isspace()]
        if not g_solid:
            continue
        g_mid = sorted(c[2] for c in g_solid)[len(g_solid) // 2]
        pieces: list[list] = [[]]
        prev = None
        prev_end = 0.0
        for c in g:
            ch = c[4]
            if prev is not None:
                if unicodedata.combining(ch):  # a separate diacritic joins the letter before it
                    prev[4] = unicodedata.normalize("NFC", prev[4] + ch)
                    prev_end = max(prev_end, c[1])
                    continue
                gap = c[0] - prev_end
                if gap > 3 * size:             # far apart on one baseline: two columns
                    pieces.append([])
                elif gap > 0.09 * size and not ch.isspace() and not prev[4][-1].isspace():
                    pieces[-1].append(None)    # a word gap with no space drawn
            c = c + [not ch.isspace() and c[3] < 0.8 * h and c[2] < g_mid - 0.15 * h]  # raised
            pieces[-1].append(c)
            prev = c
            prev_end = c[1]
        for p in pieces:
            while p and (p[0] is None or p[0][4].isspace()):
                p.pop(0)
            while p and (p[-1] is None or p[-1][4].isspace()):
                p.pop()
            if not p:
                continue
            parts: list[str] = []
            sups: list[tuple[int, int]] = []
            pos = 0
            last_space = False
            for c in p:
                t = " " if c is None or c[4].isspace() else c[4]
                if t == " ":
                    if last_space:
                        continue
                    last_space = True
                else:
                    last_space = False
                if c is not None and c[6]:
                    if sups and sups[-1][1] == pos:
                        sups[-1] = (sups[-1][0], pos + len(t))
                    else:
                        sups.append((pos, pos + len(t)))
                parts.append(t)
                pos += len(t)
            real = [c for c in p if c is not None and not c[4].isspace()]
            first_end = real[-1][1]
            for c in p:
                if c is None or c[4].isspace():
                    break
                first_end = c[1]
            mid = sorted(c[2] for c in real)[len(real) // 2]
            out.append(_Line(unicodedata.normalize("NFC", "".join(parts)), real[0][0],
                             max(c[1] for c in real), mid - h / 2, mid + h / 2, size, first_end,
                             tuple(sups)))
    return out


# -- reading order ----------------------------------------------------------------------------

def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _reading_order(lines: list[_Line], page: int) -> list[list[list[_Block]]]:
    """Stream lines stacked downwards form blocks; blocks that sit side by side form a
    band, read one column at a time, left to right; bands top to bottom.
    Returns the bands, each a list of columns, each a list of blocks."""
    blocks: list[_Block] = []
    for ln in lines:
        b = blocks[-1] if blocks else None
        if b is not None:
            last = b.lines[-1]
            h = max(last.height, ln.height)
            if (ln.top >= last.top + 0.3 * h and ln.top - last.bottom <= 1.5 * h
                    and _overlap(ln.x0, ln.x1, b.x0, b.x1) > 0):
                b.add(ln)
                continue
        nb = _Block(page=page)
        nb.add(ln)
        blocks.append(nb)
    blocks.sort(key=lambda b: (b.top, b.x0))
    bands: list[list[list[_Block]]] = []
    band: list[_Block] = []
    band_bottom = 0.0
    for b in blocks:
        if band and b.top < band_bottom - 0.3 * b.lines[0].height:
            band.append(b)
            band_bottom = max(band_bottom, b.bottom)
            continue
        if band:
            bands.append(_columns(band))
        band, band_bottom = [b], b.bottom
    if band:
        bands.append(_columns(band))
    return bands


def _columns(band: list[_Block]) -> list[list[_Block]]:
    columns: list[list] = []                  # [x0, x1, blocks]
    for b in sorted(band, key=lambda b: b.x0):
        for col in columns:
            if _overlap(b.x0, b.x1, col[0], col[1]) > 0:
                col[0], col[1] = min(col[0], b.x0), max(col[1], b.x1)
                col[2].append(b)
                break
        else:
            columns.append([b.x0, b.x1, [b]])
    return [sorted(col[2], key=lambda b: b.top) for col in sorted(columns, key=lambda c: c[0])]


def _span(col: list[_Block]) -> tuple[float, float]:
    return min(b.x0 for b in col), max(b.x1 for b in col)


def _flatten(pages: list[list[list[list[_Block]]]]) -> list[_Block]:
    """Blocks in reading order. A table laid out in columns that runs over a page break
    (a signature table: recipients on the left, the signer on the right) is read one
    column at a time across both pages."""
    pages = [list(bands) for bands in pages]
    for k in range(len(pages) - 1):
        if not pages[k] or not pages[k + 1]:
            continue
        a, b = pages[k][-1], pages[k + 1][0]
        if len(a) >= 2 and len(a) == len(b) and all(
                _overlap(*_span(ca), *_span(cb)) > 0 for ca, cb in zip(a, b)):
            pages[k][-1] = [ca + cb for ca, cb in zip(a, b)]
            pages[k + 1] = pages[k + 1][1:]
    return [block for bands in pages for band in bands for col in band for block in col]


# -- paragraphs -------------------------------------------------------------------------------

def _margins(pages: list[list[_Line]], page_width: float) -> tuple[float, float]:
    """The body's left and right edges: where most lines start, and where justified (or
    the longest ragged) lines end."""
    lefts = Counter(round(ln.x0) for lines in pages for ln in lines)
    rights = sorted(ln.x1 for lines in pages for ln in lines)
    if not rights:
        return 0.0, 1.0
    left = lefts.most_common(1)[0][0]
    # justified text: many lines end at the same x; else the 95th percentile
    top_half = Counter(round(x) for x in rights[len(rights) // 2:])
    x, count = top_half.most_common(1)[0]
    if count >= 0.15 * len(rights) // 2:
        right = max(v for v in rights if abs(v - x) <= 2)
    else:
        right = rights[min(len(rights) - 1, int(len(rights) * 0.95))]
    if right - left < 0.5 * page_width:
        # no line runs across the page: nothing wraps; put the margin where a page has it
        right = max(right, page_width - left)
    return float(left), float(right)


def _centred(ln: _Line, left: float, right: float) -> bool:
    """Set in from both margins by about as much (a centred title or heading)."""
    lgap, rgap = ln.x0 - left, right - ln.x1
    return lgap > 0.5 * ln.size and rgap > 0.3 * ln.size and abs(lgap - rgap) < 1.5 * ln.size


def _wrapped(a: _Line, b: _Line, left: float, right: float) -> bool:
    """Did line ``a`` end only because the next word did not fit? Then ``b`` continues it."""
    if b.x0 > a.x0 + a.size and b.x0 > a.x0:   # b indented past a: a new paragraph
        return False
    if abs(a.size - b.size) > 1.5:
        return False
    if _centred(a, left, right) and not _centred(b, left, right):
        return False                           # a centred heading, then a paragraph
    if a.text.isupper() and not b.text.isupper() and any(c.islower() for c in b.text[:20]):
        return False                           # a heading in capitals, then running text
    need = (b.first_end - b.x0) + 0.2 * a.size
    return a.x1 + need > right + 0.5


def _assemble(blocks: list[_Block], left: float, right: float,
              header: list[_Line]) -> tuple[list[str], list[int]]:
    """Lines of text (one per paragraph, "" for a visible gap) and the page each starts on.
    A line wrapped at the right margin is joined to the next, also across pages."""
    width = max(right - left, 1.0)
    seq: list[tuple[_Line, bool, bool, int]] = []   # (line, in a wide block, first of block, page)
    seq.extend((ln, False, i == 0, 1) for i, ln in enumerate(header))
    for b in blocks:
        wide = (b.x1 - b.x0) >= 0.6 * width
        lines = b.lines if wide else _join_orphans(b.lines)
        seq.extend((ln, wide, i == 0, b.page) for i, ln in enumerate(lines))
    out: list[str] = []
    where: list[int] = []
    prev: _Line | None = None
    prev_wide = False
    prev_page = 0
    for ln, wide, first, page in seq:
        if prev is not None:
            new_page = page != prev_page
            if (not first or new_page) and wide and prev_wide and _wrapped(prev, ln, left, right):
                # a code broken after its hyphen or slash ("46-" / "CT/TW") is one word
                glue = "" if _OPEN_END.search(out[-1]) else " "
                out[-1] += glue + ln.text
                prev, prev_wide, prev_page = ln, wide, page
                continue
            if not new_page and ln.top >= prev.bottom and \
                    ln.top - prev.top > 2.0 * max(prev.size, ln.size):
                out.append("")               # an empty paragraph or a wide gap
                where.append(page)
        out.append(ln.text)
        where.append(page)
        prev, prev_wide, prev_page = ln, wide, page
    return out, where


_OPEN_END = re.compile(r"[\w)][-/]$")


# -- footnotes --------------------------------------------------------------------------------

_MARK = re.compile(r"^\d{1,3}$")


def _body_size(pages: list[list[_Line]]) -> float:
    sizes = Counter()
    for lines in pages:
        for ln in lines:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _split_footnotes(lines: list[_Line], body: float) -> tuple[list[_Line], list[_Line]]:
    """Separate the footnotes printed at the foot of a page: a run of lines in a smaller
    size below everything else, opened by a note number. Their number marks (raised
    digits) are taken out of the body text, as Word keeps them out of the text too."""
    if not lines or body <= 0:
        return lines, []
    by_top = sorted(lines, key=lambda ln: ln.top)
    k = len(by_top)
    while k > 0 and by_top[k - 1].size <= 0.85 * body:
        k -= 1
    area = by_top[k:]
    if not area:
        return lines, []
    first = area[0]
    m = re.match(r"^(\d{1,3})\b", first.text)
    if not m or not (_MARK.match(first.text) or (first.sups and first.sups[0][0] == 0)):
        return lines, []
    # group: a mark line ("1") followed by the note's first line, on (almost) one baseline
    notes: list[_Line] = []
    numbers: set[str] = set()
    i = 0
    while i < len(area):
        ln = area[i]
        if _MARK.match(ln.text) and i + 1 < len(area) and area[i + 1].top - ln.top < ln.height:
            nxt = area[i + 1]
            numbers.add(ln.text)
            notes.append(_Line(ln.text + " " + nxt.text, min(ln.x0, nxt.x0), nxt.x1, ln.top,
                               nxt.bottom, nxt.size, ln.x1, ()))
            i += 2
            continue
        mm = re.match(r"^(\d{1,3})\b", ln.text)
        if mm and ln.sups and ln.sups[0][0] == 0:
            numbers.add(mm.group(1))
        notes.append(ln)
        i += 1
    body_lines = []
    area_ids = {id(ln) for ln in area}
    for ln in lines:
        if id(ln) in area_ids:
            continue
        if _MARK.match(ln.text) and ln.text in numbers and ln.size < 0.85 * body:
            continue                            # a mark split off onto a line of its own
        if ln.sups:
            text = ln.text
            for a, b in reversed(ln.sups):
                if text[a:b] in numbers:
                    text = text[:a] + text[b:]
            if text != ln.text:
                ln = _Line(text, ln.x0, ln.x1, ln.top, ln.bottom, ln.size, ln.first_end, ())
        body_lines.append(ln)
    return body_lines, notes


# -- page 1 header block with pdfplumber ------------------------------------------------------

def _header_cut(words: list[dict], page_height: float) -> tuple[float, float] | None:
    """Where page 1's two-column header ends (distance from the top) and the x that parts
    its columns, from the words' boxes (``x0``, ``x1``, ``top``, ``bottom``); None when the
    page opens with no such block."""
    x_left = min(w["x0"] for w in words)
    x_right = max(w["x1"] for w in words)
    width = max(x_right - x_left, 1.0)
    centre = (x_left + x_right) / 2
    # printed lines: words of one baseline
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if rows and abs(w["top"] - rows[-1][0]["top"]) <= 2:
            rows[-1].append(w)
        else:
            rows.append([w])
    cut = None
    two_columns = False
    for row in rows:
        if row[0]["top"] > page_height * 0.5:
            break
        row.sort(key=lambda w: w["x0"])
        size = statistics.median(w["bottom"] - w["top"] for w in row)
        phrases = 1 + sum(1 for a, b in zip(row, row[1:]) if b["x0"] - a["x1"] > size)
        mid = (row[0]["x0"] + row[-1]["x1"]) / 2
        if phrases == 1 and abs(mid - centre) <= 0.07 * width:
            cut = row[0]["top"] - 0.5
            break
        two_columns = two_columns or phrases > 1 or abs(mid - centre) > 0.15 * width
    if cut is None:
        if not two_columns:
            return None
        cut = page_height * 0.25           # no centred line: a fixed share of the page
    if not two_columns:
        return None
    head = [w for w in words if w["bottom"] <= cut]
    if not head:
        return None
    split = _column_split(head, x_left, width)
    return cut, split


def _header_block(data: bytes) -> tuple[list[_Line], float] | None:
    """The two-column header of page 1, left column then right column, and where it ends
    (distance from the top). None when page 1 has no such block."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data), pages=[1]) as pdf:
        page = pdf.pages[0]
        if (page.rotation or 0) % 360:
            return None
        words = [w for w in page.extract_words(x_tolerance=1.5, y_tolerance=2) if w.get("upright", True)]
        if not words:
            return None
        got = _header_cut(words, page.height)
        if got is None:
            return None
        cut, split = got

        def column(left: bool) -> list[_Line]:
            def keep(obj) -> bool:
                if obj.get("object_type") != "char":
                    return False
                if obj["bottom"] > cut:
                    return False
                return ((obj["x0"] + obj["x1"]) / 2 < split) == left
            out = []
            for row in page.filter(keep).extract_text_lines(x_tolerance=1.5, y_tolerance=2):
                text = unicodedata.normalize("NFC", row["text"].strip())
                if not text:
                    continue
                sizes = sorted(c.get("size", 0) for c in row["chars"])
                size = sizes[len(sizes) // 2] or (row["bottom"] - row["top"])
                first = text.split(" ", 1)[0]
                chars = [c for c in row["chars"] if not c["text"].isspace()]
                first_end = chars[min(len(first), len(chars)) - 1]["x1"] if chars else row["x1"]
                out.append(_Line(text, row["x0"], row["x1"], row["top"], row["bottom"], size, first_end))
            return _join_orphans(out)

        return column(True) + column(False), cut


def _lines_header(lines: list[_Line], page_height: float) -> tuple[list[_Line], float] | None:
    """:func:`_header_block` for a page of OCR'd lines: the two header columns, left then right."""
    if not lines:
        return None
    got = _header_cut([{"x0": ln.x0, "x1": ln.x1, "top": ln.top, "bottom": ln.bottom} for ln in lines],
                      page_height)
    if got is None:
        return None
    cut, split = got
    head = sorted((ln for ln in lines if ln.bottom <= cut), key=lambda ln: (ln.top, ln.x0))
    left = [ln for ln in head if (ln.x0 + ln.x1) / 2 < split]
    right = [ln for ln in head if (ln.x0 + ln.x1) / 2 >= split]
    return _join_orphans(left) + _join_orphans(right), cut


def _join_orphans(lines: list[_Line]) -> list[_Line]:
    """In a narrow column (a header or signature cell), a single word centred alone under
    the column's widest line is that line wrapped ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT" /
    "NAM", "PHÓ CHỦ TỊCH THƯỜNG" / "TRỰC" in a cell too narrow for them)."""
    if len(lines) < 2:
        return lines
    widest = max(ln.x1 - ln.x0 for ln in lines)
    out = [lines[0]]
    for b in lines[1:]:
        a = out[-1]
        if ((a.x1 - a.x0) >= 0.95 * widest and b.text.isalpha() and abs(a.size - b.size) < 0.5
                and b.top - a.bottom < 0.8 * a.size and a.text[-1:].isalpha()
                and a.text.isupper() == b.text.isupper()
                and abs((a.x0 + a.x1) / 2 - (b.x0 + b.x1) / 2) < 0.1 * widest):
            out[-1] = _Line(a.text + " " + b.text, a.x0, a.x1, a.top, b.bottom, a.size, a.first_end)
        else:
            out.append(b)
    return out


def _column_split(words: list[dict], x_left: float, width: float) -> float:
    """The x of the widest empty vertical strip in the middle part of the header."""
    spans = sorted((w["x0"], w["x1"]) for w in words)
    lo, hi = x_left + 0.2 * width, x_left + 0.8 * width
    best, best_w = x_left + width / 2, 0.0
    reach = spans[0][1]
    for a, b in spans[1:]:
        if a > reach:
            g0, g1 = max(reach, lo), min(a, hi)
            if g1 - g0 > best_w:
                best, best_w = (g0 + g1) / 2, g1 - g0
        reach = max(reach, b)
    return best


# -- running heads and page numbers -----------------------------------------------------------

_PAGE_NO = re.compile(r"^(?:trang\s*)?[-–—]?\s*(\d{1,4})\s*[-–—]?(?:\s*/\s*\d{1,4})?$", re.I)


def _drop_running(pages: list[list[_Line]]) -> int:
    """Remove page numbers and running heads alone at the top or bottom of pages.
    Returns how many lines were removed."""
    # candidates: the topmost and bottommost line of each page, when set apart from the rest
    cands: list[tuple[int, _Line]] = []
    for i, lines in enumerate(pages):
        if len(lines) == 1:                   # a blank page but for its number
            cands.append((i, lines[0]))
            continue
        if not lines:
            continue
        by_top = sorted(lines, key=lambda ln: ln.top)
        for ln, other in ((by_top[0], by_top[1]), (by_top[-1], by_top[-2])):
            if abs(ln.middle - other.middle) > 0.6 * ln.height:   # alone on its line
                cands.append((i, ln))
    drop: set[int] = set()
    offsets = Counter()
    numbered = []
    for i, ln in cands:
        m = _PAGE_NO.match(ln.text.strip())
        if m:
            offsets[int(m.group(1)) - (i + 1)] += 1
            numbered.append((i, ln, int(m.group(1)) - (i + 1)))
    if offsets:
        off, count = offsets.most_common(1)[0]
        if off == 0 or count >= 2:
            drop.update(id(ln) for i, ln, o in numbered if o == off)
    # running heads: the same words (digits aside) at the top or bottom of many pages
    keys = Counter()
    for i, ln in cands:
        keys[re.sub(r"\d+", "#", ln.text.strip().casefold())] += 1
    n = len(pages)
    common = {k for k, c in keys.items() if c >= 3 and c >= 0.5 * n}
    drop.update(id(ln) for i, ln in cands if re.sub(r"\d+", "#", ln.text.strip().casefold()) in common)
    removed = 0
    for lines in pages:
        before = len(lines)
        lines[:] = [ln for ln in lines if id(ln) not in drop]
        removed += before - len(lines)
    return removed


# -- the reader -------------------------------------------------------------------------------

def read_pdf(path: Path, ocr: bool | None = None) -> Source:
    """``ocr``: read pages that hold only an image with OCR (default: the VNPLAN_OCR setting)."""
    path = Path(path)
    data = path.read_bytes()
    pdf = _open(data, path)
    try:
        return _read(pdf, data, path, ocr)
    finally:
        pdf.close()


def _ocr_lines(words) -> list[_Line]:
    """Tesseract's words of one page as printed lines (its own line grouping, top to bottom)."""
    by_line: dict = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    out = []
    for ws in by_line.values():
        ws.sort(key=lambda w: w.left)
        size = statistics.median(w.bottom - w.top for w in ws)
        # Tesseract may take the two cells of a header row ("XÃ LƯƠNG MINH" and "Độc lập - Tự
        # do - Hạnh phúc") for one line: a gap of several letter heights parts them
        runs = [[ws[0]]]
        for w in ws[1:]:
            if w.left - runs[-1][-1].right > 2.5 * size:
                runs.append([w])
            else:
                runs[-1].append(w)
        for run in runs:
            text = " ".join(w.text for w in run)
            if sum(ch.isalnum() for ch in text) < 2 and not text.isdigit():
                continue            # a speck, a stroke of a signature or of a seal read as "^", "l"
            out.append(_Line(unicodedata.normalize("NFC", text), run[0].left,
                             max(w.right for w in run), min(w.top for w in run), max(w.bottom for w in run),
                             size, run[0].right))
    return _as_stream(out)


def _as_stream(lines: list[_Line]) -> list[_Line]:
    """OCR'd lines in the order a PDF producer draws them: each block of lines stacked
    downwards (a paragraph, a column of the recipients or of the signature) one after the
    other, so that :func:`_reading_order` finds the blocks side by side as it does in a
    text layer. A line goes to the block whose last line is just above it and overlaps it."""
    blocks: list[list[_Line]] = []
    spans: list[list[float]] = []
    for ln in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        for b, span in zip(reversed(blocks), reversed(spans)):
            last = b[-1]
            h = max(last.height, ln.height)
            # a paragraph's next line is close below and starts near its left edge; the
            # signature cell under the last paragraph starts halfway across
            if (ln.top >= last.top + 0.3 * h and ln.top - last.bottom <= 1.0 * h
                    and _overlap(ln.x0, ln.x1, span[0], span[1]) > 0
                    and ln.x0 - span[0] <= 0.25 * (span[1] - span[0])):
                b.append(ln)
                span[0], span[1] = min(span[0], ln.x0), max(span[1], ln.x1)
                break
        else:
            blocks.append([ln])
            spans.append([ln.x0, ln.x1])
    return [ln for b in blocks for ln in b]


def _ocr_pages(pdf, indexes: list[int], path: Path) -> list[list[_Line]]:
    import tempfile

    from . import ocr
    with tempfile.TemporaryDirectory(prefix="vnplan-pages-") as tmp:
        images = ocr.render_pdf_pages(pdf, indexes, Path(tmp))
        return [_ocr_lines(words) for words in ocr.read_images(images, path)]


def read_image(path: Path, ocr: bool | None = None) -> Source:
    """A page image (.png, .jpg, .tif), read with OCR."""
    from . import ocr as ocr_mod
    path = Path(path)
    if not ocr_mod.enabled(ocr):
        raise ReadError(f"{path}: is an image (a scanned page?). Read it with OCR: --ocr (or VNPLAN_OCR=1).",
                        path=str(path), code="no-text-layer")
    data = path.read_bytes()
    try:
        scale, width, height = ocr_mod.image_geometry(path)
    except Exception as e:       # PIL cannot open it
        raise ReadError(f"{path}: the image cannot be opened ({type(e).__name__}); it is damaged or not "
                        "an image. Scan the page again.", path=str(path), code="corrupt") from None
    lines = _ocr_lines(ocr_mod.read_images([(path, scale)], path)[0])
    if sum(ch.isalnum() for ln in lines for ch in ln.text) < 20:
        raise ReadError(f"{path}: OCR found no text on the image. Check that it is a page of the document, "
                        "scanned upright at 300 dpi.", path=str(path), code="no-text-layer")
    return _layout([lines], width, data, path, [ocr_mod.warning()], fmt=path.suffix.lower().lstrip(".") or "image",
                   height=height, pdf_header=False)


def _read(pdf, data: bytes, path: Path, ocr: bool | None = None) -> Source:
    n = len(pdf)
    if n == 0:
        raise ReadError(f"{path}: the PDF has no pages. Export the document to PDF again.",
                        path=str(path), code="corrupt")
    if n > settings.MAX_PDF_PAGES:
        raise ReadError(f"{path}: {n} pages is more than any real document (limit "
                        f"{settings.MAX_PDF_PAGES}). Split it, or raise VNPLAN_MAX_PDF_PAGES.",
                        path=str(path), code="too-large")
    warnings: list[str] = []
    pages: list[list[_Line]] = []
    bad_pages: list[int] = []
    width, height = 595.0, 842.0              # A4, until page 1 says otherwise
    scanned: list[int] = []                   # pages of images and (almost) no text
    budget = settings.MAX_TEXT_CHARS
    for i in range(n):
        try:
            page = pdf[i]
        except Exception:                      # a damaged page object
            bad_pages.append(i + 1)
            pages.append([])
            continue
        try:
            if i == 0:
                width, height = page.get_width(), page.get_height()
            tp = page.get_textpage()
            try:
                lines = _pdfium_lines(page, tp)
            finally:
                tp.close()
            if sum(ch.isalnum() for ln in lines for ch in ln.text) < 5 and _has_image(page):
                scanned.append(i + 1)
        except Exception:                      # PDFium cannot lay out this page's text
            bad_pages.append(i + 1)
            lines = []
        finally:
            page.close()
        pages.append(lines)
        budget -= sum(len(ln.text) + 1 for ln in lines)
        if budget < 0:
            raise ReadError(f"{path}: the text is longer than any real document (limit "
                            f"{settings.MAX_TEXT_CHARS:,} characters). Split it, or raise "
                            "VNPLAN_MAX_TEXT_CHARS.", path=str(path), code="too-large")
    if len(bad_pages) == n:
        raise ReadError(f"{path}: no page of the PDF can be read; it is damaged. Export it to PDF "
                        "again from the original.", path=str(path), code="corrupt")
    if bad_pages:
        warnings.append(f"{_pages(bad_pages)} {'is' if len(bad_pages) == 1 else 'are'} damaged "
                        "and could not be read")

    total, bad = _letters_and_unmapped(pages)
    from . import ocr as ocr_mod
    ocr_done: list[int] = []
    if ocr_mod.enabled(ocr):
        # no usable text layer: every page by OCR; else the pages that are only an image
        targets = (list(range(n)) if total < max(20, 10 * n) or bad > 0.2 * max(total, 1)
                   else [p - 1 for p in scanned])
        if targets:
            for i, lines in zip(targets, _ocr_pages(pdf, targets, path)):
                pages[i] = lines
            warnings.append(ocr_mod.warning(_pages([i + 1 for i in targets])))
            scanned, ocr_done = [], targets
            total, bad = _letters_and_unmapped(pages)
            if total < max(20, 10 * n):
                raise ReadError(f"{path}: OCR found no text on the PDF's pages. Check that they are "
                                "pages of the document, scanned upright at 300 dpi.",
                                path=str(path), code="no-text-layer")
    if total < max(20, 10 * n):
        raise ReadError(f"{path}: the PDF's {n} page{'s hold' if n > 1 else ' holds'} no text, only "
                        "images (a scan). "
                        + OCR_HINT, path=str(path), code="no-text-layer")
    if scanned:
        warnings.append(f"{_pages(scanned)} {'is an image' if len(scanned) == 1 else 'are images'} "
                        "with no text (scanned?); that content is missing. " + OCR_HINT)
    if bad > 0.2 * total:
        raise ReadError(f"{path}: the PDF's fonts carry no usable character map, so its text layer "
                        "is unreadable. " + OCR_HINT, path=str(path), code="no-text-layer")

    # an OCR'd page 1 has no text layer for pdfplumber to read the header from
    return _layout(pages, width, data, path, warnings, fmt="pdf", height=height, pdf_header=0 not in ocr_done)


def _letters_and_unmapped(pages: list[list[_Line]]) -> tuple[int, int]:
    """The pages' letters and digits, and their characters a font left without a Unicode
    value (private use, U+FFFD)."""
    letters = unmapped = 0
    for lines in pages:
        for ln in lines:
            for ch in ln.text:
                if ch.isalnum():
                    letters += 1
                elif "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd":
                    unmapped += 1
    return letters, unmapped


def _layout(pages: list[list[_Line]], width: float, data: bytes, path: Path, warnings: list[str],
            fmt: str, height: float = 842.0, pdf_header: bool = True) -> Source:
    """The pages' printed lines in reading order, as a Source (``data``: the file). Page 1's
    header block is read column by column: by pdfplumber from the PDF (``pdf_header``), else
    (a page read by OCR, an image) by its lines' boxes. ``height``: page 1's height."""
    n = len(pages)
    _drop_running(pages)

    header: list[_Line] = []
    if pages[0]:
        try:
            got = _header_block(data) if pdf_header else _lines_header(pages[0], height)
        except Exception as e:                 # pdfplumber cannot lay out page 1: PDFium alone
            got = None
            warnings.append(f"page 1 header read without layout ({type(e).__name__}: {e})")
        if got:
            header, cut = got
            pages[0] = [ln for ln in pages[0] if ln.middle > cut]

    body = _body_size(pages)
    notes: list[list[_Line]] = []
    for i, lines in enumerate(pages):
        pages[i], page_notes = _split_footnotes(lines, body)
        notes.append(page_notes)
    left, right = _margins(pages, width)
    blocks = _flatten([_reading_order(lines, i + 1) for i, lines in enumerate(pages)])
    lines, where = _assemble(blocks, left, right, header)
    if any(notes):                            # footnotes after the text, as a block of their own
        nblocks = _flatten([_reading_order(nl, i + 1) for i, nl in enumerate(notes) if nl])
        nlines, nwhere = _assemble(nblocks, left, right, [])
        lines += [""] + nlines
        where += [nwhere[0]] + nwhere
    text = "\n".join(lines)
    segments: list[Segment] = []
    pos = 0
    for i, ln in enumerate(lines):
        if segments and segments[-1].page == where[i] and segments[-1].end == pos - 1:
            segments[-1] = Segment(segments[-1].start, pos + len(ln), page=where[i])
        else:
            segments.append(Segment(pos, pos + len(ln), page=where[i]))
        pos += len(ln) + 1
    return Source(path=str(path), format=fmt, text=text, sha256=_sha256(data), pages=n,
                  markup=False, segments=segments, warnings=warnings)


def _has_image(page) -> bool:
    import pypdfium2.raw as raw
    try:
        return any(obj.type == raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))
    except Exception:
        return False


def _pages(nums: list[int]) -> str:
    return ("page " if len(nums) == 1 else "pages ") + _ranges(nums)


def _ranges(nums: list[int]) -> str:
    out = []
    start = prev = nums[0]
    for x in nums[1:] + [None]:
        if x is not None and x == prev + 1:
            prev = x
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if x is not None:
            start = prev = x
    return ", ".join(out)

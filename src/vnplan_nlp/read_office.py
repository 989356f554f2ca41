"""Word readers: .docx with python-docx, legacy .doc through LibreOffice (or antiword).

The body is read in document order: paragraphs and tables as they come. A paragraph is
one line (its soft line breaks become ``\\n``), with its list label ("1.", "a)", "-")
written in front as Word prints it. Tables that lay out a page (the header table of
issuer/number and quốc hiệu/date, signature tables, form headers) are read one column
at a time, each cell's paragraphs one per line, so "left cell, then right cell" as the
two columns are read on paper. Tables of data (task tables in appendices) are kept as
rows: one line per row, cells joined with " | ".

Before python-docx parses anything the zip is checked: declared sizes are bounded
(a zip bomb is refused before it is expanded), the main part must exist, and an OLE2
container (an encrypted .docx, or a legacy .doc under the wrong name) is recognised.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from pathlib import Path

from . import settings
from .errors import ReadError
from .legacy import capitals_font, font_encoding, from_tcvn3, from_vni
from .read import Segment, Source, _sha256

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
REL_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_DOC_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def _sniff(data: bytes) -> str:
    """What the bytes are, whatever the file is called."""
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(OLE2_MAGIC):
        return "ole2"
    head = data[:1024].lstrip()
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if b"%PDF" in data[:1024]:
        return "pdf"
    low = head[:512].lower()
    if low.startswith((b"<!doctype html", b"<html", b"mime-version:")) or b"<html" in low:
        return "html"
    return "unknown"


def _ole2_encrypted(data: bytes) -> bool:
    """An encrypted .docx is an OLE2 container holding an "EncryptedPackage" stream
    (directory entry names are UTF-16LE)."""
    return "EncryptedPackage".encode("utf-16-le") in data


def _encrypted(path: Path) -> ReadError:
    return ReadError(f"{path}: the Word file is password-protected. Open it in Word with its "
                     "password, remove the password (File > Info > Protect Document), save, and "
                     "read that copy.", path=str(path), code="encrypted")


# -- .docx --------------------------------------------------------------------------------------

def read_docx(path: Path) -> Source:
    path = Path(path)
    data = path.read_bytes()
    kind = _sniff(data)
    if kind == "ole2":
        if _ole2_encrypted(data):
            raise _encrypted(path)
        src = _read_legacy(path, data)       # a legacy .doc under a .docx name
        src.warnings.insert(0, "the file is a legacy Word .doc named .docx; read as .doc")
        return src
    if kind in ("rtf", "html"):
        src = _read_legacy(path, data)
        src.warnings.insert(0, f"the file is {kind.upper()} named .docx; converted with LibreOffice")
        return src
    if kind == "pdf":
        from .read_pdf import read_pdf
        src = read_pdf(path)
        src.warnings.insert(0, "the file is a PDF named .docx; read as PDF")
        return src
    if kind != "zip":
        raise ReadError(f"{path}: not a Word document (no .docx zip container). If it opens in "
                        "Word, save it again as .docx; otherwise get the file again.",
                        path=str(path), code="corrupt")
    text, segments, warnings = _docx_text(data, path)
    return Source(path=str(path), format="docx", text=text, sha256=_sha256(data), markup=False,
                  segments=segments, warnings=warnings)


def _main_part(zf: zipfile.ZipFile, names: dict) -> str:
    """The main document part named by _rels/.rels (word/document.xml in practice)."""
    rels = names.get("_rels/.rels")
    if rels is None or rels.file_size > 1_000_000:
        return "word/document.xml"
    from lxml import etree
    try:
        root = etree.fromstring(zf.read(rels))
    except Exception:
        return "word/document.xml"
    for rel in root:
        if rel.get("Type") in (REL_DOC, REL_DOC_STRICT) and rel.get("TargetMode") != "External":
            return (rel.get("Target") or "word/document.xml").lstrip("/")
    return "word/document.xml"


def _check_zip(data: bytes, path: Path) -> None:
    """Refuse a damaged, misnamed or oversized .docx before anything is expanded."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise ReadError(f"{path}: the .docx is damaged (its zip container is broken: {e}). Get the "
                        "file again, or open it in Word and save it again.", path=str(path),
                        code="corrupt") from None
    names = {i.filename: i for i in infos}
    if any(i.flag_bits & 0x1 for i in infos):
        raise _encrypted(path)
    main = _main_part(zf, names)
    if main not in names:
        other = ""
        if "content.xml" in names:
            other = " It is an OpenDocument (.odt) file; save it as .docx."
        elif "xl/workbook.xml" in names or "ppt/presentation.xml" in names:
            other = " It is an Excel or PowerPoint file, not a Word document."
        raise ReadError(f"{path}: the .docx has no document part ({main}).{other} Get the file "
                        "again, or open it in Word and save it as .docx.", path=str(path),
                        code="corrupt")
    limit = settings.MAX_DOCX_XML_BYTES
    main_size = names[main].file_size
    total = sum(i.file_size for i in infos)
    if main_size > limit or total > limit:
        raise ReadError(f"{path}: the .docx expands to {max(main_size, total) / 1048576:,.0f} MB, "
                        f"more than any real document (limit {limit / 1048576:,.0f} MB); it may be a "
                        "zip bomb. If it really is one document, raise VNPLAN_MAX_DOCX_XML_BYTES.",
                        path=str(path), code="too-large")


def _docx_text(data: bytes, path: Path) -> tuple[str, list[Segment], list[str]]:
    _check_zip(data, path)
    import docx
    from docx.opc.exceptions import OpcError
    try:
        document = docx.Document(io.BytesIO(data))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError, ZeroDivisionError) as e:
        raise ReadError(f"{path}: the .docx is damaged ({type(e).__name__}: {e}). Open it in Word "
                        "and save it again, or get the file again.", path=str(path),
                        code="corrupt") from None
    except Exception as e:                    # lxml.etree.XMLSyntaxError and friends
        if type(e).__module__.startswith("lxml"):
            raise ReadError(f"{path}: the .docx is damaged (its XML is broken: {e}). Open it in Word "
                            "and save it again.", path=str(path), code="corrupt") from None
        raise
    walker = _Walker(document)
    walker.blocks(document.element.body, top=True)
    walker.footnotes(document)
    if walker.legacy_runs["tcvn3"]:
        walker.warnings.append(f"{walker.legacy_runs['tcvn3']} run(s) typed in TCVN3 (.VnTime) fonts, "
                               "converted to Unicode")
    if walker.legacy_runs["vni"]:
        walker.warnings.append(f"{walker.legacy_runs['vni']} run(s) typed in VNI fonts, converted to Unicode")
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    budget = settings.MAX_TEXT_CHARS
    for text, para in walker.lines:
        if parts:
            pos += 1
        segments.append(Segment(pos, pos + len(text), None, para))
        parts.append(text)
        pos += len(text)
        if pos > budget:
            raise ReadError(f"{path}: the text is longer than any real document (limit "
                            f"{budget:,} characters). Split it, or raise VNPLAN_MAX_TEXT_CHARS.",
                            path=str(path), code="too-large")
    text = "\n".join(parts)
    if not text.strip():
        raise ReadError(f"{path}: the Word document holds no text (blank, or only images: a scan?). "
                        "Supply the document's text.", path=str(path), code="empty")
    return text, segments, walker.warnings


# -- list numbering -----------------------------------------------------------------------------

def _roman(n: int) -> str:
    out = []
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                 (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letter(n: int) -> str:
    # Word: a..z, then aa..zz, aaa..
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        s = _roman(max(n, 1)) if n > 0 else "0"
        return s if fmt == "upperRoman" else s.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        s = _letter(n)
        return s.upper() if fmt == "upperLetter" else s
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


# Symbol/Wingdings code points Word stores in the private use area (F0xx).
_SYMBOL_CHARS = {0xB7: "•", 0x2D: "-", 0xA7: "▪", 0xD8: "➢", 0xFC: "✓", 0x76: "❖", 0x6E: "■",
                 0x71: "❑", 0x6C: "●", 0xA8: "◦", 0x2A: "*", 0x2B: "+", 0x3E: ">", 0xE0: "→",
                 0xF0: "→", 0xE8: "➔"}


def _symbol(ch: str) -> str:
    out = []
    for c in ch:
        o = ord(c)
        if 0xF000 <= o <= 0xF0FF:
            out.append(_SYMBOL_CHARS.get(o - 0xF000, "•"))
        else:
            out.append(c)
    return "".join(out)


class _Level:
    __slots__ = ("start", "fmt", "text", "suffix", "legal")

    def __init__(self, el):
        def val(tag, default=None):
            x = el.find(W + tag)
            return x.get(W + "val", default) if x is not None else default
        try:
            self.start = int(val("start", "1"))
        except ValueError:
            self.start = 1
        self.fmt = val("numFmt", "decimal")
        self.text = val("lvlText", "")
        self.suffix = {"space": " ", "nothing": ""}.get(val("suff", "tab"), " ")
        legal = el.find(W + "isLgl")
        self.legal = legal is not None and legal.get(W + "val", "1") not in ("0", "false", "off")



def _num_pr(ppr) -> tuple[str | None, str | None]:
    """(numId, ilvl) of a paragraph's or style's properties (``w:pPr``), where it has a list."""
    npr = ppr.find(W + "numPr") if ppr is not None else None
    if npr is None:
        return None, None
    n = npr.find(W + "numId")
    i = npr.find(W + "ilvl")
    return (n.get(W + "val") if n is not None else None, i.get(W + "val") if i is not None else None)

class _Numbering:
    """Resolves a paragraph's list label as Word (and LibreOffice) print it."""

    def __init__(self, document):
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.style_link: dict[str, str] = {}             # abstractNum -> numStyleLink style
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.counters: dict[str, list[int | None]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:                    # no numbering part
            root = None
        if root is not None:
            for an in root.findall(W + "abstractNum"):
                aid = an.get(W + "abstractNumId")
                self.abstract[aid] = {int(lv.get(W + "ilvl", "0")): _Level(lv) for lv in an.findall(W + "lvl")}
                link = an.find(W + "numStyleLink")
                if link is not None:
                    self.style_link[aid] = link.get(W + "val")
            for num in root.findall(W + "num"):
                nid = num.get(W + "numId")
                aref = num.find(W + "abstractNumId")
                starts: dict[int, int] = {}
                levels: dict[int, _Level] = {}
                for ov in num.findall(W + "lvlOverride"):
                    il = int(ov.get(W + "ilvl", "0"))
                    so = ov.find(W + "startOverride")
                    if so is not None:
                        try:
                            starts[il] = int(so.get(W + "val", "1"))
                        except ValueError:
                            pass
                    lv = ov.find(W + "lvl")
                    if lv is not None:
                        levels[il] = _Level(lv)
                self.nums[nid] = (aref.get(W + "val") if aref is not None else None, starts, levels)
        try:
            sroot = document.styles.element
        except Exception:
            sroot = None
        if sroot is not None:
            for st in sroot.findall(W + "style"):
                sid = st.get(W + "styleId")
                based = st.find(W + "basedOn")
                num_id, ilvl = _num_pr(st.find(W + "pPr"))
                self.styles[sid] = (num_id, ilvl, based.get(W + "val") if based is not None else None)

    def _style_numpr(self, sid: str | None) -> tuple[str | None, str | None]:
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            num_id, ilvl, based = self.styles.get(sid, (None, None, None))
            if num_id is not None:
                return num_id, ilvl
            sid = based
        return None, None

    def _levels(self, num_id: str) -> tuple[dict[int, _Level], dict[int, int], dict[int, _Level]] | None:
        entry = self.nums.get(num_id)
        if entry is None:
            return None
        aid, starts, over = entry
        for _ in range(3):                    # numStyleLink: the list is defined through a style
            if aid in self.style_link:
                linked, _ = self._style_numpr(self.style_link[aid])
                if linked and linked in self.nums and self.nums[linked][0] != aid:
                    aid = self.nums[linked][0]
                    continue
            break
        return self.abstract.get(aid, {}), starts, over

    def label(self, p) -> str:
        ppr = p.find(W + "pPr")
        style = None
        if ppr is not None:
            ps = ppr.find(W + "pStyle")
            style = ps.get(W + "val") if ps is not None else None
        num_id, ilvl = _num_pr(ppr)
        if num_id is None:
            s_num, s_ilvl = self._style_numpr(style)
            num_id = s_num
            ilvl = ilvl if ilvl is not None else s_ilvl
        if not num_id or num_id == "0":
            return ""
        got = self._levels(num_id)
        if got is None:
            return ""
        levels, starts, over = got
        try:
            lvl = int(ilvl or 0)
        except ValueError:
            lvl = 0
        if not 0 <= lvl <= 8:
            return ""

        def level(i: int) -> _Level | None:
            return over.get(i) or levels.get(i)

        cur = level(lvl)
        if cur is None:
            return ""
        # LibreOffice keeps one counter set per list instance (w:num)
        counts = self.counters.setdefault(num_id, [None] * 9)
        counts[lvl] = (counts[lvl] + 1) if counts[lvl] is not None else starts.get(lvl, cur.start)
        for deeper in range(lvl + 1, 9):
            counts[deeper] = None
        if cur.fmt == "bullet":
            return _symbol(cur.text) + cur.suffix if cur.text else ""
        if cur.fmt == "none" and "%" not in cur.text:
            return cur.text + cur.suffix if cur.text.strip() else ""

        def fill(m: str) -> str:
            out = []
            i = 0
            while i < len(m):
                if m[i] == "%" and i + 1 < len(m) and m[i + 1].isdigit():
                    k = int(m[i + 1]) - 1
                    lv = level(k)
                    if lv is None:
                        out.append("")
                    else:
                        n = counts[k] if counts[k] is not None else starts.get(k, lv.start)
                        out.append(_format_number(n, "decimal" if cur.legal and k < lvl else lv.fmt))
                    i += 2
                else:
                    out.append(m[i])
                    i += 1
            return "".join(out)

        text = fill(cur.text)
        return text + cur.suffix if text.strip() else ""


# -- walking the document ----------------------------------------------------------------------

_CONTAINERS = {W + t for t in ("hyperlink", "ins", "smartTag", "fldSimple", "customXml", "moveTo",
                               "sdt", "sdtContent", "dir", "bdo")}
_SKIP = {W + t for t in ("pPr", "del", "moveFrom", "bookmarkStart", "bookmarkEnd", "proofErr",
                         "commentRangeStart", "commentRangeEnd", "permStart", "permEnd")}
_OFF = ("0", "false", "off")


def _hidden(run) -> bool:
    rpr = run.find(W + "rPr")
    if rpr is None:
        return False
    v = rpr.find(W + "vanish")
    return v is not None and v.get(W + "val", "1") not in _OFF


class _Fonts:
    """The font a run is set in: its own, else its paragraph style's (and the styles that
    style is based on), else the document's default. Only to find runs typed in legacy
    8-bit fonts (see legacy.py)."""

    def __init__(self, document):
        self.styles: dict[str, tuple[str | None, str | None]] = {}   # id -> (font, based on)
        self.default: str | None = None
        self.default_style: str | None = None
        self._resolved: dict[str | None, str | None] = {}     # style id -> its font, looked up once
        try:
            root = document.styles.element
        except Exception:
            return
        dd = root.find(W + "docDefaults")
        if dd is not None:
            self.default = _font_of(dd.find(W + "rPrDefault/" + W + "rPr"))
        for st in root.findall(W + "style"):
            sid = st.get(W + "styleId")
            based = st.find(W + "basedOn")
            self.styles[sid] = (_font_of(st.find(W + "rPr")), based.get(W + "val") if based is not None else None)
            if st.get(W + "type") == "paragraph" and st.get(W + "default") in ("1", "true"):
                self.default_style = sid

    def of_style(self, sid: str | None) -> str | None:
        """The font of paragraph style ``sid`` (the default style where None)."""
        if sid in self._resolved:
            return self._resolved[sid]
        font = self.default
        seen = set()
        cur = sid or self.default_style
        while cur and cur not in seen:
            seen.add(cur)
            own, based = self.styles.get(cur, (None, None))
            if own:
                font = own
                break
            cur = based
        self._resolved[sid] = font
        return font


def _font_of(rpr) -> str | None:
    """The Latin font an ``rPr`` names (``w:rFonts`` ascii, else hAnsi), if any."""
    if rpr is None:
        return None
    f = rpr.find(W + "rFonts")
    if f is None:
        return None
    return f.get(W + "ascii") or f.get(W + "hAnsi")


class _Walker:
    def __init__(self, document):
        self.numbering = _Numbering(document)
        self.fonts = _Fonts(document)
        self.pstyle: str | None = None            # the style of the paragraph being read
        self.legacy_runs = {"tcvn3": 0, "vni": 0}
        self.lines: list[tuple[str, int]] = []   # (text, paragraph number)
        self.para = 0
        self.warnings: list[str] = []
        self.tables_seen = 0
        self.text_paras_before_table = 0
        self.note_refs: list[str] = []           # footnote ids in the order they are cited

    def footnotes(self, document) -> None:
        """Footnotes after the text, numbered in citation order ("1 Điều 22. ..."), as a
        printed page shows them at the foot of the page and a PDF reader reads them."""
        if not self.note_refs:
            return
        from lxml import etree
        root = None
        for rel in document.part.rels.values():
            if rel.reltype.endswith("/footnotes") and not rel.is_external:
                try:
                    root = etree.fromstring(rel.target_part.blob)
                except Exception:
                    root = None
                break
        if root is None:
            return
        notes = {fn.get(W + "id"): fn for fn in root.findall(W + "footnote")
                 if fn.get(W + "type") in (None, "normal")}
        first = True
        for number, ref in enumerate(dict.fromkeys(self.note_refs), start=1):
            fn = notes.get(ref)
            if fn is None:
                continue
            if first:
                self.lines.append(("", self.para))
                first = False
            start = len(self.lines)
            self.blocks(fn)
            for i in range(start, len(self.lines)):
                text, para = self.lines[i]
                if text.strip():
                    self.lines[i] = (f"{number} {text.lstrip()}", para)
                    break

    # blocks: paragraphs and tables in document order
    def _children(self, el):
        for ch in el:
            tag = ch.tag
            if tag == W + "p" or tag == W + "tbl":
                yield ch
            elif tag in (W + "sdt", W + "sdtContent", W + "customXml"):
                yield from self._children(ch)
            elif tag == MC + "AlternateContent":
                choice = ch.find(MC + "Choice")
                if choice is not None:
                    yield from self._children(choice)

    def blocks(self, el, top: bool = False) -> None:
        for ch in self._children(el):
            if ch.tag == W + "p":
                text, boxes = self.paragraph(ch)
                self.lines.append((text, self.para))
                if top and text.strip():
                    self.text_paras_before_table += 1
                for box in boxes:
                    self.blocks(box)
            else:
                header = top and self.tables_seen == 0 and self.text_paras_before_table < 5
                if top:
                    self.tables_seen += 1
                self.table(ch, header)

    def paragraph(self, p) -> tuple[str, list]:
        """The paragraph's text (list label first) and the text boxes anchored in it."""
        self.para += 1
        parts: list[str] = []
        boxes: list = []
        ppr = p.find(W + "pPr")
        ps = ppr.find(W + "pStyle") if ppr is not None else None
        self.pstyle = ps.get(W + "val") if ps is not None else None
        self._inline(p, parts, boxes)
        text = "".join(parts)
        label = self.numbering.label(p)
        if label and text.strip():
            text = label + text.lstrip(" \t")
        return text, boxes

    def _inline(self, el, parts: list[str], boxes: list) -> None:
        for ch in el:
            tag = ch.tag
            if tag == W + "r":
                if _hidden(ch):
                    continue
                font = _font_of(ch.find(W + "rPr")) or self.fonts.of_style(self.pstyle)
                legacy = font_encoding(font)
                if legacy:
                    self.legacy_runs[legacy] += 1
                for c in ch:
                    t = c.tag
                    if t == W + "t":
                        parts.append(from_tcvn3(c.text or "", capitals_font(font)) if legacy == "tcvn3"
                                     else from_vni(c.text or "") if legacy == "vni" else (c.text or ""))
                    elif t in (W + "tab", W + "ptab"):
                        parts.append("\t")
                    elif t in (W + "br", W + "cr"):
                        parts.append("\n")
                    elif t == W + "noBreakHyphen":
                        parts.append("-")
                    elif t == W + "sym":
                        code = c.get(W + "char") or ""
                        try:
                            parts.append(_symbol(chr(int(code, 16))))
                        except ValueError:
                            pass
                    elif t == W + "footnoteReference":
                        self.note_refs.append(c.get(W + "id"))
                    elif t in (W + "drawing", W + "pict", W + "object"):
                        boxes.extend(c.iter(W + "txbxContent"))
                    elif t == MC + "AlternateContent":
                        choice = c.find(MC + "Choice")
                        if choice is not None:
                            boxes.extend(choice.iter(W + "txbxContent"))
            elif tag in _CONTAINERS:
                self._inline(ch, parts, boxes)
            elif tag == MC + "AlternateContent":
                choice = ch.find(MC + "Choice")
                if choice is not None:
                    self._inline(choice, parts, boxes)
            elif tag in (M + "oMath", M + "oMathPara"):
                parts.append("".join(t.text or "" for t in ch.iter(M + "t")))
            # everything else (pPr, deleted text, bookmarks, field codes) prints nothing

    # tables
    def _rows(self, tbl) -> list[list[tuple[int, int, object | None]]]:
        """Rows as cells (grid column, span, cell element or None for a merged continuation)."""
        rows = []
        for tr in self._row_elements(tbl):
            cells = []
            col = 0
            for tc in self._cell_elements(tr):
                tcpr = tc.find(W + "tcPr")
                span = 1
                cont = False
                if tcpr is not None:
                    gs = tcpr.find(W + "gridSpan")
                    if gs is not None:
                        try:
                            span = max(1, int(gs.get(W + "val", "1")))
                        except ValueError:
                            span = 1
                    vm = tcpr.find(W + "vMerge")
                    cont = vm is not None and vm.get(W + "val", "continue") == "continue"
                cells.append((col, span, None if cont else tc))
                col += span
            rows.append(cells)
        return rows

    def _row_elements(self, tbl):
        for ch in tbl:
            if ch.tag == W + "tr":
                yield ch
            elif ch.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
                yield from self._row_elements(ch)

    def _cell_elements(self, tr):
        for ch in tr:
            if ch.tag == W + "tc":
                yield ch
            elif ch.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
                yield from self._cell_elements(ch)

    def _cell_lines(self, tc) -> list[tuple[str, int]]:
        """The cell's lines, read as a column: one per paragraph, nested tables inline."""
        saved = self.lines
        self.lines = []
        try:
            self.blocks(tc)
            return self.lines
        finally:
            self.lines = saved

    def table(self, tbl, header: bool) -> None:
        rows = self._rows(tbl)
        content = [[(col, span, self._cell_lines(tc) if tc is not None else []) for col, span, tc in r]
                   for r in rows]
        filled = [r for r in content if any(t.strip() for _, _, lines in r for t, _ in lines)]
        if not filled:
            for r in content:                 # keep the paragraph count, print nothing
                pass
            return
        multi_line = any(sum(1 for t, _ in lines for part in t.split("\n") if part.strip()) >= 2
                         for r in filled for _, _, lines in r)
        width = max(sum(span for _, span, _ in r) for r in filled)
        layout = header or (width <= 4 and (len(filled) == 1 or (len(filled) <= 2 and multi_line)))
        if layout:
            self._layout(content, width)
        else:
            for r in content:
                cells = [" ".join(" ".join(t.split()) for t, _ in lines if t.strip()) for _, _, lines in r]
                if not any(cells):
                    continue
                para = next((p for _, _, lines in r for _, p in lines), self.para)
                self.lines.append((" | ".join(cells), para))

    def _layout(self, content, width: int) -> None:
        """Read a layout table column by column, in bands of rows split by full-width rows."""
        band: list = []

        def flush():
            cols = sorted({col for r in band for col, _, _ in r})
            for c in cols:
                for r in band:
                    for col, _, lines in r:
                        if col == c:
                            self.lines.extend(lines)
            band.clear()

        for r in content:
            if len(r) == 1 and r[0][1] >= width:
                flush()
                self.lines.extend(r[0][2])
            else:
                band.append(r)
        flush()


# -- legacy .doc --------------------------------------------------------------------------------

_PROFILES: dict[tuple[int, int], Path] = {}
_PROFILE_LOCK = threading.Lock()


def _profile_dir() -> Path:
    """A LibreOffice profile private to this process and thread: parallel conversions
    never share one (a shared profile makes soffice hand the job to another instance)."""
    key = (os.getpid(), threading.get_ident())
    with _PROFILE_LOCK:
        d = _PROFILES.get(key)
        if d is None:
            d = Path(tempfile.mkdtemp(prefix="vnplan-lo-profile-"))
            _PROFILES[key] = d
        return d


@atexit.register
def _remove_profiles() -> None:
    for key, d in list(_PROFILES.items()):
        if key[0] == os.getpid():
            shutil.rmtree(d, ignore_errors=True)


def _which(name: str) -> str | None:
    return shutil.which(name)


def _run(cmd: list[str], path: Path, timeout: float, cwd: str | None = None) -> subprocess.CompletedProcess:
    """Run a converter in its own process group; stop the whole group on timeout."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            cwd=cwd, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise ReadError(f"{path}: converting the legacy Word file took longer than {timeout:.0f} s and "
                        "was stopped. Open it in Word or LibreOffice and save it as .docx, or raise "
                        "VNPLAN_CONVERT_TIMEOUT.", path=str(path), code="convert-failed") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


# LibreOffice import filters by what the bytes are. Naming the filter matters: left to
# guess, LibreOffice imports a damaged .doc as plain text and "succeeds" with garbage.
_FILTERS = {"ole2": ("MS Word 97", "MS Word 95", "MS WinWord 6.0"), "rtf": ("Rich Text Format",),
            "html": ("HTML (StarWriter)",)}


def _soffice_to_docx(soffice: str, path: Path, data: bytes, kind: str) -> bytes:
    suffix = {"rtf": ".rtf", "html": ".htm"}.get(kind, ".doc")
    err: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vnplan-doc-") as tmp:
        # a plain name: soffice mishandles some characters in file names
        src = Path(tmp) / ("input" + suffix)
        src.write_bytes(data)
        outdir = Path(tmp) / "out"
        outdir.mkdir()
        for infilter in _FILTERS.get(kind, _FILTERS["ole2"]):
            cmd = [soffice, f"-env:UserInstallation={_profile_dir().as_uri()}", "--headless",
                   "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   f"--infilter={infilter}", "--convert-to", "docx:MS Word 2007 XML",
                   "--outdir", str(outdir), str(src)]
            proc = _run(cmd, path, settings.CONVERT_TIMEOUT, cwd=tmp)
            out = outdir / "input.docx"
            if out.exists() and out.stat().st_size > 0:
                return out.read_bytes()
            err = [ln for ln in (proc.stderr or b"").decode("utf-8", "replace").splitlines()
                   if ln.strip() and "javaldx" not in ln]
    detail = f" ({err[-1].strip()[:200]})" if err else ""
    raise ReadError(f"{path}: LibreOffice cannot open this Word file; it is damaged or "
                    f"password-protected{detail}. Open it in Word and save it as .docx.",
                    path=str(path), code="corrupt")


def _antiword_text(antiword: str, path: Path) -> str:
    proc = _run([antiword, "-m", "UTF-8.txt", "-w", "0", str(path)], path, settings.CONVERT_TIMEOUT)
    err = (proc.stderr or b"").decode("utf-8", "replace")
    if proc.returncode != 0 or not proc.stdout.strip():
        if "encrypt" in err.lower():
            raise _encrypted(path)
        raise ReadError(f"{path}: antiword cannot read this Word file; it is damaged or not a Word "
                        f"97-2003 document ({err.strip()[:200]}). Open it in Word and save it as .docx.",
                        path=str(path), code="corrupt")
    return _antiword_tables(proc.stdout.decode("utf-8", "replace"))


def _antiword_tables(text: str) -> str:
    """antiword prints tables as |cell|cell| rows: the first table near the top (the
    header) is read column by column, the others as rows joined with " | "."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    seen_text = 0
    first_table = True
    while i < len(lines):
        if not lines[i].startswith("|"):
            out.append(lines[i])
            if lines[i].strip():
                seen_text += 1
            i += 1
            continue
        rows = []
        while i < len(lines) and lines[i].startswith("|"):
            rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
            i += 1
        if first_table and seen_text < 5:
            ncols = max(len(r) for r in rows)
            for c in range(ncols):
                out.extend(r[c] for r in rows if c < len(r) and r[c])
        else:
            out.extend(" | ".join(r) for r in rows if any(r))
        first_table = False
    return "\n".join(out)


def read_doc(path: Path) -> Source:
    path = Path(path)
    data = path.read_bytes()
    kind = _sniff(data)
    if kind == "zip":                         # a .docx under a .doc name
        text, segments, warnings = _docx_text(data, path)
        return Source(path=str(path), format="docx", text=text, sha256=_sha256(data), markup=False,
                      segments=segments, warnings=["the file is a .docx named .doc; read as .docx"] + warnings)
    if kind == "pdf":
        from .read_pdf import read_pdf
        src = read_pdf(path)
        src.warnings.insert(0, "the file is a PDF named .doc; read as PDF")
        return src
    if kind == "ole2" and _ole2_encrypted(data):
        raise _encrypted(path)
    if kind == "unknown":
        raise ReadError(f"{path}: not a Word document (neither a Word 97-2003 file nor RTF nor a web "
                        "page). Get the file again, or save it from Word as .docx.",
                        path=str(path), code="corrupt")
    return _read_legacy(path, data)


def _read_legacy(path: Path, data: bytes) -> Source:
    """Word 97-2003, RTF or a Word web page: LibreOffice to .docx, else antiword."""
    kind = _sniff(data)
    if kind == "ole2" and "WordDocument".encode("utf-16-le") not in data:
        other = ""
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            other = " It is an Excel workbook, not a Word document."
        elif "PowerPoint Document".encode("utf-16-le") in data:
            other = " It is a PowerPoint file, not a Word document."
        raise ReadError(f"{path}: not a Word document (an Office container without a Word text "
                        f"stream).{other} Get the file again, or save it from Word as .docx.",
                        path=str(path), code="corrupt")
    soffice = _which("soffice") or _which("libreoffice")
    if soffice:
        converted = _soffice_to_docx(soffice, path, data, kind)
        text, segments, warnings = _docx_text(converted, path)
        return Source(path=str(path), format="doc", text=text, sha256=_sha256(data), markup=False,
                      segments=segments, warnings=warnings)
    antiword = _which("antiword")
    if antiword and kind == "ole2":
        text = _antiword_text(antiword, path)
        if not text.strip():
            raise ReadError(f"{path}: the Word document holds no text. Supply the document's text.",
                            path=str(path), code="empty")
        segs = []
        pos = 0
        for i, line in enumerate(text.split("\n"), start=1):
            segs.append(Segment(pos, pos + len(line), None, i))
            pos += len(line) + 1
        return Source(path=str(path), format="doc", text=text, sha256=_sha256(data), markup=False,
                      segments=segs, warnings=["read with antiword (LibreOffice is not installed); "
                                               "some layout may be lost"])
    need = ("LibreOffice (Debian package libreoffice-writer-nogui) or antiword (package antiword)"
            if kind == "ole2" else "LibreOffice (Debian package libreoffice-writer-nogui)")
    raise ReadError(f"{path}: reading a legacy Word file needs {need}; install it, or save the "
                    "document as .docx.", path=str(path), code="converter-missing")

"""The parse stage: read -> normalise -> header -> closing -> sections -> extractors.

``parse_path`` and ``parse_text`` return a :class:`~vnplan_nlp.models.Document`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

from .closing import parse_closing
from .extract import STAGES as EXTRACT_STAGES
from .header import parse_header
from .models import Document, SourceInfo
from .normalise import normalise
from .read import Source, read_path, read_string
from .sections import parse_sections

log = logging.getLogger(__name__)


def parse_source(src: Source, *, extract: bool = True) -> Document:
    norm = normalise(src.text, src.markup)
    text = norm.text
    hr = parse_header(text)
    closing = parse_closing(text, hr.body_start)
    body_end = max(closing.body_end, hr.body_start)
    sections = parse_sections(text, hr.body_start, body_end)
    appendices = [replace(p, sections=parse_sections(text, p.start, p.end)) if p.kind == "attachment" else p
                  for p in closing.appendices]
    header = hr.header
    system = hr.system
    doc = Document(
        source=SourceInfo(path=src.path, format=src.format, pages=src.pages, sha256=src.sha256,
                          encoding=src.encoding, warnings=list(src.warnings)),
        text=text, system=system, header=header, signatures=closing.signatures,
        recipients=closing.recipients, sections=sections, appendices=appendices,
        start=hr.start, body_start=hr.body_start, body_end=body_end, offsets=norm.offsets)
    doc.end = _document_end(doc)
    if extract:
        for stage in EXTRACT_STAGES:
            stage(doc)
    return doc


def _document_end(doc: Document) -> int:
    """A web page may follow the document with its own caption naming the document
    ("Kết luận 221-KL/TW năm 2025 về ... do ... ban hành") and site text: the document
    ends at that caption, found after the signature."""
    h = doc.header
    if not (h.doc_type and h.number_symbol and doc.signatures):
        return len(doc.text)
    after = doc.signatures[-1].end
    cap = re.compile(rf"^{re.escape(h.doc_type)}(?:\s+\w+){{0,3}}?\s+(?:số\s+)?{re.escape(h.number_symbol)}(?!\w)",
                     re.I | re.M)
    m = cap.search(doc.text, after)
    return m.start() if m else len(doc.text)


def parse_path(path: str | Path, *, extract: bool = True, ocr: bool | None = None) -> Document:
    """``ocr``: read scanned pages and page images with OCR (default: the VNPLAN_OCR setting)."""
    return parse_source(read_path(path, ocr=ocr), extract=extract)


def parse_text(text: str, path: str = "<string>", *, extract: bool = True) -> Document:
    return parse_source(read_string(text, path), extract=extract)

"""Settings read from the environment, with defaults that work from the project root.

The limits are looked up in the environment each time they are read
(``settings.MAX_FILE_BYTES``), so a caller or a test can change them without
re-importing the package.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# name: (environment variable, type, default)
_LIMITS = {
    #: Largest input accepted, in bytes of file.
    "MAX_FILE_BYTES": ("VNPLAN_MAX_FILE_BYTES", int, 20 * 1024 * 1024),
    #: Largest text (characters) a document may hold after reading.
    "MAX_TEXT_CHARS": ("VNPLAN_MAX_TEXT_CHARS", int, 5 * 1024 * 1024),
    #: Largest uncompressed content of a .docx (document.xml, and all its parts together).
    "MAX_DOCX_XML_BYTES": ("VNPLAN_MAX_DOCX_XML_BYTES", int, 64 * 1024 * 1024),
    #: Most pages read from one PDF (a plan with its appendices runs to a few hundred at most).
    "MAX_PDF_PAGES": ("VNPLAN_MAX_PDF_PAGES", int, 2000),
    #: Seconds a legacy .doc conversion (LibreOffice, antiword) may take before it is stopped.
    "CONVERT_TIMEOUT": ("VNPLAN_CONVERT_TIMEOUT", float, 120.0),
    #: 1: read scanned pages and page images with OCR (the commands' --ocr sets it).
    "OCR": ("VNPLAN_OCR", int, 0),
    #: Tesseract's language models for OCR ("vie", or "vie+eng").
    "OCR_LANG": ("VNPLAN_OCR_LANG", str, "vie"),
    #: Seconds OCR may take a page before it is stopped.
    "OCR_PAGE_TIMEOUT": ("VNPLAN_OCR_PAGE_TIMEOUT", float, 120.0),
}


def __getattr__(name: str):
    try:
        env, kind, default = _LIMITS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    raw = os.environ.get(env)
    if raw is None or not raw.strip():
        return default
    try:
        return kind(raw)
    except ValueError:
        from .errors import UsageError
        raise UsageError(f"{env}={raw!r} is not a number; unset it or give a number.",
                         code="bad-setting") from None


def corpus_dir() -> Path:
    """The shared corpus: ``VNPLAN_CORPUS``, else ``../shared/corpus`` beside the project."""
    env = os.environ.get("VNPLAN_CORPUS")
    if env:
        return Path(env)
    return PROJECT_ROOT.parent / "shared" / "corpus"


def project_corpus_dir() -> Path:
    """The project's own annotations of the corpus (``corpus/`` in the project)."""
    return PROJECT_ROOT / "corpus"

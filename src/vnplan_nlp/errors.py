"""Errors with stable codes. Every message says what is wrong and what to do."""

from __future__ import annotations


class VnplanError(Exception):
    """Base error: ``code`` is stable (scripts match on it), ``message`` is for people."""

    code = "error"

    def __init__(self, message: str, *, path: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        if code:
            self.code = code

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class ReadError(VnplanError):
    """An input that cannot be read. Codes:

    - ``not-found``: no such file
    - ``empty``: the file holds no text
    - ``unsupported-format``: an extension the readers do not know
    - ``binary``: not text although named as text
    - ``unknown-encoding``: text whose encoding could not be determined
    - ``corrupt``: a damaged .docx/.doc/.pdf
    - ``encrypted``: a password-protected PDF or Word file
    - ``no-text-layer``: a scanned PDF; OCR is needed
    - ``too-large``: larger than the configured limit
    - ``converter-missing``: a legacy .doc and no converter installed
    - ``convert-failed``: the converter of a legacy .doc did not finish in time
    - ``reader-missing``: a Python dependency of a reader is not installed
    - ``unreadable``: the file exists but cannot be opened (permissions, I/O error)
    - ``is-a-folder``: a folder where a file was expected
    """

    code = "read-error"


class UsageError(VnplanError):
    code = "usage"

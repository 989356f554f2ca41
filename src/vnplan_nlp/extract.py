"""The extract stage: references, dates and issuing bodies of a parsed document.

``parse.py`` runs each function of :data:`STAGES` on the :class:`~vnplan_nlp.models.Document`
after the header, sections and closing are read; each fills one list of the document
from its normalised text, using what the header found (the document's own date, type and
number, so that a date without a year takes the document's year and a mention of the
document itself is not taken for a reference).
"""

from __future__ import annotations

from .bodies import find_bodies
from .dates import find_dates
from .models import Document
from .references import find_references


def references(doc: Document) -> None:
    h = doc.header
    doc.references = find_references(doc.text, h.issued_date, doc_type=h.doc_type,
                                     own_number=h.number_symbol)


def dates(doc: Document) -> None:
    doc.dates = find_dates(doc.text, doc.header.issued_date)


def bodies(doc: Document) -> None:
    doc.bodies = find_bodies(doc.text)


STAGES = [references, dates, bodies]

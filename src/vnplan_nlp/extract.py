"""The extract stage: references, dates, issuing bodies and responsibilities of a parsed document.

``parse.py`` runs each function of :data:`STAGES` on the :class:`~vnplan_nlp.models.Document`
after the header, sections and closing are read; each fills one list of the document
from its normalised text, using what the header found (the document's own date, type and
number, so that a date without a year takes the document's year and a mention of the
document itself is not taken for a reference).
"""

from __future__ import annotations

from dataclasses import replace

from .bodies import find_bodies
from .dates import find_dates
from .models import Document
from .references import find_references


def _in_document(doc: Document, items: list) -> list:
    """Items before the document's header or after its end are a web page's chrome."""
    return [x for x in items if doc.in_document(x.start)]


def references(doc: Document) -> None:
    h = doc.header
    found = find_references(doc.text, h.issued_date, doc_type=h.doc_type, own_number=h.number_symbol)
    if any(not doc.in_document(r.start) for r in found):
        kept = [r for r in found if doc.in_document(r.start)]
        # short mentions point at full ones by index: renumber after dropping chrome
        index = {id(r): k for k, r in enumerate(kept)}
        old = {k: r for k, r in enumerate(found)}
        found = [replace(r, refers_to=index.get(id(old[r.refers_to]))) if r.refers_to is not None else r
                 for r in kept]
    doc.references = found


def dates(doc: Document) -> None:
    doc.dates = _in_document(doc, find_dates(doc.text, doc.header.issued_date))


def bodies(doc: Document) -> None:
    doc.bodies = _in_document(doc, find_bodies(doc.text))


def responsibilities(doc: Document) -> None:
    """Who must do what, by when: after dates (deadlines take their values) and bodies."""
    from .responsibilities import find_responsibilities
    doc.responsibilities = _in_document(doc, find_responsibilities(doc))


STAGES = [references, dates, bodies, responsibilities]

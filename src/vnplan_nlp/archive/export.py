"""Export: the archive's records, references and responsibilities as CSV or JSON Lines.

Rows come in a stable order (by document path, then position in the document) and carry
no database ids or timestamps, so two archives of the same files export identically,
however and in whatever order they were indexed.
"""

from __future__ import annotations

import csv
import json
from typing import IO, Iterator

from . import graph
from .store import Store

TABLES = ("records", "references", "responsibilities")

RECORD_FIELDS = ["sha256", "path", "format", "system", "doc_type", "number_symbol", "issuer",
                 "parent_organ", "place", "issued_date", "title", "signer", "pages", "chars",
                 "n_sections", "n_references", "n_responsibilities", "n_findings"]
_DOC = ["document_sha256", "document_path", "document_number"]
REFERENCE_FIELDS = _DOC + ["ord", "relation", "doc_type", "number_symbol", "date", "issuer", "alias",
                           "name", "text", "start", "end", "refers_to",
                           "target_status", "target_sha256", "target_path"]
RESPONSIBILITY_FIELDS = _DOC + ["ord", "actor", "actor_body", "role", "task", "deadline", "report_to",
                                "section", "request", "start", "end"]
FIELDS = {"records": RECORD_FIELDS, "references": REFERENCE_FIELDS,
          "responsibilities": RESPONSIBILITY_FIELDS}

_JOIN = ('d."sha256" AS document_sha256, d."path" AS document_path, '
         'd."number_symbol" AS document_number')


def rows(store: Store, table: str) -> Iterator[dict]:
    """The rows of one exported table, as plain dicts with :data:`FIELDS` keys."""
    if table == "records":
        cols = ", ".join(f'"{c}"' for c in RECORD_FIELDS)
        yield from store.iter_rows(f'SELECT {cols} FROM "documents" ORDER BY "path", "sha256"')
    elif table == "references":
        # Resolve every reference against the archive, as `vnplan show` does.
        by_number: dict[str, list[dict]] = {}
        for rec in store.iter_rows('SELECT "id", "sha256", "path", "doc_type", "number_symbol", "number_key", '
                                   '"issuer", "parent_organ", "place", "issued_date" FROM "documents" '
                                   'WHERE "number_key" IS NOT NULL'):
            by_number.setdefault(rec["number_key"], []).append(rec)
        for r in store.iter_rows(f'SELECT r.*, {_JOIN} FROM "refs" r JOIN "documents" d ON d."id" = r."doc_id" '
                                 f'ORDER BY d."path", d."sha256", r."ord"'):
            cands = [c for c in by_number.get(r["number_key"], []) if c["id"] != r["doc_id"]]
            res = graph.resolve(r, cands) if r["number_key"] else graph.Resolution("absent")
            one = res.records[0] if res.status == "resolved" else None
            out = {k: r.get(k) for k in REFERENCE_FIELDS}
            out.update(target_status=res.status, target_sha256=one and one["sha256"],
                       target_path=one and one["path"])
            yield out
    elif table == "responsibilities":
        yield from ({k: r.get(k) for k in RESPONSIBILITY_FIELDS} for r in store.iter_rows(
            f'SELECT r.*, {_JOIN} FROM "responsibilities" r JOIN "documents" d ON d."id" = r."doc_id" '
            f'ORDER BY d."path", d."sha256", r."ord"'))
    else:
        raise ValueError(table)


def write(store: Store, table: str, fmt: str, out: IO[str], *, tag: bool = False) -> int:
    """Write one table to ``out`` as ``csv`` or ``jsonl``; returns the number of rows.
    ``tag`` adds ``"table": name`` to each JSON line (for several tables in one stream)."""
    n = 0
    if fmt == "csv":
        w = csv.DictWriter(out, fieldnames=FIELDS[table], lineterminator="\n")
        w.writeheader()
        for r in rows(store, table):
            w.writerow(r)
            n += 1
    else:
        for r in rows(store, table):
            if tag:
                r = {"table": table, **r}
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n

"""The archive's storage: one schema description, two engines (SQLite with FTS5, PostgreSQL).

``open_store(db)`` takes a file path (SQLite, the embedded default) or a
``postgresql://`` DSN. Both stores create the same tables from :data:`TABLES`, write a
document in one transaction, and answer the same questions with the same SQL, except
the full-text parts:

- SQLite: a contentless FTS5 table ``documents_fts(head, body)`` (tokenizer unicode61,
  diacritics removed; đ is folded before), ranked by bm25 with the header weighing 5 to 1;
- PostgreSQL: ``keys`` in ``documents``, 64-bit integers (see :func:`pgkeys.index_keys`:
  syllables and syllable pairs, marked by frequency and header, hashed) under a GIN index,
  which answers a tier exactly without reading any document; within a tier, documents
  rank by where and how often the phrase occurs (header, 10+ times, 3+ times, present),
  shorter first. A phrase of three syllables and more is checked, on the documents
  holding all its pairs, in ``terms``, the document's folded syllables (not indexed).

The two find the same documents for a query, in the same tiers (see search.py); only the
order within a tier comes from each engine's own relevance.
Tables (all keyed by ``documents.id``, deleted with their document):
``documents`` (one record per distinct content), ``files`` (path -> content hash),
``sections``, ``refs``, ``responsibilities``, ``findings``, ``index_errors``, ``meta``.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import VnplanError
from . import graph
from .search import TF_CLASSES, Filters, _pattern, index_text, key_text

SCHEMA_VERSION = 1
#: Changes whenever folding or tokenising changes: the stored index must then be rebuilt.
FOLD_VERSION = 1


class StoreError(VnplanError):
    """The archive cannot be opened or used. Codes: ``no-archive``, ``connection``,
    ``schema``, ``driver-missing``."""

    code = "store"


# -- the schema, described once ---------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]     # (name, kind): id | text | int | doc | key | zip
    primary: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()


_CHILD = (("doc_id", "doc"), ("ord", "int"))

TABLES: tuple[Table, ...] = (
    Table("meta", (("key", "key"), ("value", "text"))),
    Table("documents", (
        ("id", "id"), ("sha256", "text"), ("path", "text"), ("format", "text"), ("system", "text"),
        ("doc_type", "text"), ("doc_type_key", "text"), ("type_code", "text"),
        ("number_symbol", "text"), ("number_key", "text"),
        ("issuer", "text"), ("issuer_key", "text"), ("parent_organ", "text"), ("parent_organ_key", "text"),
        ("place", "text"), ("issued_date", "text"), ("title", "text"), ("signer", "text"),
        ("pages", "int"), ("chars", "int"), ("n_sections", "int"), ("n_references", "int"),
        ("n_responsibilities", "int"), ("n_findings", "int"),
        ("parser", "text"), ("indexed_at", "text"), ("data", "zip"), ("text", "zip")),
        unique=("sha256",),
        indexes=(("number_key",), ("issued_date",), ("doc_type_key",), ("path",))),
    Table("files", (("path", "key"), ("sha256", "text"), ("size", "int"), ("mtime_ns", "int"),
                    ("indexed_at", "text")), indexes=(("sha256",),)),
    Table("sections", _CHILD + (("label_path", "text"), ("label", "text"), ("title", "text"),
                                ("level", "int"), ("start", "int"), ("end", "int")),
          primary=("doc_id", "ord")),
    Table("refs", _CHILD + (("doc_type", "text"), ("number_symbol", "text"), ("number_key", "text"),
                            ("date", "text"), ("issuer", "text"), ("relation", "text"), ("alias", "text"),
                            ("name", "text"), ("text", "text"), ("start", "int"), ("end", "int"),
                            ("refers_to", "int")),
          primary=("doc_id", "ord"), indexes=(("number_key",),)),
    Table("responsibilities", _CHILD + (("actor", "text"), ("actor_body", "text"), ("role", "text"),
                                        ("task", "text"), ("deadline", "text"), ("report_to", "text"),
                                        ("section", "text"), ("request", "int"),
                                        ("start", "int"), ("end", "int")),
          primary=("doc_id", "ord")),
    Table("findings", _CHILD + (("rule", "text"), ("severity", "text"), ("message", "text"),
                                ("expected", "text"), ("actual", "text"), ("start", "int"), ("end", "int")),
          primary=("doc_id", "ord")),
    Table("index_errors", (("path", "key"), ("code", "text"), ("message", "text"), ("at", "text"))),
)

TABLE = {t.name: t for t in TABLES}
CHILD_TABLES = ("sections", "refs", "responsibilities", "findings")

_KINDS = {
    "sqlite": {"id": "INTEGER PRIMARY KEY", "text": "TEXT", "int": "INTEGER", "key": "TEXT PRIMARY KEY",
               "zip": "BLOB",
               "doc": "INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE"},
    "postgresql": {"id": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "text": "TEXT",
                   "int": "BIGINT", "key": "TEXT PRIMARY KEY", "zip": "BYTEA",
                   "doc": "BIGINT NOT NULL REFERENCES documents(id) ON DELETE CASCADE"},
}


def pack(s: str | bytes | None) -> bytes | None:
    """A ``zip`` column's value: UTF-8, zlib-compressed (a document's text and its JSON are
    read for a handful of documents at a time, and take a quarter of the room)."""
    if s is None:
        return None
    return zlib.compress(s.encode("utf-8") if isinstance(s, str) else s, 3)  # 3: a fifth of the size, half the time of 6


def unpack(b) -> str | None:
    return None if b is None else zlib.decompress(bytes(b)).decode("utf-8")


def q(name: str) -> str:
    return f'"{name}"'


def ddl(dialect: str) -> list[str]:
    """CREATE statements for ``dialect`` (sqlite | postgresql), full text excepted."""
    kinds = _KINDS[dialect]
    out = []
    for t in TABLES:
        cols = [f"{q(n)} {kinds[k]}" for n, k in t.columns]
        if t.primary:
            cols.append(f"PRIMARY KEY ({', '.join(map(q, t.primary))})")
        if t.unique:
            cols.append(f"UNIQUE ({', '.join(map(q, t.unique))})")
        out.append(f"CREATE TABLE IF NOT EXISTS {q(t.name)} ({', '.join(cols)})")
        for ix in t.indexes:
            out.append(f"CREATE INDEX IF NOT EXISTS {q(t.name + '_' + '_'.join(ix))} "
                       f"ON {q(t.name)} ({', '.join(map(q, ix))})")
    return out


# -- a parsed document as rows ----------------------------------------------------------------

@dataclass
class DocumentRows:
    """Everything written for one document; built in the worker that parsed it."""
    doc: dict[str, Any]
    children: dict[str, list[tuple]] = field(default_factory=dict)
    fts: dict[str, str] = field(default_factory=dict)   # the full-text input, for one engine
    dialect: str = "sqlite"                              # ... this one


def head_text(rec: dict) -> str:
    """The header line the full-text index weighs most: type, number, issuer, title."""
    parts = [rec.get(k) for k in ("doc_type", "number_symbol", "issuer", "parent_organ", "title")]
    return " \n".join(p for p in parts if p)


def _flat_sections(sections: list[dict], prefix: str = "") -> Iterator[dict]:
    for s in sections:
        label = s.get("label") or ""
        path = f"{prefix}.{label}" if prefix and label else (label or prefix)
        yield dict(s, label_path=path)
        yield from _flat_sections(s.get("children") or [], path)


def _json_default(o):
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


try:        # orjson (the archive extra) writes the contract JSON 6 times faster than json
    import orjson

    def dumps(d: dict) -> bytes:
        """``d`` as compact UTF-8 JSON."""
        return orjson.dumps(d, default=_json_default, option=orjson.OPT_NON_STR_KEYS)
except ImportError:      # pragma: no cover - the same bytes, slower
    def dumps(d: dict) -> bytes:
        """``d`` as compact UTF-8 JSON."""
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode("utf-8")


def document_rows(d: dict, text: str, *, parser: str, dialect: str = "sqlite") -> DocumentRows:
    """Rows for a document given as its contract dict (``Document.to_dict()``) and text,
    its full text prepared for the ``dialect``'s index."""
    h = d.get("header") or {}
    src = d.get("source") or {}
    sig = d.get("signature") or {}
    rec = {
        "sha256": src.get("sha256"), "path": src.get("path"), "format": src.get("format"),
        "system": d.get("system"),
        "doc_type": h.get("doc_type"), "doc_type_key": key_text(h.get("doc_type")),
        "type_code": graph.type_code(h.get("symbol"), h.get("number_symbol")),
        "number_symbol": h.get("number_symbol"), "number_key": graph.number_key(h.get("number_symbol")),
        "issuer": h.get("issuer"), "issuer_key": key_text(h.get("issuer")),
        "parent_organ": h.get("parent_organ"), "parent_organ_key": key_text(h.get("parent_organ")),
        "place": h.get("place"), "issued_date": h.get("issued_date"), "title": h.get("title"),
        "signer": sig.get("signer"), "pages": src.get("pages"), "chars": len(text),
        "n_sections": 0, "n_references": len(d.get("references") or []),
        "n_responsibilities": len(d.get("responsibilities") or []),
        "n_findings": len(d.get("findings") or []),
        "parser": parser,
        "data": pack(dumps(d)),
        "text": pack(text),
    }
    secs = [(i, s.get("label_path"), s.get("label"), s.get("title"), s.get("level"), s.get("start"), s.get("end"))
            for i, s in enumerate(_flat_sections(d.get("sections") or []))]
    rec["n_sections"] = len(secs)
    refs = [(i, r.get("doc_type"), r.get("number_symbol"), graph.number_key(r.get("number_symbol")),
             r.get("date"), r.get("issuer"), r.get("relation"), r.get("alias"), r.get("name"),
             r.get("text"), r.get("start"), r.get("end"), r.get("refers_to"))
            for i, r in enumerate(d.get("references") or [])]
    resp = [(i, r.get("actor"), r.get("actor_body"), r.get("role"), r.get("task"), _str(r.get("deadline")),
             r.get("report_to"), r.get("section"), int(bool(r.get("request"))), r.get("start"), r.get("end"))
            for i, r in enumerate(d.get("responsibilities") or [])]
    finds = [(i, f.get("rule"), f.get("severity"), f.get("message"), f.get("expected"), f.get("actual"),
              f.get("start"), f.get("end"))
             for i, f in enumerate(d.get("findings") or [])]
    return DocumentRows(doc=rec, children={"sections": secs, "refs": refs, "responsibilities": resp,
                                           "findings": finds},
                        fts=fts_input(head_text(rec), text, dialect), dialect=dialect)


def fts_input(head: str, body: str, dialect: str) -> dict[str, str]:
    if dialect == "postgresql":
        from .pgkeys import index_keys
        return index_keys(head, body)
    return {"head": index_text(head), "body": index_text(body)}


def _str(v):
    if v is None or isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False)


# -- the stores -------------------------------------------------------------------------------

_DOC_COLS = [n for n, _ in TABLE["documents"].columns if n != "id"]
_BRIEF = ("id", "sha256", "path", "format", "system", "doc_type", "number_symbol", "number_key",
          "issuer", "parent_organ", "place", "issued_date", "title", "signer")
_BRIEF_SQL = ", ".join(f"d.{q(c)}" for c in _BRIEF)


_UPSERT_FILE = ('INSERT INTO "files" ("path", "sha256", "size", "mtime_ns", "indexed_at") '
                'VALUES (?, ?, ?, ?, ?) ON CONFLICT ("path") DO UPDATE SET '
                '"sha256" = excluded."sha256", "size" = excluded."size", '
                '"mtime_ns" = excluded."mtime_ns", "indexed_at" = excluded."indexed_at"')


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class Store:
    """What the archive's commands need from a database; subclasses differ in connection,
    placeholders and full text. Every method that writes runs in its own transaction."""

    dialect = ""
    url = ""

    # -- plumbing (per engine) --
    def _sql(self, sql: str) -> str:
        return sql

    def execute(self, sql: str, params: tuple | list = ()):
        raise NotImplementedError

    @contextmanager
    def transaction(self):
        raise NotImplementedError
        yield

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def all(self, sql: str, params=()) -> list[dict]:
        return [dict(r) for r in self.execute(sql, params).fetchall()]

    def one(self, sql: str, params=()) -> dict | None:
        r = self.execute(sql, params).fetchone()
        return dict(r) if r is not None else None

    # -- schema --
    def create(self) -> None:
        with self.transaction():
            for stmt in ddl(self.dialect) + self._fts_ddl():
                self.execute(stmt)
            have = {r["key"]: r["value"] for r in self.all('SELECT "key", "value" FROM "meta"')}
            if not have:
                for k, v in (*self.versions().items(), ("created_at", now())):
                    self.execute('INSERT INTO "meta" ("key", "value") VALUES (?, ?)', (k, str(v)))
        self.check_schema()

    def check_schema(self) -> None:
        try:
            have = {r["key"]: r["value"] for r in self.all('SELECT "key", "value" FROM "meta"')}
        except Exception:
            raise StoreError(f"{self.url}: this database is not a vnplan archive (no meta table). "
                             "Give the archive's path, or index into a new file.", code="schema")
        want = self.versions()
        if any(have.get(k) != str(v) for k, v in want.items()):
            names = {"schema_version": "schema", "fold_version": "folding", "keys_version": "keys"}
            made = ", ".join(f"{names[k]} {have.get(k, 'none')}" for k in want)
            reads = ", ".join(str(v) for v in want.values())
            raise StoreError(
                f"{self.url}: the archive was made by another version of vnplan ({made}; this one "
                f"reads {reads}). Index the documents again into a new archive.", code="schema")

    def versions(self) -> dict[str, int]:
        """What the archive's ``meta`` must say for this code to read it."""
        return {"schema_version": SCHEMA_VERSION, "fold_version": FOLD_VERSION}

    def _fts_ddl(self) -> list[str]:
        raise NotImplementedError

    # -- indexing --
    def file_state(self) -> dict[str, tuple[str, int, int]]:
        return {r["path"]: (r["sha256"], r["size"], r["mtime_ns"])
                for r in self.all('SELECT "path", "sha256", "size", "mtime_ns" FROM "files"')}

    def hashes(self) -> set[str]:
        return {r["sha256"] for r in self.all('SELECT "sha256" FROM "documents"')}

    def put(self, rows: DocumentRows, files: list[tuple[str, int, int]], replace: bool = False) -> bool:
        """Store one document and link the files holding it, in one transaction.
        Returns False when the content was already archived (then only the files are linked)."""
        rec = rows.doc
        if files:   # a document's path is the smallest path holding it
            rec = dict(rec, path=min(p for p, _, _ in files))
        with self.transaction():
            if replace:
                old = self.one('SELECT "id" FROM "documents" WHERE "sha256" = ?', (rec["sha256"],))
                if old:
                    self._delete_document(old["id"])
            rec = dict(rec, indexed_at=now())
            fts = rows.fts if rows.dialect == self.dialect else \
                fts_input(head_text(rec), unpack(rec["text"]), self.dialect)
            extra = self._fts_columns(fts)
            cols = ", ".join(map(q, _DOC_COLS + [c for c, _, _ in extra]))
            marks = ", ".join(["?"] * len(_DOC_COLS) + [m for _, m, _ in extra])
            r = self.execute(f'INSERT INTO "documents" ({cols}) VALUES ({marks}) '
                             f'ON CONFLICT ("sha256") DO NOTHING RETURNING "id"',
                             [rec[c] for c in _DOC_COLS] + [v for _, _, vs in extra for v in vs]).fetchall()
            inserted = bool(r)
            if inserted:
                doc_id = r[0]["id"]
                for name in CHILD_TABLES:
                    values = rows.children.get(name) or []
                    if values:
                        self.insert_rows(name, [(doc_id, *v) for v in values])
                self._fts_insert(doc_id, fts)
            for path, size, mtime_ns in files:
                self._link(path, rec["sha256"], size, mtime_ns, fresh=inserted and path == rec["path"])
        return inserted

    def link(self, path: str, sha256: str, size: int, mtime_ns: int) -> None:
        """Record that ``path`` holds archived content ``sha256`` (unchanged or copied)."""
        with self.transaction():
            self._link(path, sha256, size, mtime_ns)

    def _link(self, path, sha256, size, mtime_ns, fresh: bool = False) -> None:
        old = self._upsert_file(path, sha256, size, mtime_ns)
        if not fresh:
            # A document's path is the smallest path holding it, whatever order files came in.
            self.execute('UPDATE "documents" SET "path" = ? WHERE "sha256" = ? AND "path" > ?',
                         (path, sha256, path))
        if old and old != sha256:
            self._drop_if_orphan(old)

    def _upsert_file(self, path, sha256, size, mtime_ns) -> str | None:
        """Point ``path`` at ``sha256``, clear its recorded error; return what it held before."""
        old = self.one('SELECT "sha256" FROM "files" WHERE "path" = ?', (path,))
        self.execute(_UPSERT_FILE, (path, sha256, size, mtime_ns, now()))
        self.execute('DELETE FROM "index_errors" WHERE "path" = ?', (path,))
        return old["sha256"] if old else None

    def _drop_if_orphan(self, sha256: str) -> bool:
        """A file's content changed, or the file is gone: forget its old content unless
        another file holds it (the document's path then becomes the smallest remaining
        path). Returns True when the document was deleted."""
        left = self.one('SELECT MIN("path") AS "path" FROM "files" WHERE "sha256" = ?', (sha256,))
        doc = self.one('SELECT "id" FROM "documents" WHERE "sha256" = ?', (sha256,))
        if not doc:
            return False
        if left and left["path"]:
            self.execute('UPDATE "documents" SET "path" = ? WHERE "id" = ?', (left["path"], doc["id"]))
            return False
        self._delete_document(doc["id"])
        return True

    def forget(self, path: str) -> tuple[bool, bool]:
        """``path`` no longer exists: drop its file record and its recorded error, and its
        document (rows, full-text entries) when no other file holds it; one transaction.
        Returns (a file record was dropped, its document was deleted)."""
        with self.transaction():
            old = self.one('SELECT "sha256" FROM "files" WHERE "path" = ?', (path,))
            self.execute('DELETE FROM "files" WHERE "path" = ?', (path,))
            self.execute('DELETE FROM "index_errors" WHERE "path" = ?', (path,))
            deleted = self._drop_if_orphan(old["sha256"]) if old else False
        return bool(old), deleted

    def _delete_document(self, doc_id: int) -> None:
        self._fts_delete(doc_id)
        for name in CHILD_TABLES:
            self.execute(f'DELETE FROM {q(name)} WHERE "doc_id" = ?', (doc_id,))
        self.execute('DELETE FROM "documents" WHERE "id" = ?', (doc_id,))

    def executemany(self, sql: str, rows: list) -> None:
        raise NotImplementedError

    def insert_rows(self, table: str, rows: list[tuple]) -> None:
        """Insert ``rows`` (every column of ``table``, in order)."""
        cols = [n for n, _ in TABLE[table].columns]
        self.executemany(f'INSERT INTO {q(table)} ({", ".join(map(q, cols))}) '
                         f'VALUES ({", ".join("?" for _ in cols)})', rows)

    def record_error(self, path: str, code: str, message: str) -> None:
        with self.transaction():
            self.execute('INSERT INTO "index_errors" ("path", "code", "message", "at") VALUES (?, ?, ?, ?) '
                         'ON CONFLICT ("path") DO UPDATE SET "code" = excluded."code", '
                         '"message" = excluded."message", "at" = excluded."at"',
                         (path, code, message, now()))

    def errors(self) -> list[dict]:
        return self.all('SELECT "path", "code", "message", "at" FROM "index_errors" ORDER BY "path"')

    # -- full text (per engine) --
    def _fts_columns(self, fts: dict[str, str]) -> list[tuple[str, str, list]]:
        """Full-text columns of the documents table itself: (name, SQL expression, its values)."""
        return []

    def _fts_insert(self, doc_id: int, fts: dict[str, str]) -> None:
        raise NotImplementedError

    def _fts_delete(self, doc_id: int) -> None:
        raise NotImplementedError

    def _match_sql(self, phrases: list[tuple[str, ...]]) -> tuple[str, list, str, list]:
        """(score expression, its parameters, FROM-and-WHERE fragment joining ``d``, its parameters)."""
        raise NotImplementedError

    def match_sql(self, phrases: list[tuple[str, ...]], filters: Filters, limit: int,
                  exclude: set[int] = frozenset()) -> tuple[str, list]:
        """The SQL of :meth:`match` and its parameters (``vnplan search --sql`` prints them)."""
        score, sparams, frm, fparams = self._match_sql(phrases)
        where, wparams = filters.sql()
        if exclude:
            where.append(f'd."id" NOT IN ({", ".join("?" for _ in exclude)})')
            wparams += sorted(exclude)
        sql = (f"SELECT {_BRIEF_SQL}, {score} AS score {frm}"
               + "".join(f" AND {w}" for w in where) + ' ORDER BY score DESC, d."path" LIMIT ?')
        return self._sql(sql), sparams + fparams + wparams + [limit]

    def match(self, phrases: list[tuple[str, ...]], filters: Filters, limit: int,
              exclude: set[int] = frozenset()) -> list[dict]:
        """Documents holding every phrase, best first, with ``score`` (higher is better)."""
        sql, params = self.match_sql(phrases, filters, limit, exclude)
        return [dict(r) for r in self.execute(sql, params).fetchall()]

    # -- reading --
    def list_records(self, filters: Filters, limit: int) -> list[dict]:
        where, params = filters.sql()
        sql = (f"SELECT {_BRIEF_SQL} FROM \"documents\" d"
               + (" WHERE " + " AND ".join(where) if where else "")
               + ' ORDER BY d."issued_date" DESC, d."path" LIMIT ?')
        return self.all(sql, params + [limit])

    def texts(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = self.all(f'SELECT "id", "text" FROM "documents" WHERE "id" IN ({", ".join("?" for _ in ids)})', ids)
        return {r["id"]: unpack(r["text"]) for r in rows}

    def record(self, doc_id: int, full: bool = False) -> dict | None:
        """The record; ``full``: every column, ``data`` and ``text`` unpacked."""
        if not full:
            return self.one(f'SELECT {_BRIEF_SQL} FROM "documents" d WHERE d."id" = ?', (doc_id,))
        cols = ", ".join(f'd.{q(c)}' for c, _ in TABLE["documents"].columns)
        r = self.one(f'SELECT {cols} FROM "documents" d WHERE d."id" = ?', (doc_id,))
        if r:
            r["data"], r["text"] = unpack(r["data"]), unpack(r["text"])
        return r

    def records_brief(self, ids: set[int]) -> dict[int, dict]:
        ids = sorted(ids)
        out: dict[int, dict] = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            for r in self.all(f'SELECT {_BRIEF_SQL} FROM "documents" d WHERE d."id" IN '
                              f'({", ".join("?" for _ in part)})', part):
                out[r["id"]] = r
        return out

    def find(self, ref: str) -> tuple[str, list[dict]]:
        """Records a user's REF names: a path (as indexed, or a file holding archived
        content), a content hash (or its first 8+ characters), or a number."""
        p = Path(ref)
        rows = self.all(f'SELECT {_BRIEF_SQL} FROM "files" f JOIN "documents" d ON d."sha256" = f."sha256" '
                        f'WHERE f."path" = ?', (ref,))
        if rows:
            return "path", rows
        rows = self.all(f'SELECT {_BRIEF_SQL} FROM "files" f JOIN "documents" d ON d."sha256" = f."sha256" '
                        f'WHERE f."path" = ?', (str(p.absolute()),))
        if rows:
            return "path", rows
        if p.is_file():
            import hashlib
            sha = hashlib.sha256(p.read_bytes()).hexdigest()
            rows = self.all(f'SELECT {_BRIEF_SQL} FROM "documents" d WHERE d."sha256" = ?', (sha,))
            return "path", rows
        if re.fullmatch(r"[0-9a-f]{8,64}", ref):
            rows = self.all(f'SELECT {_BRIEF_SQL} FROM "documents" d WHERE d."sha256" LIKE ?', (ref + "%",))
            if rows:
                return "sha256", rows
        k = graph.number_key(ref)
        rows = self.all(f'SELECT {_BRIEF_SQL} FROM "documents" d WHERE d."number_key" = ? '
                        f'ORDER BY d."issued_date", d."path"', (k,)) if k else []
        return "number", rows

    def records_by_number(self, keys: set[str]) -> dict[str, list[dict]]:
        keys = sorted(k for k in keys if k)
        out: dict[str, list[dict]] = {k: [] for k in keys}
        if not keys:
            return out
        for r in self.all(f'SELECT {_BRIEF_SQL} FROM "documents" d WHERE d."number_key" IN '
                          f'({", ".join("?" for _ in keys)}) ORDER BY d."issued_date", d."path"', keys):
            out[r["number_key"]].append(r)
        return out

    def references_of(self, doc_id: int) -> list[dict]:
        return self.all('SELECT * FROM "refs" WHERE "doc_id" = ? ORDER BY "ord"', (doc_id,))

    def references_to(self, keys: set[str]) -> list[dict]:
        keys = sorted(k for k in keys if k)
        if not keys:
            return []
        return self.all(f'SELECT * FROM "refs" WHERE "number_key" IN ({", ".join("?" for _ in keys)}) '
                        f'ORDER BY "doc_id", "ord"', keys)

    def iter_rows(self, sql: str, params=()) -> Iterator[dict]:
        for r in self.execute(sql, params):
            yield dict(r)

    def counts(self) -> dict[str, int]:
        return {t: self.one(f'SELECT COUNT(*) AS n FROM {q(t)}')["n"]
                for t in ("documents", "files", "sections", "refs", "responsibilities", "findings",
                          "index_errors")}

    def size_bytes(self) -> int:
        raise NotImplementedError

    def finish_indexing(self, indexed: int = 0) -> None:
        """After a run that stored ``indexed`` documents: leave the index ready for fast searches."""


#: an FTS5 query's matches with their bm25 (the header weighing 5 to 1), lower is better
_FTS_RANKED = "SELECT rowid, bm25(documents_fts, 5.0, 1.0) AS bm FROM documents_fts WHERE documents_fts MATCH ?"


def _fts_expr(phrases: list[tuple[str, ...]]) -> str:
    """FTS5's expression for an AND of phrases."""
    return " AND ".join('"' + " ".join(p) + '"' for p in phrases)


class SQLiteStore(Store):
    dialect = "sqlite"

    def __init__(self, path: str | os.PathLike, create: bool = False):
        self.url = str(path)
        p = Path(path)
        if not create and not p.exists():
            raise StoreError(f"{p}: no archive here. Index documents first: "
                             f"vnplan index FOLDER --db {p}", code="no-archive")
        if create and not p.parent.exists():
            raise StoreError(f"{p}: the folder {p.parent} does not exist. Create it, or give "
                             "another --db path.", code="connection")
        try:
            self.conn = sqlite3.connect(str(p), isolation_level=None, timeout=30,
                                        check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            # WAL: readers never block the indexer; a kill loses at most the document
            # being written. NORMAL sync is durable across process crashes in WAL mode.
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{p}: cannot be opened as an SQLite archive ({e}). Give the archive's "
                             "path, or a new file name.", code="connection")
        if create:
            self.create()
        else:
            self.check_schema()

    def execute(self, sql, params=()):
        return self.conn.execute(sql, params)

    def executemany(self, sql, rows):
        self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self):
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self):
        self.conn.close()

    def _fts_ddl(self):
        # Contentless: the folded text is not stored twice; deleting a row gives FTS5 the
        # values it indexed, recomputed from the stored record (see _fts_delete).
        return ["CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
                "head, body, content='', tokenize='unicode61 remove_diacritics 2')",
                ]

    def _fts_insert(self, doc_id, fts):
        self.conn.execute("INSERT INTO documents_fts (rowid, head, body) VALUES (?, ?, ?)",
                          (doc_id, fts["head"], fts["body"]))

    def _fts_delete(self, doc_id):
        rec = self.one('SELECT * FROM "documents" WHERE "id" = ?', (doc_id,))
        if rec:
            self.conn.execute("INSERT INTO documents_fts (documents_fts, rowid, head, body) "
                              "VALUES ('delete', ?, ?, ?)",
                              (doc_id, index_text(head_text(rec)), index_text(unpack(rec["text"]) or "")))

    #: rows ranked by the index alone before the join (see match)
    TOP_WINDOW = 200

    def match(self, phrases, filters, limit, exclude=frozenset()):
        """As :meth:`Store.match`. Without filters, the best ``limit`` rows are taken among
        the index's best few hundred by bm25 before any record is read: a common phrase
        ("Việt Nam") matches thousands of documents, and reading each one's record to sort
        them cost more than the search. Where equal scores run past that window (copies of
        one text), every match is ranked, as with filters."""
        where, _ = filters.sql()
        if where:
            return super().match(phrases, filters, limit, exclude)
        need = limit + len(exclude)
        window = need + self.TOP_WINDOW
        top = self.conn.execute(f"{_FTS_RANKED} ORDER BY bm LIMIT ?", (_fts_expr(phrases), window)).fetchall()
        if len(top) == window and top[-1][1] == top[need - 1][1]:
            return super().match(phrases, filters, limit, exclude)
        if len(top) > need:        # all that can rank before the limit: every row as good as the last needed one
            cut = top[need - 1][1]
            top = [r for r in top if r[1] <= cut]
        score = {rid: -bm for rid, bm in top if rid not in exclude}
        if not score:
            return []
        rows = self.conn.execute(f'SELECT {_BRIEF_SQL} FROM "documents" d WHERE d."id" IN '
                                 f'({", ".join("?" for _ in score)})', list(score)).fetchall()
        out = [dict(r, score=score[r["id"]]) for r in rows]
        out.sort(key=lambda r: (-r["score"], r["path"]))
        return out[:limit]

    def _match_sql(self, phrases):
        return ("-f.bm", [], f'FROM ({_FTS_RANKED}) f JOIN "documents" d ON d."id" = f.rowid WHERE 1 = 1',
                [_fts_expr(phrases)])

    def finish_indexing(self, indexed=0):
        """FTS5 keeps what each run adds as segments of its own, merged now and then; a
        phrase query reads every segment. After a bulk load (a tenth of the archive or
        more) merge them all into one (about 1.4 s for 20,000 documents, a third off
        a common phrase's search); after a small run, a bounded step of merging."""
        if not indexed:
            return
        total = self.one('SELECT COUNT(*) AS n FROM "documents"')["n"]
        with self.transaction():
            if indexed * 10 >= total:
                self.conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('optimize')")
            else:
                self.conn.execute("INSERT INTO documents_fts (documents_fts, rank) VALUES ('merge', 500)")
        self.conn.execute("PRAGMA optimize")

    def size_bytes(self):
        total = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                total += os.path.getsize(self.url + suffix)
            except OSError:
                pass
        return total


class PostgresStore(Store):
    dialect = "postgresql"

    def __init__(self, dsn: str, create: bool = False):
        self.url = _redact(dsn)
        try:
            import psycopg
            from psycopg.rows import dict_row

            from . import pgkeys       # numpy
        except ImportError as e:
            raise StoreError(f"a PostgreSQL archive needs the {e.name} package: "
                             "pip install 'vnplan_nlp[archive]'", code="driver-missing")
        self._psycopg = psycopg
        self._keys = pgkeys
        try:
            self.conn = psycopg.connect(dsn, autocommit=True, row_factory=dict_row, connect_timeout=10)
            self.conn.adapters.register_dumper(pgkeys.Int8Array, pgkeys.int8_array_dumper())
        except psycopg.Error as e:
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise StoreError(f"{self.url}: cannot connect ({msg}). Check that the server is running "
                             "and the DSN (user, password, host, port, database) is right; "
                             "scripts/start-postgres.sh starts a private server.", code="connection")
        if create:
            # The indexer commits once per document. Like SQLite's WAL with synchronous=NORMAL,
            # a killed client loses nothing committed; only a crash of the server's machine
            # could lose the last few commits, which the next run redoes.
            self.conn.execute("SET synchronous_commit = off")
            self.conn.execute("SET work_mem = '64MB'")   # for the GIN index's upkeep
            self.create()
        else:
            try:
                self.check_schema()
            except StoreError:
                raise
            except Exception:
                raise StoreError(f"{self.url}: no archive in this database. Index documents first: "
                                 f"vnplan index FOLDER --db {self.url}", code="no-archive")

    def _sql(self, sql):
        return sql.replace("?", "%s")

    def execute(self, sql, params=()):
        try:
            return self.conn.execute(self._sql(sql), params)
        except self._psycopg.errors.UndefinedTable:
            raise StoreError(f"{self.url}: no archive in this database. Index documents first: "
                             f"vnplan index FOLDER --db {self.url}", code="no-archive")

    def executemany(self, sql, rows):
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), rows)

    def insert_rows(self, table, rows):
        # COPY: a document's sections, references and responsibilities (tens of rows) in
        # one stream; executemany runs one INSERT per row, at twice the client's CPU
        cols = ", ".join(q(n) for n, _ in TABLE[table].columns)
        with self.conn.cursor() as cur, cur.copy(f"COPY {q(table)} ({cols}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)

    @contextmanager
    def transaction(self):
        with self.conn.transaction():
            yield

    def close(self):
        self.conn.close()

    def check_schema(self):
        r = self.one("SELECT to_regclass('meta') IS NOT NULL AS ok")
        if not r["ok"]:
            raise StoreError(f"{self.url}: no archive in this database. Index documents first: "
                             f"vnplan index FOLDER --db {self.url}", code="no-archive")
        super().check_schema()

    def create(self):
        # Two indexers creating the schema at once would race; serialise with a lock.
        with self.transaction():
            self.execute("SELECT pg_advisory_xact_lock(7270134)")
            for stmt in ddl(self.dialect) + self._fts_ddl():
                self.execute(stmt)
            # lz4 (PostgreSQL 14+, where built with it) reads the terms back several times
            # faster than the default pglz (the phrase check reads them)
            try:
                with self.conn.transaction():
                    self.execute('ALTER TABLE "documents" ALTER COLUMN "terms" SET COMPRESSION lz4')
            except self._psycopg.Error:
                pass
            have = self.all('SELECT "key" FROM "meta"')
            if not have:
                for k, v in (*self.versions().items(), ("created_at", now())):
                    self.execute('INSERT INTO "meta" ("key", "value") VALUES (?, ?)', (k, str(v)))
        self.check_schema()

    def versions(self):
        return {**super().versions(), "keys_version": self._keys.KEYS_VERSION}

    def _fts_ddl(self):
        # The keys (see pgkeys.index_keys) live in the documents table itself: one
        # bitmap scan of their GIN index finds, filters and orders a tier's documents.
        # The keys are random 64-bit numbers: stored as they are (EXTERNAL), never offered
        # to a compressor that could not shrink them.
        return ['ALTER TABLE "documents" ADD COLUMN IF NOT EXISTS "keys" BIGINT[]',
                'ALTER TABLE "documents" ALTER COLUMN "keys" SET STORAGE EXTERNAL',
                'ALTER TABLE "documents" ADD COLUMN IF NOT EXISTS "terms" TEXT',
                # a larger pending list amortises the index's upkeep over many documents;
                # the indexer flushes it at the end of a run (finish_indexing)
                'CREATE INDEX IF NOT EXISTS "documents_keys" ON "documents" USING GIN ("keys") '
                'WITH (gin_pending_list_limit = 16384)']

    def finish_indexing(self, indexed=0):
        self.execute("SELECT gin_clean_pending_list('documents_keys'::regclass)")

    def _upsert_file(self, path, sha256, size, mtime_ns):
        # one round trip instead of three: the CTEs see the table as it was before
        r = self.one('WITH old AS (SELECT "sha256" FROM "files" WHERE "path" = ?), '
                     f'up AS ({_UPSERT_FILE} RETURNING 1), '
                     'err AS (DELETE FROM "index_errors" WHERE "path" = ? RETURNING 1) '
                     'SELECT (SELECT "sha256" FROM old) AS old, (SELECT COUNT(*) FROM up) AS n',
                     (path, path, sha256, size, mtime_ns, now(), path))
        return r["old"]

    def _fts_columns(self, fts):
        # the terms padded with spaces, header and body apart: ' lay y kien ' finds a phrase
        return [("keys", "?", [self._keys.Int8Array.of(fts["keys"])]),
                ("terms", "?", [f' {fts["head_terms"]} | {fts["body_terms"]} '])]

    def _fts_insert(self, doc_id, fts):
        pass   # written with the row (_fts_columns)

    def _fts_delete(self, doc_id):
        pass   # the keys go with the row

    #: A tier's documents in rank order: the phrase in the header, then recurring in the
    #: text (10 times and more, 3 and more), then present; shorter documents first.
    SUBTIERS = (("header", "@", 4.0), *((f"{c}+ times", f"#{c}", 3.0 - i)
                                       for i, c in enumerate(TF_CLASSES)), ("present", "", 1.0))

    def _subtier_sql(self, phrases, filters, limit, exclude, mark, weight, ids_only=False):
        where, wparams = filters.sql()
        if exclude:
            where.append(f'd."id" NOT IN ({", ".join("?" for _ in exclude)})')
            wparams += sorted(exclude)
        cols = 'd."id"' if ids_only else \
            f'{_BRIEF_SQL}, ({weight} + 1.0 / (1 + d."chars" / 10000.0))::float8 AS score'
        sql = (f'SELECT {cols} FROM "documents" d WHERE d."keys" @> ?::bigint[]'
               + "".join(f" AND {w}" for w in where) + ' ORDER BY d."chars", d."path"'
               + ("" if limit is None else " LIMIT ?"))
        return self._sql(sql), [self._keys.phrase_keys(phrases, mark), *wparams] + ([] if limit is None else [limit])

    def match_sql(self, phrases, filters, limit, exclude=frozenset()):
        sql, params = self._subtier_sql(phrases, filters, limit, exclude, *self.SUBTIERS[0][1:])
        units = sorted({u for p in phrases for u in self._keys.phrase_units(p)})
        keys = ", ".join(f"'{' '.join(u)}' = {self._keys.phrase_keys([u], '@')[0]}" for u in units)
        return sql + (f"\n-- the keys (pgkeys.phrase_keys) of the syllable pairs in the header: {keys};"
                      f" then the same marked {', '.join(m or 'present' for _, m, _ in self.SUBTIERS[1:])}"), params

    def match(self, phrases, filters, limit, exclude=frozenset()):
        """As :meth:`Store.match`, rank class by rank class (see :data:`SUBTIERS`).

        The keys hold syllable pairs: a phrase of three syllables and more is then checked
        in ``terms``, on the documents holding all its pairs, in rank order, a batch at a
        time, until ``limit`` hold it (or none is left): exact, without reading every
        candidate when the phrase is common. Its rank classes are the header's, then the
        rest (not how often its pairs recur)."""
        exclude = set(exclude)
        out: list[dict] = []
        longs = [p for p in phrases if len(p) > 2]
        needles = [" " + " ".join(p) + " " for p in longs]
        heads = [re.compile(_pattern(p)) for p in longs]
        lacking: set[int] = set()       # checked: the phrase is not there (in no class either)
        for name, mark, weight in self.SUBTIERS:
            want = limit - len(out)
            if want <= 0:
                break
            if needles and mark.startswith("#"):
                # how often a long phrase's pairs recur says little of how often the phrase
                # does, and checking the documents where they recur without it costs most
                continue
            if not needles:
                sql, params = self._subtier_sql(phrases, filters, want, exclude, mark, weight)
                got = [dict(r) for r in self.execute(sql, params).fetchall()]
            elif name == "header":
                # the header is in the row itself: checked here, no document read
                sql, params = self._subtier_sql(phrases, filters, None, exclude, mark, weight)
                got = [dict(r) for r in self.execute(sql, params).fetchall()
                       if all(h.search(head_text(r)) for h in heads)]
            else:
                sql, params = self._subtier_sql(phrases, filters, None, exclude, mark, weight, ids_only=True)
                order = [r["id"] for r in self.execute(sql, params).fetchall() if r["id"] not in lacking]
                got = []
                step = max(3 * want, 64)
                for i in range(0, len(order), step):
                    part = order[i:i + step]
                    rows = self.all(
                        f'SELECT {_BRIEF_SQL}, ({weight} + 1.0 / (1 + d."chars" / 10000.0))::float8 AS score '
                        f'FROM "documents" d WHERE d."id" = ANY(?)'
                        + "".join(' AND strpos(d."terms", ?) > 0' for _ in needles), [part, *needles])
                    found = {r["id"] for r in rows}
                    lacking.update(x for x in part if x not in found)
                    rank = {x: k for k, x in enumerate(part)}
                    got += sorted(rows, key=lambda r: rank[r["id"]])
                    if len(got) >= want:
                        break
            got = got[:want]
            out.extend(got)
            exclude.update(r["id"] for r in got)
        return out

    def size_bytes(self):
        return self.one("SELECT pg_database_size(current_database()) AS n")["n"]


def _redact(dsn: str) -> str:
    """A DSN fit to print: the password hidden."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", dsn)


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def open_store(db: str | os.PathLike, create: bool = False) -> Store:
    """``create=True`` makes the archive (tables, indexes) when it does not exist yet."""
    db = str(db)
    if is_postgres(db):
        return PostgresStore(db, create=create)
    return SQLiteStore(db, create=create)


def default_db() -> str:
    return os.environ.get("VNPLAN_DB", "archive.sqlite")

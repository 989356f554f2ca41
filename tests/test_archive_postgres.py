"""The archive on PostgreSQL: the same semantics as on SQLite (the tests of
test_archive_sqlite.py that take ``new_store`` run here again), on a real server.

Needs VNPLAN_TEST_POSTGRES, a DSN of a database the tests may create schemas in:
    export VNPLAN_TEST_POSTGRES=$(scripts/start-postgres.sh)
Each test works in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest

from test_archive_sqlite import *  # noqa: F401,F403  (re-runs the shared semantics here)
from test_archive_sqlite import _paths, seed_doc
from vnplan_nlp.archive import add_document, open_store, search
from vnplan_nlp.archive.pgkeys import index_keys, phrase_keys
from vnplan_nlp.archive.store import StoreError, head_text, unpack

DSN = os.environ.get("VNPLAN_TEST_POSTGRES")

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not DSN, reason="no PostgreSQL server: set VNPLAN_TEST_POSTGRES to a DSN "
                                                 "(scripts/start-postgres.sh starts one)")]


def _with_schema(dsn: str, schema: str) -> str:
    sep = "&" if "?" in dsn else "?"
    return f"{dsn}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_schema():
    import psycopg
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(DSN, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{name}"')
    yield _with_schema(DSN, name)
    with psycopg.connect(DSN, autocommit=True) as c:
        c.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
def new_store(pg_schema):   # overrides the SQLite one: every shared test runs on PostgreSQL
    made = []
    import psycopg

    def make():
        dsn = pg_schema
        if made:   # a second archive: another schema
            name = "t_" + uuid.uuid4().hex[:12]
            with psycopg.connect(DSN, autocommit=True) as c:
                c.execute(f'CREATE SCHEMA "{name}"')
            dsn = _with_schema(DSN, name)
        s = open_store(dsn, create=True)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


def test_it_really_is_postgresql(new_store):
    s = new_store()
    assert s.dialect == "postgresql"
    assert s.one("SELECT current_setting('server_version_num')::int >= 120000 AS ok")["ok"]
    add_document(s, seed_doc())
    s.execute("SET enable_seqscan = off")   # one row: make the planner show the index it has
    has = 'SELECT "keys" @> ?::bigint[] AS ok FROM "documents"'
    plan = " ".join(r["QUERY PLAN"] for r in s.all(
        'EXPLAIN SELECT "id" FROM "documents" WHERE "keys" @> ?::bigint[]', [phrase_keys([("tuyen", "truyen")])]))
    assert "documents_keys" in plan
    assert s.one("SELECT pg_typeof(\"keys\")::text AS t FROM \"documents\"")["t"] == "bigint[]"
    # the keys the text has, in their classes; and not those it lacks
    assert s.one(has, [phrase_keys([("tuyen", "truyen")], "#3") + phrase_keys([("kh", "du")], "@")])["ok"]
    assert s.one(has, [phrase_keys([("103", "kh")], "@")])["ok"]
    assert not s.one(has, [phrase_keys([("truyen", "tuyen")])])["ok"]          # a pair is ordered
    assert not s.one(has, [phrase_keys([("hoi", "nghi")], "@")])["ok"]     # not in the header
    assert s.one(has, [phrase_keys([("hoi", "nghi")])])["ok"]
    n = s.one('SELECT cardinality("keys") AS n FROM "documents"')["n"]
    assert n == len(index_keys(head_text(s.one('SELECT * FROM "documents"')),
                               unpack(s.one('SELECT "text" FROM "documents"')["text"]))["keys"])


def test_phrase_of_three_syllables_is_checked_in_the_text(new_store):
    # both pairs "tuyen truyen" and "truyen mieng" occur, but never the three together
    from archive_helpers import DocBuilder
    s = new_store()
    b = DocBuilder("apart.txt")
    b.line("Tuyên truyền viên và báo cáo viên; phát thanh truyền miệng.")   # pairs apart
    add_document(s, b.build())
    b2 = DocBuilder("seed.txt")
    b2.line("- Đổi mới nội dung, phương thức phối hợp trong triển khai công tác tuyên truyền miệng.")
    add_document(s, b2.build())
    rows = search(s, "tuyen truyen mieng").rows
    assert [(os.path.basename(r["path"]), r["tier"]) for r in rows] == [("seed.txt", "phrase"), ("apart.txt", "all")]


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(StoreError) as e:
        open_store("postgresql://nobody@127.0.0.1:1/none")
    assert e.value.code == "connection" and "start-postgres.sh" in e.value.message


def test_database_without_archive(pg_schema):
    with pytest.raises(StoreError) as e:
        open_store(pg_schema)
    assert e.value.code == "no-archive"


def test_archive_with_other_keys_is_refused(new_store):
    # an archive whose keys were made another way (before hashing: no keys_version) is not searched
    s = new_store()
    s.execute("DELETE FROM \"meta\" WHERE \"key\" = 'keys_version'")
    with pytest.raises(StoreError) as e:
        s.check_schema()
    assert e.value.code == "schema" and "keys none" in e.value.message and "Index the documents again" in e.value.message


def test_the_sql_printed_names_its_keys(new_store):
    # `vnplan search --sql`: the numbers in the parameters are said to be which syllable pairs
    from vnplan_nlp.archive.search import Filters
    s = new_store()
    sql, params = s.match_sql([("tuyen", "truyen", "mieng")], Filters.build(), 5)
    pairs = {"tuyen truyen": phrase_keys([("tuyen", "truyen")], "@")[0],
             "truyen mieng": phrase_keys([("truyen", "mieng")], "@")[0]}
    assert sorted(params[0]) == sorted(pairs.values())
    for unit, key in pairs.items():
        assert f"'{unit}' = {key}" in sql

"""The archivist's upkeep: pruning deleted files, and the per-file parse timeout.

Real files (copies of corpus texts) in tmp_path, a real SQLite archive, and the same on
PostgreSQL when VNPLAN_TEST_POSTGRES is set.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
import uuid
from urllib.parse import quote

import pytest

from archive_helpers import DOCS, SEED, parser_spec
from vnplan_nlp.archive import export, index_paths, open_store, search
from vnplan_nlp.archive import commands
from vnplan_nlp.archive.store import CHILD_TABLES

NAMES = ("seed-103-kh-du-hungyen-2024.txt", "kh-16-mttq-luongminh-2025.txt",
         "kh-0130-ubnd-daklak-2025.txt", "hd-btgdvtw-baocaovien-2025.txt")


def kinds():
    return ["sqlite"] + (["postgresql"] if os.environ.get("VNPLAN_TEST_POSTGRES") else [])


@pytest.fixture(params=kinds())
def new_store(request, tmp_path):
    """new_store() -> an empty archive of the kind under test (a schema of its own on PostgreSQL)."""
    made, schemas = [], []

    def make():
        if request.param == "sqlite":
            s = open_store(tmp_path / f"archive{len(made)}.sqlite", create=True)
        else:
            import psycopg
            dsn = os.environ["VNPLAN_TEST_POSTGRES"]
            name = "o_" + uuid.uuid4().hex[:12]
            with psycopg.connect(dsn, autocommit=True) as c:
                c.execute(f'CREATE SCHEMA "{name}"')
            schemas.append(name)
            s = open_store(f"{dsn}{'&' if '?' in dsn else '?'}options={quote('-csearch_path=' + name)}",
                           create=True)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()
    if schemas:
        import psycopg
        with psycopg.connect(os.environ["VNPLAN_TEST_POSTGRES"], autocommit=True) as c:
            for name in schemas:
                c.execute(f'DROP SCHEMA "{name}" CASCADE')


def _folder(d, names=NAMES):
    if not SEED.is_file():
        pytest.skip(f"the shared corpus is not at {DOCS}; set VNPLAN_CORPUS")
    d.mkdir(parents=True)
    for name in names:
        shutil.copy(DOCS / name, d / name)
    return d


def _index(s, paths, **kw):
    kw.setdefault("workers", 1)
    return index_paths(s, [str(p) for p in paths], parser=kw.pop("parser", parser_spec()), progress=False, **kw)


def _files(s):
    return sorted(os.path.basename(r["path"]) for r in s.all('SELECT "path" FROM "files"'))


def _export(s):
    return {t: list(export.rows(s, t)) for t in export.TABLES}


def _consistent(s):
    """No child row without its document; on SQLite, FTS5 agrees with the stored records."""
    for t in CHILD_TABLES:
        n = s.one(f'SELECT COUNT(*) AS n FROM "{t}" WHERE "doc_id" NOT IN (SELECT "id" FROM "documents")')["n"]
        assert n == 0, t
    if s.dialect == "sqlite":
        s.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)")
        assert s.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- pruning ----------------------------------------------------------------------------------

def test_prune_forgets_a_removed_file_and_keeps_a_document_a_copy_holds(new_store, tmp_path):
    d = _folder(tmp_path / "docs")
    shutil.copy(d / NAMES[0], d / "zz-copy.txt")              # the seed, twice
    (d / "empty.txt").write_bytes(b"")                          # an error on record
    s = new_store()
    r = _index(s, [d])
    assert (r.indexed, len(r.failed), len(_files(s))) == (4, 1, 5)
    kh16 = search(s, "Lương Minh", limit=5).rows
    assert any(os.path.basename(x["path"]) == NAMES[1] for x in kh16)

    for name in (NAMES[0], NAMES[1], "empty.txt"):
        (d / name).unlink()
    # without --prune: counted, nothing dropped
    r = _index(s, [d])
    assert (r.missing, r.pruned_files, r.pruned_documents) == (2, 0, 0)
    assert s.counts()["documents"] == 4 and len(_files(s)) == 5

    r = _index(s, [d], prune=True)
    assert (r.pruned_files, r.pruned_documents, r.missing, r.failed) == (2, 1, 0, [])
    assert _files(s) == sorted([NAMES[2], NAMES[3], "zz-copy.txt"])
    assert s.errors() == []                                     # the deleted file's error went too
    assert s.counts()["documents"] == 3
    # the seed is still archived, under the copy's path; kh-16 is gone, from the full text too
    seed = search(s, "tuyen truyen mieng", limit=5).rows
    assert [os.path.basename(x["path"]) for x in seed][:1] == ["zz-copy.txt"]
    assert not any(os.path.basename(x["path"]) == NAMES[1] for x in search(s, "Lương Minh", limit=20).rows)
    _consistent(s)
    # nothing left to prune
    r = _index(s, [d], prune=True)
    assert (r.pruned_files, r.pruned_documents, r.missing, r.unchanged) == (0, 0, 0, 3)


def test_prune_never_touches_paths_outside_the_inputs(new_store, tmp_path):
    a = _folder(tmp_path / "docs", NAMES[:2])
    b = _folder(tmp_path / "docs2", NAMES[2:])                  # "docs" is a prefix of its name
    s = new_store()
    _index(s, [a, b], workers=2)
    assert s.counts()["documents"] == 4
    for p in (a / NAMES[0], a / NAMES[1], b / NAMES[2]):
        p.unlink()

    # a given file: that path only, not its neighbour
    r = _index(s, [a / NAMES[0]], prune=True)
    assert (r.pruned_files, r.pruned_documents, r.failed) == (1, 1, [])
    assert _files(s) == sorted(NAMES[1:])
    # a given folder: what lies under it, not under docs2/
    r = _index(s, [a], prune=True)
    assert (r.pruned_files, r.pruned_documents) == (1, 1)
    assert _files(s) == sorted(NAMES[2:])
    # a folder removed altogether, given as it was
    shutil.rmtree(b)
    r = _index(s, [b], workers=2, prune=True)
    assert (r.pruned_files, r.pruned_documents, r.failed) == (2, 2, [])
    assert s.counts()["documents"] == 0 and _files(s) == []
    _consistent(s)


def test_export_after_prune_equals_a_fresh_index_of_what_remains(new_store, tmp_path):
    d = _folder(tmp_path / "docs")
    shutil.copy(d / NAMES[1], d / "a-copy.txt")                 # sorts first: the record's path
    shutil.copy(d / NAMES[3], d / "zz-copy.txt")
    s = new_store()
    _index(s, [d], workers=2)
    for name in ("a-copy.txt", NAMES[3], NAMES[0]):
        (d / name).unlink()
    r = _index(s, [d], workers=2, prune=True)
    assert (r.pruned_files, r.pruned_documents) == (3, 1)
    fresh = new_store()
    _index(fresh, [d], workers=2)
    assert _export(s) == _export(fresh)
    assert s.counts() == fresh.counts()
    _consistent(s)


def test_cli_says_what_is_missing_and_prunes(tmp_path, capsys):
    d = _folder(tmp_path / "docs", NAMES[:2])
    db = str(tmp_path / "a.sqlite")

    def vnplan(*argv):
        import argparse
        p = argparse.ArgumentParser(prog="vnplan")
        sub = p.add_subparsers(dest="command")
        commands.register(sub)
        args = p.parse_args(argv)
        code = args.func(args)
        out, err = capsys.readouterr()
        return code, out, err

    assert vnplan("index", str(d), "--db", db, "--workers", "1")[0] == 0
    (d / NAMES[0]).unlink()
    code, _, err = vnplan("index", str(d), "--db", db, "--workers", "1")
    assert code == 0
    assert ("1 archived file under the inputs no longer exists; run again with --prune to drop it"
            in err.splitlines())
    code, out, err = vnplan("index", str(d), "--db", db, "--workers", "1", "--prune", "--format", "json")
    rep = json.loads(out)
    assert code == 0 and (rep["pruned_files"], rep["pruned_documents"], rep["missing"]) == (1, 1, 0)
    assert "no longer exist" not in err
    (d / NAMES[1]).unlink()
    code, _, err = vnplan("index", str(d), "--db", db, "--workers", "1", "--prune")
    assert "1 deleted file(s) pruned (1 document(s) removed); 0 documents" in err


# -- the parse timeout ------------------------------------------------------------------------

def _children():
    return [p for p in multiprocessing.active_children() if p.is_alive()]


def test_a_file_over_the_timeout_is_recorded_and_the_others_are_indexed(new_store, tmp_path):
    d = _folder(tmp_path / "docs")
    # sorted, in batches of 3: [b-slow-regex, hd, kh-0130] and [kh-1-slow-sleep, kh-16, seed],
    # out at once, so that one check finds both stuck; the rest of each batch is sent again
    slow = ("b-slow-regex.txt", "kh-1-slow-sleep.txt")
    for name in slow:
        shutil.copy(SEED, d / name)
        with open(d / name, "a", encoding="utf-8") as f:
            f.write(f"\n{name}\n")                              # a content of its own
    before = _children()
    s = new_store()
    t0 = time.monotonic()
    # 2 s: a fresh process's first parse takes a good part of a second on a busy machine
    r = _index(s, [d], workers=2, batch=3, timeout=2, parser="archive_parsers:parse_path_slow")
    took = time.monotonic() - t0
    codes = {os.path.basename(f["path"]): f["code"] for f in r.failed}
    assert codes == {name: "timeout" for name in slow}
    msg = next(f["message"] for f in r.failed if f["path"].endswith(slow[0]))
    assert str(d / slow[0]) in msg and "more than 2 s" in msg and "Report it" in msg
    assert r.indexed == 4 and sorted(os.path.basename(e["path"]) for e in s.errors()) == sorted(codes)
    assert took < 30, took
    assert _children() == before                                # no worker left behind


def test_a_slow_file_within_the_timeout_or_without_one_is_indexed(new_store, tmp_path):
    d = _folder(tmp_path / "docs", NAMES[:2])
    shutil.copy(SEED, d / "slow-1s.txt")
    with open(d / "slow-1s.txt", "a", encoding="utf-8") as f:
        f.write("\nslow\n")
    s = new_store()
    r = _index(s, [d], workers=2, timeout=0, parser="archive_parsers:parse_path_slow")
    assert (r.indexed, r.failed) == (3, [])
    s2 = new_store()
    r = _index(s2, [d], workers=2, timeout=5, parser="archive_parsers:parse_path_slow")
    assert (r.indexed, r.failed) == (3, [])


def test_timeout_option(tmp_path, capsys):
    import argparse
    p = argparse.ArgumentParser(prog="vnplan")
    sub = p.add_subparsers(dest="command")
    commands.register(sub)
    args = p.parse_args(["index", str(tmp_path), "--db", str(tmp_path / "a.sqlite"), "--timeout", "-1"])
    assert args.func(args) == 2
    assert "--timeout must be 0" in capsys.readouterr().err
    assert p.parse_args(["index", "x"]).timeout is None                 # the library's default, 120 s


@pytest.mark.slow
def test_a_machine_that_stood_still_is_no_timeout(tmp_path):
    # The indexer and its workers stopped together (as a paused virtual machine or a
    # suspended laptop) for longer than the timeout: on waking, the files being parsed
    # have not taken that long, and none is recorded as a timeout.
    import signal
    import subprocess
    import sys
    from archive_helpers import SRC, TESTS
    d = tmp_path / "docs"
    d.mkdir()
    for i in range(6):
        shutil.copy(SEED, d / f"slow-2s-{i}.txt")
        with open(d / f"slow-2s-{i}.txt", "a", encoding="utf-8") as f:
            f.write(f"\nslow {i}\n")
    script = ("import json, sys\n"
              "from vnplan_nlp.archive import index_paths, open_store\n"
              f"s = open_store({str(tmp_path / 'a.sqlite')!r}, create=True)\n"
              f"r = index_paths(s, [{str(d)!r}], workers=2, batch=1, timeout=4, progress=False,\n"
              "                parser='archive_parsers:parse_path_slow')\n"
              "print(json.dumps({'indexed': r.indexed, 'failed': r.failed}))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), str(TESTS)]))
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(3.0)                          # started, and parsing its first files (2 s each)
    os.killpg(proc.pid, signal.SIGSTOP)
    time.sleep(7.0)                          # longer than the 4 s timeout
    os.killpg(proc.pid, signal.SIGCONT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    got = json.loads(out.strip().splitlines()[-1])
    assert got == {"indexed": 6, "failed": []}


def test_a_file_stamped_after_the_clock_was_read_is_not_late():
    # the indexer reads the clock, then a slot; a worker may stamp its next file in between
    from vnplan_nlp.archive.index import _elapsed_ms
    now = 5_000
    assert _elapsed_ms((7 << 32) | 4_000, now) == 1_000
    assert _elapsed_ms((7 << 32) | 5_003, now) == -3                 # stamped 3 ms "after" now
    assert _elapsed_ms((7 << 32) | 0xFFFF_FF00, 100) == 356           # the 32-bit clock wrapped

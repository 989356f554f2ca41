"""The archive's commands: help, output formats, exit codes, messages, and a killed indexer."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive_helpers import DOCS, SEED, env_with_paths, needs_corpus
from test_archive_sqlite import ALL_DOCS
from vnplan_nlp.archive import add_document, open_store
from vnplan_nlp.archive import commands

COMMANDS = ("index", "search", "show", "export")


def run(*args, check=None, timeout=300):
    """``vnplan ARGS`` in a child process."""
    argv = [sys.executable, "-m", "vnplan_nlp.cli", *map(str, args)]
    p = subprocess.run(argv, capture_output=True, text=True, env=env_with_paths(), timeout=timeout)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout[-2000:], p.stderr[-2000:])
    return p


@pytest.fixture
def graph_db(tmp_path):
    db = tmp_path / "graph.sqlite"
    with open_store(db, create=True) as s:
        for make in ALL_DOCS:
            add_document(s, make())
    return db


def _parser():
    p = argparse.ArgumentParser(prog="vnplan")
    sub = p.add_subparsers(dest="command")
    commands.register(sub)
    return p, sub


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_description_and_examples(name):
    _, sub = _parser()
    cmd = sub.choices[name]
    assert cmd.description and len(cmd.description) > 60
    assert "examples:" in (cmd.epilog or "")
    for action in cmd._actions:
        if action.option_strings and action.dest not in ("help", "parser"):
            assert action.help, f"{name} {action.option_strings} has no help"
    assert f"vnplan {name}" in cmd.format_usage()


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented(name):
    root = Path(__file__).resolve().parents[1]
    for doc in ("README.md", "docs/archive.md"):
        assert f"vnplan {name}" in (root / doc).read_text(encoding="utf-8"), f"{doc} does not show vnplan {name}"
    _, sub = _parser()
    for action in sub.choices[name]._actions:     # every option the command takes is in the guide
        for opt in action.option_strings:
            if opt.startswith("--") and opt not in ("--help", "--db", "--format"):
                assert opt in (root / "docs/archive.md").read_text(encoding="utf-8"), f"{name} {opt}"


def test_the_commands_are_in_the_vnplan_cli():
    from vnplan_nlp import cli
    for name in COMMANDS:
        with pytest.raises(SystemExit) as e:
            cli.main([name, "--help"])
        assert e.value.code == 0


def test_search_json_csv_and_table(graph_db):
    p = run("search", "tuyen truyen mieng", "--db", graph_db, "--format", "json", check=0)
    res = json.loads(p.stdout)["results"]
    assert os.path.basename(res[0]["path"]) in ("seed-103-kh-du-hungyen-2024.txt", "159-KH-DUK.txt")
    assert res[0]["tier"] == "phrase" and "[tuyên truyền miệng]" in res[0]["snippet"]["text"]
    p = run("search", "tuyen truyen mieng", "--db", graph_db, "--format", "csv", "--type", "KH", check=0)
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert rows and set(commands.SEARCH_FIELDS) == set(rows[0])
    p = run("search", "--db", graph_db, "--issuer", "Lương Minh", "--from", "2025-Q4", check=0)
    assert "kh-16-mttq-luongminh-2025.txt" in p.stdout and "16/KH-MTTQ-BTT" in p.stdout


def test_search_errors_are_messages_with_a_fix(tmp_path, graph_db):
    p = run("search", "x", "--db", tmp_path / "none.sqlite", check=2)
    assert p.stderr.startswith("vnplan search: ") and "vnplan index" in p.stderr and "Traceback" not in p.stderr
    p = run("search", "x", "--db", graph_db, "--from", "18/11/2025", check=2)
    assert "2024-07-15" in p.stderr           # says which forms are accepted
    p = run("search", '"tuyen truyen', "--db", graph_db, check=2)
    assert "quote" in p.stderr
    p = run("search", "khong co tu nay dau xyzzy", "--db", graph_db, check=1)
    assert "No documents found" in p.stderr


def test_show_text_and_json(graph_db):
    p = run("show", "30-CT/TW", "--db", graph_db, check=0)
    assert "30-CT/TW is not in the archive" in p.stdout
    assert "seed-103-kh-du-hungyen-2024.txt" in p.stdout and "hd-btgdvtw-baocaovien-2025.txt" in p.stdout
    p = run("show", "16/KH-MTTQ-BTT", "--db", graph_db, check=0)
    assert "2 archived documents carry this number" in p.stdout
    assert "AMBIGUOUS" in p.stdout                     # the bare mention in bao-cao-bau-cu.txt
    p = run("show", "159-KH/ĐUK", "--db", graph_db, "--format", "json", check=0)
    data = json.loads(p.stdout)
    assert data["records"][0]["document"]["header"]["number_symbol"] == "159-KH/ĐUK"
    assert [c["reference"]["relation"] for c in data["records"][0]["cited_by"]] == ["implements"]
    p = run("show", "103-KH/ĐU", "--db", graph_db, "--format", "json", "--with-text", check=0)
    doc = json.loads(p.stdout)["records"][0]["document"]
    r = doc["references"][0]
    assert doc["text"][r["start"]:r["end"]] == r["text"]          # the offsets index the text shown
    p = run("show", "999-KH/XYZ", "--db", graph_db, check=1)
    assert p.stderr.startswith("vnplan show: 999-KH/XYZ")


def test_export_formats(graph_db, tmp_path):
    p = run("export", "--db", graph_db, "--format", "csv", check=0)
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert len(rows) == len(ALL_DOCS) and rows[0].keys() >= {"sha256", "path", "number_symbol", "issued_date"}
    p = run("export", "--db", graph_db, "--table", "all", "--format", "jsonl", check=0)
    tables = {json.loads(line)["table"] for line in p.stdout.splitlines()}
    assert tables == {"records", "references", "responsibilities"}
    run("export", "--db", graph_db, "--table", "all", "--format", "csv", check=2)
    run("export", "--db", graph_db, "--table", "all", "--format", "csv", "-o", tmp_path / "out", check=0)
    assert sorted(f.name for f in (tmp_path / "out").iterdir()) == [
        "records.csv", "references.csv", "responsibilities.csv"]


@needs_corpus
def test_index_reports_failures_and_exits_1(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "seed.txt").write_bytes(SEED.read_bytes())
    (d / "empty.txt").write_bytes(b"")
    db = tmp_path / "a.sqlite"
    p = run("index", d, "--db", db, "--workers", "1", check=1)
    assert "1 indexed" in p.stderr and "[empty]" in p.stderr and "empty.txt" in p.stderr
    p = run("index", d, "--db", db, "--format", "json", check=1)
    rep = json.loads(p.stdout)
    assert rep["unchanged"] == 1 and rep["failed"][0]["code"] == "empty"
    p = run("search", "tuyen truyen mieng", "--db", db, check=0)
    assert "seed.txt" in p.stdout


def test_index_into_a_missing_folder_is_a_usage_error(tmp_path):
    p = run("index", tmp_path, "--db", tmp_path / "no" / "such" / "a.sqlite", check=2)
    assert "does not exist" in p.stderr


# -- killed halfway -----------------------------------------------------------------------------

def replicate(dest: Path, n: int) -> Path:
    texts = sorted(DOCS.glob("*.txt"))
    dest.mkdir(parents=True)
    for i in range(n):
        src = texts[i % len(texts)]
        (dest / f"{i:05d}-{src.name}").write_bytes(src.read_bytes() + f"\n\nBản lưu trữ số {i}.\n".encode())
    return dest


def stores():
    out = ["sqlite"]
    if os.environ.get("VNPLAN_TEST_POSTGRES"):
        out.append("postgresql")
    return out


def _db(kind, tmp_path, name, request):
    if kind == "sqlite":
        return str(tmp_path / f"{name}.sqlite")
    import uuid
    from urllib.parse import quote
    import psycopg
    dsn = os.environ["VNPLAN_TEST_POSTGRES"]
    schema = f"k_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')

    def drop():
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')
    request.addfinalizer(drop)
    return f"{dsn}{'&' if '?' in dsn else '?'}options={quote('-csearch_path=' + schema)}"


def _count(db):
    try:
        if db.startswith("postgres"):
            import psycopg
            with psycopg.connect(db) as c:
                return c.execute('SELECT COUNT(*) FROM "documents"').fetchone()[0]
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute('SELECT COUNT(*) FROM "documents"').fetchone()[0]
    except Exception:
        return 0


@needs_corpus
@pytest.mark.slow
@pytest.mark.parametrize("kind", stores())
def test_sigkill_halfway_then_rerun_gives_the_same_archive(tmp_path, kind, request):
    n = 200
    docs = replicate(tmp_path / "docs", n)
    whole = _db(kind, tmp_path, "whole", request)
    killed = _db(kind, tmp_path, "killed", request)
    run("index", docs, "--db", whole, "--workers", "2", check=0)

    argv = [sys.executable, "-m", "vnplan_nlp.cli", "index", str(docs), "--db", killed, "--workers", "2"]
    proc = subprocess.Popen(argv, env=env_with_paths(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 240
    while _count(killed) < n // 2 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the indexer finished before it could be killed; raise n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = _count(killed)
    assert 0 < stored < n
    # the parsing workers die with it
    time.sleep(3)
    try:
        os.killpg(proc.pid, 0)
        alive = subprocess.run(["ps", "-o", "pid,cmd", "--no-headers", "-g", str(proc.pid)],
                               capture_output=True, text=True).stdout
        pytest.fail(f"processes of the killed indexer are still running:\n{alive}")
    except ProcessLookupError:
        pass
    if kind == "sqlite":
        with sqlite3.connect(killed) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            c.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
    p = run("index", docs, "--db", killed, "--workers", "2", "--format", "json", check=0)
    rep = json.loads(p.stdout)
    assert rep["unchanged"] + rep["present"] + rep["indexed"] == n and rep["indexed"] == n - stored
    a = run("export", "--db", whole, "--table", "all", check=0).stdout
    b = run("export", "--db", killed, "--table", "all", check=0).stdout
    assert a.count("\n") >= n and a == b
    qa = json.loads(run("search", "tuyen truyen mieng", "--db", whole, "--format", "json", "--limit", "50",
                        check=0).stdout)["results"]
    qb = json.loads(run("search", "tuyen truyen mieng", "--db", killed, "--format", "json", "--limit", "50",
                        check=0).stdout)["results"]
    assert [r["path"] for r in qa] == [r["path"] for r in qb]

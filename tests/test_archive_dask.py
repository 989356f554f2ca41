"""Indexing on a Dask cluster: parsing in separate worker processes, writing from the client.

A real local cluster (two worker processes, one thread each) is started; the archive it
builds must export exactly as one built by the local process pool.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from archive_helpers import DOCS, SEED, SRC, TESTS, needs_corpus, parser_spec
from vnplan_nlp.archive import export, index_paths, open_store
from vnplan_nlp.archive.index import IndexError_
from vnplan_nlp.archive.store import unpack

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    # A local cluster's worker processes start with this process's sys.path; PYTHONPATH is
    # set as well, as it must be for workers started apart (`dask worker`) from a checkout.
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SRC), str(TESTS)] + ([old] if old else []))
    try:
        c = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                     dashboard_address=None, silence_logs=40)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    yield c
    c.close()


@pytest.fixture
def docs(tmp_path):
    if not SEED.is_file():
        pytest.skip(f"the shared corpus is not at {DOCS}; set VNPLAN_CORPUS")
    d = tmp_path / "docs"
    d.mkdir()
    for p in sorted(DOCS.glob("*.txt"))[:24]:
        shutil.copy(p, d / p.name)
    (d / "empty.txt").write_bytes(b"")
    return d


def _export(store):
    return ["".join(str(r) for r in export.rows(store, t)) for t in export.TABLES]


@needs_corpus
def test_dask_cluster_builds_the_same_archive(cluster, docs, tmp_path):
    with distributed.Client(cluster) as client:
        pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids          # separate worker processes
    with open_store(tmp_path / "dask.sqlite", create=True) as s:
        with distributed.Client(cluster) as client, distributed.get_task_stream(client) as ts:
            r = index_paths(s, [str(docs)], parser=parser_spec(), progress=False,
                            dask=cluster.scheduler_address)
        ran_on = {t["worker"] for t in ts.data if t["key"].startswith("parse_batch")}
        assert ran_on, "no parsing task ran on the cluster"
        assert r.indexed == 24 and [f["code"] for f in r.failed] == ["empty"]
        got = _export(s)
        again = index_paths(s, [str(docs)], parser=parser_spec(), progress=False, dask=cluster.scheduler_address)
        assert again.indexed == 0 and again.unchanged == 24
    with open_store(tmp_path / "local.sqlite", create=True) as s:
        index_paths(s, [str(docs)], workers=2, parser=parser_spec(), progress=False)
        assert _export(s) == got


@needs_corpus
def test_ocr_reaches_the_dask_workers_with_each_batch(cluster, docs, tmp_path, monkeypatch):
    # the workers were started without VNPLAN_OCR: --ocr must reach them with the work
    monkeypatch.delenv("VNPLAN_OCR", raising=False)
    with open_store(tmp_path / "dask.sqlite", create=True) as s:
        for ocr in (True, False):
            index_paths(s, [str(SEED)], parser="archive_parsers:parse_path_ocr_flag", progress=False,
                        dask=cluster.scheduler_address, ocr=ocr, force=True)
            data = json.loads(unpack(s.one('SELECT "data" FROM "documents"')["data"]))
            said = [w for w in data["source"]["warnings"] if w.startswith("called with")]
            assert said == [f"called with ocr={True if ocr else None}; VNPLAN_OCR=None"]


def test_workers_that_cannot_import_the_parser(cluster, tmp_path, docs, monkeypatch):
    # A parser module made after the workers started exists for this process only (a
    # local cluster's workers get this process's sys.path when they start, remote ones
    # only what is installed on them or on their PYTHONPATH).
    mod = tmp_path / "mods"
    mod.mkdir()
    (mod / "client_only_parser.py").write_text("from vnplan_nlp.parse import parse_path\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(mod))
    with open_store(tmp_path / "a.sqlite", create=True) as s:
        with pytest.raises(IndexError_) as e:
            index_paths(s, [str(docs)], parser="client_only_parser:parse_path", progress=False,
                        dask=cluster.scheduler_address)
    assert e.value.code == "dask-workers" and "PYTHONPATH" in e.value.message


def test_unreachable_scheduler(tmp_path, docs):
    with open_store(tmp_path / "a.sqlite", create=True) as s:
        with pytest.raises(IndexError_) as e:
            index_paths(s, [str(docs)], parser=parser_spec(), progress=False, dask="tcp://127.0.0.1:1")
    assert e.value.code == "dask-unavailable"


@needs_corpus
@pytest.mark.slow
def test_a_file_over_the_timeout_on_the_cluster(cluster, tmp_path):
    # Last in the module: a worker of the shared cluster is restarted.
    d = tmp_path / "docs"
    d.mkdir()
    for p in sorted(DOCS.glob("*.txt"))[:3]:
        shutil.copy(p, d / p.name)
    (d / "zz-slow-sleep.txt").write_bytes(SEED.read_bytes() + b"\nslow\n")
    with distributed.Client(cluster) as client:
        before = set(client.scheduler_info()["workers"])
    with open_store(tmp_path / "a.sqlite", create=True) as s:
        # batches of 2: [a, b] [c, zz-slow-sleep]; the late batch (over 2 x 2 s) is cancelled,
        # its worker restarted, its files parsed again one at a time: c is indexed, the slow
        # one is recorded as a timeout
        r = index_paths(s, [str(d)], parser="archive_parsers:parse_path_slow", progress=False,
                        dask=cluster.scheduler_address, batch=2, timeout=2)
    assert [(os.path.basename(f["path"]), f["code"]) for f in r.failed] == [("zz-slow-sleep.txt", "timeout")]
    assert r.indexed == 3
    with distributed.Client(cluster) as client:
        client.wait_for_workers(2, timeout=30)
        after = client.scheduler_info()["workers"]
        # the worker stuck in the slow file was restarted: no thread of it sleeps on
        assert len(after) == 2 and set(after) != before
        assert not any(client.processing().values())

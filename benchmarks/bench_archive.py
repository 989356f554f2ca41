"""Archive benchmark: indexing speed, archive size and search latency on a replicated corpus.

    PYTHONPATH=src python benchmarks/bench_archive.py --n 20000 --workers 2 \
        [--postgres postgresql://postgres@127.0.0.1:55432/vnplan_bench]

The corpus texts (docs/*.txt) are copied N times over into a folder outside the project,
each copy given one extra line with its number so that every copy has its own hash (the
archive would otherwise store each content once). The copies are indexed with the given
number of parsing workers, then 20 queries an archivist would type (with and without
diacritics, phrases, numbers) are run through the library's search, each several times.
Prints one table row per store.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vnplan_nlp import settings  # noqa: E402
from vnplan_nlp.archive import index_paths, open_store, search  # noqa: E402
from vnplan_nlp.archive.index import DEFAULT_PARSER  # noqa: E402

QUERIES = [
    "tuyên truyền miệng", "tuyen truyen mieng", "chuyển đổi số", "chuyen doi so",
    "bầu cử đại biểu Quốc hội", "bau cu dai bieu hoi dong nhan dan", "30-CT/TW",
    "kiểm tra, giám sát", "hiep thuong", "phòng, chống tham nhũng", "cai cach hanh chinh",
    "Mặt trận Tổ quốc Việt Nam", "tiếp công dân", "lay y kien nhan dan", "báo cáo viên",
    "dich benh truyen nhiem", "Nghị quyết số 57-NQ/TW", "khoa hoc cong nghe doi moi sang tao",
    "an toàn thực phẩm", "sap xep don vi hanh chinh",
]


def parse_structure(path):
    """The parser without its extract stage (references, dates, bodies): to measure what
    indexing itself costs beside parsing (--structure-only)."""
    from vnplan_nlp.parse import parse_path
    return parse_path(path, extract=False)


def replicate(src: Path, dest: Path, n: int) -> int:
    texts = sorted(src.glob("*.txt"))
    if not texts:
        sys.exit(f"no .txt documents in {src}; set VNPLAN_CORPUS")
    if dest.exists() and sum(1 for _ in dest.rglob("*.txt")) == n:
        return n
    shutil.rmtree(dest, ignore_errors=True)
    data = [(p.stem, p.read_bytes()) for p in texts]
    for i in range(n):
        stem, body = data[i % len(data)]
        sub = dest / f"{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:06d}-{stem}.txt").write_bytes(body + f"\n\nBản lưu trữ số {i}.\n".encode("utf-8"))
    return n


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process (the writer) and of its finished children (the parsing workers)."""
    import resource
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime, b.ru_utime + b.ru_stime


def _server_cpu(store) -> float:
    """CPU seconds of the PostgreSQL backend serving ``store`` (on this machine), else 0."""
    if store.dialect != "postgresql":
        return 0.0
    pid = store.one("SELECT pg_backend_pid() AS p")["p"]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def bench(db: str, folder: Path, workers: int, parser: str, reps: int, fresh: bool) -> dict:
    if fresh and not db.startswith("postgres"):
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    if fresh and db.startswith("postgres"):
        import psycopg
        with psycopg.connect(db, autocommit=True) as c:
            c.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    with open_store(db, create=True) as store:
        (self0, kids0), srv0 = _cpu(), _server_cpu(store)
        rep = index_paths(store, [str(folder)], workers=workers, parser=parser, progress=False)
        (self1, kids1), srv1 = _cpu(), _server_cpu(store)
        parts = (self1 - self0, kids1 - kids0, srv1 - srv0)
        cpu = sum(parts)
        if rep.failed:
            print(f"  {len(rep.failed)} failed, e.g. {rep.failed[0]}", file=sys.stderr)
        if not db.startswith("postgres"):
            store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            store.execute("VACUUM ANALYZE")
        size = store.size_bytes()
        docs = store.counts()["documents"]
    lat: list[float] = []
    per_query = {}
    with open_store(db) as store:
        for qtext in QUERIES:            # warm the caches once, as a running service would be
            search(store, qtext, limit=20)
        for qtext in QUERIES:
            ts = []
            for _ in range(reps):
                t = time.perf_counter()
                res = search(store, qtext, limit=20)
                ts.append((time.perf_counter() - t) * 1000)
            lat += ts
            per_query[qtext] = (statistics.median(ts), len(res.rows),
                                sum(1 for r in res.rows if r["tier"] == "phrase"))
    return {"store": "postgresql" if db.startswith("postgres") else "sqlite", "docs": docs,
            "indexed": rep.indexed, "seconds": rep.seconds, "rate": rep.rate, "size_mb": size / 1e6,
            "cpu_per_doc_ms": cpu / max(rep.indexed, 1) * 1000,
            "cpu_parts_ms": [x / max(rep.indexed, 1) * 1000 for x in parts],
            "p50": pct(lat, 0.5), "p95": pct(lat, 0.95), "max": max(lat), "per_query": per_query}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20000, help="documents to index (default 20000)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--postgres", metavar="DSN", default=os.environ.get("VNPLAN_BENCH_POSTGRES"),
                    help="also benchmark this PostgreSQL database (its public schema is emptied)")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "vnplan-bench-archive"),
                    help="where the copies and the SQLite archive go (outside the project)")
    ap.add_argument("--reps", type=int, default=5, help="runs of each query")
    ap.add_argument("--parser", default=DEFAULT_PARSER, help="module:function parsing a path")
    ap.add_argument("--structure-only", action="store_true",
                    help="parse without the extract stage, to see the archive's own cost")
    ap.add_argument("--only", choices=["sqlite", "postgresql"], help="benchmark one store")
    ap.add_argument("--queries", action="store_true", help="print each query's latency and hits")
    args = ap.parse_args()
    if args.structure_only:
        args.parser = "bench_archive:parse_structure"

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    folder = work / f"corpus-{args.n}"
    t = time.perf_counter()
    replicate(settings.corpus_dir() / "docs", folder, args.n)
    print(f"{args.n} documents in {folder} ({time.perf_counter() - t:.1f} s to prepare); "
          f"{args.workers} workers on {os.cpu_count()} cores; parser {args.parser}\n")
    results = []
    if args.only != "postgresql":
        results.append(bench(str(work / f"archive-{args.n}.sqlite"), folder, args.workers, args.parser,
                             args.reps, fresh=True))
    if args.postgres and args.only != "sqlite":
        results.append(bench(args.postgres, folder, args.workers, args.parser, args.reps, fresh=True))
    # docs/s is wall clock on a machine others may be using; CPU ms per document (indexer,
    # its workers and, for PostgreSQL, the server's backend) gives what 2 free cores would do
    print(f"{'store':<11} {'docs':>6} {'index s':>8} {'docs/s':>7} {'CPU ms/doc':>11} {'2-core docs/s':>14} "
          f"{'size MB':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for r in results:
        print(f"{r['store']:<11} {r['docs']:>6} {r['seconds']:>8.1f} {r['rate']:>7.0f} {r['cpu_per_doc_ms']:>11.1f} "
              f"{2000 / r['cpu_per_doc_ms']:>14.0f} {r['size_mb']:>8.0f} {r['p50']:>7.1f} {r['p95']:>7.1f} "
              f"{r['max']:>7.1f}")
    print("\nCPU ms per document: writer (this process) / parsing workers / PostgreSQL backend")
    for r in results:
        print(f"{r['store']:<11} " + " / ".join(f"{x:.1f}" for x in r["cpu_parts_ms"]))
    if args.queries:
        for r in results:
            print(f"\n{r['store']}: median ms, results, of which phrase hits")
            for qtext, (ms, n, ph) in r["per_query"].items():
                print(f"  {ms:7.1f}  {n:>3} {ph:>3}  {qtext}")


if __name__ == "__main__":
    main()

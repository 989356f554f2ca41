"""Indexing: files in, archived records out, incrementally and safely.

The loop, in the calling process:

1. list the inputs (folders walked, sorted);
2. skip a file whose path, size and modification time match what the archive recorded;
   otherwise hash its bytes: content already archived is only linked to the path;
3. send the rest, in small batches, to parsing workers (a process pool on this machine,
   or a Dask cluster); a worker reads, parses and checks the document (its own format
   rules: findings) and turns it into rows;
4. write each document, as its rows come back, in its own transaction;
5. with ``prune``, forget the archived files under the inputs that no longer exist (and
   their documents, unless another file holds them); without it, count them.

So a run killed at any point leaves every document written so far complete and nothing
half-written (SQLite runs in WAL mode; PostgreSQL is transactional), and the next run
picks up where it stopped. A file that cannot be read or parsed is recorded in
``index_errors`` with its error code and listed at the end; it never stops the run, and
neither does a file the parser is stuck on: past the timeout its process is killed, the
file recorded as ``timeout`` and the other files sent again.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import signal
import stat
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..check import check
from ..errors import VnplanError
from ..read import iter_inputs
from .store import DocumentRows, Store, document_rows

DEFAULT_PARSER = "vnplan_nlp.parse:parse_path"
BATCH = 8
DEFAULT_TIMEOUT = 120.0   # seconds a file may take to parse (a pool's process, a Dask worker)


class IndexError_(VnplanError):
    """The run cannot start: ``parser-missing``, ``dask-unavailable``, ``dask-workers``."""
    code = "index"


@dataclass
class IndexReport:
    indexed: int = 0          # parsed and stored
    present: int = 0          # content already archived (a copy, or re-read after a change of time)
    unchanged: int = 0        # same path, size and time as last run: not even read
    failed: list[dict] = field(default_factory=list)   # {"path", "code", "message"}
    missing: int = 0          # archived files under the inputs that no longer exist (not pruned)
    pruned_files: int = 0     # ... forgotten (prune=True)
    pruned_documents: int = 0  # documents deleted with them (no other file held them)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict:
        return {"indexed": self.indexed, "present": self.present, "unchanged": self.unchanged,
                "failed": self.failed, "missing": self.missing, "pruned_files": self.pruned_files,
                "pruned_documents": self.pruned_documents, "seconds": round(self.seconds, 3),
                "docs_per_second": round(self.rate, 1)}


# -- the worker side --------------------------------------------------------------------------

_PARSERS: dict[str, Callable] = {}


def load_parser(spec: str) -> Callable:
    """``"package.module:function"`` -> the function (cached per process)."""
    fn = _PARSERS.get(spec)
    if fn is None:
        mod, _, name = spec.partition(":")
        fn = getattr(importlib.import_module(mod), name or "parse_path")
        _PARSERS[spec] = fn
    return fn


def parser_version(spec: str) -> str:
    mod = spec.partition(":")[0]
    top = sys.modules.get(mod.split(".")[0])
    return f"{spec}@{getattr(top, '__version__', '?')}"


def parse_one(path: str, spec: str, dialect: str = "sqlite", ocr: bool = False) -> tuple:
    """Parse one file into rows. Returns ``("ok", path, rows)`` or ``("error", path, code, message)``;
    never raises for a bad file. ``ocr``: read scans with OCR (the parser is called with
    ``ocr=True``). The document is checked by the rule pack for its system and date (the
    rules needing its parent or the archive are not run) unless the parser left findings."""
    try:
        doc = load_parser(spec)(path, ocr=True) if ocr else load_parser(spec)(path)
        if not doc.findings:
            check(doc)
        d = doc.to_dict()
        src = d.setdefault("source", {})
        if not src.get("sha256"):
            src["sha256"] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        src["path"] = path
        return ("ok", path, document_rows(d, doc.text, parser=parser_version(spec), dialect=dialect))
    except VnplanError as e:
        return ("error", path, e.code, e.message)
    except MemoryError:
        return ("error", path, "too-large", f"{path}: not enough memory to parse it. Split the document.")
    except Exception as e:  # a parser defect must not stop the archive: record it, name the file
        return ("error", path, "parse-failed",
                f"{path}: the parser failed ({type(e).__name__}: {e}). Report it with the file attached; "
                "the other files are indexed.")


# A pool's process with a parse timeout has a slot in a shared array of 64-bit words, where
# it says which file it is parsing and since when: the file's number (given by the indexer,
# modulo 2**31) in the high half, the milliseconds since the pool's start (time.monotonic(),
# one clock for every process of the machine; modulo 2**32) in the low half; -1 between
# batches. One aligned store per file, so the indexer never reads a number with another
# file's time; no lock, no message. The indexer reads the slots to find a file that takes
# too long.
_CLOCK: tuple | None = None     # (slots, slot, epoch), set by _worker_init
_HALF = 0xFFFFFFFF


def _stamp(number: int, epoch: float) -> int:
    return (number & 0x7FFFFFFF) << 32 | (int((time.monotonic() - epoch) * 1000) & _HALF)


def _elapsed_ms(stamp: int, now: int) -> int:
    """Milliseconds from a slot's stamp to ``now`` (a stamp of file 0), modulo 2**32 and
    signed: a worker may stamp its next file after ``now`` was read, and that file has been
    parsed for a moment, not for 49 days."""
    d = (now - stamp) & _HALF
    return d - (1 << 32) if d >= 1 << 31 else d


def parse_batch(paths: list[str], spec: str, dialect: str = "sqlite", first: int = -1,
                ocr: bool = False) -> list[tuple]:
    """``dialect``: the store the rows are for (see :func:`store.document_rows`);
    ``first``: the number of the batch's first file, for the indexer's timeout (see _CLOCK);
    ``ocr``: as :func:`parse_one` (sent with each batch, so a Dask worker needs no setting)."""
    clock = _CLOCK
    if clock is None or first < 0:
        return [parse_one(p, spec, dialect, ocr) for p in paths]
    slots, slot, epoch = clock
    out = []
    try:
        for i, p in enumerate(paths):
            slots[slot] = _stamp(first + i, epoch)
            out.append(parse_one(p, spec, dialect, ocr))
    finally:
        slots[slot] = -1
    return out


def _worker_init(parent: int, slots=None, taken=None, epoch: float = 0.0) -> None:
    """A parsing process: Ctrl-C is the parent's to handle, and it must not outlive a
    killed parent (it would wait for work forever). With ``slots`` (a shared array) and
    ``taken`` (a shared counter), it takes a slot to say which file it parses (_CLOCK)."""
    global _CLOCK
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if slots is not None:
        with taken.get_lock():
            slot = taken.value
            taken.value += 1
        _CLOCK = (slots, slot, epoch) if slot < len(slots) else None
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    # elsewhere (and should the parent die before prctl): notice being orphaned
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="vnplan-orphan-watch").start()


# A short plan, parsed once in the calling process before the workers are forked: the
# parser's patterns and data (a third of a second to compile) are then theirs from the start.
_WARM_TEXT = """ĐẢNG BỘ TỈNH A
ĐẢNG ỦY SỞ B
*
Số 1-KH/ĐU
ĐẢNG CỘNG SẢN VIỆT NAM
A, ngày 2 tháng 3 năm 2025
KẾ HOẠCH
thực hiện Chỉ thị số 30-CT/TW, ngày 5/2/2024 của Ban Bí thư
I. MỤC ĐÍCH, YÊU CẦU
1. Các chi bộ tổ chức quán triệt, báo cáo kết quả về Đảng ủy trước ngày 30/6/2025.
II. TỔ CHỨC THỰC HIỆN
Văn phòng Đảng ủy chủ trì, phối hợp theo dõi; Quý III/2025 sơ kết.
Nơi nhận:
- Như trên,
- Lưu Văn phòng.
T/M ĐẢNG ỦY
BÍ THƯ
Nguyễn Văn A
"""


def warm(spec: str, dialect: str = "sqlite") -> None:
    """Load ``spec`` and, for the built-in parser, run it, the checker and the row builder once on a
    short plan in this process (see ``_WARM_TEXT``). Never raises: it only saves time."""
    try:
        load_parser(spec)
        if spec == DEFAULT_PARSER:
            from ..parse import parse_text
            doc = parse_text(_WARM_TEXT)
            check(doc)
            d = doc.to_dict()
            d["source"]["sha256"] = "0" * 64
            document_rows(d, doc.text, parser=spec, dialect=dialect)
    except Exception:   # noqa: BLE001 - the workers will meet, and report, the same problem
        pass


def probe(spec: str) -> str:
    """Run on a Dask worker before the work: can it import the parser?"""
    load_parser(spec)
    return sys.executable


def add_document(store: Store, doc, *, parser: str = "api", replace: bool = False) -> bool:
    """Archive a :class:`~vnplan_nlp.models.Document` parsed elsewhere (``doc.source.path``
    is recorded as its file; its ``sha256`` identifies it, the text's hash if it has none).
    Returns False when that content was already archived."""
    d = doc.to_dict()
    src = d.setdefault("source", {})
    if not src.get("sha256"):
        src["sha256"] = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    rows = document_rows(d, doc.text, parser=parser, dialect=store.dialect)
    files = [(src["path"], 0, 0)] if src.get("path") else []
    return store.put(rows, files, replace=replace)


# -- pools ------------------------------------------------------------------------------------

class _Done:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class _Inline:
    """No workers: parse in this process (``--workers 1``)."""

    def submit(self, batch, spec, dialect, first=-1, ocr=False):
        return _Done(parse_batch(batch, spec, dialect, ocr=ocr))

    def done(self, futures, timeout=None):
        return list(futures), []

    def result(self, f):
        return f.value

    def close(self, wait=True):
        pass


class _Processes:
    def __init__(self, workers: int, timed: bool = False):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        # fork on Linux: the workers are this process's children, so they die with it
        # (a forkserver's workers keep the server, and each other, alive), and callers
        # need no `if __name__ == "__main__"` guard. The copied database connection is
        # never used by a worker, and a worker leaves by os._exit, which closes nothing.
        # Elsewhere fork is unsafe (macOS) or absent (Windows): spawn.
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        self.workers = workers
        self.timed = timed
        initargs: tuple = (os.getpid(),)
        if timed:   # see _CLOCK
            self.slots = ctx.RawArray("q", [-1] * workers)
            self.epoch = time.monotonic()
            initargs += (self.slots, ctx.Value("i", 0), self.epoch)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                        initargs=initargs)

    def submit(self, batch, spec, dialect, first=-1, ocr=False):
        return self.pool.submit(parse_batch, batch, spec, dialect, first if self.timed else -1, ocr)

    def done(self, futures, timeout=None):
        from concurrent.futures import FIRST_COMPLETED, wait
        d, nd = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
        return list(d), list(nd)

    def result(self, f):
        return f.result()

    def overdue(self, limit: float, awake: float = float("inf")) -> set[int]:
        """The numbers (modulo 2**31) of the files being parsed for more than ``limit`` seconds;
        ``awake``: seconds since the machine last stood still (see index_paths), which a
        file's time cannot exceed."""
        if not self.timed or awake <= limit:
            return set()
        out = set()
        for v in self.slots:
            if v >= 0 and _elapsed_ms(v, _stamp(0, self.epoch)) > limit * 1000:
                out.add(v >> 32)
        return out

    def restart(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.__init__(self.workers, self.timed)

    def _kill(self):
        # A running call cannot be cancelled, and a regular expression's C loop does not even
        # see signals: kill the processes (the executor keeps them in `_processes`).
        procs = list((getattr(self.pool, "_processes", None) or {}).values())
        for p in procs:
            p.kill()
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.join(10)

    def kill(self):
        """Stop every process now (one is stuck), then start a new pool."""
        self._kill()
        self.__init__(self.workers, self.timed)

    def close(self, wait: bool = True):
        if wait:
            self.pool.shutdown(wait=True, cancel_futures=True)
        else:   # interrupted: do not wait for the batches out (one may never end)
            self._kill()


class _Dask:
    def __init__(self, scheduler: str, spec: str):
        try:
            from distributed import Client
        except ImportError:
            raise IndexError_("--dask needs the distributed package: pip install 'vnplan_nlp[archive]'",
                              code="dask-unavailable")
        try:
            if os.path.isfile(scheduler):
                self.client = Client(scheduler_file=scheduler, timeout="10s")
            else:
                self.client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as e:
            raise IndexError_(f"cannot reach the Dask scheduler {scheduler} ({e}). Check the address "
                              "(tcp://host:8786) or the scheduler file, and that the scheduler runs.",
                              code="dask-unavailable")
        try:
            found = self.client.run(probe, spec)
        except Exception as e:
            self.client.close()
            raise IndexError_(f"the Dask workers cannot import the parser {spec} ({type(e).__name__}: {e}). "
                              "Install vnplan_nlp on every worker, or start them with PYTHONPATH "
                              "pointing at the project's src folder.", code="dask-workers")
        if not found:
            self.client.close()
            raise IndexError_(f"the Dask scheduler {scheduler} has no workers. Start some "
                              "(dask worker {scheduler}).", code="dask-workers")
        self.workers = len(found)

    def submit(self, batch, spec, dialect, first=-1, ocr=False):
        return self.client.submit(parse_batch, batch, spec, dialect, -1, ocr, pure=False)

    def done(self, futures, timeout=None):
        from distributed import wait
        try:
            d, nd = wait(futures, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return [], list(futures)
        return list(d), list(nd)

    def result(self, f):
        return f.result()

    def stop(self, futures) -> None:
        """Cancel ``futures`` and restart the workers running them: a cancelled task's thread
        runs on (Python cannot stop it), and would hold the worker's thread for good. Only
        workers under a nanny (the default of ``dask worker`` and of a LocalCluster with
        processes) can be restarted; elsewhere the thread stays busy until its call returns."""
        keys = {f.key for f in futures}
        try:
            running = self.client.processing()
        except Exception:
            running = {}
        holders = [w for w, ks in running.items() if keys & set(ks)]
        self.client.cancel(list(futures), force=True)
        if holders:
            try:
                self.client.restart_workers(holders, raise_for_error=False)
            except Exception:
                pass

    def close(self, wait=True):
        self.client.close()


# -- the loop ---------------------------------------------------------------------------------

def _sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        if hasattr(hashlib, "file_digest"):          # Python 3.11: one reused buffer
            return hashlib.file_digest(f, "sha256").hexdigest()
        h = hashlib.sha256()
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
        return h.hexdigest()


class _Inputs:
    """What the inputs cover: a given path itself, and everything under it."""

    def __init__(self, inputs: list[str]):
        self.exact = set()
        prefixes = set()
        for raw in inputs:
            a = str(Path(raw).absolute())
            self.exact.add(a)
            if not os.path.isfile(a):   # a folder, or a path that is gone (a folder once, maybe)
                prefixes.add(a if a.endswith(os.sep) else a + os.sep)
        self.prefixes = tuple(sorted(prefixes))

    def __contains__(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.prefixes)

    def covers_any(self, path: str, paths) -> bool:
        """Is ``path`` (a missing input) one of ``paths``, or a folder holding some of them?"""
        under = path.rstrip(os.sep) + os.sep
        return any(p == path or p.startswith(under) for p in paths)


def _gone(path: str) -> bool:
    """No file at ``path`` any more. A path that cannot be looked at (permissions, an I/O
    error) is not taken for gone: only a definite "no such file"."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode)


def index_paths(store: Store, inputs: list[str], *, workers: int | None = None,
                parser: str = DEFAULT_PARSER, force: bool = False, progress: bool | None = None,
                dask: str | None = None, batch: int = BATCH, prune: bool = False,
                timeout: float = DEFAULT_TIMEOUT, on_error: Callable[[dict], None] | None = None,
                ocr: bool | None = None) -> IndexReport:
    """Index ``inputs`` (files and folders) into ``store``; see the module's docstring.

    ``workers``: parsing processes (default: one per core; 1 parses in this process);
    ``dask``: a scheduler address or file, instead of local processes; ``force``: parse
    and replace documents already archived (after a parser upgrade); ``prune``: afterwards,
    forget every archived path under the inputs (a given folder, or a given file itself)
    that no longer exists, and delete the documents no file holds any more (each path in
    its own transaction). Paths outside the inputs are never touched. Without ``prune``,
    ``report.missing`` counts those paths. ``timeout``: seconds a file may take to parse
    before its process is stopped and the file recorded as a ``timeout`` error (0: no limit;
    not with ``workers=1``, which parses in this process). ``ocr``: read scanned PDFs and
    page images with OCR, in the workers (default: the VNPLAN_OCR setting of this process;
    Dask workers are told with each batch)."""
    try:
        load_parser(parser)
    except (ImportError, AttributeError) as e:
        raise IndexError_(f"the parser {parser} cannot be loaded ({e}). Install vnplan_nlp completely "
                          "(pip install vnplan_nlp).", code="parser-missing")
    timeout = float(timeout or 0)
    report = IndexReport()
    t0 = time.perf_counter()
    dialect = store.dialect
    from ..ocr import enabled
    ocr = enabled(ocr)
    files = [str(Path(p).absolute()) for p in iter_inputs(inputs, ocr=ocr)]
    covered = _Inputs(inputs)
    state = store.file_state()
    known = store.hashes()
    workers = workers or os.cpu_count() or 1
    if dask:
        pool = _Dask(dask, parser)
        slots = pool.workers * 3
    elif workers > 1 and len(files) > 1:
        warm(parser, dialect)
        pool = _Processes(workers, timed=bool(timeout and timeout > 0))
        slots = workers * 3
    else:
        pool, slots = _Inline(), 1

    bar = _bar(len(files), progress)

    def fail(path: str, code: str, message: str) -> None:
        item = {"path": path, "code": code, "message": message}
        report.failed.append(item)
        store.record_error(path, code, message)
        if on_error:
            on_error(item)
        bar.update(1)
        bar.set_postfix(failed=len(report.failed), refresh=False)

    pending: dict[str, list[tuple[str, int, int]]] = {}   # sha -> files holding it, being parsed
    by_path: dict[str, str] = {}                          # path sent to a worker -> its sha
    queue: deque[str] = deque()
    inflight: dict = {}                                   # future -> batch
    vanished: set[str] = set()                            # listed (or given), then not found

    def plan(path: str) -> None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            vanished.add(path)
            if prune and (path in state or covered.covers_any(path, state)):
                bar.update(1)    # archived once: pruned below, not an error
                return
            return fail(path, "not-found", f"{path}: no such file. Check the path.")
        except OSError as e:
            return fail(path, "unreadable", f"{path}: cannot be opened ({e.strerror}). Check its permissions.")
        old = state.get(path)
        if not force and old and old[1] == st.st_size and old[2] == st.st_mtime_ns and old[0] in known:
            report.unchanged += 1
            bar.update(1)
            return
        try:
            sha = _sha256_file(Path(path))
        except OSError as e:
            return fail(path, "unreadable", f"{path}: cannot be read ({e.strerror}). Check its permissions.")
        if sha in pending:
            pending[sha].append((path, st.st_size, st.st_mtime_ns))
            return
        if sha in known and not force:
            store.link(path, sha, st.st_size, st.st_mtime_ns)
            report.present += 1
            bar.update(1)
            return
        pending[sha] = [(path, st.st_size, st.st_mtime_ns)]
        by_path[path] = sha
        queue.append(path)

    def write(result: tuple) -> None:
        path = result[1]
        sha = by_path.pop(path)
        holders = pending.pop(sha, [(path, 0, 0)])
        if result[0] != "ok":
            for p, *_ in holders:
                fail(p, result[2], result[3] if p == path else result[3].replace(path, p))
            return
        rows: DocumentRows = result[2]
        got = rows.doc["sha256"]
        if got != sha:
            # The file changed between hashing and parsing: archive what was parsed, under
            # its own hash, for this path only; a modification time of 0 makes the next run
            # look at the file again.
            holders = [(path, holders[0][1] if holders and holders[0][0] == path else 0, 0)]
        if store.put(rows, holders, replace=force):
            report.indexed += 1
        else:
            report.present += 1
        known.add(got)
        bar.update(len(holders))

    # After a worker died, the files that were out are parsed one at a time, alone in the
    # pool ("probation"), so that a crash is the crash of one known file.
    solo: deque[str] = deque()
    probation: set = set()
    it = iter(files)
    exhausted = False

    # The timeout. Each batch sent is numbered (its first file's number) and timed (once per
    # batch). A local pool's processes say which file they are on and since when (_CLOCK):
    # a file over the limit is known exactly; the pool is killed, the file recorded as a
    # `timeout`, and every other file that was out is sent again. A Dask batch is only known
    # to be late (longer than the limit times its size since it was sent): it is cancelled,
    # its worker restarted, and its files parsed again one at a time, on probation.
    timed = timeout > 0 and not isinstance(pool, _Inline)
    poll = min(1.0, timeout / 4) if timed else None
    sent: dict = {}           # future -> (number of its first file, time.monotonic() when sent)
    number = 0
    next_check = 0.0
    # A machine that stood still comes back with its clock moved on (the indexer stopped by
    # Ctrl-Z and resumed by `fg` hours later, a virtual machine paused): every file being
    # parsed would look late. The loop below runs at least every `poll` seconds; a gap of
    # three polls means the indexer did not run, and time is counted again from when it woke.
    last_tick = woke = time.monotonic()
    stall = max(1.0, 3 * (poll or 0))

    def send(chunk: list[str], alone: bool = False) -> None:
        nonlocal number
        f = pool.submit(chunk, parser, dialect, number, ocr)
        inflight[f] = chunk
        if timed:
            sent[f] = (number, time.monotonic())
        number += len(chunk)
        if alone:
            probation.add(f)

    def timed_out(path: str) -> None:
        write(("error", path, "timeout",
               f"{path}: the parser took more than {timeout:g} s on this file and was stopped. Report it "
               "with the file attached; the other files are indexed."))

    def check_local() -> None:
        """Kill the pool when a file has been parsed for too long."""
        over = pool.overdue(timeout, time.monotonic() - woke)
        if not over:
            return
        late: set[str] = set()
        for f, chunk in inflight.items():
            first = sent[f][0]
            if not f.done():
                late.update(p for i, p in enumerate(chunk) if ((first + i) & 0x7FFFFFFF) in over)
        if not late:
            return
        pool.kill()
        for f, chunk in inflight.items():
            rest = [p for p in chunk if p not in late]
            if f in probation:
                solo.extendleft(reversed(rest))
            else:
                queue.extendleft(reversed(rest))
        inflight.clear()
        sent.clear()
        probation.clear()
        for path in sorted(late):
            timed_out(path)

    def check_dask() -> None:
        now = time.monotonic()
        late = [f for f, (_, t) in sent.items()
                if now - max(t, woke) > timeout * len(inflight[f]) and not f.done()]
        if not late:
            return
        pool.stop(late)
        for f in late:
            chunk = inflight.pop(f)
            sent.pop(f)
            if f in probation or len(chunk) == 1:
                probation.discard(f)
                timed_out(chunk[0])
            else:
                solo.extend(chunk)

    ok = False
    try:
        while True:
            if solo:
                if not inflight:
                    send([solo.popleft()], alone=True)
            else:
                # keep every worker busy: plan files until enough batches are out
                while len(inflight) < slots and (queue or not exhausted):
                    while not exhausted and len(queue) < batch:
                        nxt = next(it, None)
                        if nxt is None:
                            exhausted = True
                        else:
                            plan(nxt)
                    if queue:
                        send([queue.popleft() for _ in range(min(batch, len(queue)))])
            if not inflight:
                break
            done, _ = pool.done(list(inflight), poll)
            if timed:
                tick = time.monotonic()
                if tick - last_tick > stall:
                    woke = tick
                last_tick = tick
            broken = False
            for f in done:
                chunk = inflight.pop(f)
                sent.pop(f, None)
                alone = f in probation
                probation.discard(f)
                try:
                    results = pool.result(f)
                except Exception as e:   # a worker died (killed, out of memory, crashed)
                    broken = True
                    if not alone:
                        solo.extend(chunk)
                        continue
                    results = [("error", chunk[0], "worker-crashed",
                                f"{chunk[0]}: the parsing process died on this file ({type(e).__name__}). "
                                "Check the file; the other files are indexed.")]
                for r in results:
                    write(r)
            if broken and isinstance(pool, _Processes):
                # a dead process breaks the whole pool: start a new one, resend what was out
                for c in inflight.values():
                    solo.extend(c)
                inflight.clear()
                sent.clear()
                probation.clear()
                pool.restart()
            elif timed and inflight and time.monotonic() >= next_check:
                next_check = time.monotonic() + poll
                check_local() if isinstance(pool, _Processes) else check_dask()
        ok = True
    finally:
        pool.close(wait=ok)
        bar.close()

    # Archived paths under the inputs that were not listed (or vanished) may be gone.
    listed = set(files) - vanished
    gone = sorted(p for p in state if p not in listed and p in covered and _gone(p))
    if prune:
        now_failed = {f["path"] for f in report.failed}
        gone_set = set(gone)
        gone += sorted(e["path"] for e in store.errors()
                       if e["path"] not in gone_set and e["path"] not in now_failed
                       and e["path"] in covered and _gone(e["path"]))
        for path in gone:
            had_file, deleted = store.forget(path)
            report.pruned_files += had_file
            report.pruned_documents += deleted
    else:
        report.missing = len(gone)
    store.finish_indexing(report.indexed + report.pruned_documents)
    report.seconds = time.perf_counter() - t0
    return report


def _bar(total: int, progress: bool | None):
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a nicety
        progress = False
        tqdm = None
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress or tqdm is None:
        return _NoBar()
    tqdm.monitor_interval = 0   # no monitor thread: a pool restarted after a crash forks this process
    return tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, smoothing=0.1,
                desc="index")


class _NoBar:
    def update(self, n=1):
        pass

    def set_postfix(self, **kw):
        pass

    def close(self):
        pass

"""The archive's commands: ``vnplan index | search | show | export``.

Each command parses its arguments, calls one library function and turns the library's
errors into a one-line message that says what to do. Exit status: 0 done, 1 some input
failed (or nothing was found), 2 a usage or connection error.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

from ..errors import VnplanError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


# -- options declared once --------------------------------------------------------------------

def _db_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", metavar="DB", default=None,
                   help="the archive: an SQLite file (default: archive.sqlite, or $VNPLAN_DB) or a "
                        "postgresql://user@host:port/dbname DSN")
    return p


def _format(p: argparse.ArgumentParser, choices: list[str], default: str) -> None:
    p.add_argument("--format", choices=choices, default=default, help=f"output format (default: {default})")


def register(subparsers) -> None:
    """Add ``index``, ``search``, ``show`` and ``export`` to a CLI's subparsers."""
    db = _db_parent()

    p = subparsers.add_parser(
        "index", parents=[db], help="parse documents and store them in the archive",
        description="Parse every document under PATH (files or folders: .txt .md .docx .doc .pdf) and "
                    "store its record, sections, references, responsibilities, findings and text. "
                    "Files already archived (same content) are skipped; a killed run loses nothing "
                    "already stored: run it again to go on. A file that fails is recorded and listed "
                    "at the end; the others are indexed.",
        epilog="examples:\n  vnplan index docs/ --db archive.sqlite\n"
               "  vnplan index docs/ --db postgresql://archivist@dbhost/archive\n"
               "  vnplan index docs/ --dask tcp://scheduler:8786\n"
               "  vnplan index docs/ --prune            # also forget the files deleted from docs/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to index")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="parsing processes (default: one per core; 1: parse in this process)")
    p.add_argument("--dask", metavar="SCHEDULER", default=None,
                   help="parse on a Dask cluster (tcp://host:8786 or a scheduler file); this process "
                        "writes the archive. Workers must see the same paths and have vnplan_nlp installed")
    p.add_argument("--force", action="store_true",
                   help="parse again and replace documents already archived (after upgrading vnplan)")
    p.add_argument("--prune", action="store_true",
                   help="forget archived files under PATH that no longer exist, and the documents no "
                        "other file holds (paths outside PATH are never touched)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="stop parsing a file after SECONDS and record it as a 'timeout' error "
                        "(default: 120; 0: no limit; not with --workers 1, which parses in this process)")
    p.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show a progress bar (default: when stderr is a terminal)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    _format(p, ["text", "json"], "text")
    p.set_defaults(handler=cmd_index, func=run)

    p = subparsers.add_parser(
        "search", parents=[db], help="full-text search of the archive",
        description="Search the archive's documents. Accents are optional: 'tuyen truyen mieng' finds "
                    "'tuyên truyền miệng'. Documents holding the words as one phrase come first, then "
                    "those holding all of them apart. Quote a phrase to require it: "
                    "'\"chuyển đổi số\" kế hoạch'. With no QUERY, list the documents the filters select.",
        epilog="examples:\n  vnplan search \"tuyen truyen mieng\"\n"
               "  vnplan search \"bầu cử\" --type \"Kế hoạch\" --from 2025-Q3 --to 2025-Q4\n"
               "  vnplan search --issuer \"Lương Minh\" --format csv",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", nargs="?", default=None, metavar="QUERY", help="words to find (accents optional)")
    p.add_argument("--type", dest="doc_type", metavar="TYPE",
                   help="document type: a name ('Kế hoạch', 'ke hoach') or its code (KH)")
    p.add_argument("--issuer", metavar="NAME", help="part of the issuer's name (or of the organ above it)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="issued on or after (2025-07-01, 2025-07, 2025-Q3, 2025)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="issued on or before (same forms)")
    p.add_argument("--system", choices=["party", "state"], help="Party or State documents")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default: 20)")
    p.add_argument("--sql", action="store_true", help="print the SQL the search runs, then run it")
    _format(p, ["table", "json", "csv"], "table")
    p.set_defaults(handler=cmd_search, func=run)

    p = subparsers.add_parser(
        "show", parents=[db], help="a record and its graph: what it implements and cites, and who cites it",
        description="Show an archived document (REF: its number such as 30-CT/TW, a file path, or a content "
                    "hash) with the documents it implements, takes as basis or cites, and the archived "
                    "documents that implement or cite it. References are matched by number, date and "
                    "issuer; documents of different bodies with the same number are never merged, and "
                    "a reference that could mean several is shown as ambiguous.",
        epilog="examples:\n  vnplan show 30-CT/TW\n  vnplan show 16/KH-MTTQ-BTT --issuer \"Lương Minh\"\n"
               "  vnplan show docs/seed.txt --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("ref", metavar="REF", help="a document number (30-CT/TW), a path, or a sha256 (8+ hex digits)")
    p.add_argument("--issuer", metavar="NAME", help="among documents sharing the number, the one whose issuer has NAME")
    p.add_argument("--date", metavar="DATE", help="among documents sharing the number, the one issued on DATE")
    p.add_argument("--with-text", action="store_true",
                   help="also the normalised text the document's offsets index (as vnplan parse --with-text)")
    _format(p, ["text", "json"], "text")
    p.set_defaults(handler=cmd_show, func=run)

    p = subparsers.add_parser(
        "export", parents=[db], help="export records, references or responsibilities (CSV, JSON Lines)",
        description="Write the archive's records, references (with the archived document each one "
                    "resolves to) or responsibilities, in a stable order.",
        epilog="examples:\n  vnplan export --format csv > records.csv\n"
               "  vnplan export --table responsibilities --format csv -o tasks.csv\n"
               "  vnplan export --table all --format csv -o export/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", choices=["records", "references", "responsibilities", "all"],
                   default="records", help="what to export (default: records)")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="a file (a folder for --table all with csv); default: standard output")
    _format(p, ["csv", "jsonl"], "jsonl")
    p.set_defaults(handler=cmd_export, func=run)


# -- helpers ----------------------------------------------------------------------------------

def _die(message: str, code: int = EXIT_USAGE, command: str = "") -> int:
    print(f"vnplan{' ' + command if command else ''}: {message}", file=sys.stderr)
    return code


def _open(args, create: bool = False):
    from .store import default_db, open_store
    return open_store(args.db or default_db(), create=create)


def _show_path(path: str | None) -> str:
    if not path:
        return ""
    try:
        rel = os.path.relpath(path)
        return rel if not rel.startswith("..") else path
    except ValueError:
        return path


def _cut(s: str | None, n: int) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def run(args) -> int:
    """Call the command's handler; library errors become messages, never tracebacks."""
    try:
        return args.handler(args)
    except VnplanError as e:
        return _die(e.message, command=getattr(args, "command", "") or "")
    except KeyboardInterrupt:
        print("\nInterrupted. Everything indexed so far is kept; run the command again to go on.",
              file=sys.stderr)
        return 130
    except BrokenPipeError:   # `vnplan export | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK


# -- index ------------------------------------------------------------------------------------

def cmd_index(args) -> int:
    from .index import index_paths
    from .index import DEFAULT_TIMEOUT
    if args.workers is not None and args.workers < 1:
        return _die("--workers must be at least 1.", command="index")
    timeout = DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    if not timeout >= 0:   # also NaN
        return _die("--timeout must be 0 (no limit) or a number of seconds.", command="index")
    with _open(args, create=True) as store:
        report = index_paths(store, args.paths, workers=args.workers, force=args.force,
                             progress=args.progress, dask=args.dask, prune=args.prune, timeout=timeout)
        total = store.counts()["documents"]
    if args.format == "json":
        print(json.dumps(dict(report.to_dict(), archive=str(store.url), documents=total), ensure_ascii=False))
    else:
        print(f"{report.indexed} indexed, {report.present} already archived, {report.unchanged} unchanged, "
              f"{len(report.failed)} failed in {report.seconds:.1f} s"
              + (f" ({report.rate:.{0 if report.rate >= 10 else 1}f} documents/s)" if report.indexed else "")
              + (f", {report.pruned_files} deleted file(s) pruned ({report.pruned_documents} "
                 "document(s) removed)" if args.prune else "")
              + f"; {total} documents in {store.url}", file=sys.stderr)
        if report.failed:
            print(f"\n{len(report.failed)} file(s) could not be indexed:", file=sys.stderr)
            for f in report.failed:
                print(f"  [{f['code']}] {f['message']}", file=sys.stderr)
    if report.missing:
        # on stderr in both formats: nothing goes silently stale
        n = report.missing
        print(f"{n} archived file{'s' if n != 1 else ''} under the inputs no longer "
              f"exist{'s' if n == 1 else ''}; run again with --prune to drop {'them' if n != 1 else 'it'}",
              file=sys.stderr)
    return EXIT_FAILED if report.failed else EXIT_OK


# -- search -----------------------------------------------------------------------------------

SEARCH_FIELDS = ["rank", "tier", "score", "number_symbol", "doc_type", "issued_date", "issuer", "title",
                 "path", "sha256", "snippet"]


def cmd_search(args) -> int:
    from .search import Filters, parse_query, search
    filters = Filters.build(args.doc_type, args.issuer, args.date_from, args.date_to, args.system)
    with _open(args) as store:
        if args.sql:
            q = parse_query(args.query or "")
            for tier, phrases in q.tiers():
                sql, params = store.match_sql(phrases, filters, args.limit)
                print(f"-- {tier}\n{sql};\n-- parameters: {params!r}", file=sys.stderr)
        res = search(store, args.query, filters=filters, limit=args.limit)
    rows = []
    for i, r in enumerate(res.rows, 1):
        rows.append({"rank": i, "tier": r.get("tier"),
                     "score": round(r["score"], 4) if r.get("score") is not None else None,
                     "number_symbol": r.get("number_symbol"), "doc_type": r.get("doc_type"),
                     "issued_date": r.get("issued_date"), "issuer": r.get("issuer"), "title": r.get("title"),
                     "path": r.get("path"), "sha256": r.get("sha256"),
                     "snippet": (r.get("snippet") or {}).get("text") if r.get("snippet") else None})
    if args.format == "json":
        print(json.dumps({"query": args.query, "results": [
            dict(x, snippet=r.get("snippet")) for x, r in zip(rows, res.rows)]}, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=SEARCH_FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        if not rows:
            print("No documents found." + (" Try fewer words, or without quotes." if args.query else ""),
                  file=sys.stderr)
        for x in rows:
            mark = "" if x["tier"] in (None, "phrase") else "~"
            print(f"{x['rank']:>3}{mark:1} {x['number_symbol'] or '(không số)':<20} {x['issued_date'] or '':<10}  "
                  f"{_cut(x['doc_type'], 12):<12}  {_cut(x['issuer'], 38):<38}  {_show_path(x['path'])}")
            if x["snippet"]:
                print(f"      {x['snippet']}")
        if any(x["tier"] == "all" for x in rows) and len(rows) > 1:
            print("(~: the words are in the document, but not as one phrase)", file=sys.stderr)
    return EXIT_OK if rows else EXIT_FAILED


# -- show -------------------------------------------------------------------------------------

REL_TITLES = {"implements": "Implements", "basis": "Basis (căn cứ)", "cites": "Cites"}
IN_TITLES = {"implements": "Implemented by", "basis": "Taken as basis by", "cites": "Cited by"}


def show_data(store, ref: str, issuer: str | None = None, date: str | None = None,
              with_text: bool = False) -> dict:
    """What ``vnplan show`` prints, as data."""
    from . import graph
    from .search import key_text
    kind, recs = store.find(ref)
    if issuer:
        k = key_text(issuer) or ""
        recs = [r for r in recs if k in (key_text(r.get("issuer")) or "") + " " + (key_text(r.get("parent_organ")) or "")]
    if date:
        recs = [r for r in recs if (r.get("issued_date") or "").startswith(date)]
    out: dict = {"ref": ref, "kind": kind, "records": [], "not_in_archive": None}
    for rec in recs:
        full = store.record(rec["id"], full=True)
        item = {"document": json.loads(full["data"]) if full.get("data") else None,
                "archive": {"sha256": full["sha256"], "path": full["path"], "indexed_at": full["indexed_at"],
                            "parser": full.get("parser")},
                "references": [], "cited_by": []}
        if with_text and item["document"] is not None:
            item["document"]["text"] = full["text"]
        for o in graph.outgoing(store, full):
            item["references"].append({"reference": o["reference"], "resolution": o["resolution"].to_dict()})
        if full.get("number_key"):
            for i in graph.incoming(store, {full["number_key"]}, {full["id"]}):
                item["cited_by"].append({"document": _brief(i["by_document"]), "reference": i["reference"],
                                         "resolution": i["resolution"].to_dict()})
        out["records"].append(item)
    if kind == "number" and not recs:
        k = graph.number_key(ref)
        items = graph.incoming(store, {k}, None) if k else []
        if items:
            groups, loose = graph.group_citations(items)
            out["not_in_archive"] = {
                "documents": [{**{x: g[x] for x in ("number_symbol", "doc_type", "date", "issuer")},
                               "cited_by": [_cited(i) for i in g["citations"]]} for g in groups],
                "unattributed": [_cited(i) for i in loose]}
    return out


def _brief(r: dict) -> dict:
    return {k: r.get(k) for k in ("sha256", "path", "doc_type", "number_symbol", "issued_date", "issuer", "title")}


def _cited(i: dict) -> dict:
    return {"document": _brief(i["by_document"]), "reference": i["reference"]}


def cmd_show(args) -> int:
    with _open(args) as store:
        data = show_data(store, args.ref, args.issuer, args.date, with_text=args.with_text)
    if not data["records"] and not data["not_in_archive"]:
        what = {"path": "no archived document holds this file's content",
                "sha256": "no archived document has this hash"}.get(data["kind"],
                                                                     "no archived document has this number, and none cites it")
        hint = " (--issuer/--date left none)" if (args.issuer or args.date) else ""
        return _die(f"{args.ref}: {what}{hint}. Check the number as printed (30-CT/TW), or index the "
                    "document first.", EXIT_FAILED, command="show")
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return EXIT_OK
    print_show(data)
    return EXIT_OK


def _doc_line(d: dict) -> str:
    bits = [d.get("doc_type"), d.get("number_symbol") or "(không số)", d.get("issued_date") or d.get("date"),
            d.get("issuer")]
    return " · ".join(b for b in bits if b)


def _res_text(res: dict) -> str:
    st = res["status"]
    if st == "resolved":
        r = res["records"][0]
        return f"in the archive: {_show_path(r['path'])}"
    if st == "ambiguous":
        return (f"AMBIGUOUS: {len(res['records'])} archived documents carry this number and nothing "
                "tells them apart: " + "; ".join(f"{_doc_line(r)} ({_show_path(r['path'])})" for r in res["records"]))
    if st == "unresolved":
        return "not in the archive; same number, other document: " + "; ".join(
            f"{_doc_line(r)} ({r['conflict']})" for r in res["near"])
    return "not in the archive"


def print_show(data: dict) -> None:
    out = sys.stdout.write
    recs = data["records"]
    if len(recs) > 1:
        out(f"{data['ref']}: {len(recs)} archived documents carry this number (different bodies or "
            "years); each is shown on its own. Narrow with --issuer or --date.\n\n")
    for item in recs:
        d = item["document"] or {}
        h = d.get("header") or {}
        a = item["archive"]
        out(_doc_line(h) + (f"  ({d['system']})" if d.get("system") else "") + "\n")
        if h.get("parent_organ"):
            out(f"  under: {h['parent_organ']}\n")
        if h.get("title"):
            out(f"  {_cut(h['title'], 160)}\n")
        sig = d.get("signature") or {}
        if sig.get("signer"):
            out(f"  signed: {' '.join(sig.get('authority_lines') or [])} {sig.get('position') or ''} {sig['signer']}".rstrip() + "\n")
        out(f"  file: {_show_path(a['path'])}\n  sha256: {a['sha256']}\n")
        out(f"  {len(d.get('sections') or [])} top-level sections, {len(d.get('references') or [])} references, "
            f"{len(d.get('responsibilities') or [])} responsibilities, {len(d.get('findings') or [])} findings\n")
        for rel, title in REL_TITLES.items():
            refs = [r for r in item["references"] if r["reference"]["relation"] == rel]
            if refs:
                out(f"\n{title}\n")
                for r in refs:
                    out(f"  → {_doc_line(r['reference'])}\n      {_res_text(r['resolution'])}\n")
        for rel, title in IN_TITLES.items():
            cits = [c for c in item["cited_by"] if c["reference"]["relation"] == rel]
            if cits:
                out(f"\n{title} (in the archive)\n")
                for c in cits:
                    flag = "" if c["resolution"]["status"] == "resolved" else \
                        "   [AMBIGUOUS: the reference could also mean another document with this number]"
                    out(f"  ← {_doc_line(c['document'])}  {_show_path(c['document']['path'])}{flag}\n")
        resp = d.get("responsibilities") or []
        if resp:
            out("\nResponsibilities\n")
            for r in resp:
                task = f": {_cut(r.get('task'), 100)}" if r.get("task") else ""
                dl = f" (hạn: {r['deadline']})" if r.get("deadline") else ""
                out(f"  {r.get('role') or '':<10} {_cut(r.get('actor'), 70)}{task}{dl}\n")
        if d.get("text"):
            out("\nText\n" + d["text"].rstrip("\n") + "\n")
        out("\n")
    nia = data["not_in_archive"]
    if nia:
        docs = nia["documents"]
        out(f"{data['ref']} is not in the archive.")
        if len(docs) > 1:
            out(f" The citations name {len(docs)} different documents with this number (different dates "
                "or issuers); they are listed apart.")
        out("\n")
        for g in docs:
            out(f"\n{_doc_line(g)}\n")
            for c in g["cited_by"]:
                rel = c["reference"]["relation"]
                out(f"  ← {rel:<10} {_doc_line(c['document'])}  {_show_path(c['document']['path'])}\n")
        if nia["unattributed"]:
            out("\nAMBIGUOUS: these cite the number without a date or issuer that tells which of the above:\n")
            for c in nia["unattributed"]:
                out(f"  ← {c['reference']['relation']:<10} {_doc_line(c['document'])}  {_show_path(c['document']['path'])}\n")


# -- export -----------------------------------------------------------------------------------

def cmd_export(args) -> int:
    from . import export
    tables = list(export.TABLES) if args.table == "all" else [args.table]
    with _open(args) as store:
        if args.table == "all" and args.format == "csv":
            if not args.output:
                return _die("--table all --format csv writes three files: give a folder with -o export/.",
                            command="export")
            folder = Path(args.output)
            folder.mkdir(parents=True, exist_ok=True)
            for t in tables:
                with open(folder / f"{t}.csv", "w", encoding="utf-8", newline="") as f:
                    n = export.write(store, t, "csv", f)
                print(f"{n} rows -> {folder / (t + '.csv')}", file=sys.stderr)
            return EXIT_OK
        f = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
        try:
            for t in tables:
                export.write(store, t, args.format, f, tag=len(tables) > 1)
        finally:
            if args.output:
                f.close()
    return EXIT_OK


def main(argv=None) -> int:
    """These commands on their own (``python -m vnplan_nlp.archive``)."""
    parser = argparse.ArgumentParser(prog="vnplan", description="The vnplan archive: index, search, show, export.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register(sub)
    args = parser.parse_args(argv)
    return run(args)

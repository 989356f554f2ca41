"""The ``vnplan`` command: a thin shell over the library.

Each command parses its arguments, calls the library and turns domain errors into a
clean message that says what to do. Exit status: 0 ok, 1 some input failed (or, for
``check``, errors were found), 2 the command could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .errors import ReadError, VnplanError
from .read import iter_inputs


def _out(s: str) -> None:
    sys.stdout.write(s)
    if not s.endswith("\n"):
        sys.stdout.write("\n")


def _err(s: str) -> None:
    sys.stderr.write(s.rstrip("\n") + "\n")


# -- parse ------------------------------------------------------------------------------------

def _error_record(path: str, e: VnplanError) -> dict:
    return {"source": {"path": path}, "error": e.to_dict()}


def format_text(doc) -> str:
    """A readable view of one parsed document."""
    h = doc.header
    lines = [f"== {doc.source.path} ({doc.source.format}, {doc.system or 'system unknown'})"]
    lines += [f"  ! {w}" for w in doc.source.warnings]      # what the reader could not read as it should

    def row(label, value, key=None):
        ev = h.evidence.get(key or label) if key or label else None
        lines.append(f"  {label:<14}{value if value is not None else '—'}" + (f"   [from {ev}]" if ev else ""))

    row("parent_organ", h.parent_organ)
    row("issuer", h.issuer)
    row("number_line", h.number_line)
    row("number_symbol", h.number_symbol)
    row("place", h.place)
    row("issued_date", h.issued_date)
    row("doc_type", h.doc_type)
    row("title", h.title)
    if doc.sections:
        lines.append("  sections:")
        for s in doc.iter_sections():
            if s.kind.startswith("bullet"):
                continue
            lines.append(f"  {'  ' * s.level}{s.marker} {s.title or ''}".rstrip()
                         + f"   (line {doc.line_of(s.start)})")
    if doc.recipients:
        lines.append("  recipients:")
        lines.extend(f"    - {r.text}" for r in doc.recipients)
    for sig in doc.signatures:
        lines.append("  signature: " + " / ".join(sig.authority_lines + [sig.position or "", sig.signer or ""]))
    if doc.appendices:
        lines.append("  appendices: " + "; ".join(f"{p.label} {p.title or ''}".strip() for p in doc.appendices))
    if doc.references:
        lines.append(f"  references ({len(doc.references)}):")
        for r in doc.references:
            if r.refers_to is None:
                lines.append(f"    {r.relation:<10} {r.doc_type or ''} {r.number_symbol or r.name or ''}"
                             f" {r.date or ''} {r.issuer or ''}".rstrip())
    if doc.dates:
        lines.append(f"  dates: {len(doc.dates)}")
    if doc.responsibilities:
        lines.append(f"  responsibilities ({len(doc.responsibilities)}):")
        for r in doc.responsibilities:
            lines.append(f"    {r.role:<10} {r.actor}" + (f"  (hạn: {r.deadline})" if r.deadline else ""))
    return "\n".join(lines)


def cmd_parse(args) -> int:
    from .parse import parse_path
    failed = 0
    records: list[dict] = []
    texts: list[str] = []
    paths = list(iter_inputs(args.paths))
    if not paths:
        _err("vnplan parse: no .txt, .md, .docx, .doc or .pdf files found in " + ", ".join(args.paths))
        return 2
    for p in paths:
        try:
            doc = parse_path(p, extract=not args.no_extract)
        except VnplanError as e:
            failed += 1
            rec = _error_record(str(p), e)
            _err(f"vnplan parse: {e.message}")
            if args.format == "jsonl":
                _out(json.dumps(rec, ensure_ascii=False))
            elif args.format == "json":
                records.append(rec)
            continue
        if args.format == "jsonl":
            _out(json.dumps(doc.to_dict(with_text=args.with_text), ensure_ascii=False))
        elif args.format == "json":
            records.append(doc.to_dict(with_text=args.with_text))
        else:
            texts.append(format_text(doc))
            if args.with_text:
                texts.append(doc.text)
    if args.format == "json":
        payload = records[0] if len(paths) == 1 and len(records) == 1 else records
        _out(json.dumps(payload, ensure_ascii=False, indent=2))
    elif args.format == "text":
        _out("\n\n".join(texts) if texts else "")
    if failed:
        _err(f"vnplan parse: {failed} of {len(paths)} input(s) could not be read")
    return 1 if failed else 0


# -- evaluate ---------------------------------------------------------------------------------

def cmd_evaluate(args) -> int:
    from . import settings
    from .evaluate import evaluate, format_report
    corpus = Path(args.corpus) if args.corpus else settings.corpus_dir()
    if not (corpus / "gold").is_dir():
        _err(f"vnplan evaluate: no corpus at {corpus} (expected docs/ and gold/). "
             "Set VNPLAN_CORPUS or pass --corpus.")
        return 2
    rep = evaluate(corpus, raw=not args.no_raw)
    _out(format_report(rep, misses=not args.quiet))
    return 0


# -- main -------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="vnplan",
        description="Read Vietnamese Party and State plan documents into checked, searchable structure.")
    ap.add_argument("--version", action="version", version=f"vnplan {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("parse", help="parse documents into the JSON of the contract",
                       description="Parse documents (.txt .md .docx .doc .pdf, or folders of them) into "
                                   "header, sections, recipients, signature, references, dates and "
                                   "responsibilities. One bad input never stops the batch; exit 1 if any failed.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (read recursively)")
    p.add_argument("--format", choices=("json", "jsonl", "text"), default="json",
                   help="json: one object (an array for several inputs); jsonl: one per line; text: readable")
    p.add_argument("--with-text", action="store_true", help="include the normalised text the offsets index")
    p.add_argument("--no-extract", action="store_true",
                   help="structure only: skip references, dates, bodies and responsibilities")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("evaluate", help="score parse against the corpus gold files",
                       description="Per-field accuracy of parse (number_symbol, doc_type, issued_date, issuer, "
                                   "signer) against every gold file of the corpus, and the misses.")
    p.add_argument("--corpus", help="the corpus folder (default: VNPLAN_CORPUS or ../shared/corpus)")
    p.add_argument("--no-raw", action="store_true", help="skip the .docx/.doc/.pdf files")
    p.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    p.set_defaults(func=cmd_evaluate)

    for mod in ("check_commands", "tasks_commands", "archive.commands", "train_commands"):
        try:
            module = __import__(f"vnplan_nlp.{mod}", fromlist=["register"])
        except ImportError as e:
            if e.name and e.name.startswith("vnplan_nlp"):
                continue
            raise
        module.register(sub)
    for name in ("parse", "check", "tasks", "index"):     # the commands that read documents
        if name in sub.choices:
            sub.choices[name].add_argument(
                "--ocr", action="store_true",
                help="read scanned PDF pages and page images (.png .jpg .tif) with OCR (Tesseract, "
                     "Vietnamese; a second or more a page); also VNPLAN_OCR=1")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if not getattr(args, "func", None):
        ap.print_help()
        return 2
    if getattr(args, "ocr", False):
        os.environ["VNPLAN_OCR"] = "1"      # read by the readers here and in parsing workers
    try:
        return args.func(args)
    except ReadError as e:
        _err(f"vnplan {args.command}: {e.message}")
        return 1
    except VnplanError as e:
        _err(f"vnplan {args.command}: {e.message}")
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())

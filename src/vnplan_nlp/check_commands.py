"""``vnplan check``: review a draft against its rule pack and, with --parent, its parents.

Exit status: 0 no error-level finding, 1 errors found, 2 the check could not run (an
unreadable draft or parent, an unknown rule pack).
"""

from __future__ import annotations

import json
import sys

from .errors import VnplanError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "check", help="review a draft: format rules, internal consistency, compliance with its parent",
        description="Check DRAFT against the rule pack in force on its date (Party: 66-QĐ/TW + 36-HD/VPTW, "
                    "399-QĐ/TW + 05-HD/VPTW; State: NĐ 30/2020/NĐ-CP) and, with --parent, against the "
                    "directive or plan it implements. Exit 0: no error; 1: errors found; 2: could not run.")
    p.add_argument("draft", metavar="DRAFT", help="the draft (.txt .md .docx .doc .pdf)")
    p.add_argument("--parent", action="append", default=[], metavar="PATH",
                   help="a document the draft implements (repeat for several)")
    p.add_argument("--rules", default="auto", choices=("auto", "party-2017", "party-2026", "state-2020"),
                   help="rule pack (default: chosen by the document's system and date)")
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="text: readable review; json: the document object with findings; html: a review page")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the messages")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.set_defaults(func=cmd_check)


def _err(s: str) -> None:
    sys.stderr.write(s.rstrip("\n") + "\n")


def cmd_check(args) -> int:
    from .check import check
    from .parse import parse_path
    from .report import render_html, render_text
    try:
        draft = parse_path(args.draft)
    except VnplanError as e:
        _err(f"vnplan check: cannot read the draft: {e.message}")
        return 2
    parents = []
    for path in args.parent:
        try:
            parents.append(parse_path(path))
        except VnplanError as e:
            _err(f"vnplan check: cannot read the parent: {e.message}")
            return 2
    try:
        review = check(draft, rules=args.rules, parents=parents, lang=args.lang)
    except VnplanError as e:
        _err(f"vnplan check: {e.message}")
        return 2
    if args.format == "json":
        out = json.dumps(review.to_dict(), ensure_ascii=False, indent=2)
    elif args.format == "html":
        out = render_html(review)
    else:
        out = render_text(review)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(out if out.endswith("\n") else out + "\n")
        except OSError as e:
            _err(f"vnplan check: cannot write {args.output}: {e.strerror}; choose another path")
            return 2
    else:
        sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 1 if review.errors else 0

"""``vnplan tasks``: the responsibility matrix of one plan or of a folder of plans.

Who must do what, by when, reporting to whom: one row per responsibility (actor, role,
task, deadline, report_to, document), grouped by actor, sortable by deadline. A thin shell
over :func:`vnplan_nlp.responsibilities.find_responsibilities`; one bad input never stops
the batch (it is reported and the exit status is 1).
"""

from __future__ import annotations

import csv
import html
import io
import json
import sys
from dataclasses import dataclass

from .errors import VnplanError
from .normalise import fold_tones, strip_diacritics

FORMATS = ("table", "csv", "json", "html")
SORTS = ("deadline", "actor", "document")
ROLE_VI = {"lead": "chủ trì", "coordinate": "phối hợp", "execute": "thực hiện"}
COLUMNS = ("actor", "role", "task", "deadline", "report_to", "request", "section", "document")


@dataclass
class Row:
    actor: str
    actor_body: str
    role: str
    task: str | None
    deadline: str | None
    report_to: str | None
    request: bool
    section: str | None
    document: str
    start: int
    end: int
    due: tuple           # deadline_sort_key
    deadline_value: object = None

    def to_dict(self) -> dict:
        return {"actor": self.actor, "actor_body": self.actor_body, "role": self.role, "task": self.task,
                "deadline": self.deadline, "deadline_value": self.deadline_value, "report_to": self.report_to,
                "request": self.request, "section": self.section, "document": self.document,
                "start": self.start, "end": self.end}


def _fold(s: str) -> str:
    """Accent- and case-insensitive form for --actor."""
    return " ".join(strip_diacritics(fold_tones(s)).lower().split())


def _display(actor: str) -> str:
    """A group's name: the first actor as printed, short forms spelled out."""
    from .responsibilities import _expand
    s = " ".join(_expand(actor).split())
    return s[:1].upper() + s[1:]


def rows_of(paths, actor_filter: str | None = None, role: str | None = None):
    """(rows, errors) for the inputs: rows of every responsibility, errors as records."""
    from .parse import parse_path
    from .read import iter_inputs
    from .responsibilities import deadline_sort_key, find_responsibilities
    rows: list[Row] = []
    errors: list[dict] = []
    want = _fold(actor_filter) if actor_filter else None
    files = list(iter_inputs(paths))
    for p in files:
        try:
            doc = parse_path(p)
        except VnplanError as e:
            errors.append({"source": {"path": str(p)}, "error": e.to_dict()})
            continue
        found = doc.responsibilities or find_responsibilities(doc)
        for r in found:
            if want and want not in _fold(r.actor) and want not in _fold(r.actor_body or ""):
                continue
            if role and r.role != role:
                continue
            rows.append(Row(actor=r.actor, actor_body=r.actor_body or r.actor, role=r.role, task=r.task,
                            deadline=r.deadline, report_to=r.report_to, request=r.request, section=r.section,
                            document=str(p), start=r.start, end=r.end,
                            due=deadline_sort_key(r, doc.header.issued_date), deadline_value=r.deadline_value))
    return rows, errors, files


def grouped(rows: list[Row], sort: str) -> list[tuple[str, list[Row]]]:
    """Rows grouped by actor (its normalised name), groups in order of their first row."""
    key = {
        "deadline": lambda r: (r.due, r.document, r.start),
        "actor": lambda r: (_fold(r.actor_body), r.document, r.start),
        "document": lambda r: (r.document, r.start),
    }[sort]
    ordered = sorted(rows, key=key)
    groups: dict[str, list[Row]] = {}
    names: dict[str, str] = {}
    for r in ordered:
        k = _fold(r.actor_body)
        groups.setdefault(k, []).append(r)
        names.setdefault(k, _display(r.actor))
    out = [(names[k], v) for k, v in groups.items()]
    if sort == "actor":
        out.sort(key=lambda g: _fold(g[0]))
    return out


# -- formats ----------------------------------------------------------------------------------

def _cut(s: str | None, n: int) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def format_table(groups, files) -> str:
    lines = []
    n = sum(len(v) for _, v in groups)
    many = len(files) > 1
    lines.append(f"{n} trách nhiệm, {len(groups)} chủ thể" + (f", {len(files)} văn bản" if many else ""))
    for name, rs in groups:
        lines.append("")
        lines.append(f"== {name} ({len(rs)})")
        for r in rs:
            role = ROLE_VI.get(r.role, r.role) + (" (đề nghị)" if r.request else "")
            where = f"{r.document}:{r.section}" if many else (r.section or "")
            lines.append(f"  {role:<22} {_cut(r.deadline, 28) or '—':<28}  {_cut(r.task, 90)}")
            extra = []
            if r.report_to:
                extra.append(f"báo cáo: {_cut(r.report_to, 70)}")
            if where:
                extra.append(f"mục {where}")
            if r.actor != name:
                extra.append(f"như in: {_cut(r.actor, 60)}")
            if extra:
                lines.append(" " * 26 + "; ".join(extra))
    return "\n".join(lines)


def format_csv(groups) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["actor_group", *COLUMNS, "start", "end"])
    for name, rs in groups:
        for r in rs:
            w.writerow([name, r.actor, r.role, r.task or "", r.deadline or "", r.report_to or "",
                        "true" if r.request else "false", r.section or "", r.document, r.start, r.end])
    return buf.getvalue()


def format_json(groups, errors) -> str:
    return json.dumps({
        "schema": "vnplan.tasks/1",
        "groups": [{"actor": name, "responsibilities": [r.to_dict() for r in rs]} for name, rs in groups],
        "errors": errors,
    }, ensure_ascii=False, indent=2)


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3em .5em;
border-bottom:1px solid #eee;font-size:.92em}th{background:#f5f5f5}.lead{color:#0b5}.coordinate{color:#06c}
.execute{color:#555}.req{color:#b50}.muted{color:#888}"""


def format_html(groups, files, errors) -> str:
    e = html.escape
    n = sum(len(v) for _, v in groups)
    out = ["<!DOCTYPE html>", '<html lang="vi"><head><meta charset="utf-8">',
           "<title>Ma trận trách nhiệm</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>Ma trận trách nhiệm</h1>",
           f'<p class="muted">{n} trách nhiệm, {len(groups)} chủ thể, {len(files)} văn bản</p>']
    if errors:
        out.append("<ul>" + "".join(f"<li class=\"req\">{e(x['source']['path'])}: {e(x['error']['message'])}</li>"
                                     for x in errors) + "</ul>")
    for name, rs in groups:
        out.append(f"<h2>{e(name)} <span class=\"muted\">({len(rs)})</span></h2>")
        out.append("<table><tr><th>Vai trò</th><th>Nhiệm vụ</th><th>Thời hạn</th><th>Báo cáo</th>"
                   "<th>Văn bản, mục</th></tr>")
        for r in rs:
            role = e(ROLE_VI.get(r.role, r.role))
            req = ' <span class="req">(đề nghị)</span>' if r.request else ""
            printed = f'<br><span class="muted">{e(r.actor)}</span>' if r.actor != name else ""
            out.append(f'<tr><td class="{e(r.role)}">{role}{req}</td><td>{e(r.task or "")}{printed}</td>'
                       f'<td>{e(r.deadline or "—")}</td><td>{e(r.report_to or "")}</td>'
                       f'<td>{e(r.document)} {e(r.section or "")}</td></tr>')
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


# -- the command ------------------------------------------------------------------------------

def cmd_tasks(args) -> int:
    rows, errors, files = rows_of(args.paths, args.actor, args.role)
    if not files:
        sys.stderr.write("vnplan tasks: no .txt, .md, .docx, .doc or .pdf files found in "
                         + ", ".join(args.paths) + "\n")
        return 2
    for x in errors:
        sys.stderr.write(f"vnplan tasks: {x['error']['message']}\n")
    groups = grouped(rows, args.sort)
    if args.format == "table":
        text = format_table(groups, files)
    elif args.format == "csv":
        text = format_csv(groups)
    elif args.format == "json":
        text = format_json(groups, errors)
    else:
        text = format_html(groups, files, errors)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if errors:
        sys.stderr.write(f"vnplan tasks: {len(errors)} of {len(files)} input(s) could not be read\n")
    return 1 if errors else 0


def register(sub) -> None:
    p = sub.add_parser(
        "tasks", help="the responsibility matrix: who must do what, by when",
        description="Responsibilities of plans (files or folders): actor, role (chủ trì / phối hợp / "
                    "thực hiện), task, deadline, report_to and document, grouped by actor. One bad input "
                    "never stops the batch; exit 1 if any failed.")
    p.add_argument("paths", nargs="+", metavar="FILE", help="files or folders (read recursively)")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="table: readable; csv: one row per responsibility; json: groups of rows; "
                        "html: a self-contained page")
    p.add_argument("--sort", choices=SORTS, default="document",
                   help="order of rows (and of groups for 'actor'): by deadline, actor or document order")
    p.add_argument("--actor", metavar="FILTER",
                   help="only actors containing this text (accents and case ignored: 'so noi vu')")
    p.add_argument("--role", choices=("lead", "coordinate", "execute"), help="only this role")
    p.set_defaults(func=cmd_tasks)

"""Reports of a review: a terminal view and a self-contained HTML page.

The text view groups findings by severity, each with its line number, rule, message and
the offending text. The HTML page shows the document line by line with every finding's
span highlighted and the finding beside its line, then the parent coverage table. Every
piece of document text goes through ``html.escape``: a draft is untrusted input.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from .models import Finding

if TYPE_CHECKING:
    from .check import Review

SEV_ORDER = ("error", "warning", "info")
_LABELS = {
    "vi": {"error": "LỖI", "warning": "CẢNH BÁO", "info": "GHI CHÚ", "line": "dòng", "source": "căn cứ",
           "expected": "cần", "pack": "Bộ quy tắc", "none": "Không có phát hiện nào.",
           "coverage": "ĐỐI CHIẾU VỚI VĂN BẢN CẤP TRÊN", "not_run": "Quy tắc chưa chạy",
           "covered": "đã có", "partial": "một phần", "uncovered": "CHƯA CÓ", "na": "không áp dụng",
           "summary": "{e} lỗi, {w} cảnh báo, {i} ghi chú", "item": "Nhiệm vụ của văn bản cấp trên",
           "best": "Đoạn tương ứng trong dự thảo", "score": "Điểm", "status": "Kết quả",
           "title": "Kết quả rà soát", "findings": "Các phát hiện", "document": "Văn bản",
           "reading": "Lưu ý khi đọc tệp"},
    "en": {"error": "ERRORS", "warning": "WARNINGS", "info": "NOTES", "line": "line", "source": "source",
           "expected": "expected", "pack": "Rule pack", "none": "No findings.",
           "coverage": "COVERAGE OF THE PARENT", "not_run": "Rules not run",
           "covered": "covered", "partial": "partial", "uncovered": "UNCOVERED", "na": "not applicable",
           "summary": "{e} errors, {w} warnings, {i} notes", "item": "Parent task",
           "best": "Best draft passage", "score": "Score", "status": "Status",
           "title": "Review", "findings": "Findings", "document": "Document",
           "reading": "Reading the file"},
}


def _L(lang: str) -> dict[str, str]:
    return _LABELS.get(lang, _LABELS["vi"])


def _snippet(text: str, start: int, end: int, width: int = 110) -> str:
    s = text[start:end]
    s = s.replace("\n", " ⏎ ")
    if len(s) > width:
        s = s[: width - 1] + "…"
    return s


def _doc_title(review: "Review") -> str:
    d = review.doc
    h = d.header
    bits = [h.doc_type or "?"]
    if h.number_symbol:
        bits.append(h.number_symbol)
    who = f" ({h.issuer})" if h.issuer else ""
    when = f", {h.issued_date}" if h.issued_date else ""
    return f"{' '.join(bits)}{who}{when}"


def _counts(review: "Review") -> dict[str, int]:
    return {s: sum(1 for f in review.doc.findings if f.severity == s) for s in SEV_ORDER}


def render_text(review: "Review") -> str:
    lang = review.lang
    L = _L(lang)
    d = review.doc
    c = _counts(review)
    out = [f"== {d.source.path} — {_doc_title(review)}",
           f"   {L['pack']}: {review.pack.name} — {review.pack.title} [{review.pack_reason}]",
           "   " + L["summary"].format(e=c["error"], w=c["warning"], i=c["info"]), ""]
    if d.source.warnings:           # pages missing or read by OCR: the review covers what was read
        out += [f"{L['reading']}:"] + [f"  - {w}" for w in d.source.warnings] + [""]
    if not d.findings:
        out.append(L["none"])
    for sev in SEV_ORDER:
        items = [f for f in d.findings if f.severity == sev]
        if not items:
            continue
        out.append(f"{L[sev]} ({len(items)})")
        for f in items:
            out.extend(_text_finding(d, f, L))
        out.append("")
    if d.coverage:
        out.append(L["coverage"])
        out.extend(_text_coverage(review, L))
        out.append("")
    if review.not_run:
        out.append(f"{L['not_run']}: " + "; ".join(f"{r} ({w.split(' / ')[0 if lang == 'vi' else -1]})"
                                                      for r, w in review.not_run))
    return "\n".join(out).rstrip() + "\n"


def _text_finding(d, f: Finding, L) -> list[str]:
    line = d.line_of(f.start)
    rows = [f"  {L['line']} {line:<4} [{f.rule}] {f.message}"]
    if f.end > f.start:
        rows.append(f"           | {_snippet(d.text, f.start, f.end)}")
    if f.source:
        rows.append(f"           {L['source']}: {f.source}")
    return rows


def _text_coverage(review: "Review", L) -> list[str]:
    d = review.doc
    rows = []
    for row in d.coverage:
        item = row.item
        best = row.covered_by[0] if row.covered_by else None
        score = f"{best['score']:.2f}" if best else "—"
        status = L.get(row.status, row.status)
        if item.get("applies") is False:
            status += f" ({L['na']})"
        text = " ".join(str(item.get("text", "")).split())
        rows.append(f"  {row.parent} {item.get('label', ''):<8} {status:<10} {score:>5}  {text[:90]}")
        if best:
            rows.append(f"  {'':>{len(row.parent)}} {'':<8} -> {L['line']} {d.line_of(best['start'])}: "
                        f"{_snippet(d.text, best['start'], best['end'], 90)}")
    return rows


# -- HTML ------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{padding:16px 24px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 6px} h2{font-size:17px;margin:24px 24px 8px}
.meta{color:#555;font-size:13px}
.counts span{display:inline-block;margin-right:12px;padding:2px 8px;border-radius:10px;font-size:13px}
.c-error{background:#fde2e1;color:#9b1c1c}.c-warning{background:#fff3cd;color:#7a5300}.c-info{background:#e3eefc;color:#1e4e8c}
table.doc{border-collapse:collapse;width:calc(100% - 48px);margin:0 24px;background:#fff;font-size:14px}
table.doc td{vertical-align:top;border-bottom:1px solid #f0f0f0;padding:3px 8px}
td.ln{color:#999;text-align:right;width:3em;user-select:none;font-family:ui-monospace,monospace;font-size:12px}
td.tx{white-space:pre-wrap;word-break:break-word;width:58%}
td.nt{width:38%}
mark{padding:0 1px;border-radius:2px}
mark.error{background:#f8b4b4} mark.warning{background:#fde68a} mark.info{background:#bfdbfe}
.note{margin:2px 0 6px;padding:4px 8px;border-left:4px solid;font-size:13px;background:#fcfcfc}
.note.error{border-color:#c81e1e}.note.warning{border-color:#d69e2e}.note.info{border-color:#3f83f8}
.note .rule{font-family:ui-monospace,monospace;font-size:11px;color:#555}
.note .src{color:#777;font-size:11px}
table.cov{border-collapse:collapse;margin:0 24px 24px;width:calc(100% - 48px);background:#fff;font-size:13px}
table.cov th,table.cov td{border:1px solid #e5e5e5;padding:4px 6px;vertical-align:top;text-align:left}
.st-covered{color:#046c4e}.st-partial{color:#8a5a00}.st-uncovered{color:#9b1c1c;font-weight:600}
ul.find{margin:0 24px;padding-left:18px;font-size:13px}
footer{margin:24px;color:#777;font-size:12px}
"""

_RANK = {"error": 0, "warning": 1, "info": 2}


def _e(s) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def render_html(review: "Review") -> str:
    lang = review.lang
    L = _L(lang)
    d = review.doc
    c = _counts(review)
    parts = ["<!DOCTYPE html>", f'<html lang="{_e(lang)}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_e(L['title'])}: {_e(d.source.path)}</title><style>{_CSS}</style></head><body>",
             "<header>", f"<h1>{_e(L['title'])}: {_e(_doc_title(review))}</h1>",
             f'<div class="meta">{_e(d.source.path)} · {_e(L["pack"])}: <b>{_e(review.pack.name)}</b> — '
             f"{_e(review.pack.title)} · {_e(review.pack_reason)}</div>",
             '<div class="counts">' + "".join(
                 f'<span class="c-{s}">{_e(L[s])}: {c[s]}</span>' for s in SEV_ORDER) + "</div>", "</header>"]
    if d.source.warnings:
        parts.append(f'<p class="meta" style="margin:0 24px"><b>{_e(L["reading"])}:</b> '
                     + "; ".join(_e(w) for w in d.source.warnings) + "</p>")
    # the findings list, each linking to its line
    parts.append(f"<h2>{_e(L['findings'])}</h2>")
    if d.findings:
        parts.append('<ul class="find">')
        for f in sorted(d.findings, key=lambda f: (_RANK.get(f.severity, 9), f.start)):
            ln = d.line_of(f.start)
            parts.append(f'<li><a href="#L{ln}">{_e(L["line"])} {ln}</a> · <span class="rule">'
                         f"{_e(f.rule)}</span> · {_e(f.message)}</li>")
        parts.append("</ul>")
    else:
        parts.append(f'<p style="margin:0 24px">{_e(L["none"])}</p>')
    # the document with highlights and notes
    parts.append(f"<h2>{_e(L['document'])}</h2>")
    parts.append('<table class="doc">')
    parts.extend(_html_lines(d, L))
    parts.append("</table>")
    if d.coverage:
        parts.append(f"<h2>{_e(L['coverage'])}</h2>")
        parts.extend(_html_coverage(review, L))
    if review.not_run:
        parts.append(f"<footer>{_e(L['not_run'])}: " + "; ".join(
            f"{_e(r)} ({_e(w)})" for r, w in review.not_run) + "</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_lines(d, L) -> list[str]:
    text = d.text
    findings = sorted(d.findings, key=lambda f: (f.start, f.end))
    rows = []
    pos = 0
    n = 1
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        hits = [f for f in findings if f.start < end and f.end > pos or (f.start == f.end and pos <= f.start <= end)]
        starts_here = [f for f in findings if pos <= f.start <= end and (nl < 0 or f.start < end or f.start == pos)]
        rows.append(f'<tr id="L{n}"><td class="ln">{n}</td><td class="tx">{_marked(text, pos, end, hits)}</td>'
                    f'<td class="nt">{"".join(_note(f, L) for f in starts_here)}</td></tr>')
        if nl < 0:
            break
        pos = nl + 1
        n += 1
    return rows


def _marked(text: str, a: int, b: int, hits: list[Finding]) -> str:
    """The line text[a:b] with each finding's span wrapped in <mark> (worst severity wins)."""
    if not hits:
        return _e(text[a:b])
    cuts = {a, b}
    for f in hits:
        cuts.add(min(max(f.start, a), b))
        cuts.add(min(max(f.end, a), b))
    cuts_l = sorted(cuts)
    out = []
    for x, y in zip(cuts_l, cuts_l[1:]):
        seg = text[x:y]
        cover = [f for f in hits if f.start <= x and f.end >= y and f.end > f.start]
        if cover:
            sev = min((f.severity for f in cover), key=lambda s: _RANK.get(s, 9))
            title = " | ".join(f"{f.rule}: {f.message}" for f in cover)
            out.append(f'<mark class="{_e(sev)}" title="{_e(title)}">{_e(seg)}</mark>')
        else:
            out.append(_e(seg))
    return "".join(out)


def _note(f: Finding, L) -> str:
    exp = f' <b>{_e(L["expected"])}:</b> {_e(f.expected)}' if f.expected else ""
    return (f'<div class="note {_e(f.severity)}"><div class="rule">{_e(f.rule)} · {_e(L.get(f.severity, f.severity))}'
            f"</div>{_e(f.message)}{exp}<div class=\"src\">{_e(L['source'])}: {_e(f.source)}</div></div>")


def _html_coverage(review: "Review", L) -> list[str]:
    d = review.doc
    rows = ['<table class="cov"><tr>'
            f"<th>{_e(L['item'])}</th><th>{_e(L['status'])}</th><th>{_e(L['score'])}</th><th>{_e(L['best'])}</th></tr>"]
    for row in d.coverage:
        item = row.item
        best = row.covered_by[0] if row.covered_by else None
        status = L.get(row.status, row.status)
        if item.get("applies") is False:
            status += f" ({L['na']})"
        if best:
            ln = d.line_of(best["start"])
            where = (f'<a href="#L{ln}">{_e(L["line"])} {ln}</a>: '
                     f"{_e(_snippet(d.text, best['start'], best['end'], 240))}")
            score = f"{best['score']:.2f}"
        else:
            where, score = "—", "—"
        rows.append(f"<tr><td><b>{_e(row.parent)} {_e(item.get('label', ''))}</b> {_e(item.get('text', ''))}</td>"
                    f'<td class="st-{_e(row.status)}">{_e(status)}</td><td>{_e(score)}</td><td>{where}</td></tr>')
    rows.append("</table>")
    return rows

"""Reports: the terminal view and the HTML review page."""

from __future__ import annotations

import html
import re

from vnplan_nlp.check import check
from vnplan_nlp.parse import parse_text
from vnplan_nlp.report import render_html, render_text

HOSTILE = """ĐẢNG BỘ TỈNH HƯNG YÊN
ĐẢNG ỦY SỞ <script>alert("x")</script> & CO
*
Số: 7/KH-ĐU
ĐẢNG CỘNG SẢN VIỆT NAM
Hưng Yên, ngày 5 tháng 6 năm 2024
KẾ HOẠCH
Về việc <b>tuyên truyền</b> & "học tập"
I- MỤC ĐÍCH
1- Nội dung <img src=x onerror=alert(1)> một.
1- Nội dung & hai.
Nơi nhận:
- Lưu VT.
T/M ĐẢNG ỦY
BÍ THƯ
Nguyễn Văn A
"""


def _review(text=HOSTILE, **kw):
    doc = parse_text(text, "hostile <draft>.txt")
    return check(doc, **kw)


def test_html_escapes_every_piece_of_document_text():
    page = render_html(_review())
    assert "<script>" not in page and "<img" not in page and "<b>tuyên" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "hostile &lt;draft&gt;.txt" in page
    # every bare "&" in the page starts an entity
    assert not re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", page)
    # the only tags are the page's own
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", page))
    assert tags <= {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "div", "span", "b",
                    "ul", "li", "a", "p", "table", "tr", "td", "th", "mark", "footer"}


def test_html_highlights_each_finding_beside_its_line():
    rv = _review()
    page = render_html(rv)
    doc = rv.doc
    assert doc.findings
    for f in doc.findings:
        line = doc.line_of(f.start)
        row = re.search(rf'<tr id="L{line}">.*?</tr>', page, re.S).group(0)
        assert html.escape(f.message, quote=True) in row
        if f.end > f.start:
            assert "<mark" in row


def test_html_is_self_contained():
    page = render_html(_review())
    assert "<link" not in page and "src=" not in page.replace("src=x", "") and "http" not in page


def test_text_report_groups_by_severity_with_line_numbers():
    rv = _review()
    out = render_text(rv)
    assert "LỖI (" in out
    doc = rv.doc
    errors = [f for f in doc.findings if f.severity == "error"]
    for f in errors:
        line = doc.line_of(f.start)
        assert re.search(rf"dòng {line}\s+\[{re.escape(f.rule)}\]", out), (f.rule, line)
    # the offending text is quoted under the finding
    assert "| Số: 7/KH-ĐU" in out
    # errors come before warnings and notes
    order = [out.index(h) for h in ("LỖI", "CẢNH BÁO", "GHI CHÚ") if h in out]
    assert order == sorted(order)


def test_text_report_in_english():
    out = render_text(_review(lang="en"))
    assert "ERRORS (" in out and "line " in out


def test_check_command_exit_status(tmp_path, capsys):
    from pathlib import Path

    from vnplan_nlp.cli import main
    examples = Path(__file__).resolve().parents[1] / "examples"
    assert main(["check", str(examples / "ke-hoach-du-thao.txt")]) == 1
    clean = tmp_path / "clean.txt"
    clean.write_text("ĐẢNG BỘ TỈNH HƯNG YÊN\nĐẢNG ỦY SỞ NỘI VỤ\n*\nSố 07-KH/ĐU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
                     "Hưng Yên, ngày 05 tháng 6 năm 2024\nKẾ HOẠCH\nTuyên truyền Chỉ thị\n"
                     "I- MỤC ĐÍCH\n1- Nâng cao nhận thức.\n2- Thực hiện nghiêm túc.\n"
                     "Nơi nhận:\n- Các chi bộ,\n- Lưu Văn phòng.\nT/M ĐẢNG ỦY\nBÍ THƯ\nNguyễn Văn An\n", "utf-8")
    assert main(["check", str(clean)]) == 0
    assert main(["check", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read the draft" in capsys.readouterr().err
    assert main(["check", str(clean), "--parent", str(tmp_path / "nope.docx")]) == 2
    out = tmp_path / "r.html"
    assert main(["check", str(examples / "ke-hoach-du-thao.txt"), "--parent", str(examples / "ke-hoach-cap-tren.txt"),
                 "--format", "html", "-o", str(out)]) == 1
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert main(["check", str(clean), "--format", "json"]) == 0
    import json
    d = json.loads(capsys.readouterr().out)
    assert d["schema"] == "vnplan.document/1" and d["findings"] == [] and d["review"]["pack"] == "party-2017"

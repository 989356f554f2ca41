"""``vnplan tasks`` as a user meets it: formats, grouping, sorting, filtering, folders, bad inputs."""

from __future__ import annotations

import csv
import io
import json

import pytest

from vnplan_nlp.cli import build_parser, main

PLAN = """ỦY BAN NHÂN DÂN
TỈNH BẮC NINH
Số: 141/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Ninh, ngày 20 tháng 11 năm 2025
KẾ HOẠCH
Nâng cao năng lực xây dựng pháp luật
I. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính chủ trì, phối hợp với các Sở, ban, ngành, đơn vị và UBND cấp xã bố trí kinh phí chi thường xuyên.
2. Sở Nội vụ: tham mưu khen thưởng, hoàn thành trong tháng 12/2025.
3. Giao Sở Tư pháp theo dõi, đôn đốc các cơ quan, đơn vị triển khai thực hiện Kế hoạch này; định kỳ báo cáo UBND tỉnh trước ngày 15/11/2025.
4. Sở Nội vụ: tổng hợp kết quả, báo cáo UBND tỉnh trước ngày 30/9/2025.
Nơi nhận:
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Phạm Văn Thịnh
"""


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def plan(tmp_path):
    f = tmp_path / "kh-141.txt"
    f.write_text(PLAN, encoding="utf-8")
    return f


def test_help_documents_every_option(capsys):
    ap = build_parser()
    with pytest.raises(SystemExit):
        ap.parse_args(["tasks", "--help"])
    out = capsys.readouterr().out
    for opt in ("--format", "--sort", "--actor", "--role", "table", "csv", "json", "html", "deadline"):
        assert opt in out


def test_table_groups_by_actor(plan, capsys):
    code, out, err = run(["tasks", str(plan)], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == "5 trách nhiệm, 4 chủ thể"
    assert "== Sở Nội vụ (2)" in out
    assert "== Sở Tư pháp (1)" in out
    assert "phối hợp" in out and "chủ trì" in out
    assert "báo cáo: UBND tỉnh" in out


def test_json_rows(plan, capsys):
    code, out, _ = run(["tasks", str(plan), "--format", "json"], capsys)
    d = json.loads(out)
    assert d["schema"] == "vnplan.tasks/1" and d["errors"] == []
    rows = [r for g in d["groups"] for r in g["responsibilities"]]
    assert len(rows) == 5
    tp = next(r for r in rows if r["actor"] == "Sở Tư pháp")
    assert tp["role"] == "lead" and tp["deadline"] == "trước ngày 15/11/2025" and tp["report_to"] == "UBND tỉnh"
    assert tp["section"] == "I.3" and tp["document"].endswith("kh-141.txt")


def test_sort_by_deadline(plan, capsys):
    code, out, _ = run(["tasks", str(plan), "--format", "csv", "--sort", "deadline"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    # groups in order of their earliest deadline; within a group, rows by deadline
    nv = [r["deadline"] for r in rows if r["actor"] == "Sở Nội vụ"]
    assert nv == ["trước ngày 30/9/2025", "hoàn thành trong tháng 12/2025"]
    assert rows[0]["actor"] == "Sở Nội vụ"
    assert rows[-1]["deadline"] == ""          # no deadline last


def test_csv_columns(plan, capsys):
    code, out, _ = run(["tasks", str(plan), "--format", "csv"], capsys)
    header = out.splitlines()[0].split(",")
    assert header == ["actor_group", "actor", "role", "task", "deadline", "report_to", "request", "section",
                      "document", "start", "end"]


def test_actor_filter_ignores_accents_and_case(plan, capsys):
    code, out, _ = run(["tasks", str(plan), "--format", "json", "--actor", "so noi VU"], capsys)
    rows = [r for g in json.loads(out)["groups"] for r in g["responsibilities"]]
    assert {r["actor"] for r in rows} == {"Sở Nội vụ"} and len(rows) == 2


def test_role_filter(plan, capsys):
    code, out, _ = run(["tasks", str(plan), "--format", "json", "--role", "coordinate"], capsys)
    rows = [r for g in json.loads(out)["groups"] for r in g["responsibilities"]]
    assert [r["actor"] for r in rows] == ["các Sở, ban, ngành, đơn vị và UBND cấp xã"]


def test_html_is_self_contained_and_escaped(tmp_path, capsys):
    f = tmp_path / "kh.txt"
    f.write_text(PLAN.replace("bố trí kinh phí chi thường xuyên", "bố trí kinh phí <script>x</script> & dự phòng"),
                 encoding="utf-8")
    code, out, _ = run(["tasks", str(f), "--format", "html"], capsys)
    assert code == 0
    assert out.startswith("<!DOCTYPE html>") and "<style>" in out
    assert "<script>" not in out and "&lt;script&gt;x&lt;/script&gt; &amp; dự phòng" in out
    assert "http" not in out                   # nothing fetched from elsewhere


def test_folder_with_a_bad_file(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    code, out, err = run(["tasks", str(tmp_path), "--format", "json"], capsys)
    assert code == 1
    d = json.loads(out)
    assert len(d["errors"]) == 1 and d["errors"][0]["source"]["path"].endswith("b.txt")
    assert d["errors"][0]["error"]["code"]
    assert sum(len(g["responsibilities"]) for g in d["groups"]) == 5
    assert "could not be read" in err


def test_no_inputs(tmp_path, capsys):
    code, out, err = run(["tasks", str(tmp_path)], capsys)
    assert code == 2 and "no .txt" in err


@pytest.mark.corpus
def test_across_a_folder_of_the_corpus(corpus, tmp_path, capsys):
    """Two corpus plans in one matrix: rows name their document; the seed's four are there."""
    import shutil
    for d in ("seed-103-kh-du-hungyen-2024", "kh-310-ubnd-hanoi-2025"):
        shutil.copy(corpus / "docs" / f"{d}.txt", tmp_path / f"{d}.txt")
    code, out, _ = run(["tasks", str(tmp_path), "--format", "json", "--sort", "actor"], capsys)
    assert code == 0
    rows = [r for g in json.loads(out)["groups"] for r in g["responsibilities"]]
    docs = {r["document"].rsplit("/", 1)[-1] for r in rows}
    assert docs == {"seed-103-kh-du-hungyen-2024.txt", "kh-310-ubnd-hanoi-2025.txt"}
    seed = [r for r in rows if "seed" in r["document"]]
    assert len(seed) == 4
    assert any(r["deadline"] == "trong Quý III/2024" for r in seed)

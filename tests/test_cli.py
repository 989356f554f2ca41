"""The vnplan command as a user meets it: formats, folders, bad inputs, exit codes, help."""

import json
import subprocess
import sys

import pytest

from vnplan_nlp.cli import build_parser, main

SAMPLE = """ĐẢNG BỘ TỈNH HƯNG YÊN
ĐẢNG ỦY SỞ NỘI VỤ
*
Số 12-KH/ĐU
ĐẢNG CỘNG SẢN VIỆT NAM
Hưng Yên, ngày 05 tháng 02 năm 2025
KẾ HOẠCH
Tổ chức hội nghị
I- MỤC ĐÍCH
1- Mục đích
Nơi nhận:
- Đảng ủy Sở;
- Lưu: VPĐU.
T/M ĐẢNG ỦY
BÍ THƯ
Nguyễn Văn An
"""


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_json_single(tmp_path, capsys):
    f = tmp_path / "kh.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    code, out, err = run(["parse", str(f)], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["schema"] == "vnplan.document/1"
    assert d["header"]["number_symbol"] == "12-KH/ĐU"
    assert d["header"]["issuer"] == "Đảng ủy Sở Nội vụ"
    assert d["header"]["parent_organ"] == "Đảng bộ tỉnh Hưng Yên"
    assert d["system"] == "party"
    assert d["signature"]["signer"] == "Nguyễn Văn An"
    assert "text" not in d


def test_parse_with_text_offsets(tmp_path, capsys):
    f = tmp_path / "kh.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    code, out, _ = run(["parse", str(f), "--with-text"], capsys)
    d = json.loads(out)
    a, b = d["header"]["spans"]["number_line"]
    assert d["text"][a:b] == "Số 12-KH/ĐU"


def test_folder_jsonl_with_a_bad_file(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, err = run(["parse", str(tmp_path), "--format", "jsonl"], capsys)
    recs = [json.loads(line) for line in out.splitlines()]
    assert len(recs) == 3
    errors = [r for r in recs if "error" in r]
    assert len(errors) == 1 and errors[0]["error"]["code"] == "empty"
    assert errors[0]["source"]["path"].endswith("empty.txt")
    assert code == 1                          # the batch went on, and says something failed
    assert "empty.txt" in err


def test_json_array_for_several(tmp_path, capsys):
    for n in "ab":
        (tmp_path / f"{n}.txt").write_text(SAMPLE, encoding="utf-8")
    code, out, _ = run(["parse", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], capsys)
    assert code == 0 and isinstance(json.loads(out), list) and len(json.loads(out)) == 2


def test_text_view(tmp_path, capsys):
    f = tmp_path / "kh.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    code, out, _ = run(["parse", str(f), "--format", "text"], capsys)
    assert code == 0 and "12-KH/ĐU" in out and "I- MỤC ĐÍCH" in out and "Nguyễn Văn An" in out


def test_missing_file_is_an_error_record_not_a_traceback(tmp_path, capsys):
    code, out, err = run(["parse", str(tmp_path / "nope.txt")], capsys)
    assert code == 1
    assert json.loads(out)["error"]["code"] == "not-found"
    assert "Traceback" not in err


def test_every_command_has_help():
    ap = build_parser()
    sub = next(a for a in ap._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        assert p.description or p.format_help(), name
        assert sub._choices_actions and any(c.dest == name and c.help for c in sub._choices_actions), name


def test_console_entry_point_runs():
    r = subprocess.run([sys.executable, "-m", "vnplan_nlp.cli", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "vnplan" in r.stdout


@pytest.mark.corpus
def test_parse_the_seed_from_the_corpus(corpus, capsys):
    code, out, _ = run(["parse", str(corpus / "docs" / "seed-103-kh-du-hungyen-2024.txt")], capsys)
    d = json.loads(out)
    assert code == 0
    assert d["header"]["number_line"] == "Số/103 -KH/ĐU"
    assert d["header"]["evidence"] == {"issuer": "body"}
    assert len(d["recipients"]) == 5

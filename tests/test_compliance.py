"""vnplan check --parent: the real parent/child pairs of the corpus and the project's example pair.

The mapping of each pair was read by hand (benchmarks/coverage_labels.json,
docs/check-coverage.md); these tests pin what that reading found.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vnplan_nlp.check import check
from vnplan_nlp.compliance import find_citations, parent_facts, parent_items
from vnplan_nlp.models import DateMention
from vnplan_nlp.parse import parse_path, parse_text

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KH16 = "kh-16-mttq-luongminh-2025"
NQ101 = "nq-101-2025-ubtvqh15"
CHILDREN_OF_KH16 = ["kh-mttq-luongminh-hiepthuong-2025", "kh-mttq-luongminh-hiepthuong2-2026",
                    "kh-mttq-luongminh-kiemtragiamsat-2025", "kh-mttq-luongminh-layykien-2026"]


def _doc(corpus, doc_id):
    return parse_path(corpus / "docs" / f"{doc_id}.txt")


def _norm(corpus, doc_id) -> str:
    return parse_text((corpus / "docs" / f"{doc_id}.txt").read_text("utf-8"), f"{doc_id}.txt", extract=False).text


def _rid(f):
    return f.rule.split("/")[-1]


def _row(doc, label):
    rows = [r for r in doc.coverage if r.item["label"] == label]
    assert rows, f"no parent item {label}: {[r.item['label'] for r in doc.coverage]}"
    return rows[0]


def _best_text(doc, row):
    b = row.covered_by[0]
    return doc.text[b["start"]:b["end"]]


# -- the parents' items --------------------------------------------------------------------------------

def test_kh16_items_follow_its_sections(corpus):
    items = parent_items(_doc(corpus, KH16))
    labels = [it.label for it in items]
    # the requirements under I (bullets), the tasks of II (1.1 ... 7.2, the three hiệp thương rounds),
    # the assignments of III
    for want in ("I.-1", "I.-5", "II.1.1", "II.2.1", "II.2.1.(1)", "II.2.1.(2)", "II.2.1.(3)", "II.7.2", "III.1.-1"):
        assert want in labels, want
    # the attribute lines ("- Đơn vị chủ trì: ...") stay with their task, not items of their own
    assert not any(re.match(r"(?i)^-\s*(thời gian|đơn vị|kết quả)", it.text) for it in items)


def test_nq101_items_are_the_khoan_of_its_dieu(corpus):
    items = parent_items(_doc(corpus, NQ101))
    labels = [it.label for it in items]
    assert labels[:2] == ["Đ1.1", "Đ1.2"] and "Đ4.9" in labels and "Đ8.5" in labels
    assert not any(l.startswith("Đ9") for l in labels)         # Điều 9: entry into force, no task


def test_parent_facts_read_a_flattened_header(corpus):
    f = parent_facts(_doc(corpus, NQ101))
    assert (f.number_symbol, f.issued_date) == ("101/2025/UBTVQH15", "2025-09-26")


def test_plans_citing_nq101_are_found(corpus, corpus_docs):
    parent = _doc(corpus, NQ101)
    citing = {p.stem for p in corpus_docs if p.stem != NQ101 and find_citations(parse_path(p), parent)}
    assert citing == {"hd-mttq-luongminh-baucu-2025", "hd-mttq-quangninh-hiepthuong-2025",
                      "kh-mttq-baccamranh-kiemtragiamsat-2025", "kh-mttq-luongminh-hiepthuong-2025",
                      "kh-mttq-luongminh-layykien-2026", "nqlt-102-2025-ubtvqh15-cp-dctubtwmttqvn"}


# -- the Lương Minh plans under KH 16/KH-MTTQ-BTT ------------------------------------------------------

@pytest.mark.parametrize("child_id", CHILDREN_OF_KH16)
def test_every_parent_item_has_a_row(corpus, child_id):
    parent = _doc(corpus, KH16)
    child = _doc(corpus, child_id)
    check(child, parents=[parent])
    assert len(child.coverage) == len(parent_items(parent))
    for row in child.coverage:
        assert row.status in ("covered", "partial", "uncovered")
        assert row.parent == "16/KH-MTTQ-BTT"
        it = row.item
        assert parent.text[it["start"]:it["end"]] == it["text"]
        for c in row.covered_by:
            assert 0 <= c["start"] < c["end"] <= len(child.text) and 0 <= c["score"] <= 1


def test_hiepthuong2_carries_the_second_round(corpus):
    child = _doc(corpus, "kh-mttq-luongminh-hiepthuong2-2026")
    check(child, parents=[_doc(corpus, KH16)])
    row = _row(child, "II.2.1.(2)")
    assert row.status != "uncovered"
    assert "lần thứ hai" in _best_text(child, row)
    # the tasks it does not take up: citizens' reception, propaganda, the final review
    for label in ("II.4.1", "II.5.1", "II.7.1"):
        assert _row(child, label).status == "uncovered"
    # the child cites its parent with the parent's own number, date and issuer: no R01
    assert not [f for f in child.findings if _rid(f) == "R01"]


def test_hiepthuong_carries_the_three_rounds(corpus):
    child = _doc(corpus, "kh-mttq-luongminh-hiepthuong-2025")
    check(child, parents=[_doc(corpus, KH16)])
    for label in ("II.2.1.(1)", "II.2.1.(2)", "II.2.1.(3)"):
        assert _row(child, label).status != "uncovered", label
    assert "hiệp thương lần thứ nhất" in _best_text(child, _row(child, "II.2.1.(1)")).lower()


def test_kiemtragiamsat_carries_the_supervision_teams(corpus):
    child = _doc(corpus, "kh-mttq-luongminh-kiemtragiamsat-2025")
    check(child, parents=[_doc(corpus, KH16)])
    row = _row(child, "III.3.-7")
    assert row.status == "covered"
    assert "Đoàn kiểm tra, giám sát" in _best_text(child, row)
    # this plan implements KH 04/KH-MTTQ-BTT, not KH 16: it does not cite 16/KH-MTTQ-BTT
    r01 = [f for f in child.findings if _rid(f) == "R01"]
    assert len(r01) == 1 and "16/KH-MTTQ-BTT" in r01[0].message


def test_items_of_other_bodies_do_not_apply(corpus):
    child = _doc(corpus, "kh-mttq-luongminh-layykien-2026")
    check(child, parents=[_doc(corpus, KH16)])
    # III.2: the member organisations' duties, not the Ban Thường trực's
    assert _row(child, "III.2.-1").item["applies"] is False
    assert not [f for f in child.findings if _rid(f) == "R03" and "III.2.-" in f.message]


def test_deleting_a_covering_section_turns_the_item_uncovered_kh16(corpus):
    """II.3.3 "Theo dõi, đôn đốc, tổng hợp, báo cáo về công tác bầu cử" is carried by the
    hiệp thương plan's "3.3. Báo cáo kết quả Hội nghị"; without that section it is not."""
    parent = _doc(corpus, KH16)
    text = _norm(corpus, "kh-mttq-luongminh-hiepthuong-2025")
    before = parse_text(text, "child.txt")
    check(before, parents=[parent])
    row = _row(before, "II.3.3")
    assert row.status == "covered" and _best_text(before, row).startswith("3.3. Báo cáo kết quả Hội nghị")
    sec = next(s for s in before.iter_sections() if s.start <= row.covered_by[0]["start"] < s.end
               and s.marker == "3.3.")
    after = parse_text(text[:sec.start] + text[sec.end:], "child.txt")
    check(after, parents=[parent])
    assert _row(after, "II.3.3").status == "uncovered"
    assert any(_rid(f) == "R03" and "II.3.3" in f.message for f in after.findings)


# -- NQ 101/2025/UBTVQH15 and the plan under it -------------------------------------------------------

def test_layykien_follows_nq101_article_4(corpus):
    child = _doc(corpus, "kh-mttq-luongminh-layykien-2026")
    check(child, parents=[_doc(corpus, NQ101)])
    for label, words in [("Đ4.2", "Thư ký hội nghị đọc tiểu sử"), ("Đ4.4", "Người ứng cử phát biểu"),
                         ("Đ4.6", "Tổ kiểm phiếu"), ("Đ2.3", "dưới 100 cử tri"), ("Đ3.2", "Biên bản")]:
        row = _row(child, label)
        assert row.status == "covered", (label, row.status)
        assert words in _best_text(child, row), (label, _best_text(child, row))
    # the by-election articles are not this plan's business
    assert _row(child, "Đ8.5").status != "covered" and _row(child, "Đ7").status != "covered"
    # its căn cứ cites NQ 101 without the date: R01
    r01 = [f for f in child.findings if _rid(f) == "R01"]
    assert r01 and "26/09/2025" in r01[0].message


def test_deleting_a_covering_line_turns_the_item_uncovered_nq101(corpus):
    parent = _doc(corpus, NQ101)
    text = _norm(corpus, "kh-mttq-luongminh-layykien-2026")
    assert text.count("Người ứng cử phát biểu.") == 1
    after = parse_text(text.replace("3.4. Người ứng cử phát biểu.\n", ""), "child.txt")
    check(after, parents=[parent])
    assert _row(after, "Đ4.4").status == "uncovered"


# -- the example pair (examples/README.md) --------------------------------------------------------------

@pytest.fixture()
def example():
    draft = parse_path(EXAMPLES / "ke-hoach-du-thao.txt")
    parent = parse_path(EXAMPLES / "ke-hoach-cap-tren.txt")
    return draft, parent


def test_example_listed_defects_each_at_its_place(example):
    draft, parent = example
    check(draft, parents=[parent])
    at = {(_rid(f), draft.text[f.start:f.end]) for f in draft.findings}
    assert ("P03", "Số: 07/KH-ĐU") in at
    assert ("P05", "Nam An, ngày 5 tháng 3 năm 2025") in at
    assert ("R02", "Nam An, ngày 5 tháng 3 năm 2025") in at
    assert ("C01", "2-") in at
    assert ("P07", "TM. ĐẢNG ỦY") in at
    r05 = [f for f in draft.findings if _rid(f) == "R05"]
    assert len(r05) == 1 and "Đảng ủy Khối" in r05[0].message and "6 tháng" in r05[0].message
    r03 = [f.message for f in draft.findings if _rid(f) == "R03"]
    assert any("II.4" in m and "báo cáo viên" in m for m in r03)
    assert any("II.5" in m and "khen thưởng" in m for m in r03)
    assert _row(draft, "II.4").status == "uncovered"
    assert _row(draft, "III.1").item["applies"] is False    # the parent's own Ban Tuyên giáo's task
    assert not [f for f in draft.findings if _rid(f) in ("R01", "R06")]


def test_example_r01_wrong_date_and_r06_missing_recipient(example):
    draft, parent = example
    text = draft.text.replace("58-KH/ĐUK ngày 12/3/2025", "58-KH/ĐUK ngày 13/3/2025", 1)
    text = text.replace("- Đảng ủy Khối các cơ quan tỉnh;\n", "")
    d = parse_text(text, "draft.txt")
    check(d, parents=[parent])
    r01 = [f for f in d.findings if _rid(f) == "R01"]
    assert len(r01) == 1 and r01[0].expected == "12/03/2025" and "13/3/2025" in d.text[r01[0].start:r01[0].end]
    assert [f for f in d.findings if _rid(f) == "R06"]


def test_example_report_assigned_clears_r05(example):
    draft, parent = example
    text = draft.text.replace(
        "theo dõi, đôn đốc việc thực hiện Kế hoạch này.",
        "theo dõi, đôn đốc việc thực hiện Kế hoạch này; định kỳ 6 tháng báo cáo kết quả về Đảng ủy Khối.", 1)
    d = parse_text(text, "draft.txt")
    check(d, parents=[parent])
    assert not [f for f in d.findings if _rid(f) == "R05"]


def test_r04_child_deadline_later_than_the_parent(example):
    """R04 reads the date mentions of both documents (the dates stage); here they are given."""
    draft, parent = example

    def mention(doc, printed, value):
        m = re.search(re.escape(printed), doc.text)
        return DateMention(text=printed, value=value, start=m.start(), end=m.end(), kind="date", bound="before")

    if not draft.dates:
        draft.dates = [mention(draft, "trước ngày 31/7/2025", "2025-07-31")]
    if not parent.dates:
        parent.dates = [mention(parent, "trước ngày 30/6/2025", "2025-06-30"),
                        mention(parent, "trước ngày 15/12/2025", "2025-12-15")]
    check(draft, parents=[parent])
    r04 = [f for f in draft.findings if _rid(f) == "R04"]
    assert len(r04) == 1 and draft.text[r04[0].start:r04[0].end].endswith("trước ngày 31/7/2025")
    assert "30/6/2025" in r04[0].message and "II.1" in r04[0].message


def test_r04_injected_into_a_real_pair(corpus):
    """kh-16 asks for the second hiệp thương by 03/02/2026; move the child's date past it."""
    parent = _doc(corpus, KH16)
    text = _norm(corpus, "kh-mttq-luongminh-hiepthuong2-2026")
    assert "dự kiến tổ chức hội nghị vào ngày 02/02/2026" in text
    injected = text.replace("dự kiến tổ chức hội nghị vào ngày 02/02/2026", "dự kiến tổ chức hội nghị vào ngày 12/02/2026")
    before, after = parse_text(text, "c.txt"), parse_text(injected, "c.txt")
    for d in (before, after):
        if not d.dates:
            for m in re.finditer(r"vào ngày (\d\d)/02/2026", d.text):
                d.dates.append(DateMention(text=m.group(0), value=f"2026-02-{m.group(1)}", start=m.start(),
                                           end=m.end(), kind="date", bound="by"))
    if not parent.dates:
        m = re.search(r"Chậm nhất ngày 03/02/2026", parent.text)
        parent.dates = [DateMention(text=m.group(0), value="2026-02-03", start=m.start(), end=m.end(),
                                    kind="date", bound="before")]
    check(before, parents=[parent])
    check(after, parents=[parent])
    assert not [f for f in before.findings if _rid(f) == "R04"]
    r04 = [f for f in after.findings if _rid(f) == "R04"]
    assert len(r04) == 1 and "12/02/2026" in after.text[r04[0].start:r04[0].end]
    assert "03/02/2026" in r04[0].message and "II.2.1.(2)" in r04[0].message

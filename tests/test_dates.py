"""Dates and periods: real sentences (each names its corpus document), values, bounds,
years taken from context, and invariants over the corpus."""

from __future__ import annotations

import pytest

from vnplan_nlp.dates import document_date, find_dates
from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import read_path

from corpus_helpers import DOCS, corpus_text, needs_corpus


# (document, sentence, document date, expected: (text, value, bound, year_inferred) in order)
SENTENCES = [
    ("seed-103-kh-du-hungyen-2024", "Hội nghị tổ chức trong Quý III/2024; tập trung làm nổi bật", None,
     [("Quý III/2024", {"start": "2024-07-01", "end": "2024-09-30"}, None, False)]),
    ("seed-103-kh-du-hungyen-2024", "Hưng Yên, ngày 15 tháng 6 năm 2024", None,
     [("ngày 15 tháng 6 năm 2024", "2024-06-15", None, False)]),
    ("seed-103-kh-du-hungyen-2024", "Chỉ thị số 30-CT/TW ngày 05/02/2024 của Ban Bí thư Trung ương Đảng khóa XIII",
     None, [("ngày 05/02/2024", "2024-02-05", None, False)]),
    ("kh-16-mttq-luongminh-2025",
     "(1) Tổ chức hiệp thương lần thứ nhất: Chậm nhất ngày 10/12/2025 (trước ngày bầu cử 95 ngày theo Điều 39, "
     "Điều 50 Luật số 85/2015/QH13 về Bầu cử", None,
     [("Chậm nhất ngày 10/12/2025", "2025-12-10", "before", False)]),
    ("hd-mttq-quangninh-hiepthuong-2025",
     "(Thực hiện từ ngày 01/12 đến ngày 10/12/2025)", "2025-11-20",
     [("từ ngày 01/12 đến ngày 10/12/2025", {"start": "2025-12-01", "end": "2025-12-10"}, None, True)]),
    ("kh-597-ubnd-dongthap-2025",
     "Định kỳ hằng năm (trước ngày 30 tháng 11) báo cáo kết quả thực hiện về Sở Xây dựng", "2025-10-01",
     [("Định kỳ hằng năm", {"every": "P1Y"}, None, False),
      ("trước ngày 30 tháng 11", {"every": "P1Y", "on": "--11-30"}, "before", False)]),
    ("qd-1147-btgdvtw-2025",
     "Số vào sổ gốc cấp giấy chứng nhận được lập liên tục theo thứ tự số tự nhiên từ nhỏ đến lớn theo từng năm từ "
     "ngày 01/01 đến hết ngày 31/12; đảm bảo", "2025-11-26",
     [("từ ngày 01/01", {"every": "P1Y", "on": "--01-01"}, "from", False),
      ("đến hết ngày 31/12", {"every": "P1Y", "on": "--12-31"}, "until", False)]),
    ("kh-16-mttq-luongminh-2025", "Từ tháng 11/2025 đến quý I/2026", None,
     [("Từ tháng 11/2025 đến quý I/2026", {"start": "2025-11-01", "end": "2026-03-31"}, None, False)]),
    ("kh-310-ubnd-hanoi-2025", "doanh nghiệp viễn thông\nQuý IV/2025- Quý II/2026", None,
     [("Quý IV/2025- Quý II/2026", {"start": "2025-10-01", "end": "2026-06-30"}, None, False)]),
    ("kh-157-ubnd-cantho-2025", "từ ngày 08 đến ngày 10 tháng 12 năm 2025", None,
     [("từ ngày 08 đến ngày 10 tháng 12 năm 2025", {"start": "2025-12-08", "end": "2025-12-10"}, None, False)]),
    ("tvpl-74e2ddc7b11340da", "hoàn thành toàn bộ các nhiệm vụ được giao trong năm 2025, nhất là", None,
     [("trong năm 2025", {"start": "2025-01-01", "end": "2025-12-31"}, "by", False)]),
    ("hd-mttq-luongminh-baucu-2025", "Lương Minh, ngày     tháng 11 năm 2025", None,
     [("ngày     tháng 11 năm 2025", "2025-11", None, False)]),
    ("kh-16-mttq-luongminh-2025", "- Thời gian hoàn thành: Quý IV/2025 và Quý I/2026;", None,
     [("Quý IV/2025", {"start": "2025-10-01", "end": "2025-12-31"}, None, False),
      ("Quý I/2026", {"start": "2026-01-01", "end": "2026-03-31"}, None, False)]),
    ("kh-159-ubnd-cantho-2025", "Từ nay đến hết năm 2025.", None,
     [("đến hết năm 2025", {"start": "2025-01-01", "end": "2025-12-31"}, "until", False)]),
    ("kh-141-ubnd-bacninh-2025", "trên địa bàn tỉnh giai đoạn 2026 - 2030 như sau:", None,
     [("giai đoạn 2026 - 2030", {"start": "2026-01-01", "end": "2030-12-31"}, None, False)]),
    ("kh-0204-ubnd-camau-2025", "6 tháng đầu năm thu hoạch 574.341 tấn, đạt 45,2% kế hoạch", "2025-08-30",
     [("6 tháng đầu năm", {"start": "2025-01-01", "end": "2025-06-30"}, None, True)]),
    ("kh-16-mttq-luongminh-2025", "đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026 - 2031;", None,
     [("nhiệm kỳ 2026 - 2031", {"start": "2026-01-01", "end": "2031-12-31"}, None, False)]),
    # the forms the annotation guide lists that the corpus does not print
    ("annotation guide", "05-02-2024; tháng 6/2024; tháng 6 năm 2024; quý I năm 2026; trước ngày 15/12 hằng năm; "
     "định kỳ 6 tháng; hằng quý", "2024-06-15",
     [("05-02-2024", "2024-02-05", None, False),
      ("tháng 6/2024", {"start": "2024-06-01", "end": "2024-06-30"}, None, False),
      ("tháng 6 năm 2024", {"start": "2024-06-01", "end": "2024-06-30"}, None, False),
      ("quý I năm 2026", {"start": "2026-01-01", "end": "2026-03-31"}, None, False),
      ("trước ngày 15/12 hằng năm", {"every": "P1Y", "on": "--12-15"}, "before", False),
      ("định kỳ 6 tháng", {"every": "P6M"}, None, False),
      ("hằng quý", {"every": "P3M"}, None, False)]),
]


@pytest.mark.parametrize("doc_id,sentence,doc_date,expected", SENTENCES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(SENTENCES)])
def test_sentences(doc_id, sentence, doc_date, expected):
    found = find_dates(sentence, doc_date)
    got = [(d.text, d.value, d.bound, d.year_inferred) for d in found]
    assert got == expected
    for d in found:
        assert sentence[d.start:d.end] == d.text


@pytest.mark.parametrize("text", [
    "Nghị định số 30/2020/NĐ-CP",                 # a year inside a number
    "Ban Bí thư Trung ương Đảng khóa XIII",
    "giải quyết trong 15 ngày làm việc",            # a duration alone
    "lúc 14 giờ 00",
    "trước ngày bầu cử 95 ngày",
])
def test_not_dates(text):
    assert find_dates(text, "2025-01-01") == []


def test_year_from_the_documents_own_date():
    text = "Nghệ An, ngày 26 tháng 11 năm 2025\nBáo cáo trước ngày 30/9."
    assert document_date(text) == "2025-11-26"
    d = find_dates(text)[-1]
    assert (d.text, d.value, d.year_inferred) == ("trước ngày 30/9", "2025-09-30", True)


def test_no_year_anywhere_gives_no_value():
    d = find_dates("báo cáo trước ngày 30/9")[0]
    assert d.value is None and not d.year_inferred


@needs_corpus
@pytest.mark.corpus
def test_corpus_invariants():
    for p in DOCS:
        text = corpus_text(p.stem)
        found = find_dates(text)
        for d in found:
            assert text[d.start:d.end] == d.text, p.name
            assert "\n" not in d.text
            v = d.value
            assert v is None or isinstance(v, (str, dict)), (p.name, d)
            if isinstance(v, dict) and "start" in v:
                assert v["start"] <= v["end"], (p.name, d)
        starts = [d.start for d in found]
        assert starts == sorted(starts)
        assert all(a.end <= b.start for a, b in zip(found, found[1:])), p.name


@needs_corpus
def test_seed_quarter():
    text = corpus_text("seed-103-kh-du-hungyen-2024")
    q = [d for d in find_dates(text) if d.text == "Quý III/2024"]
    assert q and q[0].value == {"start": "2024-07-01", "end": "2024-09-30"}


@needs_corpus
def test_line_hint_skips_no_date():
    """Scanning only the lines with a hint word finds what scanning the whole text finds:
    every alternative of the master pattern holds a hint word or a year."""
    from vnplan_nlp.dates import _MASTER, _master_matches
    for p in DOCS:
        src = read_path(p)
        text = normalise(src.text, src.markup).text
        assert [(m.span(), m.groups()) for m in _master_matches(text)] == \
            [(m.span(), m.groups()) for m in _MASTER.finditer(text)], p.name


@pytest.mark.parametrize("text", [
    "THÁNG 12 HẰNG NĂM", "Quý IV", "hàng quý", "định kỳ 6 tháng một lần", "2021-2025",
    "giai đoạn 2026 - 2030", "05/02/2024", "đến 2025", "NGÀY 15/6",
])
def test_line_hint_on_every_kind(text):
    from vnplan_nlp.dates import _MASTER, _master_matches
    found = [m.span() for m in _master_matches("Dòng đầu\n" + text + "\nDòng cuối")]
    assert found and found == [m.span() for m in _MASTER.finditer("Dòng đầu\n" + text + "\nDòng cuối")]


def test_hint_letters_fold_alike_in_lower_and_ignorecase():
    """The lower-case hint search finds the lines the case-insensitive one finds: every
    character re.IGNORECASE takes for a hint letter lowers to it, and no other does."""
    import re
    import sys
    letters = set("ngàythánquýhằg") | set("19200123456789")
    everything = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000)
    by_regex = {m.group(0) for m in re.finditer("(?i)[" + "".join(sorted(letters)) + "]", everything)}
    by_lower = {c for c in everything if len(c.lower()) == 1 and c.lower() in letters}
    assert by_regex == by_lower


def test_line_hint_with_a_character_that_lowers_longer():
    # "İ" lowers to two characters: the case-insensitive hint is used on such a text
    from vnplan_nlp.dates import _MASTER, _master_matches
    text = "İstanbul\nNGÀY 15/6/2025 và tháng 7"
    assert [m.span() for m in _master_matches(text)] == [m.span() for m in _MASTER.finditer(text)] != []

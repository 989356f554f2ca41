"""References: tables of real sentences (each names its corpus document), printed
variants of numbers, and invariants over the whole corpus."""

from __future__ import annotations

import pytest

from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import read_path
from vnplan_nlp.references import find_references, normalise_number

from corpus_helpers import CORPUS, DOCS, corpus_text, needs_corpus


def full(refs):
    return [r for r in refs if r.refers_to is None]


# (document, sentence as printed, expected references in order: subset of fields)
SENTENCES = [
    ("seed-103-kh-du-hungyen-2024",
     "Thực hiện Kế hoạch số 159-KH/ĐUK ngày 17/6/2024 của Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp "
     "tỉnh về quán triệt, tuyên truyền, tổ chức thực hiện Chỉ thị số 30-CT/TW ngày 05/02/2024 của Ban Bí thư "
     "Trung ương Đảng khóa XIII về công tác tuyên truyền miệng trong tình hình mới (sau đây viết tắt là Chỉ thị "
     "số 30-CT/TW), Đảng ủy Sở Nội vụ xây dựng Kế hoạch quán triệt, tuyên truyền, tổ chức thực hiện như sau:",
     [dict(number_symbol="159-KH/ĐUK", doc_type="Kế hoạch", date="2024-06-17",
           issuer="Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh", relation="implements"),
      dict(number_symbol="30-CT/TW", doc_type="Chỉ thị", date="2024-02-05",
           issuer="Ban Bí thư Trung ương Đảng khóa XIII", alias="Chỉ thị số 30-CT/TW")]),
    ("kh-16-mttq-luongminh-2025",
     "Căn cứ Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân số 85/2015/QH13, ngày 25/6/2015 và được "
     "sửa đổi, bổ sung một số điều tại Luật số 83/2025/QH15, ngày 24/6/2025; Luật Mặt trận Tổ quốc Việt Nam số "
     "75/2015/QH13, ngày 09/6/2015 và Luật số 97/2025/QH15, ngày 27/6/2025 về sửa đổi, bổ sung một số điều của "
     "Luật Mặt trận Tổ quốc Việt Nam, Luật Công đoàn, Luật Thanh niên, Luật Thực hiện dân chủ ở cơ sở;",
     [dict(number_symbol="85/2015/QH13", doc_type="Luật", date="2015-06-25", relation="basis",
           name="Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân"),
      dict(number_symbol="83/2025/QH15", doc_type="Luật", date="2025-06-24", relation="basis"),
      dict(number_symbol="75/2015/QH13", name="Luật Mặt trận Tổ quốc Việt Nam", relation="basis"),
      dict(number_symbol="97/2025/QH15", date="2025-06-27", relation="basis"),
      dict(name="Luật Công đoàn", number_symbol=None, relation="cites"),
      dict(name="Luật Thanh niên", relation="cites"),
      dict(name="Luật Thực hiện dân chủ ở cơ sở", relation="cites")]),
    ("hd-mttq-quangninh-hiepthuong-2025",
     "Căn cứ Nghị quyết liên tịch số 102/2025/NQLT/UBTVQH15-CP- ĐCTUBTWMTTQVN ngày 26 tháng 9 năm 2025 giữa Ủy ban "
     "Thường vụ Quốc hội, Chính phủ, Đoàn Chủ tịch Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam hướng dẫn",
     [dict(number_symbol="102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN", doc_type="Nghị quyết liên tịch",
           date="2025-09-26", relation="basis",
           issuer="Ủy ban Thường vụ Quốc hội, Chính phủ, Đoàn Chủ tịch Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam")]),
    ("kh-165-ubnd-cantho-2025",
     "Kế hoạch số 75/KH- UBND ngày 09/7/2018 của UBND tỉnh Sóc Trăng về việc thực hiện",
     [dict(number_symbol="75/KH-UBND", number_printed="75/KH- UBND", date="2018-07-09", issuer="UBND tỉnh Sóc Trăng")]),
    ("kh-141-ubnd-bacninh-2025",
     "- Thường xuyên tuyên truyền, phổ biến, quán triệt Nghị quyết số 27/NQ- TW ngày 09/11/2022 của Ban Chấp hành "
     "Trung ương đảng khóa XIII về tiếp tục xây dựng",
     [dict(number_symbol="27-NQ/TW", date="2022-11-09", issuer="Ban Chấp hành Trung ương đảng khóa XIII")]),
    ("kh-141-ubnd-bacninh-2025",
     "Thực hiện Kế hoạch số 14-KH/TU ngày 29/7/2025 của Ban Thường vụ Tỉnh ủy và Kế hoạch số 24/KH-UBND ngày "
     "14/8/2025 của UBND tỉnh thực hiện Nghị quyết số 66-NQ/TW ngày 30 tháng 4 năm 2025 của Bộ Chính trị về đổi mới",
     [dict(number_symbol="14-KH/TU", issuer="Ban Thường vụ Tỉnh ủy", relation="implements"),
      dict(number_symbol="24/KH-UBND", issuer="UBND tỉnh", relation="implements"),
      dict(number_symbol="66-NQ/TW", date="2025-04-30", issuer="Bộ Chính trị", relation="implements")]),
    ("kh-174-ubnd-hcm-2025",
     "Căn cứ Quyết định số 178/QĐ-TTg ngày 28 tháng 01 năm 2016 của Thủ tướng Chính phủ về ban hành Kế hoạch triển "
     "khai Thông báo kết luận số 196-TB/TW ngày 16 tháng 3 năm 2015 của Ban Bí thư về Đề án",
     [dict(number_symbol="178/QĐ-TTg", relation="basis", date="2016-01-28"),
      dict(number_symbol="196-TB/TW", relation="cites", issuer="Ban Bí thư", date="2015-03-16")]),
    ("kh-0204-ubnd-camau-2025",
     "Chi vượt dự toán chủ yếu do chi trả chế độ, chính sách cho cán bộ, công chức, viên chức nghỉ hưu sớm, thôi "
     "việc do sắp xếp tổ chức bộ máy theo Nghị định số 178/2024/NĐ-CP, Nghị định số 67/2025/NĐ-CP của Chính phủ.",
     [dict(number_symbol="178/2024/NĐ-CP", doc_type="Nghị định", issuer="Chính phủ", date=None),
      dict(number_symbol="67/2025/NĐ-CP", issuer="Chính phủ")]),
    ("kh-144-ubnd-bacninh-2025",
     "Theo đề nghị của Sở Khoa học và Công nghệ tại Tờ trình số 133/TTr-SKHCN ngày 15/11/2025, UBND tỉnh ban hành",
     [dict(number_symbol="133/TTr-SKHCN", doc_type="Tờ trình", issuer="Sở Khoa học và Công nghệ")]),
    ("kh-1026-ubnd-nghean-2025",
     "Công văn số 574/UBND-NC ngày 23/9/2024 của UBND tỉnh",
     [dict(number_symbol="574/UBND-NC", doc_type="Công văn", date="2024-09-23")]),
    ("tvpl-0c462ec3eec6e18d",
     "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16/6/2025;",
     [dict(name="Luật Tổ chức chính quyền địa phương", number_symbol=None, doc_type="Luật", date="2025-06-16",
           relation="basis")]),
    ("kh-556-ubnd-dongthap-2025",
     "theo Nghị quyết 36-NQ/TW ngày 22/10/2018, Hội nghị lần thứ 8 của Ban Chấp hành Trung ương Đảng khóa XII về",
     [dict(number_symbol="36-NQ/TW", issuer="Ban Chấp hành Trung ương Đảng khóa XII")]),
    ("kh-0125-ubnd-daklak-2025",
     "Thực hiện Chỉ thị số 46-CT/TW ngày 16/5/2025 của Bộ Chính trị về lãnh đạo cuộc bầu cử; Chỉ thị số "
     "28/CT-TTg ngày 18/9/2025 của Thủ tướng Chính phủ về tổ chức cuộc bầu cử;\nHướng dẫn số 7886/HD-BNV ngày "
     "14/9/2025 của Bộ Nội vụ về khen thưởng;",
     [dict(number_symbol="46-CT/TW", relation="implements"), dict(number_symbol="28/CT-TTg", relation="implements"),
      dict(number_symbol="7886/HD-BNV", doc_type="Hướng dẫn", relation="implements")]),
]


@pytest.mark.parametrize("doc_id,sentence,expected", SENTENCES, ids=[f"{c[0]}-{i}" for i, c in enumerate(SENTENCES)])
def test_sentences(doc_id, sentence, expected):
    refs = full(find_references(sentence))
    assert len(refs) == len(expected), [r.number_symbol or r.name for r in refs]
    for r, exp in zip(refs, expected):
        assert sentence[r.start:r.end] == r.text
        for k, v in exp.items():
            assert getattr(r, k) == v, (k, getattr(r, k), v)


# Printed forms of numbers, as the annotation guide (docs/annotation.md) lists them.
NUMBERS = [
    ("30-CT/TW", "30-CT/TW"), ("100 - KL/TW", "100-KL/TW"), ("223/KH- UBND", "223/KH-UBND"),
    ("86/QĐ UBND", "86/QĐ-UBND"), ("27/NQ- TW", "27-NQ/TW"), ("103 -KH/ĐU", "103-KH/ĐU"),
    ("102/2025/NQLT/UBTVQH15-CP- ĐCTUBTWMTTQVN", "102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN"),
    ("30/2020/ND-CP", "30/2020/NĐ-CP"), ("21/2025/TT - BNV", "21/2025/TT-BNV"), ("32/CT-TTG", "32/CT-TTg"),
    ("8935/BNV-CTTN&BĐG", "8935/BNV-CTTN&BĐG"), ("06-HD/BTCTW-BTGTW", "06-HD/BTCTW-BTGTW"),
    ("85/2015/QH13", "85/2015/QH13"), ("11-QĐi/TW", "11-QĐi/TW"),
]


@pytest.mark.parametrize("printed,canonical", NUMBERS)
def test_normalise_number(printed, canonical):
    assert normalise_number(printed) == canonical


def test_not_numbers():
    # form codes, kilometre posts, the document's own number line
    text = ("Mẫu số 06/BBKP kèm theo. Km 100+000 - K4.\nSố: 141/KH-UBND\nBắc Ninh, ngày 20 tháng 11 năm 2025\n"
            "Đơn đề nghị xác định mã số số 002 ngày 23/9/2025")
    assert full(find_references(text)) == []


def test_list_gives_one_reference_each():
    # the annotation guide's example of a list of Party conclusions
    refs = full(find_references("Thực hiện Kết luận số 187, 188-KL/TW ngày 10/9/2025 của Bộ Chính trị,"))
    assert [r.number_symbol for r in refs] == ["187-KL/TW", "188-KL/TW"]
    assert all(r.date == "2025-09-10" and r.issuer == "Bộ Chính trị" for r in refs)
    assert refs[0].text == "Kết luận số 187"


def test_doubled_so_and_wrapped_bold_citation():
    # "số số" (a typing slip) and a citation broken over a line with bold marks, as the
    # seed's raw title prints it
    refs = full(find_references("Quyết định số số 15/QĐ-UBND ngày 05/3/2024 của UBND tỉnh"))
    assert refs[0].number_symbol == "15/QĐ-UBND" and refs[0].issuer == "UBND tỉnh"
    raw = ("**Quán triệt, tuyên truyền, tổ chức thực hiện\nChỉ thị số 30-CT/TW ngày 05/02/2024 của Ban Bí thư "
           "Trung ương Đảng\nkhóa XIII về công tác tuyên truyền miệng trong tình hình mới**")
    r = full(find_references(raw))[0]
    assert (r.number_symbol, r.date, r.issuer) == ("30-CT/TW", "2024-02-05", "Ban Bí thư Trung ương Đảng khóa XIII")


def test_short_mentions_link_to_the_full_one():
    # tvpl-74e2ddc7b11340da: "Nghị quyết 214/NQ-CP" after its full citation; "Chỉ thị 30" style
    text = ("Thực hiện Chỉ thị số 30-CT/TW ngày 05/02/2024 của Ban Bí thư (sau đây gọi tắt là Chỉ thị 30). "
            "Các chi bộ quán triệt Chỉ thị 30 và Chỉ thị số 30-CT/TW.")
    refs = find_references(text)
    assert refs[0].refers_to is None and refs[0].alias == "Chỉ thị 30"
    assert len(refs) >= 3
    assert all(r.refers_to == 0 and r.number_symbol == "30-CT/TW" for r in refs[1:])


@needs_corpus
def test_seed_gold():
    text = corpus_text("seed-103-kh-du-hungyen-2024")
    found = full(find_references(text))
    refs = {r.number_symbol: r for r in found if r.number_symbol}
    assert set(refs) == {"159-KH/ĐUK", "30-CT/TW", "317-KH/TU"}
    # and the Congress resolution cited by name
    assert [(r.name, r.relation) for r in found if not r.number_symbol] == [
        ("Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng", "cites")]
    assert (refs["159-KH/ĐUK"].date, refs["159-KH/ĐUK"].relation) == ("2024-06-17", "implements")
    assert refs["159-KH/ĐUK"].issuer == "Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh"
    assert refs["30-CT/TW"].issuer == "Ban Bí thư Trung ương Đảng khóa XIII"
    assert (refs["30-CT/TW"].relation, refs["30-CT/TW"].alias) == ("implements", "Chỉ thị số 30-CT/TW")
    assert (refs["317-KH/TU"].date, refs["317-KH/TU"].relation) == ("2024-06-07", "cites")


@needs_corpus
@pytest.mark.corpus
def test_corpus_invariants():
    for p in DOCS:
        text = corpus_text(p.stem)
        refs = find_references(text)
        for i, r in enumerate(refs):
            assert text[r.start:r.end] == r.text, p.name
            assert r.relation in ("implements", "basis", "cites")
            if r.refers_to is not None:
                assert refs[r.refers_to].refers_to is None, (p.name, r.text)
            if r.number_symbol and r.refers_to is None and "/" in r.number_symbol:
                assert normalise_number(r.number_symbol) == r.number_symbol, (p.name, r.number_symbol)
        assert [r.start for r in refs] == sorted(r.start for r in refs)


@needs_corpus
def test_parse_output_carries_references_dates_and_bodies():
    """``vnplan parse``: the contract's fields, the header's own number not taken for a reference."""
    from vnplan_nlp.parse import parse_path
    doc = parse_path(CORPUS / "docs" / "seed-103-kh-du-hungyen-2024.txt")
    d = doc.to_dict()
    refs = [r for r in d["references"] if r["refers_to"] is None and r["number_symbol"]]
    assert {r["number_symbol"] for r in refs} == {"159-KH/ĐUK", "30-CT/TW", "317-KH/TU"}
    for r in d["references"]:
        assert set(r) >= {"doc_type", "number_symbol", "date", "issuer", "relation", "alias", "text", "start", "end"}
        assert doc.text[r["start"]:r["end"]] == r["text"]
    q = [x for x in d["dates"] if x["text"] == "Quý III/2024"]
    assert q and q[0]["value"] == {"start": "2024-07-01", "end": "2024-09-30"}
    assert any(b["name"] == "Đảng ủy Sở Nội vụ" for b in d["bodies"])


def test_this_document_type_links_or_is_left_out():
    # seed-103-kh-du-hungyen-2024 style: "Chỉ thị này" in a plan that cites one Chỉ thị
    text = ("Quán triệt Chỉ thị số 30-CT/TW ngày 05/02/2024 của Ban Bí thư. Việc thực hiện Chỉ thị này bảo đảm "
            "thống nhất; triển khai thực hiện nghiêm túc Kế hoạch này.")
    refs = find_references(text, doc_type="Kế hoạch")
    assert [r.text for r in refs] == ["Chỉ thị số 30-CT/TW ngày 05/02/2024 của Ban Bí thư", "Chỉ thị này"]
    assert refs[1].refers_to == 0 and refs[1].number_symbol == "30-CT/TW"


def test_numbers_scanned_on_slash_lines_only():
    """Numbers are looked for only on the lines that hold a '/': every number has one and
    none runs over a line break."""
    from vnplan_nlp.references import _numbers, patterns
    text = ("Căn cứ Kế hoạch số 14-KH/TU\nngày 29/7/2025; Công văn 223/KH- UBND, 100 - KL/TW\n"
            "Nghị quyết số 57-\nNQ/TW và 24/\nKH-UBND\n102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN")
    spans = [m.span() for m in _numbers(text)]
    assert spans and spans == [m.span() for m in patterns().number.finditer(text)]


@pytest.mark.corpus
def test_numbers_on_slash_lines_over_the_corpus(corpus_docs):
    from vnplan_nlp.normalise import fold_tones
    from vnplan_nlp.references import _numbers, patterns
    for p in corpus_docs:
        folded = fold_tones(normalise(read_path(p).text).text)
        assert [(m.span(), m.groups()) for m in _numbers(folded)] == \
            [(m.span(), m.groups()) for m in patterns().number.finditer(folded)], p.name

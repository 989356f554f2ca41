"""Issuing bodies: the data files, canonical names, bodies found in real sentences (each
names its corpus document), provinces before and after the 2025 merger."""

from __future__ import annotations

import pytest

from vnplan_nlp.bodies import (body_kind, code_valid_on, distinct_bodies, expand_abbreviations, find_bodies,
                               issuer_code_info, load_data, match_body, normalise_body, province, province_on,
                               same_body)

from corpus_helpers import DOCS, corpus_text, needs_corpus


def test_data_files_carry_source_and_date():
    for name in ("doctypes", "issuer_codes", "bodies", "provinces", "laws"):
        d = load_data(name)
        assert d["source"] and d["updated"], name


def test_provinces_before_and_after_the_merger():
    d = load_data("provinces")
    assert len(d["before"]) == 63 and len(d["after"]) == 34
    merged = [old for p in d["after"] for old in p["from"]]
    assert sorted(merged) == sorted(p["name"] for p in d["before"])     # each old one goes somewhere once
    assert d["merger"]["in_force"] == "2025-07-01"
    assert province_on("Thái Bình", "2025-06-30") == "Thái Bình"
    assert province_on("Thái Bình", "2025-07-01") == "Hưng Yên"
    assert province_on("tỉnh Bắc Giang", "2025-12-01") == "Bắc Ninh"
    assert province("Thừa Thiên Huế")["name"] == "Huế"
    assert province("Bắc Cạn")["merged_into"] == "Thái Nguyên"


def test_issuer_codes_with_dates():
    assert issuer_code_info("ĐUK")["name"] == "Đảng ủy Khối"
    assert issuer_code_info("UBTVQH15")["code"] == "UBTVQH"
    assert code_valid_on("BTGDVTW", "2025-11-19") is True
    assert code_valid_on("BTGTW", "2025-11-19") is False
    assert code_valid_on("HU", "2024-06-15") is True and code_valid_on("HU", "2025-08-01") is False
    assert code_valid_on("XYZ", "2025-01-01") is None


@pytest.mark.parametrize("a,b", [
    ("Đảng ủy Khối CQ-DN tỉnh", "Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh"),      # seed: recipients / preamble
    ("Đảng uỷ Sở Nội vụ", "Đảng ủy Sở Nội vụ"),
    ("UBND tỉnh Bắc Ninh", "Ủy ban nhân dân tỉnh Bắc Ninh"),
    ("ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "UBND tỉnh Bắc Ninh"),
    ("Ban thường vụ Tỉnh ủy", "Ban Thường vụ Tỉnh ủy"),                          # kh-144
    ("BTV Tỉnh ủy", "Ban Thường vụ Tỉnh ủy"),
    ("TT Tỉnh ủy", "Thường trực Tỉnh ủy"),                                       # kh-141 recipients
    ("Ủy ban MTTQ Việt Nam xã Quảng Ninh", "Ủy ban Mặt trận Tổ quốc Việt Nam xã Quảng Ninh"),
    ("Ban Chấp hành Trung ương đảng khóa XIII", "Ban Chấp hành Trung ương Đảng khóa XIII"),
    ("Ban Chấp hành Đảng bộ tỉnh (khóa XVI)", "Ban Chấp hành Đảng bộ tỉnh khóa XVI"),
    ("Ban Bí thư Trung ương Đảng", "Ban Bí thư"),
])
def test_same_body(a, b):
    assert normalise_body(a) == normalise_body(b)
    assert same_body(a, b)


def test_different_bodies_stay_different():
    assert not same_body("UBND tỉnh Bắc Ninh", "UBND tỉnh Bắc Giang")
    assert not same_body("Ban Thường vụ Tỉnh ủy", "Tỉnh ủy")
    assert same_body("Ban Bí thư khóa XIII", "Ban Bí thư", drop_term=True)
    assert not same_body("Ban Bí thư khóa XIII", "Ban Bí thư", drop_term=False)


def test_abbreviations():
    assert expand_abbreviations("Đ/c Trưởng Ban") == "đồng chí Trưởng Ban"                 # qd-1147
    assert expand_abbreviations("TT HĐND tỉnh") == "Thường trực Hội đồng nhân dân tỉnh"
    assert expand_abbreviations("TT Tỉnh ủy") == "Thường trực Tỉnh ủy"
    assert expand_abbreviations("TT kiểm tra") == "TT kiểm tra"          # "TT" only before a body


# (document, sentence, bodies as printed)
SENTENCES = [
    ("seed-103-kh-du-hungyen-2024",
     "Thực hiện Kế hoạch số 159-KH/ĐUK ngày 17/6/2024 của Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh "
     "về quán triệt, ..., Đảng ủy Sở Nội vụ xây dựng Kế hoạch",
     ["Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh", "Đảng ủy Sở Nội vụ"]),
    ("seed-103-kh-du-hungyen-2024", "- Đảng ủy Khối CQ-DN tỉnh;", ["Đảng ủy Khối CQ-DN tỉnh"]),
    ("kh-16-mttq-luongminh-2025",
     "Kế hoạch số 33/KH-MTTQ-BTT, ngày 17/11/2025 của Ban Thường trực Ủy ban MTTQ Việt Nam xã Quảng Ninh về Thực hiện",
     ["Ban Thường trực Ủy ban MTTQ Việt Nam xã Quảng Ninh"]),
    ("kh-141-ubnd-bacninh-2025", "- TT Tỉnh ủy, TT HĐND tỉnh;", ["TT Tỉnh ủy", "TT HĐND tỉnh"]),
    ("kh-1026-ubnd-nghean-2025", "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN", ["ỦY BAN NHÂN DÂN"]),
    ("kh-144-ubnd-bacninh-2025", "Theo đề nghị của Sở Khoa học và Công nghệ tại Tờ trình số 133/TTr-SKHCN",
     ["Sở Khoa học và Công nghệ"]),
    ("qd-1147-btgdvtw-2025", "Chỉ thị số 30-CT/TW, ngày 05/02/2024 của Ban Bí thư khóa XIII về công tác",
     ["Ban Bí thư khóa XIII"]),
    ("seed-103-kh-du-hungyen-2024", "2- Các đồng chí Đảng ủy viên, Bí thư các chi bộ", []),
    ("tvpl-cc57a4285d4110ae", "Kính gửi: Thuế tỉnh Nghệ An.", ["Thuế tỉnh Nghệ An"]),
    ("tvpl-90cfa0f24fcb05de", "Báo cáo thẩm tra số 109/BC-BPC ngày 22 tháng 11 năm 2025 của Ban Pháp chế Hội đồng nhân "
     "dân Thành phố; ý kiến thảo luận", ["Ban Pháp chế Hội đồng nhân dân Thành phố"]),
    ("kh-1026-ubnd-nghean-2025", "Kế hoạch số 321-KH/TU ngày 11/4/2025 của Tỉnh ủy Nghệ An về triển khai",
     ["Tỉnh ủy Nghệ An"]),
    ("qd-384-tw-2025", "Quy định số 05-QĐ/BCĐTW, ngày 27/8/2025 của Ban Chỉ đạo Trung ương về phát triển khoa học, "
     "công nghệ, đổi mới sáng tạo và chuyển đổi số về Mô hình",
     ["Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số"]),
]


@pytest.mark.parametrize("doc_id,sentence,expected", SENTENCES, ids=[f"{c[0]}-{i}" for i, c in enumerate(SENTENCES)])
def test_find_bodies(doc_id, sentence, expected):
    found = find_bodies(sentence)
    assert [b.text for b in found] == expected
    for b in found:
        assert sentence[b.start:b.end] == b.text


def test_kinds_and_match_at_a_position():
    assert body_kind("UBND tỉnh") == "state"
    assert body_kind("Ban Thường vụ Tỉnh ủy") == "party"
    assert body_kind("Ủy ban MTTQ Việt Nam tỉnh") == "front"
    assert body_kind("Chủ tịch UBND tỉnh") == "position"
    s = "Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ"
    b = match_body(s)
    assert b.text == "Sở Tư pháp" and b.kind == "state"
    assert match_body(s, 3) is None


@needs_corpus
def test_seed_two_spellings_are_one_body():
    text = corpus_text("seed-103-kh-du-hungyen-2024")
    groups = distinct_bodies(find_bodies(text))
    spellings = {b.text for g in groups.values() for b in g
                 if b.name == "Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh"}
    assert {"Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh", "Đảng ủy Khối CQ-DN tỉnh"} <= spellings


@needs_corpus
@pytest.mark.corpus
def test_corpus_invariants():
    for p in DOCS:
        text = corpus_text(p.stem)
        found = find_bodies(text)
        for b in found:
            assert text[b.start:b.end] == b.text, p.name
            assert b.name and b.kind in (None, "party", "state", "front", "position")
        assert all(a.end <= b.start for a, b in zip(found, found[1:])), p.name


def test_alternation_grouped_by_first_letter():
    import re

    from vnplan_nlp.bodies import _alt, _words_re
    names = ["Bộ Tư pháp", "Bộ Nội vụ", "Ban Tuyên giáo", "Sở Tư pháp", "Ban", "Bộ Tài chính"]
    grouped = re.compile(_alt(names))
    flat = re.compile("(?:" + "|".join(_words_re(p) for p in sorted(set(names), key=len, reverse=True)) + ")")
    text = "Bộ Tài chính, BỘ NỘI VỤ, Ban tuyên giáo, ban Tuyên giáo, Sở tư pháp, Ban Thường vụ, Bộ  Tư  pháp"
    found = [m.span() for m in grouped.finditer(text)]
    assert found and found == [m.span() for m in flat.finditer(text)]
    assert _alt(names).startswith("(?:B(?:")


@needs_corpus
def test_grouped_body_grammar_finds_what_the_flat_one_finds(monkeypatch):
    """Grouping the body names by first letter leaves every body found as it was."""
    import re

    from vnplan_nlp import bodies
    from vnplan_nlp.normalise import fold_tones
    texts = [fold_tones(corpus_text(p.stem)) for p in DOCS[::5]]
    grouped = bodies.body_regex()
    monkeypatch.setattr(bodies, "_alt", lambda phrases, sort=True: "(?:" + "|".join(
        bodies._words_re(p) for p in (sorted(set(phrases), key=len, reverse=True) if sort else phrases)) + ")")
    bodies._grammar.cache_clear()
    try:
        flat = re.compile(bodies._grammar()["body"].replace(r"\s", r"[^\S\n]"))
    finally:
        bodies._grammar.cache_clear()
    for t in texts:
        assert [(m.span(), m.groups()) for m in grouped.finditer(t)] == \
            [(m.span(), m.groups()) for m in flat.finditer(t)]

"""Header fields on real documents: each case names its corpus document."""

import pytest

from vnplan_nlp.header import parse_number

pytestmark = pytest.mark.corpus

CASES = [
    # (document, field, expected)
    ("seed-103-kh-du-hungyen-2024", "number_line", "Số/103 -KH/ĐU"),
    ("seed-103-kh-du-hungyen-2024", "number_symbol", "103-KH/ĐU"),
    ("seed-103-kh-du-hungyen-2024", "number", "103"),
    ("seed-103-kh-du-hungyen-2024", "issued_date", "2024-06-15"),
    ("seed-103-kh-du-hungyen-2024", "place", "Hưng Yên"),
    ("seed-103-kh-du-hungyen-2024", "doc_type", "Kế hoạch"),
    ("seed-103-kh-du-hungyen-2024", "issuer", "Đảng ủy Sở Nội vụ"),
    ("seed-103-kh-du-hungyen-2024", "parent_organ", None),
    ("kh-141-ubnd-bacninh-2025", "number_symbol", "141/KH-UBND"),
    ("kh-141-ubnd-bacninh-2025", "issuer", "Uỷ ban nhân dân tỉnh Bắc Ninh"),
    ("kh-141-ubnd-bacninh-2025", "issued_date", "2025-11-20"),
    ("kl-221-tw-2025", "number_symbol", "221-KL/TW"),
    ("kl-221-tw-2025", "issuer", "Ban Chấp hành Trung ương"),
    ("kl-221-tw-2025", "doc_type", "Kết luận"),
    ("hd-37-btgdvtw-2025", "issuer", "Ban Tuyên giáo và Dân vận Trung ương"),
    ("hd-37-btgdvtw-2025", "parent_organ", "Ban Chấp hành Trung ương"),
    ("kh-16-mttq-luongminh-2025", "number_symbol", "16/KH-MTTQ-BTT"),
    ("kh-16-mttq-luongminh-2025", "parent_organ", "Ủy ban MTTQ Việt Nam xã Lương Minh"),
    ("kh-16-mttq-luongminh-2025", "issuer", "Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh"),
    # blank number in an unissued copy: symbol kept, no number
    ("kh-mttq-luongminh-hiepthuong-2025", "number_symbol", None),
    ("kh-mttq-luongminh-hiepthuong-2025", "symbol", "KH-MTTQ-BTT"),
    # công văn inferred from "V/v"
    ("tvpl-06690fd4027d01c8", "doc_type", "Công văn"),
    ("tvpl-06690fd4027d01c8", "title", "thành lập Mạng lưới quan trắc và cảnh báo phóng xạ môi trường"),
    # "Số:" on one line and the number on the next
    ("tvpl-3eb6b0065020aac4", "number_symbol", "5664/CT-CS"),
    ("tvpl-3eb6b0065020aac4", "issuer", "Cục Thuế"),
    ("tvpl-3eb6b0065020aac4", "parent_organ", "Bộ Tài chính"),
    # legal normative number with its year
    ("tvpl-1cde9b907469c65b", "number_symbol", "97/2025/QĐ-UBND"),
    # the header's organ cell lost in the page: issuer from the authority line / the symbol
    ("tvpl-85dfc8ce7a836e1d", "issuer", "Bộ Y tế"),
    ("tvpl-b2fa001677379e64", "issuer", "Thủ tướng Chính phủ"),
    # the date line split before the year
    ("tvpl-fc5c0bce58bee8ce", "issued_date", "2025-11-21"),
]


@pytest.mark.parametrize("doc_id, field, expected", CASES)
def test_header_field(parsed, doc_id, field, expected):
    assert getattr(parsed(doc_id).header, field) == expected


def test_seed_issuer_comes_from_the_body_with_evidence(parsed):
    d = parsed("seed-103-kh-du-hungyen-2024")
    h = d.header
    assert h.evidence == {"issuer": "body"}
    a, b = h.spans["issuer"]
    assert d.text[a:b] == "Đảng ủy Sở Nội vụ"
    assert a > d.body_start          # the span points into the body, not the header
    assert h.national is None and h.star  # the header lacks the national line; the star survives


def test_systems(parsed):
    assert parsed("seed-103-kh-du-hungyen-2024").system == "party"
    assert parsed("kl-221-tw-2025").system == "party"
    assert parsed("kh-141-ubnd-bacninh-2025").system == "state"


@pytest.mark.parametrize("rest, expected", [
    ("103 -KH/ĐU", ("103", "KH/ĐU", "103-KH/ĐU", "party")),
    ("141/KH-UBND", ("141", "KH-UBND", "141/KH-UBND", "state")),
    ("223/KH- UBND", ("223", "KH-UBND", "223/KH-UBND", "state")),
    ("86/QĐ UBND", ("86", "QĐ-UBND", "86/QĐ-UBND", "state")),
    ("97/2025/QĐ-UBND", ("97", "2025/QĐ-UBND", "97/2025/QĐ-UBND", "legal")),
    ("     /KH-MTTQ-BTT", (None, "KH-MTTQ-BTT", None, "state")),
    ("100 - KL/TW", ("100", "KL/TW", "100-KL/TW", "party")),
])
def test_parse_number(rest, expected):
    assert parse_number(rest) == expected


@pytest.mark.parametrize("organs, issuer", [
    # a joint document's organs on one line, as a web copy flattens its header cell: longer than
    # any one organ's line, each organ cased as its own name
    ("ỦY BAN THƯỜNG VỤ QUỐC HỘI - CHÍNH PHỦ - ĐOÀN CHỦ TỊCH ỦY BAN TRUNG ƯƠNG MẶT TRẬN TỔ QUỐC VIỆT NAM",
     "Ủy ban Thường vụ Quốc hội - Chính phủ - Đoàn Chủ tịch Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"),
    ("BỘ NỘI VỤ - BỘ TÀI CHÍNH", "Bộ Nội vụ - Bộ Tài chính"),
])
def test_a_joint_documents_issuers_are_one_header_line(organs, issuer):
    from vnplan_nlp.parse import parse_text
    text = (f"{organs}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Số: 12/2025/TTLT-BNV-BTC\nHà Nội, ngày 10 tháng 10 năm 2025\nTHÔNG TƯ LIÊN TỊCH\n"
            "Hướng dẫn chế độ phụ cấp\nĐiều 1. Phạm vi điều chỉnh\nThông tư này hướng dẫn chế độ phụ cấp.\n")
    h = parse_text(text, "ttlt.txt").header
    assert h.issuer == issuer and h.parent_organ is None
    assert h.doc_type == "Thông tư liên tịch" and h.number_symbol == "12/2025/TTLT-BNV-BTC"

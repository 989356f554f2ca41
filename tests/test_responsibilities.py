"""Responsibilities: tables of real sentences from named corpus documents, the seed's four,
task tables in appendices (flattened Markdown and Word rows), spans over the whole corpus."""

from __future__ import annotations

import json

import pytest

from vnplan_nlp.models import Responsibility
from vnplan_nlp.parse import parse_source, parse_text
from vnplan_nlp.read import Source
from vnplan_nlp.responsibilities import (actor_key, deadline_sort_key, find_responsibilities,
                                         normalise_actor)


def _by_actor(resps, actor: str, section: str | None = None):
    k = actor_key(actor)
    out = [r for r in resps if actor_key(r.actor) == k and (section is None or r.section == section)]
    assert out, f"no responsibility for {actor!r} ({section}); found: " + "; ".join(
        f"{r.section} {r.actor}" for r in resps)
    return out[0]


# -- the seed ---------------------------------------------------------------------------------

@pytest.mark.corpus
def test_seed_four(parsed):
    """The II.1 conference in Quý III/2024 and the three assignments of section III."""
    doc = parsed("seed-103-kh-du-hungyen-2024")
    rs = find_responsibilities(doc)
    assert len(rs) == 4
    a = _by_actor(rs, "Đảng ủy Sở, các chi bộ trực thuộc", "II.1")
    assert a.role == "execute" and a.deadline == "trong Quý III/2024" and a.report_to is None
    assert a.task.startswith("tổ chức hội nghị nghiên cứu, học tập, quán triệt")
    b = _by_actor(rs, "Các đồng chí Ủy viên Ban Thường vụ Đảng ủy, Lãnh đạo Sở", "III.1")
    assert b.role == "lead" and b.report_to == "Đảng ủy" and b.deadline is None
    c = _by_actor(rs, "Các đồng chí Đảng ủy viên, Bí thư các chi bộ, Trưởng các phòng, ban, đơn vị", "III.2")
    assert c.role == "lead" and c.report_to is None      # "tham mưu triển khai thực hiện" (project gold)
    d = _by_actor(rs, "đồng chí Đảng ủy viên phụ trách công tác tuyên giáo của Đảng ủy", "III.3")
    assert d.role == "lead" and d.deadline == "định kỳ"
    assert d.report_to == "Ban Thường vụ Đảng ủy Sở và Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh ủy"
    assert not any(r.request for r in rs)


# -- real sentences ---------------------------------------------------------------------------
# (document, actor as printed, section, role, deadline, report_to, request)

CASES = [
    # "1. Đề nghị Ban Tuyên giáo và Dân vận Tỉnh ủy: Ban hành văn bản chỉ đạo ..." (a UBND plan)
    ("kh-0125-ubnd-daklak-2025", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "VI.1", "execute", None, None, True),
    # "6. Sở Nội vụ: Tham mưu UBND tỉnh theo dõi, đôn đốc, hướng dẫn ..."
    ("kh-0125-ubnd-daklak-2025", "Sở Nội vụ", "VI.6", "lead", None, None, False),
    # "Sở Nội vụ phối hợp với các cơ quan, đơn vị có liên quan báo cáo Ủy ban bầu cử tỉnh, ..."
    ("kh-0125-ubnd-daklak-2025", "Sở Nội vụ", "IV.1", "coordinate", None,
     "Ủy ban bầu cử tỉnh, Hội đồng Thi đua - Khen thưởng tỉnh, UBND tỉnh", False),
    # "Đơn vị chủ trì tham mưu thực hiện: Sở Khoa học và Công nghệ." / "Thời gian thực hiện: Tháng 12/2025."
    ("kh-141-ubnd-bacninh-2025", "Sở Khoa học và Công nghệ", "III.7", "lead", "Thường xuyên", None, False),
    # "2. Sở Tài chính chủ trì, phối hợp với các Sở, ban, ngành, đơn vị và UBND cấp xã bố trí kinh phí ..."
    ("kh-141-ubnd-bacninh-2025", "Sở Tài chính", "IV.2", "lead", None, None, False),
    ("kh-141-ubnd-bacninh-2025", "các Sở, ban, ngành, đơn vị và UBND cấp xã", "IV.2", "coordinate", None, None, False),
    # "6. Giao Sở Tư pháp theo dõi, đôn đốc ...; tham mưu sơ kết, tổng kết và định kỳ báo cáo UBND tỉnh"
    ("kh-141-ubnd-bacninh-2025", "Sở Tư pháp", "IV.6", "lead", "định kỳ", "UBND tỉnh", False),
    # "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với các sở, ban, ngành, ..."
    ("kh-174-ubnd-hcm-2025", "Sở Nội vụ", "III.1.a", "lead", "từ ngày 15/11 đến ngày 15/12", None, False),
    # "3. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố, Hội Liên hiệp / Phụ nữ Thành phố ..."
    ("kh-174-ubnd-hcm-2025", "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố, Hội Liên hiệp Phụ nữ Thành phố "
     "và các tổ chức thành viên của Mặt trận", "V.3", "execute", None, None, True),
    # "Các sở, ... gửi báo cáo ... về Sở Nội vụ trước ngày 16 tháng 12 năm 2025"
    ("kh-174-ubnd-hcm-2025", "Các sở, ban, ngành, đoàn thể Thành phố, Ủy ban nhân dân phường, xã, đặc khu",
     "VII", "execute", "trước ngày 16 tháng 12 năm 2025", "Sở Nội vụ", False),
    # "2.6. Sở Văn hóa, ..." / "Chủ trì, phối hợp với các Sở, ban, ngành liên quan tham mưu ... trong tháng 11/2025"
    ("kh-182-ubnd-dongnai-2025", "Sở Văn hóa, Thể thao và Du lịch", "III.2.6", "lead", "trong tháng 11/2025",
     "Ủy ban nhân dân tỉnh (qua Công an tỉnh)", False),
    # "2.10. Đề nghị Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh"
    ("kh-182-ubnd-dongnai-2025", "Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh", "III.2.10", "execute",
     None, None, True),
    # "2.2. Sở Nội vụ" / "- Phối hợp Công an tỉnh và các đơn vị liên quan tham mưu ..."
    ("kh-182-ubnd-dongnai-2025", "Sở Nội vụ", "III.2.2", "coordinate", None, None, False),
    # "4.2. Giao Đảng uỷ Công an Trung ương chủ trì, phối hợp với Đảng uỷ Bộ Tư pháp, Uỷ ban nhân dân các tỉnh, ..."
    ("tb-432-vptw-2025", "Đảng uỷ Công an Trung ương", "4.2", "lead", None, None, False),
    ("tb-432-vptw-2025", "Đảng uỷ Bộ Tư pháp, Uỷ ban nhân dân các tỉnh, thành phố", "4.2", "coordinate",
     None, None, False),
    # "(i) Chỉ đạo Đảng uỷ Bộ Y tế chủ trì xây dựng ..."
    ("tb-432-vptw-2025", "Đảng uỷ Bộ Y tế", "4.1", "lead", None, None, False),
    # "Các tỉnh uỷ, thành uỷ phối hợp Bộ Y tế, ... khẩn trương sắp xếp ... trước ngày 31/12/2025"
    ("kl-221-tw-2025", "Các tỉnh uỷ, thành uỷ", "4", "coordinate", "trước ngày 31/12/2025", None, False),
    # "- Đơn vị chủ trì: Đồng chí Phó chủ tịch Thường trực, ..." / "- Thời gian hoàn thành: Quý IV/2025;"
    ("kh-16-mttq-luongminh-2025", "Đồng chí Phó chủ tịch Thường trực, phụ trách lĩnh vực Giám sát và Phản biện xã hội",
     "II.4.1", "lead", "Quý IV/2025", None, False),
    # "12. Đề nghị Công ty Điện lực Đắk Lắk: Khẩn trương kiểm tra, khắc phục sự cố lưới điện ..."
    ("kh-0129-ubnd-daklak-2025", "Công ty Điện lực Đắk Lắk", "IV.12", "execute", None, None, True),
]


@pytest.mark.corpus
@pytest.mark.parametrize("doc_id, actor, section, role, deadline, report_to, is_request", CASES,
                         ids=[f"{c[0]}:{c[2]}:{c[1][:25]}" for c in CASES])
def test_sentences(parsed, doc_id, actor, section, role, deadline, report_to, is_request):
    doc = parsed(doc_id)
    r = _by_actor(find_responsibilities(doc), actor, section)
    assert r.role == role
    assert (r.deadline or None) == deadline or (deadline and r.deadline and deadline in r.deadline)
    assert r.report_to == report_to or (report_to and r.report_to and report_to in r.report_to)
    assert r.request is is_request


@pytest.mark.corpus
def test_closing_paragraph_reports_to(parsed):
    """'Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị, địa phương
    báo cáo Ủy ban nhân dân tỉnh (qua Công an tỉnh) ...' (Đồng Nai 182)."""
    rs = find_responsibilities(parsed("kh-182-ubnd-dongnai-2025"))
    r = _by_actor(rs, "các cơ quan, đơn vị, địa phương", "closing")
    assert r.report_to == "Ủy ban nhân dân tỉnh (qua Công an tỉnh)"


@pytest.mark.corpus
def test_impersonal_and_purpose_sections_assign_nothing(parsed):
    """Mục đích, yêu cầu and impersonal solutions have no actor (Cần Thơ 159: I and III)."""
    rs = find_responsibilities(parsed("kh-159-ubnd-cantho-2025"))
    assert {r.section.split(".")[0] for r in rs} <= {"V", "closing"}
    # the closing formula 'đề nghị các cơ quan, đơn vị triển khai thực hiện' alone is not a duty
    rs = find_responsibilities(parsed("seed-103-kh-du-hungyen-2024"))
    assert not any("chi bộ trực thuộc Đảng bộ Sở" in r.actor for r in rs)


# -- task tables in appendices ----------------------------------------------------------------

@pytest.mark.corpus
@pytest.mark.parametrize("doc_id, rows", [("kh-310-ubnd-hanoi-2025", 6), ("kh-617-ubnd-dongthap-2025", 11)])
def test_appendix_task_table_one_per_row(parsed, doc_id, rows):
    """A UBND plan whose appendix holds a task table (TT / Nội dung / Cơ quan chủ trì / Cơ quan
    phối hợp / Thời gian): one lead and one coordinate responsibility per row."""
    rs = [r for r in find_responsibilities(parsed(doc_id)) if (r.section or "").startswith("PL.")]
    leads = [r for r in rs if r.role == "lead"]
    assert [r.section for r in leads] == [f"PL.{i}" for i in range(1, rows + 1)]
    assert len([r for r in rs if r.role == "coordinate"]) == rows
    assert all(r.deadline for r in rs)
    assert all(r.task for r in rs)


@pytest.mark.corpus
def test_appendix_rows_of_hanoi_310(parsed):
    rs = find_responsibilities(parsed("kh-310-ubnd-hanoi-2025"))
    r1 = [r for r in rs if r.section == "PL.1"]
    assert {(r.role, r.actor) for r in r1} == {
        ("lead", "Ban Quản lý các khu công nghệ cao và khu công nghiệp"),
        ("coordinate", "Sở Khoa học và Công nghệ Sở Công Thương; UBND các phường, xã")}
    assert r1[0].deadline == "Quý III Năm 2026"
    assert r1[0].task.startswith("Tổ chức điều chỉnh, bổ sung quy hoạch hạ tầng viễn thông")


@pytest.mark.corpus
def test_appendix_rows_restarting_per_group(parsed):
    """Bắc Ninh 144: rows numbered again in each group (PL.I.1 ... PL.II.13), the title's
    'ĐẾN NĂM 2030' as deadline, a cell naming two actors with their own verbs."""
    rs = [r for r in find_responsibilities(parsed("kh-144-ubnd-bacninh-2025")) if (r.section or "").startswith("PL.")]
    assert {r.section for r in rs} >= {"PL.I.1", "PL.I.6", "PL.II.1", "PL.II.13"}
    assert all(r.deadline for r in rs)
    i2 = {(r.role, r.actor, r.deadline) for r in rs if r.section == "PL.I.2"}
    assert ("lead", "Sở KH&CN", "ĐẾN NĂM 2030") in i2
    assert ("execute", "Các sở, ngành, UBND cấp xã", "hằng năm") in i2


WORD_PLAN = """ỦY BAN NHÂN DÂN
TỈNH ĐỒNG THÁP
Số: 617/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Đồng Tháp, ngày 01 tháng 12 năm 2025
KẾ HOẠCH
Hỗ trợ doanh nghiệp chuyển đổi số
I. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính: Thẩm định dự toán kinh phí thực hiện nhiệm vụ Kế hoạch.
Nơi nhận:
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn A
PHỤ LỤC
DANH MỤC CÁC NHIỆM VỤ TRỌNG TÂM
STT | Tên nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành
I. NÂNG CAO NHẬN THỨC VÀ ĐỔI MỚI TƯ DUY
1 | Triển khai đánh giá mức độ chuyển đổi số trong các doanh nghiệp trên địa bàn Tỉnh. | Sở KH&CN | Các sở, ban, ngành tỉnh; UBND các xã, phường | Thường xuyên
2 | Xây dựng Bộ tiêu chí đánh giá mức độ chuyển đổi số doanh nghiệp | Sở KH&CN | Các sở, ban, ngành tỉnh | Quí IV-2025
3 | Hỗ trợ cho các doanh nghiệp, nhất là doanh nghiệp nhỏ và vừa | Sở Công Thương | UBND các xã, phường | Quí IV-2025
"""


@pytest.mark.parametrize("markup", [False, True])
def test_word_table_rows(markup):
    """A .docx task table comes as rows of cells joined by ' | ' (rows from Đồng Tháp 617's
    appendix); the normaliser may join rows that end without punctuation: one lead and one
    coordinate responsibility per row either way."""
    doc = parse_source(Source(path="kh.docx", format="docx", text=WORD_PLAN, sha256="0", markup=markup))
    rs = [r for r in find_responsibilities(doc) if (r.section or "").startswith("PL.")]
    got = [(r.section, r.role, r.actor, r.deadline) for r in rs]
    assert got == [
        ("PL.1", "lead", "Sở KH&CN", "Thường xuyên"),
        ("PL.1", "coordinate", "Các sở, ban, ngành tỉnh; UBND các xã, phường", "Thường xuyên"),
        ("PL.2", "lead", "Sở KH&CN", "Quí IV-2025"),
        ("PL.2", "coordinate", "Các sở, ban, ngành tỉnh", "Quí IV-2025"),
        ("PL.3", "lead", "Sở Công Thương", "Quí IV-2025"),
        ("PL.3", "coordinate", "UBND các xã, phường", "Quí IV-2025"),
    ]
    for r in rs:
        assert doc.text[r.actor_start:r.actor_end] == r.actor


# -- sentences in a plan written for the test -------------------------------------------------

SMALL = """ỦY BAN NHÂN DÂN
TỈNH BẮC NINH
Số: 141/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Ninh, ngày 20 tháng 11 năm 2025
KẾ HOẠCH
Nâng cao năng lực xây dựng pháp luật
I. MỤC ĐÍCH, YÊU CẦU
1. Các cơ quan, đơn vị phải quán triệt đầy đủ nội dung Kế hoạch.
II. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính chủ trì, phối hợp với các Sở, ban, ngành, đơn vị và UBND cấp xã bố trí kinh phí chi thường xuyên trong dự toán ngân sách nhà nước hàng năm.
2. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh: Vận động đoàn viên, hội viên tích cực tham gia.
3. Đề nghị các cơ quan, đơn vị: chủ động xây dựng kế hoạch.
4. Giao Sở Tư pháp theo dõi, đôn đốc các cơ quan, đơn vị, địa phương triển khai thực hiện Kế hoạch này; định kỳ báo cáo UBND tỉnh trước ngày 15/12/2025.
Nơi nhận:
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Phạm Văn Thịnh
"""


def test_one_sentence_two_actors_and_requests():
    doc = parse_text(SMALL, "kh.txt")
    rs = find_responsibilities(doc)
    got = [(r.section, r.role, r.actor, r.request) for r in rs]
    assert got == [
        ("II.1", "lead", "Sở Tài chính", False),
        ("II.1", "coordinate", "các Sở, ban, ngành, đơn vị và UBND cấp xã", False),
        ("II.2", "execute", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh", True),
        ("II.3", "execute", "các cơ quan, đơn vị", False),       # Đề nghị to the UBND's own bodies: no request
        ("II.4", "lead", "Sở Tư pháp", False),
    ]
    giao = rs[-1]
    assert giao.deadline == "trước ngày 15/12/2025" and giao.report_to == "UBND tỉnh"
    assert deadline_sort_key(giao) == (0, "2025-12-15")


def test_spans_cite_the_assignment():
    doc = parse_text(SMALL, "kh.txt")
    for r in find_responsibilities(doc):
        assert doc.text[r.actor_start:r.actor_end] == r.actor
        assert r.start <= r.actor_start < r.actor_end <= r.end
        line_start = doc.text.rfind("\n", 0, r.actor_start) + 1
        assert r.start >= line_start - 1


def _decision(number: int, subject: str, execution: str, attached: str = "") -> str:
    """A provincial decision issuing a regulation on ``subject``, its Điều 3 the execution clause."""
    return f"""ỦY BAN NHÂN DÂN
TỈNH BẮC NINH
Số: {number}/QĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Ninh, ngày 20 tháng 11 năm 2025
QUYẾT ĐỊNH
Ban hành Quy chế {subject}
ỦY BAN NHÂN DÂN TỈNH BẮC NINH
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế {subject}.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
Điều 3. {execution} chịu trách nhiệm thi hành Quyết định này./.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn A
{attached}"""


DECISION = _decision(25, "phối hợp quản lý cụm công nghiệp", """Chánh Văn phòng UBND tỉnh; Giám đốc Sở Công Thương, \
Cục trưởng Cục Quản lý, giám sát
kế toán, kiểm toán, Thủ trưởng các sở, ban, ngành, Chủ tịch UBND các xã, phường và các tổ chức,
cá nhân có liên quan""")


def test_the_execution_clause_names_each_body():
    # a decision's last article: one actor per office of the list; commas inside a name stay,
    # and the closing "và các tổ chức, cá nhân có liên quan" stays with the actor before it
    doc = parse_text(DECISION, "qd.txt")
    got = [(r.actor, r.role, r.task) for r in find_responsibilities(doc)]
    assert got == [(a, "execute", "thi hành Quyết định này") for a in (
        "Chánh Văn phòng UBND tỉnh", "Giám đốc Sở Công Thương",
        "Cục trưởng Cục Quản lý, giám sát kế toán, kiểm toán", "Thủ trưởng các sở, ban, ngành",
        "Chủ tịch UBND các xã, phường và các tổ chức, cá nhân có liên quan")]
    for r in find_responsibilities(doc):
        assert doc.text[r.actor_start:r.actor_end] == r.actor


REGULATION = _decision(26, "quản lý hồ sơ lưu trữ điện tử", "Chánh Văn phòng UBND tỉnh, Giám đốc Sở Nội vụ", """
QUY CHẾ
QUẢN LÝ HỒ SƠ LƯU TRỮ ĐIỆN TỬ
(Ban hành kèm theo Quyết định số 26/QĐ-UBND ngày 20/11/2025 của Ủy ban nhân dân tỉnh)
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Quy chế này quy định việc quản lý hồ sơ lưu trữ điện tử của các cơ quan, tổ chức trên địa bàn tỉnh.
Điều 2. Bảo quản hồ sơ
Trung tâm Lưu trữ lịch sử tỉnh có nhiệm vụ bảo quản hồ sơ lưu trữ điện tử theo quy định.
Chương II
TỔ CHỨC THỰC HIỆN
Điều 3. Trách nhiệm thi hành
1. Sở Nội vụ chủ trì, phối hợp với Sở Tài chính hướng dẫn, kiểm tra việc thực hiện Quy chế này.
2. Ủy ban nhân dân các xã, phường báo cáo kết quả thực hiện về Sở Nội vụ trước ngày 15/12 hằng năm.
3. Ban tuyên giáo và dân vận tỉnh ủy hướng dẫn nội dung tuyên truyền Quy chế này.
4. Ủy ban nhân dân cấp xã nơi có kho lưu trữ trực tiếp quản lý hồ sơ lưu trữ điện tử.
""")


def test_a_regulation_issued_with_a_decision_is_read_where_it_assigns():
    # the regulation after the decision's signature: its "Tổ chức thực hiện" chapter assigns as a
    # plan's does; its other articles state rules ("Trung tâm ... có nhiệm vụ bảo quản ...")
    doc = parse_text(REGULATION, "qd.txt")
    assert [p.kind for p in doc.appendices] == ["attachment"]
    got = [(r.section, r.actor, r.role, r.deadline, r.report_to) for r in find_responsibilities(doc)]
    assert got == [
        ("Điều 3", "Chánh Văn phòng UBND tỉnh", "execute", None, None),
        ("Điều 3", "Giám đốc Sở Nội vụ", "execute", None, None),
        ("Chương II.Điều 3.1", "Sở Nội vụ", "lead", None, None),
        ("Chương II.Điều 3.1", "Sở Tài chính", "coordinate", None, None),
        ("Chương II.Điều 3.2", "Ủy ban nhân dân các xã, phường", "execute", "trước ngày 15/12 hằng năm", "Sở Nội vụ"),
        # the merged Party organ's name in lower case; "nơi có ...": a clause of the name, no predicate
        ("Chương II.Điều 3.3", "Ban tuyên giáo và dân vận tỉnh ủy", "execute", None, None),
        ("Chương II.Điều 3.4", "Ủy ban nhân dân cấp xã nơi có kho lưu trữ", "execute", None, None),
    ]


def test_empty_and_unstructured_text():
    assert find_responsibilities(parse_text("Không có gì.", "x.txt")) == []


# -- actors, deadlines ------------------------------------------------------------------------

@pytest.mark.parametrize("printed, normal", [
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("UBND các xã, phường", "Ủy ban nhân dân các xã, phường"),
    ("Sở Nội vụ (Cơ quan thường trực Ban Vì sự tiến bộ phụ nữ và Bình đẳng giới Thành phố)", "Sở Nội vụ"),
    ("Đảng uỷ Bộ Y tế", "Đảng ủy Bộ Y tế"),
])
def test_normalise_actor(printed, normal):
    assert normalise_actor(printed) == normal


@pytest.mark.parametrize("phrase, iso", [
    ("trước ngày 15/11/2025", "2025-11-15"),
    ("Quý III/2024", "2024-09-30"),
    ("Quí IV-2025", "2025-12-31"),
    ("trong tháng 11/2025", "2025-11-30"),
    ("trước ngày 15 tháng 11", "2025-11-15"),      # year from the document's date
    ("hoàn thành trong năm 2025", "2025-12-31"),
])
def test_deadline_sort_key(phrase, iso):
    r = Responsibility(actor="X", role="execute", task=None, deadline=phrase, report_to=None, start=0, end=1)
    assert deadline_sort_key(r, "2025-06-01") == (0, iso)


def test_deadline_sort_order():
    def r(d):
        return Responsibility(actor="X", role="execute", task=None, deadline=d, report_to=None, start=0, end=1)
    items = [r(None), r("Thường xuyên"), r("Quý III/2024"), r("trước ngày 15/11/2025")]
    assert [x.deadline for x in sorted(items, key=deadline_sort_key)] == [
        "Quý III/2024", "trước ngày 15/11/2025", "Thường xuyên", None]


# -- the corpus -------------------------------------------------------------------------------

@pytest.mark.corpus
def test_spans_over_the_corpus(corpus_docs, parsed):
    """Over every corpus document: the actor is cited exactly and lies inside the span; the
    role is one of three; no document fails."""
    n = 0
    for p in corpus_docs:
        doc = parsed(p.stem)
        for r in find_responsibilities(doc):
            n += 1
            assert r.role in ("lead", "coordinate", "execute")
            assert " ".join(doc.text[r.actor_start:r.actor_end].split()) == r.actor, (p.stem, r.actor)
            assert 0 <= r.start <= r.actor_start < r.actor_end <= r.end <= len(doc.text), (p.stem, r.actor)
            assert r.actor_body
    assert n > 500


@pytest.mark.corpus
def test_project_gold_figures(parsed):
    """The measured figures stay above the issue's bar (actor F1, role and deadline accuracy
    on matched actors >= 0.9) on the project gold; benchmarks/eval_responsibilities.py prints them."""
    from vnplan_nlp import settings
    from vnplan_nlp.evaluate import score_responsibilities, summarise
    gold_dir = settings.project_corpus_dir() / "annotations" / "responsibilities"
    counts = []
    for gp in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gp.read_text("utf-8"))["responsibilities"]
        pred = [r.to_dict() for r in find_responsibilities(parsed(gp.stem), decide=None)]
        counts.append(score_responsibilities(gold, pred))
    s = summarise(counts)
    assert len(counts) >= 20
    assert s["f1"] >= 0.9 and s["role_accuracy"] >= 0.9 and s["deadline_accuracy"] >= 0.9, s


# -- the line model ---------------------------------------------------------------------------

def test_line_model_is_data_and_loads_lazily():
    from vnplan_nlp import learn
    p = learn.models_dir() / f"{learn.MODEL_NAME}.json"
    if not p.is_file():
        pytest.skip(f"no model at {p}; build it with 'vnplan train'")
    learn.load_model.cache_clear()
    import vnplan_nlp.responsibilities  # noqa: F401  (importing reads no model)
    assert learn.load_model.cache_info().currsize == 0
    data = json.loads(p.read_text("utf-8"))
    assert data["format"] == "linear-json/1" and set(data["classes"]) == set(learn.CLASSES)
    assert data["held_out"] and not set(data["held_out"]) & set(data["trained_on"])
    m = learn.load_model()
    assert m.predict({"bias": 1.0, "rule=lead": 1.0}) in learn.CLASSES
    card = (learn.models_dir() / f"{learn.MODEL_NAME}.md").read_text("utf-8")
    for d in data["held_out"]:
        assert d in card
    assert ("Shipped:** yes" in card) is bool(data["shipped"])


@pytest.mark.corpus
def test_model_decision_is_used_only_when_asked(parsed, monkeypatch):
    from vnplan_nlp import learn
    if learn.load_model() is None:
        pytest.skip("no model; build it with 'vnplan train'")
    doc = parsed("kh-982-ubnd-nghean-2025")
    monkeypatch.setenv("VNPLAN_RESPONSIBILITY_LINES", "rules")
    assert learn.active_decider() is None
    monkeypatch.setenv("VNPLAN_RESPONSIBILITY_LINES", "model")
    assert learn.active_decider() is not None
    with_model = find_responsibilities(doc)
    assert with_model and all(r.role in ("lead", "coordinate", "execute") for r in with_model)


# -- the shortcuts taken for speed find what the plain forms find ------------------------------

@pytest.mark.parametrize("seg", [
    # kh-141-ubnd-bacninh-2025 style clauses; a ';' before a line break; '.' then spaces
    "Sở Nội vụ chủ trì; phối hợp với Sở Tư pháp. Báo cáo kết quả: trước ngày 15/12.",
    "các cơ quan, đơn vị;  \nthủ trưởng cơ quan ...;\n- Công an tỉnh.\n  Sở Y tế",
    ";;..::; ;\n. \n", "", "không có dấu câu",
])
def test_clause_open_ends_are_those_of_the_pattern(seg):
    from vnplan_nlp.responsibilities import _CLAUSE_OPENS, _CLAUSE_OPENS_AT_MARK
    assert [m.end() for m in _CLAUSE_OPENS_AT_MARK.finditer(seg)] == [m.end() for m in _CLAUSE_OPENS.finditer(seg)]


@pytest.mark.parametrize("cell", [
    "Cơ quan chủ trì", "Cơ quan, đơn vị chủ trì thực hiện", "**Thời gian thực hiện**:", "STT",
    "Nội dung công việc cần triển khai trong năm 2026 theo kế hoạch của Ủy ban nhân dân tỉnh",
    "Thời gian hoàn thành: trước ngày 30/11/2025, báo cáo kết quả về Sở Nội vụ để tổng hợp chung",
    "  Đơn vị phối hợp/các sở, ngành liên quan theo chức năng nhiệm vụ được giao tại Quyết định",
    "Sở Tư pháp chủ trì, phối hợp với các cơ quan, đơn vị liên quan tổ chức thực hiện",
])
def test_cell_head_reads_what_the_column_test_reads(cell):
    from vnplan_nlp.responsibilities import _bare, _cell_head, _column_openings, _longest_column, vocab
    whole, head = _bare(cell).strip(" :.*"), _cell_head(cell)
    assert whole.startswith(head)
    if head != whole:        # a long cell: no column name equals it, and the openings agree
        assert len(head) > _longest_column() + 1
        for k, names in vocab().col.items():
            assert whole not in names
            assert whole.startswith(_column_openings()[k]) == head.startswith(_column_openings()[k])


@pytest.mark.parametrize("low", [
    "căn cứ chức năng, nhiệm vụ", "để", "để triển khai", "khi", "khi nào", "trong quá trình",
    "  hằng năm", "định kỳ hằng quý", "theo đó, các sở", "nếu", "nếu có vướng mắc",
])
def test_adverbial_opening_read_to_an_end_position_as_on_a_slice(low):
    from vnplan_nlp.responsibilities import _ADVERBIAL_OPENING
    for p in range(len(low) + 1):
        for n in (1, 2, 5, 20):
            assert bool(_ADVERBIAL_OPENING.match(low, p, p + n)) == bool(_ADVERBIAL_OPENING.match(low[p:p + n]))


@pytest.mark.parametrize("s", [
    "Tổ chức thực hiện", "THỜI GIAN HOÀN THÀNH", "Đơn vị phối hợp", "Uỷ ban nhân dân", "", "STT",
    "Nội dung – nhiệm vụ", "“Ngày hội” đại đoàn kết", "e\u0301\u034f", "Ωμέγα", "a\u0360b", "ﬁ đ Đ",
])
def test_stripped_is_strip_diacritics(s):
    from vnplan_nlp.normalise import strip_diacritics
    from vnplan_nlp.responsibilities import _stripped
    assert _stripped(s) == strip_diacritics(s)


@pytest.mark.corpus
def test_stripped_on_corpus_lines(corpus_docs):
    from vnplan_nlp.normalise import normalise, strip_diacritics
    from vnplan_nlp.read import read_path
    from vnplan_nlp.responsibilities import _stripped
    for p in corpus_docs[::3]:
        for line in normalise(read_path(p).text).text.split("\n"):
            assert _stripped(line) == strip_diacritics(line), (p.name, line)


def test_clause_split_finds_what_its_plain_form_finds():
    import random
    import re
    from vnplan_nlp.responsibilities import _CLAUSE_SPLIT
    plain = re.compile(r"[;.]\s+|\n|;$")
    rnd = random.Random(7)
    for _ in range(20000):
        s = "".join(rnd.choice(";.\n \ta\u00a0") for _ in range(rnd.randint(0, 10)))
        a = rnd.randint(0, len(s))
        b = rnd.randint(a, len(s))
        assert [m.span() for m in _CLAUSE_SPLIT.finditer(s, a, b)] == [m.span() for m in plain.finditer(s, a, b)]


def test_clause_open_ends_on_random_marks_and_spaces():
    import random
    from vnplan_nlp.responsibilities import _CLAUSE_OPENS, _CLAUSE_OPENS_AT_MARK
    rnd = random.Random(11)
    for _ in range(20000):
        seg = "".join(rnd.choice(".;:\n \tab\u00a0") for _ in range(rnd.randint(0, 14)))
        assert [m.end() for m in _CLAUSE_OPENS_AT_MARK.finditer(seg)] == [m.end() for m in _CLAUSE_OPENS.finditer(seg)], seg


PARTNER_BULLETS = """KẾ HOẠCH
Triển khai công tác năm 2026
- Sở Nội vụ
- Sở Tư pháp
I. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính chủ trì, phối hợp với:
- Sở Nội vụ;
- Công an tỉnh.
2. Sở Y tế triển khai thực hiện kế hoạch.
- Các bệnh viện tỉnh
3. Văn phòng UBND tỉnh chủ trì và phối hợp
- Sở Xây dựng
- Sở Công Thương
"""


@pytest.mark.parametrize("text", [PARTNER_BULLETS, SMALL])
def test_partner_bullets_read_once_are_those_under_the_line_before(text):
    import re
    from vnplan_nlp.responsibilities import _Extractor
    ex = _Extractor(parse_text(text, "kh.txt"))
    for ln in ex.lines:
        k = ln.index - 1
        while k >= 0 and ex.lines[k].kind == "bullet":
            k -= 1
        want = ln.kind == "bullet" and k >= 0 and bool(re.search(
            r"chủ\s+trì\s*,?\s*(?:và\s+)?phối\s+hợp(?:\s+với)?\s*:?\s*$", ex.sc.low[ex.lines[k].start:ex.lines[k].end]))
        assert ex._is_partner_bullet(ln) == want, ex.text[ln.start:ln.end]
    if text is PARTNER_BULLETS:
        assert sum(map(ex._is_partner_bullet, ex.lines)) == 4


@pytest.mark.parametrize("text", [SMALL, PARTNER_BULLETS])
def test_cue_words_open_only_with_their_initials(text):
    from vnplan_nlp.responsibilities import _cue_initials, _low, vocab
    v = vocab()
    low = _low(text + "\nkính đề nghị; đề\u00a0nghị, giao\tX, yêu  cầu: ")
    found = 0
    for at in range(len(low) + 1):
        if any(p.match(low, at) for p in (v.de_nghi, v.giao, v.yeu_cau)):
            found += 1
            assert low[at:at + 1] in _cue_initials()
    assert found >= 4


@pytest.mark.parametrize("text", [SMALL, PARTNER_BULLETS, "KẾ HOẠCH\nKính đề nghị Sở Y tế;  Giao\tSở Nội vụ. Yêu\ncầu X\n"])
def test_a_line_without_a_cue_first_word_opens_no_cue(text):
    from vnplan_nlp.responsibilities import _Extractor, vocab
    v = vocab()
    ex = _Extractor(parse_text(text, "kh.txt"))
    for ln in ex.lines:
        if any(p.match(ex.sc.low, at) for at in range(ln.body, ln.end) for p in (v.de_nghi, v.giao, v.yeu_cau)):
            assert ex._may_hold_cue(ln)


def test_report_words_have_no_other_case_forms():
    """_report_to skips a text without 'báo', 'gử', 'phả' (lowered): re.IGNORECASE must take
    no character but the upper case one for any of their letters."""
    import re
    from vnplan_nlp.responsibilities import _REPORT_WORDS
    for ch in set("".join(_REPORT_WORDS)):
        pat = re.compile(re.escape(ch), re.I)
        assert [c for c in range(0x10000) if pat.fullmatch(chr(c))] == sorted({ord(ch), ord(ch.upper())})
        assert ch.upper().lower() == ch


def _column_of_cell(cell):
    from types import SimpleNamespace
    from vnplan_nlp.responsibilities import _cell_head, _Extractor, vocab
    return _Extractor._column_of(SimpleNamespace(v=vocab()), _cell_head(cell))


@pytest.mark.parametrize("cell", [
    "STT", " :*tt", "**Nội dung**", "\u00a0Cơ quan chủ trì", "Ghi chú:", "1.", "12", "- Sở Nội vụ", "(2)",
    "", " .:* ", "…", "Ban hành", "x", "Đơn vị phối hợp", "ĐƠN VỊ THỰC HIỆN", "A\u0301 b",
])
def test_quick_no_column_only_where_the_column_test_says_no(cell):
    from vnplan_nlp.responsibilities import _names_no_column
    if _names_no_column(cell):
        assert _column_of_cell(cell) is None


@pytest.mark.corpus
def test_quick_no_column_on_corpus_lines(corpus_docs):
    from vnplan_nlp.normalise import normalise
    from vnplan_nlp.read import read_path
    from vnplan_nlp.responsibilities import _names_no_column
    for p in corpus_docs[::3]:
        for line in normalise(read_path(p).text).text.split("\n"):
            if _names_no_column(line):
                assert _column_of_cell(line) is None, (p.name, line)


@pytest.mark.corpus
def test_clause_open_ends_on_corpus_lines(corpus_docs):
    from vnplan_nlp.normalise import normalise
    from vnplan_nlp.read import read_path
    from vnplan_nlp.responsibilities import _CLAUSE_OPENS, _CLAUSE_OPENS_AT_MARK
    for p in corpus_docs[::3]:
        text = normalise(read_path(p).text).text
        for seg in [text] + text.split("\n"):
            assert [m.end() for m in _CLAUSE_OPENS_AT_MARK.finditer(seg)] == [m.end() for m in _CLAUSE_OPENS.finditer(seg)], p.name


def test_bare_forms_need_no_tone_folding():
    """_bare leaves fold_tones out: each old/new tone pair has the same letters."""
    from vnplan_nlp.normalise import _TO_NEW, fold_tones, strip_diacritics
    from vnplan_nlp.responsibilities import _bare
    assert all(strip_diacritics(old) == strip_diacritics(new) for old, new in _TO_NEW.items())
    for s in ("Cơ quan phối hợp", "THỜI GIAN HOÀN THÀNH", "Ủy ban nhân dân", "Uỷ ban nhân dân", "hoà giải"):
        assert _bare(s) == " ".join(strip_diacritics(fold_tones(s)).lower().split())


def test_deadline_look_ahead_admits_every_first_character_of_its_alternatives():
    """_DEADLINE's hand-written look-ahead must let through every character a match can begin
    with (first_char_guard works that out from the pattern): an alternative added with
    another first letter fails here until the look-ahead has it."""
    import re
    from vnplan_nlp.normalise import first_char_guard
    from vnplan_nlp.responsibilities import _DEADLINE
    hand = re.search(r"\(\?=\[[^\]]*\]\)", _DEADLINE.pattern).group()
    derived = first_char_guard(_DEADLINE.pattern.replace(hand, "", 1), _DEADLINE.flags)
    assert derived
    hand_rx, derived_rx = re.compile(hand, _DEADLINE.flags), re.compile(derived, _DEADLINE.flags)
    missing = [c for c in map(chr, range(0x10000)) if derived_rx.match(c) and not hand_rx.match(c)]
    assert missing == []

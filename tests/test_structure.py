"""Sections, recipients, signatures and appendices on real documents."""

import pytest

pytestmark = pytest.mark.corpus


def _titled(sections):
    return [s for s in sections if not s.kind.startswith("bullet")]


def test_seed_sections(parsed):
    d = parsed("seed-103-kh-du-hungyen-2024")
    top = _titled(d.sections)
    assert [(s.label, s.title) for s in top] == [
        ("I", "MỤC ĐÍCH, YÊU CẦU"), ("II", "NỘI DUNG"), ("III", "TỔ CHỨC THỰC HIỆN")]
    ii = top[1]
    # the seed numbers two items "3-" under II: the labels are kept as printed
    assert [c.label for c in _titled(ii.children)] == ["1", "2", "3", "3", "4"]
    assert [c.marker for c in _titled(ii.children)] == ["1-", "2-", "3-", "3-", "4-"]
    assert all(c.level == 2 for c in ii.children if not c.kind.startswith("bullet"))
    for s in d.iter_sections():
        assert d.text[s.label_start:s.label_end] == s.label
        assert s.start <= s.label_start < s.end


def test_seed_recipients_and_signature(parsed):
    d = parsed("seed-103-kh-du-hungyen-2024")
    assert [r.text for r in d.recipients] == [
        "Đảng ủy Khối CQ-DN tỉnh", "Đảng ủy Sở", "Lãnh đạo Sở", "Các chi bộ trực thuộc Đảng bộ", "Lưu: VT, VPĐU"]
    s = d.signature
    assert (s.authority_lines, s.position, s.signer) == (["T/M ĐẢNG ỦY"], "PHÓ BÍ THƯ", "Cù Trọng Khang")


@pytest.mark.parametrize("doc_id, authority, position, signer", [
    # TM. and KT. lines of one block; "TM. ỦY BAN NHÂN" wrapped before "DÂN"
    ("kh-141-ubnd-bacninh-2025", ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "PHÓ CHỦ TỊCH", "Phạm Văn Thịnh"),
    ("kl-221-tw-2025", ["T/M BỘ CHÍNH TRỊ"], None, "Trần Cẩm Tú"),
    # no signing prefix: the Prime Minister signs in his own name
    ("tvpl-b2fa001677379e64", [], "THỦ TƯỚNG", "Phạm Minh Chính"),
    # "KT. BỘ TRƯỞNG," continued on the next line
    ("tvpl-06690fd4027d01c8", ["KT. BỘ TRƯỞNG, CHỦ NHIỆM"], "PHÓ CHỦ NHIỆM", "Phạm Mạnh Cường"),
    # TL. then KT. with a wrapped unit name
    ("tvpl-fc5c0bce58bee8ce", ["TL. CỤC TRƯỞNG", "KT. TRƯỞNG BAN NGHIỆP VỤ THUẾ HQ"], "PHÓ TRƯỞNG BAN", "Đào Thu Hương"),
])
def test_signatures(parsed, doc_id, authority, position, signer):
    s = parsed(doc_id).signature
    assert (s.authority_lines, s.position, s.signer) == (authority, position, signer)


def test_recipients_wrapped_and_sub_bullets(parsed):
    # kh-144-ubnd-bacninh-2025: "- VP UBND tỉnh:" with "+ LĐVP, KGVXLinh;" below it; "+ Lưu: VT." apart
    texts = [r.text for r in parsed("kh-144-ubnd-bacninh-2025").recipients]
    assert texts[-2].startswith("VP UBND tỉnh:") and "LĐVP, KGVXLinh" in texts[-2]
    assert texts[-1] == "Lưu: VT"


def test_attached_regulation_and_appendices(parsed):
    # qd-1147-btgdvtw-2025: the decision's three articles, then the Quy chế it issues, then appendices
    d = parsed("qd-1147-btgdvtw-2025")
    assert [s.label for s in _titled(d.sections)] == ["Điều 1", "Điều 2", "Điều 3"]
    att = [p for p in d.appendices if p.kind == "attachment"]
    assert att and att[0].label == "QUY CHẾ"
    assert [(s.label, s.title) for s in _titled(att[0].sections)][:2] == [
        ("Chương I", "QUY ĐỊNH CHUNG"), ("Chương II", "TỔ CHỨC, QUẢN LÝ BỒI DƯỠNG, GIẢNG DẠY")]
    assert [p.label for p in d.appendices if p.kind == "appendix"][:2] == ["PHỤ LỤC I", "PHỤ LỤC II"]


def test_section_levels_follow_label_kinds(parsed):
    # kh-16-mttq-luongminh-2025 uses I. -> 1. -> 1.1.
    d = parsed("kh-16-mttq-luongminh-2025")
    kinds = {(s.kind, s.level) for s in d.iter_sections() if not s.kind.startswith("bullet")}
    assert ("roman", 1) in kinds and ("arabic", 2) in kinds
    assert any(k.startswith("decimal") and lvl == 3 for k, lvl in kinds)


def test_flattened_web_rendering(parsed):
    # nq-101-2025-ubtvqh15 and nqlt-102-...: a header cell's rule printed inside the line, the number
    # behind the type name, a whole signature block and the Nơi nhận list each on one line
    d = parsed("nq-101-2025-ubtvqh15")
    assert d.header.issuer == "Ủy ban Thường vụ Quốc hội"
    assert d.header.number_symbol == "101/2025/UBTVQH15"
    assert d.header.issued_date == "2025-09-26"
    s = d.signature
    assert (s.authority_lines, s.position, s.signer) == (["TM. ỦY BAN THƯỜNG VỤ QUỐC HỘI"], "CHỦ TỊCH", "Trần Thanh Mẫn")
    j = parsed("nqlt-102-2025-ubtvqh15-cp-dctubtwmttqvn")
    assert [x.signer for x in j.signatures] == ["Đỗ Văn Chiến", "Phạm Minh Chính", "Trần Thanh Mẫn"]
    assert [r.text for r in j.recipients][:2] == ["Hội đồng bầu cử quốc gia", "Ủy ban Thường vụ Quốc hội"]
    assert j.recipients[-1].text == "Lưu: HC (VPQH, VPCP, MTTQ)"


def test_raw_files_give_the_same_header_as_their_text_copies(corpus):
    from vnplan_nlp.evaluate import evaluate
    rep = evaluate(corpus, raw=True)
    assert rep.raw_rows and not rep.raw_misses, rep.raw_misses

"""The archive on SQLite: indexing, search, the reference graph, export.

The tests that take ``new_store`` are the archive's semantics; test_archive_postgres.py
runs the same ones on PostgreSQL. Documents with headers and references are built from
real sentences of the corpus (each names its document); the corpus itself is indexed
with the project's parser.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest

from archive_helpers import DOCS, SEED, DocBuilder, needs_corpus, parser_spec
from vnplan_nlp.archive import Filters, add_document, index_paths, open_store, search
from vnplan_nlp.archive import export as export_mod
from vnplan_nlp.archive import graph
from vnplan_nlp.archive.commands import show_data
from vnplan_nlp.archive.search import TF_CLASSES, fold, parse_query, period, snippet, tokens, type_names
from vnplan_nlp.archive.store import StoreError
from vnplan_nlp.errors import UsageError


@pytest.fixture
def new_store(tmp_path):
    made = []

    def make():
        s = open_store(tmp_path / f"archive{len(made)}.sqlite", create=True)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


# -- folding and queries ----------------------------------------------------------------------

@pytest.mark.parametrize("text, folded", [
    ("công tác tuyên truyền miệng trong tình hình mới", "cong tac tuyen truyen mieng trong tinh hinh moi"),  # seed
    ("ĐẢNG UỶ BỘ Y TẾ", "dang uy bo y te"),                          # tb-432-vptw-2025, old tone placement
    ("Ủy ban MTTQ Việt Nam xã Lương Minh", "uy ban mttq viet nam xa luong minh"),   # kh-16-mttq-luongminh-2025
    ("Số/103 -KH/ĐU", "so/103 -kh/du"),                               # seed's number line
])
def test_fold_strips_diacritics_and_keeps_every_offset(text, folded):
    assert fold(text) == folded
    assert len(fold(text)) == len(text)


def test_tokens_split_codes_like_the_index():
    assert tokens(fold("Chỉ thị số 30-CT/TW")) == ["chi", "thi", "so", "30", "ct", "tw"]


@pytest.mark.parametrize("text", [
    "Chỉ thị số 30-CT/TW, ngày 22/02/2024", "snake_case và ..._giữa__ (a)b", "²³ ½ Ⅻ ١٢ x\u00a0y\u2003z",
    "“Đảng uỷ”;tuyên-truyền\tmiệng\n\n", "", "   ", "a_", "_"])
def test_runs_are_the_regex_runs(text):
    import re
    from vnplan_nlp.archive.search import runs
    assert runs(text) == re.findall(r"[^\W_]+", text)


def _string_keys(head: str, body: str) -> dict[str, set[tuple[str, ...]]]:
    """PostgreSQL's keys spelled out, class by class (the definition index_keys hashes)."""
    from collections import Counter
    toks, h = tokens(fold(body)), tokens(fold(head))
    counts = Counter((t,) for t in toks) + Counter(zip(toks, toks[1:]))
    out = {"": set(counts), "@": {(t,) for t in h} | set(zip(h, h[1:]))}
    for c in TF_CLASSES:
        out[f"#{c}"] = {u for u, n in counts.items() if n >= c}
    return out


def test_postgresql_keys_are_the_syllables_and_pairs_by_class():
    from vnplan_nlp.archive.pgkeys import index_keys, phrase_keys
    # the seed's title and its last paragraph: every key is there once, hashed, and nothing else
    head = "Kế hoạch 103-KH/ĐU Quán triệt, tuyên truyền, tổ chức thực hiện Chỉ thị số 30-CT/TW"
    body = ("Quán triệt, tuyên truyền Chỉ thị số 30-CT/TW và Kế hoạch số 317-KH/TU; tuyên truyền miệng, "
            "tuyên truyền trực quan; tuyên truyền viên. Đổi mới nội dung, phương thức tuyên truyền miệng.")
    got = index_keys(head, body)["keys"].tolist()
    want = _string_keys(head, body)
    assert want["#3"] == {("tuyen",), ("truyen",), ("tuyen", "truyen")} and ("truyen", "mieng") in want[""]
    hashed = [k for mark, units in want.items() for u in units for k in phrase_keys([u], mark)]
    assert len(got) == len(set(got)) == len(hashed) == len(set(hashed))   # no two keys share a hash
    assert set(got) == set(hashed)
    assert phrase_keys([("tuyen", "truyen", "mieng")]) == sorted(
        phrase_keys([("tuyen", "truyen")]) + phrase_keys([("truyen", "mieng")]))
    assert index_keys("", "")["keys"].tolist() == []


@needs_corpus
def test_postgresql_keys_hash_the_corpus_without_collision():
    # each class of keys of every corpus text: as many hashes as distinct strings
    from vnplan_nlp.archive.pgkeys import index_keys, phrase_keys
    for path in sorted(DOCS.glob("*.txt"))[:40]:
        text = path.read_text(encoding="utf-8")
        want = _string_keys("", text)
        got = index_keys("", text)["keys"].tolist()
        assert len(set(got)) == len(got) == sum(map(len, want.values())), path.name
        assert set(phrase_keys(sorted(want["#10"]), "#10")) <= set(got), path.name


def test_query_with_quoted_phrase():
    q = parse_query('"chuyển đổi số" kế hoạch')
    assert q.phrases == (("chuyen", "doi", "so"),)
    assert q.words == ("ke", "hoach")
    assert [t for t, _ in q.tiers()] == ["all"]      # quotes: the phrase is required, no phrase tier
    assert [t for t, _ in parse_query("tuyen truyen mieng").tiers()] == ["phrase", "all"]


def test_unclosed_quote_is_a_usage_error():
    with pytest.raises(UsageError) as e:
        parse_query('"tuyên truyền miệng')
    assert e.value.code == "bad-query"


@pytest.mark.parametrize("value, first, last", [
    ("2024-Q3", "2024-07-01", "2024-09-30"),      # the seed's "Quý III/2024"
    ("2025-11", "2025-11-01", "2025-11-30"),
    ("2024", "2024-01-01", "2024-12-31"),
    ("2024-02", "2024-02-01", "2024-02-29"),
    ("2025-11-18", "2025-11-18", "2025-11-18"),
])
def test_periods(value, first, last):
    assert period(value, end=False) == first
    assert period(value, end=True) == last


@pytest.mark.parametrize("bad", ["2024-13", "2024-Q5", "18/11/2025", "2025-02-30"])
def test_bad_dates_are_usage_errors(bad):
    with pytest.raises(UsageError):
        period(bad, end=False)


def test_snippet_marks_the_phrase_in_the_accented_text():
    # seed-103-kh-du-hungyen-2024
    text = ("- Đổi mới nội dung, phương thức phối hợp trong triển khai công tác tuyên truyền miệng.\n"
            "- Tăng cường tuyên truyền, giáo dục nâng cao ý thức, trách nhiệm của lãnh đạo, đảng viên.")
    s = snippet(text, parse_query("tuyen truyen mieng"))
    assert "[tuyên truyền miệng]" in s["text"]
    a, b = s["hits"][0]
    assert text[a:b] == "tuyên truyền miệng"


def test_snippet_without_the_phrase_shows_the_densest_window():
    # kh-0130-ubnd-daklak-2025: the words are there, apart
    text = ("- Tuyên truyền hướng dẫn người dân không sử dụng thực phẩm nổi trôi hoặc không rõ nguồn gốc.\n"
            "Các bệnh sốt xuất huyết, tay chân miệng, tiêu chảy cấp, tả.")
    s = snippet(text, parse_query("tuyen truyen mieng"))
    assert "[Tuyên truyền]" in s["text"]


# -- documents of the corpus, as the parser would give them -----------------------------------

SEED_REF_159 = ("Thực hiện Kế hoạch số 159-KH/ĐUK ngày 17/6/2024 của Ban Thường vụ Đảng ủy Khối Cơ quan - "
                "Doanh nghiệp tỉnh về quán triệt, tuyên truyền, tổ chức thực hiện Chỉ thị số 30-CT/TW ngày "
                "05/02/2024 của Ban Bí thư Trung ương Đảng khóa XIII về công tác tuyên truyền miệng trong "
                "tình hình mới, Đảng ủy Sở Nội vụ xây dựng Kế hoạch quán triệt, tuyên truyền, tổ chức thực "
                "hiện như sau:")


def seed_doc():
    """seed-103-kh-du-hungyen-2024 (references as in its gold file)."""
    b = DocBuilder("seed-103-kh-du-hungyen-2024.txt", doc_type="Kế hoạch", number_symbol="103-KH/ĐU",
                   issued_date="2024-06-15", issuer="Đảng ủy Sở Nội vụ", place="Hưng Yên", system="party",
                   title="Quán triệt, tuyên truyền, tổ chức thực hiện Chỉ thị số 30-CT/TW ngày 05/02/2024 của "
                         "Ban Bí thư Trung ương Đảng khóa XIII về công tác tuyên truyền miệng trong tình hình mới")
    b.ref(SEED_REF_159, "Kế hoạch số 159-KH/ĐUK ngày 17/6/2024 của Ban Thường vụ Đảng ủy Khối Cơ quan - "
                        "Doanh nghiệp tỉnh", number_symbol="159-KH/ĐUK", doc_type="Kế hoạch", date="2024-06-17",
          issuer="Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh", relation="implements")
    b.references.append(graph_ref(b, "Chỉ thị số 30-CT/TW ngày 05/02/2024 của Ban Bí thư Trung ương Đảng khóa XIII",
                                  "30-CT/TW", "Chỉ thị", "2024-02-05", "Ban Bí thư Trung ương Đảng khóa XIII",
                                  "implements"))
    b.ref("1- Căn cứ vào chức năng, nhiệm vụ và tình hình thực tiễn tại cơ quan, đơn vị, Đảng ủy Sở, các chi bộ "
          "trực thuộc tổ chức hội nghị nghiên cứu, học tập, quán triệt, tuyên truyền Chỉ thị số 30-CT/TW và Kế "
          "hoạch số 317-KH/TU ngày 07/6/2024 của Ban Thường vụ Tỉnh ủy về quán triệt, tuyên truyền, triển khai "
          "thực hiện Chỉ thị số 30-CT/TW tới đảng viên, công chức, viên chức, người lao động bằng hình thức phù "
          "hợp. Hội nghị tổ chức trong Quý III/2024",
          "Kế hoạch số 317-KH/TU ngày 07/6/2024 của Ban Thường vụ Tỉnh ủy", number_symbol="317-KH/TU",
          doc_type="Kế hoạch", date="2024-06-07", issuer="Ban Thường vụ Tỉnh ủy", relation="cites")
    b.task("- Đổi mới nội dung, phương thức phối hợp trong triển khai công tác tuyên truyền miệng.",
           actor="Đảng ủy Sở, các chi bộ trực thuộc", role="execute", deadline="Quý III/2024")
    return b.build()


def graph_ref(b: DocBuilder, cited, number_symbol, doc_type, date, issuer, relation):
    """A reference inside the builder's first line (the seed names 30-CT/TW in its 159-KH/ĐUK sentence)."""
    from vnplan_nlp.models import Reference
    first = b.parts[0]
    at = first.find(cited)
    assert at >= 0
    return Reference(doc_type=doc_type, number_symbol=number_symbol, date=date, issuer=issuer,
                     relation=relation, alias=None, text=cited, start=at, end=at + len(cited))


def plan_159():
    """159-KH/ĐUK, the seed's parent (not in the corpus; its header as the seed cites it)."""
    b = DocBuilder("159-KH-DUK.txt", doc_type="Kế hoạch", number_symbol="159-KH/ĐUK", issued_date="2024-06-17",
                   issuer="Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh", system="party",
                   parent_organ="Đảng bộ tỉnh Hưng Yên",
                   title="quán triệt, tuyên truyền, tổ chức thực hiện Chỉ thị số 30-CT/TW")
    b.line("về quán triệt, tuyên truyền, tổ chức thực hiện Chỉ thị số 30-CT/TW ngày 05/02/2024 của Ban Bí thư "
           "Trung ương Đảng khóa XIII về công tác tuyên truyền miệng trong tình hình mới")
    return b.build()


def baocaovien_doc():
    """hd-btgdvtw-baocaovien-2025: takes 30-CT/TW as basis."""
    b = DocBuilder("hd-btgdvtw-baocaovien-2025.txt", doc_type="Hướng dẫn", issuer="Ban Tuyên giáo và Dân vận Trung ương",
                   system="party", title="Xây dựng, kiện toàn đội ngũ báo cáo viên các cấp")
    b.ref("- Căn cứ Chỉ thị số 30-CT/TW, ngày 05/02/2024 của Ban Bí thư khóa XIII về công tác tuyên truyền miệng "
          "trong tình hình mới;", "Chỉ thị số 30-CT/TW, ngày 05/02/2024 của Ban Bí thư khóa XIII",
          number_symbol="30-CT/TW", doc_type="Chỉ thị", date="2024-02-05", issuer="Ban Bí thư khóa XIII",
          relation="basis")
    return b.build()


def commune_16():
    """kh-16-mttq-luongminh-2025: the commune's 16/KH-MTTQ-BTT."""
    b = DocBuilder("kh-16-mttq-luongminh-2025.txt", doc_type="Kế hoạch", number_symbol="16/KH-MTTQ-BTT",
                   issued_date="2025-11-18", issuer="Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh",
                   parent_organ="Ủy ban MTTQ Việt Nam xã Lương Minh", place="Lương Minh", system="state",
                   title="Thực hiện công tác bầu cử đại biểu Quốc hội khóa XVI và bầu cử đại biểu HĐND các cấp")
    b.ref("Căn cứ Kế hoạch số 33/KH-MTTQ-BTT ngày 14/11/2025 của Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt "
          "Nam tỉnh Quảng Ninh về việc thực hiện công tác bầu cử đại biểu Quốc hội khóa XVI;",
          "Kế hoạch số 33/KH-MTTQ-BTT ngày 14/11/2025 của Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam "
          "tỉnh Quảng Ninh", number_symbol="33/KH-MTTQ-BTT", doc_type="Kế hoạch", date="2025-11-14",
          issuer="Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Ninh", relation="basis")
    b.task("Ban Thường trực Ủy ban MTTQ Việt Nam xã chủ trì, phối hợp tổ chức hội nghị hiệp thương.",
           actor="Ban Thường trực Ủy ban MTTQ Việt Nam xã", role="lead")
    return b.build()


def province_16():
    """The province's plan with the same number (named in kh-16-mttq-luongminh-2025's gold notes)."""
    b = DocBuilder("kh-16-mttq-quangninh.txt", doc_type="Kế hoạch", number_symbol="16/KH-MTTQ-BTT",
                   issuer="Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Quảng Ninh", system="state")
    b.line("Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Quảng Ninh")
    return b.build()


def hiepthuong_doc():
    """kh-mttq-luongminh-hiepthuong-2025: implements the commune's 16/KH-MTTQ-BTT."""
    b = DocBuilder("kh-mttq-luongminh-hiepthuong-2025.txt", doc_type="Kế hoạch", issued_date="2025-11-25",
                   issuer="Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh", place="Lương Minh", system="state")
    b.ref("Thực hiện Kế hoạch số 16/KH-MTTQ-BTT ngày 18/11/2025 của Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương "
          "Minh về thực hiện công tác bầu cử đại biểu Quốc hội khóa XVI",
          "Kế hoạch số 16/KH-MTTQ-BTT ngày 18/11/2025 của Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh",
          number_symbol="16/KH-MTTQ-BTT", doc_type="Kế hoạch", date="2025-11-18",
          issuer="Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh", relation="implements")
    return b.build()


def hiepthuong2_doc():
    """kh-mttq-luongminh-hiepthuong2-2026: names the issuer only as "... xã"; the date decides."""
    b = DocBuilder("kh-mttq-luongminh-hiepthuong2-2026.txt", doc_type="Kế hoạch", issued_date="2026-01",
                   issuer="Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh", system="state")
    b.ref("Căn cứ Kế hoạch số 16/KH-MTTQ-BTT ngày 18/11/2025 của Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam "
          "xã về thực hiện công tác bầu cử đại biểu Quốc hội khóa XVI",
          "Kế hoạch số 16/KH-MTTQ-BTT ngày 18/11/2025 của Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam xã",
          number_symbol="16/KH-MTTQ-BTT", doc_type="Kế hoạch", date="2025-11-18",
          issuer="Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam xã", relation="basis")
    return b.build()


def bare_16_doc():
    """A mention with neither date nor issuer: it could be either 16/KH-MTTQ-BTT."""
    b = DocBuilder("bao-cao-bau-cu.txt", doc_type="Báo cáo", issued_date="2025-12-01", system="state")
    b.ref("Triển khai Kế hoạch số 16/KH-MTTQ-BTT về thực hiện công tác bầu cử.", "Kế hoạch số 16/KH-MTTQ-BTT",
          number_symbol="16/KH-MTTQ-BTT", doc_type="Kế hoạch", date=None, issuer=None, relation="implements")
    return b.build()


def hanoi_310():
    """kh-310-ubnd-hanoi-2025."""
    b = DocBuilder("kh-310-ubnd-hanoi-2025.txt", doc_type="Kế hoạch", number_symbol="310/KH-UBND",
                   issued_date="2025-11-24", issuer="Ủy ban nhân dân Thành phố Hà Nội", system="state")
    b.line("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI")
    return b.build()


def dongthap_556():
    """kh-556-ubnd-dongthap-2025: cites another body's 310/KH-UBND (the corpus's false cross-link trap)."""
    b = DocBuilder("kh-556-ubnd-dongthap-2025.txt", doc_type="Kế hoạch", number_symbol="556/KH-UBND",
                   issued_date="2025-11-19", issuer="Ủy ban nhân dân tỉnh Đồng Tháp", system="state")
    b.ref("Thực hiện Kế hoạch 310/KH-UBND ngày 21/8/2024 của Ủy ban nhân dân tỉnh về phát triển",
          "Kế hoạch 310/KH-UBND ngày 21/8/2024 của Ủy ban nhân dân tỉnh", number_symbol="310/KH-UBND",
          doc_type="Kế hoạch", date="2024-08-21", issuer="Ủy ban nhân dân tỉnh", relation="implements")
    return b.build()


ALL_DOCS = [seed_doc, plan_159, baocaovien_doc, commune_16, province_16, hiepthuong_doc, hiepthuong2_doc,
            bare_16_doc, hanoi_310, dongthap_556]


@pytest.fixture
def graph_store(new_store):
    s = new_store()
    for make in ALL_DOCS:
        assert add_document(s, make())
    return s


def _paths(rows):
    return [os.path.basename(r["path"]) for r in rows]


# -- the graph --------------------------------------------------------------------------------

def test_number_keys_ignore_case_spacing_and_leading_zeros():
    assert graph.number_key("159-KH/ĐUK") == graph.number_key("159 - KH/ĐUK") == "159-KH/DUK"
    assert graph.number_key("05/KH-UBND") == graph.number_key("5/KH-UBND")
    assert graph.number_key("16/KH-MTTQ-BTT") != graph.number_key("16-KH/MTTQ")


@pytest.mark.parametrize("name, places", [
    ("Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh", {"luong minh"}),
    ("Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Ninh", {"quang ninh"}),
    ("Ủy ban nhân dân Thành phố Hà Nội", {"ha noi"}),
    ("Ban Thường vụ Tỉnh ủy", set()),                   # seed: no place named
    ("Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam xã", set()),
])
def test_places_in_organ_names(name, places):
    assert graph.places(name) == places


def test_not_in_archive_number_lists_its_citers(graph_store):
    data = show_data(graph_store, "30-CT/TW")
    assert data["records"] == []
    docs = data["not_in_archive"]["documents"]
    assert len(docs) == 1          # the seed and the Hướng dẫn cite one and the same Chỉ thị
    citers = {os.path.basename(c["document"]["path"]): c["reference"]["relation"] for c in docs[0]["cited_by"]}
    assert citers == {"seed-103-kh-du-hungyen-2024.txt": "implements", "hd-btgdvtw-baocaovien-2025.txt": "basis"}


def test_documents_citing_alike_are_each_listed(graph_store):
    # a second Hướng dẫn citing 30-CT/TW in the very same words
    b = DocBuilder("hd-btgdvtw-baocaovien-2025-ban-sao.txt", doc_type="Hướng dẫn",
                   issuer="Ban Tuyên giáo và Dân vận Trung ương", system="party")
    b.line("Bản sao.")
    b.ref("- Căn cứ Chỉ thị số 30-CT/TW, ngày 05/02/2024 của Ban Bí thư khóa XIII về công tác tuyên truyền "
          "miệng trong tình hình mới;", "Chỉ thị số 30-CT/TW, ngày 05/02/2024 của Ban Bí thư khóa XIII",
          number_symbol="30-CT/TW", doc_type="Chỉ thị", date="2024-02-05", issuer="Ban Bí thư khóa XIII",
          relation="basis")
    add_document(graph_store, b.build())
    [doc] = show_data(graph_store, "30-CT/TW")["not_in_archive"]["documents"]
    assert len(doc["cited_by"]) == 3


def test_parent_in_archive_is_implemented_by_the_seed(graph_store):
    data = show_data(graph_store, "159-KH/ĐUK")
    [rec] = data["records"]
    assert [(os.path.basename(c["document"]["path"]), c["reference"]["relation"], c["resolution"]["status"])
            for c in rec["cited_by"]] == [("seed-103-kh-du-hungyen-2024.txt", "implements", "resolved")]
    seed = show_data(graph_store, "103-KH/ĐU")["records"][0]
    out = {r["reference"]["number_symbol"]: r["resolution"]["status"] for r in seed["references"]}
    assert out == {"159-KH/ĐUK": "resolved", "30-CT/TW": "absent", "317-KH/TU": "absent"}


def test_same_number_of_two_bodies_is_never_merged(graph_store):
    data = show_data(graph_store, "16/KH-MTTQ-BTT")
    recs = data["records"]
    assert sorted(os.path.basename(r["archive"]["path"]) for r in recs) == \
        ["kh-16-mttq-luongminh-2025.txt", "kh-16-mttq-quangninh.txt"]
    by = {os.path.basename(r["archive"]["path"]): r for r in recs}
    commune = {os.path.basename(c["document"]["path"]): c["resolution"]["status"]
               for c in by["kh-16-mttq-luongminh-2025.txt"]["cited_by"]}
    province = {os.path.basename(c["document"]["path"]): c["resolution"]["status"]
                for c in by["kh-16-mttq-quangninh.txt"]["cited_by"]}
    # named with the commune's place and date: the commune's plan, and only it
    assert commune["kh-mttq-luongminh-hiepthuong-2025.txt"] == "resolved"
    assert commune["kh-mttq-luongminh-hiepthuong2-2026.txt"] == "resolved"
    assert "kh-mttq-luongminh-hiepthuong-2025.txt" not in province
    # named by number only: could be either, and is said to be ambiguous for both
    assert commune["bao-cao-bau-cu.txt"] == "ambiguous" == province["bao-cao-bau-cu.txt"]


def test_narrowing_a_shared_number_by_issuer(graph_store):
    data = show_data(graph_store, "16/KH-MTTQ-BTT", issuer="quang ninh")
    assert [os.path.basename(r["archive"]["path"]) for r in data["records"]] == ["kh-16-mttq-quangninh.txt"]


def test_other_bodys_number_with_another_date_is_not_linked(graph_store):
    # kh-556-ubnd-dongthap-2025 cites a 310/KH-UBND of 2024; the archive's 310/KH-UBND is Hà Nội's of 2025
    d = show_data(graph_store, "556/KH-UBND")["records"][0]
    [r] = d["references"]
    assert r["resolution"]["status"] == "unresolved"
    assert "2025-11-24" in r["resolution"]["near"][0]["conflict"]
    hn = show_data(graph_store, "310/KH-UBND")["records"][0]
    assert hn["cited_by"] == []


def test_show_by_path_and_hash(graph_store):
    kind, rows = graph_store.find("seed-103-kh-du-hungyen-2024.txt")
    assert kind == "path" and rows[0]["number_symbol"] == "103-KH/ĐU"
    kind, rows2 = graph_store.find(rows[0]["sha256"][:12])
    assert kind == "sha256" and rows2[0]["id"] == rows[0]["id"]


# -- search and filters -----------------------------------------------------------------------

def test_phrase_ranks_above_words_apart(new_store):
    s = new_store()
    apart = DocBuilder("kh-0130-ubnd-daklak-2025.txt")
    for _ in range(6):   # many more hits of each word than the phrase document has
        apart.line("- Tuyên truyền hướng dẫn người dân không sử dụng thực phẩm nổi trôi hoặc không rõ nguồn gốc.")
        apart.line("Các bệnh sốt xuất huyết, tay chân miệng, tiêu chảy cấp, tả.")
    add_document(s, apart.build())
    phrase = DocBuilder("seed-103-kh-du-hungyen-2024.txt")
    phrase.line("- Đổi mới nội dung, phương thức phối hợp trong triển khai công tác tuyên truyền miệng.")
    phrase.line("- Tăng cường tuyên truyền, giáo dục nâng cao ý thức, trách nhiệm của lãnh đạo, đảng viên "
                "đối với việc vận động Nhân dân thực hiện chủ trương, đường lối của Đảng.")
    add_document(s, phrase.build())
    for q in ("tuyen truyen mieng", "tuyên truyền miệng", "TUYÊN TRUYỀN MIỆNG"):
        rows = search(s, q).rows
        assert _paths(rows) == ["seed-103-kh-du-hungyen-2024.txt", "kh-0130-ubnd-daklak-2025.txt"]
        assert [r["tier"] for r in rows] == ["phrase", "all"]
        assert rows[0]["score"] >= 0 and "[tuyên truyền miệng]" in rows[0]["snippet"]["text"]


def test_search_filters(graph_store):
    def found(**kw):
        return sorted(_paths(search(graph_store, None, filters=Filters.build(**kw), limit=50).rows))
    assert found(doc_type="huong dan") == found(doc_type="Hướng dẫn") == ["hd-btgdvtw-baocaovien-2025.txt"]
    # a type code: the symbol's (103-KH/ĐU), and, with the type table, the name's
    assert set(found(doc_type="KH")) >= {"seed-103-kh-du-hungyen-2024.txt", "kh-16-mttq-luongminh-2025.txt"}
    if type_names("hd"):
        assert found(doc_type="HD") == ["hd-btgdvtw-baocaovien-2025.txt"]
        assert found(doc_type="KH") == found(doc_type="ke hoach")
    assert found(issuer="luong minh") == ["kh-16-mttq-luongminh-2025.txt", "kh-mttq-luongminh-hiepthuong-2025.txt",
                                          "kh-mttq-luongminh-hiepthuong2-2026.txt"]
    # "what did we issue in Q3 2024?"
    assert found(date_from="2024-Q3", date_to="2024-Q3") == []
    assert found(date_from="2024-Q2", date_to="2024-Q2") == ["159-KH-DUK.txt", "seed-103-kh-du-hungyen-2024.txt"]
    assert found(date_from="2025-11-19", date_to="2025-11-30") == [
        "kh-310-ubnd-hanoi-2025.txt", "kh-556-ubnd-dongthap-2025.txt", "kh-mttq-luongminh-hiepthuong-2025.txt"]
    assert found(system="party") == ["159-KH-DUK.txt", "hd-btgdvtw-baocaovien-2025.txt",
                                     "seed-103-kh-du-hungyen-2024.txt"]
    # a text query and filters together
    rows = search(graph_store, "tuyen truyen mieng", filters=Filters.build(doc_type="KH")).rows
    assert _paths(rows) == ["seed-103-kh-du-hungyen-2024.txt", "159-KH-DUK.txt"] or \
        _paths(rows) == ["159-KH-DUK.txt", "seed-103-kh-du-hungyen-2024.txt"]


def test_number_query_finds_the_document_carrying_it_first(graph_store):
    rows = search(graph_store, "159-KH/ĐUK").rows
    assert _paths(rows)[0] == "159-KH-DUK.txt"          # its own number, in the weighted header
    assert "seed-103-kh-du-hungyen-2024.txt" in _paths(rows)


def test_query_without_letters_is_refused(graph_store):
    with pytest.raises(UsageError):
        search(graph_store, "-- / --")


# -- export -----------------------------------------------------------------------------------

def test_export_references_carry_their_resolution(graph_store):
    rows = list(export_mod.rows(graph_store, "references"))
    by = {(os.path.basename(r["document_path"]), r["number_symbol"]): r for r in rows}
    assert by[("seed-103-kh-du-hungyen-2024.txt", "159-KH/ĐUK")]["target_status"] == "resolved"
    assert os.path.basename(by[("seed-103-kh-du-hungyen-2024.txt", "159-KH/ĐUK")]["target_path"]) == "159-KH-DUK.txt"
    assert by[("bao-cao-bau-cu.txt", "16/KH-MTTQ-BTT")]["target_status"] == "ambiguous"
    assert by[("kh-556-ubnd-dongthap-2025.txt", "310/KH-UBND")]["target_status"] == "unresolved"
    resp = list(export_mod.rows(graph_store, "responsibilities"))
    assert {(os.path.basename(r["document_path"]), r["role"]) for r in resp} == {
        ("seed-103-kh-du-hungyen-2024.txt", "execute"), ("kh-16-mttq-luongminh-2025.txt", "lead")}


def test_replacing_a_document_removes_it_from_the_full_text_index(new_store):
    s = new_store()
    doc = seed_doc()
    add_document(s, doc)
    assert _paths(search(s, "159-KH/ĐUK").rows) == ["seed-103-kh-du-hungyen-2024.txt"]
    assert add_document(s, doc) is False                 # same content: stored once
    assert add_document(s, doc, replace=True) is True     # replaced: deleted, then stored again
    assert len(search(s, "159-KH/ĐUK").rows) == 1
    assert s.counts()["documents"] == 1


# -- indexing files ---------------------------------------------------------------------------

@pytest.fixture
def small_corpus(tmp_path):
    """A copy of a few corpus texts, to change and break."""
    if not SEED.is_file():
        pytest.skip(f"the shared corpus is not at {SEED.parent}; set VNPLAN_CORPUS")
    d = tmp_path / "docs"
    d.mkdir()
    for name in ("seed-103-kh-du-hungyen-2024.txt", "kh-16-mttq-luongminh-2025.txt",
                 "kh-0130-ubnd-daklak-2025.txt", "hd-btgdvtw-baocaovien-2025.txt"):
        shutil.copy(DOCS / name, d / name)
    return d


def test_incremental_indexing(new_store, small_corpus):
    s = new_store()
    r1 = index_paths(s, [str(small_corpus)], workers=1, parser=parser_spec(), progress=False)
    assert (r1.indexed, r1.present, r1.unchanged, r1.failed) == (4, 0, 0, [])
    r2 = index_paths(s, [str(small_corpus)], workers=1, parser=parser_spec(), progress=False)
    assert (r2.indexed, r2.unchanged) == (0, 4)
    # a copy: same content, another path -> linked, not parsed
    shutil.copy(small_corpus / "seed-103-kh-du-hungyen-2024.txt", small_corpus / "zz-copy.txt")
    # a changed file: its old content leaves the archive
    p = small_corpus / "kh-0130-ubnd-daklak-2025.txt"
    p.write_text(p.read_text(encoding="utf-8").replace("tay chân miệng", "tay chân"), encoding="utf-8")
    r3 = index_paths(s, [str(small_corpus)], workers=1, parser=parser_spec(), progress=False)
    assert (r3.indexed, r3.present, r3.unchanged) == (1, 1, 3)
    assert s.counts()["documents"] == 4 and s.counts()["files"] == 5
    assert "kh-0130-ubnd-daklak-2025.txt" not in _paths(search(s, "tay chan mieng").rows)
    # touching a file without changing it: hashed again, not parsed again
    os.utime(small_corpus / "seed-103-kh-du-hungyen-2024.txt", ns=(1, 1))
    r4 = index_paths(s, [str(small_corpus)], workers=1, parser=parser_spec(), progress=False)
    assert (r4.indexed, r4.present) == (0, 1)


def test_bad_files_are_recorded_and_never_stop_the_run(new_store, small_corpus):
    (small_corpus / "empty.txt").write_bytes(b"")
    (small_corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    s = new_store()
    missing = str(small_corpus / "nowhere.txt")
    r = index_paths(s, [str(small_corpus), missing], workers=2, parser=parser_spec(), progress=False)
    codes = {os.path.basename(f["path"]): f["code"] for f in r.failed}
    assert codes == {"empty.txt": "empty", "binary.txt": "binary", "nowhere.txt": "not-found"}
    assert r.indexed == 4
    assert {os.path.basename(e["path"]) for e in s.errors()} == set(codes)
    # fixed and indexed again: the error is gone
    (small_corpus / "empty.txt").write_text((DOCS / "kl-221-tw-2025.txt").read_text(encoding="utf-8"), encoding="utf-8")
    r2 = index_paths(s, [str(small_corpus)], workers=1, parser=parser_spec(), progress=False)
    assert r2.indexed == 1
    assert {os.path.basename(e["path"]) for e in s.errors()} == {"binary.txt", "nowhere.txt"}


def test_parser_failure_and_worker_death_are_per_file(new_store, small_corpus):
    (small_corpus / "boom-raise.txt").write_text("Kế hoạch 1", encoding="utf-8")
    (small_corpus / "boom-exit.txt").write_text("Kế hoạch 2", encoding="utf-8")
    s = new_store()
    r = index_paths(s, [str(small_corpus)], workers=2, parser="archive_parsers:parse_path_failing",
                    progress=False, batch=3)
    codes = {os.path.basename(f["path"]): f["code"] for f in r.failed}
    assert codes == {"boom-raise.txt": "parse-failed", "boom-exit.txt": "worker-crashed"}
    assert r.indexed == 4


def test_missing_archive_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError) as e:
        open_store(tmp_path / "none.sqlite")
    assert e.value.code == "no-archive" and "vnplan index" in e.value.message


def test_a_file_that_is_not_an_archive(tmp_path):
    p = tmp_path / "other.sqlite"
    sqlite3.connect(p).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError) as e:
        open_store(p)
    assert e.value.code == "schema"


@needs_corpus
def test_index_the_corpus_and_find_the_seed(tmp_path):
    with open_store(tmp_path / "a.sqlite", create=True) as s:
        r = index_paths(s, [str(DOCS)], workers=2, parser=parser_spec(), progress=False)
        assert r.failed == [] and r.indexed == len(list(DOCS.glob("*.txt")))
        assert s.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = search(s, "tuyen truyen mieng", limit=5).rows
        assert "seed-103-kh-du-hungyen-2024.txt" in _paths(rows)
        assert rows[0]["tier"] == "phrase"
        # each document's findings are those its rule pack gives it, at their spans
        from vnplan_nlp.check import check
        from vnplan_nlp.parse import parse_path
        stored = s.all('SELECT f."rule", f."start", f."end" FROM "findings" f JOIN "documents" d '
                       'ON d."id" = f."doc_id" WHERE d."path" = ? ORDER BY f."ord"', (str(SEED),))
        doc = parse_path(SEED)
        check(doc)
        assert stored and [(f["rule"], f["start"], f["end"]) for f in stored] == \
            [(f.rule, f.start, f.end) for f in doc.findings]
        assert s.counts()["findings"] == sum(r["n_findings"] for r in s.all('SELECT "n_findings" FROM "documents"'))
        # every record exports, in path order
        recs = list(export_mod.rows(s, "records"))
        assert [r["path"] for r in recs] == sorted(r["path"] for r in recs)
        assert json.loads(json.dumps(recs))


@needs_corpus
def test_the_seed_cites_30_ct_tw_when_the_parser_finds_references(tmp_path):
    with open_store(tmp_path / "a.sqlite", create=True) as s:
        index_paths(s, [str(SEED), str(DOCS / "hd-btgdvtw-baocaovien-2025.txt")], workers=1,
                    parser=parser_spec(), progress=False)
        data = show_data(s, "30-CT/TW")
        citers = [os.path.basename(c["document"]["path"])
                  for d in (data["not_in_archive"] or {}).get("documents", []) for c in d["cited_by"]]
        assert "seed-103-kh-du-hungyen-2024.txt" in citers


@needs_corpus
@pytest.mark.parametrize("window", [1, 3, 200])
def test_ranking_in_a_window_equals_ranking_every_match(new_store, tmp_path, monkeypatch, window):
    """SQLite ranks a common phrase's matches by bm25 in the index before reading records;
    the rows and their order are those of ranking every match, also where equal scores (exact
    copies) run past the window, and where an earlier tier's rows are excluded."""
    from vnplan_nlp.archive.store import SQLiteStore, Store
    d = tmp_path / "docs"
    d.mkdir()
    for i, p in enumerate(sorted(DOCS.glob("*.txt"))[:30]):
        shutil.copy(p, d / p.name)
        if i % 3 == 0:      # a copy one line longer: nearly equal scores, another record
            (d / f"copy-{p.name}").write_bytes(p.read_bytes() + b"\n")
    s = new_store()
    if s.dialect != "sqlite":
        pytest.skip("SQLite's own ranking path (PostgreSQL ranks by its key classes)")
    index_paths(s, [str(d)], workers=1, parser=parser_spec(), progress=False)
    monkeypatch.setattr(SQLiteStore, "TOP_WINDOW", window)
    compared = 0
    for text in ("kế hoạch", "viet nam", "tuyen truyen", "ủy ban nhân dân tỉnh", "bao cao ket qua"):
        for tier, phrases in parse_query(text).tiers():
            for limit in (1, 2, 5, 50):
                fast = s.match(phrases, Filters(), limit)
                assert fast == Store.match(s, phrases, Filters(), limit), (text, tier, limit)
                if fast:
                    excl = {fast[0]["id"]}
                    assert s.match(phrases, Filters(), limit, excl) == \
                        Store.match(s, phrases, Filters(), limit, excl)
                compared += len(fast)
    assert compared > 100

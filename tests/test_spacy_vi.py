"""The spaCy pipeline: every character kept, words segmented, components writing spans,
``nlp.pipe`` and displaCy; the round trip over every corpus document."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")
pytest.importorskip("underthesea")

from vnplan_nlp import settings  # noqa: E402
from vnplan_nlp.normalise import normalise  # noqa: E402
from vnplan_nlp.read import read_path  # noqa: E402
from vnplan_nlp.spacy_vi import load, render_spans, to_old_tones, vietnamese  # noqa: E402

CORPUS = settings.corpus_dir()
DOCS = sorted((CORPUS / "docs").glob("*.txt")) if (CORPUS / "docs").is_dir() else []
needs_corpus = pytest.mark.skipif(not DOCS, reason=f"corpus not found at {CORPUS} (set VNPLAN_CORPUS)")


@pytest.fixture(scope="module")
def nlp():
    return load()


@pytest.mark.parametrize("text", [
    "", " ", "\n", "\n\n\n", "  hai  dấu cách  ", "\ttab\t\tđôi\t", "Số/103 -KH/ĐU\r\n\r\nx",
    "ð Ð x\u00a0y \u200b z", "**Quán triệt**\n\nChỉ thị số 30-CT/TW ngày 05/02/2024",
    "Đảng uỷ Khối  Cơ quan\n - Doanh nghiệp tỉnh   ", "a\n \nb", "😀 Kế hoạch số 24/KH-UBND 😀",
])
def test_every_character_kept(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text


def test_tone_mapping_keeps_length():
    s = "Đảng ủy Khối, hòa giải, Ủy ban, thủy lợi, QUÝ"
    assert len(to_old_tones(s)) == len(s)
    assert to_old_tones("Đảng ủy") == "Đảng uỷ"


def test_words_and_codes():
    # seed-103-kh-du-hungyen-2024: new-style tones and a Party number
    doc = vietnamese()("Thực hiện Kế hoạch số 159-KH/ĐUK ngày 17/6/2024 của Ban Thường vụ Đảng ủy Khối Cơ quan")
    words = [t.text for t in doc]
    assert "159-KH/ĐUK" in words            # protected, not split at - and /
    assert "Đảng ủy" in words               # segmented as one word despite the new-style tone
    assert "Kế hoạch" in words and "Thực hiện" in words


def test_components_write_spans(nlp):
    text = ("Thực hiện Kế hoạch số 159-KH/ĐUK ngày 17/6/2024 của Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp "
            "tỉnh, Đảng ủy Sở Nội vụ tổ chức hội nghị trong Quý III/2024.")
    doc = nlp(text)
    assert nlp.pipe_names == ["vnplan_references", "vnplan_dates", "vnplan_bodies"]
    labels = {s.label_ for s in doc.spans["vnplan"]}
    assert labels == {"REFERENCE", "DATE", "BODY"}
    ref = doc.spans["vnplan_references"][0]
    assert ref._.vnplan["number_symbol"] == "159-KH/ĐUK"
    assert ref._.vnplan["issuer"] == "Ban Thường vụ Đảng ủy Khối Cơ quan - Doanh nghiệp tỉnh"
    q = [s for s in doc.spans["vnplan_dates"] if s.text == "Quý III/2024"]
    assert q and q[0]._.vnplan["value"] == {"start": "2024-07-01", "end": "2024-09-30"}
    assert any(s.text == "Đảng ủy Sở Nội vụ" for s in doc.spans["vnplan_bodies"])


def test_pipe_and_displacy(nlp):
    texts = ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 16/6/2025;", "", "Báo cáo trước ngày 30/9/2025."]
    docs = list(nlp.pipe(texts))
    assert [d.text for d in docs] == texts
    html = render_spans(docs[0])
    assert "REFERENCE" in html and "DATE" in html
    assert "http://" not in html and "https://" not in html      # offline: nothing fetched


def test_doc_date_from_user_data(nlp):
    doc = nlp.make_doc("báo cáo trước ngày 30/9")
    doc.user_data["doc_date"] = "2024-06-15"
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    d = doc.spans["vnplan_dates"][0]
    assert d._.vnplan["value"] == "2024-09-30" and d._.vnplan["year_inferred"] is True


@needs_corpus
@pytest.mark.corpus
@pytest.mark.slow
def test_round_trip_over_the_corpus(nlp):
    """doc.text equals the input for every corpus document, raw and normalised."""
    tok = nlp.tokenizer
    for p in DOCS:
        src = read_path(p)
        for text in (src.text, normalise(src.text, src.markup).text):
            assert tok(text).text == text, p.name

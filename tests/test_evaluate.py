"""The corpus evaluation: the spine's accuracy gates (fields right per gold document)."""

import pytest

from vnplan_nlp.evaluate import evaluate, format_report, issuer_matches

pytestmark = pytest.mark.corpus


def test_issuer_matching_rules():
    assert issuer_matches("Tỉnh Bắc Ninh", "Uỷ ban nhân dân tỉnh Bắc Ninh", None)
    assert issuer_matches("Thành phố Hà Nội", "Sở Giáo dục và Đào tạo", "Ủy ban nhân dân thành phố Hà Nội")
    assert not issuer_matches("Tỉnh Bắc Ninh", "Ủy ban nhân dân tỉnh Bắc Giang", None)
    assert issuer_matches("Ủy ban nhân dân tỉnh Đắk Lắk", "UBND tỉnh Đắk Lắk", None)
    assert not issuer_matches("Bộ Y tế", None, None)


def test_header_accuracy_on_the_corpus(corpus):
    rep = evaluate(corpus, raw=False)
    acc = {f: ok / tot for f, (ok, tot) in rep.accuracy().items()}
    report = format_report(rep)
    assert acc["number_symbol"] >= 0.995, report
    assert acc["issued_date"] >= 0.995, report
    assert acc["doc_type"] >= 0.99, report
    assert acc["issuer"] >= 0.98, report
    assert acc["signer"] >= 0.98, report
    assert not rep.parse_errors, report
    assert rep.parsed_all == len(list((corpus / "docs").glob("*.txt")))

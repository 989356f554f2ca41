"""Over the whole corpus: every span cites its item's text, and every document parses."""

import pytest

pytestmark = pytest.mark.corpus


def _items(doc):
    for r in doc.recipients:
        yield "recipient", r
    for s in doc.signatures:
        for ln in s.lines:
            yield "signature line", ln
    for x in doc.references:
        yield "reference", x
    for x in doc.dates:
        yield "date", x
    for x in doc.bodies:
        yield "body", x


def test_every_span_cites_its_text(corpus_docs):
    from vnplan_nlp.parse import parse_path
    checked = 0
    for p in corpus_docs:
        d = parse_path(p)
        t = d.text
        for kind, item in _items(d):
            assert t[item.start:item.end] == item.text, (p.name, kind, item)
            checked += 1
        h = d.header
        for name, value in (("number_line", h.number_line), ("place", h.place), ("date_line", h.date_line),
                            ("national", h.national), ("motto", h.motto), ("subject_line", h.subject_line)):
            if value is not None:
                a, b = h.spans[name]
                assert t[a:b] == value, (p.name, name)
                checked += 1
        if h.issuer is not None:
            a, b = h.spans["issuer"]
            assert 0 <= a < b <= len(t), (p.name, "issuer span")
            if h.evidence.get("issuer") == "body":     # taken as printed from the body
                assert t[a:b] == h.issuer, (p.name,)
        for s in d.iter_sections():
            assert t[s.label_start:s.label_end] == s.label, (p.name, s.marker)
            assert 0 <= s.start < s.end <= len(t)
            for c in s.children:
                assert s.start <= c.start and c.end <= s.end, (p.name, s.label, c.label)
    assert checked > 1000

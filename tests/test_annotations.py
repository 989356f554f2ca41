"""The project's own gold annotations stay consistent with the corpus and the normaliser:
every quoted phrase is found verbatim in the normalised text of its document."""

import json

import pytest

from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import read_path
from vnplan_nlp.settings import project_corpus_dir

pytestmark = pytest.mark.corpus

ANN = project_corpus_dir() / "annotations"
ROLES = {"lead", "coordinate", "execute"}


def _files(kind):
    return sorted((ANN / kind).glob("*.json"))


def _text(corpus, doc_id):
    # the annotations join a paragraph's lines with one space; compare on that view
    return normalise(read_path(corpus / "docs" / f"{doc_id}.txt").text).text.replace("\n", " ")


@pytest.mark.parametrize("path", _files("responsibilities"), ids=lambda p: p.stem)
def test_responsibility_annotations_quote_the_text(corpus, path):
    data = json.loads(path.read_text("utf-8"))
    assert data["id"] == path.stem
    text = _text(corpus, data["id"])
    for r in data["responsibilities"]:
        assert r["role"] in ROLES, r
        assert r["actor"] in text, r["actor"]
        if r.get("report_to"):
            assert r["report_to"] in text, r["report_to"]


@pytest.mark.parametrize("path", _files("dates"), ids=lambda p: p.stem)
def test_date_annotations_quote_the_text(corpus, path):
    data = json.loads(path.read_text("utf-8"))
    text = _text(corpus, data["id"])
    for d in data["dates"]:
        assert d["text"] in text, d["text"]
        assert isinstance(d["value"], (str, dict))


@pytest.mark.parametrize("path", _files("references"), ids=lambda p: p.stem)
def test_reference_annotations_are_well_formed(corpus, path):
    data = json.loads(path.read_text("utf-8"))
    assert (corpus / "docs" / f"{data['id']}.txt").exists()
    for r in data["references"]:
        assert r["relation"] in {"implements", "basis", "cites"}, r
        assert r.get("number_symbol") or r.get("name"), r
        if r.get("number_symbol"):
            assert " " not in r["number_symbol"], r


def test_there_are_enough_annotated_documents():
    assert len(_files("responsibilities")) >= 20

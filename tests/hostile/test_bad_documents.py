"""Round two of hostile input: one bad document (or one bad part of a document) never costs a batch.

Each case is a real shape an attacker or a careless exporter produces; the batch always keeps the good
document written beside it, and every output of the build parses with pyoxigraph, rdflib and rapper.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import Graph

from conftest import FIXTURES, requires
from kg.errors import IdentifierError, ReaderError
from kg.identifiers import normalize_curie
from kg.read import iter_documents
from kg.records import Document

GOOD = {
    "id": "6794356",
    "passages": [{"offset": 0, "text": "Lithium toxicity in a newborn infant.", "infons": {"type": "title"}}],
}


def _bioc_json(tmp_path, bad: dict | str) -> object:
    path = tmp_path / "batch.json"
    if isinstance(bad, str):
        path.write_text('{"documents": [' + json.dumps(GOOD) + "," + bad + "]}")
    else:
        path.write_text(json.dumps({"documents": [GOOD, bad]}))
    return path


def _build(tmp_path, path) -> dict:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(path), "-o", str(out), "--rdf", "ttl,nt,jsonld"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for name, fmt in (("graph.ttl", ox.RdfFormat.TURTLE), ("graph.nt", ox.RdfFormat.N_TRIPLES)):
        list(ox.parse(path=str(out / name), format=fmt))
    Graph().parse(out / "graph.ttl", format="turtle")
    Graph().parse(out / "graph.jsonld", format="json-ld")
    rapper = requires("rapper")
    check = subprocess.run(
        [rapper, "-i", "turtle", "-c", str(out / "graph.ttl")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    return json.loads((out / "report.json").read_text())


@pytest.mark.parametrize("kind", ["abs\ttract", "abs\ntract", "a" * 500, "<script>"])
def test_a_passage_type_with_tabs_or_newlines_is_a_plain_token(tmp_path, kind):
    bad = {
        "id": "2",
        "passages": [{"offset": 0, "text": "Dupilumab treats atopic dermatitis.", "infons": {"type": kind}}],
    }
    report = _build(tmp_path, _bioc_json(tmp_path, bad))
    assert report["documents"] == 2


def test_a_lone_surrogate_becomes_a_replacement_character_with_a_warning(tmp_path):
    bad = '{"id": "2", "passages": [{"offset": 0, "text": "Dupilumab \\ud800 treats atopic dermatitis.", "infons": {"type": "title"}}]}'
    report = _build(tmp_path, _bioc_json(tmp_path, bad))
    assert report["documents"] == 2
    assert any("surrogate" in w["warning"] for w in report["warnings"])
    [document] = [
        d for d in iter_documents([tmp_path / "batch.json"]) if isinstance(d, Document) and d.id == "PMID:2"
    ]
    assert "\ufffd" in document.passages[0].text and len(document.passages[0].text) == 37


def test_json_nested_two_thousand_deep_is_refused_in_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"documents": ' + "[" * 2000 + "]" * 2000 + "}")
    [item] = list(iter_documents([path]))
    assert isinstance(item, ReaderError) and "too deep" in str(item)


def test_a_deeply_nested_document_inside_a_good_batch_is_skipped(tmp_path):
    deep = '{"id": "3", "infons": ' + '{"a": ' * 1500 + "1" + "}" * 1500 + ', "passages": []}'
    items = list(iter_documents([_bioc_json(tmp_path, deep)]))
    assert [type(i).__name__ for i in items] == ["Document", "ReaderError"]


def test_jats_with_a_thousand_nested_sections_is_read(tmp_path):
    body = (
        "<sec><title>Nested</title>" * 1100 + "<p>Dupilumab treats atopic dermatitis.</p>" + "</sec>" * 1100
    )
    path = tmp_path / "deep.nxml"
    path.write_text(
        '<article article-type="research-article"><front><article-meta><article-id pub-id-type="pmid">5</article-id>'
        "<title-group><article-title>Deep</article-title></title-group></article-meta></front>"
        f"<body>{body}</body></article>"
    )
    [document] = list(iter_documents([path]))
    assert isinstance(document, Document) and "Dupilumab" in document.passages[-1].text


def test_a_pubtator3_document_whose_id_is_a_doi_keeps_its_pmid():
    path = (
        FIXTURES.parent.parent.parent
        / "shared"
        / "realworld"
        / "bioc"
        / "factoid_10.1016_j.molcel.2019.03.023.json"
    )
    if not path.exists():
        pytest.skip("../shared/realworld is not here")
    [document] = list(iter_documents([path]))
    assert isinstance(document, Document)
    assert (
        document.id.startswith(("PMID:", "PMC:"))
        and document.get_metadata("doi") == "10.1016/j.molcel.2019.03.023"
    )


def test_an_entity_declaration_behind_a_comment_is_still_refused(tmp_path):
    path = tmp_path / "trick.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!-- <collection> -->\n<!DOCTYPE collection [<!ENTITY x "INJECTED">]>\n'
        "<collection><source>s</source><date>d</date><key>k</key><document><id>1</id>"
        "<passage><offset>0</offset><text>&x; dupilumab</text></passage></document></collection>"
    )
    [item] = list(iter_documents([path]))
    assert isinstance(item, ReaderError) and "entity declarations are not accepted" in str(item)


@pytest.mark.parametrize("curie", ["NCBIGene:３５６５", "MESH:D００３８７６", "PMID:٣٥٦٥", "HGNC:6014\u200b"])
def test_identifiers_are_ascii(curie):
    with pytest.raises(IdentifierError):
        normalize_curie(curie)


@pytest.mark.parametrize(
    "doi", ["10.1016/a[1]", "10.1016/a%zz", "10.1016/a#b#c", "10.1016/a\x7fb", "10.1016/a\ufdd0"]
)
def test_a_hostile_doi_in_pubmed_xml_is_left_out_and_reported(tmp_path, doi):
    path = tmp_path / "set.xml"
    path.write_text(
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>Lithium toxicity"
        "</ArticleTitle></Article></MedlineCitation><PubmedData><ArticleIdList>"
        f'<ArticleId IdType="doi">{doi}</ArticleId></ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>',
        encoding="utf-8",
    )
    report = _build(tmp_path, path)
    assert report["documents"] == 1
    assert any("doi" in w["warning"] and "left out" in w["warning"] for w in report["warnings"])

"""XML attacks: external entities (XXE) and entity bombs are refused, in bounded time and memory."""

import resource
import time

import pytest

from kg.errors import ReaderError
from kg.read import iter_documents

XXE = """<?xml version="1.0"?>
<!DOCTYPE {root} [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
{body}"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE {root} [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
{body}"""
BODIES = {
    "pubmed": (
        "PubmedArticleSet",
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>&{entity};</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
    ),
    "jats": (
        "article",
        "<article><front><article-meta><article-id pub-id-type='pmid'>1</article-id><title-group>"
        "<article-title>&{entity};</article-title></title-group></article-meta></front></article>",
    ),
    "bioc-xml": (
        "collection",
        "<collection><source>x</source><date>x</date><key>x</key><document><id>1</id>"
        "<passage><offset>0</offset><text>&{entity};</text></passage></document></collection>",
    ),
}


@pytest.mark.parametrize("fmt", sorted(BODIES))
@pytest.mark.parametrize(("attack", "entity"), [(XXE, "secret"), (BOMB, "g")])
def test_entity_declarations_are_refused_quickly_and_cheaply(tmp_path, fmt, attack, entity):
    root, body = BODIES[fmt]
    path = tmp_path / f"attack.{fmt}.xml"
    path.write_text(attack.format(root=root, body=body.format(entity=entity)))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    items = list(iter_documents([path], format=fmt))
    assert time.perf_counter() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KB: under 100 MB more
    assert len(items) == 1 and isinstance(items[0], ReaderError)
    message = str(items[0])
    assert str(path) in message and "entity declarations are not accepted" in message
    assert "root:" not in message  # nothing of /etc/passwd leaked


def test_an_attack_file_does_not_stop_the_other_files(tmp_path, extractor):
    from conftest import SEED
    from kg.pipeline import BuildReport, build_graph

    root, body = BODIES["pubmed"]
    attack = tmp_path / "attack.xml"
    attack.write_text(XXE.format(root=root, body=body.format(entity="secret")))
    report = BuildReport()
    graph = build_graph([attack, SEED], extractor=extractor, report=report)
    assert report.documents == 1 and "NCBIGene:3565" in graph.graph
    assert report.skipped[0]["file"] == str(attack)

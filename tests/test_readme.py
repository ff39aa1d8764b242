"""The README's samples are real output: its first query's table, and every statement of its RDF samples.

The RDF samples are turned into SPARQL ``ASK`` queries run on the real Turtle: ``kg:association.…`` and
``kg:evidence.…`` stand for hashed names (variables here), and a literal with ``…`` matches any literal that
contains its other parts.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from conftest import RAT_TITLE, ROOT
from kg.graph import KnowledgeGraph
from kg.records import Document, Passage
from kg.writers import write_outputs

KG = [sys.executable, "-m", "kg"]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIANT_SENTENCE = "The BRAF V600E mutation was found in 40% of papillary thyroid carcinomas."


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, flags=re.M | re.S)


def _ask(sample: str, turtle: Path) -> str:
    """The sample's statements as an ASK query with the prefixes of ``turtle``."""
    prefixes = "\n".join(
        f"PREFIX {name}: <{iri}>"
        for name, iri in re.findall(r"^@prefix (\S*): <([^>]*)> \.$", turtle.read_text(), flags=re.M)
    )
    body = re.sub(r"(?m)(^|\s)#[^\n]*", r"\1", sample)
    body = body.replace("kg:association.…", "?association").replace("kg:evidence.…", "?evidence")
    body = re.sub(r"\bkg:([\w.-]*\w)", r"<https://w3id.org/kg-biomed/\1>", body)  # Oxigraph: no dots in names
    filters = []

    def contains(match: re.Match[str]) -> str:
        variable = f"?text{len(filters)}"
        parts = [part for part in match.group(1).split("…") if part.strip()]
        filters.extend(f'FILTER(CONTAINS(STR({variable}), "{part}"))' for part in parts)
        return variable

    body = re.sub(r'"([^"]*…[^"]*)"', contains, body)
    return f"{prefixes}\nASK {{\n{body}\n{chr(10).join(filters)}\n}}"


def _holds(sample: str, turtle: Path) -> list[str]:
    """The paragraphs of ``sample`` whose statements ``turtle`` does not hold."""
    store = ox.Store()
    store.load(path=str(turtle), format=ox.RdfFormat.TURTLE)
    missing = []
    for statement in sample.split("\n\n"):
        if re.fullmatch(r"(\s*#[^\n]*\n?)*\s*", statement):
            continue  # comments only
        if not bool(store.query(_ask(statement, turtle))):
            missing.append(statement.strip())
    return missing


def test_the_first_query_sample_is_real_output(seed_output):
    block = next(b for b in _blocks("") if b.startswith("drug_label"))
    result = subprocess.run(
        [*KG, "query", str(seed_output / "graph.ttl"), "--file", str(ROOT / "queries" / "seed_chain.rq")],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=True,
    )
    assert [line.rstrip() for line in result.stdout.splitlines()] == block.splitlines()


def test_the_rdf_sample_of_the_example_is_real_output(seed_output):
    sample = next(b for b in _blocks("turtle") if "MONDO:0004980 a biolink:Disease" in b)
    assert _holds(sample, seed_output / "graph.ttl") == []


def test_the_rdf_sample_of_species_and_variants_is_real_output(extractor, tmp_path):
    sample = next(b for b in _blocks("turtle") if "NCBIGene:24907" in b)
    graph = KnowledgeGraph()
    for identifier, text in (("PMID:18808529", RAT_TITLE), ("PMID:1", VARIANT_SENTENCE)):
        graph.add_result(extractor.extract(Document(identifier, text, (Passage("abstract", 0, text),))))
    graph.add_hierarchy(extractor.lexicon)
    write_outputs(graph, tmp_path)
    assert _holds(sample, tmp_path / "graph.ttl") == []


def test_a_statement_the_graph_does_not_hold_is_caught(seed_output):
    """The check itself can fail: a changed score, or a changed piece of a sentence."""
    sample = next(b for b in _blocks("turtle") if "MONDO:0004980 a biolink:Disease" in b)
    for old, new in (
        ("has_confidence_score 0.933 ;", "has_confidence_score 0.8 ;"),
        ("inhibiting IL-4", "blocking IL-4"),
    ):
        assert old in sample
        missing = _holds(sample.replace(old, new), seed_output / "graph.ttl")
        assert len(missing) == 1 and new in missing[0]


def test_readme_examples_write_only_into_output():
    """Every path a README example writes (``-o``, a store, an HTML file) is under ``output/`` (or, for the
    learners, the shipped data folders), or a placeholder such as ``DIR``."""
    written = []
    for block in [*_blocks("sh"), *_blocks("python")]:
        written += re.findall(r"(?:-o|kg load)\s+([^\s\]]+)", block)
        written += re.findall(r"write_\w+\([^,\n]+,\s*\"([^\"]+)\"", block)
    assert len(written) >= 10, written
    for path in written:
        assert (
            path.isupper() or path == "output" or path.startswith(("output/", "kg/data/", "ontologies/"))
        ), path

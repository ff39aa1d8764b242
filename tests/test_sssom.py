"""Mappings out: the SSSOM mapping set every build writes, and `kg lexicon why`."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd

from conftest import ROOT
from kg.lexicon import Lexicon
from kg.sssom import justification, mapping_chain

KG = [sys.executable, "-m", "kg"]


def _read(path) -> tuple[list[str], pd.DataFrame]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    return header, pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)


def test_every_id_of_a_small_lexicon_concept_is_joined_by_a_chain_of_mappings(small_lexicon: Lexicon):
    """The kept mappings are a tree over each concept's IDs: every cross-reference is reached from the
    concept's ID, each hop named by its source."""
    concept = small_lexicon.get_concept("HGNC:6014")  # IL4
    assert concept is not None and concept.xrefs
    joins = small_lexicon.mappings(concept.id)
    assert len(joins) == len(concept.xrefs)
    for xref in concept.xrefs:
        chain = mapping_chain(joins, concept.id, xref)
        assert chain and chain[0][0] == concept.id and chain[-1][1] == xref
        assert all(source for _, _, source in chain)


def test_the_seed_build_writes_the_mappings_behind_its_nodes(seed_output):
    header, table = _read(seed_output / "mappings.sssom.tsv")
    assert "mapping_set_id: https://w3id.org/kg-biomed/mappings.sssom.tsv" in header
    assert "  MONDO: http://purl.obolibrary.org/obo/MONDO_" in header
    assert list(table.columns)[:4] == ["subject_id", "subject_label", "predicate_id", "object_id"]
    atopic = table[(table.subject_id == "MONDO:0004980") | (table.object_id == "MONDO:0004980")]
    assert not atopic.empty and set(atopic.predicate_id) == {"skos:exactMatch"}
    assert set(atopic.mapping_justification) <= {
        "semapv:ManualMappingCuration",
        "semapv:LexicalMatching",
        "semapv:UnspecifiedMatching",
    }
    # MeSH's atopic dermatitis is joined to the node through these rows
    joins = [(r.subject_id, r.object_id, r.comment.rsplit(" ", 1)[-1]) for r in table.itertuples()]
    assert mapping_chain(joins, "MONDO:0004980", "MESH:D003876")
    local = table[table.subject_id == "KG:disease.acquired-reactive-perforating-collagenosis"]
    assert list(local.predicate_id) and set(local.predicate_id) == {"skos:broadMatch"}


def test_sssom_py_validates_the_mapping_set(seed_output):
    """`sssom validate` (sssom-py, in its own virtualenv made by scripts/sssom-validate on first use)."""
    result = subprocess.run(
        [str(ROOT / "scripts" / "sssom-validate"), str(seed_output / "mappings.sssom.tsv")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()


def test_sssom_py_rejects_a_broken_mapping_set(seed_output, tmp_path):
    """The validation can fail: a prefix the header does not declare."""
    text = (seed_output / "mappings.sssom.tsv").read_text(encoding="utf-8").replace("MESH:D", "NOPREFIX:D", 1)
    (tmp_path / "broken.sssom.tsv").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [str(ROOT / "scripts" / "sssom-validate"), str(tmp_path / "broken.sssom.tsv")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0


def test_lexicon_why_prints_the_chain_of_mappings():
    result = subprocess.run(
        [*KG, "lexicon", "why", "MESH:D003876", "MONDO:0004980"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("MESH:D003876 and MONDO:0004980 are one concept, MONDO:0004980")
    hops = [
        re.match(r"  (\S+) = (\S+)  from (.+), (semapv:\w+), confidence ([\d.]+)$", line)
        for line in lines[1:]
    ]
    assert hops and all(hops), lines
    assert hops[0][1] == "MESH:D003876" and hops[-1][2] == "MONDO:0004980"
    for hop in hops:
        assert (hop[4], float(hop[5])) == justification(hop[3])


def test_lexicon_why_says_when_two_ids_are_two_concepts():
    result = subprocess.run(
        [*KG, "lexicon", "why", "MESH:D003876", "NCBIGene:3565"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "are two concepts: MONDO:0004980 (atopic eczema) and NCBIGene:3565 (IL4)" in result.stdout
    unknown = subprocess.run(
        [*KG, "lexicon", "why", "MESH:D999999", "MONDO:0004980"], capture_output=True, text=True
    )
    assert unknown.returncode != 0 and "MESH:D999999: not in the lexicon" in unknown.stderr

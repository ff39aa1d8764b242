"""The concept normaliser: known names reach the annotators' MeSH IDs, abbreviations follow their long
forms, composite mentions split, gibberish is NIL; its candidate index, weights file, trees and training."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import FIXTURES
from kg.errors import ModelError
from kg.models import NORMALISER_FILE, Models
from kg.normalise import CandidateIndex, Normalisation, Normaliser, find_long_forms, normalise_mentions
from kg.normalise.model import NormaliserModel
from kg.records import Document, EntityType, Mention, Passage
from kg.trees import TreeEnsemble

DISEASE, CHEMICAL = EntityType.DISEASE, EntityType.CHEMICAL


@pytest.fixture(scope="module")
def normaliser(lexicon, models) -> Normaliser:
    return Normaliser(lexicon, models.normaliser)


def _document(text: str, *spans: tuple[str, EntityType]) -> tuple[Document, list[Mention]]:
    """A one-passage document and mentions of the given texts (each at its first place from the last)."""
    mentions, position = [], 0
    for span, entity_type in spans:
        start = text.index(span, position)
        mentions.append(Mention(start, start + len(span), span, entity_type))
        position = start + len(span)
    return Document("PMID:1", text.split(".")[0], (Passage("abstract", 0, text),)), mentions


def _ids(lexicon, curie: str | None) -> set[str]:
    concept = lexicon.get_concept(curie) if curie else None
    return {concept.id, *concept.xrefs} if concept else set()


@pytest.mark.parametrize(
    ("name", "entity_type", "mesh"),
    [
        ("ventricular arrhythmias", DISEASE, "MESH:D001145"),
        ("nephrotoxicity", DISEASE, "MESH:D007674"),
        ("cardiotoxic", DISEASE, "MESH:D066126"),
        ("acute renal failure", DISEASE, "MESH:D058186"),
        ("lithium carbonate", CHEMICAL, "MESH:D016651"),
        ("cis-platinum", CHEMICAL, "MESH:D002945"),
    ],
)
def test_known_names_reach_the_mesh_ids_annotators_use(normaliser, lexicon, name, entity_type, mesh):
    document, mentions = _document(f"We saw {name} in these patients.", (name, entity_type))
    (found,) = normalise_mentions(normaliser, document, mentions)
    assert mesh in _ids(lexicon, found.concept_id), (found.concept_id, found.candidates[:3])
    assert not found.is_nil and not found.is_composite and found.scores[0] >= normaliser.nil_threshold


def test_an_abbreviation_follows_the_long_form_its_document_defines(normaliser):
    text = "Acute renal failure (ARF) followed cisplatin. ARF resolved within days."
    document, mentions = _document(
        text, ("Acute renal failure", DISEASE), ("ARF", DISEASE), ("cisplatin", CHEMICAL), ("ARF", DISEASE)
    )
    assert find_long_forms(document, mentions) == [None, "Acute renal failure", None, "Acute renal failure"]
    found = normalise_mentions(normaliser, document, mentions)
    assert found[1].long_form == "Acute renal failure"
    assert found[0].concept_id == found[1].concept_id == found[3].concept_id is not None


def test_a_composite_mention_gets_one_concept_per_conjunct(normaliser, lexicon):
    document, mentions = _document(
        "Mutations predispose to breast and ovarian cancers.", ("breast and ovarian cancers", DISEASE)
    )
    (found,) = normalise_mentions(normaliser, document, mentions)
    assert found.is_composite
    ids = [_ids(lexicon, c) for c in found.concept_ids]
    assert any("MESH:D001943" in i for i in ids) and any("MESH:D010051" in i for i in ids)


def test_gibberish_is_nil_but_keeps_its_candidates(normaliser):
    document, mentions = _document(
        "Patients had zorblaxic quindrelloma.", ("zorblaxic quindrelloma", DISEASE)
    )
    (found,) = normalise_mentions(normaliser, document, mentions)
    assert found.is_nil and found.concept_id is None and found.concept_ids == ()
    (always,) = normalise_mentions(normaliser, document, mentions, abstain=False)
    assert always.concept_ids == (always.candidates[0][0],) if always.candidates else always.is_nil


def test_only_disease_and_chemical_mentions_are_normalised_in_their_order(normaliser):
    document, mentions = _document(
        "IL-4 and asthma and aspirin.", ("IL-4", EntityType.GENE), ("asthma", DISEASE), ("aspirin", CHEMICAL)
    )
    found = normalise_mentions(normaliser, document, mentions)
    assert [n.mention for n in found] == mentions[1:]
    assert all(isinstance(n, Normalisation) and n.candidates for n in found)
    assert normalise_mentions(normaliser, document, mentions[:1]) == []


def test_the_candidate_index_lives_beside_the_compiled_lexicon_and_keeps_blocked_names(lexicon, normaliser):
    index = normaliser.index
    assert index.directory == CandidateIndex.path_for(lexicon)
    assert index.directory.parent == lexicon.compiled
    assert index.size_on_disk() < 150e6
    # "acute hepatitis" is blocked for recognition by the learned term filter, not for normalisation
    blocked = {lexicon.concept_id_at(c) for c, _, _ in index.exact("acute hepatitis")}
    assert blocked and not blocked & {p.concept_id for p in lexicon.lookup("acute hepatitis")}
    names = [lexicon.key_at(k) for k, _ in index.search("ventriculr arrhythmia", "Disease", top=3)]
    assert names[0] == "ventricular arrhythmia"


def test_a_missing_or_damaged_weights_file_ends_in_one_model_error_line(tmp_path):
    source = Models.load().directory
    for name in ("mentions.json", "relations.npz"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    with pytest.raises(ModelError) as missing:
        Models.load(tmp_path)
    assert str(tmp_path / NORMALISER_FILE) in str(missing.value) and "make learn" in str(missing.value)
    for damage in ("{not json", json.dumps({"format": 1, "method": "kg.normalise:lambdarank"})):
        (tmp_path / NORMALISER_FILE).write_text(damage)
        with pytest.raises(ModelError) as damaged:
            Models.load(tmp_path)
        message = str(damaged.value)
        assert "\n" not in message and NORMALISER_FILE in message and "make learn" in message
    data = json.loads((source / NORMALISER_FILE).read_text())
    data["features"] = data["features"][:-1]
    (tmp_path / NORMALISER_FILE).write_text(json.dumps(data))
    with pytest.raises(ModelError, match="features"):
        Models.load(tmp_path)


def test_the_shipped_weights_say_what_they_were_trained_on(models):
    model = models.normaliser
    assert isinstance(model, NormaliserModel) and model.path and model.path.stat().st_size < 5e6
    assert {"bc5cdr", "ncbi_disease", "biored"} <= set(model.trained_on)
    assert model.memory["Disease"] and model.composites["Disease"] and 0 < model.nil_threshold < 5
    assert model.digest in models.fingerprint.split("|")
    assert Models.none().normaliser is None


def test_exported_trees_score_as_lightgbm_does():
    lightgbm = pytest.importorskip("lightgbm")
    from kg.train.normaliser import tree_nodes

    generator = np.random.default_rng(0)
    rows = generator.normal(size=(600, 5))
    rows[:, 4] = generator.integers(0, 3, 600)  # ties at thresholds
    labels = (rows[:, 0] + rows[:, 1] * rows[:, 4] > 0.5).astype(float)
    for parameters in (
        {"objective": "lambdarank", "num_leaves": 15, "max_depth": 4},
        {"objective": "binary", "num_leaves": 3},
    ):
        dataset = lightgbm.Dataset(
            rows, labels, group=[20] * 30 if "rank" in parameters["objective"] else None
        )
        booster = lightgbm.train(
            {**parameters, "verbose": -1, "num_threads": 1, "deterministic": True, "min_data_in_leaf": 5},
            dataset,
            num_boost_round=25,
        )
        trees = TreeEnsemble.from_json({"features": list("abcde"), "trees": tree_nodes(booster)})
        assert (trees.complete is not None) == (parameters["num_leaves"] == 15)  # both ways of scoring
        np.testing.assert_allclose(trees.raw_scores(rows), booster.predict(rows, raw_score=True), atol=1e-9)
        np.testing.assert_allclose(
            trees.raw_scores(rows.astype(np.float32)),
            booster.predict(rows.astype(np.float32), raw_score=True),
            atol=1e-9,
        )


@pytest.mark.corpora
def test_learning_is_deterministic_on_a_small_subset(tmp_path, corpora, lexicon):
    pytest.importorskip("lightgbm")
    from kg.train.corpora import training_documents
    from kg.train.normaliser import PARAMETERS, learn

    documents = {name: docs[:30] for name, docs in training_documents(corpora).items()}
    parameters = {**PARAMETERS, "num_iterations": 20}
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    summary = learn(corpora, first, lexicon=lexicon, documents=documents, parameters=parameters)
    learn(corpora, second, lexicon=lexicon, documents=documents, parameters=parameters)
    assert first.read_bytes() == second.read_bytes()
    assert summary["bc5cdr"]["documents"] == 30 and summary["trees"] == 20
    model = NormaliserModel.read(first)
    assert model.trained_on["ncbi_disease"]["documents"] == 30


def test_kg_evaluate_scores_the_normaliser_on_gold_spans(tmp_path):
    errors = tmp_path / "errors.tsv"
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "evaluate", str(FIXTURES / "two_cdr.pubtator"), "--normaliser", "--json",
         "--errors", str(errors)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    scores = json.loads(result.stdout)
    assert set(scores) == {"Disease", "Chemical"}
    for row in scores.values():
        assert row["mentions"] > 0 and 0.5 < row["accuracy"] <= 1 and 0.5 < row["document_f1"] <= 1
    assert errors.exists()
    table = subprocess.run(
        [sys.executable, "-m", "kg.cli", "evaluate", str(FIXTURES / "two_cdr.pubtator"), "--normaliser",
         "--no-nil", "--types", "Disease"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "no NIL" in table and "Disease" in table and "Chemical" not in table.split("no NIL")[1]

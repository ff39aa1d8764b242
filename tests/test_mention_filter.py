"""The learned mention filter: real sentences through the shipped model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kg.ground import ground_mentions
from kg.learned import read_model
from kg.mention_filter import MODEL_PATH, filter_mentions, mention_scores
from kg.pipeline import extract_document
from kg.recognise import find_mentions
from kg.records import Annotation, Document, Passage

SENTENCE = (
    "Inflammatory cells infiltrated the dermis of patients with atopic dermatitis treated with dupilumab."
)


def _document(text: str, annotations: tuple[Annotation, ...] = ()) -> Document:
    return Document(id="PMID:1", title="", passages=(Passage("abstract", 0, text),), annotations=annotations)


def test_the_model_ships_with_its_threshold():
    model = read_model(MODEL_PATH)
    assert model is not None, "kg/data/mentions.json is missing: run `kg mentions learn --corpora DIR`"
    head = model["heads"]["mention"]
    assert head["classes"] == ["mention"]
    assert 0.3 <= head["threshold"] <= 0.9


def test_an_adjective_is_dropped_and_the_entities_stay(lexicon):
    result = extract_document(_document(SENTENCE), lexicon)
    found = {m.text for m in result.mentions}
    assert {"atopic dermatitis", "dupilumab"} <= found
    assert "Inflammatory" not in found
    assert {c.label for c in result.concepts} >= {"atopic eczema"}
    assert not any("inflamm" in c.label.lower() for c in result.concepts)  # its concept left with it


def _scores(lexicon, text: str) -> dict[str, float]:
    document = _document(text)
    grounded, concepts = ground_mentions(find_mentions(document, lexicon), lexicon)
    by_id = {c.id: c for c in concepts}
    return {
        m.text.lower(): s for m, s in zip(grounded, mention_scores(document, grounded, by_id), strict=True)
    }


def test_the_filter_judges_by_context(lexicon):
    """The same word scores differently by what surrounds it."""
    cells = _scores(lexicon, SENTENCE)["inflammatory"]
    response = _scores(lexicon, "The inflammatory response subsided after treatment.")["inflammatory"]
    assert cells < 0.3
    assert response - cells > 0.3


def test_deaths_are_not_a_disease_but_sudden_death_is(lexicon):
    assert _scores(lexicon, "Deaths from cancer rose.")["deaths"] < 0.3
    assert _scores(lexicon, "Sudden death occurred in two patients with long QT.")["sudden death"] > 0.9


def test_names_from_the_papers_own_annotations_are_never_filtered(lexicon):
    text = "Deaths from cancer rose."
    assert "Deaths" not in {m.text for m in extract_document(_document(text), lexicon).mentions}
    annotated = _document(text, (Annotation("Deaths", "Disease", ("MESH:D003643",), 0, 6),))
    result = extract_document(annotated, lexicon)
    kept = [m for m in result.mentions if m.text == "Deaths"]
    assert kept
    scores = mention_scores(annotated, kept, {c.id: c for c in result.concepts})
    assert scores == [1.0]


def test_without_a_model_every_match_is_kept(lexicon, monkeypatch):
    import kg.mention_filter as module

    monkeypatch.setattr(module, "load_model", lambda path=None: None)
    document = _document(SENTENCE)
    grounded, concepts = ground_mentions(find_mentions(document, lexicon), lexicon)
    assert filter_mentions(document, grounded, concepts) == (grounded, concepts)


@pytest.mark.parametrize("method", ["annotation", "annotation-variant"])
def test_only_kgs_own_matches_are_judged(lexicon, method):
    document = _document(SENTENCE)
    grounded, concepts = ground_mentions(find_mentions(document, lexicon), lexicon)
    relabelled = [replace(m, method=method) for m in grounded]
    assert mention_scores(document, relabelled, {c.id: c for c in concepts}) == [1.0] * len(grounded)

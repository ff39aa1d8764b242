"""The learned mention filter: real sentences through the shipped model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kg.errors import ModelError
from kg.extract import Extractor
from kg.ground import ground_mentions
from kg.mention_filter import filter_mentions, mention_scores
from kg.models import MODELS_DIR, LogisticModel, Models
from kg.recognise import find_mentions
from kg.records import Annotation, Document, Passage

SENTENCE = (
    "Inflammatory cells infiltrated the dermis of patients with atopic dermatitis treated with dupilumab."
)


def _document(text: str, annotations: tuple[Annotation, ...] = ()) -> Document:
    return Document(id="PMID:1", title="", passages=(Passage("abstract", 0, text),), annotations=annotations)


def test_the_model_ships_with_its_threshold(models):
    head = models.mention_filter.heads["mention"]
    assert head.classes == ("mention",)
    assert 0.3 <= head.threshold <= 0.9


def test_a_missing_or_damaged_model_ends_in_one_line(tmp_path):
    with pytest.raises(ModelError, match=r"mentions\.json: model file missing; rebuild it with `make learn`"):
        Models.load(tmp_path)
    (tmp_path / "mentions.json").write_text('{"heads": {"mention": {"classes": ["mention"], "weights": [[[9')
    (tmp_path / "relations.npz").write_bytes((MODELS_DIR / "relations.npz").read_bytes())
    with pytest.raises(ModelError, match=r"mentions\.json: model file damaged"):
        Models.load(tmp_path)


def test_a_missing_model_ends_the_command_in_one_line(tmp_path):
    import subprocess
    import sys

    from conftest import SEED

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "build",
            str(SEED),
            "-o",
            str(tmp_path / "out"),
            "--models",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "model file missing" in result.stderr and len(result.stderr.strip().splitlines()) <= 2


def test_an_adjective_is_dropped_and_the_entities_stay(extractor):
    result = extractor.extract(_document(SENTENCE))
    found = {m.text for m in result.mentions}
    assert {"atopic dermatitis", "dupilumab"} <= found
    assert "Inflammatory" not in found
    assert {c.label for c in result.concepts} >= {"atopic eczema"}
    assert not any("inflamm" in c.label.lower() for c in result.concepts)  # its concept left with it


def _scores(extractor: Extractor, text: str) -> dict[str, float]:
    document = _document(text)
    lexicon = extractor.lexicon
    grounded, concepts = ground_mentions(find_mentions(document, lexicon), lexicon)
    by_id = {c.id: c for c in concepts}
    scores = mention_scores(extractor.models.mention_filter, document, grounded, by_id)
    return {m.text.lower(): s for m, s in zip(grounded, scores, strict=True)}


def test_the_filter_judges_by_context(extractor):
    """The same word scores differently by what surrounds it."""
    cells = _scores(extractor, SENTENCE)["inflammatory"]
    response = _scores(extractor, "The inflammatory response subsided after treatment.")["inflammatory"]
    assert cells < 0.3
    assert response - cells > 0.3


def test_deaths_are_not_a_disease_but_sudden_death_is(extractor):
    assert _scores(extractor, "Deaths from cancer rose.")["deaths"] < 0.3
    assert _scores(extractor, "Sudden death occurred in two patients with long QT.")["sudden death"] > 0.9


def test_figure_references_dates_and_ph_score_zero_and_the_gene_symbols_stay(extractor):
    """After a real full text (../shared/realworld/jats), where 'Fig' stayed as the FIG gene, the mention
    filter being 0.9-1.0 sure of it; 'APRIL' the gene and 'April' the month differ."""
    text = (
        "Menin inhibition reduced MEIS1 expression in vivo (Extended Data Fig.  8e, f ) and in April 2019 "
        "at pH 7.4; APRIL (TNFSF13) and FIG were not changed (Fig.  4  and Extended Data Fig.  7 )."
    )
    document = _document(text)
    grounded, concepts = ground_mentions(find_mentions(document, extractor.lexicon), extractor.lexicon)
    scores = mention_scores(extractor.models.mention_filter, document, grounded, {c.id: c for c in concepts})
    by_text: dict[str, list[float]] = {}
    for mention, score in zip(grounded, scores, strict=True):
        by_text.setdefault(mention.text, []).append(score)
    assert by_text["Fig"] == [0.0, 0.0] and by_text["Fig.  4"] == [0.0]  # "Fig.  4" is FIG4's name too
    assert by_text["April"] == [0.0] and by_text["pH"] == [0.0]
    assert by_text["APRIL"][0] > 0.5 and by_text["FIG"][0] > 0.5  # the symbols are judged as before
    found = {m.text: m.concept_id for m in extractor.extract(document).mentions}
    assert not {"Fig", "Fig.  4", "April", "pH"} & set(found), found
    assert found["MEIS1"] == "NCBIGene:4211" and found["TNFSF13"] == "NCBIGene:8741"


def test_the_k_of_a_binding_constant_is_not_potassium(extractor):
    # the real full text of ../shared/realworld/bioc/civic_grobid_s41586.xml: "K i" was Potassium cation 4 times
    text = (
        "The assay parameters used for the calculation of K i were: 1 nM probe for all assays, with K d of "
        "0.76 nM for WT menin. Dietary K intake was recorded."
    )
    found = [(m.text, m.start) for m in extractor.extract(_document(text)).mentions if m.text == "K"]
    assert found == [("K", text.index("K intake"))] or found == []
    document = _document(text)
    grounded, concepts = ground_mentions(find_mentions(document, extractor.lexicon), extractor.lexicon)
    scores = mention_scores(extractor.models.mention_filter, document, grounded, {c.id: c for c in concepts})
    potassium = {m.start: s for m, s in zip(grounded, scores, strict=True) if m.text == "K"}
    assert potassium[text.index("K i")] == 0.0 and potassium[text.index("K d")] == 0.0


def test_names_from_the_papers_own_annotations_are_never_filtered(extractor):
    text = "Deaths from cancer rose."
    assert "Deaths" not in {m.text for m in extractor.extract(_document(text)).mentions}
    annotated = _document(text, (Annotation("Deaths", "Disease", ("MESH:D003643",), 0, 6),))
    result = extractor.extract(annotated)
    kept = [m for m in result.mentions if m.text == "Deaths"]
    assert kept
    scores = mention_scores(
        extractor.models.mention_filter, annotated, kept, {c.id: c for c in result.concepts}
    )
    assert scores == [1.0]


def test_without_a_model_every_match_is_kept(lexicon):
    document = _document(SENTENCE)
    grounded, concepts = ground_mentions(find_mentions(document, lexicon), lexicon)
    assert filter_mentions(None, document, grounded, concepts) == (grounded, concepts)
    plain = Extractor(lexicon, Models.none(), relation_scheme=None).extract(document)
    assert "Inflammatory" in {m.text for m in plain.mentions}


def test_a_small_model_can_be_given_explicitly(lexicon, tmp_path):
    """An extractor takes any model file: here one whose only weight says 'never a mention'."""
    import json

    (tmp_path / "mentions.json").write_text(
        json.dumps(
            {
                "heads": {
                    "mention": {
                        "classes": ["mention"],
                        "intercepts": [-9.0],
                        "threshold": 0.5,
                        "weights": [[]],
                    }
                }
            }
        )
    )
    rejecting = Extractor(lexicon, Models(mention_filter=LogisticModel.read(tmp_path / "mentions.json")))
    assert rejecting.extract(_document(SENTENCE)).mentions == ()


@pytest.mark.parametrize("method", ["annotation", "annotation-variant"])
def test_only_kgs_own_matches_are_judged(extractor, method):
    lexicon = extractor.lexicon
    document = _document(SENTENCE)
    grounded, concepts = ground_mentions(find_mentions(document, lexicon), lexicon)
    relabelled = [replace(m, method=method) for m in grounded]
    scores = mention_scores(
        extractor.models.mention_filter, document, relabelled, {c.id: c for c in concepts}
    )
    assert scores == [1.0] * len(grounded)

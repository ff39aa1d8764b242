"""Learn from the gold corpora's training splits what the vocabularies alone get wrong.

``kg lexicon learn --corpora DIR --lexicon ontologies/lexicon`` writes two small files beside the shipped
lexicon, which compiling picks up:

* ``corpus_names.tsv``: names the annotators gave concepts that no vocabulary lists ("nephrotoxicity" for
  *Kidney Diseases*, "hypertensive" for *Hypertension*, "adriamycin" for *Doxorubicin*), each with the
  concept it was annotated with and how often;
* ``term_filter.tsv``: names that, matched in the training text, were rarely what annotators marked
  ("mg", "group", "drug", "blood", "can"...), with their counts; these stop being matched for that type.

Training splits only, held-out documents removed (:mod:`kg.train.corpora`). Matches are counted with the
shipped mention filter applied, as a build would see them.
"""

from __future__ import annotations

import csv
import logging
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from kg.abbreviations import find_abbreviations
from kg.annotations import compare_names
from kg.atomic import atomic_path
from kg.categories import entity_type_of
from kg.extract import Extractor
from kg.lexicon.lexicon import Lexicon
from kg.models import MENTION_FILTER_FILE, MODELS_DIR, LogisticModel, Models
from kg.records import Document, EntityType
from kg.text import key
from kg.train.corpora import ANNOTATED_TYPES, training_documents

__all__ = ["CORPUS_NAMES", "TERM_FILTER", "learn"]

logger = logging.getLogger(__name__)

TYPES = {t.value for t in (EntityType.DISEASE, EntityType.CHEMICAL, EntityType.GENE, EntityType.SPECIES)}

CORPUS_NAMES = "corpus_names.tsv"
TERM_FILTER = "term_filter.tsv"
# A name is blocked for a type when, over at least MIN_MATCHES matches in training text, at most this
# share were mentions the annotators marked with that type.
MIN_MATCHES = 3
# A name learned from annotations must have been given (to the same concept) at least this often.
MIN_NAME_COUNT = 2
MAX_PRECISION = 0.3


def _type_of(lexicon: Lexicon, curie: str) -> str | None:
    concept = lexicon.get_concept(curie)
    entity_type = entity_type_of(concept.category) if concept else None
    return entity_type.value if entity_type else None


def _corpus_names(documents: list[Document], lexicon: Lexicon) -> list[list[str]]:
    """Gold names with the concept annotators gave them, where the lexicon lacks that name for that concept
    or also offers other concepts of the same type for it (then the corpus settles the ambiguity)."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    surfaces: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for document in documents:
        defined = {a.short for p in document.passages for a in find_abbreviations(p.text)}
        for annotation in document.annotations:
            if annotation.type not in TYPES or len(annotation.ids) != 1 or annotation.text in defined:
                continue
            concept_id = lexicon.get_preferred_id(annotation.ids[0])
            if concept_id is None or _type_of(lexicon, concept_id) != annotation.type:
                continue
            name_key = key(annotation.text)
            if name_key:
                counts[(name_key, annotation.type)][concept_id] += 1
                surfaces[(name_key, concept_id)][annotation.text] += 1
    rows = []
    for (name_key, entity_type), by_concept in sorted(counts.items()):
        concept_id, count = by_concept.most_common(1)[0]
        if count / sum(by_concept.values()) < 0.6:
            continue  # annotators disagree on what this name means
        offered = {
            p.concept_id for p in lexicon.lookup(name_key) if _type_of(lexicon, p.concept_id) == entity_type
        }
        if offered == {concept_id}:
            continue  # the lexicon already gives this name this concept, and no other
        concept = lexicon.get_concept(concept_id)
        if count < MIN_NAME_COUNT and concept and compare_names(name_key, concept)[0] == "unrelated":
            continue  # seen once, and neither a variant nor a narrower form of the concept's names: a slip?
        surface = surfaces[(name_key, concept_id)].most_common(1)[0][0]
        rows.append([surface, concept_id, str(count)])
    return rows


def _term_statistics(
    corpora: dict[str, list[Document]], extractor: Extractor
) -> dict[tuple[str, str], Counter[str]]:
    """How often each matched name was right, per type, counted only in corpora that annotate that type."""

    statistics: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for corpus, documents in corpora.items():
        _count_matches(documents, ANNOTATED_TYPES[corpus], extractor, statistics)
    return statistics


def _count_matches(
    documents: list[Document],
    types: set[str],
    extractor: Extractor,
    statistics: dict[tuple[str, str], Counter[str]],
) -> None:
    for document in documents:
        gold = {(a.start, a.end, a.type) for a in document.annotations if a.start is not None}
        gold_ranges = [
            (a.start, a.end, a.type)
            for a in document.annotations
            if a.start is not None and a.end is not None
        ]
        result = extractor.extract(replace(document, annotations=(), relations=()))
        for mention in result.mentions:
            if mention.method == "abbreviation" or mention.type.value not in types:
                continue
            entry = (key(mention.text), mention.type.value)
            if (mention.start, mention.end, mention.type.value) in gold:
                statistics[entry]["tp"] += 1
            elif any(
                s < mention.end and mention.start < e and t == mention.type.value for s, e, t in gold_ranges
            ):
                statistics[entry]["partial"] += 1
            else:
                statistics[entry]["fp"] += 1


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def learn(
    corpora: Path, lexicon_dir: Path, *, models: Path = MODELS_DIR, cache: Path | None = None
) -> dict[str, int]:
    """Learn corpus names and the term filter from the training splits into ``lexicon_dir`` (matches are
    counted with the mention filter in ``models``)."""
    mention_filter = LogisticModel.read(Path(models) / MENTION_FILTER_FILE)
    corpora, lexicon_dir = Path(corpora), Path(lexicon_dir)
    documents = training_documents(corpora)
    pooled = [d for docs in documents.values() for d in docs]
    for name in (CORPUS_NAMES, TERM_FILTER):
        (lexicon_dir / name).unlink(missing_ok=True)
    base = Lexicon.open(lexicon_dir, cache=cache / "base" if cache else None)
    names = _corpus_names(pooled, base)
    _write(lexicon_dir / CORPUS_NAMES, ["term", "id", "count"], names)
    # Block names that were rarely right; once blocked, a name may surface as another type (blood was a
    # disease, then a drug): repeat until nothing new is blocked.
    blocked: dict[tuple[str, str], list[str]] = {}
    for round_number in range(1, 5):
        lexicon = Lexicon.open(lexicon_dir, cache=cache / f"round{round_number}" if cache else None)
        extractor = Extractor(lexicon, Models(mention_filter=mention_filter), relation_scheme=None)
        statistics = _term_statistics(documents, extractor)
        new = {}
        for (name_key, entity_type), counts in statistics.items():
            total = counts["tp"] + counts["fp"] + counts["partial"]
            if (
                total >= MIN_MATCHES
                and counts["tp"] / total <= MAX_PRECISION
                and (name_key, entity_type) not in blocked
            ):
                new[(name_key, entity_type)] = [
                    name_key,
                    entity_type,
                    str(counts["tp"]),
                    str(counts["partial"]),
                    str(counts["fp"]),
                ]
        logger.info("round %d: %d more names blocked", round_number, len(new))
        if not new:
            break
        blocked.update(new)
        _write(
            lexicon_dir / TERM_FILTER,
            ["key", "type", "tp", "partial", "fp"],
            [blocked[k] for k in sorted(blocked)],
        )
    summary = {"training_documents": len(pooled), "corpus_names": len(names), "blocked_terms": len(blocked)}
    logger.info("learned: %s", summary)
    return summary

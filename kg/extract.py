"""The per-document pipeline: one :class:`Extractor`, built once, applied to each document.

An extractor holds the lexicon, the recogniser made from it and the learned models, and turns
:class:`~kg.records.Document` records into :class:`~kg.records.DocumentResult` records:

    the paper's own annotations (:mod:`kg.annotations`) -> recognise (:mod:`kg.recognise`)
    -> ground (:mod:`kg.ground`) -> the mention tagger (:mod:`kg.tag`), a batch of documents at once
    -> dictionary and tagger combined, concepts chosen by the normaliser (:mod:`kg.combine`,
       :mod:`kg.normalise`) -> ground -> species of gene mentions (:mod:`kg.species`)
    -> mention filter (:mod:`kg.mention_filter`) -> sequence variants and their genes (:mod:`kg.variants`)
    -> relations: trigger rules (:mod:`kg.relate`) and the learned model (:mod:`kg.relate_learned`)

Without a tagger (``Models.none()``, or weights without one) the dictionary's grounded mentions go on as
they are; :meth:`Extractor.extract_many` is the fast path (the tagger runs over all of a batch's sentences
together), :meth:`Extractor.extract` one document.

It is passed explicitly wherever documents are processed: a loop, forked worker processes (inherited at
the fork), Dask workers (pickled as the directories it was opened from, and reopened there once).

>>> extractor = Extractor.open()  # doctest: +SKIP
>>> extractor.extract(document).relations  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from threadpoolctl import threadpool_limits

from kg.annotations import names_from_annotations
from kg.choices import RelationScheme, TaggingScheme
from kg.combine import KEEP_UNTAGGED, combine_mentions, resolve_concepts
from kg.ground import ground_mentions
from kg.lexicon import Lexicon, get_default_lexicon
from kg.mention_filter import THRESHOLD as FILTER_THRESHOLD
from kg.mention_filter import filter_mentions, mention_scores
from kg.models import Models
from kg.normalise import Normaliser
from kg.recognise import DictionaryMatcher
from kg.records import Concept, Document, DocumentResult, Mention, Relation
from kg.relate import extract_relations
from kg.relate_learned import judge_relations
from kg.species import assign_species
from kg.tag import TaggedSpan
from kg.variants import find_variant_mentions
from kg.vocabulary import Overlay, Vocabulary, load_vocabulary, registered_vocabularies

__all__ = ["LEARNED_MIN_SCORE", "Extractor"]

# Learned relations enter graphs only from this probability up (the model is tuned for recall on the
# benchmarks: kg evaluate and kg annotate use all it proposes).
LEARNED_MIN_SCORE = 0.5


@dataclass(frozen=True, eq=False)
class Extractor:
    """Everything `kg` needs to read documents: lexicon, recogniser, learned models and options.

    ``relation_scheme`` picks the learned relation model's head (BioRED's types or CDR's CID; None for the
    trigger rules only); its relations below ``learned_min_score`` are left out. ``tagging_scheme`` picks
    whose annotation convention the tagger follows (``kg``: BC5CDR's for diseases and chemicals, BioRED's
    for genes; a corpus's own when it is scored).
    """

    lexicon: Lexicon
    models: Models
    relation_scheme: RelationScheme | None = RelationScheme.BIORED
    learned_min_score: float = LEARNED_MIN_SCORE
    tagging_scheme: TaggingScheme = TaggingScheme.KG
    overlay: Overlay | None = None
    matcher: DictionaryMatcher = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", DictionaryMatcher(self.lexicon))

    @classmethod
    def open(
        cls,
        lexicon: Lexicon | str | Path | None = None,
        models: Models | str | Path | None = None,
        *,
        relation_scheme: RelationScheme | None = RelationScheme.BIORED,
        learned_min_score: float = LEARNED_MIN_SCORE,
        tagging_scheme: TaggingScheme = TaggingScheme.KG,
        vocabularies: Sequence[Vocabulary | str | Path] | None = None,
    ) -> Extractor:
        """An extractor with the given (or the shipped) lexicon and models, and the user's vocabularies
        layered over the lexicon (by default those ``kg lexicon add`` stored)."""
        if not isinstance(lexicon, Lexicon):
            lexicon = Lexicon.open(lexicon) if lexicon else get_default_lexicon()
        if not isinstance(models, Models):
            models = Models.load(models)
        if vocabularies is None:
            vocabularies = registered_vocabularies()
        read = [v if isinstance(v, Vocabulary) else load_vocabulary(v, lexicon) for v in vocabularies]
        overlay = Overlay.build(read, lexicon) if read else None
        return cls(lexicon, models, relation_scheme, learned_min_score, tagging_scheme, overlay)

    @property
    def known(self) -> Mapping[str, Concept]:
        """The concepts of the user's vocabularies (new ones, and the lexicon's they extend), by ID."""
        return self.overlay.concepts if self.overlay else {}

    @property
    def fingerprint(self) -> str:
        """Identifies what this extractor would produce (for build checkpoints)."""
        return (
            f"{self.lexicon.compiled}|{self.models.fingerprint}|{self.relation_scheme}|{self.learned_min_score}"
            f"|{self.tagging_scheme}|{self.overlay.digest() if self.overlay else ''}"
        )

    @functools.cached_property
    def normaliser(self) -> Normaliser | None:
        """The concept normaliser (its candidate index is built beside the compiled lexicon on first use)."""
        if self.models.normaliser is None:
            return None
        return Normaliser(self.lexicon, self.models.normaliser)

    def prepare(self) -> None:
        """Open what the first document would otherwise open (before forking workers)."""
        self.lexicon.encode(["warm"])
        if self.models.tagger is not None and self.normaliser is not None:
            self.normaliser.index  # noqa: B018  (builds or opens the candidate index)

    def extract(self, document: Document) -> DocumentResult:
        """Everything `kg` finds in one document: grounded mentions, their concepts, relations."""
        return self.extract_many([document])[0]

    def extract_many(self, documents: Sequence[Document]) -> list[DocumentResult]:
        """:meth:`extract` of each document; the tagger reads the whole batch at once.

        The models' matrix products run on one BLAS thread (a worker is one core): they are small, and
        OpenBLAS's second thread only spun, doubling the CPU time of a build for the same wall-clock time
        (``benchmarks/extraction.py``); one thread also makes the sums, and so the scores, the same on
        every machine whatever its cores."""
        with threadpool_limits(limits=1, user_api="blas"):
            return self._extract_many(documents)

    def _extract_many(self, documents: Sequence[Document]) -> list[DocumentResult]:
        found = []
        for document in documents:
            names, local, warnings = names_from_annotations(document, self.lexicon, self.overlay)
            mentions = self.matcher.find_mentions(document, names)
            grounded, concepts = ground_mentions(mentions, self.lexicon, local, self.known)
            found.append((grounded, concepts, local, warnings))
        tagger = self.models.tagger
        tagged: list[list[TaggedSpan] | None] = [None] * len(documents)
        if tagger is not None:
            tagged = list(tagger.tag(documents, [item[0] for item in found], self.tagging_scheme))
        return [
            self._finish(document, *item, spans)
            for document, item, spans in zip(documents, found, tagged, strict=True)
        ]

    def _finish(
        self,
        document: Document,
        grounded: list[Mention],
        concepts: list[Concept],
        local: list[Concept],
        warnings: list[str],
        spans: list[TaggedSpan] | None,
    ) -> DocumentResult:
        if spans is not None:
            grounded, concepts = self._with_tagger(document, grounded, concepts, local, spans)
        grounded, concepts = assign_species(self.models.species, document, grounded, concepts, self.lexicon)
        grounded, concepts = filter_mentions(self.models.mention_filter, document, grounded, concepts)
        grounded, concepts, variant_links = find_variant_mentions(document, grounded, concepts)
        if document.is_retracted:
            variant_links = [replace(r, evidence=replace(r.evidence, retracted=True)) for r in variant_links]
        return DocumentResult(
            document=document,
            mentions=tuple(grounded),
            concepts=tuple(concepts),
            relations=(
                *variant_links,
                *self.relate(document, [m for m in grounded if not m.nested], concepts),
            ),
            warnings=(*document.warnings, *warnings),
        )

    def _with_tagger(
        self,
        document: Document,
        grounded: list[Mention],
        concepts: list[Concept],
        local: list[Concept],
        spans: list[TaggedSpan],
    ) -> tuple[list[Mention], list[Concept]]:
        """The dictionary's mentions and the tagger's spans combined, their concepts chosen again."""
        assert self.models.tagger is not None
        scores = mention_scores(self.models.mention_filter, document, grounded, {c.id: c for c in concepts})
        sure = {
            (m.start, m.end, m.concept_id)
            for m, s in zip(grounded, scores, strict=True)
            if s >= KEEP_UNTAGGED.get(m.type, FILTER_THRESHOLD)
        }
        assent = {
            (m.start, m.end, m.concept_id)
            for m, s in zip(grounded, scores, strict=True)
            if s >= FILTER_THRESHOLD
        }
        combined = combine_mentions(
            grounded,
            spans,
            document,
            self.matcher.name_candidates,
            types=self.models.tagger.types_for(self.tagging_scheme),
            keep_untagged=lambda m: (m.start, m.end, m.concept_id) in sure,
            keep_tagged=lambda m: (m.start, m.end, m.concept_id) in assent,
        )
        resolved, made = resolve_concepts(self.normaliser, document, combined, self.lexicon)
        return ground_mentions(resolved, self.lexicon, [*local, *made], self.known)

    def relate(self, document: Document, mentions: list[Mention], concepts: list[Concept]) -> list[Relation]:
        """The relations between grounded mentions of a document (found by :meth:`extract`, or given, as
        when relation extraction is scored on a corpus's own entities)."""
        relations = extract_relations(document, mentions)
        if self.relation_scheme is not None:  # the model judges the rules' relations too
            judged = judge_relations(
                self.models.relations,
                document,
                mentions,
                {c.id: c for c in concepts},
                relations,
                self.relation_scheme,
                lexicon=self.lexicon,
            )
            relations = [
                *judged.rules,
                *(r for r in judged.learned if r.evidence.score >= self.learned_min_score),
            ]
        if document.is_retracted:  # kept and shown, flagged; graphs leave it out of confidences
            relations = [replace(r, evidence=replace(r.evidence, retracted=True)) for r in relations]
        return relations

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Pickled (for Dask), an extractor is reopened from its lexicon's and models' directories.
        return (
            Extractor,
            (
                self.lexicon,
                self.models,
                self.relation_scheme,
                self.learned_min_score,
                self.tagging_scheme,
                self.overlay,
            ),
        )

"""One document's mentions from three recognisers: the dictionary, the tagger and the normaliser.

The stage between recognition and the species stage in :class:`~kg.extract.Extractor`:

1. :func:`combine_mentions`: for the types the tagger decides, its spans are the mentions. A span the
   dictionary also found keeps the dictionary's candidates; a dictionary match the tagger did not confirm
   stays only when the mention filter is very sure of it (``KEEP_UNTAGGED``), so "Fig", "April" or "pH"
   go, and names no vocabulary has ("reactive perforating collagenosis") come in. Names from the paper's
   own annotations win wherever they are valid.
2. :func:`resolve_concepts`: the normaliser chooses the concept(s) of each disease and chemical mention
   (several for a coordinated mention, "breast and ovarian cancers"); a mention it finds no concept for
   (NIL) becomes a local concept (``KG:disease.…``) placed under the nearest ontology concept its name
   narrows, and shorter forms of that name in the same document ("acquired perforating collagenosis" for
   "acquired reactive perforating collagenosis"), and the abbreviation the document defines for it, join
   it. A NIL mention that is a name of the normaliser's best candidate (but for word order and qualifiers)
   takes that candidate; a dictionary match the normaliser finds NIL does not keep the dictionary's choice
   (on the development splits that choice was more often wrong than right: +0.006 to +0.009 concept F1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from kg.annotations import compare_names, is_broader_than, local_concept, sub_phrases
from kg.lexicon import Lexicon
from kg.normalise import Normaliser, normalise_mentions
from kg.records import Concept, Document, EntityType, Mention
from kg.tag import TaggedSpan
from kg.text import tokenize
from kg.vocabulary import VOCABULARY_METHOD

__all__ = [
    "CONFIRM_DOUBTFUL",
    "DICTIONARY_METHODS",
    "KEEP_UNTAGGED",
    "NORMALISED_METHODS",
    "combine_mentions",
    "resolve_concepts",
]

# Dictionary mentions the tagger did not confirm stay only this sure (the mention filter's probability),
# by type; chosen on the development splits (see the README's accuracy notes).
KEEP_UNTAGGED: dict[EntityType, float] = {
    EntityType.DISEASE: 0.95,
    EntityType.CHEMICAL: 0.95,
    # BioRED dev genes would gain at 0.85 (0.730 -> 0.746), but the real full texts of
    # benchmarks/false_entities.py gain words as fly genes ("drift", "df", "bottleneck", "approximated")
    EntityType.GENE: 0.95,
}
# A dictionary match the tagger confirms below this confidence needs the mention filter's assent too, by
# type (dev concept F1 against none: BC5CDR diseases +0.004, genes +0.002). For chemicals 0.3: BioRED's
# "lipids", "phosphatidylcholine", "ADP" the tagger confirms weakly stay (BioRED 0.772 -> 0.788, BC5CDR
# 0.886 -> 0.889, against 0.6).
CONFIRM_DOUBTFUL: dict[EntityType, float] = {
    EntityType.DISEASE: 0.6,
    EntityType.CHEMICAL: 0.3,
    EntityType.GENE: 0.6,
}
DICTIONARY_METHODS = frozenset({"dictionary", "abbreviation"})
# The mentions whose concept the normaliser chooses (not those from the paper's own annotations).
NORMALISED_METHODS = DICTIONARY_METHODS | {"tagger"}
_NORMALISED_TYPES = (EntityType.DISEASE, EntityType.CHEMICAL)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


# Modifiers that make a different disease ("acquired" vs familial reactive perforating collagenosis): a
# tagged disease right after one takes it in (BC5CDR dev: mention F1 -0.001, concept F1 +0.001).
_DISEASE_MODIFIER = re.compile(
    r"(?<![\w-])(?:acquired|congenital|hereditary|familial|inherited|idiopathic|sporadic)\s+$", re.IGNORECASE
)


_COMPARISON = re.compile(r"(?<![\w-])(?:vs|versus)(?![\w-])", re.IGNORECASE)


def _with_modifier(span: TaggedSpan, text: str) -> TaggedSpan:
    if span.type is not EntityType.DISEASE:
        return span
    found = _DISEASE_MODIFIER.search(text, max(0, span.start - 40), span.start)
    return replace(span, start=found.start()) if found else span


def _whole_words(span: TaggedSpan, text: str) -> TaggedSpan | None:
    """The span without the piece of a letter-and-digit run it cuts into ("BRAF V" of "BRAF V600E" is
    "BRAF"); None when nothing is left. (BioRED dev genes: concept F1 -0.006, within its noise; the
    variant's gene is found again.)

    >>> _whole_words(TaggedSpan(0, 6, EntityType.GENE, 0.9), "BRAF V600E")
    TaggedSpan(start=0, end=4, type=<EntityType.GENE: 'Gene'>, confidence=0.9)
    """
    start, end = span.start, span.end
    if start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        while start < end and not text[start].isspace():
            start += 1
    if end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        while end > start and not text[end - 1].isspace():
            end -= 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:("):
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    if start >= end:
        return None
    return span if (start, end) == (span.start, span.end) else replace(span, start=start, end=end)


def combine_mentions(
    dictionary: Sequence[Mention],
    tagged: Sequence[TaggedSpan],
    document: Document,
    lookup: Callable[[str, EntityType], tuple[str, ...]],
    *,
    types: frozenset[EntityType],
    keep_untagged: Callable[[Mention], bool],
    keep_tagged: Callable[[Mention], bool] = lambda mention: True,
) -> list[Mention]:
    """One document's mentions from the dictionary's (grounded or not) and the tagger's spans.

    * Names from the document's own annotations stay, and no tagged span may overlap them.
    * For the ``types`` the tagger decides, its spans are the mentions: a span the dictionary found with
      the same type keeps the dictionary's candidates and concept (method ``tagger``, the tagger's
      confidence as score); any other span gets the candidates ``lookup`` gives its text (perhaps none).
    * A dictionary mention of those types that no tagged span overlaps stays only if ``keep_untagged``; one
      the tagger confirms with a confidence below ``CONFIRM_DOUBTFUL`` only if ``keep_tagged``.
    * Mentions of other types (organisms, variants...) stay as the dictionary found them.

    >>> from kg.records import Passage
    >>> doc = Document("PMID:1", "", (Passage("abstract", 0, "Fig 2: gout in April."),))
    >>> fig = Mention(0, 3, "Fig", EntityType.GENE, ("NCBIGene:1",), "NCBIGene:1")
    >>> spans = [TaggedSpan(7, 11, EntityType.DISEASE, 0.98)]
    >>> [(m.text, m.method) for m in combine_mentions([fig], spans, doc, lambda t, k: ("MESH:D006073",),
    ...     types=frozenset({EntityType.DISEASE, EntityType.GENE}), keep_untagged=lambda m: False)]
    [('gout', 'tagger')]
    """
    text = document.laid_out()
    own = [m for m in dictionary if m.method not in DICTIONARY_METHODS]
    by_span: dict[tuple[int, int, EntityType], list[Mention]] = {}
    for mention in dictionary:
        if mention.method in DICTIONARY_METHODS:
            by_span.setdefault((mention.start, mention.end, mention.type), []).append(mention)
    result = list(own)
    taken = sorted((m.start, m.end) for m in own)
    kept_spans = []
    for whole in (_whole_words(_with_modifier(span, text), text) for span in tagged):
        if whole is None or whole.type not in types or _overlaps(whole.start, whole.end, taken):
            continue
        if _COMPARISON.search(text, whole.start, whole.end):
            continue  # "cancer subsite (colon vs rectum)": a comparison is no name
        span = whole
        score = round(span.confidence, 4)
        found = by_span.get((span.start, span.end, span.type))
        doubtful = span.confidence < CONFIRM_DOUBTFUL.get(span.type, 0.0)
        if found and doubtful and not any(keep_tagged(m) for m in found):
            continue  # a name the mention filter rejects, which the tagger is unsure of ("Inflammatory cells")
        if found:
            result += [replace(m, method="tagger", score=score) for m in found]
        else:
            surface = text[span.start : span.end]
            candidates = lookup(surface, span.type)
            if not candidates and span.type not in _NORMALISED_TYPES:
                continue  # a gene name no vocabulary has: nothing to ground it to; the dictionary's stay
            result.append(
                Mention(span.start, span.end, surface, span.type, candidates, None, "tagger", score)
            )
        kept_spans.append((span.start, span.end))
    inside: set[tuple[int, int]] = set()  # chemicals named inside an enzyme's or receptor's name
    for mention in dictionary:
        if mention.method not in DICTIONARY_METHODS or _overlaps(mention.start, mention.end, taken):
            continue
        if mention.type not in types or (
            not _overlaps(mention.start, mention.end, kept_spans) and keep_untagged(mention)
        ):
            result.append(mention)
        elif (chemicals := _named_inside(mention, result, text)) and keep_tagged(mention):
            result.append(mention)
            inside.update(chemicals)
    if inside:
        result = [replace(m, nested=True) if (m.start, m.end) in inside else m for m in result]
    return sorted(result, key=lambda m: (m.start, m.end, m.type.value, m.concept_id or ""))


# The last word of an enzyme's or a receptor's name that may begin with a chemical's ("alanine
# aminotransferase", "dopamine D1 receptor", "NMDA receptor antagonist" is the receptor's).
_ENZYME_OR_RECEPTOR = re.compile(
    r"(?:receptors?|\w*(?:transferase|kinase|dehydrogenase|synthase|synthetase|oxidase|reductase|hydroxylase|"
    r"decarboxylase|esterase|phosphatase|transporters?|carboxylase|lyase|isomerase|ligase|hydrolase|"
    r"deaminase|peptidase|cyclase|channels?))$",
    re.IGNORECASE,
)


def _named_inside(gene: Mention, mentions: Sequence[Mention], text: str) -> list[tuple[int, int]]:
    """The tagged chemicals a dictionary gene match holds, when it is an enzyme's or a receptor's name that
    begins with them (the gene is the mention; the chemicals are nested in it); else none."""
    if gene.type is not EntityType.GENE or not _ENZYME_OR_RECEPTOR.search(text[gene.start : gene.end]):
        return []
    overlapping = [m for m in mentions if m.start < gene.end and gene.start < m.end]
    if not overlapping or any(
        m.type is not EntityType.CHEMICAL or m.start < gene.start or m.end >= gene.end for m in overlapping
    ):
        return []
    return [(m.start, m.end) for m in overlapping]


def _words(text: str) -> tuple[str, ...]:
    return tuple(token.norm for token in tokenize(text))


def resolve_concepts(
    normaliser: Normaliser | None, document: Document, mentions: Sequence[Mention], lexicon: Lexicon
) -> tuple[list[Mention], list[Concept]]:
    """Each disease and chemical mention with the concept(s) the normaliser chose (``candidates`` and
    ``concept_id`` set), NIL mentions with a local concept, and the local concepts made.

    Mentions of other types and those from the paper's own annotations pass unchanged; without a
    normaliser, mentions with candidates pass unchanged and those without go (there is nothing to ground
    them to). A mention with no candidate left is dropped.
    """
    if normaliser is None:
        return [m for m in mentions if m.candidates or m.concept_id], []
    judged = [m for m in mentions if m.type in _NORMALISED_TYPES and m.method in NORMALISED_METHODS]
    normalisations = {id(n.mention): n for n in normalise_mentions(normaliser, document, judged)}
    result: list[Mention] = []
    nil: list[tuple[Mention, str | None, tuple[str, ...]]] = []  # mention, long form, nearest concepts
    for mention in mentions:
        found = normalisations.get(id(mention))
        if found is None:
            if mention.candidates or mention.concept_id:
                result.append(mention)
            continue
        chosen = [c for c in dict.fromkeys(found.concept_ids) if not _too_narrow(mention, c, lexicon)]
        if chosen:
            for curie in chosen:
                result.append(replace(mention, candidates=(curie,), concept_id=None))
        elif (named := _named(mention, found.candidates[:1], lexicon)) is not None:
            result.append(replace(mention, candidates=(named,), concept_id=None))
        else:
            nil.append((mention, found.long_form, tuple(c for c, _ in found.candidates[:3])))
    vocabulary_names = {  # names of the user's vocabularies in this document: shorter forms join them
        (m.type, _words(m.text)): m.concept_id or m.candidates[0]
        for m in mentions
        if m.method == VOCABULARY_METHOD and (m.concept_id or m.candidates)
    }
    local = _local_concepts(nil, lexicon, vocabulary_names)
    for mention, _, _ in nil:
        concept = local.get((mention.start, mention.end))
        if concept is not None:
            result.append(replace(mention, candidates=(concept.id,), concept_id=None))
    result.sort(key=lambda m: (m.start, m.end, m.type.value, m.candidates))
    made = {c.id: c for c in local.values() if c.id not in vocabulary_names.values()}
    return result, sorted(made.values(), key=lambda c: c.id)


def _local_concepts(
    nil: list[tuple[Mention, str | None, tuple[str, ...]]],
    lexicon: Lexicon,
    named: dict[tuple[EntityType, tuple[str, ...]], str] | None = None,
) -> dict[tuple[int, int], Concept]:
    """The local concept of each NIL mention (by span): one per name, a shorter form that keeps a longer
    name's head joins it (or joins the user's vocabulary term whose ``named`` name it shortens), a defined
    abbreviation joins its long form (one whose long form has no local concept is left out: a bare short
    form is too often not a name)."""
    by_words: dict[tuple[EntityType, tuple[str, ...]], Concept] = {}
    joins: dict[tuple[EntityType, tuple[str, ...]], Concept] = {}
    for (entity_type, words), curie in sorted((named or {}).items()):
        if len(words) > 2 and entity_type is EntityType.DISEASE:
            for phrase in sub_phrases(list(words)):
                joins.setdefault((entity_type, phrase), Concept(curie, " ".join(words), ""))
    chosen: dict[tuple[int, int], Concept] = {}
    for mention, long_form, nearest in sorted(
        nil, key=lambda item: (-len(_words(item[0].text)), item[0].start)
    ):
        if long_form:
            continue  # an abbreviation: its long form's concept, below
        words = _words(mention.text)
        if sum(ch.isalnum() for ch in mention.text) < 3 or not any(len(w) > 2 for w in words):
            continue  # "X", "II", "λ": not a name to make a concept of
        if mention.type is EntityType.DISEASE and len(words) == 1 and _is_bare(words[0]):
            continue  # "deficiency", "failure", "idiopathic": what of, the text does not say here
        kind = (mention.type, words)
        concept = by_words.get(kind) or joins.get(kind)
        if concept is None:
            concept = local_concept(mention.text, mention.type, _broader(mention.text, nearest, lexicon))
            by_words[kind] = concept
            if len(words) > 2 and mention.type is EntityType.DISEASE:
                for phrase in sub_phrases(list(words)):
                    joins.setdefault((mention.type, phrase), concept)
        chosen[(mention.start, mention.end)] = concept
    by_text = {_words(m.text): chosen[(m.start, m.end)] for m, _, _ in nil if (m.start, m.end) in chosen}
    for mention, long_form, _ in nil:
        if (mention.start, mention.end) not in chosen and long_form:
            concept = by_text.get(_words(long_form))
            if concept is not None:
                chosen[(mention.start, mention.end)] = concept
    return chosen


# A disease name of one word that says what is wrong but not with what, or only qualifies: no concept of its
# own (real full texts made local concepts of "deficiency", "failure", "idiopathic", "metaphyseal").
_GENERIC_HEADS = frozenset({
    "deficiency", "failure", "degeneration", "dysplasia", "enlargement", "disability", "disease", "disorder",
    "syndrome", "lesion", "defect", "impairment", "dysfunction", "abnormality", "anomaly", "damage", "injury",
    "malformation", "insufficiency", "condition", "illness", "complication", "toxicity", "dystrophy",
})  # fmt: skip
_ADJECTIVE = re.compile(r"(?:ic|al|ive|ous|ary|oid)$")


def _is_bare(word: str) -> bool:
    """Whether one word alone names no disease (a generic head, or an adjective such as "idiopathic").

    >>> _is_bare("deficiency"), _is_bare("idiopathic"), _is_bare("hepatocarcinoma"), _is_bare("alpers")
    (True, True, False, False)
    """
    return word in _GENERIC_HEADS or bool(_ADJECTIVE.search(word))  # token norms are singular already


def _too_narrow(mention: Mention, curie: str, lexicon: Lexicon) -> bool:
    """Whether the normaliser chose a concept more specific than the words of a span the dictionary did not
    match say ("systemic diseases" as *systemic mastocytosis*): such a span is NIL."""
    if mention.candidates:
        return False
    concept = lexicon.get_concept(curie)
    return concept is not None and is_broader_than(mention.text, concept)


def _named(mention: Mention, candidates: tuple[tuple[str, float], ...], lexicon: Lexicon) -> str | None:
    """The normaliser's best candidate when the mention is one of its names but for word order and
    qualifiers ("oral contraceptives" for "Contraceptives, Oral"), or when the dictionary matched the span
    to that same concept: a name is not NIL because the ranker alone was unsure."""
    words = sorted(_words(mention.text))
    for curie, _ in candidates:
        concept = lexicon.get_concept(curie)
        if concept is None:
            continue
        if concept.id in mention.candidates or curie in mention.candidates:
            return concept.id
        if any(sorted(_words(name)) == words for name in (concept.label, *concept.synonyms)):
            return concept.id
        if compare_names(mention.text, concept)[0] in ("exact", "same"):
            return concept.id
    return None


def _broader(text: str, nearest: tuple[str, ...], lexicon: Lexicon) -> tuple[str, ...]:
    """The ontology concepts a new name sits under: a candidate whose name it narrows ("acquired reactive
    perforating collagenosis" under "perforating collagenosis"), else a sibling's parents."""
    for curie in nearest:
        concept = lexicon.get_concept(curie)
        if concept is None:
            continue
        relation, _ = compare_names(text, concept)
        if relation == "narrower":
            return (concept.id,)
        if relation == "sibling":
            return concept.parents
    return ()

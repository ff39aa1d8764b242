"""Document-level relations from the learned relation model, as Biolink statements with direction.

The trigger rules of :mod:`kg.relate` read one sentence at a time; the gold corpora annotate relations per
document (BC5CDR's chemical-induced diseases, BioRED's eight types). For every pair of concepts a document
mentions (:mod:`kg.relate_features`), the model (:class:`kg.models.RelationModel`) decides:

1. for the ``cdr`` head, a sentence CNN scores every co-occurrence of the pair; its scores, pooled, join the
   pair's features;
2. gradient-boosted trees give the probability that the pair is related (``cdr``: chemical-induced disease;
   ``biored``: any relation), compared with a threshold learned per entity-type pair; for ``biored`` a
   second ensemble picks the type among those seen for that entity-type pair;
3. three rules read the text after the model: explicit polarity ("positively associated with", "by
   activating AMPK") sets a BioRED type; a chemical-disease correlation whose disease is only the
   patients' condition while another disease stands nearer ("reduces the risk of X in patients with Y"), or
   a treatment whose disease is only what remains ("with only residual hyperpigmentation"), is no claim;
4. the corpus type becomes a Biolink predicate with its direction (:func:`graph_predicate`); a chemical
   *causes* a disease only when the ``cdr`` head agrees.

The trigger rules' relations between two concepts the model judged are reconciled with it
(:func:`judge_relations`): a rule relation the model contradicts (opposite polarity, *causes* without the
``cdr`` head, a pair that is no claim) is dropped.

The model is learned by ``kg relations learn`` (:mod:`kg.train.relations`: training splits only) and shipped
as ``kg/data/relations.npz``; inference needs numpy only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kg.biolink import Predicate, Qualifier
from kg.choices import RelationScheme
from kg.models import RelationHead, RelationModel, SentenceCNN
from kg.records import Concept, Document, Evidence, Mention, Relation
from kg.relate import NEGATION_CUE
from kg.relate_features import (
    Ancestors,
    Candidate,
    DocumentView,
    add_features,
    find_candidates,
    instance_sequence,
    polarity,
)

__all__ = [
    "METHOD",
    "TYPES",
    "JudgedRelations",
    "Scored",
    "cnn_inputs",
    "graph_predicate",
    "judge_relations",
    "learned_relations",
    "pool_scores",
    "score_candidates",
]

METHOD = "kg.relate_learned:gradient-boosted-trees"
TYPES = (
    "Association",
    "Positive_Correlation",
    "Negative_Correlation",
    "Bind",
    "Cotreatment",
    "Comparison",
    "Drug_Interaction",
    "Conversion",
)
NONE = "None"
_SYMMETRIC = frozenset({
    Predicate.RELATED_TO, Predicate.ASSOCIATED_WITH, Predicate.CORRELATED_WITH,
    Predicate.POSITIVELY_CORRELATED_WITH, Predicate.NEGATIVELY_CORRELATED_WITH,
    Predicate.PHYSICALLY_INTERACTS_WITH, Predicate.INTERACTS_WITH,
})  # fmt: skip
_TREAT = (
    "treat", "therap", "effective", "efficac", "resolution", "resolv", "remission", "improv", "cure",
    "relie", "alleviat", "ameliorat", "manage", "benefi", "respond", "response",
)  # fmt: skip
_PREVENT = ("prevent", "protect", "risk", "prophyla", "incidence", "chemoprevent")
_CAUSE = (
    "induc", "caus", "toxic", "adverse", "side", "provok", "trigger", "develop", "after", "following",
    "due", "secondary", "precipitat",
)  # fmt: skip
_DIRECTION = Qualifier.OBJECT_DIRECTION.value


def _affects(direction: str) -> tuple[tuple[str, str], ...]:
    return (
        (Qualifier.QUALIFIED_PREDICATE.value, Predicate.CAUSES.value),
        (Qualifier.OBJECT_ASPECT.value, "activity_or_abundance"),
        (_DIRECTION, direction),
    )


@dataclass(frozen=True, slots=True)
class Scored:
    """A document's candidates as one head judged them: pair probabilities, type probabilities (BioRED; 0
    where the pair is not related), the label of each (``None``, ``CID`` or a BioRED type) and whether a
    no-claim rule removed it."""

    view: DocumentView
    candidates: tuple[Candidate, ...]
    p_pair: np.ndarray
    p_type: np.ndarray
    labels: tuple[str, ...]
    not_claims: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class JudgedRelations:
    """The learned model's relations, and the trigger rules' relations it does not contradict."""

    learned: tuple[Relation, ...]
    rules: tuple[Relation, ...]


def pool_scores(
    scores: np.ndarray, owners: np.ndarray, count: int, prefix: str = "nn"
) -> list[dict[str, float]]:
    """Per-candidate features from per-instance scores (rows x classes): max, mean, noisy-or, how many
    reach 0.5, mean of the top two.

    >>> pool_scores(np.array([[0.2], [0.6]]), np.array([0, 0]), 2)[0]["nn0:top2"]
    0.4
    """
    out: list[dict[str, float]] = [{} for _ in range(count)]
    if len(scores) == 0:
        return out
    order = np.argsort(owners, kind="stable")
    bounds = np.flatnonzero(np.diff(owners[order])) + 1
    for chunk in np.split(order, bounds):
        block = scores[chunk]
        features = out[int(owners[chunk[0]])]
        for k in range(block.shape[1]):
            column = block[:, k]
            features[f"{prefix}{k}:max"] = float(column.max())
            features[f"{prefix}{k}:mean"] = float(column.mean())
            features[f"{prefix}{k}:or"] = float(1 - np.prod(1 - np.clip(column, 0, 0.999)))
            features[f"{prefix}{k}:n50"] = float((column >= 0.5).sum())
            features[f"{prefix}{k}:top2"] = float(np.sort(column)[-2:].mean())
    return out


def cnn_inputs(cnn: SentenceCNN, candidates: Sequence[Candidate]) -> tuple[list, np.ndarray]:
    """The CNN's encoded windows of every candidate's co-occurrences, and the candidate each belongs to."""
    encoded, owners = [], []
    for i, candidate in enumerate(candidates):
        for tokens, s_pos, o_pos in candidate.sequences:
            if s_pos < 0 or o_pos < 0 or s_pos == o_pos:
                continue
            encoded.append(cnn.encode(tokens, s_pos, o_pos, candidate.types))
            owners.append(i)
    return encoded, np.array(owners, dtype=np.int64)


def score_candidates(
    head: RelationHead,
    view: DocumentView,
    candidates: Sequence[Candidate],
    *,
    overrides: bool = True,
    claims_only: bool = True,
    at_least_one: bool = False,
) -> Scored:
    """Judge candidates whose features are filled (``sequences`` too when the head has a CNN).

    ``at_least_one`` is CDR's corpus convention (every abstract has a CID, so a document with none gets its
    best candidate when it reaches the head's floor): for benchmarks only, never for a graph."""
    bags = [c.bag() for c in candidates]
    if head.cnn is not None and candidates:
        encoded, owners = cnn_inputs(head.cnn, candidates)
        scores = head.cnn.probabilities(encoded) if encoded else np.zeros((0, 2))
        pooled = pool_scores(scores[:, 1:], owners, len(candidates))
        bags = [bag | extra for bag, extra in zip(bags, pooled, strict=True)]
    # float32, as LightGBM read the training rows (a value and a threshold then compare the same way)
    p_pair = head.pair.probabilities(head.pair.dense(bags).astype(np.float32)) if bags else np.zeros(0)
    p_type = np.zeros((len(bags), len(head.labels)))
    if head.type is None:
        p_type[:, 0] = 1.0
    else:  # typed only where related (the others' type probabilities stay 0)
        above = [i for i, c in enumerate(candidates) if p_pair[i] >= head.threshold_for(c.types)]
        if above:
            p_type[above] = head.type.probabilities(
                head.type.dense([bags[i] for i in above]).astype(np.float32)
            )
    labels = []
    for candidate, probability, types in zip(candidates, p_pair, p_type, strict=True):
        if probability < head.threshold_for(candidate.types):
            labels.append(NONE)
            continue
        allowed = head.allowed.get(candidate.types, frozenset())
        ranked = np.argsort(-types, kind="stable")
        labels.append(
            next((head.labels[k] for k in ranked if head.labels[k] in allowed), head.labels[ranked[0]])
        )
    if overrides and head.type is not None:
        labels = [polarity_override(view, c, label) for c, label in zip(candidates, labels, strict=True)]
    not_claims = [
        claims_only and label != NONE and not_a_claim(view, c, label)
        for c, label in zip(candidates, labels, strict=True)
    ]
    labels = [NONE if dropped else label for label, dropped in zip(labels, not_claims, strict=True)]
    if at_least_one and head.floor is not None and candidates and all(label == NONE for label in labels):
        best = int(np.argmax(p_pair))
        if p_pair[best] >= head.floor:
            labels[best] = head.labels[0]
    return Scored(view, tuple(candidates), p_pair, p_type, tuple(labels), tuple(not_claims))


def _sentence_words(view: DocumentView, candidate: Candidate) -> set[str]:
    words: set[str] = set()
    for sm, _ in candidate.instance_mentions:
        words.update(view.sentences[view.sentence_of[sm]].tokens)
    return words


_EXPLICIT = {
    ("positively", "associated"): "Positive_Correlation",
    ("positively", "correlated"): "Positive_Correlation",
    ("negatively", "associated"): "Negative_Correlation",
    ("negatively", "correlated"): "Negative_Correlation",
    ("inversely", "associated"): "Negative_Correlation",
    ("inversely", "correlated"): "Negative_Correlation",
}
_CORRELATIONS = ("Positive_Correlation", "Negative_Correlation", "Association")
# "X to treat Y", "X for the treatment of Y": all that stands between a chemical and a disease
_TREATMENT = frozenset({
    ("to", "treat"), ("for", "treating"), ("in", "treating"), ("for", "treatment", "of"),
    ("for", "the", "treatment", "of"), ("in", "treatment", "of"), ("in", "the", "treatment", "of"),
})  # fmt: skip


def polarity_override(view: DocumentView, candidate: Candidate, label: str) -> str:
    """Explicit polarity in the closest co-occurrence wins over the type model: "positively / inversely
    associated with" between the two; a chemical before a disease with only a treatment construction
    between ("X to treat Y", "X for the treatment of Y"); a chemical-disease positive correlation where the
    disease is what is controlled ("asthma-symptom control", :func:`_controlled`); for a chemical before a
    gene, a polarity verb at most four tokens before the gene ("by activating AMPK", "inhibited the
    expression of X")."""
    if label == NONE or not candidate.instance_mentions:
        return label
    sm, om = candidate.instance_mentions[0]
    first, second = sorted((sm, om), key=lambda k: view.mentions[k].start)
    sentence = view.sentences[view.sentence_of[first]]
    between = sentence.tokens[view.span_of[first][1] : view.span_of[second][0]]
    for pair in itertools.pairwise(between):
        if pair in _EXPLICIT:
            return _EXPLICIT[pair]
    words = tuple(w for w in between if w.isalpha())
    if candidate.types == "CD" and view.codes[first] == "C" and words in _TREATMENT:
        return "Negative_Correlation"
    if (
        candidate.types == "CD"
        and label == "Positive_Correlation"
        and any(_controlled(view, disease) for _, disease in candidate.instance_mentions)
    ):
        return "Negative_Correlation"
    chemical_gene = {candidate.subject_type, candidate.object_type} == {"C", "G"}
    if chemical_gene and label in _CORRELATIONS and view.codes[first] == "C":
        for word in reversed(between[-4:]):
            cue = polarity(word)
            if cue == "up":
                return "Positive_Correlation"
            if cue == "down":
                return "Negative_Correlation"
            if cue == "assoc":
                break
    return label


_NOT_CONTROLLED = frozenset(
    {"uncontrolled", "poorly", "inadequately", "insufficiently", "not", "partly", "un"}
)


def _controlled(view: DocumentView, disease: int) -> bool:
    """Whether a disease mention is named as what a treatment controls: "asthma control", "asthma-symptom
    control", "control of asthma", "well-controlled asthma" (not "poorly controlled asthma")."""
    sentence = view.sentences[view.sentence_of[disease]]
    start, end = view.span_of[disease]
    after = [
        w.lower() for w in sentence.tokens[end : end + 4] if w.lower() not in ("-", "symptom", "symptoms")
    ]
    before = [w.lower() for w in sentence.tokens[max(0, start - 3) : start]]
    return (
        after[:1] == ["control"]
        or before[-2:] == ["control", "of"]
        or (before[-1:] == ["controlled"] and not set(before) & _NOT_CONTROLLED)
    )


_CONTEXT = frozenset({
    ("patients", "with"), ("subjects", "with"), ("children", "with"), ("women", "with"), ("men", "with"),
    ("individuals", "with"), ("people", "with"), ("adults", "with"), ("those", "with"),
    ("participants", "with"), ("population", "with"), ("mice", "with"), ("rats", "with"),
})  # fmt: skip
_RESIDUAL = frozenset({"residual", "persistent", "persisting", "remaining", "except", "despite", "leaving"})


def _preceding(view: DocumentView, mention: int, count: int = 2) -> tuple[str, ...]:
    sentence = view.sentences[view.sentence_of[mention]]
    start = view.span_of[mention][0]
    return tuple(sentence.tokens[max(0, start - count) : start])


def _context_only(view: DocumentView, candidate: Candidate, chemical_is_subject: bool) -> bool:
    """In every co-occurrence the disease is "(in) patients with X" while another disease of the sentence
    stands nearer the chemical: the claim is about that one."""
    if not candidate.instance_mentions:
        return False
    for sm, om in candidate.instance_mentions:
        chemical, disease = (sm, om) if chemical_is_subject else (om, sm)
        if _preceding(view, disease) not in _CONTEXT:
            return False
        at = view.mentions[chemical].start
        distance = abs(view.mentions[disease].start - at)
        nearer = [
            k
            for k in view.by_sentence[view.sentence_of[disease]]
            if view.mentions[k].concept_id not in (candidate.subject, candidate.object)
            and view.codes[k] == "D"
            and abs(view.mentions[k].start - at) < distance
        ]
        if not nearer:
            return False
    return True


def _residual_only(view: DocumentView, candidate: Candidate, disease_is_subject: bool) -> bool:
    """Every co-occurrence names the disease as what remains ("with only residual hyperpigmentation")."""
    if not candidate.instance_mentions:
        return False
    return all(
        set(_preceding(view, pair[0] if disease_is_subject else pair[1])) & _RESIDUAL
        for pair in candidate.instance_mentions
    )


def not_a_claim(view: DocumentView, candidate: Candidate, label: str) -> bool:
    """Context, not claim: a chemical-disease correlation whose disease is only the patients' condition, or
    a treatment (negative correlation) whose disease is only what remains."""
    if {candidate.subject_type, candidate.object_type} != {"C", "D"}:
        return False
    chemical_is_subject = candidate.subject_type == "C"
    if label in ("Positive_Correlation", "Negative_Correlation", "CID") and _context_only(
        view, candidate, chemical_is_subject
    ):
        return True
    return label == "Negative_Correlation" and _residual_only(view, candidate, not chemical_is_subject)


def _rule_direction(view: DocumentView, candidate: Candidate) -> str | None:
    """``fwd`` or ``rev`` when the trigger rules oriented the pair (by voice) in its sentences."""
    votes = {"fwd": 0, "rev": 0}
    for sm, om in candidate.instance_mentions:
        s_start, o_start = view.mentions[sm].start, view.mentions[om].start
        for key in ((s_start, o_start), (o_start, s_start)):
            for relation in view.rules.get(key, ()):
                if {relation.subject, relation.object} == {candidate.subject, candidate.object}:
                    votes["rev" if relation.subject == candidate.object else "fwd"] += 1
    if votes["fwd"] == votes["rev"]:
        return None
    return "fwd" if votes["fwd"] > votes["rev"] else "rev"


def graph_predicate(
    view: DocumentView, candidate: Candidate, label: str, cdr_agrees: bool | None = None
) -> tuple[str, Predicate, str, tuple[tuple[str, str], ...]]:
    """(subject, predicate, object, qualifiers) for a labelled candidate.

    Chemical-disease: ``CID`` -> causes; Positive_Correlation -> causes when the pair's sentences carry a
    causal cue (induced, toxicity, after...) and the ``cdr`` head agrees (``cdr_agrees``; None: no such
    head), else positively_correlated_with ("positively associated with"); Negative_Correlation -> treats with a treatment cue
    (treatment, resolution, effective...) and no prevention cue (risk, prevent, incidence...), else
    negatively_correlated_with; Association -> associated_with. Chemical or gene -> gene: affects, with
    object_direction increased or decreased (the chemical acts; between genes the trigger rules' voice, else
    text order). Gene or variant -> disease: contributes_to (positive), negatively_correlated_with,
    associated_with. Bind -> physically_interacts_with; Drug_Interaction -> interacts_with; Cotreatment,
    Comparison, Conversion -> related_to. Symmetric predicates run in concept-ID order, as the trigger
    rules write them.
    """
    s, o, ts, to = candidate.subject, candidate.object, candidate.subject_type, candidate.object_type
    kinds = {ts, to}
    predicate: Predicate
    qualifiers: tuple[tuple[str, str], ...] = ()
    if label == "CID":
        predicate = Predicate.CAUSES
    elif kinds == {"C", "D"}:
        if ts != "C":
            s, o = o, s
        words = _sentence_words(view, candidate)
        if label == "Positive_Correlation":
            causal = any(w.startswith(_CAUSE) for w in words) and cdr_agrees is not False
            predicate = Predicate.CAUSES if causal else Predicate.POSITIVELY_CORRELATED_WITH
        elif label == "Negative_Correlation":
            treats = any(w.startswith(_TREAT) for w in words) and not any(
                w.startswith(_PREVENT) for w in words
            )
            predicate = Predicate.TREATS if treats else Predicate.NEGATIVELY_CORRELATED_WITH
        else:
            predicate = Predicate.ASSOCIATED_WITH
    elif "D" in kinds:  # a gene or variant and a disease
        if ts == "D":
            s, o = o, s
        predicate = {
            "Positive_Correlation": Predicate.CONTRIBUTES_TO,
            "Negative_Correlation": Predicate.NEGATIVELY_CORRELATED_WITH,
        }.get(label, Predicate.ASSOCIATED_WITH)
    elif label == "Bind":
        predicate = Predicate.PHYSICALLY_INTERACTS_WITH
    elif label == "Drug_Interaction":
        predicate = Predicate.INTERACTS_WITH
    elif label in ("Cotreatment", "Comparison", "Conversion"):
        predicate = Predicate.RELATED_TO
    elif label in ("Positive_Correlation", "Negative_Correlation") and kinds & {"G", "V"}:
        if ("C" in kinds and ts != "C") or ("C" not in kinds and _rule_direction(view, candidate) == "rev"):
            s, o = o, s  # the chemical acts; between genes, as the trigger rules' voice says
        predicate = Predicate.AFFECTS
        qualifiers = _affects("increased" if label == "Positive_Correlation" else "decreased")
    elif label == "Positive_Correlation":
        predicate = Predicate.POSITIVELY_CORRELATED_WITH
    elif label == "Negative_Correlation":
        predicate = Predicate.NEGATIVELY_CORRELATED_WITH
    else:
        predicate = Predicate.ASSOCIATED_WITH
    if predicate in _SYMMETRIC and o < s:
        s, o = o, s
    return s, predicate, o, qualifiers


def _evidence(
    document: Document,
    view: DocumentView,
    candidate: Candidate,
    subject: str,
    scheme: str,
    label: str,
    score: float,
) -> Evidence | None:
    """The evidence of a learned relation: the closest co-occurrence, else the nearest mentions (the text
    from the first one's sentence to the second one's, when both are in one passage)."""
    pair = candidate.instance_mentions[0] if candidate.instance_mentions else candidate.closest
    if pair is None:
        return None
    sm, om = pair if subject == candidate.subject else (pair[1], pair[0])
    first, second = sorted(pair, key=lambda k: view.mentions[k].start)
    opening = view.sentences[view.sentence_of[first]]
    start, end = opening.start, view.sentences[view.sentence_of[second]].end
    try:
        text = document.text_at(start, end)
    except ValueError:
        return None
    subject_mention, object_mention = view.mentions[sm], view.mentions[om]
    return Evidence(
        document.id,
        text,
        start,
        subject_mention.text,
        subject_mention.start,
        subject_mention.end,
        object_mention.text,
        object_mention.start,
        object_mention.end,
        METHOD,
        round(score, 3),
        trigger=f"{scheme}:{label}",
        negated=_negated_between(document, view.mentions[first], view.mentions[second]),
        passage=opening.passage,
    )


def _negated_between(document: Document, first: Mention, second: Mention) -> bool:
    """Whether the claim is denied in the words joining the two mentions of one short clause ("Tamoxifen is
    not attributed to endometrial cancer"): a negation cue there, with no comma or clause between."""
    if second.start - first.end > NEGATED_SPAN:
        return False
    try:
        between = document.text_at(first.end, second.start)
    except ValueError:
        return False
    if re.search(r"[,;:()]|\b(?:but|whereas|while|although|which|that)\b", between):
        return False
    return any(not cue.group(0).isupper() for cue in NEGATION_CUE.finditer(between))  # "NO" is nitric oxide


# The most characters between two mentions whose joining words may deny the claim.
NEGATED_SPAN = 60
_UP = frozenset({Predicate.CAUSES, Predicate.CONTRIBUTES_TO, Predicate.POSITIVELY_CORRELATED_WITH})
_DOWN = frozenset({Predicate.TREATS, Predicate.NEGATIVELY_CORRELATED_WITH})


def _polarity_of(relation: Relation) -> str:
    direction = dict(relation.qualifiers).get(_DIRECTION)
    if direction in ("increased", "decreased"):
        return "up" if direction == "increased" else "down"
    if relation.predicate in _UP:
        return "up"
    return "down" if relation.predicate in _DOWN else ""


_LABEL_POLARITY = {"CID": "up", "Positive_Correlation": "up", "Negative_Correlation": "down"}


def _without_symptoms_of_treated(
    view: DocumentView, learned: list[Relation], sources: list[Candidate], rules: Sequence[Relation]
) -> list[Relation]:
    """The learned relations less a chemical's positive correlation with a disease that the text only names
    as part of another disease the chemical treats ("chronic pruritus in atopic dermatitis ..., and
    dupilumab ... effective in the treatment of atopic dermatitis": dupilumab does not go with pruritus)."""
    treated = {(r.subject, r.object) for r in (*learned, *rules) if r.predicate == Predicate.TREATS}
    if not treated:
        return learned
    kept = []
    for relation, candidate in zip(learned, sources, strict=True):
        if relation.predicate == Predicate.POSITIVELY_CORRELATED_WITH and candidate.types in ("CD", "DC"):
            chemical = candidate.subject if candidate.subject_type == "C" else candidate.object
            if candidate.instance_mentions and all(
                _part_of_treated(
                    view, pair[1] if candidate.subject_type == "C" else pair[0], chemical, treated
                )
                for pair in candidate.instance_mentions
            ):
                continue
        kept.append(relation)
    return kept


def _part_of_treated(view: DocumentView, disease: int, chemical: str, treated: set[tuple[str, str]]) -> bool:
    """Whether the disease mention is followed by "in" and a disease the chemical treats ("pruritus in AD")."""
    mention = view.mentions[disease]
    for other in view.by_sentence[view.sentence_of[disease]]:
        following = view.mentions[other]
        if following.start <= mention.end or view.codes[other] != "D":
            continue
        try:
            between = view.document.text_at(mention.end, following.start)
        except ValueError:
            continue
        if between.strip().lower() == "in" and (chemical, following.concept_id) in treated:
            return True
    return False


def judge_relations(
    model: RelationModel | None,
    document: Document,
    mentions: Sequence[Mention],
    concepts: dict[str, Concept],
    rule_relations: Sequence[Relation],
    scheme: RelationScheme | str = RelationScheme.BIORED,
    *,
    lexicon: Ancestors | None = None,
    at_least_one: bool = False,
) -> JudgedRelations:
    """The model's relations for one document, and the trigger rules' relations it does not contradict
    (all of them without a model or a head for ``scheme``). With ``biored``, a model that also has a ``cdr``
    head scores chemical-disease pairs with it too: *causes* needs its agreement."""
    scheme = RelationScheme(scheme)
    if model is None or scheme.value not in model.heads:
        return JudgedRelations((), tuple(rule_relations))
    head = model.heads[scheme.value]
    cdr = model.heads.get(RelationScheme.CDR.value)
    view = DocumentView(document, mentions, concepts, rule_relations, lexicon)
    candidates = find_candidates(view, scheme.value)
    for candidate in candidates:
        add_features(view, candidate, conjoin=scheme is RelationScheme.BIORED, sequences=head.cnn is not None)
    scored = score_candidates(head, view, candidates, at_least_one=at_least_one)
    causal: set[frozenset[str]] | None = None  # the chemical-disease pairs the cdr head relates
    if scheme is RelationScheme.CDR:
        causal = {
            frozenset((c.subject, c.object))
            for c, x in zip(candidates, scored.labels, strict=True)
            if x != NONE
        }
    elif cdr is not None:
        # The cdr head's verdict is read only for the pairs the head relates and for the rules' *causes*.
        rule_causes = {
            frozenset((r.subject, r.object)) for r in rule_relations if r.predicate == Predicate.CAUSES
        }
        pairs = [
            c
            for c, label in zip(candidates, scored.labels, strict=True)
            if c.types == "CD" and (label != NONE or frozenset((c.subject, c.object)) in rule_causes)
        ]
        if cdr.cnn is not None and head.cnn is None:
            for candidate in pairs:
                candidate.sequences = [
                    instance_sequence(view, sm, om) for sm, om in candidate.instance_mentions
                ]
        judged = score_candidates(cdr, view, pairs)
        causal = {
            frozenset((c.subject, c.object)) for c, x in zip(pairs, judged.labels, strict=True) if x != NONE
        }
    learned: list[Relation] = []
    sources: list[Candidate] = []  # the candidate of each learned relation
    verdicts: dict[frozenset[str], tuple[str, bool, bool]] = {}  # pair -> (label, not a claim, C-D)
    for candidate, probability, label, dropped in zip(
        candidates, scored.p_pair, scored.labels, scored.not_claims, strict=True
    ):
        pair = frozenset((candidate.subject, candidate.object))
        verdicts[pair] = (label, dropped, candidate.types == "CD")
        if label == NONE:
            continue
        agrees = None if causal is None else pair in causal
        subject, predicate, obj, qualifiers = graph_predicate(view, candidate, label, agrees)
        evidence = _evidence(document, view, candidate, subject, scheme.value, label, float(probability))
        if evidence is not None:
            learned.append(Relation(subject, predicate.value, obj, evidence, qualifiers))
            sources.append(candidate)
    learned = _without_symptoms_of_treated(view, learned, sources, rule_relations)
    kept = []
    for relation in rule_relations:
        pair = frozenset((relation.subject, relation.object))
        verdict = verdicts.get(pair)
        if verdict is not None:
            label, dropped, chemical_disease = verdict
            opposite = {"up": "down", "down": "up"}.get(_LABEL_POLARITY.get(label, ""))
            if dropped or (opposite and _polarity_of(relation) == opposite):
                continue
            if (
                chemical_disease
                and causal is not None
                and relation.predicate == Predicate.CAUSES
                and pair not in causal
            ):
                continue
        kept.append(relation)
    return JudgedRelations(tuple(learned), tuple(kept))


def learned_relations(
    model: RelationModel | None,
    document: Document,
    mentions: Sequence[Mention],
    concepts: dict[str, Concept],
    rule_relations: Sequence[Relation],
    scheme: RelationScheme | str = RelationScheme.BIORED,
    *,
    lexicon: Ancestors | None = None,
) -> list[Relation]:
    """The model's relations for one document (empty without a model)."""
    judged = judge_relations(model, document, mentions, concepts, rule_relations, scheme, lexicon=lexicon)
    return list(judged.learned)

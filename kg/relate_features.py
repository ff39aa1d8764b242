"""Features of document-level relation candidates, for the learned relation model (:mod:`kg.relate_learned`).

A *candidate* is a pair of concepts of one document (subject first: chemical before disease before gene
before variant). It gets

* ``instances``: one feature dict per pair of its mentions that share a sentence (every co-occurrence, the
  closest first, at most :data:`MAX_INSTANCES`): the words between (other entities blinded to their type),
  around, order, distance, clause boundaries, negation and hedging, polarity cues ("reduces", "activating"),
  context patterns ("in patients with X"), the trigger rules' verdict and direction for that very pair of
  mentions, and where the sentence is (title, last sentences, conclusion section);
* ``doc``: document-level features: the type pair, how central each concept is (mention counts, rank,
  title), co-occurrence counts and sentence gaps, whether the document names a more specific or more general
  disease (MeSH/MONDO ancestors: BC5CDR annotates the most specific one), the words of each concept's names;
* :meth:`Candidate.bag`: ``doc`` plus the union of the instances' indicator features, what the trees read.

Values are floats (1.0 for indicators) keyed by name; a model maps names to its columns and ignores names it
does not know. Entity types are read as strings, so a 4th type (``Variant``) works as soon as mentions carry
it. Work per sentence is linear in its mentions: mention pairs more than :data:`MAX_MENTIONS_BETWEEN`
mentions apart are not instances, and in a document with more than :data:`MAX_DISTANT_CONCEPTS` concepts
(a full text) only concepts whose mentions meet in a sentence are candidates.

>>> polarity("reduces"), polarity("activating"), polarity("associated"), polarity("aspirin")
('down', 'up', 'assoc', '')
>>> bucket(3, (0, 1, 2, 4)), bucket(9, (0, 1, 2, 4))
('4', '>4')
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kg.records import Concept, Document, Mention, Relation
from kg.text import split_sentences

__all__ = [
    "CLOSE_MENTIONS",
    "MAX_DISTANT_CONCEPTS",
    "MAX_INSTANCES",
    "MAX_MENTIONS_BETWEEN",
    "Candidate",
    "DocumentView",
    "Sentence",
    "bucket",
    "candidate_features",
    "find_candidates",
    "instance_sequence",
    "polarity",
    "tokens_of",
    "type_code",
]

# Entity type (as mentions spell it) -> one-letter code; other types take no part.
TYPE_CODE = {"Chemical": "C", "Disease": "D", "Gene": "G", "Variant": "V", "SequenceVariant": "V"}
TYPE_ORDER = "CDGV"
MAX_INSTANCES = 24
# Mentions of one sentence with more mentions than this between them are not an instance (a flattened
# table of 640 genes is one "sentence"; no sentence of the corpora's abstracts comes near it).
MAX_MENTIONS_BETWEEN = 30
# In a document with more concepts than this (no abstract of the corpora has more than 42; a full text
# may), the candidates are the pairs of concepts with mentions in one sentence at most CLOSE_MENTIONS
# mentions apart, as the trigger rules relate them (kg.relate.MAX_MENTIONS_BETWEEN), not every pair.
MAX_DISTANT_CONCEPTS = 60
CLOSE_MENTIONS = 12

TOKEN = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?|[^\w\s]")
_SECTION = re.compile(r"^\s*([A-Z][A-Z /&-]{2,40}):")
_SECTIONS = {
    "background": "background", "introduction": "background", "objective": "objective",
    "objectives": "objective", "aim": "objective", "aims": "objective", "purpose": "objective",
    "methods": "methods", "method": "methods", "design": "methods", "patients": "methods",
    "materials and methods": "methods", "results": "results", "findings": "results",
    "conclusion": "conclusion", "conclusions": "conclusion", "interpretation": "conclusion",
    "discussion": "conclusion", "summary": "conclusion", "case report": "case", "case": "case",
    "case presentation": "case",
}  # fmt: skip
_CONCLUDING = re.compile(
    r"\b(?:in conclusion|we conclude|conclude that|in summary|taken together|these (?:results|findings|data|"
    r"observations) (?:suggest|indicate|show|demonstrate|support)|our (?:results|findings|data) "
    r"(?:suggest|indicate|show|demonstrate))\b",
    re.IGNORECASE,
)
NEGATION = frozenset({
    "not", "no", "never", "neither", "nor", "without", "lack", "lacked", "lacking", "absence", "absent",
    "failed", "fail", "fails", "unable", "unlikely", "none", "cannot", "resistant", "refractory",
    "unresponsive", "ineffective", "independent", "unaffected", "unchanged",
})  # fmt: skip
HEDGE = frozenset({
    "may", "might", "could", "likely", "possible", "possibly", "potential", "potentially", "suggest",
    "suggests", "suggested", "suggesting", "putative", "perhaps", "probably", "presumably", "seem", "seems",
    "appear", "appears", "hypothesis", "hypothesized", "speculate",
})  # fmt: skip
UP = (
    "increas", "induc", "elevat", "enhanc", "activat", "stimulat", "promot", "upregulat", "up", "caus",
    "exacerbat", "aggravat", "potentiat", "risk", "higher", "raise", "overexpress", "augment", "accelerat",
    "provok", "trigger", "worsen", "develop", "toxic", "adverse", "gain", "accumulat", "agonist",
)  # fmt: skip
DOWN = (
    "decreas", "reduc", "inhibit", "suppress", "attenuat", "block", "prevent", "protect", "ameliorat",
    "alleviat", "improv", "treat", "therap", "lower", "downregulat", "down", "abolish", "antagoni",
    "revers", "reliev", "diminish", "impair", "deficien", "loss", "abrogat", "lessen", "resolv",
    "resolution", "remission", "efficac", "effective", "benefi", "rescu", "counteract", "mitigat",
    "deplet", "knockdown", "silenc", "blocker", "inhibitor", "antagonist",
)  # fmt: skip
NEUTRAL = ("associat", "correlat", "link", "relat", "express", "level", "polymorphism", "mutation", "variant")
_CLAUSE_WORDS = frozenset(
    {"which", "but", "whereas", "while", "although", "though", "however", "whilst", "yet"}
)
_CONTRAST = frozenset({"whereas", "although", "while", "however"})
_COORDINATION = frozenset({",", "and", "or", "/", "-", "plus", "versus", "vs", ".", "@C", "@D", "@G", "@V"})
_CONTEXT_BEFORE: dict[tuple[str, ...], str] = {
    ("patients", "with"): "patients_with", ("in", "patients"): "in_patients", ("subjects", "with"):
    "patients_with", ("children", "with"): "patients_with", ("women", "with"): "patients_with",
    ("men", "with"): "patients_with", ("individuals", "with"): "patients_with", ("cases", "of"): "cases_of",
    ("treatment", "of"): "treatment_of", ("risk", "of"): "risk_of", ("history", "of"): "history_of",
    ("model", "of"): "model_of", ("development", "of"): "development_of", ("incidence", "of"): "incidence_of",
    ("management", "of"): "treatment_of", ("prevention", "of"): "prevention_of",
    ("induced", "by"): "induced_by", ("caused", "by"): "induced_by", ("treated", "with"): "treated_with",
}  # fmt: skip
_PREPOSITIONS = frozenset({"in", "with", "of", "for", "against", "by", "to", "on"})
_DIRECTION = "biolink:object_direction_qualifier"


def polarity(word: str) -> str:
    """A word's polarity cue: ``down`` (reduces, treats), ``up`` (induces), ``assoc`` or ``''``."""
    if word.startswith(DOWN):
        return "down"
    if word.startswith(UP):
        return "up"
    if word.startswith(NEUTRAL):
        return "assoc"
    return ""


def bucket(value: int, edges: tuple[int, ...]) -> str:
    """The first edge ``value`` does not exceed, as a feature value (``>last`` past the last)."""
    for edge in edges:
        if value <= edge:
            return str(edge)
    return f">{edges[-1]}"


def type_code(mention: Mention) -> str:
    """``C``, ``D``, ``G``, ``V`` for the related entity types, ``O`` for any other."""
    return TYPE_CODE.get(str(mention.type), "O")


def tokens_of(text: str) -> list[str]:
    """The model's tokens: letters, numbers (as ``<num>``), single punctuation marks; lower case.

    >>> tokens_of("IL-4 reduced 2.5-fold")
    ['il', '-', '<num>', 'reduced', '<num>', '-', 'fold']
    """
    return [_normal(t) for t in TOKEN.findall(text)]


def _normal(token: str) -> str:
    return "<num>" if token[0].isdigit() else token.lower()


def _is_word(token: str) -> bool:
    return token.isalpha() or token[0] == "@"


class Ancestors(Protocol):
    """What the features need of a lexicon: a concept's superclasses (``kg.lexicon.Lexicon`` has it)."""

    def iter_ancestors(self, curie: str) -> Iterable[str]: ...


@dataclass(slots=True)
class Sentence:
    """One sentence of a document, tokenised, with where it stands."""

    start: int
    end: int
    passage: str  # the passage kind: title, abstract, ...
    index: int
    tokens: list[str]
    starts: list[int]  # document offsets of each token
    ends: list[int]
    section: str = ""
    concluding: bool = False
    last: int = 99  # sentences from the document's end (0 = the last)
    negated: bool = False  # a negation cue anywhere in the sentence
    hedged: bool = False

    def token_span(self, start: int, end: int) -> tuple[int, int]:
        """The tokens a character span covers (at least one)."""
        first = bisect.bisect_right(self.ends, start)
        return first, max(bisect.bisect_left(self.starts, end), first + 1)


@dataclass(slots=True)
class Candidate:
    """A pair of concepts of one document, its mentions and features. Mentions are indexes into
    :attr:`DocumentView.mentions`."""

    subject: str
    object: str
    subject_type: str
    object_type: str
    subject_mentions: list[int] = field(default_factory=list)
    object_mentions: list[int] = field(default_factory=list)
    doc: dict[str, float] = field(default_factory=dict)
    instances: list[dict[str, float]] = field(default_factory=list)
    instance_mentions: list[tuple[int, int]] = field(default_factory=list)  # (subject's, object's)
    sequences: list[tuple[list[str], int, int]] = field(default_factory=list)  # for the sentence CNN
    closest: tuple[int, int] | None = None  # the nearest mentions (evidence when no sentence has both)

    @property
    def types(self) -> str:
        return self.subject_type + self.object_type

    def bag(self) -> dict[str, float]:
        """Document features plus every instance's indicators (``i:`` + name; ``#`` values are not pooled)."""
        found = dict(self.doc)
        for instance in self.instances:
            for name in instance:
                if name[0] != "#":
                    found["i:" + name] = 1.0
        return found


class DocumentView:
    """What all candidates of one document share: its sentences (tokenised once), where each mention is,
    counts and ranks of concepts, and the trigger rules' relations by pair of mention offsets."""

    def __init__(
        self,
        document: Document,
        mentions: Sequence[Mention],
        concepts: dict[str, Concept],
        rules: Sequence[Relation],
        lexicon: Ancestors | None = None,
    ):
        self.document = document
        self.concepts = concepts
        self.lexicon = lexicon
        self.sentences: list[Sentence] = []
        section = ""
        for passage in document.passages:
            kind = passage.kind.split(":")[0] if passage.kind else ""
            for start, end in split_sentences(passage.text):
                text = passage.text[start:end]
                tokens, starts, ends = [], [], []
                base = passage.offset + start
                for match in TOKEN.finditer(text):
                    tokens.append(_normal(match.group()))
                    starts.append(base + match.start())
                    ends.append(base + match.end())
                heading = _SECTION.match(text)
                if heading:
                    section = _SECTIONS.get(heading.group(1).strip().lower(), "other")
                self.sentences.append(
                    Sentence(
                        base,
                        passage.offset + end,
                        kind,
                        len(self.sentences),
                        tokens,
                        starts,
                        ends,
                        section if kind != "title" else "",
                        bool(_CONCLUDING.search(text)),
                        negated=not NEGATION.isdisjoint(tokens),
                        hedged=not HEDGE.isdisjoint(tokens),
                    )
                )
        for position, sentence in enumerate(reversed(self.sentences)):
            sentence.last = position
        self._starts = [s.start for s in self.sentences]
        self.mentions = [m for m in mentions if m.concept_id and type_code(m) != "O"]
        self.codes = [type_code(m) for m in self.mentions]
        self.sentence_of = [self._sentence_index(m.start) for m in self.mentions]
        self.span_of: list[tuple[int, int]] = []
        self.by_sentence: dict[int, list[int]] = defaultdict(list)  # mentions of a sentence, in text order
        for k, m in enumerate(self.mentions):
            s = self.sentence_of[k]
            self.span_of.append(self.sentences[s].token_span(m.start, m.end) if s >= 0 else (0, 0))
            if s >= 0:
                self.by_sentence[s].append(k)
        for items in self.by_sentence.values():
            items.sort(key=lambda k: (self.span_of[k], k))
        self._span_starts = {s: [self.span_of[k][0] for k in items] for s, items in self.by_sentence.items()}
        self.position = {k: i for items in self.by_sentence.values() for i, k in enumerate(items)}
        self.by_concept: dict[str, list[int]] = defaultdict(list)
        for k, m in enumerate(self.mentions):
            self.by_concept[str(m.concept_id)].append(k)
        self.type_of = {cid: self.codes[ks[0]] for cid, ks in self.by_concept.items()}
        self.counts = {cid: len(ks) for cid, ks in self.by_concept.items()}
        ranked: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for cid, ks in self.by_concept.items():
            ranked[self.type_of[cid]].append((-len(ks), min(self.mentions[k].start for k in ks), cid))
        self.rank: dict[str, int] = {}
        self.n_type = {t: len(v) for t, v in ranked.items()}
        self.type_total = {t: -sum(count for count, _, _ in v) for t, v in ranked.items()}
        for ordered in ranked.values():
            ordered.sort()
            for position, (_, _, cid) in enumerate(ordered):
                self.rank[cid] = position
        self.sentences_of = {
            cid: sorted({self.sentence_of[k] for k in ks if self.sentence_of[k] >= 0})
            for cid, ks in self.by_concept.items()
        }
        self.rules: dict[tuple[int, int], list[Relation]] = defaultdict(list)
        for relation in rules:
            evidence = relation.evidence
            self.rules[(evidence.subject_start, evidence.object_start)].append(relation)
        self._ancestors: dict[str, set[str]] = {}
        self._specificity: dict[str, tuple[list[str], bool]] = {}
        # document_features' part for one concept in one role, memoised
        self.role_features: dict[tuple[str, str, str, tuple[int, ...]], dict[str, float]] = {}

    def _sentence_index(self, offset: int) -> int:
        position = bisect.bisect_right(self._starts, offset) - 1
        if position >= 0 and offset < self.sentences[position].end:
            return position
        return -1

    def ids(self, cid: str) -> set[str]:
        concept = self.concepts.get(cid)
        return {cid, *(concept.xrefs if concept else ())}

    def ancestors(self, cid: str) -> set[str]:
        """Every superclass of a disease concept (through any of its MeSH, MONDO, DOID or HP IDs)."""
        found = self._ancestors.get(cid)
        if found is None:
            found = set()
            if self.lexicon is not None:
                for curie in self.ids(cid):
                    if curie.startswith(("MESH:", "MONDO:", "DOID:", "HP:")):
                        found.update(self.lexicon.iter_ancestors(curie))
            concept = self.concepts.get(cid)
            if concept is not None:
                found.update(concept.parents)
            found.discard(cid)
            self._ancestors[cid] = found
        return found

    def is_ancestor(self, general: str, specific: str) -> bool:
        general_ids = self.ids(general)
        return bool(general_ids & self.ancestors(specific)) and not (general_ids & self.ids(specific))

    def specificity(self, disease: str) -> tuple[list[str], bool]:
        """The document's diseases more specific than ``disease``, and whether it names a more general one."""
        found = self._specificity.get(disease)
        if found is None:
            others = [c for c in self.by_concept if self.type_of[c] == "D" and c != disease]
            found = self._specificity[disease] = (
                [c for c in others if self.is_ancestor(disease, c)],
                any(self.is_ancestor(c, disease) for c in others),
            )
        return found

    def between(self, sentence: Sentence, i: int, j: int, skip: Iterable[int]) -> list[str]:
        """Tokens ``i`` to ``j - 1`` of a sentence, each entity mention inside replaced by ``@`` + its type
        (the mentions in ``skip`` left as words)."""
        covered: dict[int, str] = {}
        skipped = set(skip)
        items = self.by_sentence[sentence.index]
        starts = self._span_starts.get(sentence.index, [])
        for k in items[bisect.bisect_left(starts, i) : bisect.bisect_left(starts, j)]:
            if k in skipped:
                continue
            a, b = self.span_of[k]
            if b <= j:
                for t in range(a, b):
                    covered[t] = "" if t > a else "@" + self.codes[k]
        if not covered:
            return sentence.tokens[i:j]
        words = []
        for t in range(i, j):
            mark = covered.get(t)
            if mark is None:
                words.append(sentence.tokens[t])
            elif mark:
                words.append(mark)
        return words


def find_candidates(view: DocumentView, scheme: str) -> list[Candidate]:
    """The concept pairs a scheme relates: chemical -> disease (``cdr``), or any two of chemical, disease,
    gene and variant but disease-disease (``biored``). Pairs that share no sentence only while the document
    has at most :data:`MAX_DISTANT_CONCEPTS` concepts; otherwise pairs whose mentions meet in a sentence."""
    if scheme == "cdr":
        wanted = [c for c in view.by_concept if view.type_of[c] in "CD"]
    else:
        wanted = list(view.by_concept)
    ids = sorted(wanted, key=lambda c: (TYPE_ORDER.index(view.type_of[c]), c))
    if len(ids) > MAX_DISTANT_CONCEPTS:
        pairs = _close_pairs(view)
    found = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            ta, tb = view.type_of[a], view.type_of[b]
            if (scheme == "cdr" and (ta, tb) != ("C", "D")) or ta == tb == "D":
                continue
            if len(ids) > MAX_DISTANT_CONCEPTS and (a, b) not in pairs:
                continue
            found.append(Candidate(a, b, ta, tb, view.by_concept[a], view.by_concept[b]))
    return found


def _close_pairs(view: DocumentView) -> set[tuple[str, str]]:
    """Concept pairs (in candidate order) with mentions at most CLOSE_MENTIONS apart in a sentence."""
    found = set()
    for items in view.by_sentence.values():
        for i, k in enumerate(items):
            a = str(view.mentions[k].concept_id)
            for other in items[i + 1 : i + 2 + CLOSE_MENTIONS]:
                b = str(view.mentions[other].concept_id)
                if a != b:
                    key = sorted((a, b), key=lambda c: (TYPE_ORDER.index(view.type_of[c]), c))
                    found.add((key[0], key[1]))
    return found


def _words_features(out: dict[str, float], prefix: str, words: Iterable[str]) -> None:
    for w in words:
        if _is_word(w):
            out[f"{prefix}:{w}"] = 1.0


def instance_features(
    view: DocumentView, candidate: Candidate, sm: int, om: int, conjoin: bool = False
) -> dict[str, float]:
    """Features of one pair of mentions (``sm`` of the subject, ``om`` of the object) in one sentence;
    ``conjoin`` adds the words between conjoined with the type pair (for BioRED's many type pairs)."""
    mentions = view.mentions
    sentence = view.sentences[view.sentence_of[sm]]
    tokens = sentence.tokens
    tp = candidate.types
    subject_first = mentions[sm].start <= mentions[om].start
    first, second = (sm, om) if subject_first else (om, sm)
    (fa, fb), (sa, sb) = view.span_of[first], view.span_of[second]
    out: dict[str, float] = {}
    order = "so" if subject_first else "os"
    out[f"order:{order}"] = 1.0
    if fb > sa:  # overlapping mentions (nested names, composite mentions)
        out["overlap"] = 1.0
        between: list[str] = []
    else:
        between = view.between(sentence, fb, sa, (first, second))
    n = len(between)
    out[f"dist:{bucket(n, (0, 1, 2, 4, 7, 12, 20, 35))}"] = 1.0
    out["#dist"] = float(n)
    alpha = [w for w in between if _is_word(w)]
    if len(alpha) <= 12:
        _words_features(out, "bw", alpha)
        _words_features(out, f"bw{order}", alpha)
        for word, following_word in itertools.pairwise(alpha):
            out[f"bb:{word}_{following_word}"] = 1.0
        if not alpha:
            out["bw:<none>"] = 1.0
    else:
        _words_features(out, "bw", alpha[:5] + alpha[-5:])
        _words_features(out, f"bw{order}", alpha[:5] + alpha[-5:])
        out["bw:<long>"] = 1.0
    if alpha:
        out[f"bw1:{alpha[0]}"] = 1.0
        out[f"bwL:{alpha[-1]}"] = 1.0
    if conjoin:
        _words_features(out, f"bw{tp}", alpha[:8])
    marks = [p for p in (polarity(w) for w in alpha) if p]
    for p in set(marks):
        out[f"pol_bw:{p}"] = 1.0
        out[f"pol_bw{tp}:{p}:{order}"] = 1.0
    if marks:
        out[f"pol_first:{marks[0]}:{tp}"] = 1.0
        out[f"pol_last:{marks[-1]}:{tp}"] = 1.0
    out[f"pol_seq:{tp}:{'-'.join(dict.fromkeys(marks))[:40]}"] = 1.0
    before = [w for w in view.between(sentence, max(0, fa - 4), fa, (first,)) if _is_word(w)]
    after = [w for w in view.between(sentence, sb, min(len(tokens), sb + 4), (second,)) if _is_word(w)]
    _words_features(out, "bf", before[-3:])
    _words_features(out, "af", after[:3])
    for side, words in (("bf", before[-3:]), ("af", after[:3])):
        for p in {polarity(w) for w in words} - {""}:
            out[f"pol_{side}{tp}:{p}"] = 1.0
    if before:
        out[f"bf1:{before[-1]}"] = 1.0
    if after:
        out[f"af1:{after[0]}"] = 1.0
    others = sum(1 for w in between if w[0] == "@")
    out[f"ents_between:{bucket(others, (0, 1, 2, 4))}"] = 1.0
    if ";" in between:
        out["clause:semicolon"] = 1.0
    if ":" in between:
        out["clause:colon"] = 1.0
    for k, w in enumerate(between):
        if w in _CONTRAST or (w in _CLAUSE_WORDS and (k == 0 or between[k - 1] in (",", ";", "("))):
            out[f"clause:{w}"] = 1.0
    out[f"commas:{bucket(between.count(','), (0, 1, 2, 4))}"] = 1.0
    if "(" in between or ")" in between:
        out["paren_between"] = 1.0
    if all(w in _COORDINATION for w in between):
        out["coordination"] = 1.0
    if any(w in NEGATION for w in between):
        out["neg:between"] = 1.0
    if any(w in NEGATION for w in before):
        out["neg:before"] = 1.0
    if sentence.negated:
        out["neg:sentence"] = 1.0
    if sentence.hedged:
        out["hedge:sentence"] = 1.0
    for m, role in ((sm, "s"), (om, "o")):  # "in patients with X", "risk of X", "X-induced"
        a, b = view.span_of[m]
        previous = tuple(tokens[max(0, a - 2) : a])
        label = _CONTEXT_BEFORE.get(previous)
        if label:
            out[f"ctx:{role}:{label}"] = 1.0
        if a >= 1 and tokens[a - 1] in _PREPOSITIONS:
            out[f"prep:{role}:{tokens[a - 1]}"] = 1.0
        following = tokens[b : b + 2]
        if following[:2] == ["-", "induced"] or following[:1] == ["induced"]:
            out[f"induced_after:{role}"] = 1.0
    _rule_features(view, candidate, sm, om, out)
    if sentence.passage == "title":
        out["loc:title"] = 1.0
    elif sentence.index <= 1:
        out["loc:first"] = 1.0
    if sentence.last == 0:
        out["loc:last"] = 1.0
    if sentence.last <= 2:
        out["loc:last3"] = 1.0
    if sentence.section:
        out[f"sec:{sentence.section}"] = 1.0
    if sentence.concluding:
        out["loc:concluding"] = 1.0
    out[f"sent_mentions:{bucket(len(view.by_sentence[sentence.index]), (2, 3, 5, 8))}"] = 1.0
    return out


def _rule_features(view: DocumentView, candidate: Candidate, sm: int, om: int, out: dict[str, float]) -> None:
    """The trigger rules' verdict on this pair of mentions: predicate, direction, qualifier, negation."""
    s_start, o_start = view.mentions[sm].start, view.mentions[om].start
    for key, flip in (((s_start, o_start), False), ((o_start, s_start), True)):
        for relation in view.rules.get(key, ()):
            if {relation.subject, relation.object} != {candidate.subject, candidate.object}:
                continue
            predicate = relation.predicate.split(":")[-1]
            if relation.evidence.negated:
                out["rule_neg:" + predicate] = 1.0
                continue
            qualifier = dict(relation.qualifiers).get(_DIRECTION, "")
            out[f"rule:{predicate}:{'rev' if flip else 'fwd'}:{qualifier}"] = 1.0
            out["rule:any"] = 1.0
            if relation.evidence.hedged:
                out["rule_hedged"] = 1.0


def instance_sequence(view: DocumentView, sm: int, om: int, window: int = 12, limit: int = 90):
    """The tokens around a pair of mentions for the sentence CNN: the subject and object mentions become
    ``<s>``/``<o>``, other entity mentions ``@C``/``@D``/``@G``/``@V``; returns (tokens, subject position,
    object position)."""
    sentence = view.sentences[view.sentence_of[sm]]
    (sa, sb), (oa, ob) = view.span_of[sm], view.span_of[om]
    low, high = max(0, min(sa, oa) - window), min(len(sentence.tokens), max(sb, ob) + window)
    marks: dict[int, str] = {}
    for k in view.by_sentence[sentence.index]:
        a, b = view.span_of[k]
        if b > low and a < high:
            for t in range(a, b):
                marks[t] = "" if t > a else "@" + view.codes[k]
    for (a, b), tag in (((sa, sb), "<s>"), ((oa, ob), "<o>")):
        for t in range(a, b):
            marks[t] = "" if t > a else tag
    tokens: list[str] = []
    s_pos = o_pos = -1
    for t in range(low, high):
        mark = marks.get(t)
        if mark is None:
            tokens.append(sentence.tokens[t])
            continue
        if not mark:
            continue
        if mark == "<s>" and t == sa:
            s_pos = len(tokens)
        if mark == "<o>" and t == oa:
            o_pos = len(tokens)
        tokens.append(mark)
    if len(tokens) > limit:  # keep both ends of a long stretch
        first, second = sorted((s_pos, o_pos))
        keep = list(range(min(first + 1, len(tokens))))[-window:] + list(range(first + 1, second))
        if len(keep) > limit - window:
            keep = keep[: limit // 2] + keep[-(limit // 2 - window) :]
        keep = sorted(set(keep) | set(range(second, min(second + window, len(tokens)))) | {s_pos, o_pos})
        index = {k: i for i, k in enumerate(keep)}
        tokens = [tokens[k] for k in keep]
        s_pos, o_pos = index[s_pos], index[o_pos]
    return tokens, s_pos, o_pos


def _concept_words(view: DocumentView, mentions: list[int]) -> set[str]:
    return {
        w
        for k in mentions
        for w in TOKEN.findall(view.mentions[k].text.lower())
        if w.isalpha() and len(w) > 2
    }


def document_features(view: DocumentView, candidate: Candidate) -> dict[str, float]:
    """Features of a concept pair over the whole document."""
    out: dict[str, float] = {"bias": 1.0, f"tp:{candidate.types}": 1.0}
    sentences = view.sentences
    roles = (
        ("s", candidate.subject, candidate.subject_type, candidate.subject_mentions),
        ("o", candidate.object, candidate.object_type, candidate.object_mentions),
    )
    for role, cid, t, mentions in roles:
        memo = (role, cid, t, tuple(mentions))
        part = view.role_features.get(memo)
        if part is None:  # the same for every candidate the concept takes this role in
            part = view.role_features[memo] = _role_features(view, role, cid, t, mentions)
        out.update(part)
    out[f"titles:{int('s:title' in out)}{int('o:title' in out)}"] = 1.0
    out[f"tops:{min(view.rank[candidate.subject], 2)}{min(view.rank[candidate.object], 2)}"] = 1.0
    s_where, o_where = view.sentences_of[candidate.subject], view.sentences_of[candidate.object]
    shared = sorted(set(s_where) & set(o_where))
    out[f"cooc:{bucket(len(shared), (0, 1, 2, 3, 5))}"] = 1.0
    out["#cooc"] = float(len(shared))
    if not shared:
        gap = _nearest_gap(s_where, o_where)
        out[f"gap:{bucket(99 if gap is None else gap, (1, 2, 3, 5))}"] = 1.0
        out["#gap"] = float(30 if gap is None else gap)
    else:
        out["#gap"] = 0.0
        if any(sentences[i].passage == "title" for i in shared):
            out["cooc:title"] = 1.0
        if any(sentences[i].last <= 1 for i in shared):
            out["cooc:last2"] = 1.0
        if any(sentences[i].section == "conclusion" or sentences[i].concluding for i in shared):
            out["cooc:conclusion"] = 1.0
    if view.lexicon is not None:  # BC5CDR's guideline: the most specific disease is annotated
        for role, cid, t, _ in roles:
            if t != "D":
                continue
            descendants, has_general = view.specificity(cid)
            if descendants:
                out[f"{role}:has_specific"] = 1.0
                partner = set(view.sentences_of[candidate.subject if role == "o" else candidate.object])
                if any(partner.intersection(view.sentences_of[c]) for c in descendants):
                    out[f"{role}:specific_cooccurs"] = 1.0
            if has_general:
                out[f"{role}:has_general"] = 1.0
    return out


def _role_features(view: DocumentView, role: str, cid: str, t: str, mentions: list[int]) -> dict[str, float]:
    """The features of one concept in one role of a pair (see :func:`document_features`)."""
    sentences = view.sentences
    last = len(sentences) - 1
    out: dict[str, float] = {}
    count, rank, where = view.counts[cid], view.rank[cid], view.sentences_of[cid]
    out[f"{role}count:{bucket(count, (1, 2, 3, 5, 8))}"] = 1.0
    out[f"#{role}count"] = float(count)
    out[f"{role}rank:{min(rank, 3)}"] = 1.0
    out[f"#{role}rank"] = float(rank)
    out[f"#{role}share"] = count / max(1, view.type_total[t])
    out[f"#{role}sentfrac"] = len(where) / max(1, len(sentences))
    if any(sentences[i].passage == "title" for i in where):
        out[f"{role}:title"] = 1.0
    if any(sentences[i].last <= 1 for i in where):
        out[f"{role}:last2"] = 1.0
    if any(sentences[i].section == "conclusion" or sentences[i].concluding for i in where):
        out[f"{role}:conclusion"] = 1.0
    if where:
        out[f"#{role}first"] = where[0] / max(1, last)
    out[f"#n_{t}"] = float(view.n_type.get(t, 0))
    for w in _concept_words(view, mentions):
        out[f"{role}w{t}:{w}"] = 1.0
    return out


def _nearest_gap(a: list[int], b: list[int]) -> int | None:
    """The fewest sentences between a sentence of ``a`` and one of ``b`` (both sorted), or None."""
    if not a or not b:
        return None
    best = None
    for i in a:
        k = bisect.bisect_left(b, i)
        for j in b[max(0, k - 1) : k + 1]:
            if best is None or abs(i - j) < best:
                best = abs(i - j)
    return best


def candidate_features(
    document: Document,
    mentions: Sequence[Mention],
    concepts: dict[str, Concept],
    rules: Sequence[Relation],
    scheme: str,
    lexicon: Ancestors | None = None,
    *,
    conjoin: bool | None = None,
    sequences: bool = False,
) -> tuple[DocumentView, list[Candidate]]:
    """Every candidate of one document with its features (``sequences``: also the CNN's token windows)."""
    view = DocumentView(document, mentions, concepts, rules, lexicon)
    found = find_candidates(view, scheme)
    if conjoin is None:
        conjoin = scheme != "cdr"
    for candidate in found:
        add_features(view, candidate, conjoin=conjoin, sequences=sequences)
    return view, found


def add_features(view: DocumentView, candidate: Candidate, *, conjoin: bool, sequences: bool) -> None:
    """Fill one candidate's document and instance features (and CNN windows)."""
    candidate.doc = document_features(view, candidate)
    mentions = view.mentions
    pairs = []
    for sm in candidate.subject_mentions:
        sentence = view.sentence_of[sm]
        if sentence < 0:
            continue
        for om in candidate.object_mentions:
            if view.sentence_of[om] != sentence:
                continue
            if abs(view.position[sm] - view.position[om]) > MAX_MENTIONS_BETWEEN + 1:
                continue
            pairs.append(
                (abs(mentions[sm].start - mentions[om].start), mentions[sm].start, mentions[om].start, sm, om)
            )
    pairs.sort(key=lambda p: p[:3])
    for _, _, _, sm, om in pairs[:MAX_INSTANCES]:
        candidate.instances.append(instance_features(view, candidate, sm, om, conjoin))
        candidate.instance_mentions.append((sm, om))
        if sequences:
            candidate.sequences.append(instance_sequence(view, sm, om))
    if pairs:
        candidate.closest = (pairs[0][3], pairs[0][4])
    else:
        best: tuple[int, int, int] | None = None
        for sm in candidate.subject_mentions:
            for om in candidate.object_mentions:
                a, b = view.sentence_of[sm], view.sentence_of[om]
                if a >= 0 and b >= 0 and (best is None or abs(a - b) < best[0]):
                    best = (abs(a - b), sm, om)
        if best:
            candidate.closest = (best[1], best[2])
    candidate.doc[f"n_inst:{bucket(len(pairs), (0, 1, 2, 4, 8))}"] = 1.0

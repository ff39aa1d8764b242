"""Which dictionary matches are really mentions: a small learned filter between grounding and relations.

A vocabulary name matched in text is not always a mention of its concept: "inflammatory cells",
"depressed levels", "lipid peroxidation", "death" in a sentence about mortality statistics. The
lexicon's term filter (:mod:`kg.lexicon.learn`) blocks names that are almost never mentions; this model
judges each match in its context: the name and its concept's category, how it is written (case, length,
suffix), the words right before and after it, whether it sits in parentheses or inside a hyphenated word,
how sure the lexicon was and how often the document names the concept.

The weights are learned by ``kg mentions learn`` (:mod:`kg.train.mention_filter`) from kg's own matches on
the training splits, each labelled by whether annotators marked an entity of that type there; they ship
as ``kg/data/mentions.json`` and are applied here with numpy (:class:`kg.models.LogisticModel`). Names the
document's own annotations give (the seed's "Linked entities", a PubTator file's annotations) are never
filtered. Without a model (``Models.none()``) every match is kept.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable

from kg.models import LogisticModel, vector
from kg.records import Concept, Document, Mention, Passage
from kg.text import key

__all__ = [
    "FILTERED_METHODS",
    "METHOD",
    "THRESHOLD",
    "describe",
    "features",
    "filter_mentions",
    "mention_scores",
    "not_a_mention",
]

METHOD = "kg.mention_filter:logistic-regression"
# Only what kg found by itself is judged; names the paper's own annotations supply are kept.
FILTERED_METHODS = frozenset({"dictionary", "abbreviation"})
THRESHOLD = 0.65  # chosen on the development splits (see the README's accuracy table)
_WORD = re.compile(r"\w+")

# Words whose context makes them something else: a figure or table reference ("Fig. 4B", "Figs 1-3",
# "Table S2"), a month in a date ("April 2019", "12 April"), a pH value. Full texts are full of them and
# the training abstracts hold almost none, so the model cannot learn them: they score 0.
_REFERENCE = re.compile(
    r"(?:fig|figs|figure|figures|table|tables|tab|suppl|eq|eqs|ref|refs)\b\.?\s*(?:S?\d|[IVX]+\b)",
    re.IGNORECASE,
)
_MONTH = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_DATE_AFTER = re.compile(r"\.?,?\s(?:\d{1,2}(?:st|nd|rd|th)?\b|(?:19|20)\d\d\b)")
_DATE_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s$")
# "K i", "K d", "Km", "K(d)": an inhibition, dissociation or Michaelis constant, not potassium.
_CONSTANT = re.compile(r"\s?\(?(?:i|d|m|a|D|I|M|cat|eq|off|on|app|obs)\b")


def not_a_mention(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is, in its context, a figure or table reference, a month in a date, a
    pH or the K of a binding constant ("K i", "K d"): never a mention, whatever the vocabularies name so.

    >>> text = "In Fig. 4 and on 12 April 2019 at pH 7.4, APRIL and FIG bound in April (Figs. S2, 3)."
    >>> words = [m.span() for m in re.finditer(r"Fig[.] 4|Figs?|April|APRIL|FIG|pH", text)]
    >>> [text[s:e] for s, e in words if not_a_mention(text, s, e)]
    ['Fig. 4', 'April', 'pH', 'Figs']
    >>> text = "K i was 2 nM (K d 1 nM) and K+ rose; K intake fell."
    >>> [s for s in (0, 14, 28, 37) if not_a_mention(text, s, s + 1)]
    [0, 14]
    """
    word = text[start:end]
    if word == "pH":
        return True
    if word == "K":
        return bool(_CONSTANT.match(text, end))
    if reference := _REFERENCE.match(text, start):  # "Fig" of "Fig. 4", or "Fig. 4" (the FIG4 gene) itself
        return reference.end() >= end
    if _MONTH.fullmatch(word):
        return bool(_DATE_AFTER.match(text, end) or _DATE_BEFORE.search(text[max(0, start - 6) : start]))
    return False


def _shape(text: str) -> str:
    if text.islower():
        return "lower"
    if text.isupper():
        return "upper"
    if text[:1].isupper() and text[1:].islower():
        return "title"
    return "mixed"


def features(passage: Passage, mention: Mention, concept: Concept | None, count: int) -> list[str]:
    """What the filter sees of one grounded mention (``passage`` is the one that holds it)."""
    kind = mention.type.value
    low = mention.text.lower()
    shape = _shape(mention.text)
    start, end = mention.start - passage.offset, mention.end - passage.offset
    before, after = passage.text[max(0, start - 40) : start], passage.text[end : end + 40]
    previous, following = _WORD.findall(before.lower()), _WORD.findall(after.lower())
    p1 = previous[-1] if previous else "<s>"
    n1 = following[0] if following else "</s>"
    names = [
        f"t={kind}",
        f"k={low}",
        f"m={mention.method}|{kind}",
        f"cat={concept.category if concept else '-'}",
        f"c={mention.concept_id}",
        f"sh={shape}|{kind}",
        f"n={min(len(_WORD.findall(mention.text)), 4)}|{kind}",
        f"len={min(len(mention.text), 12)}|{shape}",
        f"suf3={low[-3:]}|{kind}",
        f"suf4={low[-4:]}",
        f"sc={round(mention.score, 1)}|{kind}",
        f"cnt={min(count, 4)}|{kind}",
        f"p1={p1}",
        f"n1={n1}",
        f"p1t={p1}|{kind}",
        f"n1t={n1}|{kind}",
        f"kn={low}|{n1}",
        f"kp={p1}|{low}",
        f"paren={before.rstrip().endswith('(')}{after.lstrip().startswith(')')}",
        f"hyph={after.startswith('-')}{before.endswith('-')}",
    ]
    if len(previous) >= 2:
        names.append("p2=" + " ".join(previous[-2:]))
    if len(following) >= 2:
        names.append("n2=" + " ".join(following[:2]))
    return names


def mention_scores(
    model: LogisticModel | None, document: Document, mentions: list[Mention], concepts: dict[str, Concept]
) -> list[float]:
    """The model's probability that each grounded mention is one (1.0 for those it does not judge: names
    from the document's own annotations, and names the document annotated wherever they occur)."""
    vouched = {(key(a.text), a.type) for a in document.annotations}  # names the paper itself annotated
    judged = [
        i
        for i, m in enumerate(mentions)
        if m.method in FILTERED_METHODS
        and m.concept_id
        and not (vouched and (key(m.text), m.type.value) in vouched)
    ]
    scores = [1.0] * len(mentions)
    if model is None or not judged:
        return scores
    passage_of = _passage_finder(document)
    scored = []
    for i in judged:  # words the context makes something else score 0 without the model
        mention, passage = mentions[i], passage_of(mentions[i].start)
        if not_a_mention(passage.text, mention.start - passage.offset, mention.end - passage.offset):
            scores[i] = 0.0
        else:
            scored.append(i)
    if not scored:
        return scores
    described = describe(document, [mentions[i] for i in scored], mentions, concepts)
    rows = [vector(names) for names in described]
    for i, probability in zip(scored, model.heads["mention"].scores(rows)[:, 0], strict=True):
        scores[i] = float(probability)
    return scores


def _passage_finder(document: Document) -> Callable[[int], Passage]:
    """The passage holding a document offset (passages come in text order)."""
    offsets = [p.offset for p in document.passages]
    return lambda start: document.passages[bisect.bisect_right(offsets, start) - 1]


def describe(
    document: Document, judged: list[Mention], mentions: list[Mention], concepts: dict[str, Concept]
) -> list[list[str]]:
    """Features of the ``judged`` mentions; ``mentions`` (all of the document's) give the counts."""
    counts = Counter(m.concept_id for m in mentions)
    passage_of = _passage_finder(document)
    return [
        features(
            passage_of(m.start),
            m,
            concepts.get(m.concept_id or ""),
            counts[m.concept_id],
        )
        for m in judged
    ]


def filter_mentions(
    model: LogisticModel | None, document: Document, mentions: list[Mention], concepts: list[Concept]
) -> tuple[list[Mention], list[Concept]]:
    """The mentions the model keeps (its threshold from the model file) and the concepts they use."""
    if model is None:
        return mentions, concepts
    threshold = model.heads["mention"].threshold
    by_id = {c.id: c for c in concepts}
    scores = mention_scores(model, document, mentions, by_id)
    kept = [m for m, s in zip(mentions, scores, strict=True) if s >= threshold]
    used = {m.concept_id for m in kept}
    return kept, [c for c in concepts if c.id in used]

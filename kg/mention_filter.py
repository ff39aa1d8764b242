"""Which dictionary matches are really mentions: a small learned filter between grounding and relations.

A vocabulary name matched in text is not always a mention of its concept: "inflammatory cells",
"depressed levels", "lipid peroxidation", "death" in a sentence about mortality statistics. The
lexicon's term filter (:mod:`kg.lexicon.learn`) blocks names that are almost never mentions; this model
judges each match in its context: the name and its concept's category, how it is written (case, length,
suffix), the words right before and after it, whether it sits in parentheses or inside a hyphenated word,
how sure the lexicon was and how often the document names the concept.

The weights are learned by ``kg mentions learn --corpora DIR`` (scikit-learn, on this CPU, in seconds)
from kg's own matches on the training splits, each labelled by whether annotators marked an entity of
that type there; they ship as ``kg/data/mentions.json``. Names the document's own annotations give
(the seed's "Linked entities", a PubTator file's annotations) are never filtered. Without a shipped model every match is kept.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np

from kg.learned import batch_scores, head_json, read_model, sparse_matrix, vector
from kg.records import Concept, Document, Mention, Passage
from kg.text import key

__all__ = ["FILTERED_METHODS", "MODEL_PATH", "filter_mentions", "learn", "load_model", "mention_scores"]

MODEL_PATH = Path(__file__).parent / "data" / "mentions.json"
METHOD = "kg.mention_filter:logistic-regression"
# Only what kg found by itself is judged; names the paper's own annotations supply are kept.
FILTERED_METHODS = frozenset({"dictionary", "abbreviation"})
THRESHOLD = 0.65  # chosen on the development splits (see the README's accuracy table)
_WORD = re.compile(r"\w+")


@functools.cache
def load_model(path: str = str(MODEL_PATH)) -> dict | None:
    """The shipped weights (None when no model has been learned)."""
    return read_model(Path(path))


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


def mention_scores(document: Document, mentions: list[Mention], concepts: dict[str, Concept]) -> list[float]:
    """The model's probability that each grounded mention is one (1.0 for those it does not judge: names
    from the document's own annotations, and names the document annotated wherever they occur)."""
    model = load_model()
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
    described = _described(document, [mentions[i] for i in judged], mentions, concepts)
    rows = [vector(names) for names in described]
    for i, probability in zip(judged, batch_scores(model["heads"]["mention"], rows)[:, 0], strict=True):
        scores[i] = float(probability)
    return scores


def _described(
    document: Document, judged: list[Mention], mentions: list[Mention], concepts: dict[str, Concept]
) -> list[list[str]]:
    """Features of the ``judged`` mentions; ``mentions`` (all of the document's) give the counts."""
    counts = Counter(m.concept_id for m in mentions)
    offsets = [p.offset for p in document.passages]  # passages come in text order
    return [
        features(
            document.passages[bisect.bisect_right(offsets, m.start) - 1],
            m,
            concepts.get(m.concept_id or ""),
            counts[m.concept_id],
        )
        for m in judged
    ]


def filter_mentions(
    document: Document, mentions: list[Mention], concepts: list[Concept]
) -> tuple[list[Mention], list[Concept]]:
    """The mentions the model keeps (its threshold from the shipped file) and the concepts they use."""
    model = load_model()
    if model is None:
        return mentions, concepts
    threshold = model["heads"]["mention"]["threshold"]
    by_id = {c.id: c for c in concepts}
    kept = [
        m for m, s in zip(mentions, mention_scores(document, mentions, by_id), strict=True) if s >= threshold
    ]
    used = {m.concept_id for m in kept}
    return kept, [c for c in concepts if c.id in used]


# --- learning (needs scikit-learn: pip install 'kg[train]') ------------------------------------------------


def _labelled(
    documents: list[Document], annotated: set[str], lexicon
) -> tuple[list[dict[int, float]], list[int]]:
    """kg's own grounded matches in training documents, labelled 1 where annotators marked an entity of
    that type overlapping the match, 0 where they marked none."""
    from kg.ground import ground_mentions
    from kg.recognise import find_mentions

    rows, labels = [], []
    for document in documents:
        grounded, concepts = ground_mentions(find_mentions(document, lexicon), lexicon)  # from the text only
        judged = [
            m for m in grounded if m.type.value in annotated and m.method in FILTERED_METHODS and m.concept_id
        ]
        gold = [a for a in document.annotations if a.start is not None and a.end is not None]
        described = _described(document, judged, grounded, {c.id: c for c in concepts})
        for mention, names in zip(judged, described, strict=True):
            kind = mention.type.value
            rows.append(vector(names))
            labels.append(
                int(any(a.type == kind and a.start < mention.end and mention.start < a.end for a in gold))
            )  # type: ignore[operator]
    return rows, labels


def learn(corpora: Path, output: Path = MODEL_PATH) -> dict[str, object]:
    """Learn the filter from the training splits of BC5CDR, NCBI Disease and BioRED; write the weights."""
    from sklearn.linear_model import LogisticRegression

    from kg.atomic import write_atomic
    from kg.lexicon import get_default_lexicon
    from kg.lexicon.learn import ANNOTATED_TYPES, training_documents

    lexicon = get_default_lexicon()
    documents = training_documents(Path(corpora))
    rows: list[dict[int, float]] = []
    labels: list[int] = []
    summary: dict[str, object] = {}
    for corpus, docs in sorted(documents.items()):
        corpus_rows, corpus_labels = _labelled(docs, ANNOTATED_TYPES[corpus], lexicon)
        rows += corpus_rows
        labels += corpus_labels
        summary[corpus] = {
            "documents": len(docs),
            "matches": len(corpus_labels),
            "mentions": sum(corpus_labels),
        }
    model = LogisticRegression(C=1.0, max_iter=3000).fit(sparse_matrix(rows), np.array(labels))
    head = head_json(["mention"], model.coef_, model.intercept_, THRESHOLD)
    data = {"format": 1, "method": METHOD, "trained_on": summary, "heads": {"mention": head}}
    write_atomic(output, json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    load_model.cache_clear()
    return summary

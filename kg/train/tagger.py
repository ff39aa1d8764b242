"""Learn the mention tagger (:mod:`kg.tag`): a BiLSTM-CRF trained in torch on CPU, exported for numpy.

``kg tagger learn --corpora DIR -o kg/data/tagger.npz`` (``make learn``):

1. Training sentences: the training splits of BC5CDR (diseases, chemicals), NCBI Disease (diseases),
   BioRED (diseases, chemicals, genes) with held-out PMIDs removed (:mod:`kg.train.corpora`), and BC2GM's
   training sentences (genes; ``corpora/extra/bc2gm``). Nothing from a development split.
2. Dictionary features from the lexicon *without* its learned files (``corpus_names.tsv`` and
   ``term_filter.tsv`` are learned from these same training documents, so on them the full dictionary is
   in-sample and a tagger trained on it would trust it too much). At run time the full lexicon feeds it.
3. Word vectors (:mod:`kg.train.embeddings`) initialise the word embeddings, which are then fine-tuned.
4. The network: word embedding + char CNN (30-d characters, 50 filters of width 3) + case (8-d) +
   dictionary bag (32-d) → dropout 0.5 → BiLSTM 100+100 → dropout → per head a linear {O, B, I} emission
   layer and a linear-chain CRF with O→I forbidden. A head is a (corpus, type) pair; a sentence's loss
   counts only the heads of its own corpus. Adam (sparse Adam for the word embeddings), lr 1e-3, batches of
   32 length-sorted sentences, gradient norm clipped at 5, word dropout 0.05, 30 % of dictionary
   mentions hidden per sentence (so names no vocabulary has are learned from context), 15 epochs.
5. Deterministic: one thread, fixed seeds, ``torch.use_deterministic_algorithms``, every set iterated
   sorted. The same corpora and lexicon give the same weights file.

The choices (features, heads per corpus, epochs) were made on the development splits; the experiment log
is summarised in the README.
"""

from __future__ import annotations

import io
import json
import logging
import random
import shutil
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from kg.atomic import write_atomic
from kg.ground import ground_mentions
from kg.lexicon import Lexicon, default_lexicon_dir
from kg.recognise import DictionaryMatcher
from kg.records import Annotation, Document, EntityType, Passage
from kg.tag import NO_FEATURE, Sentence, case_class, dictionary_features, split_tagger_sentences
from kg.train.corpora import ANNOTATED_TYPES, training_documents
from kg.train.embeddings import iter_iob_sentences, learn_word_vectors

__all__ = ["Settings", "bc2gm_documents", "learn", "npz_bytes"]

logger = logging.getLogger(__name__)

GENE_CORPUS = "bc2gm"
CORPUS_TYPES = {**ANNOTATED_TYPES, GENE_CORPUS: {"Gene"}}
TYPES = (EntityType.DISEASE, EntityType.CHEMICAL, EntityType.GENE)
NOT_ALLOWED = -10000.0


@dataclass(frozen=True)
class Settings:
    """The training recipe (defaults are the shipped model's)."""

    epochs: int = 15
    hidden: int = 100
    batch: int = 32
    learning_rate: float = 1e-3
    dropout: float = 0.5
    word_dropout: float = 0.05
    # Share of dictionary mentions hidden from a training sentence, so the tagger learns to find names no
    # vocabulary has from their context and form rather than trusting the dictionary alone.
    dictionary_dropout: float = 0.3
    seed: int = 1
    char_dimensions: int = 30
    char_filters: int = 50
    case_dimensions: int = 8
    feature_dimensions: int = 32
    max_documents: int | None = None  # per corpus (small runs, tests)


@dataclass(frozen=True)
class _Example:
    corpus: str
    sentence: Sentence
    features: list[tuple[str, ...]]
    labels: dict[str, list[int]]  # type -> tag per token (only the types the corpus annotates)


def _labels(sentence: Sentence, gold: list[tuple[int, int, str]], kind: str) -> list[int]:
    """O/B/I per token for the gold spans of one type (spans not on token boundaries are skipped)."""
    labels = [0] * len(sentence.tokens)
    starts = {start: i for i, (start, _) in enumerate(sentence.tokens)}
    ends = {end: i for i, (_, end) in enumerate(sentence.tokens)}
    for start, end, span_kind in sorted(gold, key=lambda g: (g[0], -(g[1] - g[0]))):
        if span_kind != kind or start not in starts or end not in ends:
            continue
        first, last = starts[start], ends[end]
        if last < first or any(labels[i] for i in range(first, last + 1)):
            continue
        labels[first] = 1
        for i in range(first + 1, last + 1):
            labels[i] = 2
    return labels


def _examples(corpus: str, documents: list[Document], matcher: DictionaryMatcher) -> list[_Example]:
    examples = []
    kinds = sorted(CORPUS_TYPES[corpus])
    for document in documents:
        bare = replace(document, annotations=(), relations=())
        grounded, _ = ground_mentions(matcher.find_mentions(bare), matcher.lexicon)
        ordered = sorted(grounded, key=lambda m: (m.start, m.end))
        gold = [
            (a.start, a.end, a.type)
            for a in document.annotations
            if a.start is not None and a.end is not None and a.type in kinds
        ]
        for sentence in split_tagger_sentences(document):
            examples.append(
                _Example(
                    corpus,
                    sentence,
                    dictionary_features(sentence, ordered),
                    {kind: _labels(sentence, gold, kind) for kind in kinds},
                )
            )
    return examples


def bc2gm_documents(corpora: Path, limit: int | None = None) -> list[Document]:
    """BC2GM's training sentences as one-passage documents (tokens joined by spaces) with gene spans."""
    documents = []
    for number, sentence in enumerate(iter_iob_sentences(corpora / "extra" / GENE_CORPUS / "train.tsv.gz")):
        if limit is not None and number >= limit:
            break
        text, spans = "", []
        current: list[int] | None = None
        for token, tag in sentence:
            text += " " if text else ""
            start = len(text)
            text += token
            if tag.startswith("B-") or (tag.startswith("I-") and current is None):
                current = [start, len(text)]
                spans.append(current)
            elif tag.startswith("I-") and current is not None:
                current[1] = len(text)
            else:
                current = None
        annotations = tuple(
            Annotation(text=text[a:b], type="Gene", ids=(), start=a, end=b, source=GENE_CORPUS)
            for a, b in spans
        )
        documents.append(
            Document(
                id=f"bc2gm-{number}",
                title="",
                passages=(Passage("sentence", 0, text),),
                annotations=annotations,
            )
        )
    return documents


def _lexicon_without_learned_files(work: Path, shipped: Path) -> Lexicon:
    """A lexicon's vocabularies without the files learned from the training documents."""
    copy = work / "lexicon"
    copy.mkdir()
    for name in ("concepts.tsv.gz", "terms.tsv.gz", "manifest.json"):
        shutil.copy(shipped / name, copy / name)
    return Lexicon.open(copy, cache=work / "cache")


class _Vocabulary:
    def __init__(self, examples: list[_Example], words: list[str]):
        self.words = {"<pad>": 0, "<unk>": 1}
        for word in words:
            self.words.setdefault(word, len(self.words))
        char_counts = Counter(c for e in examples for w in e.sentence.words for c in w)
        self.chars = {"<pad>": 0, "<unk>": 1}
        for char, count in sorted(char_counts.items()):
            if count >= 2:
                self.chars[char] = len(self.chars)
        feature_counts = Counter(f for e in examples for bag in e.features for f in bag)
        self.features = {"<pad>": 0, "-": 1}
        for feature, count in sorted(feature_counts.items()):
            if feature != "-" and count >= 2:
                self.features[feature] = len(self.features)

    def char_ids(self, word: str) -> list[int]:
        from kg.tag import MAX_CHARS

        if len(word) > MAX_CHARS:
            word = word[: MAX_CHARS // 2] + word[-MAX_CHARS // 2 :]
        return [self.chars.get(c, 1) for c in word]

    def feature_ids(self, bag: tuple[str, ...]) -> list[int]:
        return [self.features[f] for f in bag if f in self.features] or [1]


def learn(
    corpora: Path, output: Path, *, lexicon_dir: Path | None = None, settings: Settings | None = None
) -> dict[str, object]:
    """Train the tagger from the training splits and write it to ``output`` (see the module's description)."""
    import torch

    settings = settings or Settings()
    corpora = Path(corpora)
    started = time.monotonic()
    torch.set_num_threads(1)
    torch.manual_seed(settings.seed)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(settings.seed)

    documents = training_documents(corpora)
    documents[GENE_CORPUS] = bc2gm_documents(corpora)
    if settings.max_documents is not None:
        documents = {name: docs[: settings.max_documents] for name, docs in documents.items()}
    with tempfile.TemporaryDirectory(prefix="kg-tagger-") as work:
        lexicon = _lexicon_without_learned_files(Path(work), lexicon_dir or default_lexicon_dir())
        matcher = DictionaryMatcher(lexicon)
        examples = []
        for corpus in sorted(documents):
            examples += _examples(corpus, documents[corpus], matcher)
        word_list, vectors = learn_word_vectors(
            [d for name in sorted(ANNOTATED_TYPES) for d in documents[name]],
            corpora,
            lexicon_dir or default_lexicon_dir(),
        )
    logger.info("tagger: %d training sentences (%.0f s)", len(examples), time.monotonic() - started)
    vocabulary = _Vocabulary(examples, word_list)
    heads = [
        (corpus, kind.value)
        for corpus in sorted(documents)
        for kind in TYPES
        if kind.value in CORPUS_TYPES[corpus]
    ]
    model = _network(torch, vocabulary, heads, vectors, word_list, settings)
    losses = _train(torch, model, examples, vocabulary, heads, settings, rng)
    summary: dict[str, object] = {
        "documents": {name: len(docs) for name, docs in sorted(documents.items())},
        "sentences": len(examples),
        "heads": [list(h) for h in heads],
        "words": len(vocabulary.words),
        "epochs": settings.epochs,
        "final_loss": round(losses[-1], 4) if losses else None,
    }
    _export(model, vocabulary, heads, settings, summary, output)  # no timings inside: same bytes each run
    return {**summary, "seconds": round(time.monotonic() - started)}


def _network(
    torch, vocabulary: _Vocabulary, heads, vectors: np.ndarray, word_list: list[str], settings: Settings
):
    nn = torch.nn

    class Network(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            dimensions = vectors.shape[1]
            self.word_emb = nn.Embedding(len(vocabulary.words), dimensions, padding_idx=0, sparse=True)
            initial = np.random.RandomState(settings.seed).normal(0, 0.1, (len(vocabulary.words), dimensions))
            initial = initial.astype(np.float32)
            initial[0] = 0
            scale = vectors.std()
            for row, word in enumerate(word_list):
                initial[vocabulary.words[word]] = vectors[row] / scale * 0.1
            with torch.no_grad():
                self.word_emb.weight.copy_(torch.from_numpy(initial))
            self.char_emb = nn.Embedding(len(vocabulary.chars), settings.char_dimensions, padding_idx=0)
            self.char_conv = nn.Conv1d(settings.char_dimensions, settings.char_filters, 3, padding=1)
            self.case_emb = nn.Embedding(7, settings.case_dimensions)
            self.dict_emb = nn.EmbeddingBag(
                len(vocabulary.features), settings.feature_dimensions, mode="sum", padding_idx=0
            )
            self.drop = nn.Dropout(settings.dropout)
            width = (
                dimensions + settings.char_filters + settings.case_dimensions + settings.feature_dimensions
            )
            self.lstm = nn.LSTM(width, settings.hidden, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * settings.hidden, 3 * len(heads))
            self.crf_trans = nn.Parameter(torch.zeros(len(heads), 3, 3))
            self.crf_start = nn.Parameter(torch.zeros(len(heads), 3))
            mask_transitions = torch.zeros(3, 3)
            mask_transitions[0, 2] = NOT_ALLOWED  # O -> I
            mask_start = torch.zeros(3)
            mask_start[2] = NOT_ALLOWED  # no sentence starts inside a mention
            self.register_buffer("mask_transitions", mask_transitions)
            self.register_buffer("mask_start", mask_start)

        def transitions(self):
            return self.crf_trans + self.mask_transitions, self.crf_start + self.mask_start

        def forward(self, batch):
            count, steps = batch["words"].shape
            chars = self.char_emb(batch["chars"])
            convolved = torch.relu(self.char_conv(chars.transpose(1, 2)))
            convolved = convolved.masked_fill(~batch["char_mask"][:, None, :], 0.0)
            char_vectors = convolved.max(dim=2).values[batch["word_index"]]
            bags = self.dict_emb(batch["features"], batch["feature_offsets"]).view(count, steps, -1)
            x = torch.cat(
                [self.word_emb(batch["words"]), char_vectors, self.case_emb(batch["case"]), bags], dim=2
            )
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(
                x, batch["lengths"], batch_first=True, enforce_sorted=False
            )
            states, _ = self.lstm(packed)
            states, _ = nn.utils.rnn.pad_packed_sequence(states, batch_first=True, total_length=steps)
            return self.out(self.drop(states)).view(count, steps, len(heads), 3)

    return Network()


def _batch(
    torch,
    examples: list[_Example],
    vocabulary: _Vocabulary,
    heads,
    rng: random.Random,
    word_dropout: float,
    dictionary_dropout: float = 0.0,
):
    count = len(examples)
    lengths = [len(e.sentence.words) for e in examples]
    steps = max(lengths)
    words = torch.zeros(count, steps, dtype=torch.long)
    case = torch.zeros(count, steps, dtype=torch.long)
    tags = torch.zeros(count, steps, len(heads), dtype=torch.long)
    head_mask = torch.zeros(count, len(heads), dtype=torch.bool)
    distinct: dict[str, int] = {}
    word_index = torch.zeros(count, steps, dtype=torch.long)
    features: list[int] = []
    offsets: list[int] = []
    for row, example in enumerate(examples):
        ids = [vocabulary.words.get(w.lower(), 1) for w in example.sentence.words]
        if word_dropout:
            ids = [1 if rng.random() < word_dropout else i for i in ids]
        words[row, : len(ids)] = torch.tensor(ids)
        case[row, : len(ids)] = torch.tensor([case_class(w) for w in example.sentence.words])
        for t, word in enumerate(example.sentence.words):
            word_index[row, t] = distinct.setdefault(word, len(distinct))
        for k, (corpus, kind) in enumerate(heads):
            if corpus == example.corpus and kind in example.labels:
                head_mask[row, k] = True
                tags[row, : len(ids), k] = torch.tensor(example.labels[kind])
        bags = (
            _drop_mentions(example.features, rng, dictionary_dropout)
            if dictionary_dropout
            else example.features
        )
        for t in range(steps):
            offsets.append(len(features))
            features.extend(vocabulary.feature_ids(bags[t]) if t < len(ids) else [0])
    char_ids = [vocabulary.char_ids(w) for w in distinct]
    width = max(len(c) for c in char_ids)
    chars = torch.zeros(len(char_ids), width, dtype=torch.long)
    for row, ids in enumerate(char_ids):
        chars[row, : len(ids)] = torch.tensor(ids)
    char_mask = torch.arange(width)[None, :] < torch.tensor([len(c) for c in char_ids])[:, None]
    mask = torch.arange(steps)[None, :] < torch.tensor(lengths)[:, None]
    return {
        "words": words,
        "case": case,
        "chars": chars,
        "char_mask": char_mask,
        "word_index": word_index,
        "features": torch.tensor(features),
        "feature_offsets": torch.tensor(offsets),
        "lengths": torch.tensor(lengths),
        "tags": tags,
        "mask": mask,
        "head_mask": head_mask,
    }


def _drop_mentions(bags: list[tuple[str, ...]], rng: random.Random, rate: float) -> list[tuple[str, ...]]:
    """The feature bags with each dictionary mention (a U token, or B through L) hidden at ``rate``.

    >>> bags = [("d_Disease=B",), ("d_Disease=L",), ("-",), ("d_Gene=U",)]
    >>> _drop_mentions(bags, random.Random(0), 1.0)
    [('-',), ('-',), ('-',), ('-',)]
    """
    out = list(bags)
    dropping = False
    for t, bag in enumerate(bags):
        position = bag[0].rsplit("=", 1)[-1] if bag[0] != NO_FEATURE else ""
        if position in ("B", "U"):
            dropping = rng.random() < rate
        if dropping and position:
            out[t] = (NO_FEATURE,)
        if position in ("L", "U"):
            dropping = False
    return out


def _crf_loss(torch, emissions, tags, mask, head_mask, transitions, start):
    """Negative log-likelihood of the gold tags, summed over the heads each sentence's corpus annotates."""
    count, steps, heads, _ = emissions.shape
    emissions = emissions.permute(0, 2, 1, 3).reshape(count * heads, steps, 3)
    tags = tags.permute(0, 2, 1).reshape(count * heads, steps)
    mask = mask[:, None, :].expand(count, heads, steps).reshape(count * heads, steps)
    transitions = transitions[None].expand(count, heads, 3, 3).reshape(count * heads, 3, 3)
    start = start[None].expand(count, heads, 3).reshape(count * heads, 3)
    active = head_mask.reshape(count * heads)
    emissions, tags, mask, transitions, start = (
        emissions[active],
        tags[active],
        mask[active],
        transitions[active],
        start[active],
    )
    if emissions.shape[0] == 0:
        return emissions.sum()
    rows = torch.arange(emissions.shape[0])
    emitted = emissions.gather(2, tags[:, :, None]).squeeze(2)
    pairs = transitions[rows[:, None], tags[:, :-1], tags[:, 1:]] + emitted[:, 1:]
    gold = start[rows, tags[:, 0]] + emitted[:, 0] + (pairs * mask[:, 1:]).sum(1)
    alpha = start + emissions[:, 0]
    for t in range(1, steps):
        following = torch.logsumexp(alpha[:, :, None] + transitions, dim=1) + emissions[:, t]
        alpha = torch.where(mask[:, t : t + 1], following, alpha)
    return (torch.logsumexp(alpha, dim=1) - gold).sum()


def _train(torch, model, examples, vocabulary, heads, settings: Settings, rng: random.Random) -> list[float]:
    dense = [p for name, p in model.named_parameters() if name != "word_emb.weight"]
    optimisers = [
        torch.optim.SparseAdam([model.word_emb.weight], lr=settings.learning_rate),
        torch.optim.Adam(dense, lr=settings.learning_rate),
    ]
    losses = []
    for epoch in range(1, settings.epochs + 1):
        model.train()
        began = time.monotonic()
        order = list(range(len(examples)))
        rng.shuffle(order)
        batches = []
        for begin in range(0, len(order), settings.batch * 50):
            chunk = sorted(
                order[begin : begin + settings.batch * 50], key=lambda i: len(examples[i].sentence.words)
            )
            batches += [chunk[k : k + settings.batch] for k in range(0, len(chunk), settings.batch)]
        rng.shuffle(batches)
        total = 0.0
        for indexes in batches:
            batch = _batch(
                torch,
                [examples[i] for i in indexes],
                vocabulary,
                heads,
                rng,
                settings.word_dropout,
                settings.dictionary_dropout,
            )
            transitions, start = model.transitions()
            loss = _crf_loss(
                torch, model(batch), batch["tags"], batch["mask"], batch["head_mask"], transitions, start
            ) / len(indexes)
            for optimiser in optimisers:
                optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(dense, 5.0)
            for optimiser in optimisers:
                optimiser.step()
            total += loss.item()
        losses.append(total / max(len(batches), 1))
        logger.info("tagger epoch %d: loss %.3f (%.0f s)", epoch, losses[-1], time.monotonic() - began)
    model.eval()
    return losses


def _export(model, vocabulary: _Vocabulary, heads, settings: Settings, summary: dict, output: Path) -> None:
    """The weights as a ``.npz`` (word vectors in float16, the rest float32) with the vocabularies and
    heads as JSON in its ``meta`` entry; written atomically."""
    state = {name: value.detach().numpy() for name, value in model.state_dict().items()}
    transitions, start = (x.detach().numpy() for x in model.transitions())
    arrays = {name: value for name, value in state.items() if not name.startswith(("crf_", "mask_"))}
    arrays["word_emb.weight"] = arrays["word_emb.weight"].astype(np.float16)
    arrays["crf.trans"] = transitions
    arrays["crf.start"] = start
    meta = {
        "words": vocabulary.words,
        "chars": vocabulary.chars,
        "features": vocabulary.features,
        "heads": heads,
        "hidden": settings.hidden,
        "trained_on": summary,
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    write_atomic(output, npz_bytes(arrays))


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A ``.npz`` archive (what :func:`numpy.load` reads) with fixed member dates and order, so the same
    arrays give the same bytes (:func:`numpy.savez` stamps each member with the current time).

    >>> import io
    >>> np.load(io.BytesIO(npz_bytes({"a": np.arange(3)})))["a"].tolist()
    [0, 1, 2]
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()

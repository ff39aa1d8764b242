"""Which species each gene mention belongs to, and its gene in that species (after grounding).

A mouse paper's *Il4* is mouse Il4 (NCBIGene:16189), not human IL4: the lexicon offers a name's genes of
every species it covers (human, mouse, rat, zebrafish, fly), and this stage picks one species per gene
mention from its context, the way SR4GN and GNormPlus do, then the mention's gene of that species.

The cues, for each gene mention and each of the five species (:func:`feature_rows`):

* a species prefix on the mention (``hTERT``, ``mIL-4``, ``rTNF``, ``zfSox2``, ``dMyc``);
* an organism named right before it ("murine TNF", "human IL-4") or elsewhere in its sentence;
* the document's organisms (the title counts twice), cell lines as half-weight signals (HEK293 cells:
  human genes), people nouns ("patients");
* how the mention is written: its case shape (IL4 / Il4 / il4), whether it is written *exactly* as a symbol
  or alias of that species, and over the document, which species' symbols its gene mentions are written
  as ("Lyl1, Pim3, Trib3" is a mouse paper even without the word);
* which species' vocabularies know the name, and by which kind of name (symbol, full name, alias...).

A gradient-boosted tree model over these cues (learned by ``kg species learn``, :mod:`kg.train.species`,
shipped as ``kg/data/species.json``, scored with numpy, :class:`kg.models.TreeEnsemble`) picks the species
with the highest score; without it, rules decide (:func:`assign_by_rules`: prefix, adjacent organism, same
sentence, the document's main organism, human). The mention then keeps its candidate of that species; a
name the species' vocabulary lacks goes to the species' ortholog of the gene another species has by that
name ("interleukin-4" in a rat paper: rat Il4 through human IL4), else to the human gene, else the mention
is dropped (a fly gene's name in a paper about people is a word). Gene families (FamPlex) have no species
and stay as they are.

Organism mentions found by the dictionary become the document's organisms; a cell line ("HeLa") is only
a signal and is not kept as a mention.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from kg.lexicon import Lexicon
from kg.lexicon.kinds import SYMBOL_KINDS, NameKind
from kg.lexicon.species import TAXA
from kg.models import TreeEnsemble
from kg.records import Concept, Document, EntityType, Mention
from kg.text import split_sentences

__all__ = [
    "FEATURES",
    "TAXA",
    "Organism",
    "SpeciesContext",
    "assign_by_rules",
    "assign_species",
    "choose_gene",
    "feature_rows",
    "find_organisms",
    "shape",
]

HUMAN, MOUSE, RAT, ZEBRAFISH, FLY = TAXA
# Organism taxa that mean one of the five species for their genes (a genus, a subspecies).
_FOLD = {
    "NCBITaxon:10114": RAT,
    "NCBITaxon:10095": MOUSE,
    "NCBITaxon:10092": MOUSE,
    "NCBITaxon:7215": FLY,
    "NCBITaxon:7954": ZEBRAFISH,
    "NCBITaxon:9605": HUMAN,
}
# Organisms whose genes are studied in their own right but which the lexicon has no gene vocabulary for:
# yeasts, plants, worms, frogs, chicken, bacteria and phage, amoebae, parasites. A paper about one of them
# (and about none of the five species) names their genes: yeast RAD51 is not human RAD51.
WITHOUT_GENES = frozenset(
    f"NCBITaxon:{t}"
    for t in (4932, 4896, 5476, 4751, 3702, 4530, 4577, 33090, 6239, 8355, 8364, 9031, 562, 83333, 1423, 1773,
              10710, 44689, 5833)
)  # fmt: skip
_PREFIXES = (("zf", ZEBRAFISH), ("hu", HUMAN), ("mu", MOUSE), ("Dm", FLY), ("dm", FLY),
             ("h", HUMAN), ("m", MOUSE), ("r", RAT), ("z", ZEBRAFISH), ("d", FLY))  # fmt: skip
SHAPES = ("upper", "capitalised", "lower", "mixed", "other")
# How much each kind of name says (0 = a symbol; 9 = the species' vocabulary does not have the name).
_RANK = {
    NameKind.SYMBOL: 0,
    NameKind.CORPUS: 0,
    NameKind.NAME: 1,
    NameKind.ALIAS: 2,
    NameKind.PREVIOUS: 2,
    NameKind.SYNONYM: 2,
    NameKind.ORTHOLOG_NAME: 3,
    NameKind.DESIGNATION: 4,
}
_OTHER_RANK, _NO_RANK = 2, 9
_TRAILING = re.compile(r"\s*\b(?:genes?|proteins?|mRNAs?)$")

FEATURES: tuple[str, ...] = (
    *(f"is_{t.split(':')[1]}" for t in TAXA),
    *(f"shape_{s}" for s in SHAPES),
    *(f"{t.split(':')[1]}_x_{s}" for t in TAXA for s in SHAPES),
    "prefix_same",
    "prefix_other",
    "adjacent_same",
    "adjacent_other",
    "sentence_before_same",
    "sentence_after_same",
    "sentence_share",
    "sentence_organisms",
    "sentence_cell_line",
    "document_share",
    "document_count",
    "document_focus",
    "in_title",
    "document_organisms",
    "best_rank",
    "in_vocabulary",
    "genes_of_name",
    "species_with_name",
    "best_rank_human",
    "symbol_hit",
    "length",
    "exact_case",
    "exact_case_only_this",
    "exact_case_species",
    "document_exact_share",
    "document_exact_only_share",
    "document_exact_not_human_share",
    "document_cell_line_share",
    "document_people",
    "document_lab_cues",
)
# What a paper about a laboratory animal writes without naming it: knockout genotypes and lines, inbred
# strains, the cells of its immune system (NLM-Gene's "Rag2(-/-) splenocytes ... NK1.1, B220" is a mouse
# paper that never says "mice"), outbred rat stocks, zebrafish morphants.
_LAB_CUES = {
    MOUSE: re.compile(
        r"\(-/-\)|-/-|\b(?:knock-?out|KO|transgenic|C57BL|BALB/c|129/Sv|FVB|splenocytes|NK1\.1|B220|"
        r"Gr-?1|MEFs?|embryonic fibroblasts|NIH ?3T3|3T3-L1|MC3T3|RAW ?264\.7)\b"
    ),
    RAT: re.compile(r"\b(?:Sprague[- ]Dawley|Wistar|Long[- ]Evans|Fischer 344|F344|PC12|H9c2)\b"),
    ZEBRAFISH: re.compile(r"\b(?:morphants?|morpholinos?|dpf|hpf)\b"),
    FLY: re.compile(r"\b(?:imaginal discs?|UAS|GAL4|flies)\b"),
}


def fold(taxon: str) -> str:
    """The species whose genes an organism's mention speaks of (``NCBITaxon:10095``, Mus -> mouse)."""
    return _FOLD.get(taxon, taxon)


def shape(text: str) -> str:
    """How a gene name is written: ``upper`` (IL4), ``capitalised`` (Il4), ``lower`` (il4), ``mixed``.

    >>> [shape(t) for t in ("IL-4", "Il4", "il4", "mTOR", "1-2")]
    ['upper', 'capitalised', 'lower', 'mixed', 'other']
    """
    letters = re.sub(r"[^A-Za-z]", "", text)
    if not letters:
        return "other"
    if letters.isupper():
        return "upper"
    if letters.islower():
        return "lower"
    if letters[0].isupper() and letters[1:].islower():
        return "capitalised"
    return "mixed"


@dataclass(frozen=True, slots=True)
class Organism:
    """An organism mention, or a cell line (``cell_line``: a signal for its species' genes, no mention)."""

    start: int
    end: int
    taxon: str
    cell_line: bool = False


def find_organisms(mentions: Sequence[Mention], lexicon: Lexicon) -> tuple[list[Organism], list[Mention]]:
    """The organisms (and cell lines) among a document's grounded mentions, and the mentions to keep: every
    mention but the cell lines."""
    organisms, kept = [], []
    for mention in mentions:
        if mention.type is not EntityType.SPECIES or not mention.concept_id:
            kept.append(mention)
            continue
        kinds = {p.kind for p in lexicon.lookup(mention.text) if p.concept_id == mention.concept_id}
        cell_line = bool(kinds) and kinds <= {NameKind.CELL_LINE}
        organisms.append(Organism(mention.start, mention.end, mention.concept_id, cell_line))
        if not cell_line:
            kept.append(mention)
    return organisms, kept


@dataclass(frozen=True, slots=True)
class _NameCues:
    """What the vocabularies say about one gene name, per species (in :data:`TAXA` order)."""

    best_rank: tuple[int, ...]
    genes: tuple[int, ...]
    exact: frozenset[str]  # species with a symbol or alias written exactly so
    prefix: str | None  # the species a prefix names (hTERT: human)


class SpeciesContext:
    """A document's organisms and sentences, arranged for the species cues of its gene mentions."""

    def __init__(self, document: Document, organisms: Sequence[Organism], lexicon: Lexicon):
        self.document = document
        self.lexicon = lexicon
        self.organisms = sorted(organisms, key=lambda o: o.start)
        self._organism_starts = [o.start for o in self.organisms]
        self.sentences = [
            (passage.offset + start, passage.offset + end)
            for passage in document.passages
            for start, end in split_sentences(passage.text)
        ]
        self._sentence_starts = [start for start, _ in self.sentences]
        title_end = document.passages[0].end if document.passages else 0
        counts: dict[str, float] = defaultdict(float)  # a title counts twice, a cell line half
        for organism in self.organisms:
            weight = 0.5 if organism.cell_line else 1.0
            counts[fold(organism.taxon)] += 2 * weight if organism.start < title_end else weight
        self.counts = dict(counts)
        total = sum(counts.values())
        self.total = total
        self.share = {t: c / total for t, c in counts.items()} if total else {}
        self.focus = max(counts, key=counts.__getitem__) if counts else None
        self.title_taxa = {fold(o.taxon) for o in self.organisms if o.start < title_end}
        cells = Counter(fold(o.taxon) for o in self.organisms if o.cell_line)
        self.cell_share = {t: c / sum(cells.values()) for t, c in cells.items()} if cells else {}
        self.people = sum(1 for o in self.organisms if o.taxon == HUMAN and not o.cell_line)
        text = " ".join(passage.text for passage in document.passages)
        self.lab_cues = {taxon: float(len(cue.findall(text))) for taxon, cue in _LAB_CUES.items()}
        self._cues: dict[str, _NameCues] = {}

    def sentence_of(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._sentence_starts, position) - 1
        if index >= 0 and position < self.sentences[index][1]:
            return self.sentences[index]
        return position, position

    def around(self, start: int, end: int) -> tuple[list[Organism], list[Organism]]:
        """The organisms of the mention's sentence before it and after it."""
        first, last = self.sentence_of(start)
        low = bisect.bisect_left(self._organism_starts, first)
        high = bisect.bisect_left(self._organism_starts, max(last, end))
        inside = self.organisms[low:high]
        return [o for o in inside if o.end <= start], [o for o in inside if o.start >= end]

    def adjacent(self, start: int, before: list[Organism]) -> Organism | None:
        """An organism right before the mention ("murine TNF", "mouse Il4": at most a word between)."""
        if not before:
            return None
        last = before[-1]
        try:
            gap = self.document.text_at(last.end, start)
        except ValueError:
            return None
        return last if len(gap) < 25 and len(re.findall(r"[A-Za-z0-9]+", gap)) <= 1 else None

    def cues(self, text: str) -> _NameCues:
        """What the vocabularies say about a name (memoised per document)."""
        found = self._cues.get(text)
        if found is None:
            found = self._cues[text] = _name_cues(text, self.lexicon)
        return found


def _taxon_of(lexicon: Lexicon, curie: str) -> str:
    concept = lexicon.get_concept(curie)
    return concept.taxon if concept else ""


def _name_cues(text: str, lexicon: Lexicon) -> _NameCues:
    stripped = _TRAILING.sub("", text) or text
    best = dict.fromkeys(TAXA, _NO_RANK)
    genes: dict[str, set[str]] = {t: set() for t in TAXA}
    exact: set[str] = set()
    for posting in lexicon.lookup(stripped):
        taxon = _taxon_of(lexicon, posting.concept_id)
        if taxon not in best:
            continue
        best[taxon] = min(best[taxon], _RANK.get(posting.kind, _OTHER_RANK))  # type: ignore[call-overload]
        genes[taxon].add(posting.concept_id)
        if posting.kind in SYMBOL_KINDS and posting.case_sensitive_surface == stripped:
            exact.add(taxon)
    return _NameCues(
        tuple(best[t] for t in TAXA),
        tuple(len(genes[t]) for t in TAXA),
        frozenset(exact),
        _prefix(text, lexicon),
    )


def _prefix(text: str, lexicon: Lexicon) -> str | None:
    """The species a prefix on a gene name names: ``hTERT`` (human) when TERT is a gene's name."""
    for prefix, taxon in _PREFIXES:
        rest = text[len(prefix) :].lstrip("-")
        if (
            text.startswith(prefix)
            and len(rest) > 1
            and (rest[0].isupper() or rest[0].isdigit())
            and any(_taxon_of(lexicon, p.concept_id) in (taxon, HUMAN) for p in lexicon.lookup(rest))
        ):
            return taxon
    return None


def feature_rows(context: SpeciesContext, genes: Sequence[tuple[int, int, str]]) -> np.ndarray:
    """The cues (:data:`FEATURES`) of each gene mention ``(start, end, text)`` for each species in
    :data:`TAXA` order: ``len(genes) * 5`` rows."""
    cues = [context.cues(text) for _, _, text in genes]
    written = {text: c.exact for (_, _, text), c in zip(genes, cues, strict=True)}
    known = max(1, sum(1 for exact in written.values() if exact))
    exact_share = {t: sum(1 for e in written.values() if t in e and len(e) < len(TAXA)) / known for t in TAXA}
    exact_only = {t: sum(1 for e in written.values() if e == {t}) / known for t in TAXA}
    # written as this species writes its symbols where human would not ("Ctr9, Sox2, Nanog"): the case
    # convention of a paper about mice that never says "mice"
    not_human = {t: sum(1 for e in written.values() if t in e and HUMAN not in e) / known for t in TAXA}
    not_human[HUMAN] = sum(1 for e in written.values() if e == {HUMAN}) / known
    rows: list[np.ndarray] = []
    for (start, end, text), cue in zip(genes, cues, strict=True):
        before, after = context.around(start, end)
        adjacent = fold(a.taxon) if (a := context.adjacent(start, before)) is not None else None
        in_sentence = Counter(fold(o.taxon) for o in before + after if not o.cell_line)
        cell_lines = {fold(o.taxon) for o in before + after if o.cell_line}
        named = sum(in_sentence.values())
        last_before = fold(before[-1].taxon) if before else None
        first_after = fold(after[0].taxon) if after and not before else None
        species_named = float(sum(1 for n in cue.genes if n))
        cues_of_name = [
            [
                float(cue.prefix == taxon),
                float(cue.prefix is not None and cue.prefix != taxon),
                float(adjacent == taxon),
                float(adjacent is not None and adjacent != taxon),
                float(last_before == taxon),
                float(first_after == taxon),
                in_sentence[taxon] / named if named else 0.0,
                float(named),
                float(taxon in cell_lines),
                context.share.get(taxon, 0.0),
                context.counts.get(taxon, 0.0),
                float(context.focus == taxon),
                float(taxon in context.title_taxa),
                context.total,
                float(cue.best_rank[index]),
                float(cue.genes[index] > 0),
                float(cue.genes[index]),
                species_named,
                float(cue.best_rank[0]),
                float(cue.best_rank[index] == 0),
                float(len(text)),
                float(taxon in cue.exact),
                float(cue.exact == {taxon}),
                float(len(cue.exact)),
                exact_share[taxon],
                exact_only[taxon],
                not_human[taxon],
                context.cell_share.get(taxon, 0.0),
                float(context.people),
                context.lab_cues.get(taxon, 0.0),
            ]
            for index, taxon in enumerate(TAXA)
        ]
        rows.append(np.hstack([_ONE_HOT[SHAPES.index(shape(text))], np.array(cues_of_name)]))
    if not rows:
        return np.zeros((0, len(FEATURES)))
    return np.vstack(rows)


def _one_hot() -> np.ndarray:
    """For each shape, the five rows' species, shape and species x shape indicators."""
    table = np.zeros((len(SHAPES), len(TAXA), len(TAXA) + len(SHAPES) + len(TAXA) * len(SHAPES)))
    for s in range(len(SHAPES)):
        for t in range(len(TAXA)):
            table[s, t, t] = 1.0
            table[s, t, len(TAXA) + s] = 1.0
            table[s, t, len(TAXA) + len(SHAPES) + t * len(SHAPES) + s] = 1.0
    return table


_ONE_HOT = _one_hot()  # read-only


def assign_by_rules(context: SpeciesContext, genes: Sequence[tuple[int, int, str]]) -> list[str]:
    """SR4GN-style rules, the first that applies wins: a species prefix (hTERT), an organism right before
    the mention, the nearest organism of its sentence (before it first), the document's main organism,
    human. Only the five species with gene vocabularies count."""
    result = []
    for start, end, text in genes:
        before, after = context.around(start, end)
        before = [o for o in before if fold(o.taxon) in TAXA]
        after = [o for o in after if fold(o.taxon) in TAXA]
        adjacent = context.adjacent(start, before)
        taxon = context.cues(text).prefix
        if taxon is None and adjacent is not None:
            taxon = fold(adjacent.taxon)
        if taxon is None and (before or after):
            taxon = fold(before[-1].taxon if before else after[0].taxon)
        if taxon is None:
            covered = {t: c for t, c in context.counts.items() if t in TAXA}
            taxon = max(covered, key=covered.__getitem__) if covered else HUMAN
        result.append(taxon)
    return result


def assign_by_model(
    model: TreeEnsemble, context: SpeciesContext, genes: Sequence[tuple[int, int, str]]
) -> list[str]:
    """The species the model scores highest for each gene mention."""
    if not genes:
        return []
    scores = model.raw_scores(feature_rows(context, genes)).reshape(len(genes), len(TAXA))
    return [TAXA[i] for i in scores.argmax(axis=1)]


def choose_gene(
    candidates: Sequence[str], taxon: str, lexicon: Lexicon, preference: Callable[[str], tuple] | None = None
) -> str | None:
    """A gene mention's concept once its species is known: its best candidate of that species (by
    ``preference``, else in candidate order); else that species' ortholog of a candidate; else its human
    candidate; else None."""
    taxa = {c: _taxon_of(lexicon, c) for c in candidates}
    own = [c for c in candidates if taxa[c] == taxon]
    if own:
        return min(own, key=preference) if preference else own[0]
    for candidate in candidates:  # orthologs go through human genes: mouse -> human -> rat
        human = [candidate] if taxa[candidate] == HUMAN else _orthologs(lexicon, candidate)
        for gene in human:
            for ortholog in _orthologs(lexicon, gene):
                if _taxon_of(lexicon, ortholog) == taxon:
                    return ortholog
    return next((c for c in candidates if taxa[c] == HUMAN), None)


def _orthologs(lexicon: Lexicon, curie: str) -> tuple[str, ...]:
    concept = lexicon.get_concept(curie)
    return concept.orthologs if concept else ()


# "RNA polymerase II associated factor, homolog (Saccharomyces cerevisiae)": a mouse gene's full name.
_HOMOLOG_OF = re.compile(r"homolog(?:ue)?s?\s*(?:\(|of\s)$", re.IGNORECASE)


def _studies_an_organism_without_genes(document: Document, organisms: Sequence[Organism]) -> bool:
    """Whether the document names an organism of :data:`WITHOUT_GENES` in its title or twice elsewhere
    (not counting names inside a gene's name), so that it is what the paper studies."""
    title_end = document.passages[0].end if document.passages else 0
    count = 0
    for organism in organisms:
        if organism.taxon in WITHOUT_GENES:
            passage = next(p for p in document.passages if p.offset <= organism.start < p.end)
            before = passage.text[
                max(0, organism.start - passage.offset - 12) : organism.start - passage.offset
            ]
            if not _HOMOLOG_OF.search(before):
                count += 2 if organism.start < title_end else 1
    return count >= 2


# A paper that names no organism and no cell line, yet writes most of its gene symbols as only mouse (and rat)
# symbols are written, studies mice (NLM-Gene PMID 22808010: "Lyl1, Gas5, Pim3 ... Socs3, Spred2"). The
# model, which learned that papers naming no organism are about people, would make them human genes.
# Chosen on the training splits (BioRED train genes 0.774 -> 0.790, NLM-Gene training part unchanged).
_MOUSE_WRITTEN_SHARE = 0.7
_MOUSE_WRITTEN_FORMS = 3


def _written_as_mouse(context: SpeciesContext, spans: Sequence[tuple[int, int, str]]) -> bool:
    """Whether the paper names no organism (nor cell line, nor another species' laboratory cue) and writes
    at least :data:`_MOUSE_WRITTEN_SHARE` of its gene symbols (distinct forms the vocabularies know in their
    case) as mouse writes them and human does not."""
    if context.organisms or any(n for taxon, n in context.lab_cues.items() if taxon != MOUSE):
        return False  # (a rat stock, a morphant... would say which species writes so)
    known = [cues for text in {text for _, _, text in spans} if (cues := context.cues(text).exact)]
    if len(known) < _MOUSE_WRITTEN_FORMS:
        return False
    mouse = sum(1 for exact in known if MOUSE in exact and HUMAN not in exact)
    return mouse >= _MOUSE_WRITTEN_SHARE * len(known)


def assign_species(
    model: TreeEnsemble | None,
    document: Document,
    mentions: Sequence[Mention],
    concepts: Sequence[Concept],
    lexicon: Lexicon,
) -> tuple[list[Mention], list[Concept]]:
    """Each gene mention's species and gene in that species; cell-line mentions left out (they are signals).
    Returns the mentions and the concepts they use."""
    organisms, kept = find_organisms(mentions, lexicon)
    genes = [
        i
        for i, m in enumerate(kept)
        if m.type is EntityType.GENE and m.concept_id and _taxon_of(lexicon, m.concept_id) and m.candidates
    ]
    by_id = {c.id: c for c in concepts}
    if not genes:
        return kept, [c for c in concepts if c.id in {m.concept_id for m in kept}]
    context = SpeciesContext(document, organisms, lexicon)
    if not set(context.counts) & set(TAXA) and _studies_an_organism_without_genes(document, organisms):
        # a paper about yeast, a plant, a worm... and no species kg has genes for: its genes are theirs
        dropped = set(genes)
        final = [m for i, m in enumerate(kept) if i not in dropped]
        used = {m.concept_id for m in final}
        return final, [c for c in concepts if c.id in used]
    spans = [(kept[i].start, kept[i].end, kept[i].text) for i in genes]
    # Nothing in the paper speaks of another species (no organism, no cell line, no symbol written as
    # another species writes it): human, without asking the model.
    other_species = any(fold(o.taxon) in TAXA[1:] for o in organisms) or any(
        context.cues(text).exact - {HUMAN} for text in {text for _, _, text in spans}
    )
    if not other_species:
        taxa = [HUMAN] * len(genes)
    elif _written_as_mouse(context, spans):
        taxa = [MOUSE] * len(genes)
    elif model is not None:
        taxa = assign_by_model(model, context, spans)
    else:
        taxa = assign_by_rules(context, spans)
    # Prefer, among a species' candidates, the gene the paper names unambiguously elsewhere.
    chosen_alone: Counter[str] = Counter()
    for i, taxon in zip(genes, taxa, strict=True):
        own = [c for c in kept[i].candidates if _taxon_of(lexicon, c) == taxon]
        if len(own) == 1:
            chosen_alone[own[0]] += 1
    order: dict[str, int] = {}

    def preference(curie: str) -> tuple[int, int]:
        return (-chosen_alone[curie], order[curie])

    result = list(kept)
    for i, taxon in zip(genes, taxa, strict=True):
        mention = kept[i]
        named = context.adjacent(mention.start, context.around(mention.start, mention.end)[0])
        if named is not None and named.taxon in WITHOUT_GENES:  # "yeast Rad51", "E. coli lacZ"
            result[i] = replace(mention, concept_id=None)
            continue
        order.clear()
        order.update((c, n) for n, c in enumerate(mention.candidates))
        gene = choose_gene(mention.candidates, taxon, lexicon, preference)
        if gene is None:
            result[i] = replace(mention, concept_id=None)
            continue
        if gene not in by_id:
            concept = lexicon.get_concept(gene)
            if concept is None:
                result[i] = replace(mention, concept_id=None)
                continue
            by_id[gene] = concept
        result[i] = replace(mention, concept_id=gene)
    final = [m for m in result if m.concept_id]
    used = {m.concept_id for m in final}
    return final, sorted((c for c in by_id.values() if c.id in used), key=lambda c: c.id)

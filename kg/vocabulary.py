"""A user's own vocabularies, layered over the shipped lexicon: read, checked, and turned into an overlay.

A dermatology group's term list, an OBO or OWL file, or an SSSOM mapping set adds concepts (or names and IDs
of existing ones) without rebuilding the lexicon:

* :func:`read_vocabulary` reads OBO with **fastobo** (the Rust parser under pronto, which ``kg load`` uses;
  pronto itself refuses an ``is_a`` to a term the file does not define, and a vocabulary's parents are
  usually another ontology's), OWL (RDF/XML or Turtle, as the OBO-to-OWL mapping writes it) with
  pyoxigraph, SSSOM/TSV (its ``curie_map`` and ``skos:exactMatch`` rows) and a simple TSV (``id, name, synonyms, category, parents, xrefs``; lists
  separated by ``|``; a ``# prefix P: IRI`` comment declares a prefix kg does not know).
* :func:`check_vocabulary` refuses what would damage the graph, naming each problem: IDs whose prefix is
  neither kg's nor declared, an ID twice, an ID the lexicon gives another concept, parents that are nowhere,
  a cycle of parents, and names that would shadow the lexicon or the text (names of many lexicon concepts,
  common English words, names too short to be names).
* :class:`Overlay` is what extraction uses: a term whose ID or cross-reference the lexicon knows joins that
  concept (its ID and names added to it); any other becomes a concept of its own, placed under its parents.
  Its names are matched in every document like a paper's own annotations, so they win over the dictionary
  and the tagger, and a name no vocabulary had (the seed paper's *acquired reactive perforating
  collagenosis*) becomes the user's term instead of a local ``KG:`` concept.

``kg lexicon add FILE`` checks a vocabulary and stores it, as JSON, beside the compiled lexicon (in
``KG_CACHE_DIR``): every later build uses it until ``kg lexicon remove NAME``; ``kg build --vocabulary
FILE`` uses one for one build.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.atomic import write_atomic
from kg.biolink import Category
from kg.categories import category_of, entity_type_of
from kg.errors import IdentifierError, InputError
from kg.identifiers import normalize_curie
from kg.lexicon import Lexicon, cache_root, default_lexicon_dir
from kg.records import Concept, EntityType
from kg.text import tokenize

__all__ = [
    "VOCABULARY_METHOD",
    "Overlay",
    "Term",
    "Vocabulary",
    "VocabularyError",
    "add_vocabulary",
    "check_vocabulary",
    "load_vocabulary",
    "read_vocabulary",
    "registered_vocabularies",
    "remove_vocabulary",
    "vocabulary_dir",
]

VOCABULARY_METHOD = "vocabulary"  # the method of mentions of a user's vocabulary's names
# A name matching more lexicon concepts than this would take over their mentions.
MAX_SHADOWED = 3
_DECLARED = re.compile(r"^#\s*prefix\s+([A-Za-z][\w.-]*)\s*:\s*(\S+)\s*$")
_LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")


class VocabularyError(InputError):
    """A vocabulary kg will not use, with every problem found."""


@dataclass(frozen=True, slots=True)
class Term:
    """One concept of a user's vocabulary."""

    id: str
    name: str
    category: str = Category.DISEASE.value
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A user's vocabulary as read: its terms, the prefixes it declares, and its exact mappings."""

    name: str
    source: str
    terms: tuple[Term, ...] = ()
    prefixes: tuple[tuple[str, str], ...] = ()
    mappings: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()  # what the check left out (xrefs to databases kg does not know)

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        data = json.loads(text)
        return cls(
            data["name"],
            data["source"],
            tuple(
                Term(
                    t["id"],
                    t["name"],
                    t["category"],
                    *(tuple(t[k]) for k in ("synonyms", "parents", "xrefs")),
                )
                for t in data["terms"]
            ),
            tuple((p[0], p[1]) for p in data["prefixes"]),
            tuple((m[0], m[1]) for m in data["mappings"]),
            tuple(data.get("notes", ())),
        )


# --- reading -------------------------------------------------------------------------------------------


def _category(text: str) -> str:
    text = text.strip()
    if not text:
        return Category.DISEASE.value
    candidates = [text, f"biolink:{text}"]
    for candidate in candidates:
        if entity_type_of(candidate) is not None:
            return candidate
    made = category_of(text.capitalize())
    if made is not None:
        return made.value
    raise ValueError(f"category {text!r} is not one kg tags (Disease, Gene, Chemical, biolink:Drug...)")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[|;]", text or "") if part.strip())


def _read_obo(path: Path) -> tuple[list[Term], list[tuple[str, str]]]:
    """Terms of an OBO file, read with fastobo (the parser under pronto, which refuses an ``is_a`` to a
    term the file does not define: a vocabulary's parents are usually another ontology's)."""
    import fastobo

    try:
        document = fastobo.load(str(path))
    except (SyntaxError, ValueError, OSError) as error:  # fastobo reports malformed OBO as SyntaxError
        raise VocabularyError(
            f"{path}: not valid OBO ({str(error).splitlines()[0][:200].replace('<stdin>', 'the file')})"
        ) from None
    prefixes = sorted(
        (str(c.prefix), str(c.url)) for c in document.header if type(c).__name__ == "IdspaceClause"
    )
    terms = []
    for frame in document:
        if type(frame).__name__ != "TermFrame":
            continue
        fields: dict[str, list[str]] = {
            "name": [],
            "synonyms": [],
            "parents": [],
            "xrefs": [],
            "obsolete": [],
        }
        for clause in frame:
            kind = type(clause).__name__
            if kind == "NameClause":
                fields["name"].append(str(clause.name))
            elif kind == "SynonymClause" and clause.synonym.scope == "EXACT":
                fields["synonyms"].append(str(clause.synonym.desc))
            elif kind == "IsAClause":
                fields["parents"].append(str(clause.term))
            elif kind == "XrefClause":
                fields["xrefs"].append(str(clause.xref.id))
            elif kind == "IsObsoleteClause" and clause.obsolete:
                fields["obsolete"].append("yes")
        if fields["obsolete"] or not fields["name"]:
            continue
        terms.append(
            Term(
                str(frame.id),
                fields["name"][0],
                Category.DISEASE.value,
                tuple(sorted(fields["synonyms"])),
                tuple(sorted(fields["parents"])),
                tuple(sorted(fields["xrefs"])),
            )
        )
    return sorted(terms, key=lambda t: t.id), prefixes


_OBO = "http://purl.obolibrary.org/obo/"
_OWL_PREDICATES = {
    "http://www.w3.org/2000/01/rdf-schema#label": "name",
    "http://www.geneontology.org/formats/oboInOwl#hasExactSynonym": "synonyms",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "parents",
    "http://www.geneontology.org/formats/oboInOwl#hasDbXref": "xrefs",
    "http://www.w3.org/2002/07/owl#deprecated": "obsolete",
}


def _read_owl(path: Path) -> tuple[list[Term], list[tuple[str, str]]]:
    """Named classes of an OWL file (RDF/XML or Turtle), read with pyoxigraph: label, exact synonyms,
    named superclasses, database xrefs (as the OBO-to-OWL mapping writes them)."""
    import pyoxigraph as ox

    from kg.identifiers import compress

    formats = {".owl": ox.RdfFormat.RDF_XML, ".rdf": ox.RdfFormat.RDF_XML, ".ttl": ox.RdfFormat.TURTLE}
    try:
        triples = list(ox.parse(path=str(path), format=formats[path.suffix.lower()]))
    except (SyntaxError, ValueError, OSError) as error:
        raise VocabularyError(f"{path}: not valid RDF ({str(error).splitlines()[0][:200]})") from None
    declared: dict[str, str] = {}

    def curie(term: object) -> str | None:
        if not isinstance(term, ox.NamedNode):
            return None
        iri = term.value
        known = compress(iri)
        if known:
            return known
        if iri.startswith(_OBO) and "_" in iri[len(_OBO) :]:  # an OBO PURL kg does not know: declare it
            prefix, local = iri[len(_OBO) :].split("_", 1)
            declared[prefix] = f"{_OBO}{prefix}_"
            return f"{prefix}:{local}"
        return None

    classes = {
        t.subject.value
        for t in triples
        if t.predicate.value.endswith("#type") and t.object.value == "http://www.w3.org/2002/07/owl#Class"
    }
    fields: dict[str, dict[str, list[str]]] = {}
    for triple in triples:
        key = _OWL_PREDICATES.get(triple.predicate.value)
        if key is None or not isinstance(triple.subject, ox.NamedNode) or triple.subject.value not in classes:
            continue
        values = fields.setdefault(triple.subject.value, {k: [] for k in _OWL_PREDICATES.values()})
        if key == "parents":
            parent = curie(triple.object)
            if parent:
                values[key].append(parent)
        elif isinstance(triple.object, ox.Literal):
            values[key].append(triple.object.value)
    terms = []
    for iri, values in sorted(fields.items()):
        term_id = curie(ox.NamedNode(iri))
        if term_id is None or not values["name"] or "true" in values["obsolete"]:
            continue
        terms.append(
            Term(
                term_id,
                sorted(values["name"])[0],
                Category.DISEASE.value,
                tuple(sorted(values["synonyms"])),
                tuple(sorted(values["parents"])),
                tuple(sorted(values["xrefs"])),
            )
        )
    return terms, sorted(declared.items())


def _read_sssom(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    prefixes = []
    in_map = False
    for line in lines:
        if not line.startswith("#"):
            break
        body = line[1:]
        if body.strip() == "curie_map:":
            in_map = True
        elif in_map and body.startswith("  ") and ":" in body:
            name, value = body.strip().split(":", 1)
            prefixes.append((name.strip(), value.strip().strip("\"'")))
        else:
            in_map = False
    rows = csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t")
    if not rows.fieldnames or not {"subject_id", "predicate_id", "object_id"} <= set(rows.fieldnames):
        raise VocabularyError(f"{path}: an SSSOM file needs subject_id, predicate_id and object_id columns")
    mappings = [(r["subject_id"], r["object_id"]) for r in rows if r["predicate_id"] == "skos:exactMatch"]
    return mappings, prefixes


def _read_tsv(path: Path) -> tuple[list[Term], list[tuple[str, str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    prefixes = [m.groups() for m in map(_DECLARED.match, lines) if m]
    rows = csv.DictReader(
        (line for line in lines if line.strip() and not line.startswith("#")), delimiter="\t"
    )
    if not rows.fieldnames or not {"id", "name"} <= set(rows.fieldnames):
        raise VocabularyError(
            f"{path}: a TSV vocabulary needs a header with id and name (then synonyms, category, parents, xrefs)"
        )
    terms = []
    for number, row in enumerate(rows, start=2):
        try:
            category = _category(row.get("category") or "")
        except ValueError as error:
            raise VocabularyError(f"{path}, line {number}: {error}") from None
        terms.append(
            Term(
                (row["id"] or "").strip(),
                (row["name"] or "").strip(),
                category,
                _split(row.get("synonyms") or ""),
                _split(row.get("parents") or ""),
                _split(row.get("xrefs") or ""),
            )
        )
    return terms, [(a, b) for a, b in prefixes]


def read_vocabulary(path: str | Path) -> Vocabulary:
    """Read an OBO/OWL ontology, an SSSOM mapping set or a TSV term list (by its name's ending)."""
    path = Path(path)
    if not path.is_file():
        raise VocabularyError(f"{path}: no such file")
    name = path.name.split(".")[0]
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith(".obo"):
        terms, prefixes = _read_obo(path)
        return Vocabulary(name, str(path), tuple(terms), tuple(prefixes))
    if suffixes.endswith((".owl", ".rdf", ".ttl")):
        terms, prefixes = _read_owl(path)
        return Vocabulary(name, str(path), tuple(terms), tuple(prefixes))
    if suffixes.endswith(".sssom.tsv"):
        mappings, prefixes = _read_sssom(path)
        return Vocabulary(name, str(path), (), tuple(prefixes), tuple(sorted(set(mappings))))
    if suffixes.endswith((".tsv", ".txt")):
        terms, prefixes = _read_tsv(path)
        return Vocabulary(name, str(path), tuple(terms), tuple(prefixes))
    raise VocabularyError(f"{path}: not a vocabulary kg reads (.obo, .owl, .ttl, .sssom.tsv, .tsv)")


# --- checking ------------------------------------------------------------------------------------------


def _curie(text: str, declared: Mapping[str, str]) -> str:
    """``text`` as a CURIE with a prefix kg knows (Biolink's spelling) or one the vocabulary declares."""
    prefix, _, local = text.partition(":")
    if prefix in declared and local and _LOCAL_ID.match(local):
        return text
    return normalize_curie(text)


def _cycle(parents: Mapping[str, tuple[str, ...]]) -> list[str]:
    """One cycle of the parent relation among the vocabulary's own terms (``[]`` when there is none)."""
    state: dict[str, int] = {}
    for start in sorted(parents):
        stack = [(start, iter(parents.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            following = next(children, None)
            if following is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if following not in parents:
                continue
            if state.get(following) == 1:
                return [*path[path.index(following) :], following]
            if following not in state:
                state[following] = 1
                stack.append((following, iter(parents.get(following, ()))))
                path.append(following)
    return []


@functools.cache
def _common_words() -> frozenset[str]:
    """English words kg's curated lists keep from being names (``ontologies/curated/gene_stop.txt``)."""
    path = default_lexicon_dir().parent / "curated" / "gene_stop.txt"
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_vocabulary(vocabulary: Vocabulary, lexicon: Lexicon) -> Vocabulary:
    """The vocabulary with its IDs in kg's spelling, or :class:`VocabularyError` listing every problem."""
    declared = dict(vocabulary.prefixes)
    problems: list[str] = []
    skipped: Counter[str] = Counter()
    terms: list[Term] = []
    seen: set[str] = set()

    def curie(text: str, where: str) -> str | None:
        try:
            return _curie(text, declared)
        except IdentifierError as error:
            problems.append(f"{where}: {error} (declare the prefix, e.g. '# prefix DERM: https://...')")
            return None

    for term in vocabulary.terms:
        term_id = curie(term.id, f"term {term.id!r}")
        if term_id is None:
            continue
        if term_id in seen:
            problems.append(f"term {term_id}: the ID is given twice")
        seen.add(term_id)
        if not term.name:
            problems.append(f"term {term_id}: no name")
        xrefs = []
        for xref in term.xrefs:  # cross-references to databases kg does not know are left out, and said
            try:
                xrefs.append(_curie(xref, declared))
            except IdentifierError:
                skipped[xref.partition(":")[0]] += 1
        parents = tuple(p for p in (curie(p, f"term {term_id}, parent") for p in term.parents) if p)
        terms.append(Term(term_id, term.name, term.category, term.synonyms, parents, tuple(xrefs)))
    own = {t.id for t in terms}
    common = _common_words()
    for term in terms:
        known = lexicon.get_concept(term.id)
        if known is not None:
            names = {n.lower() for n in (known.label, *known.synonyms)}
            if term.name.lower() not in names:
                problems.append(
                    f"term {term.id} ({term.name!r}): the lexicon has this ID for another concept, "
                    f"{known.id} ({known.label!r})"
                )
        for parent in term.parents:
            if parent not in own and lexicon.get_preferred_id(parent) is None:
                problems.append(
                    f"term {term.id}: parent {parent} is neither in the vocabulary nor in the lexicon"
                )
        itself = {p for p in map(lexicon.get_preferred_id, (term.id, *term.xrefs)) if p}
        for name in (term.name, *term.synonyms):
            words = [t.norm for t in tokenize(name)]
            if len("".join(words)) < 3:
                problems.append(f"term {term.id}: the name {name!r} is too short to be matched safely")
                continue
            if name.lower() in common:
                problems.append(
                    f"term {term.id}: the name {name!r} is a common English word: it would match everywhere"
                )
                continue
            meanings = {p.concept_id for p in lexicon.lookup(name)}
            if len(meanings) > MAX_SHADOWED and not meanings & itself:  # a lexicon concept's own name is fine
                problems.append(
                    f"term {term.id}: the name {name!r} would shadow {len(meanings)} lexicon concepts "
                    f"({', '.join(sorted(meanings)[:3])}, ...)"
                )
    if not vocabulary.terms and not vocabulary.mappings:
        problems.append("no terms and no mappings: nothing to add")
    cycle = _cycle({t.id: t.parents for t in terms})
    if cycle:
        problems.append(f"the parents make a cycle: {' -> '.join(cycle)}")
    mappings = []
    for subject, obj in vocabulary.mappings:
        a, b = curie(subject, "mapping subject"), curie(obj, "mapping object")
        if a and b:
            mappings.append((a, b))
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise VocabularyError(f"{vocabulary.source}: {len(problems)} problem(s), not used:\n{listed}{more}")
    notes = tuple(
        f"{n} xrefs of prefix {p} left out (a prefix kg does not know, or IDs not valid)"
        for p, n in sorted(skipped.items())
    )
    return Vocabulary(
        vocabulary.name,
        vocabulary.source,
        tuple(terms),
        vocabulary.prefixes,
        tuple(sorted(set(mappings))),
        notes,
    )


def load_vocabulary(path: str | Path, lexicon: Lexicon) -> Vocabulary:
    """:func:`read_vocabulary` then :func:`check_vocabulary` (a stored one, ``.json``, is read as stored)."""
    path = Path(path)
    if path.suffix == ".json":
        return Vocabulary.from_json(path.read_text(encoding="utf-8"))
    return check_vocabulary(read_vocabulary(path), lexicon)


# --- vocabularies every build uses ----------------------------------------------------------------


def vocabulary_dir() -> Path:
    """Where ``kg lexicon add`` keeps vocabularies (``KG_VOCABULARY_DIR``, else in kg's cache folder)."""
    if os.environ.get("KG_VOCABULARY_DIR"):
        return Path(os.environ["KG_VOCABULARY_DIR"])
    return cache_root() / "vocabularies"


def registered_vocabularies() -> list[Vocabulary]:
    """The vocabularies ``kg lexicon add`` stored, by name."""
    folder = vocabulary_dir()
    if not folder.is_dir():
        return []
    vocabularies = []
    for path in sorted(folder.glob("*.json")):
        try:
            vocabularies.append(Vocabulary.from_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            raise VocabularyError(
                f"{path}: an added vocabulary is damaged ({type(error).__name__}: {error}); "
                f"remove it with `kg lexicon remove {path.stem}` and add it again"
            ) from None
    return vocabularies


def add_vocabulary(path: str | Path, lexicon: Lexicon) -> Vocabulary:
    """Check the vocabulary in ``path`` and store it for every later build (replacing one of its name)."""
    vocabulary = load_vocabulary(path, lexicon)
    folder = vocabulary_dir()
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / f"{vocabulary.name}.json", vocabulary.to_json())
    return vocabulary


def remove_vocabulary(name: str) -> bool:
    """Stop using a stored vocabulary; False when none has that name."""
    path = vocabulary_dir() / f"{name}.json"
    if not path.is_file():
        return False
    path.unlink()
    return True


# --- the overlay ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overlay:
    """What a build's vocabularies add: concepts by ID, names (token tuples) to concepts, prefixes."""

    vocabularies: tuple[Vocabulary, ...] = ()
    concepts: dict[str, Concept] = field(default_factory=dict)
    names: dict[tuple[str, ...], tuple[str, EntityType, str]] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    lengths: tuple[int, ...] = ()  # the token counts of its names

    @classmethod
    def build(cls, vocabularies: Iterable[Vocabulary], lexicon: Lexicon) -> Overlay:
        """Each term joins the lexicon concept one of its IDs or mapped IDs names, or is a concept of its
        own under its parents (in the lexicon's preferred IDs); its names point to that concept."""
        vocabularies = tuple(vocabularies)
        mapped: dict[str, set[str]] = {}
        for vocabulary in vocabularies:
            for a, b in vocabulary.mappings:
                mapped.setdefault(a, set()).add(b)
                mapped.setdefault(b, set()).add(a)
        concepts: dict[str, Concept] = {}
        names: dict[tuple[str, ...], tuple[str, EntityType, str]] = {}
        joined: dict[str, str] = {}  # a term's ID -> the concept it is
        terms = [t for v in vocabularies for t in v.terms]
        for term in terms:
            others = (term.id, *term.xrefs, *sorted(mapped.get(term.id, ())))
            joined[term.id] = next((p for p in map(lexicon.get_preferred_id, others) if p), term.id)
        for term in terms:
            concept_id = joined[term.id]
            parents = tuple(sorted({joined.get(p) or lexicon.get_preferred_id(p) or p for p in term.parents}))
            base = concepts.get(concept_id) or lexicon.get_concept(concept_id)
            if base is None:
                base = Concept(concept_id, term.name, term.category)
            extra_ids = [c for c in (term.id, *term.xrefs) if c != base.id and c not in base.xrefs]
            extra_names = [
                n for n in (term.name, *term.synonyms) if n != base.label and n not in base.synonyms
            ]
            concepts[concept_id] = Concept(
                base.id,
                base.label,
                base.category,
                (*base.xrefs, *extra_ids),
                (*base.synonyms, *extra_names),
                tuple(sorted({*base.parents, *parents} - {base.id})),
                base.broad_match,
                base.description,
                base.taxon,
                base.orthologs,
            )
            entity_type = entity_type_of(base.category) or EntityType.DISEASE
            for name in (term.name, *term.synonyms):
                norms = tuple(t.norm for t in tokenize(name))
                if norms:
                    names.setdefault(norms, (concept_id, entity_type, VOCABULARY_METHOD))
        prefixes = {p: iri for v in vocabularies for p, iri in v.prefixes}
        return cls(vocabularies, concepts, names, prefixes, tuple(sorted({len(k) for k in names})))

    def digest(self) -> str:
        """What identifies these vocabularies (for build fingerprints)."""
        return hashlib.sha256("".join(v.digest() for v in self.vocabularies).encode()).hexdigest()[:16]

    def knows(self, name: str) -> bool:
        return tuple(t.norm for t in tokenize(name)) in self.names

"""The kinds of names the lexicon holds, as one closed set.

A concept's names differ in what they say about it: a *label* or an approved gene *symbol* is the name
the source gives it; a *synonym*, an *alias* or a *previous* symbol is another name it has (or had); an
*entry* term is a MeSH entry term; a gene's full *name* is HGNC's approved name; a *corpus* name was given
to the concept by annotators of a training corpus (:mod:`kg.train.lexicon_terms`). Genes of other species
also have NCBI's *designation*s (other names a gene goes by, "B-cell stimulatory factor 1"), and a rat gene
its human and mouse orthologs' full names (*ortholog_name*; RGD gives rat genes no full names); an organism
also has the names of *cell_line*s derived from it, which signal its genes without naming the organism.

>>> NameKind("alias") in SYMBOL_KINDS
True
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SYMBOL_KINDS", "NameKind"]


class NameKind(StrEnum):
    LABEL = "label"
    SYNONYM = "synonym"
    SYMBOL = "symbol"
    ALIAS = "alias"
    PREVIOUS = "previous"
    NAME = "name"
    ENTRY = "entry"
    CORPUS = "corpus"
    DESIGNATION = "designation"
    ORTHOLOG_NAME = "ortholog_name"
    CELL_LINE = "cell_line"


# Gene symbols (current, alias or previous): short, case-sensitive, and matched in other case conventions.
SYMBOL_KINDS = frozenset({NameKind.SYMBOL, NameKind.ALIAS, NameKind.PREVIOUS})

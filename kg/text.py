"""Text normalisation shared by the lexicon and the matcher, and sentence splitting.

A name and a span of text match when their *keys* are equal. A key is the text's tokens, normalised and
joined by single spaces:

* tokens are runs of letters or of digits, so ``IL-4``, ``IL4`` and ``IL 4`` all give ``il 4``;
* Greek letters become their names (``TNF-α`` and ``TNF-alpha`` give ``tnf alpha``), and a Greek name glued
  to a capitalised symbol is split off (``TNFalpha`` gives ``tnf alpha``);
* case and accents are dropped (case is checked separately where it matters, e.g. short gene symbols);
* a possessive ``'s`` is dropped (``Alzheimer's disease`` = ``Alzheimer disease``);
* a plural ``-s``/``-ies`` is reduced (``arrhythmias`` = ``arrhythmia``);
* British spellings are written the American way (``haemorrhage`` = ``hemorrhage``, ``oedema`` = ``edema``,
  ``tumours`` = ``tumor``, ``hypokalaemia`` = ``hypokalemia``, ``oestrogen`` = ``estrogen``).

>>> key("TNF-α")
'tnf alpha'
>>> key("Alzheimer's diseases")
'alzheimer disease'
>>> key("interleukin-4") == key("Interleukin 4")
True
>>> key("Haemorrhagic tumours with oedema, leukaemia and diarrhoea")
'hemorrhagic tumor with edema leukemia and diarrhea'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

__all__ = ["NORMALISATION_VERSION", "Token", "key", "split_sentences", "tokenize", "tokenize_columns"]

# Bump when tokenisation or normalisation changes: compiled lexicons are rebuilt from the shipped names.
NORMALISATION_VERSION = 2

GREEK_NAMES = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "µ": "mu", "ϕ": "phi", "ϵ": "epsilon",
}  # fmt: skip
_GREEK_WORDS = "|".join(sorted(set(GREEK_NAMES.values()), key=len, reverse=True))
_GLUED_GREEK = re.compile(rf"^([A-Z][A-Z0-9]+)({_GREEK_WORDS})$")
_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_GREEK_CHAR = re.compile(r"([\u0370-\u03ff\u00b5\u03d5\u03f5])")


class Token(NamedTuple):
    """A normalised token and the span of text it came from (a named tuple: cheap to make by the million)."""

    norm: str
    start: int
    end: int


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# British spellings and their American forms, as parts of words (vocabularies write American English).
# Only stems that cannot make another word: not "oe" alone ("does"), nor "leuc" ("leucine").
_AMERICAN = {
    "tumour": "tumor", "behaviour": "behavior", "colour": "color", "humour": "humor", "odour": "odor",
    "labour": "labor", "favour": "favor", "haem": "hem", "aem": "em", "aesth": "esth", "paed": "ped",
    "gynaec": "gynec", "caes": "ces", "aetiol": "etiol", "faec": "fec", "oedem": "edem", "oestr": "estr",
    "oesoph": "esoph", "coeliac": "celiac", "foet": "fet", "oea": "ea", "leucocyt": "leukocyt",
    "leucopen": "leukopen", "leucaem": "leukem", "sulph": "sulf", "aluminium": "aluminum",
    "isation": "ization", "ageing": "aging",
}  # fmt: skip
_BRITISH = re.compile("|".join(sorted(_AMERICAN, key=len, reverse=True)))


def _american(word: str) -> str:
    return _BRITISH.sub(lambda m: _AMERICAN[m.group()], word)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=1 << 18)
def _normalise_run(run: str) -> tuple[tuple[str, int, int], ...]:
    """Split one letter or digit run into normalised tokens with offsets relative to the run."""
    if run.isdigit():
        return ((run, 0, len(run)),)
    parts: list[tuple[str, int, int]] = []
    position = 0
    for piece in _GREEK_CHAR.split(run):
        if not piece:
            continue
        start, end = position, position + len(piece)
        position = end
        if piece in GREEK_NAMES:
            parts.append((GREEK_NAMES[piece], start, end))
            continue
        glued = _GLUED_GREEK.match(piece)
        if glued:
            split = start + len(glued.group(1))
            parts.append((_fold(glued.group(1)), start, split))
            parts.append((glued.group(2), split, end))
            continue
        folded = _fold(piece)
        if folded.isascii() and folded.isalpha():
            folded = _american(_singular(folded))
        parts.append((folded, start, end))
    return tuple(parts)


def tokenize(text: str) -> list[Token]:
    """Normalised tokens of ``text`` with their character spans.

    >>> [t.norm for t in tokenize("IL-4/IL-13 signalling")]
    ['il', '4', 'il', '13', 'signalling']
    >>> [(t.norm, t.start, t.end) for t in tokenize("CD8α")]
    [('cd', 0, 2), ('8', 2, 3), ('alpha', 3, 4)]
    """
    norms, starts, ends = tokenize_columns(text)
    return [Token(n, s, e) for n, s, e in zip(norms, starts, ends, strict=True)]


def tokenize_columns(text: str) -> tuple[list[str], list[int], list[int]]:
    """:func:`tokenize` as three parallel lists (norms, starts, ends): the matcher's fast path."""
    norms: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    normalise = _normalise_run
    for match in _TOKEN.finditer(text):
        run, offset = match.group(), match.start()
        if (
            (run == "s" or run == "S")
            and offset >= 2
            and text[offset - 1] in "'’"
            and text[offset - 2].isalpha()
        ):
            continue  # possessive 's
        for norm, start, end in normalise(run):
            if norm:
                norms.append(norm)
                starts.append(offset + start)
                ends.append(offset + end)
    return norms, starts, ends


def key(text: str) -> str:
    """The matching key of a name: its normalised tokens joined by single spaces."""
    return " ".join(token.norm for token in tokenize(text))


# --- sentences ----------------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "e.g", "i.e", "et al", "al", "fig", "figs", "vs", "approx", "dr", "mr", "mrs", "ms", "no", "nos", "ref",
    "refs", "ca", "cf", "resp", "incl", "eq", "vol", "pp", "st", "jr", "sr", "inc", "ltd", "co", "viz",
    "spp", "sp", "var", "subsp", "min", "max", "tab", "suppl",
}  # fmt: skip
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*(?:[-*•]|\d+\.)\s)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, trimmed of surrounding whitespace.

    Splits at ``.``/``!``/``?`` followed by space and a capital or digit, and at blank lines, except after
    common abbreviations (e.g., i.e., et al., Fig.) and single initials.

    >>> text = "Dupilumab (e.g. Dupixent) works. It inhibits IL-4 signalling, cf. Fig. 2. Done!"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Dupilumab (e.g. Dupixent) works.', 'It inhibits IL-4 signalling, cf. Fig. 2.', 'Done!']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start() + len(match.group().rstrip())
        if match.group()[0] == ".":
            words = re.findall(r"[A-Za-z.]+$", text[start : match.start()])
            last = words[0].lower().strip(".") if words else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
        _append_trimmed(text, start, end, spans)
        start = match.end()
    _append_trimmed(text, start, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))

"""Abbreviations a document defines, as in "acquired reactive perforating collagenosis (ARPC)".

The Schwartz & Hearst (2003) algorithm: a short form in parentheses, 2-10 characters with a letter,
whose characters appear in order in the preceding words, the first at the start of a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Abbreviation", "find_abbreviations", "occurrences"]

_PARENTHESES = re.compile(r"\(([^()]{1,12})\)")


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A short form and the long form it stands for, with offsets in the text searched."""

    short: str
    long: str
    short_start: int
    long_start: int
    long_end: int


def _best_long_form(short: str, candidate: str) -> int | None:
    """Where in ``candidate`` the long form of ``short`` starts (Schwartz & Hearst), or None."""
    s_index = len(short) - 1
    l_index = len(candidate) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            candidate[l_index].lower() != char
            or (s_index == 0 and l_index > 0 and candidate[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = candidate.rfind(" ", 0, l_index + 1) + 1
    return start


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Abbreviation definitions in ``text``.

    >>> [(a.short, a.long) for a in find_abbreviations(
    ...     "Acquired reactive perforating collagenosis (ARPC) is rare. ARPC lesions itch.")]
    [('ARPC', 'Acquired reactive perforating collagenosis')]
    >>> [(a.short, a.long) for a in find_abbreviations("tumor necrosis factor alpha (TNF-alpha) and IL-4 (n = 12)")]
    [('TNF-alpha', 'tumor necrosis factor alpha')]
    """
    found = []
    for match in _PARENTHESES.finditer(text):
        short = match.group(1).strip()
        if not (2 <= len(short) <= 10) or len(short.split()) > 2:
            continue
        if not short[0].isalnum() or not any(c.isalpha() for c in short) or "=" in short:
            continue
        before = text[: match.start()].rstrip()
        clause_start = max(before.rfind(sep) for sep in (". ", "; ", "(", ": ", "\n")) + 1
        words = before[clause_start:].split()
        window = words[-min(len(short) + 5, 2 * len(short)) :]
        if not window:
            continue
        candidate = " ".join(window)
        if short.lower() in candidate.lower().split():
            continue
        start = _best_long_form(short, candidate)
        if start is None:
            continue
        long_form = candidate[start:].strip(" ,;:")
        if len(long_form) <= len(short) or len(long_form.split()) > len(short) + 5:
            continue
        long_start = before.rfind(long_form)
        if long_start < 0:
            continue
        found.append(
            Abbreviation(
                short,
                long_form,
                match.start(1) + match.group(1).find(short),
                long_start,
                long_start + len(long_form),
            )
        )
    return found


def _word_character(character: str) -> bool:
    return character.isalnum() or character == "_"  # what ``\w`` matches


def occurrences(text: str, short: str, *, strict_hyphen: bool = False) -> list[tuple[int, int]]:
    """Where ``short`` stands alone in ``text``: no word character or hyphen before it, no word character
    after it; with ``strict_hyphen``, not followed by a hyphen and a digit or a capital either ("AD-2").
    What ``re.finditer(r"(?<![\\w-])SHORT(?!\\w)", text)`` finds, without compiling a pattern per form.

    >>> occurrences("AD, TAD, AD-2 and AD-like AD", "AD")
    [(0, 2), (9, 11), (18, 20), (26, 28)]
    >>> occurrences("AD, TAD, AD-2 and AD-like AD", "AD", strict_hyphen=True)
    [(0, 2), (18, 20), (26, 28)]
    """
    found = []
    size, length = len(short), len(text)
    at = text.find(short)
    while at >= 0:
        end = at + size
        before = text[at - 1] if at else ""
        after = text[end] if end < length else ""
        ok = not (before and (_word_character(before) or before == "-"))
        ok = ok and not (after and _word_character(after))
        if ok and strict_hyphen and after == "-" and end + 1 < length:
            following = text[end + 1]
            ok = not (following.isdecimal() or "A" <= following <= "Z")
        if ok:
            found.append((at, end))
        at = text.find(short, end if ok else at + 1)
    return found

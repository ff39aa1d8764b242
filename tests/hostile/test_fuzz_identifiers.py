"""Fuzzing the CURIE/IRI layer: any string gives a checked CURIE with a clean IRI, or an IdentifierError."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import IdentifierError
from kg.identifiers import compress, expand, normalize_curie

PREFIXES = [
    "MESH",
    "mesh",
    "NCBIGene",
    "NCBI Gene",
    "MONDO",
    "CHEBI",
    "doi",
    "DOI",
    "PMID",
    "pmc",
    "KG",
    "FPLX",
    "UNII",
    "HP",
    "nope",
    "",
]
IRI_FORBIDDEN = set(' <>"{}|\\^`\n\r\t[]%#\x7f')
candidates = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda p, sep, local: f"{p}{sep}{local}",
        st.sampled_from(PREFIXES),
        st.sampled_from([":", "_", " ", "::"]),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
    ),
    st.builds(lambda p, n: f"{p}:{n}", st.sampled_from(PREFIXES), st.integers(-5, 10**12).map(str)),
    # round two: digits of other scripts, DOIs with IRI-breaking characters, control and non-characters
    st.builds(
        lambda p, local: f"{p}:{local}",
        st.sampled_from(PREFIXES),
        st.text(alphabet="０１２３４５６７８９٣٥٦10.5/[]#%zZ\x7f\ufdd0\u200b\x1b-_", max_size=20),
    ),
)


def _check(text: str) -> None:
    try:
        curie = normalize_curie(text)
    except IdentifierError as error:
        assert str(error)
        return
    iri = expand(curie)
    assert iri.isascii() and not (set(iri) & IRI_FORBIDDEN), (text, iri)
    assert normalize_curie(curie) == curie
    if not curie.startswith("doi:"):
        assert compress(iri) == curie


@settings(max_examples=500, deadline=None)
@given(candidates)
def test_identifiers_are_checked_or_refused(text):
    _check(text)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None)
@given(candidates)
def test_identifiers_are_checked_or_refused_ten_thousand_times(text):
    _check(text)

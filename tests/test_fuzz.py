"""Fuzzing every reader (hypothesis): any input ends in documents or a clear InputError, never a crash.

A few hundred cases per reader run in the normal suite; ``make test-all`` runs the slow test with
10,000 cases per reader.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SEED
from kg.errors import InputError
from kg.read import FORMATS, iter_documents

SAMPLES = {
    "markdown": SEED.read_bytes(),
    "text": b"A title\n\nSome text about dupilumab and atopic dermatitis.\n",
    "pubtator": (FIXTURES / "two_cdr.pubtator").read_bytes(),
    "bioc-xml": (FIXTURES / "nlm_gene_12461077.bioc.xml").read_bytes(),
    "bioc-json": (FIXTURES / "biored_two.bioc.json").read_bytes()[:6000],
    "pubmed": (FIXTURES / "pubmed_sample.xml").read_bytes(),
    "jats": (FIXTURES / "jats_sample.xml").read_bytes(),
}
FRAGMENTS = [
    b"<",
    b">",
    b"</",
    b"<!ENTITY x 'y'>",
    b"&x;",
    b"|t|",
    b"|a|",
    b"\t",
    b"\n",
    b"\r\n",
    b"{",
    b"}",
    b"[",
    b'"',
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xe9",
    b"# ",
    b"## Abstract\n",
    b"99999",
    b"-1",
    b"<PMID>",
    b"</PubmedArticle>",
    b"<passage>",
    b"<offset>",
    b"<location offset=",
    "α".encode(),
    # round two: lone surrogates in JSON, control characters, deep nesting, odd IDs
    b"\\ud800",
    b"\\udfff\\ud83d",
    b"\x1b[31m",
    b"\x7f",
    "\u2028\u2029\ufdd0\u202e".encode(),
    b"[" * 300,
    b'{"a":' * 300,
    b"<sec>" * 300,
    b'"infons": {"type": "a\\tb\\nc"}',
    "３５６５".encode(),
    b"10.1155/a[1]#b#c%zz",
    b"rs113488022",
    b"<!-- <collection> -->",
]


@st.composite
def mutated(draw, fmt: str) -> bytes:
    sample = SAMPLES[fmt]
    kind = draw(st.sampled_from(["mutate", "truncate", "random", "fragments"]))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    if kind == "fragments":
        return b"".join(draw(st.lists(st.sampled_from(FRAGMENTS) | st.binary(max_size=20), max_size=60)))
    if kind == "truncate":
        return sample[: draw(st.integers(0, len(sample)))]
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        if action == "delete":
            del data[position : position + draw(st.integers(1, 200))]
        elif action == "insert":
            data[position:position] = draw(st.sampled_from(FRAGMENTS) | st.binary(max_size=30))
        else:
            data[position : position + 1] = draw(st.binary(min_size=1, max_size=3))
    return bytes(data)


def _read_all(fmt: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"input.{fmt}"
        path.write_bytes(data)
        try:
            for item in iter_documents([path], format=fmt):
                if not isinstance(item, InputError):
                    for passage in item.passages:
                        assert item.text_at(passage.offset, passage.end) == passage.text
        except InputError as error:
            assert str(path) in str(error) or "document" in str(error)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_readers_survive_fuzzed_input(fmt, data):
    _read_all(fmt, data.draw(mutated(fmt)))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_readers_survive_ten_thousand_fuzzed_inputs(fmt, data):
    _read_all(fmt, data.draw(mutated(fmt)))

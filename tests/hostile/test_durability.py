"""SIGKILL at any moment: the previous outputs stay intact, a store is unchanged or complete."""

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, SEED
from kg.sparql import Store

KG = [sys.executable, "-m", "kg.cli"]


def _digests(directory):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file() and not p.name.endswith(".tmp")
    }  # temporaries of a killed write are not outputs


def _corpus(tmp_path, copies=150):
    """A PubTator file big enough that a build takes a few seconds."""
    block = (FIXTURES / "two_cdr.pubtator").read_text().strip().split("\n\n")
    path = tmp_path / "corpus.pubtator"
    with path.open("w") as handle:
        for copy in range(copies):
            for document in block:
                lines = document.split("\n")
                pmid = lines[0].split("|")[0]
                new = str(10_000_000 + copy * 100 + block.index(document))
                handle.write("\n".join(line.replace(pmid, new, 1) for line in lines) + "\n\n")
    return path


def _run_and_kill(command, delay):
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    time.sleep(delay)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return process.returncode


def _kill_builds(tmp_path, fractions):
    output = tmp_path / "output"
    subprocess.run([*KG, "build", str(SEED), "-o", str(output)], check=True, capture_output=True)
    before = _digests(output)
    corpus = _corpus(tmp_path)
    started = time.perf_counter()
    subprocess.run(
        [*KG, "build", str(corpus), "-o", str(tmp_path / "reference")], check=True, capture_output=True
    )
    duration = time.perf_counter() - started
    after = _digests(tmp_path / "reference")
    outcomes = []
    for fraction in fractions:
        _run_and_kill([*KG, "build", str(corpus), "-o", str(output)], duration * fraction)
        now = _digests(output)
        assert now in (before, after), f"killed at {fraction:.0%}: a mix of old and new outputs"
        outcomes.append("previous" if now == before else "complete")
        if now == after:  # it finished before the kill: start again from the previous outputs
            subprocess.run([*KG, "build", str(SEED), "-o", str(output)], check=True, capture_output=True)
            assert _digests(output) == before
    from rdflib import Graph

    Graph().parse(output / "graph.ttl", format="turtle")
    assert "previous" in outcomes


def test_a_killed_build_leaves_the_previous_outputs_identical(tmp_path):
    _kill_builds(tmp_path, (0.4, 0.9))  # the slow test below kills at 12 moments


@pytest.mark.slow
def test_a_build_killed_at_many_moments_leaves_the_previous_outputs_identical(tmp_path):
    _kill_builds(tmp_path, (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99))


def test_a_killed_load_leaves_the_store_unchanged_or_complete(tmp_path):
    store = tmp_path / "store"
    subprocess.run([*KG, "load", str(store), str(SEED)], check=True, capture_output=True)
    before = len(Store(store, read_only=True))
    corpus = _corpus(tmp_path, copies=60)
    reference = tmp_path / "reference"
    subprocess.run([*KG, "load", str(reference), str(SEED)], check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([*KG, "load", str(reference), str(corpus)], check=True, capture_output=True)
    duration = time.perf_counter() - started
    complete = len(Store(reference, read_only=True))
    seen = set()
    for fraction in (0.3, 0.6, 0.9):
        _run_and_kill([*KG, "load", str(store), str(corpus)], duration * fraction)
        size = len(Store(store, read_only=True))
        assert size in (before, complete), (
            f"killed at {fraction:.0%}: {size} triples, neither {before} nor {complete}"
        )
        seen.add(size)
        if size == complete:
            break
    assert before in seen or complete in seen

"""`kg relations learn` (kg.train.relations) on a few training documents: the same corpora give the same
bytes in two processes with different string hashing, and the BioRED head learns variant relations."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.corpora


def _learn(corpora, output, seed: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "kg.cli", "relations", "learn", "--corpora", str(corpora), "-o", str(output),
         "--max-documents", "40"],
        check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
    )  # fmt: skip


def test_relation_learning_is_byte_identical_across_processes(tmp_path, corpora):
    for module in ("lightgbm", "sklearn", "torch", "gensim"):
        pytest.importorskip(module)
    first, second = tmp_path / "first.npz", tmp_path / "second.npz"
    _learn(corpora, first, "1")
    _learn(corpora, second, "2")
    assert first.read_bytes() == second.read_bytes()
    model = json.loads(np.load(first)["model"].tobytes().decode("utf-8"))
    assert model["trained_on"]["biored"]["documents"] == 40
    # the BioRED head has seen variant pairs (BioRED's variant-disease relations)
    assert any("V" in pair for pair in model["heads"]["biored"]["allowed"])

"""The code's shape: arrows point one way, no hidden state, outputs unchanged by refactoring.

``scripts/check-imports`` fails on any import cycle inside ``kg/`` (imports inside functions count); no
module rebinds a global; runtime modules never import the learning package or the evaluation code; the
seed's outputs (and, with the corpora, the BC5CDR development split's) keep the digests recorded in
``tests/fixtures/golden.json`` (``scripts/update-golden`` rewrites it when a change of output is meant).
"""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT, SEED

KG_DIR = ROOT / "kg"
# The files whose bytes are kg's own (the Turtle, JSON-LD and HTML writers belong to rdflib and pyvis).
GOLDEN_FILES = ("graph.nt", "nodes.tsv", "edges.tsv", "evidence.tsv", "mappings.sssom.tsv", "report.json")


def _modules():
    return sorted(KG_DIR.rglob("*.py"))


def test_no_import_cycle_inside_kg():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check-imports")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_the_cycle_check_finds_a_cycle_through_a_function_level_import(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import f\n")
    (package / "b.py").write_text("def f():\n    from pkg import a\n    return a\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check-imports"), str(package)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "import cycle: pkg.a -> pkg.b -> pkg.a" in result.stdout


def test_no_module_rebinds_a_global():
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Global)
    ]
    assert offenders == []


def _imported(path):
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_runtime_modules_never_import_learning_or_evaluation_code():
    allowed = {"cli.py", "evaluate.py"}  # the command line runs both; evaluation reads corpus conventions
    offenders = []
    for path in _modules():
        relative = path.relative_to(KG_DIR)
        if relative.parts[0] == "train" or relative.name in allowed:
            continue
        bad = {m for m in _imported(path) if m.startswith(("kg.train", "kg.evaluate", "sklearn"))}
        if bad:
            offenders.append(f"{relative}: {sorted(bad)}")
    assert offenders == []


def test_the_graph_imports_no_exporter():
    exporters = {"kg.rdf", "kg.tables", "kg.html", "kg.sparql", "kg.writers"}
    assert not (_imported(KG_DIR / "graph.py") & exporters)


def _digests(directory):
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in GOLDEN_FILES}


def _build(inputs, directory):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "build",
            *map(str, inputs),
            "-o",
            str(directory),
            "--rdf",
            "nt",
            "--no-html",
        ],
        check=True,
        capture_output=True,
    )
    return _digests(directory)


def test_the_seed_outputs_are_unchanged(tmp_path):
    golden = json.loads((FIXTURES / "golden.json").read_text())
    assert _build([SEED], tmp_path) == golden["seed"]


@pytest.mark.corpora
def test_the_bc5cdr_development_outputs_are_unchanged(tmp_path, corpora):
    golden = json.loads((FIXTURES / "golden.json").read_text())
    assert _build([corpora / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt"], tmp_path) == golden["bc5cdr-dev"]

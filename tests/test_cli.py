"""The command line: build and query work; bad input ends in one clear line, not a traceback."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SEED

KG = [sys.executable, "-m", "kg.cli"]


def _run(*args, cwd=None):
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, check=False, cwd=cwd)


def test_help_lists_the_commands():
    result = _run("--help")
    assert result.returncode == 0
    for command in ("build", "query", "lexicon"):
        assert command in result.stdout


def test_version_and_python_dash_m():
    from kg import __version__

    result = subprocess.run(
        [sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"kg {__version__}"


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        (["build"], ["ttl|nt|jsonld", "bioc-json", "pubtator", "markdown"]),
        (["annotate"], ["bioc-xml", "biored", "cdr"]),
        (["query"], ["table", "csv", "tsv", "json", "xml"]),
        (["evaluate"], ["Disease|Gene|Chemical", "biored", "cdr"]),
    ],
)
def test_help_offers_every_closed_set_as_choices(command, choices):
    import os

    result = subprocess.run(
        [*KG, *command, "--help"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "250"}
    )
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for choice in choices:
        assert choice in text, (command, choice)


@pytest.mark.parametrize(
    "args",
    [
        ["build", SEED, "--format", "docx"],
        ["annotate", SEED, "--scheme", "chemprot"],
        ["query", SEED, "SELECT * {}", "--format", "yaml"],
        ["evaluate", SEED, "--types", "Disease,CellLine"],
        ["evaluate", SEED, "--relations", "chemprot"],
    ],
)
def test_a_bad_choice_is_refused_by_the_parser(args):
    result = _run(*args)
    assert result.returncode == 2
    assert "Invalid value" in result.stderr and "Traceback" not in result.stderr


def test_build_writes_every_output_and_reports(tmp_path):
    result = _run("build", SEED, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("graph.ttl", "nodes.tsv", "edges.tsv", "evidence.tsv", "graph.html", "report.json"):
        assert (tmp_path / name).stat().st_size > 0
        assert str(tmp_path / name) in result.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["documents"] == 1 and report["nodes"] > 5 and report["edges"] > 5


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "no such file"),
        (b"", "file is empty"),
        (b"\x00\x00\x00\x00", "binary"),
        (b"\xff\xfe\x00", "UTF-16"),
        (b"caf\xe9", "not UTF-8"),
    ],
)
def test_bad_inputs_end_with_one_line_naming_the_file(tmp_path, content, fragment):
    path = tmp_path / "paper.md"
    if content is not None:
        path.write_bytes(content)
    result = _run("build", path, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("kg: error")]
    assert len(lines) == 1 and str(path) in lines[0] and fragment in result.stderr


def test_a_wrongly_formatted_markdown_file_is_named(tmp_path):
    path = tmp_path / "paper.md"
    path.write_text("no heading\n\n## Abstract\ntext\n")
    result = _run("build", path, "--format", "markdown", "-o", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(path) in result.stderr and "Title" in result.stderr


def test_bad_queries_are_reported(tmp_path, seed_output):
    result = _run("query", seed_output / "graph.ttl", "SELECT ?x WHERE { ?x ")
    assert (
        result.returncode == 2 and "SPARQL syntax error" in result.stderr and "Traceback" not in result.stderr
    )
    result = _run("query", tmp_path / "missing.ttl", "SELECT * WHERE {?s ?p ?o}")
    assert result.returncode == 2 and "no such file" in result.stderr
    result = _run("query", seed_output / "graph.ttl")
    assert result.returncode == 2 and "--file" in result.stderr


def test_build_writes_n_triples_and_json_ld_on_request(tmp_path):
    result = _run("build", SEED, "-o", tmp_path, "--rdf", "ttl,nt,jsonld")
    assert result.returncode == 0, result.stderr
    from rdflib import Graph
    from rdflib.compare import isomorphic

    graphs = [
        Graph().parse(tmp_path / f"graph.{s}", format=f)
        for s, f in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"))
    ]
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    bad = _run("build", SEED, "-o", tmp_path, "--rdf", "xml")
    assert bad.returncode == 2 and "'xml' is not one of ttl, nt, jsonld" in bad.stderr


@pytest.mark.parametrize("model", ["mentions", "relations", "species", "normaliser", "tagger"])
def test_learning_without_the_training_extras_says_what_to_install(tmp_path, model):
    """scikit-learn, LightGBM, gensim and torch are for learning only; without one the learners say so in
    one line."""
    import importlib.util
    import re

    if all(importlib.util.find_spec(name) for name in ("sklearn", "lightgbm", "gensim", "torch")):
        pytest.skip("the training extras are installed here")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            model,
            "learn",
            "--corpora",
            str(tmp_path),
            "-o",
            str(tmp_path / "m.out"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert re.search(
        r"learning needs (sklearn|lightgbm|gensim|torch): pip install 'kg\[train\]'", result.stderr
    )
    assert "Traceback" not in result.stderr


def _query(seed_output, *args, columns="80"):
    import os

    return subprocess.run(
        [
            *KG,
            "query",
            str(seed_output / "graph.ttl"),
            "--file",
            str(ROOT / "queries" / "seed_chain.rq"),
            *args,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": columns},
        check=True,
    )


@pytest.mark.parametrize("columns", ["80", "100", "130", "250"])
def test_the_first_query_is_readable_in_a_narrow_terminal(seed_output, columns):
    """Every label of the README's first query shows at 80 to 250 columns: never a zero-width column."""
    text = _query(seed_output, columns=columns).stdout
    assert max(len(line) for line in text.splitlines()) <= int(columns)
    flat = " ".join(text.replace("│", " ").split())
    for label in ("Dupilumab", "IL13", "IL4", "atopic eczema"):
        assert label in flat, (columns, label)
    assert "acquired" in flat and "collagenosis" in flat


def test_csv_and_tsv_are_plain_values_with_curies_unless_iri(seed_output):
    tsv = _query(seed_output, "-f", "tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:2] == ["drug_label", "gene_label"]
    assert "\tUNII:420K487FSG\t" in tsv[1] and '"' not in tsv[1] and "<" not in tsv[1]
    csv_text = _query(seed_output, "-f", "csv", "--iri").stdout
    assert "http://identifiers.org/unii/420K487FSG" in csv_text
    records = json.loads(_query(seed_output, "-f", "json").stdout)
    assert {r["gene_label"] for r in records} == {"IL4", "IL13"}


def test_control_characters_in_results_never_reach_the_terminal(tmp_path):
    paper = tmp_path / "paper.txt"
    paper.write_text("Evil \x1b[31mred\x1b[0m title\n\nDupilumab treats atopic dermatitis.\n")
    subprocess.run(
        [*KG, "build", str(paper), "-o", str(tmp_path / "out"), "--no-html"], check=True, capture_output=True
    )
    for fmt in ("table", "csv", "tsv", "json"):
        result = subprocess.run(
            [
                *KG,
                "query",
                str(tmp_path / "out" / "graph.ttl"),
                "SELECT ?t WHERE { ?p dcterms:title ?t }",
                "-f",
                fmt,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "\x1b" not in result.stdout, fmt
        assert "x1b" in result.stdout or "u001b" in result.stdout, fmt


def test_a_missing_input_is_reported_before_the_lexicon_is_compiled(tmp_path):
    import os

    result = subprocess.run(
        [*KG, "build", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "KG_CACHE_DIR": str(tmp_path / "empty-cache")},
        timeout=60,
    )
    assert result.returncode == 2 and "nope.txt: no such file" in result.stderr
    assert not (tmp_path / "empty-cache").exists()  # nothing was compiled

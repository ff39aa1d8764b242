"""Text from papers is escaped wherever it is written: Turtle, N-Triples, TSV, CSV query results."""

import csv
import io
import subprocess
import sys

from rdflib import Graph

from conftest import requires
from kg.display import visible
from kg.pipeline import build_graph
from kg.writers import write_outputs

NASTY = (
    'Dupilumab "quoted" \\ back\\slash <script>alert(1)</script> @prefix x: <http://evil/> . '
    "\u2028line\u2029sep tab\there | pipe ; ; } { ] [ # hash"
)


def test_nasty_text_is_written_safely_everywhere(tmp_path, extractor):
    paper = tmp_path / "nasty.md"
    paper.write_text(
        f"# {NASTY} treats atopic dermatitis\n\nPMID: 12345678\n\n## Abstract\n\n"
        f"{NASTY}. Dupilumab is effective in the treatment of atopic dermatitis {NASTY}.\n"
    )
    graph = build_graph([paper], extractor=extractor)
    write_outputs(graph, tmp_path / "out", rdf_formats=("ttl", "nt", "jsonld"))
    out = tmp_path / "out"
    for name, fmt in (("graph.ttl", "turtle"), ("graph.nt", "nt"), ("graph.jsonld", "json-ld")):
        parsed = Graph().parse(out / name, format=fmt)
        assert any(NASTY in str(o) for _, _, o in parsed), name
        assert not any("evil" in str(s) or "evil" in str(p) for s, p, _ in parsed)
    rapper = requires("rapper")
    check = subprocess.run(
        [rapper, "-i", "turtle", "-c", str(out / "graph.ttl")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    for table in ("nodes.tsv", "edges.tsv", "evidence.tsv"):
        lines = (out / table).read_text().split("\n")
        assert len({line.count("\t") for line in lines if line}) == 1, table
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "query",
            str(out / "graph.ttl"),
            "SELECT ?s WHERE { ?e biolink:supporting_text ?s }",
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = list(csv.reader(io.StringIO(result.stdout)))
    # CSV quotes what needs it; line and paragraph separators are shown as escapes (kg.display.visible)
    assert rows[0] == ["s"] and any(visible(NASTY) in row[0] for row in rows[1:])

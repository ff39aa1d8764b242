"""Round two of hostile input: resources stay bounded and a build's output folder stays consistent.

Bombs (gzip files that inflate far past any real paper) are refused with bounded memory in every format;
FIFOs and unreadable folders are reported, not waited on or skipped silently; a build never reads its
own earlier outputs as papers; `-o` that cannot be written ends in one line; special files are written
into, never replaced; stale outputs of an earlier build are removed; checkpoints survive until the
outputs are written.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import zlib

import pytest

from conftest import FIXTURES, SEED

KG = [sys.executable, "-m", "kg"]
# The child's own peak: VmHWM of its address space (ru_maxrss would carry over the peak of the pytest process
# that started it, which Linux keeps across exec).
MEASURE = (
    "import sys\n"
    "from kg.read import iter_documents\n"
    "items = list(iter_documents([sys.argv[1]]))\n"
    "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
    "print(int(peak.split()[1]) // 1024)\n"
    "print(repr([str(i) for i in items][:3]))\n"
)


def _bomb(path, head: bytes, filler: bytes, tail: bytes, size: int) -> None:
    """A gzip file of ``size`` bytes once inflated (a few hundred KB on disk)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = filler * (4 * 1024 * 1024 // len(filler))
    with path.open("wb") as out:
        out.write(compressor.compress(head))
        for _ in range(size // len(chunk)):
            out.write(compressor.compress(chunk))
        out.write(compressor.compress(tail))
        out.write(compressor.flush())


BOMBS = {
    "text.txt.gz": (b"A title\n\n", b"aaaa ", b"\n"),
    "paper.md.gz": (b"# A title\n\n## Abstract\n\n", b"aaaa ", b"\n"),
    "corpus.pubtator.gz": (b"1|t|A title\n1|a|", b"aaaa ", b"\n\n2|t|Lithium toxicity\n2|a|Seen once.\n\n"),
    "set.xml.gz": (
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T</ArticleTitle>"
        b"<Abstract><AbstractText>",
        b"aaaa ",
        b"</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>",
    ),
    "collection.json.gz": (
        b'{"documents": [{"id": "1", "passages": [{"offset": 0, "text": "',
        b"aaaa ",
        b'"}]}]}',
    ),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_gzip_bomb_is_refused_with_bounded_memory(tmp_path, name):
    path = tmp_path / name
    _bomb(path, *BOMBS[name], size=400 * 1024 * 1024)
    assert path.stat().st_size < 3 * 1024 * 1024
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    peak_mb, items = result.stdout.splitlines()
    assert int(peak_mb) <= 500, f"{name}: peak {peak_mb} MB"
    assert any(word in items for word in ("larger than", "characters long", "between two XML tags")), items
    if name.startswith("corpus"):
        assert "PMID:2" in items  # the document after the giant line is still read


def test_a_fifo_as_input_is_refused_at_once(tmp_path):
    fifo = tmp_path / "papers.fifo"
    os.mkfifo(fifo)
    result = subprocess.run(
        [*KG, "build", str(fifo), "-o", str(tmp_path / "out")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "not a regular file" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder: permissions cannot be tested")
def test_an_unreadable_subfolder_is_reported(tmp_path):
    papers = tmp_path / "papers"
    (papers / "locked").mkdir(parents=True)
    shutil.copy(SEED, papers / "seed.md")
    (papers / "locked").chmod(0)
    try:
        result = subprocess.run(
            [*KG, "build", str(papers), "-o", str(tmp_path / "out")], capture_output=True, text=True
        )
    finally:
        (papers / "locked").chmod(stat.S_IRWXU)
    assert result.returncode == 2 and "cannot be listed" in result.stderr


def test_a_build_never_reads_its_own_outputs_as_papers(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(SEED, papers / "seed.md")
    for _ in range(2):
        subprocess.run(
            [*KG, "build", str(papers), "-o", str(papers), "--rdf", "ttl,nt,jsonld"],
            check=True,
            capture_output=True,
        )
        report = json.loads((papers / "report.json").read_text())
        assert report["documents"] == 1 and not report["skipped"]
    assert "graph.ttl" in json.loads((papers / "kg-build.json").read_text())["files"]


def test_a_rebuild_removes_the_earlier_builds_other_outputs_and_nothing_else(tmp_path):
    out = tmp_path / "out"
    subprocess.run(
        [*KG, "build", str(SEED), "-o", str(out), "--rdf", "ttl,nt,jsonld", "--shard-triples", "200"],
        check=True,
        capture_output=True,
    )
    shards = sorted(out.glob("graph-*.nt"))
    assert len(shards) > 2
    (out / "notes.txt").write_text("mine")
    subprocess.run([*KG, "build", str(SEED), "-o", str(out), "--no-html"], check=True, capture_output=True)
    names = {p.name for p in out.iterdir()}
    assert names == {
        "graph.ttl",
        "nodes.tsv",
        "edges.tsv",
        "evidence.tsv",
        "mappings.sssom.tsv",
        "report.json",
        "kg-build.json",
        "notes.txt",
    }


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        ("file", "exists and is not a folder"),
        ("under-file", "is a file, so no folder can be made under it"),
    ],
)
def test_an_output_folder_that_cannot_be_written_ends_in_one_line(tmp_path, setup, fragment):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    target = blocker if setup == "file" else blocker / "out"
    result = subprocess.run([*KG, "build", str(SEED), "-o", str(target)], capture_output=True, text=True)
    assert result.returncode == 1 and fragment in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "x"


def test_a_full_device_ends_in_one_line_and_stays_a_device(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    result = subprocess.run([*KG, "annotate", str(SEED), "-o", "/dev/full"], capture_output=True, text=True)
    assert result.returncode == 1 and "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_fifo_as_output_is_written_into(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    subprocess.run(
        [*KG, "annotate", str(SEED), "-o", str(fifo)], check=True, capture_output=True, timeout=120
    )
    reader.join(timeout=60)
    assert received and "dupilumab" in received[0].lower()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_checkpoints_survive_until_the_outputs_are_written(tmp_path):
    corpus = FIXTURES / "two_cdr.pubtator"
    out = tmp_path / "out"
    (out / "graph.ttl").mkdir(parents=True)  # writing graph.ttl will fail
    failed = subprocess.run(
        [*KG, "build", str(corpus), "-o", str(out), "--resume"], capture_output=True, text=True
    )
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert list((out / ".kg-checkpoints").glob("*.pickle"))
    (out / "graph.ttl").rmdir()
    again = subprocess.run(
        [*KG, "build", str(corpus), "-o", str(out), "--resume"], capture_output=True, text=True, check=True
    )
    assert "resumed" in again.stderr
    assert not (out / ".kg-checkpoints").exists()


def test_a_shard_size_below_one_is_refused_by_the_parser(tmp_path):
    result = subprocess.run(
        [*KG, "build", str(SEED), "-o", str(tmp_path), "--shard-triples", "-1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Invalid value" in result.stderr
    assert not list(tmp_path.iterdir())


def test_gzip_round_trip_still_reads(tmp_path):
    path = tmp_path / "two.pubtator.gz"
    path.write_bytes(gzip.compress((FIXTURES / "two_cdr.pubtator").read_bytes()))
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    assert "PMID:6794356" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", ["huge.txt", "huge.pubtator"])
def test_a_one_gigabyte_line_costs_bounded_memory(tmp_path, name):
    path = tmp_path / name
    with path.open("wb") as out:
        out.write(b"1|t|A title\n1|a|" if name.endswith("pubtator") else b"A title\n\n")
        chunk = b"aaaa " * (1024 * 1024 // 5)
        for _ in range(1024):
            out.write(chunk)
        out.write(b"\n\n2|t|Lithium toxicity\n2|a|Seen once.\n" if name.endswith("pubtator") else b"\n")
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, timeout=900
    )
    peak_mb, items = result.stdout.splitlines()
    assert int(peak_mb) <= 1200, peak_mb
    assert "larger than" in items or "characters long" in items

"""The scale path at small scale: N-Triples shards bulk-loaded by the Oxigraph server tool and by Virtuoso."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, SEED, free_port

KG = [sys.executable, "-m", "kg.cli"]


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    directory = tmp_path_factory.mktemp("shards")
    subprocess.run(
        [
            *KG,
            "build",
            str(SEED),
            str(FIXTURES / "two_cdr.pubtator"),
            "-o",
            str(directory),
            "--shard-triples",
            "500",
            "--no-html",
        ],
        check=True,
        capture_output=True,
    )
    files = sorted(directory.glob("graph-*.nt"))
    total = sum(len([line for line in f.read_text().split("\n") if line]) for f in files)
    return files, total


def test_shards_bulk_load_into_an_oxigraph_store_that_kg_serves(shards, tmp_path):
    files, total = shards
    assert len(files) > 1
    oxigraph = Path(sys.executable).parent / "oxigraph"
    store = tmp_path / "store"
    for file in files:
        subprocess.run(
            [str(oxigraph), "load", "--location", str(store), "--file", str(file)],
            check=True,
            capture_output=True,
        )
    from kg.sparql import Store

    assert len(Store(store, read_only=True)) == total
    rows = Store(store, read_only=True).query("SELECT ?l WHERE { NCBIGene:3565 rdfs:label ?l }")
    assert list(rows.l) == ["IL4"]


def test_shards_bulk_load_into_virtuoso(shards, tmp_path):
    if not shutil.which("virtuoso-t") or not shutil.which("isql-vt"):
        pytest.skip("Virtuoso is not installed (Debian's virtuoso-opensource; make test installs it)")
    files, total = shards
    data = tmp_path / "shards"
    data.mkdir()
    for file in files:
        shutil.copy(file, data / file.name)
    port, http_port = free_port(), free_port()
    ini = Path("/etc/virtuoso-opensource-7/virtuoso.ini").read_text()
    for _, value in (
        ("DatabaseFile", tmp_path / "virtuoso.db"),
        ("ErrorLogFile", tmp_path / "virtuoso.log"),
        ("LockFile", tmp_path / "virtuoso.lck"),
        ("TransactionFile", tmp_path / "virtuoso.trx"),
        ("xa_persistent_file", tmp_path / "virtuoso.pxa"),
    ):
        ini = ini.replace(f"/var/lib/virtuoso-opensource-7/db/{Path(str(value)).name}", str(value), 1)
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/virtuoso-temp", str(tmp_path / "virtuoso-temp"))
    ini = ini.replace("ServerPort               = 1111", f"ServerPort               = 127.0.0.1:{port}")
    ini = ini.replace(
        "ServerPort                  = 8890", f"ServerPort                  = 127.0.0.1:{http_port}"
    )
    ini = ini.replace("DirsAllowed              = .", f"DirsAllowed              = ., {data}")
    (tmp_path / "virtuoso.ini").write_text(ini)
    server = subprocess.Popen(
        ["virtuoso-t", "-f", "-c", str(tmp_path / "virtuoso.ini")],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        graph = "https://w3id.org/kg-biomed/graph"
        load = (
            f"ld_dir('{data}', '*.nt', '{graph}'); rdf_loader_run(); checkpoint; "
            f"SPARQL SELECT COUNT(*) FROM <{graph}> WHERE {{ ?s ?p ?o }};"
        )
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{port}", "dba", "dba", f"exec={load}"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        counts = [int(line.strip()) for line in result.stdout.splitlines() if line.strip().isdigit()]
        assert total in counts, result.stdout
    finally:
        subprocess.run(
            ["isql-vt", f"127.0.0.1:{port}", "dba", "dba", "exec=shutdown;"], capture_output=True, timeout=60
        )
        server.wait(timeout=60)

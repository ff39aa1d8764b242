"""kg serve under pressure: read-only, localhost, bounded time and size, a burst of concurrent queries."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import free_port

KG = [sys.executable, "-m", "kg.cli"]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def endpoint(seed_output):
    port = free_port()
    process = subprocess.Popen(
        [
            *KG,
            "serve",
            str(seed_output / "graph.ttl"),
            "--port",
            str(port),
            "--timeout",
            "2",
            "--max-result-mb",
            "0.05",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(150):
        try:
            _get(url, COUNT)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    yield url, port
    process.terminate()
    process.wait(timeout=10)


def _get(url, query, accept="text/csv", timeout=30):
    request = urllib.request.Request(url + "?query=" + urllib.parse.quote(query), headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


def test_it_listens_on_localhost_only(endpoint):
    _, port = endpoint
    addresses = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None) if a[0] == socket.AF_INET}
    for address in addresses - {"127.0.0.1"}:
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=1).close()


def test_updates_and_store_access_are_refused(endpoint):
    url, _ = endpoint
    data = urllib.parse.urlencode({"update": "INSERT DATA { <http://a> <http://b> <http://c> }"}).encode()
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url.replace("/query", "/update"), data=data, timeout=5)
    assert error.value.code == 403 and b"read-only" in error.value.read()
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(
            url.replace("/query", "/store"), timeout=5
        )  # a dump would bypass the size bound
    assert error.value.code == 404


def test_a_long_query_is_stopped_by_the_timeout(endpoint):
    url, _ = endpoint
    started = time.perf_counter()
    with pytest.raises(urllib.error.HTTPError):
        _get(url, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert time.perf_counter() - started < 10


def test_a_huge_answer_is_refused_not_streamed(endpoint):
    url, _ = endpoint
    with pytest.raises(urllib.error.HTTPError) as error:
        _get(url, "SELECT * WHERE { ?s ?p ?o }")
    assert error.value.code == 413 and b"larger than" in error.value.read()


def test_a_burst_of_concurrent_queries_is_answered_correctly(endpoint):
    url, _ = endpoint
    _, expected = _get(url, COUNT)
    queries = [COUNT, "ASK { ?s a biolink:Gene }", "SELECT ?l WHERE { NCBIGene:3565 rdfs:label ?l }"] * 100
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda q: _get(url, q), queries))
    assert all(status == 200 for status, _ in answers)
    assert all(body == expected for (_, body), q in zip(answers, queries, strict=True) if q == COUNT)
    assert all("IL4" in body for (_, body), q in zip(answers, queries, strict=True) if "rdfs:label" in q)

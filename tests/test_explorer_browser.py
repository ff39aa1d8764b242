"""The explorer `kg serve` shows at `/`, in headless Chromium, against a store of over 100,000 edges.

The store holds the seed paper's graph plus a synthetic neighbourhood (25,000 concepts, 120,000 edges,
seeded and deterministic) joined to dupilumab, so a search, three expansions from dupilumab and a path
query all run against a store big enough that only querying (never loading it whole) can work.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pyoxigraph as ox
import pytest
from test_html_browser import CHROMIUM_FLAGS

from conftest import free_port, requires

pytestmark = pytest.mark.browser

BL = "https://w3id.org/biolink/vocab/"
KGN = "https://w3id.org/kg-biomed/test."
DUPILUMAB = "http://identifiers.org/unii/420K487FSG"
TYPES = ["Disease", "Gene", "ChemicalEntity"]
PREDICATES = ["associated_with", "affects", "treats", "contributes_to"]


def _synthetic(store: ox.Store, concepts: int = 25_000, edges: int = 120_000) -> None:
    rng = random.Random(7)
    quads = []
    for i in range(concepts):
        node = ox.NamedNode(f"{KGN}n{i}")
        quads.append(
            ox.Quad(
                node,
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal(f"synthetic concept {i}"),
            )
        )
        quads.append(
            ox.Quad(
                node,
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode(BL + TYPES[i % 3]),
            )
        )
    for _ in range(edges):
        a, b = rng.randrange(concepts), rng.randrange(concepts)
        quads.append(
            ox.Quad(
                ox.NamedNode(f"{KGN}n{a}"),
                ox.NamedNode(BL + rng.choice(PREDICATES)),
                ox.NamedNode(f"{KGN}n{b}"),
            )
        )
    for i in range(5):  # dupilumab -> 5 synthetic concepts, each with about 10 edges of its own
        quads.append(
            ox.Quad(ox.NamedNode(DUPILUMAB), ox.NamedNode(BL + "affects"), ox.NamedNode(f"{KGN}n{i}"))
        )
    store.extend(quads)


@pytest.fixture(scope="module")
def explorer(seed_output, tmp_path_factory):
    location = tmp_path_factory.mktemp("big-store") / "store"
    subprocess.run(
        [sys.executable, "-m", "kg", "load", str(location), str(seed_output / "graph.ttl")],
        check=True,
        capture_output=True,
    )
    store = ox.Store(str(location))
    _synthetic(store)
    store.flush()
    edges = sum(
        1
        for q in store.quads_for_pattern(None, None, None)
        if q.predicate.value.startswith(BL)
        and q.predicate.value[len(BL) :] in [*PREDICATES, "treats", "causes"]
    )
    assert edges >= 100_000
    del store
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", str(location), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    executable = requires("chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def test_the_explorer_searches_expands_three_hops_and_finds_a_path(browser, explorer, artifacts):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(explorer)
    page.wait_for_function("document.body.dataset.ready === 'true'", timeout=60_000)

    hits = page.evaluate("kg.search('dupilumab')")
    assert DUPILUMAB in hits
    page.evaluate(f"kg.start('{DUPILUMAB}')")
    first = page.evaluate("kg.nodes.length")
    assert first >= 6  # dupilumab, its genes and diseases from the paper, 5 synthetic neighbours
    panel = page.inner_text("#kg-panel")
    assert "Dupilumab" in panel and "UNII:420K487FSG" in panel

    frontier = [f"{KGN}n0"]
    for _ in range(2):  # two more hops: three in all from dupilumab
        for node in frontier:
            page.evaluate(f"kg.expandNode('{node}')")
        frontier = page.evaluate(
            "ids => kg.edges.get().filter(e => ids.includes(e.from)).map(e => e.to).slice(0, 2)", frontier
        )
    assert page.evaluate("kg.nodes.length") > first + 10
    assert int(page.evaluate("document.body.dataset.lastExpansionMs")) >= 0

    route = page.evaluate("kg.path('dupilumab', 'acquired reactive perforating collagenosis')")
    assert (
        route and route[0] == DUPILUMAB and route[-1].endswith("acquired-reactive-perforating-collagenosis")
    )
    assert "→" in page.inner_text("#kg-status")

    page.screenshot(path=str(artifacts / "explorer.png"))
    assert problems == []
    assert all(url.startswith(explorer) for url in requests)  # offline: assets from the endpoint itself
    page.close()

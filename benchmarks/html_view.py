"""The HTML view at 1k, 5k and 20k nodes: file size, time to write, time until the view is stable.

    .venv/bin/python benchmarks/html_view.py [--sizes 1000,5000,20000] [--screenshots DIR]

Graphs are scale-free (Barabási-Albert, 2 edges per new node) with kg's categories and predicates, one
evidence sentence per edge. Each page is opened in headless Chromium (Debian's package, driven by
Playwright, no network) and timed from navigation until the page reports its layout settled. By default
the view shows the 1,500 best-supported nodes and keeps the rest for search and focus; the last column
times the focus on the best-connected node (hidden neighbours laid out on demand).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import networkx as nx

from kg.graph import KnowledgeGraph
from kg.html import write_html
from kg.records import Concept, Evidence, Relation

CATEGORIES = [
    "biolink:Disease",
    "biolink:Gene",
    "biolink:ChemicalEntity",
    "biolink:Drug",
    "biolink:PhenotypicFeature",
]
PREDICATES = [
    "biolink:treats",
    "biolink:causes",
    "biolink:associated_with",
    "biolink:contributes_to",
    "biolink:affects",
]


def synthetic(nodes: int, seed: int = 7) -> KnowledgeGraph:
    rng = random.Random(seed)
    structure = nx.barabasi_albert_graph(nodes, 2, seed=seed)
    graph = KnowledgeGraph()
    for node in structure.nodes:
        graph.add_concept(
            Concept(
                f"KG:bench.n{node}", f"concept {node}", rng.choice(CATEGORIES), synonyms=(f"synonym {node}",)
            ),
            "PMID:1",
            rng.randint(1, 5),
        )
    for index, (a, b) in enumerate(structure.edges):
        sentence = f"Concept {a} relates to concept {b} in sentence {index}."
        evidence = Evidence(
            f"PMID:{1 + index % 997}",
            sentence,
            0,
            f"Concept {a}",
            0,
            9 + len(str(a)),
            f"concept {b}",
            22 + len(str(a)),
            22 + len(str(a)) + 8 + len(str(b)),
            "bench",
            round(rng.uniform(0.2, 0.9), 2),
            "relates",
        )
        graph.add_relation(Relation(f"KG:bench.n{a}", rng.choice(PREDICATES), f"KG:bench.n{b}", evidence))
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("chromium is not installed (make test installs Debian's package)")
    from playwright.sync_api import sync_playwright

    directory = Path(tempfile.mkdtemp(prefix="kg-html-bench-"))
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        for size in (int(s) for s in args.sizes.split(",")):
            graph = synthetic(size)
            started = time.perf_counter()
            path = write_html(graph, directory / f"graph-{size}.html", title=f"{size} nodes")
            write_seconds = time.perf_counter() - started
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            requests = []
            page.on("request", lambda request, requests=requests: requests.append(request.url))
            started = time.perf_counter()
            page.goto(path.as_uri(), wait_until="commit", timeout=600_000)
            page.wait_for_function(
                "document.body && document.body.dataset.stable === 'true'", timeout=600_000, polling=100
            )
            stable_seconds = time.perf_counter() - started
            shown = page.evaluate("nodes.get().filter(n => !n.hidden).length")
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.screenshots / f"graph-{size}.png"), timeout=120_000)
            hub = max(graph.graph.degree, key=lambda item: item[1])[0]
            started = time.perf_counter()
            page.evaluate(
                "id => new Promise(done => { window.kg.focusOn(id, 1); network.once('stabilizationIterationsDone', () => setTimeout(done, 0)); })",
                hub,
            )
            focus_seconds = time.perf_counter() - started
            offline = all(url.startswith(("file:", "data:")) for url in requests)
            page.close()
            rows.append(
                (
                    size,
                    graph.graph.number_of_edges(),
                    shown,
                    path.stat().st_size / 1e6,
                    write_seconds,
                    stable_seconds,
                    focus_seconds,
                    offline,
                )
            )
            print(f"{size} nodes done: stable in {stable_seconds:.1f} s", flush=True)
        browser.close()
    print(
        f"{'nodes':>7} {'edges':>7} {'shown':>6} {'file MB':>8} {'write s':>8} {'stable s':>9} {'focus s':>8} offline"
    )
    for size, edges, shown, megabytes, write_seconds, stable_seconds, focus_seconds, offline in rows:
        print(
            f"{size:>7} {edges:>7} {shown:>6} {megabytes:>8.1f} {write_seconds:>8.2f} {stable_seconds:>9.2f} "
            f"{focus_seconds:>8.2f} {'yes' if offline else 'NO'}"
        )


if __name__ == "__main__":
    main()

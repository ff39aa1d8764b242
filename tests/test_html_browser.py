"""The HTML view in a real browser (Debian's Chromium, headless, driven by Playwright; no network)."""

from __future__ import annotations

import pytest

from conftest import requires
from kg.html import write_html
from kg.pipeline import build_graph

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    executable = requires("chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Page:
    """A page with its console messages, page errors and network requests recorded."""

    def __init__(self, browser, path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.console, self.requests = [], []
        self.page.on("console", lambda message: self.console.append((message.type, message.text)))
        self.page.on("pageerror", lambda error: self.console.append(("pageerror", str(error))))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("document.body.dataset.stable === 'true'", timeout=60_000)

    def click_node(self, node_id: str) -> None:
        point = self.page.evaluate(
            "id => { const p = network.canvasToDOM(network.getPositions([id])[id]);"
            " const r = document.getElementById('mynetwork').getBoundingClientRect();"
            " return [p.x + r.left, p.y + r.top]; }",
            node_id,
        )
        self.page.mouse.click(*point)


def test_the_seed_page_loads_offline_with_its_nodes_and_no_errors(browser, seed_output, artifacts):
    page = Page(browser, seed_output / "graph.html")
    assert [m for m in page.console if m[0] in ("error", "pageerror")] == []
    assert [url for url in page.requests if not url.startswith(("file:", "data:"))] == []
    labels = {label.replace("\n", " ") for label in page.page.evaluate("nodes.get().map(n => n.label)")}
    for label in ("Dupilumab", "IL4", "IL13", "atopic eczema"):
        assert label in labels
    assert any(label.startswith("acquired reactive perforating") for label in labels)
    page.page.screenshot(path=str(artifacts / "seed-graph.png"))
    page.page.close()


def test_clicking_a_node_opens_its_panel_with_linked_ids(browser, seed_output, artifacts):
    page = Page(browser, seed_output / "graph.html")
    page.click_node("NCBIGene:3565")
    panel = page.page.locator("#kg-panel")
    panel.wait_for(state="visible")
    assert "IL4" in panel.inner_text() and "HGNC:6014" in panel.inner_text()
    assert page.page.locator("#kg-panel a[href='https://bioregistry.io/NCBIGene:3565']").count() == 1
    page.page.screenshot(path=str(artifacts / "seed-node-panel.png"))
    page.page.close()


def test_edge_panel_shows_evidence_with_highlighted_entities(browser, seed_output):
    page = Page(browser, seed_output / "graph.html")
    edge = page.page.evaluate(
        "edges.get().find(e => e.from.startsWith('UNII') && e.to === 'NCBIGene:3565').id"
    )
    page.page.evaluate("id => window.kg.showEdge(id)", edge)
    marks = page.page.locator("#kg-panel mark").all_inner_texts()
    assert "IL-4" in marks and any(m.lower() == "dupilumab" for m in marks)
    page.page.close()


def test_search_focuses_a_neighbourhood(browser, seed_output):
    page = Page(browser, seed_output / "graph.html")
    page.page.fill("#kg-search", "IL-13")
    page.page.press("#kg-search", "Enter")
    visible = page.page.evaluate("nodes.get().filter(n => !n.hidden).map(n => n.id)")
    assert "NCBIGene:3596" in visible and len(visible) < page.page.evaluate("nodes.length")
    page.page.close()


def test_markup_in_papers_is_shown_as_text_and_never_runs(browser, tmp_path, extractor, artifacts):
    paper = tmp_path / "evil.md"
    paper.write_text(
        "# Dupilumab <script>window.__xss = 'title'</script> for atopic dermatitis <img src=x onerror=\"window.__xss='img'\">\n\n"
        "PMC · DOI: 10.1155/2024/6265608 · J <b>bold</b> · 2024-06-19\n\n"
        "## Abstract\n\nDupilumab <img src=x onerror=\"window.__xss='abstract'\"> is effective in the treatment of "
        "atopic dermatitis <script>window.__xss='abstract-script'</script>.\n"
    )
    graph = build_graph([paper], extractor=extractor)
    html = tmp_path / "evil.html"
    write_html(graph, html, title=graph.publications["doi:10.1155/2024/6265608"]["title"])
    page = Page(browser, html)
    assert page.page.evaluate("window.__xss") is None
    assert page.page.locator("#kg-panel img, #kg-bar img, script:not([type]):has-text('__xss')").count() == 0
    edge = page.page.evaluate("edges.get()[0].id")
    page.page.evaluate("id => window.kg.showEdge(id)", edge)
    text = page.page.locator("#kg-panel").inner_text()
    assert "<img src=x onerror=" in text and page.page.evaluate("window.__xss") is None
    assert "<script>" in page.page.title()
    page.page.screenshot(path=str(artifacts / "escaped-markup.png"))
    assert [url for url in page.requests if not url.startswith(("file:", "data:"))] == []
    page.page.close()


def test_view_cli_focuses_a_neighbourhood_and_filters_by_evidence(browser, seed_output, tmp_path):
    import subprocess
    import sys

    html = tmp_path / "focus.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "view",
            str(seed_output),
            "--focus",
            "dupilumab",
            "--hops",
            "1",
            "-o",
            str(html),
        ],
        check=True,
        capture_output=True,
    )
    page = Page(browser, html)
    ids = set(page.page.evaluate("nodes.get().map(n => n.id)"))
    assert "NCBIGene:3565" in ids and "MONDO:0005015" not in ids  # diabetes is two hops away
    page.page.fill("#kg-sentences", "2")
    page.page.dispatch_event("#kg-sentences", "input")
    shown = page.page.evaluate("edges.get().filter(e => !e.hidden).map(e => e.sentences)")
    assert shown and min(shown) >= 2
    page.page.close()


def test_node_panel_links_its_papers(browser, seed_output):
    page = Page(browser, seed_output / "graph.html")
    page.page.evaluate("window.kg.showNode('MONDO:0004980')")
    link = page.page.locator("#kg-panel a[href='https://bioregistry.io/PMC:11208807']")
    assert link.count() == 1
    assert "Successful Use of Dupilumab" in page.page.locator("#kg-panel").inner_text()
    page.page.close()


def test_nodes_held_back_from_a_big_view_are_reached_by_search(browser, seed_graph, tmp_path):
    html = tmp_path / "small-view.html"
    write_html(seed_graph, html, max_nodes=3)
    page = Page(browser, html)
    drawn = set(page.page.evaluate("nodes.getIds()"))
    assert len(drawn) == 3
    held = next(n for n in ("NCBIGene:3596", "MESH:D011537", "MONDO:0005015") if n not in drawn)
    label = page.page.evaluate("id => window.kg.data.nodes[id].label", held)
    page.page.fill("#kg-search", label)
    page.page.press("#kg-search", "Enter")
    page.page.wait_for_function("id => nodes.get(id) && !nodes.get(id).hidden", arg=held, timeout=30_000)
    assert [m for m in page.console if m[0] in ("error", "pageerror")] == []
    page.page.close()


def _view(seed_output, tmp_path, *options):
    import subprocess
    import sys

    target = tmp_path / "view.html"
    subprocess.run(
        [sys.executable, "-m", "kg", "view", str(seed_output), "-o", str(target), *options],
        check=True,
        capture_output=True,
    )
    return target


def test_the_path_view_highlights_the_chain_with_its_evidence(browser, seed_output, tmp_path, artifacts):
    page = Page(browser, _view(seed_output, tmp_path, "--path", "dupilumab", "perforating collagenosis"))
    route = page.page.evaluate("document.body.dataset.path").split(" ")
    assert (
        route[0] == "UNII:420K487FSG" and route[-1] == "KG:disease.acquired-reactive-perforating-collagenosis"
    )
    panel = page.page.inner_text("#kg-panel")
    assert "Dupilumab" in panel and "perforating collagenosis" in panel.lower()
    assert page.page.query_selector("#kg-panel mark.kg-subject") is not None  # the evidence, highlighted
    # the page's own box finds a longer chain too: through a gene
    longer = page.page.evaluate("kg.showPath('IL13', 'perforating collagenosis')")
    assert longer[0] == "NCBIGene:3596" and len(longer) >= 2
    page.page.screenshot(path=str(artifacts / "path-view.png"))
    assert [m for m in page.console if m[0] in ("error", "pageerror")] == []


def test_the_focus_node_is_marked(browser, seed_output, tmp_path):
    page = Page(browser, _view(seed_output, tmp_path, "--focus", "dupilumab", "--hops", "1"))
    widths = page.page.evaluate("Object.fromEntries(nodes.get().map(n => [n.id, n.borderWidth || 1]))")
    assert widths["UNII:420K487FSG"] == 5 and max(w for n, w in widths.items() if n != "UNII:420K487FSG") == 1


def test_edges_between_the_same_two_nodes_are_drawn_apart(browser, seed_output, tmp_path):
    page = Page(browser, _view(seed_output, tmp_path))
    pairs = page.page.evaluate(
        "(() => { const by = {}; edges.get().forEach(e => { const k = [e.from, e.to].sort().join(' ');"
        " (by[k] = by[k] || []).push([e.from < e.to, e.smooth]); }); return Object.values(by).filter(v => v.length > 1); })()"
    )
    assert pairs, "the seed graph has node pairs with several edges"
    for curves in pairs:
        # the side a curve bends to, seen from the pair's first node (curvedCW flips with the edge's direction)
        sides = {
            (
                kind if forward else {"curvedCW": "curvedCCW", "curvedCCW": "curvedCW"}[kind],
                round(c["roundness"], 2),
            )
            for forward, c in curves
            for kind in [c["type"]]
            if c["enabled"]
        }
        assert len(sides) == len(curves), curves  # each edge on its own curve


def test_long_labels_are_wrapped_not_cut(browser, seed_output, tmp_path):
    page = Page(browser, _view(seed_output, tmp_path))
    label = page.page.evaluate("nodes.get('KG:disease.acquired-reactive-perforating-collagenosis').label")
    assert label.replace("\n", " ") == "acquired reactive perforating collagenosis"


def test_a_gene_node_shows_its_species_and_human_ortholog(browser, rat_graph, tmp_path, artifacts):
    path = write_html(rat_graph, tmp_path / "rat.html")
    page = Page(browser, path)
    labels = page.page.evaluate("nodes.get().map(n => [n.id, n.label, n.title])")
    rat_dmd = next(item for item in labels if item[0] == "NCBIGene:24907")
    assert rat_dmd[1] == "Dmd · rat" and "species: rat (NCBITaxon:10116)" in rat_dmd[2]
    human_il4 = next(item for item in labels if item[0] == "NCBIGene:3565")
    assert human_il4[1] == "IL4" and "species: human" in human_il4[2]
    page.click_node("NCBIGene:24907")
    panel = page.page.locator("#kg-panel")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert "species: rat (NCBITaxon:10116)" in text and "Human orthologs" in text and "DMD" in text
    page.page.screenshot(path=str(artifacts / "rat-gene-panel.png"))
    page.page.close()

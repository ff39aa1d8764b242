"""The explorer page ``kg serve`` shows at ``/``: a graph too big for one page, explored from a search box.

The page asks the endpoint it is served by (``/query``, SPARQL over HTTP) for what it needs, when it needs
it: a search by name or ID, a node's neighbourhood when the node is clicked (each click expands one hop),
a node's identifiers, synonyms and papers, an edge's evidence sentences. So a store of a million edges is
explored a neighbourhood at a time. The same colours, shapes and panels as the static view
(:mod:`kg.html`), category / predicate / confidence filters, a "path" box that expands from two nodes
until a chain joins them; vis-network is served by the endpoint itself (``/assets/vis-network.min.js``),
so the page works offline. Text from the store is put into the page with ``textContent``, never as HTML.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kg.html import CATEGORY_STYLES, PREDICATE_COLOURS, json_for_html
from kg.sparql import default_prefixes

__all__ = ["VIS_NETWORK", "generate_explorer", "vis_network_script"]


def vis_network_script() -> bytes:
    """vis-network's JavaScript, as pyvis ships it (no CDN)."""
    import pyvis

    return (Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js").read_bytes()


VIS_NETWORK = "/assets/vis-network.min.js"

_STYLE = """
body{margin:0;font-family:sans-serif}
#kg-graph{position:fixed;inset:0}
#kg-bar{position:fixed;top:8px;left:8px;right:8px;display:flex;gap:8px;align-items:center;flex-wrap:wrap;
 background:rgba(255,255,255,.94);padding:6px 8px;border:1px solid #ccc;border-radius:6px;z-index:20;font-size:13px}
#kg-bar input[type=search]{width:220px;padding:3px}
#kg-results{position:fixed;top:52px;left:8px;width:360px;max-height:50vh;overflow:auto;background:#fff;
 border:1px solid #ccc;border-radius:6px;z-index:25;display:none;font-size:13px}
#kg-results div{padding:4px 8px;cursor:pointer}#kg-results div:hover{background:#eef}
#kg-legend{position:fixed;bottom:8px;left:8px;background:rgba(255,255,255,.94);border:1px solid #ccc;
 border-radius:6px;padding:6px 8px;font-size:12px;z-index:20;max-width:50vw}
#kg-legend label{margin-right:8px;white-space:nowrap;cursor:pointer}
.kg-shape{display:inline-block;width:12px;text-align:center;margin:0 3px}
#kg-panel{position:fixed;top:60px;right:8px;width:380px;max-height:calc(100vh - 80px);overflow:auto;
 background:#fff;border:1px solid #ccc;border-radius:6px;padding:8px 12px;font-size:13px;z-index:30;display:none}
#kg-panel h2{font-size:16px;margin:4px 0 8px}#kg-panel ul{padding-left:18px;margin:4px 0}
#kg-panel .kg-sentence{margin:6px 0;padding:4px 6px;background:#f7f7f7;border-left:3px solid #999}
#kg-status{color:#555}
"""

_SHAPES = {"dot": "●", "triangle": "▲", "diamond": "◆", "square": "■", "star": "★"}

_SCRIPT = r"""
(function(){
  const config = JSON.parse(document.getElementById('kg-config').textContent);
  const BL = 'https://w3id.org/biolink/vocab/';
  const prefixes = Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length);
  const curie = iri => { for (const [p, ns] of prefixes) if (iri.startsWith(ns)) return p + ':' + iri.slice(ns.length); return iri; };
  const expand = text => { const t = text.trim(); const m = /^([A-Za-z][\w.]*):(\S+)$/.exec(t); if (m && config.prefixes[m[1]]) return config.prefixes[m[1]] + m[2]; if (/^https?:\/\//.test(t)) return t; return null; };
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  const iriTerm = iri => '<' + iri.replace(/[<>"{}|^`\\\s]/g, '') + '>';
  const literal = text => '"' + text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ') + '"';
  const status = text => { document.getElementById('kg-status').textContent = text; };
  const state = {categories: new Set(Object.keys(config.categories)), predicates: null, minConfidence: 0, expanded: new Set(), focus: null};

  async function sparql(query){
    const response = await fetch(config.endpoint, {method: 'POST', headers: {'Content-Type': 'application/sparql-query', 'Accept': 'application/sparql-results+json'}, body: query});
    if (!response.ok) throw new Error((await response.text()).trim() || ('HTTP ' + response.status));
    const data = await response.json();
    return data.results ? data.results.bindings.map(b => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.value]))) : data;
  }

  const nodes = new vis.DataSet(); const edges = new vis.DataSet();
  const network = new vis.Network(document.getElementById('kg-graph'), {nodes, edges}, {
    physics: {solver: 'forceAtlas2Based', forceAtlas2Based: {gravitationalConstant: -60, springLength: 130, avoidOverlap: 0.5}, stabilization: {iterations: 150}},
    interaction: {hover: true, tooltipDelay: 150}, edges: {smooth: {type: 'dynamic'}, arrows: 'to', font: {size: 0}},
    nodes: {font: {size: 14}, borderWidth: 1}, layout: {randomSeed: 7}});

  function style(category){ return config.categories[category] || config.categories['biolink:NamedThing']; }
  function addNode(iri, label, category){
    if (nodes.get(iri)) return;
    const [colour, shape] = style(category);
    nodes.add({id: iri, label: label.length > 40 ? label.slice(0, 39) + '…' : label, fullLabel: label, title: label + '\n' + curie(iri) + '\n' + category.replace('biolink:', ''), color: colour, shape: shape, category: category});
  }
  function addEdge(s, p, o, confidence){
    const id = s + ' ' + p + ' ' + o; if (edges.get(id)) return;
    const predicate = 'biolink:' + p.slice(BL.length);
    const reverse = edges.get(o + ' ' + p + ' ' + s) || edges.get().find(e => e.from === o && e.to === s);
    edges.add({id, from: s, to: o, predicate, confidence: confidence === undefined ? 1 : confidence, color: config.predicates[predicate] || '#bab0ac',
      width: 1 + 3 * (confidence === undefined ? 0.5 : confidence), title: predicate.replace('biolink:', '').replace(/_/g, ' '),
      smooth: reverse ? {type: 'curvedCW', roundness: 0.25} : {type: 'dynamic'}});
    if (!state.predicates) state.predicates = new Set(); state.predicates.add(predicate); legend();
  }

  async function describe(iris){
    const wanted = iris.filter(i => !nodes.get(i)); if (!wanted.length) return;
    const rows = await sparql('SELECT ?n ?label ?type WHERE { VALUES ?n { ' + wanted.map(iriTerm).join(' ') + ' } ?n rdfs:label ?label . OPTIONAL { ?n a ?type . FILTER(STRSTARTS(STR(?type), "' + BL + '")) } }');
    const best = {};
    rows.forEach(r => { const c = r.type ? 'biolink:' + r.type.slice(BL.length) : 'biolink:NamedThing'; if (!best[r.n] || (best[r.n].c === 'biolink:NamedThing')) best[r.n] = {label: r.label, c}; });
    Object.entries(best).forEach(([iri, b]) => addNode(iri, b.label, b.c));
  }

  async function expandNode(iri){
    if (state.expanded.has(iri)) return;
    status('expanding ' + curie(iri) + '…');
    const started = performance.now();
    const rows = await sparql('SELECT ?s ?p ?o ?confidence WHERE { { ' + iriTerm(iri) + ' ?p ?o . BIND(' + iriTerm(iri) + ' AS ?s) } UNION { ?s ?p ' + iriTerm(iri) + ' . BIND(' + iriTerm(iri) + ' AS ?o) } '
      + 'FILTER(STRSTARTS(STR(?p), "' + BL + '") && ?p != biolink:mentions && ?p != biolink:publications && ?p != biolink:has_evidence && isIRI(?s) && isIRI(?o)) '
      + 'FILTER NOT EXISTS { ?s a biolink:Association } OPTIONAL { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; biolink:has_confidence_score ?confidence } } LIMIT ' + config.expandLimit);
    await describe(Array.from(new Set(rows.flatMap(r => [r.s, r.o]))));
    rows.forEach(r => { if (nodes.get(r.s) && nodes.get(r.o)) addEdge(r.s, r.p, r.o, r.confidence === undefined ? undefined : parseFloat(r.confidence)); });
    state.expanded.add(iri);
    applyFilters();
    const ms = Math.round(performance.now() - started);
    document.body.dataset.lastExpansionMs = ms;
    status(nodes.length + ' nodes, ' + edges.length + ' edges · last expansion ' + rows.length + ' edge(s) in ' + ms + ' ms');
    return rows.length;
  }

  function clearPanel(){ const panel = document.getElementById('kg-panel'); while (panel.firstChild) panel.removeChild(panel.firstChild); const close = el('button', '×'); close.style.float = 'right'; close.onclick = () => { panel.style.display = 'none'; }; panel.appendChild(close); panel.style.display = 'block'; return panel; }
  function list(panel, title, items){ panel.appendChild(el('h3', title)); const ul = el('ul'); items.forEach(i => ul.appendChild(el('li', i))); panel.appendChild(ul); }

  async function showNode(iri){
    const node = nodes.get(iri); const panel = clearPanel();
    panel.appendChild(el('h2', node ? node.fullLabel : curie(iri)));
    if (node) panel.appendChild(el('div', node.category.replace('biolink:', '') + ' · ' + curie(iri)));
    const [ids, synonyms, papers] = await Promise.all([
      sparql('SELECT ?x WHERE { ' + iriTerm(iri) + ' skos:exactMatch ?x } LIMIT 50'),
      sparql('SELECT ?s WHERE { ' + iriTerm(iri) + ' skos:altLabel ?s } LIMIT 50'),
      sparql('SELECT ?p ?title WHERE { ?p biolink:mentions ' + iriTerm(iri) + ' . OPTIONAL { ?p dcterms:title ?title } } LIMIT 20')]);
    list(panel, 'Identifiers', [curie(iri), ...ids.map(r => curie(r.x))]);
    if (synonyms.length) list(panel, 'Synonyms', synonyms.map(r => r.s));
    list(panel, 'Papers', papers.map(r => curie(r.p) + (r.title ? ' — ' + r.title : '')));
  }
  async function showEdge(id){
    const edge = edges.get(id); if (!edge) return; const panel = clearPanel();
    panel.appendChild(el('h2', nodes.get(edge.from).fullLabel + ' → ' + edge.predicate.replace('biolink:', '').replace(/_/g, ' ') + ' → ' + nodes.get(edge.to).fullLabel));
    panel.appendChild(el('div', 'confidence ' + edge.confidence.toFixed(2)));
    const rows = await sparql('SELECT ?text ?paper ?score WHERE { ?a rdf:subject ' + iriTerm(edge.from) + ' ; rdf:predicate ' + iriTerm(BL + edge.predicate.slice(8)) + ' ; rdf:object ' + iriTerm(edge.to) + ' ; biolink:has_evidence ?e . ?e biolink:supporting_text ?text ; biolink:publications ?paper ; biolink:extraction_confidence_score ?score } LIMIT 20');
    panel.appendChild(el('h3', 'Evidence'));
    rows.forEach(r => { const box = el('div', r.text, 'kg-sentence'); const meta = el('div', curie(r.paper) + ' · score ' + parseFloat(r.score).toFixed(2)); meta.style.fontSize = '11px'; box.appendChild(meta); panel.appendChild(box); });
  }

  async function search(text){
    const results = document.getElementById('kg-results'); while (results.firstChild) results.removeChild(results.firstChild);
    const iri = expand(text);
    const q = text.trim().toLowerCase(); if (!q) return [];
    const rows = await sparql('SELECT DISTINCT ?n ?label WHERE { { ?n rdfs:label ?label } UNION { ?n skos:altLabel ?synonym . ?n rdfs:label ?label } '
      + (iri ? 'FILTER(?n = ' + iriTerm(iri) + ')' : 'FILTER(CONTAINS(LCASE(STR(COALESCE(?synonym, ?label))), ' + literal(q) + '))')
      + ' FILTER NOT EXISTS { ?n a biolink:Association } FILTER NOT EXISTS { ?n a biolink:Publication } FILTER NOT EXISTS { ?n a biolink:TextMiningStudyResult } } LIMIT 20');
    rows.sort((a, b) => (a.label.toLowerCase() === q ? 0 : 1) - (b.label.toLowerCase() === q ? 0 : 1) || a.label.length - b.label.length);
    rows.forEach(r => { const item = el('div', r.label + '  (' + curie(r.n) + ')'); item.onclick = () => { results.style.display = 'none'; start(r.n); }; results.appendChild(item); });
    results.style.display = rows.length ? 'block' : 'none';
    if (!rows.length) status('nothing matches “' + text + '”');
    return rows.map(r => r.n);
  }

  async function start(iri){
    await describe([iri]); await expandNode(iri);
    state.focus = iri; mark(); network.fit({animation: false}); showNode(iri);
  }
  function mark(){ nodes.update(nodes.get().map(n => ({id: n.id, borderWidth: n.id === state.focus ? 5 : 1, font: {size: n.id === state.focus ? 18 : 14, bold: n.id === state.focus}}))); }

  // A chain between two nodes: expand from both ends, one hop at a time, until they meet (or give up).
  async function path(fromText, toText){
    const [a] = await search(fromText); const [b] = await search(toText);
    document.getElementById('kg-results').style.display = 'none';
    if (!a || !b){ status('no node matches one end of the path'); return null; }
    await describe([a, b]);
    let frontier = [a, b];
    for (let hop = 0; hop < 4; hop++){
      for (const n of frontier) await expandNode(n);
      const route = shortest(a, b); if (route){ highlight(route); return route; }
      frontier = nodes.getIds().filter(n => !state.expanded.has(n)).slice(0, 30);
    }
    status('no chain of up to 4 hops found'); return null;
  }
  function shortest(a, b){
    const previous = {[a]: null}; let queue = [a];
    while (queue.length){ const next = []; for (const n of queue){ for (const e of edges.get()){ const m = e.from === n ? e.to : (e.to === n ? e.from : null); if (m && !(m in previous)){ previous[m] = n; if (m === b){ const route = [b]; let at = b; while (previous[at]){ at = previous[at]; route.unshift(at); } return route; } next.push(m); } } } queue = next; }
    return null;
  }
  function highlight(route){
    const on = new Set(route);
    nodes.update(nodes.get().map(n => ({id: n.id, opacity: on.has(n.id) ? 1 : 0.25, borderWidth: on.has(n.id) ? 4 : 1})));
    edges.update(edges.get().map(e => ({id: e.id, width: on.has(e.from) && on.has(e.to) ? 5 : 1})));
    status('chain: ' + route.map(n => nodes.get(n).fullLabel).join(' → '));
    document.body.dataset.path = route.map(curie).join(' ');
  }

  function applyFilters(){
    nodes.update(nodes.get().map(n => ({id: n.id, hidden: !state.categories.has(n.category) && n.category in config.categories})));
    edges.update(edges.get().map(e => ({id: e.id, hidden: e.confidence < state.minConfidence || (state.predicates && !state.predicates.has(e.predicate))})));
  }
  function legend(){
    const box = document.getElementById('kg-legend'); while (box.firstChild) box.removeChild(box.firstChild);
    const row = el('div'); row.appendChild(el('b', 'Nodes: '));
    Object.entries(config.categories).forEach(([c, [colour, shape]]) => { const label = el('label'); const check = el('input'); check.type = 'checkbox'; check.checked = state.categories.has(c); check.onchange = () => { check.checked ? state.categories.add(c) : state.categories.delete(c); applyFilters(); }; const mark = el('span', config.shapes[shape] || '●', 'kg-shape'); mark.style.color = colour; label.append(check, mark, document.createTextNode(c.replace('biolink:', ''))); row.appendChild(label); });
    box.appendChild(row);
    const note = el('div', 'click a node to expand it · click an edge for its evidence'); note.style.color = '#555'; box.appendChild(note);
  }

  network.on('click', params => {
    if (params.nodes.length){ state.focus = params.nodes[0]; mark(); showNode(params.nodes[0]); expandNode(params.nodes[0]); }
    else if (params.edges.length) showEdge(params.edges[0]);
  });
  network.on('stabilizationIterationsDone', () => { document.body.dataset.stable = 'true'; });
  const input = document.getElementById('kg-search');
  input.addEventListener('keydown', ev => { if (ev.key === 'Enter') search(input.value); });
  document.getElementById('kg-search-button').onclick = () => search(input.value);
  document.getElementById('kg-path-button').onclick = () => path(document.getElementById('kg-from').value, document.getElementById('kg-to').value);
  const slider = document.getElementById('kg-confidence');
  slider.addEventListener('input', () => { state.minConfidence = parseFloat(slider.value); applyFilters(); });
  legend();
  window.kg = {sparql, search, start, expandNode, showNode, showEdge, path, nodes, edges, network};
  document.body.dataset.ready = 'true';
  status('search a node to start');
})();
"""

_BODY = """
<div id="kg-bar">
  <b>kg</b>
  <input id="kg-search" type="search" placeholder="search (name, synonym or ID)" aria-label="search">
  <button id="kg-search-button">Find</button>
  <span>path <input id="kg-from" type="search" placeholder="from" size="12"> →
  <input id="kg-to" type="search" placeholder="to" size="12"> <button id="kg-path-button">Show</button></span>
  <label>min. confidence <input id="kg-confidence" type="range" min="0" max="1" step="0.05" value="0"></label>
  <span id="kg-status"></span>
</div>
<div id="kg-results"></div><div id="kg-graph"></div><div id="kg-legend"></div><div id="kg-panel" role="dialog"></div>
"""


@cache
def generate_explorer(endpoint: str = "/query", expand_limit: int = 200) -> str:
    """The explorer page, asking ``endpoint`` for everything it shows."""
    config = {
        "endpoint": endpoint,
        "expandLimit": expand_limit,
        "prefixes": default_prefixes(),
        "categories": {c: list(style) for c, style in CATEGORY_STYLES.items()},
        "predicates": PREDICATE_COLOURS,
        "shapes": _SHAPES,
    }
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>kg explorer</title>'
        f'<style>{_STYLE}</style><script src="{VIS_NETWORK}"></script></head><body>{_BODY}'
        f'<script type="application/json" id="kg-config">{json_for_html(config)}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )

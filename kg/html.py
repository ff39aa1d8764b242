"""Interactive HTML view (pyvis / vis-network): one self-contained file that works with no network.

Nodes are coloured and shaped by category (with a legend) and sized by how often papers mention them; a
gene's species shows in its tooltip and panel (and in the label of a gene that is not human, "Il4 · mouse"),
with its human orthologs;
edges are coloured by predicate, dashed when negated, and as wide as their confidence. Clicking a node
shows its IDs (linked to their resolver pages), synonyms, category and ontology parents; clicking an edge
shows its predicate, confidence and evidence sentences with both entities highlighted and links to the
papers. A search box, filters (category, predicate, minimum confidence) and a neighbourhood focus help
with big graphs; the layout stops moving once it has settled.

Everything that comes from a paper or an ontology reaches the page as JSON data (``<``, ``>``, ``&``
escaped) and is put into the page with ``textContent``, never as HTML.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pyvis.network import Network

from kg.atomic import write_atomic
from kg.graph import KnowledgeGraph
from kg.identifiers import resolver_url

__all__ = [
    "CATEGORY_STYLES",
    "PREDICATE_COLOURS",
    "SPECIES_NAMES",
    "generate_html",
    "json_for_html",
    "write_html",
]

CATEGORY_STYLES = {
    "biolink:Disease": ("#e15759", "dot"),
    "biolink:PhenotypicFeature": ("#ff9d9a", "dot"),
    "biolink:Gene": ("#4e79a7", "triangle"),
    "biolink:GeneFamily": ("#a0cbe8", "triangle"),
    "biolink:Protein": ("#4e79a7", "triangle"),
    "biolink:Drug": ("#59a14f", "diamond"),
    "biolink:ChemicalEntity": ("#8cd17d", "diamond"),
    "biolink:SmallMolecule": ("#8cd17d", "diamond"),
    "biolink:OrganismTaxon": ("#b07aa1", "square"),
    "biolink:SequenceVariant": ("#76b7b2", "triangleDown"),
    "biolink:NamedThing": ("#bab0ac", "dot"),
}
# What the view calls the species whose genes kg knows (others: their taxon's label).
SPECIES_NAMES = {
    "NCBITaxon:9606": "human",
    "NCBITaxon:10090": "mouse",
    "NCBITaxon:10116": "rat",
    "NCBITaxon:7955": "zebrafish",
    "NCBITaxon:7227": "fruit fly",
}
PREDICATE_COLOURS = {
    "biolink:treats": "#59a14f",
    "biolink:causes": "#e15759",
    "biolink:contributes_to": "#f28e2b",
    "biolink:affects": "#4e79a7",
    "biolink:associated_with": "#9c755f",
    "biolink:physically_interacts_with": "#76b7b2",
    "biolink:positively_correlated_with": "#edc948",
    "biolink:negatively_correlated_with": "#b07aa1",
    "biolink:related_to": "#bab0ac",
    "biolink:is_sequence_variant_of": "#76b7b2",
}
_DEFAULT_MAX_NODES = 1500


def json_for_html(data: Any) -> str:
    """JSON safe to embed inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _wrapped(text: str, width: int = 24, lines: int = 3) -> str:
    """A label on up to ``lines`` lines of about ``width`` characters, cut between words only when it is
    longer than that (the full label is in the tooltip and the panel).

    >>> _wrapped("acquired reactive perforating collagenosis").split("\\n")
    ['acquired reactive', 'perforating collagenosis']
    """
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = [*out[: lines - 1], out[lines - 1] + "…"]
    return "\n".join(out)


def _predicate_label(predicate: str, qualifiers: list[tuple[str, str]], negated: bool) -> str:
    label = predicate.split(":", 1)[1].replace("_", " ")
    direction = dict(qualifiers).get("biolink:object_direction_qualifier")
    if direction:
        label = f"{label} ({direction} activity or abundance)"
    return f"NOT {label}" if negated else label


def _view_data(graph: KnowledgeGraph, max_nodes: int) -> tuple[list[dict], list[dict], dict[str, Any]]:
    g = graph.graph
    support = {n: d["mentions"] + 2 * g.degree(n) for n, d in g.nodes(data=True)}
    ranked = sorted(g.nodes, key=lambda n: (-support[n], n))
    shown = set(ranked[:max_nodes])
    names = {
        **{c: concept.label for c, concept in graph.classes.items()},
        **{n: d["label"] for n, d in g.nodes(data=True)},
    }
    nodes, edges, info_nodes, info_edges = [], [], {}, {}
    for node in sorted(g.nodes):
        data = g.nodes[node]
        colour, shape = CATEGORY_STYLES.get(data["category"], CATEGORY_STYLES["biolink:NamedThing"])
        taxon = data.get("taxon", "")
        species = SPECIES_NAMES.get(taxon) or names.get(taxon, taxon)
        label = data["label"] if taxon in ("", "NCBITaxon:9606") else f"{data['label']} · {species}"
        nodes.append(
            {
                "id": node,
                "label": _wrapped(label),
                "title": f"{data['label']}\n{node}\n{data['category'].split(':', 1)[1]}"
                + (f"\nspecies: {species} ({taxon})" if taxon else ""),
                "color": colour,
                "shape": shape,
                "size": 10 + min(30, 3 * support[node] ** 0.5),
                "category": data["category"],
                "hidden": node not in shown,
            }
        )
        info_nodes[node] = {
            "label": data["label"],
            "category": data["category"],
            "ids": [[curie, resolver_url(curie, graph.prefixes)] for curie in [node, *data["xrefs"]]],
            "synonyms": sorted(set(data["synonyms"]) - {data["label"]})[:50],
            "parents": [[p, names.get(p, p)] for p in [*data["parents"], *data["broad_match"]]],
            "description": data["description"],
            "species": [taxon, species] if taxon else [],
            "orthologs": [[o, names.get(o, o), resolver_url(o)] for o in data.get("orthologs", ())],
            "papers": [
                [doc, resolver_url(doc), graph.publications.get(doc, {}).get("title", "")]
                for doc in data["documents"][:50]
            ],
            "mentions": data["mentions"],
        }
    adjacency: dict[str, list[list[str]]] = {}
    between: dict[frozenset[str], int] = {}  # edges already drawn between two nodes, either way
    for index, (subject, obj, _, data) in enumerate(sorted(g.edges(keys=True, data=True))):
        pair = frozenset((subject, obj))
        rank = between.get(pair, 0)
        between[pair] = rank + 1
        edge_id = f"e{index}"
        adjacency.setdefault(subject, []).append([edge_id, obj])
        adjacency.setdefault(obj, []).append([edge_id, subject])
        label = _predicate_label(data["predicate"], data["qualifiers"], data["negated"])
        edges.append(
            {
                "id": edge_id,
                "from": subject,
                "to": obj,
                "title": f"{g.nodes[subject]['label']} {label} {g.nodes[obj]['label']}\n"
                f"confidence {data['confidence']:.2f}, {len(data['evidence'])} sentence(s)",
                "color": PREDICATE_COLOURS.get(data["predicate"], "#bab0ac"),
                "dashes": bool(data["negated"]),
                "width": 1 + 4 * data["confidence"],
                "arrows": "to",
                "predicate": data["predicate"],
                "confidence": data["confidence"],
                "sentences": len(data["evidence"]),
                "hidden": subject not in shown or obj not in shown,
                # several edges between two nodes are drawn apart, each on its own curve
                "smooth": {
                    "enabled": True,
                    "type": "curvedCW" if (rank % 2 == 0) == (subject < obj) else "curvedCCW",
                    "roundness": 0.15 * (rank // 2 + 1),
                }
                if rank or g.number_of_edges(subject, obj) + g.number_of_edges(obj, subject) > 1
                else {"enabled": False},
            }
        )
        info_edges[edge_id] = {
            "subject": [subject, g.nodes[subject]["label"]],
            "object": [obj, g.nodes[obj]["label"]],
            "predicate": label,
            "confidence": data["confidence"],
            "negated": bool(data["negated"]),
            "papers": [
                [doc, resolver_url(doc), graph.publications.get(doc, {}).get("title", "")]
                for doc in data["documents"]
            ],
            "evidence": [
                {
                    "sentence": e.sentence,
                    "subject": [e.subject_start - e.sentence_start, e.subject_end - e.sentence_start],
                    "object": [e.object_start - e.sentence_start, e.object_end - e.sentence_start],
                    "trigger": e.trigger,
                    "score": e.score,
                    "negated": e.negated,
                    "hedged": e.hedged,
                    "paper": e.document_id,
                    "section": e.passage,
                    "retracted": e.retracted,
                }
                for e in data["evidence"][:20]
            ],
        }
    meta = {
        "nodes": info_nodes,
        "edges": info_edges,
        "categories": {
            c: CATEGORY_STYLES.get(c, CATEGORY_STYLES["biolink:NamedThing"])[0]
            for c in sorted({d["category"] for _, d in g.nodes(data=True)})
        },
        "shapes": {
            c: CATEGORY_STYLES.get(c, CATEGORY_STYLES["biolink:NamedThing"])[1]
            for c in sorted({d["category"] for _, d in g.nodes(data=True)})
        },
        "predicates": {
            p: PREDICATE_COLOURS.get(p, "#bab0ac")
            for p in sorted({d["predicate"] for _, _, d in g.edges(data=True)})
        },
        "shown": len(shown),
        "total": g.number_of_nodes(),
        # held back from the drawing (big graphs): added to it when search or focus reaches them
        "held_nodes": {n["id"]: {k: v for k, v in n.items() if k != "hidden"} for n in nodes if n["hidden"]},
        "held_edges": {e["id"]: {k: v for k, v in e.items() if k != "hidden"} for e in edges if e["hidden"]},
        "adjacency": adjacency,
    }
    return [n for n in nodes if not n["hidden"]], [e for e in edges if not e["hidden"]], meta


_OPTIONS = {
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120, "avoidOverlap": 0.4},
        # stabilised explicitly by the page script (after its listeners are in place), then switched off
        "stabilization": {"enabled": False, "iterations": 400, "updateInterval": 50, "fit": True},
        "minVelocity": 1.0,
    },
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "multiselect": False},
    "edges": {"smooth": False, "font": {"size": 0}, "selectionWidth": 2},
    "nodes": {"font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1},
    "layout": {"improvedLayout": True, "randomSeed": 7},
}

_STYLE = """
body{margin:0;font-family:sans-serif}
#mynetwork{position:fixed;inset:0;border:0;height:100vh!important;width:100vw!important}
#kg-bar{position:fixed;top:8px;left:8px;right:8px;display:flex;gap:8px;align-items:center;flex-wrap:wrap;
 background:rgba(255,255,255,.92);padding:6px 8px;border:1px solid #ccc;border-radius:6px;z-index:20;font-size:13px}
#kg-bar input[type=search]{width:220px;padding:3px}
#kg-legend{position:fixed;bottom:8px;left:8px;background:rgba(255,255,255,.92);border:1px solid #ccc;
 border-radius:6px;padding:6px 8px;font-size:12px;z-index:20;max-width:45vw}
#kg-legend label{margin-right:8px;white-space:nowrap;cursor:pointer}
.kg-swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 3px -1px 2px}
.kg-shape{display:inline-block;width:12px;text-align:center;margin:0 3px 0 2px}
#kg-panel{position:fixed;top:60px;right:8px;width:380px;max-height:calc(100vh - 80px);overflow:auto;
 background:#fff;border:1px solid #ccc;border-radius:6px;padding:8px 12px;font-size:13px;z-index:30;display:none}
#kg-panel h2{font-size:16px;margin:4px 0 8px}
#kg-panel .kg-close{float:right;cursor:pointer;border:0;background:none;font-size:16px}
#kg-panel ul{padding-left:18px;margin:4px 0}
#kg-panel .kg-sentence{margin:6px 0;padding:4px 6px;background:#f7f7f7;border-left:3px solid #999}
#kg-panel mark.kg-subject{background:#ffe08a}#kg-panel mark.kg-object{background:#a8e6a1}
.kg-flag{font-size:11px;color:#a33;margin-left:4px}
#kg-status{color:#555}
"""

_SCRIPT = r"""
(function(){
  const data = JSON.parse(document.getElementById('kg-data').textContent);
  const panel = document.getElementById('kg-panel');
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  const link = (href, text) => { const a = el('a', text); a.href = href; a.target = '_blank'; a.rel = 'noopener noreferrer'; return a; };
  const state = {categories: new Set(Object.keys(data.categories)), predicates: new Set(Object.keys(data.predicates)), minConfidence: 0, minSentences: 1, focus: null};

  function clearPanel(){ while (panel.firstChild) panel.removeChild(panel.firstChild); const c = el('button', '×', 'kg-close'); c.title = 'close'; c.onclick = () => { panel.style.display = 'none'; }; panel.appendChild(c); }
  function section(title, items){ panel.appendChild(el('h3', title)); const ul = el('ul'); items.forEach(i => { const li = el('li'); if (typeof i === 'string') li.textContent = i; else li.appendChild(i); ul.appendChild(li); }); panel.appendChild(ul); }

  function showNode(id){
    const n = data.nodes[id]; if (!n) return;
    clearPanel(); panel.appendChild(el('h2', n.label));
    panel.appendChild(el('div', n.category.replace('biolink:', '') + ' · mentioned ' + n.mentions + ' time(s)'));
    if (n.species.length) panel.appendChild(el('div', 'species: ' + n.species[1] + ' (' + n.species[0] + ')', 'kg-species'));
    if (n.description) panel.appendChild(el('p', n.description));
    section('Identifiers', n.ids.map(([curie, url]) => link(url, curie)));
    if (n.orthologs.length) section('Human orthologs', n.orthologs.map(([curie, label, url]) => { const s = el('span', label + ' '); s.appendChild(link(url, curie)); return s; }));
    if (n.synonyms.length) section('Synonyms', n.synonyms);
    if (n.parents.length) section('Ontology parents', n.parents.map(([curie, label]) => label + ' (' + curie + ')'));
    section('Papers', n.papers.map(([curie, url, title]) => { const s = el('span'); s.appendChild(link(url, curie)); if (title) s.appendChild(document.createTextNode(' — ' + title)); return s; }));
    panel.style.display = 'block'; panel.dataset.kind = 'node'; panel.dataset.id = id;
  }
  function highlighted(sentence, subject, object){
    const p = el('div', undefined, 'kg-sentence');
    const marks = [[subject[0], subject[1], 'kg-subject'], [object[0], object[1], 'kg-object']].sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [s, e, cls] of marks){ if (s < at) continue; p.appendChild(document.createTextNode(sentence.slice(at, s))); p.appendChild(el('mark', sentence.slice(s, e), cls)); at = e; }
    p.appendChild(document.createTextNode(sentence.slice(at)));
    return p;
  }
  function showEdge(id){
    const e = data.edges[id]; if (!e) return;
    clearPanel(); panel.appendChild(el('h2', e.subject[1] + ' → ' + e.predicate + ' → ' + e.object[1]));
    panel.appendChild(el('div', 'confidence ' + e.confidence.toFixed(2) + (e.negated ? ' · NEGATED' : '')));
    panel.appendChild(el('h3', 'Evidence'));
    e.evidence.forEach(ev => {
      const box = highlighted(ev.sentence, ev.subject, ev.object);
      const meta = el('div', ev.paper + ' · ' + ev.section + ' · trigger “' + ev.trigger + '” · score ' + ev.score.toFixed(2));
      meta.style.fontSize = '11px'; meta.style.color = '#555';
      if (ev.negated) meta.appendChild(el('span', 'negated', 'kg-flag'));
      if (ev.hedged) meta.appendChild(el('span', 'hedged', 'kg-flag'));
      if (ev.retracted) meta.appendChild(el('span', 'retracted paper: not counted', 'kg-flag'));
      box.appendChild(meta); panel.appendChild(box);
    });
    section('Papers', e.papers.map(([curie, url, title]) => { const s = el('span'); s.appendChild(link(url, curie)); if (title) s.appendChild(document.createTextNode(' — ' + title)); return s; }));
    panel.style.display = 'block'; panel.dataset.kind = 'edge'; panel.dataset.id = id;
  }

  function applyFilters(){
    const visibleNodes = new Set();
    const focusSet = state.focus;
    nodes.update(nodes.get().map(n => {
      const ok = state.categories.has(n.category) && (!focusSet || focusSet.has(n.id)) && (focusSet || !n.kgHiddenByDefault);
      if (ok) visibleNodes.add(n.id);
      return {id: n.id, hidden: !ok};
    }));
    edges.update(edges.get().map(e => ({id: e.id, hidden: !(state.predicates.has(e.predicate) && e.confidence >= state.minConfidence && e.sentences >= state.minSentences && visibleNodes.has(e.from) && visibleNodes.has(e.to))})));
    document.getElementById('kg-status').textContent = visibleNodes.size + ' of ' + data.total + ' nodes shown' + (data.total > data.shown ? ' (search or focus reaches the rest)' : '');
    document.querySelectorAll('.vis-tooltip').forEach(t => { t.style.visibility = 'hidden'; });  // its edge may be gone
  }
  // The marked nodes (a focus, the ends of a path): thick border, bold label.
  function mark(ids){
    const on = new Set(ids);
    nodes.update(nodes.get().map(n => ({id: n.id, borderWidth: on.has(n.id) ? 5 : 1, font: {size: on.has(n.id) ? 18 : 14, bold: on.has(n.id) ? {color: '#000'} : false}})));
  }
  // Shortest chains between two nodes (breadth-first over every edge, held back or drawn), highlighted,
  // with each hop's evidence in the panel.
  function findNode(text){
    const q = text.trim().toLowerCase(); const ids = Object.keys(data.nodes);
    return ids.find(i => i.toLowerCase() === q || data.nodes[i].label.toLowerCase() === q) || ids.find(i => data.nodes[i].label.toLowerCase().includes(q) || data.nodes[i].synonyms.some(s => s.toLowerCase().includes(q)));
  }
  function showPath(fromText, toText){
    const a = findNode(fromText), b = findNode(toText);
    if (!a || !b){ document.getElementById('kg-status').textContent = 'no node matches ' + (a ? '“' + toText + '”' : '“' + fromText + '”'); return null; }
    const previous = {[a]: null}; let queue = [a], found = false;
    while (queue.length && !found){ const next = []; for (const n of queue){ for (const [e, m] of (data.adjacency[n] || [])){ if (!(m in previous)){ previous[m] = [n, e]; if (m === b){ found = true; break; } next.push(m); } } if (found) break; } queue = next; }
    if (!found){ document.getElementById('kg-status').textContent = 'no chain joins them'; return null; }
    const route = [b], hops = []; let at = b; while (previous[at]){ hops.unshift(previous[at][1]); at = previous[at][0]; route.unshift(at); }
    reveal(route); state.focus = null; applyFilters();
    const onRoute = new Set(route), onHops = new Set(hops);
    nodes.update(nodes.get().map(n => ({id: n.id, opacity: onRoute.has(n.id) ? 1 : 0.2})));
    edges.update(edges.get().map(e => ({id: e.id, width: onHops.has(e.id) ? 6 : 1})));
    mark([a, b]); network.fit({nodes: route, animation: false});
    clearPanel(); panel.appendChild(el('h2', route.map(n => data.nodes[n].label).join(' → ')));
    hops.forEach(e => { const edge = data.edges[e]; panel.appendChild(el('h3', edge.subject[1] + ' → ' + edge.predicate + ' → ' + edge.object[1])); edge.evidence.slice(0, 3).forEach(ev => panel.appendChild(highlighted(ev.sentence, ev.subject, ev.object))); });
    panel.style.display = 'block'; panel.dataset.kind = 'path';
    document.body.dataset.path = route.join(' ');
    document.getElementById('kg-status').textContent = 'chain of ' + hops.length + ' hop(s)';
    return route;
  }
  // Bring held-back nodes and edges into the drawing, placed around a node already drawn.
  function reveal(ids){
    const drawn = new Set(nodes.getIds());
    const adding = [];
    ids.forEach(n => {
      if (drawn.has(n) || !data.held_nodes[n]) return;
      const anchor = (data.adjacency[n] || []).map(([, m]) => m).find(m => drawn.has(m));
      const at = anchor ? network.getPositions([anchor])[anchor] : {x: 0, y: 0};
      const angle = adding.length * 2.399;
      adding.push(Object.assign({}, data.held_nodes[n], {x: at.x + 80 * Math.cos(angle), y: at.y + 80 * Math.sin(angle), kgHiddenByDefault: true}));
    });
    if (adding.length) nodes.add(adding);
    const present = new Set(nodes.getIds());
    const edgesNow = new Set(edges.getIds());
    const extra = [];
    ids.forEach(n => (data.adjacency[n] || []).forEach(([e, m]) => { if (!edgesNow.has(e) && data.held_edges[e] && present.has(m)) { edgesNow.add(e); extra.push(data.held_edges[e]); } }));
    if (extra.length) edges.add(extra);
  }
  function focusOn(id, hops){
    const keep = new Set([id]); let frontier = [id];
    for (let i = 0; i < hops; i++){ const next = []; frontier.forEach(n => (data.adjacency[n] || []).forEach(([, m]) => { if (!keep.has(m)){ keep.add(m); next.push(m); } })); frontier = next; }
    reveal(keep);
    state.focus = keep; applyFilters(); mark([id]); relayout(() => { network.selectNodes([id]); network.fit({nodes: Array.from(keep), animation: false}); });
    showNode(id);
  }
  // Nodes that were hidden have no place yet: let the physics settle the visible part briefly, then stop.
  function relayout(done){
    network.once('stabilizationIterationsDone', () => { network.setOptions({physics: {enabled: false}}); done(); });
    network.setOptions({physics: {enabled: true}});
    network.stabilize(150);
  }
  function search(text){
    const q = text.trim().toLowerCase(); if (!q) return;
    const ids = Object.keys(data.nodes);
    const hit = ids.find(i => i.toLowerCase() === q || data.nodes[i].label.toLowerCase() === q) || ids.find(i => data.nodes[i].label.toLowerCase().includes(q) || data.nodes[i].synonyms.some(s => s.toLowerCase().includes(q)));
    if (!hit){ document.getElementById('kg-status').textContent = 'no node matches “' + text + '”'; return; }
    focusOn(hit, 1);
  }

  // bar: search, focus reset, confidence
  const input = document.getElementById('kg-search');
  input.addEventListener('keydown', ev => { if (ev.key === 'Enter') search(input.value); });
  document.getElementById('kg-search-button').onclick = () => search(input.value);
  document.getElementById('kg-reset').onclick = () => { state.focus = null; input.value = ''; applyFilters(); network.fit(); };
  const sentences = document.getElementById('kg-sentences');
  sentences.addEventListener('input', () => { state.minSentences = parseInt(sentences.value, 10); document.getElementById('kg-sentences-value').textContent = sentences.value; applyFilters(); });
  const slider = document.getElementById('kg-confidence');
  slider.addEventListener('input', () => { state.minConfidence = parseFloat(slider.value); document.getElementById('kg-confidence-value').textContent = state.minConfidence.toFixed(2); applyFilters(); });

  // legend with category and predicate filters
  const legend = document.getElementById('kg-legend');
  function legendRow(title, entries, set){
    const row = el('div'); row.appendChild(el('b', title + ': '));
    Object.entries(entries).forEach(([key, colour]) => {
      const label = el('label'); const box = el('input'); box.type = 'checkbox'; box.checked = true; box.dataset.key = key;
      box.onchange = () => { box.checked ? set.add(key) : set.delete(key); applyFilters(); };
      const shape = (data.shapes || {})[key];
      const swatch = shape ? el('span', {dot: '●', triangle: '▲', diamond: '◆', square: '■', star: '★'}[shape] || '●', 'kg-shape') : el('span', undefined, 'kg-swatch');
      if (shape) swatch.style.color = colour; else swatch.style.background = colour;
      label.appendChild(box); label.appendChild(swatch); label.appendChild(document.createTextNode(key.replace('biolink:', '').replace(/_/g, ' ')));
      row.appendChild(label);
    });
    legend.appendChild(row);
  }
  legendRow('Nodes', data.categories, state.categories);
  legendRow('Edges', data.predicates, state.predicates);
  const note = el('div', 'dashed edge = negated claim; width = confidence; size = mentions'); note.style.color = '#555'; legend.appendChild(note);

  network.on('click', params => {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });
  const settle = () => {
    network.setOptions({physics: {enabled: false}});
    const chain = document.body.dataset.path;
    network.fit(chain ? {nodes: chain.split(' '), animation: false} : undefined);
    document.body.dataset.stable = 'true';
  };
  if (data.layout){
    network.once('stabilizationIterationsDone', settle);
    network.setOptions({physics: {enabled: true}});
    network.stabilize(data.iterations);
  } else { settle(); }
  document.getElementById('kg-path-button').onclick = () => showPath(document.getElementById('kg-from').value, document.getElementById('kg-to').value);
  window.kg = {data, showNode, showEdge, focusOn, search, applyFilters, showPath, mark};
  applyFilters();
  if (data.focus.length) mark(data.focus);
  if (data.path.length === 2) showPath(data.path[0], data.path[1]);
  const params = new URLSearchParams(location.search);
  if (params.get('focus')) search(params.get('focus'));
})();
"""

_BAR = """
<div id="kg-bar">
  <b>kg</b><span id="kg-title"></span>
  <input id="kg-search" type="search" placeholder="search a node (label, synonym or ID)" aria-label="search">
  <button id="kg-search-button">Find</button><button id="kg-reset">Show all</button>
  <span>path <input id="kg-from" type="search" placeholder="from" size="11" aria-label="path from"> →
  <input id="kg-to" type="search" placeholder="to" size="11" aria-label="path to"> <button id="kg-path-button">Show</button></span>
  <label>min. confidence <input id="kg-confidence" type="range" min="0" max="1" step="0.05" value="0">
  <span id="kg-confidence-value">0.00</span></label>
  <label>min. sentences <input id="kg-sentences" type="range" min="1" max="10" step="1" value="1">
  <span id="kg-sentences-value">1</span></label>
  <span id="kg-status"></span>
</div>
<div id="kg-legend"></div>
<div id="kg-panel" role="dialog"></div>
"""


def generate_html(
    graph: KnowledgeGraph,
    *,
    title: str = "kg",
    max_nodes: int = _DEFAULT_MAX_NODES,
    physics: bool | None = None,
    focus: list[str] | None = None,
    chain: tuple[str, str] | None = None,
) -> str:
    """The HTML page of the graph. Past ``max_nodes`` nodes, the best-supported ones are shown first and
    the rest stay reachable through search and focus. The layout is settled once in the browser by a
    bounded stabilisation (``physics``; default: when at most 3,000 nodes are shown), then physics stops.
    ``focus`` nodes are marked; with ``chain`` (two node IDs), the shortest chain between them is
    highlighted and listed with its evidence when the page opens."""
    nodes, edges, meta = _view_data(graph, max_nodes)
    network = Network(height="100vh", width="100%", directed=True, cdn_resources="in_line", heading="")
    network.nodes = nodes  # filled directly: pyvis's add_node is quadratic on big graphs
    network.edges = edges
    network.node_ids = [n["id"] for n in nodes]
    network.node_map = {n["id"]: n for n in nodes}
    options = json.loads(json.dumps(_OPTIONS))
    options["physics"]["enabled"] = False  # the page script runs a bounded stabilisation, then stops physics
    # vis-network's "improved layout" (Kamada-Kawai on clusters) stalls big pages for minutes
    options["layout"]["improvedLayout"] = meta["total"] <= 300
    meta["layout"] = physics if physics is not None else meta["shown"] <= 3000
    # iterations of the one stabilisation: fewer as the drawing grows (a 1,000-node view settles in ~2 s)
    meta["iterations"] = max(40, min(400, 60_000 // max(meta["shown"], 1)))
    meta["focus"] = list(focus or [])
    meta["path"] = list(chain) if chain else []
    network.set_options(json.dumps(options))
    page = network.generate_html(notebook=False)
    # pyvis links Bootstrap from a CDN even in 'in_line' mode; the page does not use it.
    page = re.sub(r"<link[^>]*bootstrap[^>]*>\s*", "", page, flags=re.IGNORECASE)
    page = re.sub(r"<script[^>]*bootstrap[^>]*>\s*</script>\s*", "", page, flags=re.IGNORECASE)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    page = re.sub(r"<h1>\s*</h1>", "", page)
    page = page.replace(
        "<head>", '<head>\n<meta charset="utf-8">\n<title>' + _escape_text(title) + "</title>", 1
    )
    injected = (
        f'<style>{_STYLE}</style>\n{_BAR}\n<script type="application/json" id="kg-data">'
        f"{json_for_html(meta)}</script>\n<script>{_SCRIPT}</script>\n"
    )
    return page.replace("</body>", injected + "</body>", 1)


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_html(graph: KnowledgeGraph, path: str | Path, **options: Any) -> Path:
    """Write the HTML view atomically; returns the path."""
    return write_atomic(path, generate_html(graph, **options))

"""Write a built graph into an output directory: every export format plus the build report.

Each file is written atomically (see :mod:`kg.atomic`) and deterministically.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.atomic import atomic_group, write_atomic
from kg.choices import RdfFormat
from kg.graph import KnowledgeGraph
from kg.html import write_html
from kg.pipeline import BuildReport
from kg.rdf import write_rdf
from kg.tables import write_tables

__all__ = ["write_outputs"]


def write_outputs(
    graph: KnowledgeGraph,
    directory: str | Path,
    *,
    name: str = "graph",
    report: BuildReport | None = None,
    title: str | None = None,
    rdf_formats: tuple[RdfFormat | str, ...] = (RdfFormat.TURTLE,),
    html: bool = True,
    shard_triples: int | None = None,
) -> list[Path]:
    """Write ``NAME.ttl`` (and ``NAME.nt``, ``NAME.jsonld`` if asked), ``nodes.tsv``, ``edges.tsv``,
    ``evidence.tsv``, ``NAME.html`` and ``report.json`` into ``directory``; return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    formats = tuple(dict.fromkeys(RdfFormat(f) for f in rdf_formats))
    for stale in directory.glob(".*.tmp"):  # left by a build that was killed while writing
        stale.unlink(missing_ok=True)
    with atomic_group():  # all files land together, or none: a killed build leaves the previous set
        return _write_all(graph, directory, name, report, title, formats, html, shard_triples)


def _write_shards(graph: KnowledgeGraph, directory: Path, name: str, size: int) -> list[Path]:
    """N-Triples in files of ``size`` triples (``NAME-00001.nt``...), for bulk loaders (Oxigraph, Virtuoso)."""
    from kg.rdf import serialize

    lines = serialize(graph, RdfFormat.N_TRIPLES).split(b"\n")
    lines = [line for line in lines if line]
    paths = []
    for index, start in enumerate(range(0, len(lines), size), start=1):
        paths.append(
            write_atomic(
                directory / f"{name}-{index:05d}.nt", b"\n".join(lines[start : start + size]) + b"\n"
            )
        )
    return paths


def _write_all(
    graph: KnowledgeGraph,
    directory: Path,
    name: str,
    report: BuildReport | None,
    title: str | None,
    rdf_formats: tuple[RdfFormat, ...],
    html: bool,
    shard_triples: int | None = None,
) -> list[Path]:
    paths = []
    for rdf_format in rdf_formats:
        if rdf_format is RdfFormat.N_TRIPLES and shard_triples:
            paths += _write_shards(graph, directory, name, shard_triples)
        else:
            paths.append(write_rdf(graph, directory / f"{name}.{rdf_format.suffix}", rdf_format))
    paths += write_tables(graph, directory)
    if title is None:
        titles = sorted(record["title"] for record in graph.publications.values())
        title = titles[0] if len(titles) == 1 else f"kg: {len(titles)} papers"
    if html:
        paths.append(write_html(graph, directory / f"{name}.html", title=title))
    if report is not None:
        text = json.dumps(report.as_dict(graph), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        paths.append(write_atomic(directory / "report.json", text))
    return paths

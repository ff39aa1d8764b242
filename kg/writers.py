"""Write a built graph into an output directory: every export format plus the build report.

Each file is written atomically (see :mod:`kg.atomic`) and deterministically, and all land together.
``kg-build.json`` lists what the build wrote: a later build into the same folder removes the files of the
earlier one it does not write again (a ``graph.jsonld`` or ``graph-00007.nt`` of other options), never any
other file; and reading the folder as papers leaves them out (:data:`kg.read.BUILD_MANIFEST`). A folder
that cannot be written ends in one :class:`~kg.errors.OutputError` line naming the path and the problem.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.atomic import atomic_group, write_atomic
from kg.choices import RdfFormat
from kg.errors import OutputError
from kg.graph import KnowledgeGraph
from kg.html import write_html
from kg.pipeline import BuildReport
from kg.rdf import write_rdf
from kg.read import BUILD_MANIFEST
from kg.sssom import write_sssom
from kg.tables import write_tables
from kg.version import __version__

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
    biolink_hierarchy: bool = True,
) -> list[Path]:
    """Write ``NAME.ttl`` (and ``NAME.nt``, ``NAME.jsonld`` if asked), ``nodes.tsv``, ``edges.tsv``,
    ``evidence.tsv``, ``mappings.sssom.tsv``, ``NAME.html``, ``report.json`` and ``kg-build.json`` into
    ``directory``; return
    their paths."""
    directory = Path(directory)
    formats = tuple(dict.fromkeys(RdfFormat(f) for f in rdf_formats))
    if shard_triples is not None and shard_triples < 1:
        raise ValueError(f"shard_triples must be at least 1, not {shard_triples}")
    try:
        _prepare(directory)
        earlier = _listed(directory)
        with atomic_group():  # all files land together, or none: a killed build leaves the previous set
            paths = _write_all(
                graph, directory, name, report, title, formats, html, shard_triples, biolink_hierarchy
            )
            names = sorted(p.name for p in paths)
            manifest = {"files": names, "written_by": f"kg {__version__}"}
            paths.append(write_atomic(directory / BUILD_MANIFEST, json.dumps(manifest, indent=1) + "\n"))
        for stale in sorted(earlier - set(names)):
            (directory / stale).unlink(missing_ok=True)
    except OSError as error:
        where = error.filename or directory
        raise OutputError(f"{where}: cannot write the outputs ({error.strerror or error})") from None
    return paths


def _prepare(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{directory}: exists and is not a folder (-o names the folder the outputs go in)")
    for parent in directory.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"{directory}: {parent} is a file, so no folder can be made under it")
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(".*.tmp"):  # left by a build that was killed while writing
        stale.unlink(missing_ok=True)


def _listed(directory: Path) -> set[str]:
    """The files an earlier build listed in this folder's manifest (plain names only)."""
    try:
        listed = json.loads((directory / BUILD_MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {n for n in listed if isinstance(n, str) and n == Path(n).name and not n.startswith(".")}


def _write_shards(
    graph: KnowledgeGraph, directory: Path, name: str, size: int, biolink_hierarchy: bool = True
) -> list[Path]:
    """N-Triples in files of ``size`` triples (``NAME-00001.nt``...), for bulk loaders (Oxigraph, Virtuoso)."""
    from kg.rdf import serialize

    lines = serialize(graph, RdfFormat.N_TRIPLES, biolink_hierarchy=biolink_hierarchy).split(b"\n")
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
    biolink_hierarchy: bool = True,
) -> list[Path]:
    paths = []
    for rdf_format in rdf_formats:
        if rdf_format is RdfFormat.N_TRIPLES and shard_triples:
            paths += _write_shards(graph, directory, name, shard_triples, biolink_hierarchy)
        else:
            target = directory / f"{name}.{rdf_format.suffix}"
            paths.append(write_rdf(graph, target, rdf_format, biolink_hierarchy=biolink_hierarchy))
    paths += write_tables(graph, directory)
    paths.append(write_sssom(graph, directory / "mappings.sssom.tsv"))
    if title is None:
        titles = sorted(record["title"] for record in graph.publications.values())
        title = titles[0] if len(titles) == 1 else f"kg: {len(titles)} papers"
    if html:
        paths.append(write_html(graph, directory / f"{name}.html", title=title))
    if report is not None:
        text = json.dumps(report.as_dict(graph), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        paths.append(write_atomic(directory / "report.json", text))
    return paths

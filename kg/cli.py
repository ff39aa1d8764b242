"""The ``kg`` command line. It only parses arguments, calls the package and prints; no logic lives here.

Errors `kg` raises on purpose (bad input, bad query, missing lexicon) end in a one-line message naming the
file and the problem, and a non-zero exit status, without a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kg.choices import (
    AnnotationFormat,
    InputFormat,
    PaperSource,
    RdfFormat,
    RelationScheme,
    ResultFormat,
    TaggingScheme,
)
from kg.display import visible
from kg.errors import InputError, KGError, QueryError
from kg.records import EntityType

if TYPE_CHECKING:
    from kg.extract import Extractor

__all__ = ["app", "main"]

E = TypeVar("E", bound=StrEnum)


class Several(tuple):
    """Comma-separated choices of one closed set (``--rdf ttl,nt``), checked by the parser."""


def _several(choices: type[E]) -> Callable[[object], tuple[E, ...]]:
    def parse(text: object) -> tuple[E, ...]:
        if isinstance(text, tuple):  # a default already parsed
            return text
        values = []
        for part in str(text).split(","):
            if part.strip():
                try:
                    values.append(choices(part.strip()))
                except ValueError:
                    raise typer.BadParameter(
                        f"{part.strip()!r} is not one of {', '.join(c.value for c in choices)}"
                    ) from None
        return Several(dict.fromkeys(values))

    return parse


TURTLE_ONLY = Several((RdfFormat.TURTLE,))
EVERY_TYPE = Several(EntityType)


def _metavar(choices: type[StrEnum]) -> str:
    return "[" + "|".join(c.value for c in choices) + "],..."


def _version(value: bool) -> None:
    if value:
        from kg.version import __version__

        out.print(f"kg {__version__}", highlight=False)
        raise typer.Exit()


app = typer.Typer(
    name="kg",
    help="Build biomedical knowledge graphs from papers: read, recognise, relate, export, query.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
lexicon_app = typer.Typer(
    help="Build or inspect the lexicon (names and IDs of genes, diseases, chemicals).", no_args_is_help=True
)
app.add_typer(lexicon_app, name="lexicon")
console = Console(stderr=True, soft_wrap=True)
# Tables fit the terminal (or $COLUMNS); printed to a pipe or a file they are not squeezed into 80 columns.
out = Console(
    soft_wrap=True,
    width=int(os.environ["COLUMNS"])
    if os.environ.get("COLUMNS", "").isdigit()
    else (None if sys.stdout.isatty() else 200),
)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print kg's version and exit.")
    ] = False,
) -> None:
    """Build biomedical knowledge graphs from papers: read, recognise, relate, export, query."""


def _lexicon(path: Path | None):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.lexicon import Lexicon, get_default_lexicon
    from kg.lexicon.lexicon import compile_lexicon, default_lexicon_dir

    if not Lexicon.is_compiled(path):
        with Progress(
            TextColumn("compiling the lexicon (once per machine)"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("compile", total=1.0)
            compile_lexicon(
                path or default_lexicon_dir(),
                Lexicon.compiled_path(path),
                lambda fraction: progress.update(task, completed=fraction),
            )
    return get_default_lexicon() if path is None else Lexicon.open(path)


def _extractor(
    lexicon: Path | None,
    models: Path | None,
    scheme: RelationScheme | None = RelationScheme.BIORED,
    tagging: TaggingScheme = TaggingScheme.KG,
    vocabularies: list[Path] | None = None,
    registered: bool = True,
) -> Extractor:
    """The extractor a command uses: with the vocabularies ``kg lexicon add`` stored (unless not
    ``registered``: scores measure kg itself) and those given."""
    from kg.extract import Extractor
    from kg.normalise.index import CandidateIndex
    from kg.vocabulary import load_vocabulary, registered_vocabularies

    opened = _lexicon(lexicon)
    layered = [
        *(registered_vocabularies() if registered else []),
        *(load_vocabulary(path, opened) for path in vocabularies or []),
    ]
    extractor = Extractor.open(
        opened, models, relation_scheme=scheme, tagging_scheme=tagging, vocabularies=layered
    )
    if (
        extractor.normaliser is not None
        and not (CandidateIndex.path_for(extractor.lexicon) / "meta.json").exists()
    ):
        with console.status("indexing the lexicon's names for the normaliser (once, about 8 s)…"):
            extractor.prepare()
    return extractor


def _fetch(
    folder: Path,
    query: str | None,
    ids: list[str],
    source: PaperSource,
    limit: int,
    email: str | None,
) -> list[Path]:
    """Fetch papers into ``folder`` with a progress bar; report what could not be had; the files."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.fetch import Fetcher, FetchSettings

    settings = FetchSettings.from_environment(email=email or "")
    with Progress(
        TextColumn(f"[bold]fetch[/bold] {source.value}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("papers", total=None)
        fetcher = Fetcher(folder, settings, progress=lambda n: progress.advance(task, n))
        if query:
            ids = [*ids, *fetcher.search(query, limit, source)]
        if not ids:
            raise InputError(
                f"nothing to fetch: the query {query!r} found no paper" if query else "give a query or IDs"
            )
        progress.update(task, total=len(dict.fromkeys(ids)))
        report = fetcher.fetch(ids, source)
    console.print(
        f"{len(report.fetched)} paper(s) fetched, {len(report.present)} already in {escape(str(folder))}, "
        f"{len(report.failed)} not fetched"
    )
    for paper, problem in sorted(report.failed.items())[:20]:
        console.print(f"[yellow]not fetched[/yellow] {escape(paper)}: {escape(visible(problem))}")
    return report.files


def _ids(value: str | None) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value or "") if part]


@app.command()
def fetch(
    query: Annotated[
        str | None, typer.Argument(help="A PubMed query (as typed in PubMed's search box).")
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder the papers are saved in.")] = Path(
        "output/papers"
    ),
    pmids: Annotated[
        str | None, typer.Option(help="PMIDs, comma-separated (instead of or besides a query).")
    ] = None,
    pmcids: Annotated[str | None, typer.Option(help="PMC ids, comma-separated (with --source pmc).")] = None,
    source: Annotated[
        PaperSource,
        typer.Option(
            help="pubmed: abstracts (PubMed XML); pmc: open-access full texts (BioC); pubtator: PubTator3's annotated documents."
        ),
    ] = PaperSource.PUBMED,
    max_papers: Annotated[
        int, typer.Option("--max", min=1, help="At most this many papers from a query.")
    ] = 100,
    email: Annotated[
        str | None, typer.Option(help="Your e-mail, sent to NCBI as its usage rules ask (or set NCBI_EMAIL).")
    ] = None,
) -> None:
    """Fetch papers from NCBI (E-utilities, PMC open-access BioC, PubTator3) into a folder, one file each;
    a rerun fetches only what is missing. Set NCBI_API_KEY for 10 requests/s instead of 3.

    Example: kg fetch "dupilumab perforating collagenosis" -o output/papers
    """
    ids = _ids(pmcids) if source is PaperSource.PMC else _ids(pmids)
    files = _fetch(output, query, ids, source, max_papers, email)
    out.print(f"{len(files)} paper file(s) in {output}")


@app.command()
def build(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="Papers: files, directories or globs (or --query).", show_default=False),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the graph files.")] = Path(
        "output"
    ),
    query: Annotated[
        str | None,
        typer.Option(help="Fetch the papers of this PubMed query first (into OUTPUT/papers), then build."),
    ] = None,
    source: Annotated[PaperSource, typer.Option(help="With --query: where the papers come from.")] = (
        PaperSource.PUBMED
    ),
    max_papers: Annotated[
        int, typer.Option("--max", min=1, help="With --query: at most this many papers.")
    ] = 100,
    input_format: Annotated[
        InputFormat | None, typer.Option("--format", "-f", help="Input format (default: detected).")
    ] = None,
    lexicon: Annotated[
        Path | None, typer.Option(help="Lexicon directory (default: the shipped one).")
    ] = None,
    models: Annotated[
        Path | None, typer.Option(help="Directory of learned models (default: the shipped ones).")
    ] = None,
    name: Annotated[str, typer.Option(help="Base name of the graph files.")] = "graph",
    rdf: Annotated[
        Several,
        typer.Option(
            parser=_several(RdfFormat),
            metavar=_metavar(RdfFormat),
            help="RDF formats to write, comma-separated.",
        ),
    ] = TURTLE_ONLY,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
    dask: Annotated[
        str | None, typer.Option(help="Dask scheduler address, or 'local' for a local cluster.")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            help="Keep finished batches in OUTPUT/.kg-checkpoints and reuse them "
            "when an interrupted build is run again."
        ),
    ] = False,
    html: Annotated[bool, typer.Option(help="Write the HTML view.")] = True,
    biolink_hierarchy: Annotated[
        bool,
        typer.Option(
            help="Put Biolink's class and predicate hierarchy in the RDF (rdfs:subClassOf*, rdfs:subPropertyOf*)."
        ),
    ] = True,
    include_retracted: Annotated[
        bool,
        typer.Option(
            help="Count evidence from retracted papers in confidences (it is always kept, flagged)."
        ),
    ] = False,
    shard_triples: Annotated[
        int | None,
        typer.Option(
            min=1, help="Write N-Triples as shards of this many triples (NAME-00001.nt...) for bulk loaders."
        ),
    ] = None,
    vocabulary: Annotated[
        list[Path] | None,
        typer.Option(
            help="A vocabulary of your own (.obo, .owl, .sssom.tsv, .tsv) layered over the lexicon for this "
            "build (repeatable; `kg lexicon add` keeps one for every build)."
        ),
    ] = None,
) -> None:
    """Build the knowledge graph of INPUTS into OUTPUT: Turtle, KGX TSV tables, evidence table, HTML view."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.pipeline import BuildReport, build_graph, clear_checkpoints
    from kg.read import resolve_inputs
    from kg.writers import write_outputs

    inputs = list(inputs or [])
    if query:
        inputs += _fetch(output / "papers", query, [], source, max_papers, None)
    if not inputs:
        raise InputError("give papers to build from, or --query")
    resolve_inputs(inputs)  # a missing input is reported before the lexicon is opened
    report = BuildReport()
    for path in vocabulary or []:
        if not path.is_file():
            raise InputError(f"{path}: no such vocabulary file")
    extractor = _extractor(lexicon, models, vocabularies=vocabulary)
    extractor.prepare()  # the first run on a machine compiles the lexicon (and the normaliser index): not in the rate
    started = time.perf_counter()
    checkpoint = output / ".kg-checkpoints" if resume else None
    with Progress(
        TextColumn("[bold]build[/bold]"),
        BarColumn(bar_width=None),
        TextColumn("{task.completed:,} documents"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("documents", total=None, rate="")

        def advance(count: int) -> None:
            progress.advance(task, count)
            done = progress.tasks[0].completed
            progress.update(task, rate=f"{done / max(time.perf_counter() - started, 1e-9):,.0f} documents/s")

        graph = build_graph(
            [str(p) for p in inputs],
            format=input_format,
            extractor=extractor,
            report=report,
            workers=workers,
            dask=dask,
            checkpoint=checkpoint,
            on_documents=advance,
            include_retracted=include_retracted,
            clear_checkpoints=False,  # kept until the outputs are written: a kill while writing resumes
        )
    if report.documents == 0:
        raise InputError(
            "no document could be read: "
            + "; ".join(f"{s['file']}: {s['problem']}" for s in report.skipped[:3])
        )
    formats = tuple(rdf)
    if shard_triples and RdfFormat.N_TRIPLES not in formats:
        formats = (*formats, RdfFormat.N_TRIPLES)
    paths = write_outputs(
        graph,
        output,
        name=name,
        report=report,
        rdf_formats=formats,
        html=html,
        shard_triples=shard_triples,
        biolink_hierarchy=biolink_hierarchy,
    )
    if checkpoint is not None:
        clear_checkpoints(checkpoint)
    seconds = time.perf_counter() - started
    console.print(
        f"[bold]{report.documents:,}[/bold] document(s) ({report.documents / seconds:,.0f}/s), "
        f"{report.mentions:,} mentions, {graph.graph.number_of_nodes():,} nodes, "
        f"{graph.graph.number_of_edges():,} edges, {len(report.skipped)} skipped"
        + (f", {report.resumed_batches} batch(es) resumed" if report.resumed_batches else "")
        + f", in {seconds:.1f} s"
    )
    for skipped in report.skipped[:20]:
        console.print(
            f"[yellow]skipped[/yellow] {escape(str(skipped['file']))}: {escape(str(skipped['problem']))}"
        )
    if len(report.skipped) > 20:
        console.print(f"... and {len(report.skipped) - 20} more skipped (see report.json)")
    for path in paths:
        out.print(f"wrote {path}")


@app.command()
def annotate(
    inputs: Annotated[
        list[Path], typer.Argument(help="Papers: files, directories or globs.", show_default=False)
    ],
    output_format: Annotated[AnnotationFormat, typer.Option("--format", "-f", help="Output format.")] = (
        AnnotationFormat.PUBTATOR
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output file (default: stdout).")
    ] = None,
    input_format: Annotated[
        InputFormat | None, typer.Option(help="Input format (default: detected).")
    ] = None,
    scheme: Annotated[
        RelationScheme, typer.Option(help="Relation types: BioRED's, or CDR's CID only.")
    ] = RelationScheme.BIORED,
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
    models: Annotated[Path | None, typer.Option(help="Directory of learned models.")] = None,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
) -> None:
    """Annotate papers with what kg finds (annotations already in the input are ignored), in PubTator or
    BioC, with MeSH IDs for diseases and chemicals and NCBI Gene IDs for genes."""
    from kg.annotate import annotate_files
    from kg.pipeline import BuildReport
    from kg.read import resolve_inputs

    resolve_inputs(inputs)
    report = BuildReport()
    text = annotate_files(
        [str(p) for p in inputs],
        _extractor(lexicon, models, scheme),
        output_format,
        input_format=input_format,
        workers=workers,
        report=report,
    )
    for skipped in report.skipped:
        console.print(
            f"[yellow]skipped[/yellow] {escape(str(skipped['file']))}: {escape(str(skipped['problem']))}"
        )
    if output is None:
        sys.stdout.write(text)
    else:
        from kg.atomic import write_atomic

        write_atomic(output, text)
        console.print(f"{report.documents} document(s) annotated; wrote {output}")


@app.command()
def query(
    graph: Annotated[
        Path, typer.Argument(help="A graph file (.ttl, .nt, .jsonld), a build directory or a store.")
    ],
    sparql: Annotated[str | None, typer.Argument(help="The SPARQL query (or use --file).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-q", help="Read the query from this file.")] = None,
    result_format: Annotated[
        ResultFormat,
        typer.Option(
            "--format",
            "-f",
            help="table: for reading; csv, tsv, json: plain values, one row per line or object; "
            "xml: the W3C SPARQL results format.",
        ),
    ] = ResultFormat.TABLE,
    iri: Annotated[bool, typer.Option("--iri", help="Full IRIs instead of CURIEs (MONDO:0004980).")] = False,
) -> None:
    """Run a SPARQL query over a built graph and print the rows.

    Example: kg query output/graph.ttl --file queries/seed_chain.rq
    """
    from kg.sparql import Store

    if (sparql is None) == (file is None):
        raise QueryError("give the query as an argument or with --file, not both and not neither")
    if file is not None:
        if not file.is_file():
            raise InputError(f"{file}: no such query file")
        sparql = file.read_text(encoding="utf-8")
    assert sparql is not None
    from kg.display import generate_delimited, generate_json, print_table
    from kg.sparql import is_store

    store = Store(graph, read_only=True) if is_store(graph) else Store.from_files([_graph_file(graph)])
    if result_format is ResultFormat.XML:
        sys.stdout.buffer.write(store.query_serialized(sparql, result_format))
        return
    frame = store.query(sparql, compact=not iri)
    columns = [str(c) for c in frame.columns]
    if result_format is ResultFormat.TABLE:
        print_table(out, columns, list(frame.itertuples(index=False)))
        console.print(f"{len(frame)} row(s)")
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    if result_format is ResultFormat.JSON:
        sys.stdout.write(generate_json(records))
    else:
        sys.stdout.write(
            generate_delimited(records, columns, "," if result_format is ResultFormat.CSV else "\t")
        )


@app.command()
def load(
    store: Annotated[Path, typer.Argument(help="Store directory (created if missing).")],
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Papers, RDF files written by `kg build`, or ontology files (.obo, .owl, .ttl) to load beside them.",
            show_default=False,
        ),
    ],
    input_format: Annotated[
        InputFormat | None, typer.Option("--format", "-f", help="Paper format (default: detected).")
    ] = None,
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
    models: Annotated[Path | None, typer.Option(help="Directory of learned models.")] = None,
) -> None:
    """Add papers (or kg's RDF files) to a persistent SPARQL store without duplicating nodes or evidence;
    load ontology files beside them (each in a named graph of its own, joined to kg's nodes by IRI)."""
    from kg.ontology import is_ontology_file
    from kg.pipeline import BuildReport, build_graph
    from kg.sparql import RDF_FORMATS, Store

    started = time.perf_counter()
    target = Store(store)
    before = len(target)
    ontologies = [p for p in inputs if p.is_file() and is_ontology_file(p)]
    rdf_files = [
        p
        for p in inputs
        if p.is_file() and p not in ontologies and any(s.lower() in RDF_FORMATS for s in p.suffixes)
    ]
    papers = [p for p in inputs if p not in rdf_files and p not in ontologies]
    if papers:
        from kg.read import resolve_inputs

        resolve_inputs(papers)
    updated = sum(target.merge_file(p) for p in rdf_files)
    for ontology in ontologies:
        console.print(f"{escape(str(ontology))}: {target.load_ontology(ontology):,} ontology triples")
    report = BuildReport()
    if papers:
        graph = build_graph(
            [str(p) for p in papers],
            format=input_format,
            extractor=_extractor(lexicon, models),
            report=report,
        )
        updated += target.merge_graph(graph)
    target.flush()
    console.print(
        f"{report.documents} paper(s) and {len(rdf_files)} RDF file(s) loaded into {store}: "
        f"{len(target) - before:+,} triples ({len(target):,} in all), {updated} associations updated, "
        f"{len(report.skipped)} skipped, in {time.perf_counter() - started:.1f} s"
    )
    for skipped in report.skipped:
        console.print(
            f"[yellow]skipped[/yellow] {escape(str(skipped['file']))}: {escape(str(skipped['problem']))}"
        )


@app.command()
def serve(
    graph: Annotated[
        list[Path], typer.Argument(help="A store directory, or graph files to serve.", show_default=False)
    ],
    host: Annotated[str, typer.Option(help="Address to bind (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7878,
    timeout: Annotated[int, typer.Option(help="Query timeout in seconds.")] = 30,
    allow_update: Annotated[bool, typer.Option(help="Accept SPARQL UPDATE (off: read-only).")] = False,
    max_result_mb: Annotated[
        float, typer.Option(help="Refuse (HTTP 413) any answer larger than this.")
    ] = 50.0,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes answering queries.")] = 2,
) -> None:
    """Serve a graph over the SPARQL 1.1 protocol (read-only by default), with Oxigraph in worker
    processes behind a guarded front: no SERVICE, bounded time, size and connections."""
    from kg.serve import serve_store

    serve_store(
        graph,
        host=host,
        port=port,
        timeout=timeout,
        allow_update=allow_update,
        max_result_bytes=int(max_result_mb * 1024 * 1024),
        workers=workers,
        announce=lambda url: out.print(f"SPARQL endpoint: {url}  (Ctrl-C to stop)", highlight=False),
    )


@app.command()
def view(
    graph: Annotated[Path, typer.Argument(help="A graph file (.ttl, .nt), a build directory or a store.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path(
        "output/view.html"
    ),
    focus: Annotated[
        str | None, typer.Option(help="Show only the neighbourhood of this node (label, synonym or ID).")
    ] = None,
    hops: Annotated[int, typer.Option(help="How many edges out from the focus.")] = 1,
    max_nodes: Annotated[
        int, typer.Option(help="Nodes shown at first (the best supported); the rest by search.")
    ] = 1500,
    min_confidence: Annotated[float, typer.Option(help="Leave out edges below this confidence.")] = 0.0,
    path: Annotated[
        tuple[str, str] | None,
        typer.Option(
            metavar="FROM TO", help="Highlight the shortest chains between two nodes, with their evidence."
        ),
    ] = None,
) -> None:
    """Write the interactive HTML view of a built graph, whole or around one node.

    Example: kg view output --path dupilumab "perforating collagenosis"
    """
    from kg.html import write_html
    from kg.rdf_read import read_graph

    loaded = read_graph(graph)
    if min_confidence > 0:
        loaded = loaded.without_edges_below(min_confidence)
    ends = loaded.path_ends(*path) if path else None
    if focus:
        loaded = loaded.neighbourhood(focus, hops)
    title = f"kg: {focus} ({hops} hop{'s' if hops != 1 else ''})" if focus else f"kg: {graph.name}"
    if ends:
        title = f"kg: {loaded.graph.nodes[ends[0]]['label']} → {loaded.graph.nodes[ends[1]]['label']}"
    centres = loaded.find_nodes(focus)[:5] if focus else []
    written = write_html(loaded, output, title=title, max_nodes=max_nodes, focus=centres, chain=ends)
    console.print(f"{loaded.graph.number_of_nodes()} nodes, {loaded.graph.number_of_edges()} edges")
    out.print(f"wrote {written}")


def _graph_file(path: Path) -> Path:
    if path.is_dir():
        candidates = sorted(path.glob("*.ttl")) or sorted(path.glob("*.nt"))
        if not candidates:
            raise InputError(f"{path}: no .ttl or .nt graph file in this directory (run `kg build` first)")
        return candidates[0]
    if not path.exists():
        raise InputError(f"{path}: no such file")
    return path


@app.command()
def evaluate(
    gold: Annotated[list[Path], typer.Argument(help="Gold corpus files (PubTator, BioC XML/JSON).")],
    pred: Annotated[
        Path | None, typer.Option(help="Predicted annotations (PubTator/BioC); default: run kg.")
    ] = None,
    types: Annotated[
        Several,
        typer.Option(
            parser=_several(EntityType),
            metavar=_metavar(EntityType),
            help="Entity types to score, comma-separated.",
        ),
    ] = EVERY_TYPE,
    human_genes: Annotated[
        bool, typer.Option(help="Score only gold genes that are human (NLM-Gene).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    errors: Annotated[Path | None, typer.Option(help="Write every error (FP/FN) to this TSV file.")] = None,
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
    models: Annotated[Path | None, typer.Option(help="Directory of learned models.")] = None,
    relations: Annotated[
        RelationScheme | None,
        typer.Option(help="Score relations instead: CDR's CID pairs, or BioRED's (pair, and pair + type)."),
    ] = None,
    gold_entities: Annotated[
        bool,
        typer.Option(
            help="With --relations: relate the corpus's own entities instead of kg's (scores relations apart from recognition)."
        ),
    ] = False,
    normaliser: Annotated[
        bool,
        typer.Option(
            "--normaliser",
            help="Score the concept normaliser alone, on the gold Disease and Chemical spans: mention accuracy and document-level concept IDs.",
        ),
    ] = False,
    nil: Annotated[
        bool,
        typer.Option(
            help="With --normaliser: abstain below the learned NIL threshold (--no-nil: always answer)."
        ),
    ] = True,
    tagger: Annotated[
        bool,
        typer.Option(
            "--tagger",
            help="Score the mention tagger's spans alone (before dictionary, filter and normaliser), in the --tagging convention.",
        ),
    ] = False,
    tagging: Annotated[
        TaggingScheme,
        typer.Option(
            help="Whose annotation convention the tagger follows: kg's own, or the scored corpus's (bc5cdr, ncbi_disease, biored)."
        ),
    ] = TaggingScheme.KG,
) -> None:
    """Score recognition and normalisation against gold annotations: mention-level strict and
    document-level concept-ID precision, recall and F1 per entity type (or, with --relations, document-level
    relations; with --normaliser, the normaliser on the gold spans)."""
    from kg.evaluate import (
        RELATION_ERROR_COLUMNS,
        evaluate_relations,
        predict,
        predict_relations,
        read_predictions,
    )
    from kg.evaluate import evaluate as score
    from kg.read import read_documents

    documents = read_documents([str(p) for p in gold])
    extractor = _extractor(lexicon, models, tagging=tagging, registered=False)
    if normaliser:
        _evaluate_normaliser(documents, extractor, [t.value for t in types], nil, as_json, errors)
        return
    if tagger:
        from kg.evaluate import evaluate_tagger

        tagged = evaluate_tagger(documents, extractor, [t.value for t in types])
        if as_json:
            out.print(json.dumps({t: c.as_dict() for t, c in tagged.items()}, indent=2), highlight=False)
            return
        table = Table(title=f"{len(documents)} documents, the tagger alone ({tagging} convention)")
        for column in ("type", "precision", "recall", "F1", "TP", "FP", "FN"):
            table.add_column(column, justify="left" if column == "type" else "right")
        for entity_type, count in tagged.items():
            if count.tp + count.fp + count.fn:
                table.add_row(entity_type, *_score_cells(count.as_dict()))
        out.print(table)
        return
    if relations is not None:
        relation_errors: list[dict[str, str]] | None = [] if errors is not None else None
        result = evaluate_relations(
            documents,
            predict_relations(documents, extractor, relations, gold_entities=gold_entities),
            types=["CID"] if relations is RelationScheme.CDR else None,
            errors=relation_errors,
        )
        if errors is not None:
            import pandas as pd

            from kg.tables import write_frame

            write_frame(pd.DataFrame(relation_errors, columns=RELATION_ERROR_COLUMNS), errors)
        if as_json:
            out.print(json.dumps(result, indent=2), highlight=False)
            return
        entities = "the corpus's entities" if gold_entities else "kg's entities"
        table = Table(title=f"{len(documents)} documents, relations ({relations}, {entities})")
        for column in ("level", "precision", "recall", "F1", "TP", "FP", "FN"):
            table.add_column(column, justify="left" if column == "level" else "right")
        for level, counts in result.items():
            table.add_row(level, *_score_cells(counts))
        out.print(table)
        return
    predictions = predict(documents, extractor) if pred is None else read_predictions(pred)
    wanted = [t.value for t in types]
    scores = score(documents, predictions, lexicon=extractor.lexicon, human_genes=human_genes, types=wanted)
    if errors is not None:
        import pandas as pd

        from kg.tables import write_frame

        write_frame(pd.DataFrame(scores.errors), errors)
    if as_json:
        out.print(json.dumps(scores.as_dict(), indent=2), highlight=False)
        return
    table = Table(title=f"{len(documents)} documents")
    for column in ("level", "type", "precision", "recall", "F1", "TP", "FP", "FN"):
        table.add_column(column, justify="right" if column not in ("level", "type") else "left")
    summary = scores.as_dict()
    for level, rows in (
        ("mention (strict)", summary["mention_strict"]),
        ("document (concept IDs)", summary["document_concepts"]),
    ):
        for entity_type, counts in rows.items():
            table.add_row(level, entity_type, *_score_cells(counts))
    out.print(table)
    agreement = ", ".join(
        f"{t} {c['agreement']:.3f} ({c['same_id']}/{c['same_span']})"
        for t, c in summary["mention_ids"].items()
    )
    if agreement:
        out.print(f"IDs of mentions whose span matches a gold mention's: {agreement}", highlight=False)


def _evaluate_normaliser(
    documents: list, extractor: Extractor, types: list[str], nil: bool, as_json: bool, errors: Path | None
) -> None:
    from kg.errors import ModelError
    from kg.evaluate import evaluate_normalisation, normalise_gold
    from kg.normalise import CandidateIndex, Normaliser

    if extractor.models.normaliser is None:
        raise ModelError("no normaliser weights loaded; rebuild them with `make learn`")
    index_path = CandidateIndex.path_for(extractor.lexicon)
    if (index_path / "meta.json").exists():
        index = CandidateIndex.open(extractor.lexicon, index_path)
    else:
        with console.status("building the normaliser's candidate index for this machine (once)…"):
            index = CandidateIndex.open(extractor.lexicon, index_path)
    model = Normaliser(extractor.lexicon, extractor.models.normaliser, index=index)
    scores = evaluate_normalisation(
        documents, normalise_gold(documents, model, abstain=nil), extractor.lexicon, types
    )
    if errors is not None:
        import pandas as pd

        from kg.tables import write_frame

        write_frame(pd.DataFrame(scores.errors), errors)
    result = scores.as_dict()
    if as_json:
        out.print(json.dumps(result, indent=2), highlight=False)
        return
    threshold = f"NIL below {model.nil_threshold:.3f}" if nil else "no NIL"
    table = Table(title=f"{len(documents)} documents, normaliser on gold spans ({threshold})")
    columns = (
        "type",
        "mentions",
        "accuracy",
        "NIL",
        "doc precision",
        "doc recall",
        "doc F1",
        "TP",
        "FP",
        "FN",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "type" else "right")
    for entity_type, row in result.items():
        table.add_row(
            entity_type,
            str(row["mentions"]),
            f"{row['accuracy']:.3f}",
            str(row["nil"]),
            *(f"{row[f'document_{k}']:.3f}" for k in ("precision", "recall", "f1")),
            *(str(row[f"document_{k}"]) for k in ("tp", "fp", "fn")),
        )
    out.print(table)


def _score_cells(counts: dict) -> list[str]:
    """Precision, recall, F1, TP, FP, FN as table cells."""
    return [f"{counts[k]:.3f}" for k in ("precision", "recall", "f1")] + [
        str(counts[k]) for k in ("tp", "fp", "fn")
    ]


@lexicon_app.command("build")
def lexicon_build(
    sources: Annotated[
        Path, typer.Option(help="Folder of vocabulary source files (see ontologies/README.md).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the lexicon.")] = Path(
        "ontologies/lexicon"
    ),
) -> None:
    """Rebuild the lexicon from vocabulary source files (HGNC, MONDO, MeSH, DrugBank, ChEBI, ...)."""
    from kg.lexicon.build import build_lexicon

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    manifest = build_lexicon(sources, output)
    out.print(json.dumps({k: manifest[k] for k in ("concepts", "terms", "statistics")}, indent=2))


def _learning(run: Callable[[], dict]) -> None:
    """Run a learner and print its summary; a missing training extra ends in one line."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        summary = run()
    except (
        ModuleNotFoundError
    ) as error:  # scikit-learn, lightgbm: for learning only, not run-time dependencies
        raise KGError(f"learning needs {error.name}: pip install 'kg[train]' (or run make learn)") from None
    out.print(json.dumps(summary, indent=2))


Corpora = Annotated[
    Path, typer.Option(help="Folder of gold corpora (bc5cdr/, ncbi_disease/, biored/, nlm_gene/).")
]
ModelsFrom = Annotated[
    Path | None,
    typer.Option(
        "--models", help="Directory of the models this learner builds on (default: the shipped ones)."
    ),
]


@lexicon_app.command("learn")
def lexicon_learn(
    corpora: Corpora,
    lexicon: Annotated[Path, typer.Option(help="Lexicon directory to write the learned files into.")] = Path(
        "ontologies/lexicon"
    ),
    models: ModelsFrom = None,
) -> None:
    """Learn corpus names and the term filter from the corpora's training splits."""
    from kg.models import MODELS_DIR
    from kg.train.lexicon_terms import learn

    _learning(lambda: learn(corpora, lexicon, models=models or MODELS_DIR))


mentions_app = typer.Typer(help="The learned mention filter.", no_args_is_help=True)
relations_app = typer.Typer(help="The learned relation model.", no_args_is_help=True)
species_app = typer.Typer(
    help="The learned species model (which species a gene mention is of).", no_args_is_help=True
)
normaliser_app = typer.Typer(
    help="The learned concept normaliser (which concept a disease or chemical mention names).",
    no_args_is_help=True,
)
app.add_typer(mentions_app, name="mentions")
app.add_typer(relations_app, name="relations")
app.add_typer(species_app, name="species")
app.add_typer(normaliser_app, name="normaliser")
tagger_app = typer.Typer(
    help="The learned mention tagger (which spans name a disease, a chemical or a gene).",
    no_args_is_help=True,
)
app.add_typer(tagger_app, name="tagger")


@tagger_app.command("learn")
def tagger_learn(
    corpora: Corpora,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the weights (.npz).")],
    lexicon: Annotated[
        Path | None, typer.Option(help="Lexicon directory (its matches are features).")
    ] = None,
) -> None:
    """Learn the mention tagger from the training splits and BC2GM (needs torch and gensim; about 20 minutes
    on 2 cores)."""
    from kg.train.tagger import learn

    _learning(lambda: learn(corpora, output, lexicon_dir=lexicon))


@species_app.command("learn")
def species_learn(
    corpora: Corpora,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the trees (JSON).")],
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
) -> None:
    """Learn which species a gene mention is of, from the training splits (needs lightgbm)."""
    from kg.train.species import learn

    _learning(lambda: learn(corpora, output, lexicon=_lexicon(lexicon)))


@normaliser_app.command("learn")
def normaliser_learn(
    corpora: Corpora,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the weights (JSON).")],
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
) -> None:
    """Learn to rank disease and chemical concepts for mentions, from the training splits (needs lightgbm)."""
    from kg.train.normaliser import learn

    _learning(lambda: learn(corpora, output, lexicon=_lexicon(lexicon)))


@mentions_app.command("learn")
def mentions_learn(
    corpora: Corpora,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the weights (JSON).")],
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
    models: ModelsFrom = None,
) -> None:
    """Learn which dictionary matches are mentions, from the training splits (needs scikit-learn)."""
    from kg.models import MODELS_DIR
    from kg.train.mention_filter import learn

    _learning(lambda: learn(corpora, output, lexicon=_lexicon(lexicon), models=models or MODELS_DIR))


@relations_app.command("learn")
def relations_learn(
    corpora: Corpora,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the weights (.npz).")],
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
    max_documents: Annotated[
        int | None,
        typer.Option(help="Learn from the first N training documents of each corpus (a quick run)."),
    ] = None,
) -> None:
    """Learn the document-level relation model from the training splits' gold entities (needs the train
    extra: LightGBM, gensim, torch, scikit-learn)."""
    from kg.train.relations import learn

    _learning(lambda: learn(corpora, output, lexicon=_lexicon(lexicon), max_documents=max_documents))


@lexicon_app.command("lookup")
def lexicon_lookup(
    name: Annotated[str, typer.Argument(help="A name or an ID (e.g. 'IL-4' or MESH:D003876).")],
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
) -> None:
    """Show the concepts a name or ID stands for."""
    lex = _lexicon(lexicon)
    ids = [p.concept_id for p in lex.lookup(name)]
    if ":" in name and lex.get_preferred_id(name):
        ids.insert(0, lex.get_preferred_id(name) or "")
    if not ids:
        raise InputError(f"{name!r}: not in the lexicon")
    for curie in dict.fromkeys(ids):
        concept = lex.get_concept(curie)
        if concept:
            out.print(f"{concept.id}\t{concept.category}\t{concept.label}\t{' '.join(concept.xrefs)}")


@lexicon_app.command("add")
def lexicon_add(
    files: Annotated[
        list[Path],
        typer.Argument(help="Vocabularies: OBO or OWL ontologies, SSSOM mapping sets, TSV term lists."),
    ],
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
) -> None:
    """Check vocabularies of your own and layer them over the lexicon for every later build (in seconds,
    no rebuild): their terms are recognised, merged with the lexicon's concepts through their xrefs and
    mappings, and placed under their parents."""
    from kg.vocabulary import add_vocabulary, vocabulary_dir

    lex = _lexicon(lexicon)
    for path in files:
        added = add_vocabulary(path, lex)
        out.print(
            f"added {added.name}: {len(added.terms)} terms, {len(added.mappings)} mappings "
            f"(kept in {vocabulary_dir()}; `kg lexicon remove {added.name}` stops using it)",
            highlight=False,
        )
        for note in added.notes:
            out.print(f"  {note}", highlight=False)


@lexicon_app.command("sources")
def lexicon_sources(
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
) -> None:
    """List what the lexicon is made of: the shipped sources (version, licence) and the vocabularies
    `kg lexicon add` layered over them."""
    import json

    from kg.lexicon import default_lexicon_dir
    from kg.vocabulary import registered_vocabularies

    manifest = json.loads(((lexicon or default_lexicon_dir()) / "manifest.json").read_text(encoding="utf-8"))
    from kg.display import print_table

    rows = [
        (name, source["version"], source["licence"], source["description"])
        for name, source in manifest.get("sources", {}).items()
    ]
    rows += [
        (v.name, "added", f"{len(v.terms)} terms, {len(v.mappings)} mappings", v.source)
        for v in registered_vocabularies()
    ]
    print_table(out, ["source", "version", "licence", "what"], rows)


@lexicon_app.command("remove")
def lexicon_remove(
    name: Annotated[str, typer.Argument(help="The name `kg lexicon sources` lists for an added vocabulary.")],
) -> None:
    """Stop using a vocabulary `kg lexicon add` layered over the lexicon."""
    from kg.vocabulary import remove_vocabulary

    if not remove_vocabulary(name):
        raise InputError(f"{name}: no added vocabulary has this name (see `kg lexicon sources`)")
    out.print(f"removed {name}", highlight=False)


@lexicon_app.command("why")
def lexicon_why(
    first: Annotated[str, typer.Argument(help="An ID (e.g. MESH:D003876).")],
    second: Annotated[str, typer.Argument(help="Another ID (e.g. MONDO:0004980).")],
    lexicon: Annotated[Path | None, typer.Option(help="Lexicon directory.")] = None,
) -> None:
    """Why two IDs are one concept: the chain of mappings that joined them, each with its source and
    justification (exit status 1 when they are two concepts)."""
    from kg.identifiers import normalize_curie
    from kg.sssom import justification, mapping_chain

    lex = _lexicon(lexicon)
    ids = [normalize_curie(curie) for curie in (first, second)]
    concepts = [lex.get_preferred_id(curie) for curie in ids]
    for curie, concept in zip(ids, concepts, strict=True):
        if concept is None:
            raise InputError(f"{curie}: not in the lexicon")
    if concepts[0] != concepts[1]:
        labels = [lex.get_concept(c or "") for c in concepts]
        out.print(
            f"{ids[0]} and {ids[1]} are two concepts: "
            + " and ".join(f"{c} ({k.label if k else ''})" for c, k in zip(concepts, labels, strict=True)),
            highlight=False,
        )
        raise typer.Exit(1)
    concept = lex.get_concept(concepts[0] or "")
    out.print(
        f"{ids[0]} and {ids[1]} are one concept, {concepts[0]} ({concept.label if concept else ''}):",
        highlight=False,
    )
    chain = mapping_chain(lex.mappings(concepts[0] or ""), ids[0], ids[1])
    if not chain and ids[0] != ids[1]:
        out.print("  (this lexicon was built without its mappings: rebuild it with `kg lexicon build`)")
    for left, right, source in chain:
        reason, confidence = justification(source)
        out.print(f"  {left} = {right}  from {source}, {reason}, confidence {confidence:g}", highlight=False)


def main() -> None:
    """Entry point of the ``kg`` console script."""
    try:
        app(standalone_mode=True)
    except KGError as error:
        console.print(f"[red]kg: error:[/red] {escape(visible(str(error)))}", highlight=False)
        sys.exit(2 if isinstance(error, InputError | QueryError) else 1)
    except OSError as error:  # a file-system problem outside kg's own checks: one line, not a traceback
        where = f"{error.filename}: " if error.filename else ""
        console.print(f"[red]kg: error:[/red] {escape(visible(where + (error.strerror or str(error))))}")
        sys.exit(1)


if __name__ == "__main__":
    main()

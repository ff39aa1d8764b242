"""Shared fixtures: the shipped lexicon, the seed paper, its extraction result, graph and built outputs.

Heavy fixtures are session-scoped and built once. Tests that need ``../shared`` (the gold corpora) use the
``corpora`` fixture, which skips cleanly when the folder is absent (a user's clone has none).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.graph import KnowledgeGraph
from kg.lexicon import Lexicon, get_default_lexicon
from kg.models import Models
from kg.pipeline import BuildReport, build_graph
from kg.read import read_documents
from kg.records import Document, DocumentResult

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SEED = ROOT / "examples" / "PMC11208807.md"
ARTIFACTS = Path(__file__).parent / "artifacts"
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
# Vocabularies a user added with `kg lexicon add` would change every build: the tests (and the `kg` commands
# they run) see none.
os.environ["KG_VOCABULARY_DIR"] = tempfile.mkdtemp(prefix="kg-test-vocabularies-")


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return get_default_lexicon()


@pytest.fixture(scope="session")
def small_lexicon(tmp_path_factory: pytest.TempPathFactory) -> Lexicon:
    """A lexicon built from the real source rows in tests/fixtures/sources (IL4, IL13, TNF, CAT and their
    mouse, rat, zebrafish and fly orthologs; a few diseases, drugs and organisms)."""
    from kg.lexicon.build import build_lexicon

    directory = tmp_path_factory.mktemp("small-lexicon")
    build_lexicon(FIXTURES / "sources", directory / "shipped")
    return Lexicon.open(directory / "shipped", cache=directory / "compiled")


@pytest.fixture(scope="session")
def models() -> Models:
    return Models.load()


@pytest.fixture(scope="session")
def extractor(lexicon: Lexicon, models: Models) -> Extractor:
    """The shipped lexicon and models, as a build uses them."""
    return Extractor(lexicon, models)


@pytest.fixture(scope="session")
def seed_document() -> Document:
    return read_documents([SEED])[0]


@pytest.fixture(scope="session")
def seed_result(seed_document: Document, extractor: Extractor) -> DocumentResult:
    return extractor.extract(seed_document)


@pytest.fixture(scope="session")
def seed_graph(extractor: Extractor) -> KnowledgeGraph:
    return build_graph([SEED], extractor=extractor, report=BuildReport())


# A real title about a rat gene (BioRED train, PMID 18808529): isoproterenol acts on rat dystrophin.
RAT_TITLE = (
    "Isoproterenol induces primary loss of dystrophin in rat hearts: correlation with myocardial injury."
)


@pytest.fixture(scope="session")
def rat_graph(extractor: Extractor, seed_document: Document) -> KnowledgeGraph:
    """The seed paper (human genes) and a paper on a rat gene, in one graph."""
    from kg.records import Passage

    graph = KnowledgeGraph()
    rat = Document("PMID:18808529", RAT_TITLE, (Passage("title", 0, RAT_TITLE),))
    for document in (seed_document, rat):
        graph.add_result(extractor.extract(document))
    graph.add_hierarchy(extractor.lexicon)
    return graph


@pytest.fixture(scope="session")
def seed_output(tmp_path_factory: pytest.TempPathFactory, seed_graph: KnowledgeGraph) -> Path:
    from kg.writers import write_outputs

    directory = tmp_path_factory.mktemp("seed-output")
    write_outputs(seed_graph, directory, report=BuildReport(documents=1))
    return directory


@pytest.fixture(scope="session")
def corpora() -> Path:
    path = SHARED / "corpora"
    if not path.is_dir():
        pytest.skip(f"gold corpora not available ({path} is absent)")
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def free_port() -> int:
    """A TCP port nothing listens on now (for servers the tests start)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def requires(command: str) -> str:
    """The path of a system command, or skip the test when it is not installed."""
    found = shutil.which(command)
    if not found:
        pytest.skip(f"{command} is not installed (make test installs it)")
    return found

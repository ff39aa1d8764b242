"""The same per-document function in a loop, in worker processes and on Dask: the same graph; resumable."""

import pytest

from conftest import FIXTURES, SEED
from kg.pipeline import BuildReport, build_graph
from kg.rdf import serialize

INPUTS = [SEED, FIXTURES / "two_cdr.pubtator", FIXTURES / "pubmed_sample.xml", FIXTURES / "jats_sample.xml"]


@pytest.fixture(scope="module")
def sequential(extractor):
    return serialize(build_graph(INPUTS, extractor=extractor, batch_size=2), "nt")


def test_two_workers_give_the_same_graph(extractor, sequential):
    report = BuildReport()
    graph = build_graph(INPUTS, extractor=extractor, workers=2, batch_size=2, report=report)
    assert serialize(graph, "nt") == sequential
    assert report.documents == 6 and len(report.skipped) == 1  # the PubMed article without a title


def test_a_local_dask_cluster_gives_the_same_graph(extractor, sequential):
    pytest.importorskip("distributed")
    graph = build_graph(INPUTS, extractor=extractor, dask="local", workers=2, batch_size=2)
    assert serialize(graph, "nt") == sequential


def test_an_interrupted_build_resumes_from_its_checkpoints(extractor, sequential, tmp_path):
    checkpoints = tmp_path / "checkpoints"
    landed = []

    def stop_after_two_batches(count):
        landed.append(count)
        if len(landed) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_graph(
            INPUTS,
            extractor=extractor,
            batch_size=2,
            checkpoint=checkpoints,
            on_documents=stop_after_two_batches,
        )
    assert len(list(checkpoints.glob("*.pickle"))) >= 2
    report = BuildReport()
    graph = build_graph(INPUTS, extractor=extractor, batch_size=2, checkpoint=checkpoints, report=report)
    assert report.resumed_batches >= 2
    assert serialize(graph, "nt") == sequential
    assert not checkpoints.exists()  # cleared once the build is complete

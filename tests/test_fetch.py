"""kg fetch against a local HTTP server that replays recorded NCBI answers (never the internet).

The server answers E-utilities (esearch JSON, efetch PubMed XML), the PMC open-access BioC API and the
PubTator3 export API from tests/fixtures/replay, and can be told to fail first: 429 with Retry-After, 500,
a connection cut in the middle of an answer, malformed XML. It records every request, so the tests check
the parameters NCBI asks for, the pace (3 requests a second without an API key), the batch sizes, and that
a rerun fetches only what is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import FIXTURES
from kg.choices import PaperSource
from kg.fetch import Fetcher, FetchSettings
from kg.read import read_documents

REPLAY = FIXTURES / "replay"
EFETCH = (REPLAY / "efetch_pubmed.xml").read_bytes()
PUBTATOR = (REPLAY / "pubtator3_export.json").read_bytes()
PMC = json.dumps(
    [
        {
            "source": "PMC",
            "date": "20240619",
            "key": "pmc.key",
            "infons": {},
            "documents": [
                {
                    "id": "11208807",
                    "infons": {"license": "CC BY"},
                    "passages": [
                        {
                            "offset": 0,
                            "infons": {
                                "type": "front",
                                "section_type": "TITLE",
                                "article-id_pmc": "11208807",
                            },
                            "text": "Successful Use of Dupilumab for Acquired Reactive Perforating Collagenosis",
                        },
                        {
                            "offset": 76,
                            "infons": {"type": "abstract", "section_type": "ABSTRACT"},
                            "text": "Dupilumab, a monoclonal antibody inhibiting IL-4 and IL-13 signalling, "
                            "was effective in the treatment of atopic dermatitis.",
                        },
                    ],
                    "relations": [],
                }
            ],
        }
    ]
).encode()


def esearch(ids: list[str]) -> bytes:
    return json.dumps(
        {
            "header": {"type": "esearch", "version": "0.3"},
            "esearchresult": {"count": str(len(ids)), "idlist": ids},
        }
    ).encode()


class Replay:
    """A local stand-in for NCBI: canned answers by path, optional failures first, every request logged."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, str, dict[str, list[str]]]] = []
        self.failures: dict[str, list[str]] = defaultdict(list)  # path -> kinds of failure, in order
        self.search_ids = ["12091962", "9997"]
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                params = urllib.parse.parse_qs(parts.query)
                replay.requests.append((time.monotonic(), parts.path, params))
                pending = replay.failures.get(parts.path)
                failure = pending.pop(0) if pending else None
                if failure == "429":
                    self._answer(429, b"slow down", {"Retry-After": "1"})
                elif failure == "500":
                    self._answer(500, b"oops")
                elif failure == "cut":
                    self.send_response(200)
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    self.wfile.write(b"<PubmedArticleSet><PubmedArticle>")
                    self.wfile.flush()
                    self.connection.close()
                elif failure == "malformed":
                    self._answer(200, b"<PubmedArticleSet><PubmedArticle><MedlineCitation>")
                elif parts.path.endswith("esearch.fcgi"):
                    self._answer(200, esearch(replay.search_ids))
                elif parts.path.endswith("efetch.fcgi"):
                    self._answer(200, EFETCH)
                elif "export/biocjson" in parts.path:
                    self._answer(200, PUBTATOR)
                elif "/BioC_json/PMC11208807/" in parts.path:
                    self._answer(200, PMC)
                elif "/BioC_json/" in parts.path:
                    self._answer(200, b"[]")
                else:
                    self._answer(404, b"not found")

            def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def paths(self, fragment: str) -> list[dict[str, list[str]]]:
        return [params for _, path, params in self.requests if fragment in path]

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "KG_EUTILS_URL": self.url + "/entrez/eutils/",
            "KG_PMC_URL": self.url + "/pmcoa.cgi/",
            "KG_PUBTATOR_URL": self.url + "/pubtator3-api/",
            "NCBI_EMAIL": "someone@example.org",
            "NCBI_API_KEY": "",
        }

    def settings(self, **changes: object) -> FetchSettings:
        values: dict[str, object] = {
            "eutils": self.url + "/entrez/eutils/",
            "pmc": self.url + "/pmcoa.cgi/",
            "pubtator": self.url + "/pubtator3-api/",
            "email": "someone@example.org",
            "backoff": 0.05,
            "timeout": 5,
        }
        values.update(changes)
        return FetchSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def replay():
    server = Replay()
    yield server
    server.server.shutdown()


def _kg(replay: Replay, *args: object, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *map(str, args)],
        capture_output=True,
        text=True,
        env=replay.environment(),
        check=check,
        timeout=300,
    )


def test_a_query_is_searched_then_fetched_with_ncbis_parameters_and_a_rerun_fetches_nothing(replay, tmp_path):
    folder = tmp_path / "papers"
    first = _kg(replay, "fetch", "AIDS prisons", "-o", folder)
    assert "2 paper(s) fetched" in first.stderr
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["12091962.pubmed.xml", "9997.pubmed.xml"]
    assert [d.id for d in read_documents(sorted(folder.iterdir()))] == ["PMID:12091962", "PMID:9997"]
    [search] = replay.paths("esearch.fcgi")
    assert search["term"] == ["AIDS prisons"] and search["db"] == ["pubmed"]
    for params in [search, *replay.paths("efetch.fcgi")]:
        assert params["tool"] == ["kg"] and params["email"] == ["someone@example.org"]
        assert "api_key" not in params
    second = _kg(replay, "fetch", "AIDS prisons", "-o", folder)
    assert "0 paper(s) fetched, 2 already in" in second.stderr
    assert len(replay.paths("efetch.fcgi")) == 1  # nothing fetched again


def test_batches_hold_at_most_two_hundred_ids_and_missing_records_are_reported(replay, tmp_path):
    ids = [str(i) for i in range(1, 251)] + ["9997"]
    report = Fetcher(tmp_path, replay.settings()).fetch(ids)
    sizes = [len(params["id"][0].split(",")) for params in replay.paths("efetch.fcgi")]
    assert sizes == [200, 51]
    assert report.fetched == ["9997"] and len(report.failed) == 250
    assert report.failed["1"] == "PubMed has no record with this PMID"


def test_requests_keep_to_three_a_second_without_an_api_key_and_ten_with_one(replay, tmp_path):
    fetcher = Fetcher(tmp_path / "a", replay.settings())
    for number in range(7):
        fetcher.search(f"query {number}")
    times = [t for t, _, _ in replay.requests]
    assert all(times[i + 3] - times[i] >= 0.95 for i in range(len(times) - 3))
    assert fetcher.settings.requests_per_second == 3
    keyed = Fetcher(tmp_path / "b", replay.settings(api_key="secret"))
    assert keyed.settings.requests_per_second == 10
    keyed.search("with a key")
    assert replay.requests[-1][2]["api_key"] == ["secret"]


@pytest.mark.parametrize("failures", [["429"], ["500", "500"], ["cut"], ["429", "cut", "500"]])
def test_throttling_errors_and_cut_connections_are_retried(replay, tmp_path, failures):
    replay.failures["/entrez/eutils/efetch.fcgi"] = list(failures)
    report = Fetcher(tmp_path, replay.settings()).fetch(["12091962", "9997"])
    assert report.fetched == ["12091962", "9997"] and not report.failed
    assert len(replay.paths("efetch.fcgi")) == len(failures) + 1
    if "429" in failures:  # Retry-After: 1 was honoured
        times = [t for t, path, _ in replay.requests if path.endswith("efetch.fcgi")]
        assert times[1] - times[0] >= 0.95


def test_a_service_that_keeps_failing_is_reported_not_raised(replay, tmp_path):
    replay.failures["/entrez/eutils/efetch.fcgi"] = ["500"] * 10
    report = Fetcher(tmp_path, replay.settings(retries=2)).fetch(["9997"])
    assert report.fetched == [] and "still failing after 2 retries (HTTP 500)" in report.failed["9997"]


def test_malformed_xml_costs_only_the_ids_it_was_for(replay, tmp_path):
    replay.failures["/entrez/eutils/efetch.fcgi"] = ["malformed"]
    ids = [str(i) for i in range(1, 201)] + ["9997"]  # two batches: the first answer is malformed
    report = Fetcher(tmp_path, replay.settings()).fetch(ids)
    assert "malformed XML" in report.failed["1"]
    assert report.fetched == ["9997"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_pmc_full_texts_and_pubtator_documents_land_whole_and_read(replay, tmp_path):
    fetcher = Fetcher(tmp_path, replay.settings())
    pmc = fetcher.fetch(["PMC11208807", "PMC1"], PaperSource.PMC)
    assert pmc.fetched == ["PMC11208807"] and "open-access" in pmc.failed["PMC1"]
    pubtator = fetcher.fetch(["24633240"], PaperSource.PUBTATOR)
    assert pubtator.fetched == ["24633240"]
    documents = {d.id: d for d in read_documents(sorted(tmp_path.iterdir()))}
    assert "Dupilumab" in documents["PMC:11208807"].passages[1].text
    annotated = documents["PMID:24633240"]
    assert any(a.type == "Species" and a.ids == ("NCBITaxon:9606",) for a in annotated.annotations)


def test_build_with_a_query_fetches_and_builds_in_one_step(replay, tmp_path):
    replay.search_ids = ["24633240"]
    result = _kg(replay, "build", "--query", "humanized mice", "--source", "pubtator", "-o", tmp_path / "out")
    assert "1 paper(s) fetched" in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["documents"] == 1 and report["nodes"] >= 2
    assert "NCBIGene:947" in (tmp_path / "out" / "nodes.tsv").read_text()  # CD34, as PubTator3 annotated it
    assert (tmp_path / "out" / "papers" / "24633240.pubtator3.bioc.json").exists()


def test_bad_ids_end_in_one_line(replay, tmp_path):
    result = _kg(replay, "fetch", "--pmids", "123,abc", "-o", tmp_path, check=False)
    assert result.returncode == 2 and "'abc' is not a PMID" in result.stderr
    assert not replay.requests


def test_no_network_is_touched_unless_asked(tmp_path):
    from conftest import SEED

    env = {**os.environ, "KG_EUTILS_URL": "http://127.0.0.1:9/", "KG_PUBTATOR_URL": "http://127.0.0.1:9/"}
    result = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(SEED), "-o", str(tmp_path / "out"), "--no-html"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0
    assert Path(tmp_path / "out" / "report.json").exists()

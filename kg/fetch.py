"""Fetch papers: PubMed records by query or PMIDs, PMC open-access full texts, PubTator3 annotations.

Three NCBI services, as their usage rules ask:

* **E-utilities** (``esearch`` for a query's PMIDs, ``efetch`` for PubMed XML), with ``tool`` and ``email``
  parameters and ``NCBI_API_KEY`` when it is set;
* the **PMC open-access BioC API** (``pmcoa.cgi/BioC_json/PMCnnn/unicode``), full texts of open-access
  papers;
* the **PubTator3 export API** (``publications/export/biocjson?pmids=...``), abstracts or full texts with
  PubTator's own annotations, which `kg` then checks and uses like any paper's annotations.

Requests go out at most 3 per second (10 with an API key) per service, IDs in batches of at most 200;
429 and 5xx answers, cut connections and timeouts are retried with exponential backoff (honouring
``Retry-After``). Every paper lands whole, as its own file, in the download folder (written atomically), so
a rerun fetches only what is missing. An answer that cannot be read (malformed XML or JSON) is reported
with the IDs it was for; the others are kept.

The service addresses can be pointed elsewhere (``FetchSettings``; the tests replay recorded answers from
a local server): `kg` makes no request unless ``kg fetch`` or ``kg build --query`` is run.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from kg.atomic import write_atomic
from kg.choices import PaperSource
from kg.errors import InputError, KGError

__all__ = ["FetchError", "FetchReport", "FetchSettings", "Fetcher"]

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
PMC_BIOC = "https://www.ncbi.nlm.nih.gov/research/bionlp/RESTful/pmcoa.cgi/"
PUBTATOR = "https://www.ncbi.nlm.nih.gov/research/pubtator3-api/"
BATCH = 200
PUBTATOR_BATCH = 100
USER_AGENT = "kg (biomedical knowledge graphs; https://w3id.org/kg-biomed)"


class FetchError(KGError, OSError):
    """A service could not be reached or kept failing after every retry."""


@dataclass(frozen=True)
class FetchSettings:
    """Service addresses, identification and politeness (defaults: NCBI's addresses and rules)."""

    eutils: str = EUTILS
    pmc: str = PMC_BIOC
    pubtator: str = PUBTATOR
    email: str = ""
    api_key: str = ""
    tool: str = "kg"
    retries: int = 5
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    timeout: float = 60.0

    @classmethod
    def from_environment(cls, **overrides: str) -> FetchSettings:
        """Settings with ``NCBI_API_KEY`` and ``NCBI_EMAIL`` (or ``EMAIL``) from the environment, and the
        service addresses from ``KG_EUTILS_URL``, ``KG_PMC_URL``, ``KG_PUBTATOR_URL`` when set (a mirror,
        or a local replay of recorded answers)."""
        values = {
            "api_key": os.environ.get("NCBI_API_KEY", ""),
            "email": os.environ.get("NCBI_EMAIL") or os.environ.get("EMAIL", ""),
            "eutils": os.environ.get("KG_EUTILS_URL", EUTILS),
            "pmc": os.environ.get("KG_PMC_URL", PMC_BIOC),
            "pubtator": os.environ.get("KG_PUBTATOR_URL", PUBTATOR),
        }
        values.update({k: v for k, v in overrides.items() if v})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def requests_per_second(self) -> float:
        return 10.0 if self.api_key else 3.0


@dataclass
class FetchReport:
    """What a fetch got, found already there, and could not get (ID -> problem)."""

    fetched: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


class _Pace:
    """At most ``rate`` requests per second, across threads."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.lock = threading.Lock()
        self.next = 0.0

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            delay = self.next - now
            self.next = max(now, self.next) + self.interval
        if delay > 0:
            time.sleep(delay)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pmid(value: str) -> str:
    text = value.strip().upper().removeprefix("PMID:").strip()
    if not text.isdigit() or len(text) > 9:
        raise InputError(f"{value!r} is not a PMID (digits, e.g. 38912345)")
    return str(int(text))


def _pmcid(value: str) -> str:
    text = value.strip().upper().removeprefix("PMC:").removeprefix("PMC").strip()
    if not text.isdigit() or len(text) > 9:
        raise InputError(f"{value!r} is not a PMC id (e.g. PMC11208807)")
    return "PMC" + str(int(text))


class Fetcher:
    """Downloads papers into ``folder``; one per file, so reruns fetch only what is missing."""

    def __init__(
        self,
        folder: str | Path,
        settings: FetchSettings | None = None,
        progress: Callable[[int], None] | None = None,
    ):
        self.folder = Path(folder)
        self.settings = settings or FetchSettings.from_environment()
        self.progress = progress or (lambda count: None)
        self._paces: dict[str, _Pace] = {}

    # --- HTTP -------------------------------------------------------------------------------------------

    def _get(self, url: str, params: dict[str, str]) -> bytes:
        """The body of a GET, after the pace allows it, retried on 429, 5xx and broken connections."""
        host = urllib.parse.urlsplit(url).netloc
        pace = self._paces.setdefault(host, _Pace(self.settings.requests_per_second))
        query = urllib.parse.urlencode(params)
        request = urllib.request.Request(
            f"{url}?{query}" if query else url, headers={"User-Agent": USER_AGENT}
        )
        delay = self.settings.backoff
        problem = ""
        for attempt in range(self.settings.retries + 1):
            pace.wait()
            try:
                with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                    length = response.headers.get("Content-Length")
                    body = response.read()
                    if length is not None and length.isdigit() and len(body) < int(length):
                        raise ConnectionError(f"answer cut after {len(body)} of {length} bytes")
                    return body
            except urllib.error.HTTPError as error:
                problem = f"HTTP {error.code}"
                if error.code != 429 and error.code < 500:
                    raise FetchError(f"{url}: {problem} ({error.reason})") from None
                retry_after = error.headers.get("Retry-After", "") if error.headers else ""
                if retry_after.isdigit():
                    delay = max(delay, float(retry_after))
            except (
                urllib.error.URLError,
                ConnectionError,
                TimeoutError,
                OSError,
                http.client.HTTPException,
            ) as error:
                problem = str(getattr(error, "reason", error))
            if attempt < self.settings.retries:
                time.sleep(delay)
                delay *= 2
        raise FetchError(f"{url}: still failing after {self.settings.retries} retries ({problem})")

    def _eutils_params(self, **params: str) -> dict[str, str]:
        params["tool"] = self.settings.tool
        if self.settings.email:
            params["email"] = self.settings.email
        if self.settings.api_key:
            params["api_key"] = self.settings.api_key
        return params

    # --- searching ----------------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 100, source: PaperSource = PaperSource.PUBMED) -> list[str]:
        """The IDs a query finds, most relevant first (at most ``limit``): PMIDs, or PMC ids (``PMCnnn``)
        when the papers are to come from PMC."""
        database = "pmc" if source is PaperSource.PMC else "pubmed"
        body = self._get(
            self.settings.eutils + "esearch.fcgi",
            self._eutils_params(db=database, term=query, retmax=str(limit), retmode="json", sort="relevance"),
        )
        try:
            result = json.loads(body)["esearchresult"]
            ids = [str(i) for i in result["idlist"]]
        except (ValueError, KeyError, TypeError) as error:
            raise FetchError(f"esearch answered something that is not its JSON ({error})") from None
        if "ERROR" in result:
            raise FetchError(f"PubMed refused the query: {result['ERROR']}")
        return [("PMC" + i if database == "pmc" else i) for i in ids[:limit]]

    # --- fetching -----------------------------------------------------------------------------------------

    def fetch(self, ids: Iterable[str], source: PaperSource | str = PaperSource.PUBMED) -> FetchReport:
        """Download the papers of ``ids`` (PMIDs; PMC ids for ``pmc``) from ``source``."""
        source = PaperSource(source)
        self.folder.mkdir(parents=True, exist_ok=True)
        report = FetchReport()
        clean = [(_pmcid if source == PaperSource.PMC else _pmid)(i) for i in ids]
        wanted: list[str] = []
        for paper in dict.fromkeys(clean):
            path = self._path(paper, source)
            if path.exists():
                report.present.append(paper)
                report.files.append(path)
                self.progress(1)
            else:
                wanted.append(paper)
        if source == PaperSource.PUBMED:
            for batch in _chunks(wanted, BATCH):
                self._fetch_pubmed(batch, report)
        elif source == PaperSource.PUBTATOR:
            for batch in _chunks(wanted, PUBTATOR_BATCH):
                self._fetch_pubtator(batch, report)
        else:
            for paper in wanted:
                self._fetch_pmc(paper, report)
        report.files.sort()
        return report

    def _path(self, paper: str, source: PaperSource) -> Path:
        suffix = {"pubmed": ".pubmed.xml", "pmc": ".pmc.bioc.json", "pubtator": ".pubtator3.bioc.json"}[
            source
        ]
        return self.folder / f"{paper}{suffix}"

    def _land(self, paper: str, source: PaperSource, data: bytes, report: FetchReport) -> None:
        path = write_atomic(self._path(paper, source), data)
        report.fetched.append(paper)
        report.files.append(path)
        self.progress(1)

    def _fail(self, papers: Iterable[str], problem: str, report: FetchReport) -> None:
        for paper in papers:
            report.failed[paper] = problem
            self.progress(1)

    def _fetch_pubmed(self, batch: list[str], report: FetchReport) -> None:
        try:
            body = self._get(
                self.settings.eutils + "efetch.fcgi",
                self._eutils_params(db="pubmed", id=",".join(batch), retmode="xml"),
            )
            root = fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
        except FetchError as error:
            self._fail(batch, str(error), report)
            return
        except (ParseError, DefusedXmlException, ValueError) as error:
            self._fail(batch, f"efetch answered malformed XML ({error})", report)
            return
        found: dict[str, bytes] = {}
        for article in root.iter("PubmedArticle"):
            pmid = (article.findtext("./MedlineCitation/PMID") or "").strip()
            if pmid in batch:
                found[pmid] = (
                    b'<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n'
                    + tostring(article, encoding="utf-8").split(b"?>", 1)[-1].strip()
                    + b"\n</PubmedArticleSet>\n"
                )
        for pmid in batch:
            if pmid in found:
                self._land(pmid, PaperSource.PUBMED, found[pmid], report)
            else:
                self._fail([pmid], "PubMed has no record with this PMID", report)

    def _fetch_pubtator(self, batch: list[str], report: FetchReport) -> None:
        try:
            body = self._get(
                self.settings.pubtator + "publications/export/biocjson", {"pmids": ",".join(batch)}
            )
            documents = _bioc_documents(body)
        except FetchError as error:
            self._fail(batch, str(error), report)
            return
        except ValueError as error:
            self._fail(batch, f"PubTator3 answered malformed JSON ({error})", report)
            return
        by_pmid = {}
        for document in documents:
            pmid = str(document.get("pmid") or document.get("id") or "").strip()
            if pmid.isdigit():
                by_pmid[str(int(pmid))] = document
        for pmid in batch:
            if pmid in by_pmid:
                data = json.dumps(
                    {"documents": [by_pmid[pmid]]}, ensure_ascii=False, sort_keys=True, indent=1
                )
                self._land(pmid, PaperSource.PUBTATOR, data.encode("utf-8"), report)
            else:
                self._fail([pmid], "PubTator3 has no document with this PMID", report)

    def _fetch_pmc(self, pmcid: str, report: FetchReport) -> None:
        try:
            body = self._get(self.settings.pmc + f"BioC_json/{pmcid}/unicode", {})
            documents = _bioc_documents(body)
        except FetchError as error:
            self._fail([pmcid], str(error), report)
            return
        except ValueError as error:
            self._fail([pmcid], f"the PMC BioC service answered malformed JSON ({error})", report)
            return
        if not documents:
            self._fail([pmcid], "not in the PMC open-access subset (no full text to fetch)", report)
            return
        for document in documents:  # the service numbers documents by their PMC id's digits
            if str(document.get("id", "")) == pmcid.removeprefix("PMC"):
                document["id"] = pmcid
        data = json.dumps({"documents": documents}, ensure_ascii=False, sort_keys=True, indent=1)
        self._land(pmcid, PaperSource.PMC, data.encode("utf-8"), report)


def _bioc_documents(body: bytes) -> list[dict]:
    """The BioC documents of an answer, whatever its wrapping: a collection, a list of collections,
    PubTator3's ``{"PubTator3": [...]}``, one document, or one JSON object per line."""
    text = body.decode("utf-8")
    try:
        values = [json.loads(text)]
    except json.JSONDecodeError:
        values = [json.loads(line) for line in text.splitlines() if line.strip()]
    documents: list[dict] = []
    stack = list(values)
    while stack:
        value = stack.pop(0)
        if isinstance(value, list):
            stack[:0] = value
        elif isinstance(value, dict):
            if isinstance(value.get("documents"), list):
                stack[:0] = value["documents"]
            elif isinstance(value.get("PubTator3"), list):
                stack[:0] = value["PubTator3"]
            elif isinstance(value.get("passages"), list):
                documents.append(value)
            else:
                raise ValueError("an object that is neither a BioC collection nor a document")
        else:
            raise ValueError(f"unexpected {type(value).__name__} where BioC was expected")
    return documents

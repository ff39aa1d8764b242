"""What the learned recognisers cost: extraction with the tagger and normaliser vs the dictionary alone.

Extracts 1,000 BC5CDR abstracts (training and development splits, text only) in one process, in batches of
64 as `kg build` sends them, three ways, interleaved, best of two runs each:

* the dictionary, the species model and the mention filter (as before issue #13: no tagger, no normaliser);
* with the tagger and the normaliser (what `kg build` does now);
* the tagger alone on the same documents (its share of the time).

It also prints what loading the shipped models costs (time and resident memory), and the normaliser's
candidate index open. Needs ``../shared/corpora``.

    .venv/bin/python benchmarks/extraction.py
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threadpoolctl import threadpool_limits

from kg.extract import Extractor
from kg.lexicon import get_default_lexicon
from kg.models import Models
from kg.read import read_documents

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
BATCH = 64


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def _run(extractor: Extractor, documents: list) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this machine's wall clock varies by a third from run to run when other
    work shares it; CPU time varies much less)."""
    started, cpu = time.perf_counter(), time.process_time()
    for begin in range(0, len(documents), BATCH):
        extractor.extract_many(documents[begin : begin + BATCH])
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    files = [
        CORPORA / "bc5cdr" / name
        for name in ("CDR_TrainingSet.PubTator.txt", "CDR_DevelopmentSet.PubTator.txt")
    ]
    documents = [replace(d, annotations=(), relations=()) for d in read_documents(files)][:1000]
    characters = sum(len(p.text) for d in documents for p in d.passages)
    lexicon = get_default_lexicon()
    lexicon.encode(["warm"])
    before = _rss_mb()
    started = time.perf_counter()
    models = Models.load()
    load_seconds = time.perf_counter() - started
    load_mb = _rss_mb() - before
    full = Extractor(lexicon, models)
    started = time.perf_counter()
    full.prepare()
    index_seconds = time.perf_counter() - started
    dictionary = Extractor(lexicon, replace(models, tagger=None, normaliser=None))
    _run(full, documents[:BATCH])  # warm caches of both
    _run(dictionary, documents[:BATCH])
    times: dict[str, list[tuple[float, float]]] = {"dictionary": [], "learned": [], "tagger": []}
    found = [
        dictionary.matcher.find_mentions(d) for d in documents
    ]  # the tagger's input, outside its timing (it is the dictionary's work)
    for _ in range(2):
        times["dictionary"].append(_run(dictionary, documents))
        times["learned"].append(_run(full, documents))
        started, cpu = time.perf_counter(), time.process_time()
        with threadpool_limits(limits=1, user_api="blas"):  # as Extractor.extract_many runs it
            for begin in range(0, len(documents), BATCH):
                models.tagger.tag(documents[begin : begin + BATCH], found[begin : begin + BATCH])
        times["tagger"].append((time.perf_counter() - started, time.process_time() - cpu))
    best = {name: min(v[0] for v in values) for name, values in times.items()}
    best_cpu = {name: min(v[1] for v in values) for name, values in times.items()}
    print(f"{len(documents)} abstracts, {characters:,} characters, batches of {BATCH}, one process")
    print(
        f"models loaded in {load_seconds:.2f} s, +{load_mb:.0f} MB resident; normaliser index opened in {index_seconds:.2f} s"
    )
    for name, label in (
        ("dictionary", "dictionary + species + mention filter (before)"),
        ("learned", "with the tagger and the normaliser (now)"),
        ("tagger", "the tagger alone"),
    ):
        print(
            f"{label:50} {best[name]:6.2f} s  {len(documents) / best[name]:7.1f} abstracts/s"
            f"   CPU {best_cpu[name]:6.2f} s  {len(documents) / best_cpu[name]:7.1f} abstracts per CPU second"
        )
    print(
        f"the learned path costs {best['learned'] / best['dictionary']:.2f}x the dictionary path"
        f" ({best_cpu['learned'] / best_cpu['dictionary']:.2f}x its CPU time)"
    )
    print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

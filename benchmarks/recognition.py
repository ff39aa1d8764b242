"""Recognition throughput against a bare pyahocorasick scan, plus lexicon open time and memory.

    .venv/bin/python benchmarks/recognition.py [CORPUS.PubTator ...]

Default corpus: the BC5CDR training and development abstracts (../shared/corpora). The baseline builds a
pyahocorasick automaton of every name in the same lexicon (lower-cased) and scans the same lower-cased
text with ``iter()``: no tokenisation, no boundaries, no case rules, no grounding. `kg`'s figure is the
whole recognition stage (tokenise, match, case checks, abbreviations, candidate ranking); a second figure
adds grounding and the learned mention filter (everything before relations).
Needs ``pip install pyahocorasick`` (``make bench`` installs it).
"""

from __future__ import annotations

import csv
import gc
import gzip
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.ground import ground_mentions
from kg.lexicon import Lexicon
from kg.mention_filter import filter_mentions
from kg.models import Models
from kg.read import read_documents
from kg.recognise import DictionaryMatcher

DEFAULT = [
    ROOT.parent / "shared/corpora/bc5cdr/CDR_TrainingSet.PubTator.txt",
    ROOT.parent / "shared/corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(paths: list[Path]) -> None:
    documents = [replace(d, annotations=(), relations=()) for d in read_documents(paths)]  # text only
    characters = sum(len(p.text) for d in documents for p in d.passages)
    print(f"corpus: {len(documents)} documents, {characters / 1e6:.2f} M characters")

    before = rss_mb()
    started = time.perf_counter()
    lexicon = Lexicon.open()
    lexicon.encode(["warm"])  # loads the token vocabulary
    open_seconds = time.perf_counter() - started
    print(
        f"lexicon open (compiled cache): {open_seconds:.2f} s, peak RSS +{rss_mb() - before:.0f} MB "
        f"({len(lexicon):,} concepts)"
    )

    matcher = DictionaryMatcher(lexicon)
    timings = []
    for _ in range(4):  # the first run warms the caches; the best of the others counts
        started = time.perf_counter()
        mentions = sum(len(matcher.find_mentions(d)) for d in documents)
        timings.append(time.perf_counter() - started)
    kg_seconds = min(timings[1:])
    kg_rate = characters / kg_seconds
    print(
        f"kg recognition (best of 3, warm): {kg_seconds:.2f} s, {kg_rate / 1e6:.2f} M chars/s, {mentions} mentions"
    )

    mention_filter = Models.load().mention_filter
    started = time.perf_counter()
    kept = 0
    for document in documents:
        grounded, concepts = ground_mentions(matcher.find_mentions(document), lexicon)
        kept += len(filter_mentions(mention_filter, document, grounded, concepts)[0])
    full_rate = characters / (time.perf_counter() - started)
    print(
        f"kg recognition + grounding + mention filter (warm): {full_rate / 1e6:.2f} M chars/s, "
        f"{kept} mentions kept"
    )

    import ahocorasick

    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    with gzip.open(lexicon.shipped / "terms.tsv.gz", "rt", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for index, row in enumerate(reader):
            automaton.add_word(row[0].lower(), index)
    automaton.make_automaton()
    build_seconds = time.perf_counter() - started
    print(
        f"pyahocorasick automaton of the same names: built in {build_seconds:.1f} s, "
        f"peak RSS +{rss_mb() - before:.0f} MB"
    )
    texts = [p.text.lower() for d in documents for p in d.passages]
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        hits = 0
        for text in texts:
            for _ in automaton.iter(text):
                hits += 1
        timings.append(time.perf_counter() - started)
    scan_seconds = min(timings)
    scan_rate = characters / scan_seconds
    print(
        f"bare pyahocorasick scan (best of 3): {scan_seconds:.2f} s, {scan_rate / 1e6:.2f} M chars/s, {hits} raw hits"
    )
    print(f"ratio kg / bare scan: {kg_rate / scan_rate:.2f}  (goal >= 0.3)")
    print(f"ratio kg with grounding and the mention filter / bare scan: {full_rate / scan_rate:.2f}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)

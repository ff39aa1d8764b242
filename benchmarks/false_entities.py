"""Entities from words that are not entities, in real full texts: the dictionary alone vs with the tagger.

Runs `kg`'s extractor twice over the JATS full texts in ``../shared/realworld/jats`` (and the BioC full
texts beside them), once without the mention tagger (dictionary and mention filter, as before issue #13) and
once with it, and prints the mentions of words a reader would never call an entity ("Fig", "April", "pH",
"read", "ever", "FBS", "λ", "Table") and the mentions and concepts in all.

    .venv/bin/python benchmarks/false_entities.py
    .venv/bin/python benchmarks/false_entities.py --sample 80   # also a seeded sample to check by hand

``--sample N`` prints N of the tagger path's mentions, drawn with a fixed seed, each with its concept and
its context, for a reader to judge (the README gives the last such count).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.errors import ReaderError
from kg.extract import Extractor
from kg.read import iter_documents

SHARED = Path(__file__).resolve().parents[2] / "shared" / "realworld"
JUNK = {"fig", "figs", "figure", "april", "may", "ph", "read", "ever", "fbs", "λ", "table", "min", "set"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=0, help="print this many mentions to check by hand")
    arguments = parser.parse_args()
    files = [*sorted((SHARED / "jats").glob("*.*xml")), SHARED / "bioc" / "civic_grobid_s41586.xml"]
    documents = [
        replace(d, annotations=())
        for d in iter_documents([str(f) for f in files if f.exists()])
        if not isinstance(d, ReaderError)
    ]
    with_tagger = Extractor.open()
    without = Extractor(with_tagger.lexicon, replace(with_tagger.models, tagger=None))
    print(
        f"{len(documents)} full texts, {sum(len(p.text) for d in documents for p in d.passages):,} characters"
    )
    rows = []
    for name, extractor in (("dictionary + mention filter", without), ("with the tagger", with_tagger)):
        results = extractor.extract_many(documents)
        if arguments.sample and extractor is with_tagger:
            _print_sample(documents, results, arguments.sample)
        junk = Counter(m.text for r in results for m in r.mentions if m.text.lower() in JUNK)
        mentions = sum(len(r.mentions) for r in results)
        concepts = len({m.concept_id for r in results for m in r.mentions})
        local = len(
            {m.concept_id for r in results for m in r.mentions if (m.concept_id or "").startswith("KG:")}
        )
        rows.append((name, sum(junk.values()), mentions, concepts, local, dict(junk.most_common(8))))
    for name, junk_count, mentions, concepts, local, top in rows:
        print(
            f"{name:30} junk mentions {junk_count:5}  mentions {mentions:6}  concepts {concepts:5} (local {local}) {top}"
        )
    print(f"junk mentions with the tagger: {rows[1][1] / max(rows[0][1], 1):.2f}x the dictionary's")


def _print_sample(documents, results, size: int) -> None:
    found = []
    for document, result in zip(documents, results, strict=True):
        text = document.laid_out()
        labels = {c.id: c.label for c in result.concepts}
        for m in result.mentions:
            context = f"{text[max(0, m.start - 50) : m.start]}[[{m.text}]]{text[m.end : m.end + 30]}"
            found.append((m.type.value, m.text, m.concept_id, labels.get(m.concept_id or "", ""), context))
    random.Random(13).shuffle(found)
    print(f"a sample of {min(size, len(found))} of {len(found)} mentions (seed 13):")
    for number, (kind, text, concept_id, label, context) in enumerate(found[:size]):
        print(f"{number:3} {kind:9} {text!r} -> {concept_id} {label} | {' '.join(context.split())}")


if __name__ == "__main__":
    main()

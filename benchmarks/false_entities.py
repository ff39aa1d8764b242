"""Entities from words that are not entities, in real full texts: the dictionary alone vs with the tagger.

Runs `kg`'s extractor twice over the JATS full texts in ``../shared/realworld/jats`` (and the BioC full
texts beside them), once without the mention tagger (dictionary and mention filter, as before issue #13) and
once with it, and prints the mentions of words a reader would never call an entity ("Fig", "April", "pH",
"read", "ever", "FBS", "λ", "Table") and the mentions and concepts in all.

    .venv/bin/python benchmarks/false_entities.py
"""

from __future__ import annotations

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


if __name__ == "__main__":
    main()

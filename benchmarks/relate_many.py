"""Relating the entities of one long sentence: time against the number of entities.

A gene list or a table flattened into text is one "sentence" with hundreds of entities. This builds such
sentences from real HGNC symbols ("Expression of A1BG, A2M, ... and ZZZ3 was inhibited by dexamethasone in
patients with asthma."), recognises them once, then times the trigger rules (`kg.relate.extract_relations`)
at 40, 160 and 640 entities, side by side with the implementation before relating was bounded (read from
git history, commit BEFORE; skipped where it would take minutes), and prints each as a ratio to the time
recognition itself took on the same sentence.

    .venv/bin/python benchmarks/relate_many.py
"""

from __future__ import annotations

import gzip
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.extract import Extractor
from kg.records import Document, Passage
from kg.relate import extract_relations

BEFORE = "54aaa26"  # the last commit with the all-pairs trigger rules
SIZES = (40, 160, 640)
BEFORE_LIMIT = 160  # the old rules took 80 s at 160 entities on this machine; not run past that


def symbols(lexicon, count: int) -> list[str]:
    found = []
    with gzip.open(lexicon.shipped / "terms.tsv.gz", "rt", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            term, _, kind, source = line.rstrip("\n").split("\t")
            if kind == "symbol" and source == "hgnc" and term.isalnum() and term.isupper() and len(term) >= 4:
                found.append(term)
                if len(found) == count:
                    break
    return found


def old_relate():
    """``extract_relations`` as it was before relating was bounded (from git history)."""
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:kg/relate.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "relate_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("relate_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["relate_before"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module.extract_relations


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main() -> None:
    extractor = Extractor.open()
    genes = symbols(extractor.lexicon, max(SIZES))
    before = old_relate()
    print(
        f"{'entities':>8} {'mentions':>8} {'recognise s':>12} {'relate s':>10} {'ratio':>7} {'before s':>10} {'before/now':>10}"
    )
    for size in SIZES:
        text = (
            f"Expression of {', '.join(genes[: size - 1])} and {genes[size - 1]} was inhibited by "
            "dexamethasone in patients with asthma."
        )
        document = Document("PMID:1", "", (Passage("abstract", 0, text),))
        recognise_seconds, mentions = timed(
            lambda: extractor.matcher.find_mentions(document)  # noqa: B023
        )
        from kg.ground import ground_mentions

        grounded, _ = ground_mentions(mentions, extractor.lexicon)
        relate_seconds, relations = timed(extract_relations, document, grounded)
        if size <= BEFORE_LIMIT:
            before_seconds, _ = timed(before, document, grounded)
            old = f"{before_seconds:10.2f} {before_seconds / relate_seconds:9.0f}x"
        else:
            old = f"{'(minutes)':>10} {'':>10}"
        print(
            f"{size:8d} {len(grounded):8d} {recognise_seconds:12.3f} {relate_seconds:10.3f} "
            f"{relate_seconds / recognise_seconds:6.1f}x {old}   ({len(relations)} relations)"
        )


if __name__ == "__main__":
    main()

"""The normaliser's candidate index (build time, size, open time and memory) and its speed on gold spans.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/normalise.py [CORPUS.PubTator ...]

Default corpora: the BC5CDR and NCBI Disease development splits (../shared/corpora, or $KG_SHARED/corpora).
The index is built into a temporary folder (the one in the lexicon's cache is left alone); opening it and
the weights is measured in a fresh process that has opened the lexicon already (what the index and the
normaliser add). Speed: mentions per second of CPU in this one process over every gold Disease and Chemical
span, first pass (cold: nothing memoised yet) and second pass (warm).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.lexicon import get_default_lexicon
from kg.models import Models
from kg.normalise import CandidateIndex, Normaliser
from kg.read import read_documents

SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
DEFAULT = [
    SHARED / "corpora/bc5cdr/CDR_DevelopmentSet.PubTator.txt",
    SHARED / "corpora/ncbi_disease/NCBIdevelopset_corpus.txt",
]

_OPEN = """
import json, resource, sys, time
from kg.lexicon import get_default_lexicon
from kg.models import Models
from kg.normalise import CandidateIndex, Normaliser
lexicon = get_default_lexicon()
model = Models.load().normaliser
def rss(): return int(open("/proc/self/statm").read().split()[1]) * 4096 / 1e6
before, started = rss(), time.perf_counter()
normaliser = Normaliser(lexicon, model, index=CandidateIndex(lexicon, __import__("pathlib").Path(sys.argv[1])))
normaliser.featuriser
normaliser.normalise([("asthma", "Disease", None)])
print(json.dumps({"seconds": time.perf_counter() - started, "rss_mb": rss() - before}))
"""


def main(paths: list[Path]) -> None:
    lexicon = get_default_lexicon()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder) / "index"
        build = subprocess.run(
            [sys.executable, "-c", "import json, sys; from pathlib import Path; "
             "from kg.lexicon import get_default_lexicon; from kg.normalise import build_candidate_index; "
             "print(json.dumps(build_candidate_index(get_default_lexicon(), Path(sys.argv[1]))))", str(directory)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        figures = json.loads(build.stdout)
        size = sum(f.stat().st_size for f in directory.iterdir())
        print(f"index build: {figures['seconds']:.1f} s, {size / 1e6:.0f} MB on disk ({figures})")
        opened = json.loads(
            subprocess.run(
                [sys.executable, "-c", _OPEN, str(directory)], capture_output=True, text=True, check=True
            ).stdout
        )
        print(f"open index + weights + memory: {opened['seconds']:.2f} s, +{opened['rss_mb']:.0f} MB RSS")
    normaliser = Normaliser(lexicon, Models.load().normaliser, index=CandidateIndex.open(lexicon))
    normaliser.featuriser  # noqa: B018
    from kg.evaluate import normalise_gold

    documents = read_documents([str(p) for p in paths])
    for label in ("cold (first pass)", "warm (second pass)"):
        started = time.process_time()
        found = normalise_gold(documents, normaliser)
        seconds = time.process_time() - started
        print(
            f"{label}: {len(found)} mentions in {seconds:.2f} s CPU = {len(found) / seconds:,.0f} mentions/s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)

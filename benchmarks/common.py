"""What the benchmarks share: where the gold corpora are and which files hold their abstracts."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
ABSTRACT_FILES = [
    "bc5cdr/CDR_TrainingSet.PubTator.txt",
    "bc5cdr/CDR_DevelopmentSet.PubTator.txt",
    "ncbi_disease/NCBItrainset_corpus.txt",
    "ncbi_disease/NCBIdevelopset_corpus.txt",
    "biored/Train.PubTator",
    "biored/Dev.PubTator",
]

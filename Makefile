# The two commands a newcomer needs:
#   make demo   — set up .venv and build the graph of the bundled example paper into output/
#   make test   — set up .venv (with test tools, Chromium and rapper) and run the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_INPUT ?= examples/PMC11208807.md
CORPORA ?= ../shared/corpora
PYTEST_ARGS ?=

.PHONY: demo test test-all lint bench evaluate system-deps lexicon learn clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/kg build $(DEMO_INPUT) -o output

# Debian packages the tests use as real, independent parts: a browser and a Turtle parser.
system-deps:
	@scripts/ensure-system-packages chromium raptor2-utils virtuoso-opensource

test: lint system-deps
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-all: lint system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print their figures (ratios against a baseline run side by side); they need ../shared.
bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/recognition.py

# Style, types, the examples in docstrings, and no import cycle inside kg/ (make test runs this first).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check kg tests benchmarks scripts/check-imports
	$(BIN)/ruff format --check kg tests benchmarks scripts/check-imports
	$(BIN)/mypy kg
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules kg
	$(BIN)/python scripts/check-imports

# Rebuild the shipped lexicon from the vocabularies (needs ../shared/ontology-sources or SOURCES=DIR).
SOURCES ?= ../shared/ontology-sources
lexicon: $(VENV)/.installed
	$(BIN)/kg lexicon build --sources $(SOURCES) -o ontologies/lexicon

# Accuracy on the development splits (the README's results tables); needs ../shared/corpora. NLM-Gene has
# no development split: its held-out part is the documents whose PMID is a multiple of 3 (kg.train.corpora).
NLM_GENE_HELD_OUT = $(shell ls $(CORPORA)/nlm_gene/train/*.BioC.XML 2>/dev/null | awk -F/ '{ split($$NF, n, "."); if (n[1] % 3 == 0) print }')
evaluate: $(VENV)/.installed
	$(BIN)/kg evaluate $(CORPORA)/bc5cdr/CDR_DevelopmentSet.PubTator.txt --types Disease,Chemical --tagging bc5cdr
	$(BIN)/kg evaluate $(CORPORA)/ncbi_disease/NCBIdevelopset_corpus.txt --types Disease --tagging ncbi_disease
	$(BIN)/kg evaluate $(CORPORA)/biored/Dev.PubTator --types Disease,Chemical,Gene,Species,Variant --tagging biored
	$(BIN)/kg evaluate $(CORPORA)/biored/Dev.PubTator --types Gene --human-genes --tagging biored
	$(BIN)/kg evaluate $(NLM_GENE_HELD_OUT) --types Gene --tagging nlm_gene
	$(BIN)/kg evaluate $(NLM_GENE_HELD_OUT) --types Gene --human-genes --tagging nlm_gene
	$(BIN)/kg evaluate $(CORPORA)/bc5cdr/CDR_DevelopmentSet.PubTator.txt --normaliser
	$(BIN)/kg evaluate $(CORPORA)/ncbi_disease/NCBIdevelopset_corpus.txt --normaliser --types Disease
	$(BIN)/kg evaluate $(CORPORA)/bc5cdr/CDR_DevelopmentSet.PubTator.txt --relations cdr --tagging bc5cdr
	$(BIN)/kg evaluate $(CORPORA)/bc5cdr/CDR_DevelopmentSet.PubTator.txt --relations cdr --gold-entities
	$(BIN)/kg evaluate $(CORPORA)/biored/Dev.PubTator --relations biored --tagging biored
	$(BIN)/kg evaluate $(CORPORA)/biored/Dev.PubTator --relations biored --gold-entities

# Relearn from the training splits (needs ../shared/corpora), in dependency order: the corpus names and
# the term filter, then the species model (over that lexicon), then the mention filter (over those
# matches, their species assigned), then the relation model (over the corpora's own entities), the
# normaliser (gold spans over the lexicon, its term filter included) and the mention tagger (the
# lexicon's matches as features). Each learner writes where it is told: here, the weights shipped in
# the package.
MODELS := kg/data
# torch for the CNN and the tagger: the CPU build is enough. On this project's machines pip finds that build
# on disk; elsewhere PyPI's Linux torch is a CUDA build of several GB, so pass the CPU index, e.g.
#   make learn TORCH="torch --index-url https://download.pytorch.org/whl/cpu"
TORCH ?= torch==2.13.0
learn: $(VENV)/.installed
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/kg lexicon learn --corpora $(CORPORA) --lexicon ontologies/lexicon --models $(MODELS)
	$(BIN)/kg species learn --corpora $(CORPORA) -o $(MODELS)/species.json
	$(BIN)/kg mentions learn --corpora $(CORPORA) --models $(MODELS) -o $(MODELS)/mentions.json
	$(BIN)/kg relations learn --corpora $(CORPORA) -o $(MODELS)/relations.npz
	$(BIN)/kg normaliser learn --corpora $(CORPORA) -o $(MODELS)/normaliser.json
	$(BIN)/kg tagger learn --corpora $(CORPORA) -o $(MODELS)/tagger.npz

clean:
	rm -rf $(VENV) output/* .pytest_cache
	touch output/.gitkeep

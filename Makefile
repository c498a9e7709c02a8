# serviceart: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv test demo bench eval lint typecheck clean cues-model

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $(STAMP)

test: venv
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check src tests benchmarks conftest.py
	$(BIN)/mypy

lint: venv
	$(BIN)/ruff check src tests benchmarks conftest.py

typecheck: venv
	$(BIN)/mypy

demo: venv
	rm -rf runs/demo
	$(BIN)/serviceart score data/samples -o runs/demo --show 13

bench: venv
	$(BIN)/python benchmarks/throughput.py --repeat 3
	$(BIN)/python benchmarks/batch.py --repeat 3
	$(BIN)/python benchmarks/redaction.py --repeat 3
	$(BIN)/python benchmarks/categories.py --repeat 3

eval: venv
	$(BIN)/python benchmarks/eval_cues.py --cv
	$(BIN)/python benchmarks/eval_hedge.py
	$(BIN)/python benchmarks/eval_politeness.py
	$(BIN)/python benchmarks/eval_validity.py --cv

# the learned cue model, rebuilt deterministically from the labelled cue corpus
cues-model: venv
	$(BIN)/python benchmarks/train_cues.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info

# studybot — the two commands a newcomer needs: `make run` and `make test`.
#
# TORCH_SPEC is installed before the project so that pip never swaps in another torch build.
# The default is the CPU build this team's machines carry; on a GPU host pick a CUDA build, e.g.
#   make run TORCH_SPEC='torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128'

PYTHON     ?= python3
VENV       ?= .venv
TORCH_SPEC ?= torch==2.13.0
BIN        := $(VENV)/bin

.PHONY: run test lint format bench tiny clean

run: $(VENV)/.installed-run
	$(BIN)/studybot run

test: lint
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-run
	$(BIN)/studybot bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-torch: | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check $(TORCH_SPEC)
	touch $@

$(VENV)/.installed-run: pyproject.toml $(VENV)/.installed-torch
	$(BIN)/pip install --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-torch
	$(BIN)/pip install --disable-pip-version-check -e ".[dev]"
	touch $@ $(VENV)/.installed-run

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

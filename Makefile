# The two commands that matter: `make demo` and `make test`. Both build their own virtualenv.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: help install demo test unit integration chaos soak lint typecheck bench lexical clean

help:
	@echo "make demo   - install into $(VENV), migrate an embedded SQLite DB, run sample tickets through a real worker"
	@echo "make test   - the whole test suite (integration tests skip without services unless TRIAGE_REQUIRE_SERVICES=1)"
	@echo "make chaos  - only the chaos tests (kill -9, outages, poison), printing ledger figures"
	@echo "make lint / typecheck / bench / soak / clean"

# setup.py and the C source: the optional accelerator triage._lexfast is compiled in place by the install.
$(STAMP): pyproject.toml setup.py triage/_lexfast.c
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PY=python3.11)")'
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/triage demo

# A basetemp of our own: pytest prunes the numbered /tmp/pytest-of-$USER dirs of *other* sessions, so a
# second pytest run on the machine could delete this run's tmp_path directories under its feet.
PYTEST_TMP ?= $(CURDIR)/var/pytest-tmp

test: $(STAMP)
	@mkdir -p $(dir $(PYTEST_TMP))
	$(BIN)/python -m pytest --basetemp=$(PYTEST_TMP)

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

# Part of `make test` too; this runs only the chaos suite and shows each scenario's LEDGER line.
chaos: $(STAMP)
	$(BIN)/python -m pytest tests/chaos -m chaos -s -q

soak: $(STAMP)
	$(BIN)/python benchmarks/soak_memory.py

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy triage

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_classify.py

# Retrain config/lexical.json on our labelled sets (never on ../shared/eval/dev.jsonl); run after a set changes.
lexical: $(STAMP)
	$(BIN)/triage lexical train tests/data/*.jsonl --out config/lexical.json

clean:
	rm -rf var .pytest_cache .ruff_cache .mypy_cache
	rm -f triage/_lexfast*.so

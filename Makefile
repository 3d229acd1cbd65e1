# reply-coach: two commands on a fresh machine (Python 3.11+ and make): `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench eval train clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Review the bundled examples and print the report (exit 1 from blocked drafts is expected here).
demo: $(STAMP)
	$(BIN)/coach review examples/*.txt examples/*.eml examples/*.html --no-rewrite || [ $$? -eq 1 ]

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_review.py

clean:
	rm -rf $(VENV) build dist *.egg-info

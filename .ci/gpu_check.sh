#!/usr/bin/env bash
# Every GPU check on a GPU machine without the notebook tools (a bare box with PyTorch), one at a time, each result
# copied to $OUT as soon as it exists, so that a session cut short by its time limit still returns what finished.
# Steps, in the order given on the command line (default: bench quick:0.5 quick:0 quick:0.8):
#   bench        python -m ldmiss.bench: every graph path checked against eager, throughput, projected GPU-hours
#                -> $OUT/bench.json, $OUT/bench.log
#   quick:RATE   one `quick` run (MNIST, MCAR, seed 42) executed through nbs/run.ipynb, as `make run` does
#                -> $OUT/quick_rate<RATE>.tar.gz: the run folder without its caches (its log inside, as run.log)
# $OUT/device.txt says which GPU, driver and torch it ran on.
#
# Before copying the working tree over: `make gpu-wheels` here (what that machine lacks: Jupyter for run.ipynb, MNIST,
# into .whl/, which must travel too), and leave the published runs behind where the copy is size-limited (they are
# 47 MB; e.g. `mv runs /tmp/runs.aside`, and back afterwards). There: `OUT=<folder> bash .ci/gpu_check.sh bench
# quick:0.5`. Back here: bench.json into runs/bench/, each tarball unpacked with `tar xzf … -C runs`, committed from a
# clean commit.
# Rehearse on the CPU with tiny sizes (the smoke bench, a toy run under scratch/):
#   GPU_CHECK_TINY=1 OUT=/tmp/gpu-out bash .ci/gpu_check.sh bench quick:0.5
set -uo pipefail
: "${OUT:?OUT: the folder each result is copied to (each result is written there)}"
steps=("$@"); [ $# -gt 0 ] || steps=(bench quick:0.5 quick:0 quick:0.8)
for step in "${steps[@]}"; do   # every step checked before any work starts
  [[ $step == bench || $step =~ ^quick:(0|0?\.[0-9]+)$ ]] \
    || { echo "gpu_check: unknown step '$step': bench or quick:RATE (a rate in [0, 1))"; exit 2; }
done
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD   # absolute: the run notebook's kernel starts in nbs/
if [ -d .whl ]; then   # installed beside the machine's own packages, never over them
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    || { echo 'gpu_check: the wheels in .whl/ did not install: rebuild them with make gpu-wheels'; exit 1; }
  export PYTHONPATH=$PWD:/tmp/site
fi
if [ -n "${GPU_CHECK_TINY:-}" ]; then
  BENCH=(--profile smoke); PROFILE=smoke; RUNS=scratch
  SET=(--set n_train=256 --set n_gen=20 --set n_impute=20 --set gen_batch=20 --set impute_batch=20 --set n_steps=20
       --set ddpm.epochs=1 --set vae.epochs=1 --set ldm.epochs=1 --set diffputer.em_iters=1
       --set diffputer.epochs_per_m=1 --set n_draws=3)
else
  BENCH=(); PROFILE=quick; RUNS=runs; SET=()
fi
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 || echo 'no nvidia-smi'
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
              torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'; } > "$OUT/device.txt"
status=0
for step in "${steps[@]}"; do
  start=$(date +%s)
  case $step in
    bench)
      python3 -m ldmiss.bench "${BENCH[@]}" --out "$OUT/bench.json" 2> "$OUT/bench.log" > /dev/null || status=1 ;;
    quick:*)
      rate=${step#quick:}; log="$OUT/quick_rate$rate.log"
      python3 -m ldmiss.sweep --rate "$rate" --seed 42 --profile $PROFILE --notebook --confirm --runs-dir $RUNS \
        "${SET[@]}" > "$log" 2>&1 || status=1
      dir=$(grep -m1 -o 'run folder: [^ ]*' "$log" | cut -d' ' -f3)   # the notebook says where it wrote
      if [ -n "$dir" ] && [ -f "$dir/metrics.json" ]; then
        cp "$log" "$dir/run.log"   # as a local run keeps its log (ignored by git)
        tar czf "$OUT/quick_rate$rate.tar.gz" --exclude=checkpoints --exclude='*.running.ipynb' \
          -C "$RUNS" "$(realpath --relative-to="$RUNS" "$dir")" && rm "$log"
      fi ;;
  esac
  echo "gpu_check: $step finished in $(( $(date +%s) - start )) s" | tee -a "$OUT/device.txt"
done
exit $status

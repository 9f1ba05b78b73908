"""Execute every notebook in nbs/ as nbdev's test runner does (cells flagged notest/slow/cuda skipped),
two at a time, and close with one line 'N passed, M failed' (N, M = notebooks). No notebook tested = failure.
Usage: test_notebooks.py [--save DIR] [--with FLAG] [name ...]
  name: only notebooks whose file name contains it (or, ending in .ipynb, is it)
  --with FLAG: also run the cells flagged FLAG (one of settings.ini's tst_flags), e.g. `--with e2e 19_publishing`
  --save DIR: keep each passing notebook's executed copy as DIR/<name>.ipynb, with DIR/<name>.key saying what it was
              executed from (the notebook, the library, the skipped flags): `make docs` shows these outputs."""
import os, sys, time
os.environ.setdefault('OMP_NUM_THREADS', '1')   # two notebooks at once on two cores: one thread each
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from nbdev.config import get_config
from notebook_runner import execute   # .ci/notebook_runner.py, beside this script

# The notebooks that took longest under make test (17_imputer, 13_sweep, run: 5-7 minutes each on 2 cores;
# 12_experiment: 75 s), started first so that the two workers finish together; the rest follow in name order.
HEAVY = ('17_imputer.ipynb', '13_sweep.ipynb', 'run.ipynb', '12_experiment.ipynb')

def main(argv):
    save = None
    if argv[:1] == ['--save']:
        if len(argv) < 2: sys.exit('--save needs a folder')
        save, argv = argv[1], argv[2:]
    cfg = get_config()
    flags = cfg.tst_flags.split()
    if argv[:1] == ['--with']:
        if len(argv) < 2 or argv[1] not in flags: sys.exit(f'--with needs one of the skipped flags: {" ".join(flags)}')
        flags.remove(argv[1]); argv = argv[2:]
    nbs = sorted(p for p in Path(cfg.nbs_path).glob('*.ipynb') if not p.name.startswith(('_', '.')))
    if argv: nbs = [p for p in nbs if any(p.name == a if a.endswith('.ipynb') else a in p.name for a in argv)]
    nbs.sort(key=lambda p: HEAVY.index(p.name) if p.name in HEAVY else len(HEAVY))   # longest first
    t0 = time.time()
    print(f'{len(nbs)} notebooks, two at a time; a line as each finishes:', flush=True)
    res = []
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context('fork')) as ex:
        todo = {ex.submit(execute, fn, flags=flags, save=save): fn for fn in nbs}
        for done in as_completed(todo):
            ok, secs = done.result()
            res.append((todo[done], (ok, secs)))
            print(f"  {len(res):2d}/{len(nbs)} {'ok  ' if ok else 'FAIL'} {secs:6.1f}s  {todo[done].name}"
                  f"  ({time.time() - t0:.0f}s in)", flush=True)
    for fn, (ok, secs) in sorted(res, key=lambda r: -r[1][1]): print(f"{'ok  ' if ok else 'FAIL'} {secs:7.1f}s  {fn.name}")
    failed = [fn.name for fn, (ok, _) in res if not ok]
    print(f"total {time.time() - t0:.0f}s; skipped cell flags: {' '.join(flags)}")
    print(f"{len(res) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not res else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))

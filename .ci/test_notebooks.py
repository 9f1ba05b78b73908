"""Execute every notebook in nbs/ as nbdev's test runner does (cells flagged notest/slow/cuda skipped),
two at a time, and close with one line 'N passed, M failed' (N, M = notebooks). No notebook tested = failure.
Usage: test_notebooks.py [--save DIR] [name ...]
  name: only notebooks whose file name contains it (or, ending in .ipynb, is it)
  --save DIR: keep each passing notebook's executed copy as DIR/<name>.ipynb, with DIR/<name>.key saying what it was
              executed from (the notebook, the library, the skipped flags): `make docs` shows these outputs."""
import os, sys, time
os.environ.setdefault('OMP_NUM_THREADS', '1')   # two notebooks at once on two cores: one thread each
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from nbdev.config import get_config
from notebook_runner import execute   # .ci/notebook_runner.py, beside this script

def main(argv):
    save = None
    if argv[:1] == ['--save']:
        if len(argv) < 2: sys.exit('--save needs a folder')
        save, argv = argv[1], argv[2:]
    cfg = get_config()
    nbs = sorted(p for p in Path(cfg.nbs_path).glob('*.ipynb') if not p.name.startswith(('_', '.')))
    if argv: nbs = [p for p in nbs if any(p.name == a if a.endswith('.ipynb') else a in p.name for a in argv)]
    flags = cfg.tst_flags.split()
    nbs.sort(key=lambda p: p.name not in ('19_publishing.ipynb', 'run.ipynb'))   # the longest two start first
    t0 = time.time()
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context('fork')) as ex:
        res = list(zip(nbs, ex.map(partial(execute, flags=flags, save=save), nbs)))
    for fn, (ok, secs) in sorted(res, key=lambda r: -r[1][1]): print(f"{'ok  ' if ok else 'FAIL'} {secs:7.1f}s  {fn.name}")
    failed = [fn.name for fn, (ok, _) in res if not ok]
    print(f"total {time.time() - t0:.0f}s; skipped cell flags: {' '.join(flags)}")
    print(f"{len(res) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not res else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))

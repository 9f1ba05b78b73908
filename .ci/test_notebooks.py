"""Execute every notebook in nbs/ with nbdev's test runner (cells flagged notest/slow/cuda skipped),
two at a time, and close with one line 'N passed, M failed' (N, M = notebooks). No notebook tested = failure.
Usage: test_notebooks.py [substring ...]   (only notebooks whose name contains one of the substrings)"""
import os, sys, time
os.environ.setdefault('OMP_NUM_THREADS', '1')   # two notebooks at once on two cores: one thread each
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from nbdev.config import get_config
from nbdev.test import test_nb

def main(argv):
    cfg = get_config()
    nbs = sorted(p for p in Path(cfg.nbs_path).glob('*.ipynb') if not p.name.startswith(('_', '.')))
    if argv: nbs = [p for p in nbs if any(a in p.name for a in argv)]
    flags = cfg.tst_flags.split()
    nbs.sort(key=lambda p: p.name not in ('19_publishing.ipynb', 'run.ipynb'))   # the longest two start first
    t0 = time.time()
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context('fork')) as ex:
        res = list(zip(nbs, ex.map(partial(test_nb, skip_flags=flags, showerr=True), nbs)))
    for fn, (ok, secs) in sorted(res, key=lambda r: -r[1][1]): print(f"{'ok  ' if ok else 'FAIL'} {secs:7.1f}s  {fn.name}")
    failed = [fn.name for fn, (ok, _) in res if not ok]
    print(f"total {time.time() - t0:.0f}s; skipped cell flags: {' '.join(flags)}")
    print(f"{len(res) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or not res else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))

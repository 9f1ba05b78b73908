"""Execute every notebook in nbs/ as nbdev's test runner does (cells flagged notest/slow/cuda skipped),
two at a time, and close with one line 'N passed, M failed' (N, M = notebooks). No notebook tested = failure.
Usage: test_notebooks.py [--save DIR] [name ...]
  name: only notebooks whose file name contains it (or, ending in .ipynb, is it)
  --save DIR: keep each passing notebook's executed copy as DIR/<name>.ipynb, with DIR/<name>.key saying what it was
              executed from (the notebook, the library, the skipped flags): `make docs` shows these outputs."""
import hashlib, os, sys, time
os.environ.setdefault('OMP_NUM_THREADS', '1')   # two notebooks at once on two cores: one thread each
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from execnb.nbio import write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.frontmatter import FrontmatterProc
from nbdev.process import NBProcessor

ROOT = Path(__file__).resolve().parents[1]

def executed_key(fn, flags) -> str:
    "What an executed copy of `fn` depends on: the notebook, every library module, the skipped flags."
    h = hashlib.sha256(Path(fn).read_bytes())
    for p in sorted((ROOT / 'ldmiss').glob('*.py')): h.update(p.name.encode() + p.read_bytes())
    h.update(' '.join(sorted(flags)).encode())
    return h.hexdigest()

def execute(fn, flags, save=None):
    "Run `fn`'s cells but those flagged in `flags` (as `nbdev.test.test_nb`); return (passed, seconds); keep it in `save`."
    os.environ['IN_TEST'] = '1'
    nb = NBProcessor(fn, procs=FrontmatterProc, process=True).nb
    def skip(cell):
        if cell.cell_type != 'code' or 'nbdev_export' + '(' in cell.source: return True
        direc = getattr(cell, 'directives_', {}) or {}
        if direc.get('eval:', [''])[0].lower() == 'false': return True
        return set(flags) & direc.keys()
    start, shell = time.time(), CaptureShell(fn)
    try:
        with working_directory(fn.parent): shell.run_all(nb, exc_stop=True, preproc=skip)
    except BaseException:
        sys.stderr.write(shell.prettytb(fname=fn) + '\n')
        return False, time.time() - start
    if save:   # the copy first, then the key that vouches for it: a half-written pair is never taken as fresh
        save = Path(save); save.mkdir(parents=True, exist_ok=True)
        tmp = save / f'.{fn.stem}.new.ipynb'
        write_nb(nb, tmp); os.replace(tmp, save / fn.name)
        (save / f'.{fn.stem}.new.key').write_text(executed_key(fn, flags)); os.replace(save / f'.{fn.stem}.new.key', save / f'{fn.stem}.key')
    return True, time.time() - start

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

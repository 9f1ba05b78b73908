"""How `make test` executes a notebook, kept importable by name: a notebook's IPython shell takes over `__main__` in
the worker that runs it, so the workers must find `execute` here, not in the script that starts them."""
import hashlib, os, sys, time
from pathlib import Path
from execnb.nbio import write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.frontmatter import FrontmatterProc
from fastcore.basics import str2bool
from nbdev.process import NBProcessor, nb_lang

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
    if str2bool(getattr(nb, 'frontmatter_', {}).get('skip_exec', False)) or nb_lang(nb) != 'python': return True, 0.0
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
        tmp = save / f'.{fn.stem}.new.key'
        tmp.write_text(executed_key(fn, flags)); os.replace(tmp, save / f'{fn.stem}.key')
    return True, time.time() - start

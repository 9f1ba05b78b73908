"""Checks before the notebooks run: library and notebooks agree, notebooks are clean,
run.ipynb keeps its papermill parameters cell, README's generated tables match their files, no notebook has two cells
with one id (the site takes each cell's outputs by id).
Exit non-zero naming what is wrong."""
import json, subprocess, sys
from collections import Counter
from pathlib import Path

def status(paths):
    return subprocess.run(['git', 'status', '--porcelain', '--', *paths], capture_output=True, text=True).stdout

def main():
    bin_ = sys.executable.rsplit('/', 1)[0]
    problems = []
    before = status(['ldmiss', 'nbs'])
    subprocess.run([sys.executable, '.ci/export.py'], check=True)   # nbdev_export, __all__ rewrapped
    if status(['ldmiss', 'nbs']) != before: problems.append('nbdev_export changed ldmiss/: export the notebooks and commit the library')
    before = status(['nbs'])
    subprocess.run([f'{bin_}/nbdev_clean'], check=True)
    if status(['nbs']) != before: problems.append('nbdev_clean changed nbs/: clean the notebooks and commit them')
    import papermill as pm
    if 'rate' not in pm.inspect_notebook('nbs/run.ipynb'):
        problems.append("nbs/run.ipynb lost its papermill 'parameters' cell: -p values would be ignored")
    if subprocess.run([sys.executable, '.ci/readme_blocks.py']).returncode:
        problems.append("README's generated tables differ from runs/figures: make readme (after make figures)")
    for nb in sorted(Path('nbs').glob('*.ipynb')):
        twice = [i for i, n in Counter(c.get('id') for c in json.loads(nb.read_text())['cells']).items() if n > 1]
        if twice: problems.append(f"{nb} has cell ids used twice ({' '.join(map(str, twice))}): give each cell its own")
    for p in problems: print('check failed:', p)
    if not problems: print('checks ok: export in sync, notebooks clean, README tables generated, run.ipynb parameters:',
                           ', '.join(pm.inspect_notebook('nbs/run.ipynb')))
    return 1 if problems else 0

if __name__ == '__main__': sys.exit(main())

"""Checks before the notebooks run: library and notebooks agree, notebooks are clean,
run.ipynb keeps its papermill parameters cell, README's generated tables match their files.
Exit non-zero naming what is wrong."""
import subprocess, sys

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
    for p in problems: print('check failed:', p)
    if not problems: print('checks ok: export in sync, notebooks clean, README tables generated, run.ipynb parameters:',
                           ', '.join(pm.inspect_notebook('nbs/run.ipynb')))
    return 1 if problems else 0

if __name__ == '__main__': sys.exit(main())

"""Build the static site: `_docs/index.html` from the README, one page per notebook of the README's table with its
outputs, one per executed notebook committed under runs/, and a navigation list on every page. Opened as files, no
server; nothing is loaded from the network (plotly.js lies beside the pages, math is rendered to MathML here).
Library notebooks are executed as `make test` executes them (its copies in _docs/.executed are reused while the
notebook and the library are unchanged); the run, study and results pages show the executed notebooks under runs/.
Usage: python docs/build.py [--out DIR]"""
import ast, copy, importlib, importlib.util, json, os, re, shutil, subprocess, sys, tempfile, time
from html import unescape
from pathlib import Path
import nbformat
import plotly, plotly.io as pio
from jupyter_core.paths import jupyter_path
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert import HTMLExporter
from nbdev.config import get_config
from nbdev.showdoc import show_doc

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / 'runs'
PROFILES_BY_SCALE = ('paper', 'quick', 'smoke')   # the run a page shows: the largest profile that has one
REFERENCE_RUN = 'mnist/mcar/rate0.5/seed42'      # the README's reference run

def load_notebook_runner():
    "How `make test` executes a notebook (.ci/notebook_runner.py), for its `executed_key`."
    spec = importlib.util.spec_from_file_location('notebook_runner', ROOT / '.ci' / 'notebook_runner.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod

def readme_notebooks(readme: str) -> list:
    "The notebook names of the README's table (rows starting with a back-quoted name), in its order."
    return re.findall(r'^\| `([0-9a-z_]+)` \|', readme, flags=re.M)

def largest_profile_path(pattern: str):
    "The first file matching `pattern` (with `{profile}`) for the largest profile that has one, else None."
    for prof in PROFILES_BY_SCALE:
        hits = sorted(RUNS.glob(pattern.format(profile=prof)))
        if hits: return hits[0]
    return None

def run_pages() -> dict:
    "Pages that show a committed executed notebook instead of executing nbs/<name>.ipynb."
    found = dict(run=largest_profile_path(f'{{profile}}/{REFERENCE_RUN}/run.ipynb'),
                 nfe=largest_profile_path('figures/nfe_{profile}_mnist_mcar_rate0.5_seed42.ipynb')
                     or next(iter(sorted((RUNS / 'figures').glob('nfe_*.ipynb'))), None),
                 calibration=largest_profile_path('figures/calibration_{profile}_mnist_mcar_rate0.5_seed42.ipynb')
                     or next(iter(sorted((RUNS / 'figures').glob('calibration_*.ipynb'))), None),
                 results=RUNS / 'figures' / 'results.ipynb')
    return {k: v for k, v in found.items() if v is not None and v.exists()}

def committed_notebooks() -> list:
    "Every executed notebook published under runs/ (not running or failed copies, not caches)."
    return sorted(p for p in RUNS.rglob('*.ipynb') if 'checkpoints' not in p.parts
                  and not p.name.endswith(('.running.ipynb', '.failed.ipynb')) and not p.name.startswith('.'))

def execute_stale(names, executed: Path, runner) -> None:
    "Execute the library notebooks whose copy in `executed` is missing or older than the notebook or library."
    flags = get_config().tst_flags.split()
    stale = [n for n in names if not (executed / f'{n}.key').exists()
             or (executed / f'{n}.key').read_text() != runner.executed_key(ROOT / 'nbs' / f'{n}.ipynb', flags)]
    print(f'notebooks: {len(names) - len(stale)} executed copies reused, {len(stale)} to execute'
          + (f" ({' '.join(stale)})" if stale else ''), flush=True)
    if not stale: return
    with tempfile.TemporaryDirectory() as runs_dir, tempfile.TemporaryDirectory() as figures_dir:
        env = dict(os.environ, LDMISS_RUNS_DIR=runs_dir, LDMISS_FIGURES_DIR=figures_dir, LDMISS_PNG='0')   # as make test
        r = subprocess.run([sys.executable, '.ci/test_notebooks.py', '--save', str(executed), *[f'{n}.ipynb' for n in stale]],
                           cwd=ROOT, env=env)
    if r.returncode: sys.exit('make docs: a notebook failed (above); the site was not built')

# --- one page --------------------------------------------------------------------------------------------------------

DIRECTIVE = re.compile(r'^\s*#\|\s*(.*)$')

def directives(src: str) -> list:
    "The `#| ...` directives of a cell, as their words."
    return [m.group(1).split() for line in src.splitlines() if (m := DIRECTIVE.match(line))]

def api_markdown(cell_src: str, module) -> str:
    "show_doc of each function and class the export cell defines and the module exports."
    try: tree = ast.parse(cell_src)
    except SyntaxError: return ''
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    exported = getattr(module, '__all__', [])
    return '\n\n'.join(show_doc(getattr(module, n))._repr_markdown_() for n in names if n in exported and hasattr(module, n))

MATH = re.compile(r'(?<![\\$])\$\$(.+?)\$\$|(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?![\w$])', re.S)

def math_to_mathml(md: str) -> str:
    "`$…$` and `$$…$$` as MathML (browsers draw it natively); code spans and fences left alone."
    parts = re.split(r'(```.*?```|`[^`\n]*`)', md, flags=re.S)
    def one(m):
        tex, display = (m.group(1), 'block') if m.group(1) is not None else (m.group(2), 'inline')
        return latex_to_mathml(tex.strip(), display=display)
    return ''.join(p if i % 2 else MATH.sub(one, p) for i, p in enumerate(parts))

def plotly_html(fig: dict) -> str:
    "A plotly figure's JSON as a div drawn by the plotly.js beside the pages, as wide as the page's column."
    fig = dict(fig, layout={k: v for k, v in fig.get('layout', {}).items() if k != 'width'} | dict(autosize=True))
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, validate=False, default_width='100%',
                       config=dict(responsive=True))

def with_outputs(source: Path, executed: Path) -> nbformat.NotebookNode:
    "The notebook as written (its title, description and directives) with the outputs of its executed copy."
    nb, ran = nbformat.read(source, as_version=4), nbformat.read(executed, as_version=4)
    outputs = {c.get('id'): c.get('outputs', []) for c in ran.cells if c.cell_type == 'code'}
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs = outputs.get(c.get('id'), [])
    return nb

def notebook_title(nb, default: str) -> str:
    "A notebook's title: its first markdown cell's `# ` heading, else `default`."
    for c in nb.cells:
        if c.cell_type == 'markdown':
            m = re.match(r'#\s+(.+)', c.source.strip())
            return m.group(1).strip() if m else default
    return default

def prepare(nb, module=None):
    "The notebook as the site shows it: hidden cells and directives out, API after export cells, math, plotly drawn."
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == 'code':
            words = {w[0] for w in directives(src) if w}
            if 'hide' in words or 'default_exp' in words: continue
            cell.source = '\n'.join(l for l in src.splitlines() if not DIRECTIVE.match(l)).strip('\n')
            for out in cell.get('outputs', []):
                data = out.get('data', {})
                if 'application/vnd.plotly.v1+json' in data:
                    out['data'] = {'text/html': plotly_html(data['application/vnd.plotly.v1+json']),
                                   'text/plain': data.get('text/plain', 'plotly figure')}
            if not cell.source and not cell.get('outputs'): continue
            cells.append(cell)
            if module is not None and 'export' in words and (api := api_markdown(src, module)):
                cells.append(nbformat.v4.new_markdown_cell(api))
        elif cell.cell_type == 'markdown':
            cell.source = math_to_mathml(src)
            cells.append(cell)
        elif not src.startswith('---'): cells.append(cell)   # nbdev's front matter is the title cell, already shown
    nb.cells = cells
    return nb

# an absolute path up to the repository's own folders: `/work/main/` of `/work/main/runs/…`
MACHINE_PATH = re.compile(r'(?<![\w.\-/])(?:/[\w.\-]+)+?/(?=(?:runs|nbs|ldmiss|scratch|docs|_docs|\.venv)\b)')

TEMPORARY = re.compile(r'(?<![\w.])/tmp/[\w.\-]+')   # a throw-away folder of a test or a study

def unplace(html: str) -> str:
    "The page without the paths of the machine that made its notebook: `/work/main/runs/…` shown as `runs/…`."
    return TEMPORARY.sub('&lt;temporary folder&gt;', MACHINE_PATH.sub('', html))

HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)

def toc(html: str) -> str:
    "The page's sections (its h2 and h3 headings) as a list of links, for the navigation beside the page's own entry."
    items = [(level, anchor, re.sub(r'<[^>]+>|¶', '', text).strip()) for level, anchor, text in HEADING.findall(html)]
    return ('<ol class="toc">' + ''.join(f'<li class="h{lv}"><a href="#{a}">{t}</a></li>' for lv, a, t in items)
            + '</ol>') if items else ''

def page_text(html: str) -> str:
    "A page's readable text for the search index: the main column, tags, scripts and styles out."
    main = html[html.find('<main class="site">'):]
    main = re.sub(r'<(script|style)\b.*?</\1>', ' ', main, flags=re.S)
    return ' '.join(unescape(re.sub(r'<[^>]+>', ' ', main)).split())

def link_pages(html: str, here: str, pages: dict) -> str:
    "Links to notebooks (`x.ipynb`, `nbs/x.ipynb`) as links to their pages, relative to page `here`."
    up = '../' * here.count('/')
    def href(m):
        return f'href="{up}{pages[m.group(1)]}{m.group(2) or ""}"' if m.group(1) in pages else m.group(0)
    html = re.sub(r'href="(?:nbs/)?([0-9a-z_]+)\.ipynb(#[^"]*)?"', href, html)
    def code(m):   # `nbs/x.ipynb` and the README table's `x` in code spans
        return f'<a href="{up}{pages[m.group(1)]}">{m.group(0)}</a>' if m.group(1) in pages else m.group(0)
    html = re.sub(r'(?<!">)<code>nbs/([0-9a-z_]+)\.ipynb</code>', code, html)
    return re.sub(r'(?<=<td>)<code>([0-9a-z_]+)</code>(?=</td>)', code, html)

class Site:
    "Writes the pages of `out`, each with the navigation list and a search box; then the search index of them all."
    def __init__(self, out: Path, nav: list, pages: dict):
        self.out, self.nav, self.pages, self.index = out, nav, pages, []
        self.exporter = HTMLExporter(template_name='ldmiss', extra_template_basedirs=[str(ROOT / 'docs' / 'templates')],
                                     exclude_input_prompt=True, exclude_output_prompt=True)

    def write(self, nb, here: str, title: str, source: str = '', module=None):
        "Render `nb` as the page `here` (a path under the site, e.g. 'runs/…/run.html')."
        nb = prepare(nb, module)
        nb.metadata['title'] = title
        root = '../' * here.count('/')
        plots = any('plotly-graph-div' in o.get('data', {}).get('text/html', '') for c in nb.cells for o in c.get('outputs', []))
        site = dict(root=root, nav=self.nav, here=here, source=source, plotly=plots)   # plotly.js only where it draws
        html, _ = self.exporter.from_notebook_node(nb, resources=dict(site=site))
        html = link_pages(unplace(html), here, self.pages).replace('<!--toc-->', toc(html), 1)
        self.index.append(dict(u=here, t=title, x=page_text(html)[:20_000]))   # a page's first 20,000 characters
        path = self.out / here
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f'.{path.name}.new'); tmp.write_text(html, encoding='utf-8'); os.replace(tmp, path)
        return path

    def write_index(self):
        "`search.js`: every page's title and text, which the search box loads when first used (no server needed)."
        index = json.dumps(self.index, ensure_ascii=False)
        (self.out / 'search.js').write_text(f'window.LDMISS_SEARCH = {index};\n', encoding='utf-8')

def notebook_page(p: Path) -> str:
    "Where the page of an executed notebook under runs/ goes: beside it, as `<name>.ipynb.html` (the figures keep `.html`)."
    return p.relative_to(ROOT).with_suffix('.ipynb.html').as_posix()

def run_label(p: Path) -> str:
    "A committed notebook's place, e.g. 'smoke/mnist/mcar/rate0.5/seed42' or 'figures/results.ipynb'."
    rel = p.relative_to(RUNS)
    return str(rel.parent) if p.name == 'run.ipynb' else str(rel)

def runs_index(notebooks: list) -> nbformat.NotebookNode:
    "The page listing every executed notebook committed under runs/: the runs, then the studies and figures."
    runs = [p for p in notebooks if p.name == 'run.ipynb']
    studies = [p for p in notebooks if p.name != 'run.ipynb']
    rows = ['| profile | dataset | mechanism | rate | seed | variant | metrics |', '|---|---|---|---|---|---|---|']
    for p in runs:
        parts = p.relative_to(RUNS).parent.parts
        variant = parts[6] if len(parts) > 6 else ''
        m = json.loads((p.parent / 'metrics.json').read_text()) if (p.parent / 'metrics.json').exists() else {}
        mse = m.get('imputation', {}).get('ldm_guidance', {}).get('mse_missing')
        fid = m.get('generation', {}).get('ldm', {}).get('fid')
        score = f'LDMiss MSE {mse:.4f}, FID {fid:.0f}' if mse is not None and fid is not None else '—'
        link = f'[{parts[3].removeprefix("rate")}]({notebook_page(p)})'
        rows.append(f'| {parts[0]} | {parts[1]} | {parts[2]} | {link} | {parts[4].removeprefix("seed")} | {variant} | {score} |')
    study_rows = [f'- [{p.name}]({notebook_page(p)})' for p in studies]
    figure_rows = [f'- [{p.stem}]({p.relative_to(ROOT).as_posix()})' for p in sorted((RUNS / 'figures').glob('*.html'))]
    md = ('# Every committed run\n\nEach run folder under `runs/` keeps the executed notebook that made it; each link '
          'opens it with its outputs. The scores are LDMiss guidance imputation MSE on missing pixels and LDMiss '
          'generation FID, as its `metrics.json` has them.\n\n' + '\n'.join(rows)
          + '\n\n## Studies\n\nThe executed study and results notebooks under `runs/figures/`.\n\n' + '\n'.join(study_rows)
          + '\n\n## Figures\n\nEvery published figure, interactive (`make figures` draws them).\n\n' + '\n'.join(figure_rows))
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(md)])

def copy_figures(out: Path) -> int:
    "The published figures (PNG, HTML, plotly.js, tables) beside the pages, so the README's images and links work."
    n = 0
    for p in sorted((RUNS / 'figures').iterdir()):
        if p.suffix in ('.png', '.html', '.js', '.md') and not p.name.startswith('.'):
            dest = out / p.relative_to(ROOT); dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest); n += 1
    return n

def main(argv):
    out = Path(argv[argv.index('--out') + 1]) if '--out' in argv else ROOT / '_docs'
    out = out.resolve()
    if out.exists() and any(c.name != '.executed' for c in out.iterdir()) and not (out / 'site.css').exists():
        sys.exit(f'make docs: {out} holds files this command did not build: give an empty folder or one it built')
    t0 = time.time()
    readme = (ROOT / 'README.md').read_text()
    names = readme_notebooks(readme)
    if not names: sys.exit("make docs: README.md has no notebook table (rows like '| `00_core` | ...'): nothing to build")
    missing = [n for n in names if not (ROOT / 'nbs' / f'{n}.ipynb').exists()]
    if missing: sys.exit(f"make docs: the README's table names notebooks that nbs/ lacks: {' '.join(missing)}")
    committed = run_pages()
    library = [n for n in names if n not in committed]
    runner = load_notebook_runner()
    executed = ROOT / '_docs' / '.executed'   # make test's copies live here whatever --out says
    execute_stale(library, executed, runner)

    notebooks = committed_notebooks()
    pages = {n: f'{n}.html' for n in names}
    sources = {n: (nbformat.read(committed[n], as_version=4) if n in committed else with_outputs(
        ROOT / 'nbs' / f'{n}.ipynb', executed / f'{n}.ipynb')) for n in names}
    titles = {n: notebook_title(sources[n], n) for n in names}
    nav = [('the compendium', [('README', 'index.html'), ('every committed run', 'runs.html')]),
           ('notebooks', [(titles[n], f'{n}.html') for n in names])]
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():   # last build's pages go (a renamed notebook leaves no page behind); executed copies stay
        if old.name != '.executed': shutil.rmtree(old) if old.is_dir() else old.unlink()
    (out / 'plotly.min.js').write_text(plotly.offline.get_plotlyjs(), encoding='utf-8')
    lab = next(Path(d) / 'lab' / 'static' for d in jupyter_path('nbconvert', 'templates')
               if (Path(d) / 'lab' / 'static' / 'index.css').exists())
    (out / 'site.css').write_text((lab / 'index.css').read_text() + (lab / 'theme-light.css').read_text(), encoding='utf-8')
    site = Site(out, nav, pages)

    site.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(readme)]), 'index.html', 'ldmiss')
    for n in names:
        if n in committed:
            p = committed[n]
            src = f'the executed notebook <code>{p.relative_to(ROOT)}</code> (made from <code>nbs/{n}.ipynb</code>)'
            site.write(sources[n], f'{n}.html', titles[n], src)
        else:
            nb = sources[n]
            exp = next((w[1] for c in nb.cells if c.cell_type == 'code' for w in directives(c.source)
                        if len(w) > 1 and w[0] == 'default_exp'), None)
            module = importlib.import_module(f'ldmiss.{exp}') if exp else None
            src = f'<code>nbs/{n}.ipynb</code>, executed as <code>make test</code> executes it' + (
                f'; exported as <code>ldmiss.{exp}</code>' if exp else '')
            site.write(nb, f'{n}.html', titles[n], src, module)
    site.write(runs_index(notebooks), 'runs.html', 'every committed run')
    for p in notebooks:
        here = notebook_page(p)
        site.write(nbformat.read(p, as_version=4), here, run_label(p), f'the executed notebook <code>{p.relative_to(ROOT)}</code>')
    site.write_index()
    n_fig = copy_figures(out)
    print(f'site: {out}/index.html — {len(names) + 2 + len(notebooks)} pages ({len(names)} notebooks, '
          f'{len(notebooks)} executed notebooks from runs/), {n_fig} figure files, {time.time() - t0:.0f} s')

if __name__ == '__main__': main(sys.argv[1:])

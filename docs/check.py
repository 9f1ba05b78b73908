"""Open every page of the built site (`make docs`) in a real browser, Debian's chromium driven by playwright, at a
1280-pixel window, and fail on a console error, a page error, a request that leaves the machine, a broken internal
link or image, a plotly figure that did not draw or whose legend falls outside the window, a page that scrolls
sideways (the standalone figure files aside), a library page without its title, API documentation or with a hidden
cell shown, or a search box that does not find the page a query names. Saves screenshots of the landing page and of
a results figure into <site>/screenshots/.
Skipped, with a message, where no chromium is installed.
Usage: python docs/check.py [--site DIR]"""
import importlib, inspect, os, re, shutil, sys, time
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse
from playwright.sync_api import sync_playwright
from build import readme_notebooks   # docs/build.py, beside this file

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync']   # without these, chromium calls home at start

def browser_path():
    "Debian's chromium (or $CHROMIUM), or None."
    for c in (os.environ.get('CHROMIUM'), 'chromium', 'chromium-browser'):
        if c and (p := shutil.which(c)): return p
    return None

PAGE_FACTS = """() => ({
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  images: [...document.querySelectorAll('img')].map(i => ({src: i.getAttribute('src').slice(0, 80), ok: i.complete && i.naturalWidth > 0})),
  plots: [...document.querySelectorAll('.plotly-graph-div')].map(d => ({id: d.id, drawn: !!d._fullLayout && !!d.querySelector('.main-svg')})),
  sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  legends_out: [...document.querySelectorAll('.plotly-graph-div .legend')]
    .filter(l => l.getBoundingClientRect().right > window.innerWidth + 1).length,
  h1: [...document.querySelectorAll('main.site h1')].map(h => h.textContent.replace('¶', '').trim()),
  heads: [...document.querySelectorAll('main.site h3')].map(h => h.textContent.replace('¶', '').trim()),
  text: document.querySelector('main.site') ? document.querySelector('main.site').innerText : '',
})"""

MACHINE_PATH = re.compile(r'(?<![\w.])/(?:tmp|home|work|root|Users|private|var/folders)/[\w.\-/]+')   # an absolute path

LIBRARY_PAGE = re.compile(r'^\d\d[a-z]?_')   # 00_core.html …: a library notebook's page

def library_page_problems(facts: dict, path: Path) -> list:
    "A library notebook's page: its title as the one heading on top, no front matter, no hidden cell, its API shown."
    problems = []
    if not facts['h1']: problems.append('no title (h1)')
    if 'output-file:' in facts['text'] or '#| hide' in facts['text'] or '#| export' in facts['text']:
        problems.append('front matter, a hidden cell or a directive shown')
    nb = ROOT / 'nbs' / path.with_suffix('.ipynb').name
    exp = re.search(r'#\| default_exp (\w+)', nb.read_text()) if nb.exists() else None
    if exp:   # every name the module exports has its API heading
        module = importlib.import_module(f'ldmiss.{exp.group(1)}')
        missing = [n for n in module.__all__ if n not in facts['heads']
                   and (inspect.isfunction(getattr(module, n)) or inspect.isclass(getattr(module, n)))]
        if missing: problems.append(f"no API documentation of {', '.join(missing[:5])}")
    return problems

def internal_target(page: Path, href: str):
    "The file and fragment an internal link points to, or None for an external link."
    u = urlparse(href)
    if u.scheme not in ('', 'file') or href.startswith('//'): return None
    target = page if not u.path else (page.parent / unquote(u.path)).resolve()
    return target, u.fragment

@lru_cache(maxsize=None)
def ids_of(path: Path) -> frozenset:
    "The element ids of a page, read from its HTML."
    return frozenset(re.findall(r'\sid="([^"]+)"', path.read_text(encoding='utf-8', errors='replace')))

def check_page(page, path: Path, site: Path) -> list:
    "Open `path`; return what is wrong with it, and how many plotly figures it has."
    problems, outside = [], []
    page.on('console', lambda m: m.type == 'error' and problems.append(f'console error: {m.text[:200]}'))
    page.on('pageerror', lambda e: problems.append(f'page error: {str(e)[:200]}'))
    def route(r):
        if r.request.url.startswith('file:'): r.continue_()
        else: outside.append(r.request.url); r.abort()
    page.route('**/*', route)
    page.goto(path.as_uri(), wait_until='load')
    page.wait_for_timeout(50)
    facts = page.evaluate(PAGE_FACTS)
    problems += [f'loads from the network: {u[:120]}' for u in outside]
    problems += [f"image did not load: {i['src']}" for i in facts['images'] if not i['ok']]
    problems += [f"plotly figure did not draw: {p['id']}" for p in facts['plots'] if not p['drawn']]
    if 'figures' not in path.relative_to(site).parts:   # standalone figure files (runs/figures/*.html) keep their size
        if facts['legends_out']: problems.append(f"{facts['legends_out']} plotly legend(s) outside the window")
        if facts['sideways'] > 1: problems.append(f"scrolls sideways by {facts['sideways']} px")
    if (where := MACHINE_PATH.search(facts['text'])):
        problems.append(f'names a path of the machine that built it: {where.group(0)[:80]}')
    if LIBRARY_PAGE.match(path.name) and path.parent == site:
        problems += library_page_problems(facts, path)
    for href in set(facts['links']):
        t = internal_target(path, href)
        if t is None: continue
        target, frag = t
        if not target.is_relative_to(site): problems.append(f'link leaves the site: {href}')
        elif not target.exists(): problems.append(f'broken link: {href}')
        elif frag and target.suffix == '.html' and frag not in (set(facts['ids']) if target == path else ids_of(target)):
            problems.append(f'broken anchor: {href}')
    return problems, len(facts['plots'])

SEARCH = ('MissDiff masked loss', '03_sde.html')   # a query, and the page that must be among its hits

def search_problems(page, site: Path) -> list:
    "Type the query into the landing page's search box; what is wrong with the hits."
    page.goto((site / 'index.html').as_uri(), wait_until='load')
    page.fill('nav.site input.search', SEARCH[0])
    try: page.wait_for_selector('nav.site ol.hits li a', timeout=10_000)
    except Exception: return [f'search: no hit for {SEARCH[0]!r}']
    hrefs = page.eval_on_selector_all('nav.site ol.hits li a', 'as => as.map(a => a.getAttribute("href"))')
    if any(h.endswith(SEARCH[1]) for h in hrefs): return []
    return [f'search: {SEARCH[0]!r} does not find {SEARCH[1]} ({hrefs[:5]})']

def screenshots(page, site: Path, shots: Path) -> dict:
    "The landing page, and the results page at its first figure (of MNIST MCAR, where there is one); what failed."
    page.goto((site / 'index.html').as_uri(), wait_until='load')
    page.screenshot(path=shots / 'index.png')
    if not (site / 'results.html').exists(): return {Path('results.html'): ['missing: the results page']}
    page.goto((site / 'results.html').as_uri(), wait_until='load')
    figures = page.locator('.plotly-graph-div:has(.main-svg)')
    mnist = figures.filter(has_text='profile, mnist, mcar')   # the README's group, where the results have it
    figure = mnist.first if mnist.count() else figures.first
    if not figures.count(): return {Path('results.html'): ['no drawn figure to take a screenshot of']}
    figure.screenshot(path=shots / 'results_figure.png', timeout=30_000)
    page.screenshot(path=shots / 'results.png')
    return {}

def main(argv):
    site = Path(argv[argv.index('--site') + 1]) if '--site' in argv else ROOT / '_docs'
    site = site.resolve()
    chromium = browser_path()
    if chromium is None:
        print("docs-check skipped: no chromium here (sudo apt-get install chromium; or set CHROMIUM to a Chromium binary)")
        return 0
    if not (site / 'index.html').exists(): sys.exit(f'docs-check: {site}/index.html does not exist: run make docs first')
    pages = sorted(p for p in site.rglob('*.html') if not p.name.startswith('.') and 'screenshots' not in p.parts)
    t0, failed, n_plots = time.time(), {}, 0
    for name in readme_notebooks((ROOT / 'README.md').read_text()):
        if not (site / f'{name}.html').exists(): failed[Path(f'{name}.html')] = [f"missing: the page of nbs/{name}.ipynb (README's table)"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        ctx = browser.new_context(viewport=dict(width=1280, height=900))   # a laptop's window
        for path in pages:
            page = ctx.new_page()
            problems, n = check_page(page, path, site)
            n_plots += n
            if problems: failed[path.relative_to(site)] = problems
            page.close()
        if (found := search_problems(ctx.new_page(), site)): failed.setdefault(Path('index.html'), []).extend(found)
        shots = site / 'screenshots'; shots.mkdir(exist_ok=True)
        wide = browser.new_context(viewport=dict(width=1920, height=1080))   # the widest figures (1,460 px) whole
        for rel, problems in screenshots(wide.new_page(), site, shots).items(): failed.setdefault(rel, []).extend(problems)
        browser.close()
    for rel, problems in failed.items():
        print(f'{rel}:'); [print(f'  {p}') for p in problems[:20]]
    print(f"docs-check: {len(pages)} pages, {n_plots} plotly figures, {len(pages) - len(failed)} ok, {len(failed)} with problems, "
          f"{time.time() - t0:.0f} s; screenshots in {shots}")
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))

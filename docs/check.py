"""Open every page of the built site (`make docs`) in a real browser, Debian's chromium driven by playwright, and fail
on a console error, a page error, a request that leaves the machine, a broken internal link or image, or a plotly
figure that did not draw. Saves screenshots of the landing page and of a results figure into <site>/screenshots/.
Skipped, with a message, where no chromium is installed.
Usage: python docs/check.py [--site DIR]"""
import os, re, shutil, sys, time
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
})"""

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
    for href in set(facts['links']):
        t = internal_target(path, href)
        if t is None: continue
        target, frag = t
        if not target.is_relative_to(site): problems.append(f'link leaves the site: {href}')
        elif not target.exists(): problems.append(f'broken link: {href}')
        elif frag and target.suffix == '.html' and frag not in (set(facts['ids']) if target == path else ids_of(target)):
            problems.append(f'broken anchor: {href}')
    return problems, len(facts['plots'])

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
        ctx = browser.new_context(viewport=dict(width=1400, height=900))
        for path in pages:
            page = ctx.new_page()
            problems, n = check_page(page, path, site)
            n_plots += n
            if problems: failed[path.relative_to(site)] = problems
            page.close()
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

"""README tables generated from files: between `<!-- generated from PATH -->` and `<!-- end generated -->` the README
holds the text of PATH (relative to the repository root) exactly, so a published table is never typed by hand.
Usage: readme_blocks.py [--write]   (check and exit 1 naming stale blocks; --write copies each file into its block)"""
import re, sys
from pathlib import Path

BLOCK = re.compile(r'(<!-- generated from (\S+) -->\n)(.*?)(<!-- end generated -->)', re.S)

def refresh(text: str, root: Path) -> tuple[str, list]:
    "`text` with every block replaced by its file's text, and the paths whose block differed (or whose file is missing)."
    stale = []
    def fill(m):
        path = root / m.group(2)
        if not path.exists():
            stale.append(f'{m.group(2)} (missing: run make figures)')
            return m.group(0)
        new = path.read_text()
        if new != m.group(3): stale.append(m.group(2))
        return m.group(1) + new + m.group(4)
    return BLOCK.sub(fill, text), stale

def main(argv) -> int:
    root = Path(__file__).resolve().parent.parent
    readme = root / 'README.md'
    text, stale = refresh(readme.read_text(), root)
    if '--write' in argv:
        if text != readme.read_text(): readme.write_text(text)
        for s in stale: print(f'README: block from {s} updated' if 'missing' not in s else f'README: {s}')
        return 1 if any('missing' in s for s in stale) else 0
    for s in stale: print(f'README: the block generated from {s} is stale: run make readme')
    return 1 if stale else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))

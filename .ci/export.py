"""nbdev_export, then every module's `__all__` rewrapped to 120 characters: nbdev wraps the list at 120 and then
puts `__all__ = ` in front of its first line. Usage: export.py (from the project root, with the venv's python)."""
import ast, re, subprocess, sys
from pathlib import Path
from textwrap import TextWrapper

ALL = re.compile(r'^__all__ = \[.*?\]$', re.M | re.S)
WRAP = TextWrapper(width=120, initial_indent='__all__ = ', subsequent_indent=' ' * 11, break_long_words=False)

def rewrap(text: str) -> str:
    "`text` with its `__all__ = [...]` block wrapped so that no line passes 120 characters."
    return ALL.sub(lambda m: '\n'.join(WRAP.wrap(str(ast.literal_eval(m.group(0)[len('__all__ = '):])))), text, count=1)

def main():
    subprocess.run([str(Path(sys.executable).parent / 'nbdev_export')], check=True)
    for p in sorted(Path('ldmiss').glob('*.py')):
        text = p.read_text()
        new = rewrap(text)
        if new != text:
            p.write_text(new)

if __name__ == '__main__': main()

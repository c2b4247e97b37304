"""Every Python example of the user guide (docs/guide/) runs, from the root of a clone."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs" / "guide").glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def test_the_guide_has_examples():
    assert sum(len(BLOCK.findall(page.read_text())) for page in PAGES) >= 7


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_guide_examples_run(page, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    namespace = {"__name__": f"guide_{page.stem}"}
    for block in BLOCK.findall(page.read_text()):
        exec(compile(block, str(page), "exec"), namespace)
    capsys.readouterr()

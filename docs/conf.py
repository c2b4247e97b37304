"""Sphinx configuration of the qainsights documentation site (``make docs``).

Sphinx rather than MkDocs: the docstrings are numpydoc, which the numpydoc extension (the one
numpy, pandas and statsmodels use) renders section by section, References and math included;
autosummary generates the API pages from each module's ``__all__``; the PyData theme is the one
analysts know from pandas.
myst-nb reads the Markdown pages and the notebooks; it renders the notebooks' committed outputs
without executing them and needs no pandoc.

The API reference is generated from the package itself: every public module of ``qainsights``
(no leading underscore) gets a page listing the functions and classes of its ``__all__``, so a new
module or function appears without editing these files. The curated notebooks and the reference
sources (``tests/reference/``) are copied in at build time; the notebooks are rendered from their
committed outputs, never re-executed.
"""

from __future__ import annotations

import json
import pkgutil
import re
import shutil
from pathlib import Path

import qainsights

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

project = "qainsights"
author = "qainsights developers"
copyright = "qainsights developers, BSD 3-Clause"
version = release = qainsights.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# API reference: one page per public module, one per function or class of its __all__.
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # the numpydoc Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Notebooks: shown with their committed outputs (the tests re-execute them; the site does not).
nb_execution_mode = "off"
nb_output_stderr = "remove"
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"qainsights {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_show_sourcelink = False

# Pages the build writes from the repository (kept out of git, see .gitignore).
NOTEBOOKS = ROOT / "notebooks"
REFERENCE = ROOT / "tests" / "reference"


def _public_modules() -> list[str]:
    """Public modules of qainsights: no leading underscore, not the command line."""
    names = [m.name for m in pkgutil.iter_modules(qainsights.__path__)]
    return sorted(n for n in names if not n.startswith("_") and n != "cli")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _api_index() -> None:
    modules = "\n".join(f"   qainsights.{name}" for name in _public_modules())
    top = "\n".join(
        f"   ~qainsights.{module}.{name}"
        for name, module in sorted(qainsights._FUNCTIONS.items(), key=lambda item: item[1])
    )
    _write(
        DOCS / "api" / "index.rst",
        "API reference\n=============\n\n"
        "The functions at the top of the package, each documented where it lives:\n\n"
        f".. autosummary::\n\n{top}\n\n"
        "Every public module, with the functions and classes it exports:\n\n"
        ".. autosummary::\n   :toctree: generated\n\n"
        f"{modules}\n",
    )


def _heading(file: Path) -> str | None:
    """The first level-one heading of a Markdown file or notebook."""
    if file.suffix == ".ipynb":
        cells = json.loads(file.read_text())["cells"]
        lines = [line for c in cells if c["cell_type"] == "markdown" for line in c["source"]]
    else:
        lines = file.read_text().splitlines()
    return next((line[2:].strip() for line in lines if line.startswith("# ")), None)


def _title(file: Path) -> str:
    """The page's heading, else its file name in words (the report template has no heading)."""
    return _heading(file) or file.stem.replace("_", " ").lstrip("0123456789 ").capitalize()


#: A Markdown link to a file of the repository, relative to notebooks/.
_REPO_LINK = re.compile(r"\[([^\]]*)\]\(\.\./([^)#]+)(#[^)]*)?\)")


def _relink(text: str) -> str:
    """Point the notebooks' links into docs/ at the site's pages; name other repository files."""

    def replace(match: re.Match) -> str:
        label, path, anchor = match.group(1), match.group(2), match.group(3) or ""
        if path.startswith("docs/"):
            return f"[{label}](../{path[len('docs/') :]}{anchor})"
        return f"{label} (`{path}` in the repository)"

    return _REPO_LINK.sub(replace, text)


def _site_copy(notebook: Path, title: str | None) -> None:
    """Adapt the site's copy of a notebook (the notebook itself is left as it is): links that
    leave the site made plain, and a title cell where the notebook has none.
    """
    content = json.loads(notebook.read_text())
    for cell in content["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = _relink("".join(cell["source"]))
    if title is not None:
        cell = {"cell_type": "markdown", "id": "site-title", "metadata": {}, "source": f"# {title}"}
        content["cells"].insert(0, cell)
    notebook.write_text(json.dumps(content, indent=1))


def _copy_in(source: Path, target: Path, pattern: str, title: str, intro: str) -> None:
    """Copy ``source/pattern`` into ``target`` with an index page listing every file."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = sorted(source.glob(pattern))
    for file in files:
        shutil.copy2(file, target / file.name)
        if file.suffix == ".ipynb":
            _site_copy(target / file.name, None if _heading(file) else _title(file))
    entries = "\n".join(f"{_title(file)} <{file.stem}>" for file in files)
    _write(
        target / "index.md",
        f"# {title}\n\n{intro}\n\n```{{toctree}}\n:maxdepth: 1\n\n{entries}\n```\n",
    )


_api_index()
_copy_in(
    NOTEBOOKS,
    DOCS / "notebooks",
    "[0-9][0-9]_*.ipynb",
    "Notebooks",
    "The curated notebooks, each one analyst's story, shown with the outputs committed in "
    "`notebooks/` (the test suite re-executes them and fails when a number changes). They read "
    "`data_samples/` by relative path: run them from a clone.",
)
_copy_in(
    REFERENCE,
    DOCS / "reference",
    "*.md",
    "Reference sources",
    "The facts the tests check against, with their sources: published tables, R and Python "
    "reference outputs, and derivations. These are the notes in `tests/reference/`; the numbers "
    "they name are written once, with their sources, in the Python module beside each note "
    "(`tests/reference/<topic>.py`), which the tests import.",
)

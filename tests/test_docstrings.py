"""Docstrings assembled from shared blocks are the same on every Python version, and well formed.

Python 3.13 compiles docstrings without their common indentation (older versions keep it):
the filled docstring must not depend on that. Well formed, as numpydoc and docutils read it:
inside a section, a line is a name line at the margin or description indented by 4.
"""

from __future__ import annotations

import importlib
import inspect
import re
import textwrap

import pytest

import qainsights
from qainsights._docstrings import fill_docstring

BLOCK = """a : int
        First, over
        two lines.
    b : {"x", "y"}, default "x"
        Second."""

TEMPLATE = """Add.

    Parameters
    ----------
    {shared}
    c : {{"p", "q"}}
        Third. {note}

    Returns
    -------
    int
    """
NOTE = """Two
    lines."""
EXPECTED = """Add.

Parameters
----------
a : int
    First, over
    two lines.
b : {"x", "y"}, default "x"
    Second.
c : {"p", "q"}
    Third. Two
    lines.

Returns
-------
int"""


def _function(doc):
    def f():
        pass

    f.__doc__ = doc
    return f


@pytest.mark.parametrize(
    "doc",
    [TEMPLATE, inspect.cleandoc(TEMPLATE)],
    ids=["indented (Python <= 3.12)", "stripped (Python 3.13)"],
)
def test_fill_gives_the_same_docstring_whatever_the_compiler_did(doc):
    assert fill_docstring(_function(doc), shared=BLOCK, note=NOTE).__doc__ == EXPECTED


SECTIONS = {"Parameters", "Returns", "Yields", "Raises", "Warns", "Attributes", "Other Parameters"}


def _public_objects():
    for package in qainsights.SUBPACKAGES:
        module = importlib.import_module(f"qainsights.{package}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__doc__:
                yield f"{package}.{name}", obj


def _misindented(doc: str) -> list[str]:
    """Lines of the field sections that are neither at the margin nor indented by 4 or more."""
    bad, section = [], None
    lines = doc.splitlines()
    for line, underline in zip(lines, [*lines[1:], ""], strict=True):
        if re.fullmatch(r"-{3,}", underline.strip()):
            section = line.strip()
            continue
        if section in SECTIONS and line.strip() and not re.fullmatch(r"-{3,}", line.strip()):
            indent = len(line) - len(line.lstrip())
            if 0 < indent < 4 or (indent and re.match(r"\s+[A-Za-z_*][\w, *]* : \S", line)):
                bad.append(line)  # off the grid, or a name line pushed into a description
    return bad


def test_the_indentation_check_finds_a_block_pasted_the_old_way():
    pasted = inspect.cleandoc(TEMPLATE).replace("{shared}", BLOCK)  # 3.13 with the old code
    assert _misindented(pasted) == ['    b : {"x", "y"}, default "x"']


def test_every_public_docstring_is_well_indented():
    bad = {name: _misindented(inspect.getdoc(obj)) for name, obj in _public_objects()}
    assert {name: lines for name, lines in bad.items() if lines} == {}


def test_filled_docstrings_parse_without_docutils_warnings():
    core = pytest.importorskip("docutils.core")
    napoleon = pytest.importorskip("numpydoc.docscrape_sphinx")
    problems = {}
    for name, obj in _public_objects():
        rst = str(napoleon.get_doc_object(obj))
        messages = []
        core.publish_doctree(
            textwrap.dedent(rst),
            settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": messages},
        )
        if messages:
            problems[name] = messages
    assert problems == {}

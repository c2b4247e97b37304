"""Docstrings assembled from shared parameter blocks, right on every Python version.

Python 3.13 strips the common indentation of docstrings when it compiles them, older versions
keep it; a block pasted into a template at a fixed indentation is therefore mis-indented on
one of them. :func:`fill_docstring` cleans the template (``inspect.cleandoc``) and re-indents
each block to the line it is inserted on, so the result is the same on 3.10 to 3.13.

References
----------
.. [1] Python 3.13 release notes, "Compiler strips common leading whitespace from docstrings".
   https://docs.python.org/3.13/whatsnew/3.13.html
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["fill_docstring"]

F = TypeVar("F", bound=Callable)

#: Indentation of a function body's docstring in the source, which blocks are written for.
_SOURCE_INDENT = "    "
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _block_lines(text: str) -> list[str]:
    """A block's lines relative to its first line (written at the source docstring indent)."""
    lines = text.strip("\n").splitlines()
    rest = [
        line.removeprefix(_SOURCE_INDENT) if line.startswith(_SOURCE_INDENT) else line.strip()
        for line in lines[1:]
    ]
    return [lines[0].strip(), *rest]


def fill_docstring(func: F, **blocks: str) -> F:
    """Replace each ``{name}`` of ``func``'s docstring by its block, at the right indentation.

    Parameters
    ----------
    func : callable
        A function whose docstring holds placeholders ``{name}``; ``{{`` and ``}}`` stand
        for literal braces.
    **blocks : str
        The text of each placeholder, written as it would stand in a function body's
        docstring (continuation lines indented from column 4).

    Returns
    -------
    callable
        ``func``, with its docstring filled and cleaned (no common indentation); the
        function it wraps, if any (``__wrapped__``), gets the same docstring.

    Examples
    --------
    >>> def f():
    ...     '''Sum.
    ...
    ...     {shared}
    ...     '''
    >>> print(fill_docstring(f, shared='''a : int
    ...         First.
    ...     b : int
    ...         Second.''').__doc__)
    Sum.
    <BLANKLINE>
    a : int
        First.
    b : int
        Second.
    """
    lines = []
    for line in inspect.cleandoc(func.__doc__ or "").splitlines():
        indent = line[: len(line) - len(line.lstrip())]

        def fill(match: re.Match, indent: str = indent) -> str:
            name = match.group(1)
            if name not in blocks:
                return match.group(0)
            return (
                ("\n" + indent)
                .join(_block_lines(blocks[name]))
                .replace("\n" + indent + "\n", "\n\n")
            )

        lines.append(_PLACEHOLDER.sub(fill, line))
    func.__doc__ = "\n".join(lines).replace("{{", "{").replace("}}", "}")
    if hasattr(func, "__wrapped__"):  # a public function: the wrapped one documents the same
        func.__wrapped__.__doc__ = func.__doc__
    return func

"""The name of the public function the user called, for messages raised deep inside it.

Each public function is decorated with :func:`public`, which records its name in a
:class:`contextvars.ContextVar` for the duration of the call; validators and private helpers
read it with :func:`caller` instead of receiving the name as an argument. The innermost
public call wins, as when each public function passed its own name down: when one public
function calls another (a report calling ``error_rate``), messages about the inner call's
arguments name the inner function, and the outer name is back once it returns. Context
variables are per thread and per asyncio task, so concurrent calls do not see each
other's names.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar, overload

__all__ = ["caller", "calling", "public", "user_stacklevel"]

F = TypeVar("F", bound=Callable[..., Any])

#: Name of the innermost public function on the current call stack, None outside one.
_CALLER: ContextVar[str | None] = ContextVar("qainsights_caller", default=None)

#: What :func:`caller` returns when no public function is running (a private helper
#: called directly, as in a test).
OUTSIDE = "qainsights"


def caller() -> str:
    """Return the name of the public function being called, as messages should show it.

    Examples
    --------
    >>> caller()
    'qainsights'
    >>> @public
    ... def error_rate():
    ...     return caller()
    >>> error_rate()
    'error_rate'
    """
    return _CALLER.get() or OUTSIDE


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside the package.

    Every warning of the package takes it: a fixed number counts the frames of one call
    path, and the decorators (:func:`public`, the renamed-parameter shims) and helpers
    reached at different depths would move the warning into the package's own files.
    """
    package = os.path.dirname(__file__) + os.sep
    frame, level = inspect.currentframe(), 0
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


@contextlib.contextmanager
def calling(name: str) -> Iterator[None]:
    """Name ``name`` in messages raised inside the block, as a public function ``name`` would.

    For code that speaks for another function than the public one running (a helper with
    its own ``func`` argument), and for examples and tests of validators.

    Examples
    --------
    >>> with calling("error_rate"):
    ...     caller()
    'error_rate'
    >>> caller()
    'qainsights'
    """
    token = _CALLER.set(name)
    try:
        yield
    finally:
        _CALLER.reset(token)


@overload
def public(function: F, /) -> F: ...
@overload
def public(*, name: str | None = None) -> Callable[[F], F]: ...
def public(function: F | None = None, /, *, name: str | None = None) -> Any:
    """Decorate a public function so that messages raised while it runs name it.

    Parameters
    ----------
    function : callable
        The public function. Its ``__qualname__`` is the name shown (``Class.method`` for a
        method; without the enclosing function of a local one), unless ``name`` is given.
    name : str, optional
        The name to show instead.

    Returns
    -------
    callable
        The function, wrapped with :func:`functools.wraps`: its name, docstring and
        ``inspect.signature`` are the original's.

    Examples
    --------
    >>> @public
    ... def report():
    ...     return rate(), caller()
    >>> @public
    ... def rate():
    ...     return caller()
    >>> report()
    ('rate', 'report')
    """

    def decorate(function: F) -> F:
        if inspect.isgeneratorfunction(function) or inspect.iscoroutinefunction(function):
            raise TypeError(
                f"public cannot decorate {function.__qualname__}: the name would be reset "
                "before its body runs. Decorate a plain function."
            )
        label = name or function.__qualname__.rpartition("<locals>.")[2]

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _CALLER.set(label)
            try:
                return function(*args, **kwargs)
            finally:
                _CALLER.reset(token)

        wrapper.__public_name__ = label  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate if function is None else decorate(function)

"""Old names that keep working for one release, with a FutureWarning naming the new one.

The warning is a ``FutureWarning`` (shown to end users by default, unlike
``DeprecationWarning``) whose message names the function, the old name, the new name and
what to write instead, in the package's one message format.

References
----------
.. [1] NumPy Enhancement Proposal 23, "Backwards compatibility and deprecation policy".
   https://numpy.org/neps/nep-0023-backwards-compatibility.html
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from ._caller import user_stacklevel

__all__ = ["renamed", "renamed_function"]


def renamed(**old_to_new: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a function so that its former keyword names still work, with a warning.

    Parameters
    ----------
    **old_to_new : str
        Former keyword name -> current keyword name.

    Returns
    -------
    callable
        A decorator. The decorated function keeps its signature (``inspect.signature``
        follows ``__wrapped__``), so documentation shows only the current names.

    Raises
    ------
    TypeError
        At call time, when both the former and the current name are given.

    Examples
    --------
    >>> import warnings
    >>> @renamed(dims="by")
    ... def explain(data, *, by):
    ...     return by
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     explain(None, dims=["site"])
    ['site']
    >>> print(caught[0].message)
    The 'dims' parameter of explain was renamed 'by'; 'dims' will stop working in the next release. Write explain(..., by=...) instead.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(
                        f"{func.__name__}() got both {old!r} and its new name {new!r}. "
                        f"Pass only {new!r}."
                    )
                warnings.warn(
                    f"The {old!r} parameter of {func.__name__} was renamed {new!r}; {old!r} "
                    f"will stop working in the next release. Write "
                    f"{func.__name__}(..., {new}=...) instead.",
                    FutureWarning,
                    stacklevel=user_stacklevel(),
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def renamed_function(func: Callable[..., Any], old_name: str) -> Callable[..., Any]:
    """Return ``func`` under its former name, warning at each call.

    Parameters
    ----------
    func : callable
        The function under its current name.
    old_name : str
        The name it had.

    Returns
    -------
    callable
        A function named ``old_name`` that warns, then calls ``func``.

    Examples
    --------
    >>> import warnings
    >>> def standardized_rates():
    ...     return 1
    >>> old = renamed_function(standardized_rates, "standardised_rates")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     old()
    1
    >>> print(caught[0].message)
    standardised_rates was renamed standardized_rates; the old name will stop working in the next release.
    """

    @functools.wraps(func)
    def former(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"{old_name} was renamed {func.__name__}; the old name will stop working in the "
            "next release.",
            FutureWarning,
            stacklevel=user_stacklevel(),
        )
        return func(*args, **kwargs)

    former.__name__ = former.__qualname__ = old_name
    return former

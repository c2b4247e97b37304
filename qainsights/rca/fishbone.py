"""The cause-and-effect (Ishikawa, fishbone) diagram."""

from __future__ import annotations

from collections.abc import Mapping

from .._caller import caller, public
from .._validation import format_values

__all__ = ["fishbone"]


@public
def fishbone(causes, *, effect="Errors", ax=None):
    """Draw a cause-and-effect (Ishikawa) diagram.

    The effect sits in a box at the head of a horizontal spine; each category is a bone
    slanting back from the spine, alternately above and below, in the order given (the
    first pair nearest the head); its causes are short horizontal twigs along the bone,
    listed from the bone's outer end towards the spine.

    Parameters
    ----------
    causes : mapping of str to list of str
        Categories (for example the 6 Ms, or root-cause codes grouped by owner) and their
        causes. A category may have no causes.
    effect : str, default "Errors"
        The problem the diagram explains.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Drawn in data coordinates: the spine is an arrow patch along ``y = 0`` from
        ``x = 0`` to ``x = 10``; the effect's text is at ``(10.3, 0)``; categories above the spine have
        their label at ``y > 4``, those below at ``y < −4``; each cause's text ends just left
        of its twig on its category's bone. Axis lines and ticks are hidden.

    Raises
    ------
    TypeError
        If ``causes`` is not a mapping, or ``effect`` or a category or cause is not a string.
    ValueError
        If ``causes`` is empty.

    References
    ----------
    .. [1] Ishikawa, K. (1976). Guide to Quality Control. Asian Productivity Organization,
       chapter 3 (the cause-and-effect diagram).

    Examples
    --------
    >>> ax = fishbone(
    ...     {"People": ["training gap", "fatigue"], "Policy": ["ambiguous guideline"]},
    ...     effect="Wrong-policy errors",
    ... )
    >>> sorted(t.get_text() for t in ax.texts)
    ['People', 'Policy', 'Wrong-policy errors', 'ambiguous guideline', 'fatigue', 'training gap']
    """
    categories = _check_causes(causes, effect)
    from ..plotting.rca import draw_fishbone

    return draw_fishbone(categories, effect=effect, ax=ax)


def _check_causes(causes, effect) -> dict:
    """Return the causes as a dict of lists after checking their types."""
    if not isinstance(causes, Mapping):
        raise TypeError(
            f"The 'causes' parameter of {caller()} must be a mapping of category to a list of "
            f"causes, for example {{'People': ['training gap']}}. Got {type(causes).__name__} "
            "instead."
        )
    if not causes:
        raise ValueError(
            f"The 'causes' parameter of {caller()} is empty; give at least one category, for "
            "example {'People': ['training gap']}."
        )
    if not isinstance(effect, str):
        raise TypeError(
            f"The 'effect' parameter of {caller()} must be a string. Got {type(effect).__name__} "
            "instead."
        )
    checked = {}
    for category, items in causes.items():
        listed = [items] if isinstance(items, str) else items
        bad = [category] if not isinstance(category, str) else []
        if not isinstance(listed, (list, tuple)):
            bad.append(items)
        else:
            bad += [c for c in listed if not isinstance(c, str)]
        if bad:
            raise TypeError(
                f"The 'causes' parameter of {caller()} must map string categories to lists of "
                f"string causes. Got {format_values(bad)} under category {category!r}; convert "
                "them with str() first."
            )
        checked[category] = list(listed)
    return checked

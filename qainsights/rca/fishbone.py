"""The cause-and-effect (Ishikawa, fishbone) diagram."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from qainsights._validation import format_values
from qainsights.plotting import PALETTE

__all__ = ["fishbone"]

_FUNC = "fishbone"
_SPINE_LENGTH = 10.0
_BONE_HEIGHT = 4.0
_BONE_SLANT = 1.6
_TWIG = 0.25


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
    if ax is None:
        _, ax = plt.subplots(figsize=(10.0, 5.5), layout="constrained")
    colour = PALETTE["estimate"]
    ax.arrow(
        0.0,
        0.0,
        _SPINE_LENGTH,
        0.0,
        width=0.04,
        head_width=0.3,
        head_length=0.3,
        length_includes_head=True,
        color=colour,
    )
    ax.text(
        _SPINE_LENGTH + 0.3,
        0.0,
        effect,
        ha="left",
        va="center",
        fontsize=11,
        fontweight="bold",
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": colour},
    )
    pairs = int(np.ceil(len(categories) / 2))
    step = _SPINE_LENGTH / (pairs + 1)
    for index, (category, items) in enumerate(categories.items()):
        side = 1.0 if index % 2 == 0 else -1.0
        root = _SPINE_LENGTH - step * (index // 2 + 1) + _BONE_SLANT / 2
        tip = (root - _BONE_SLANT, side * _BONE_HEIGHT)
        ax.plot([tip[0], root], [tip[1], 0.0], color=colour, linewidth=1.5)
        ax.text(
            tip[0],
            tip[1] + side * 0.35,
            category,
            ha="center",
            va="bottom" if side > 0 else "top",
            fontsize=10,
            fontweight="bold",
        )
        # Twigs at evenly spaced heights along the bone, outermost first.
        fractions = np.arange(1, len(items) + 1) / (len(items) + 1)
        ys = side * _BONE_HEIGHT * (1 - fractions)
        xs = tip[0] + _BONE_SLANT * fractions
        for cause, x, y in zip(items, xs, ys, strict=True):
            ax.plot([x - _TWIG, x], [y, y], color=colour, linewidth=0.8)
            ax.text(x - _TWIG - 0.05, y, cause, ha="right", va="center", fontsize=8.5)
    ax.set_xlim(-2.5, _SPINE_LENGTH + 3.0)
    ax.set_ylim(-_BONE_HEIGHT - 1.2, _BONE_HEIGHT + 1.2)
    ax.set_axis_off()
    return ax


def _check_causes(causes, effect) -> dict:
    """Return the causes as a dict of lists after checking their types."""
    if not isinstance(causes, Mapping):
        raise TypeError(
            f"The 'causes' parameter of {_FUNC} must be a mapping of category to a list of "
            f"causes, for example {{'People': ['training gap']}}. Got {type(causes).__name__} "
            "instead."
        )
    if not causes:
        raise ValueError(
            f"The 'causes' parameter of {_FUNC} is empty; give at least one category, for "
            "example {'People': ['training gap']}."
        )
    if not isinstance(effect, str):
        raise TypeError(
            f"The 'effect' parameter of {_FUNC} must be a string. Got {type(effect).__name__} "
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
                f"The 'causes' parameter of {_FUNC} must map string categories to lists of "
                f"string causes. Got {format_values(bad)} under category {category!r}; convert "
                "them with str() first."
            )
        checked[category] = list(listed)
    return checked

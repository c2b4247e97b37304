import numpy as np
import pytest

from qainsights.rca import fishbone

CAUSES = {
    "People": ["training gap", "fatigue"],
    "Policy": ["ambiguous guideline"],
    "Process": ["missing context"],
    "Tools": [],
}


def _texts(ax):
    return {t.get_text(): t.get_position() for t in ax.texts}


def test_draws_every_label_once():
    ax = fishbone(CAUSES, effect="Errors up")
    labels = [t.get_text() for t in ax.texts]
    expected = [
        "Errors up",
        *CAUSES,
        "training gap",
        "fatigue",
        "ambiguous guideline",
        "missing context",
    ]
    assert sorted(labels) == sorted(expected)


def test_positions_follow_the_documented_layout():
    ax = fishbone(CAUSES, effect="Errors up")
    texts = _texts(ax)
    assert texts["Errors up"] == pytest.approx((10.3, 0.0))
    # Categories alternate above and below the spine, the first pair nearest the head.
    assert texts["People"][1] > 4
    assert texts["Process"][1] > 4
    assert texts["Policy"][1] < -4
    assert texts["Tools"][1] < -4
    assert texts["People"][0] > texts["Process"][0]
    assert texts["Policy"][0] > texts["Tools"][0]
    # Causes sit on their category's side, outermost first, left of the bone's root.
    assert texts["training gap"][1] > texts["fatigue"][1] > 0
    assert texts["ambiguous guideline"][1] < 0
    assert texts["training gap"][0] < 10
    # Spine: one arrow patch from x = 0 to x = 10 along y = 0.
    (spine,) = ax.patches
    vertices = spine.get_path().vertices
    assert vertices[:, 0].min() == pytest.approx(0.0)
    assert vertices[:, 0].max() == pytest.approx(10.0)
    np.testing.assert_allclose(np.abs(vertices[:, 1]).max(), 0.15)
    # One bone per category plus one twig per cause.
    assert len(ax.lines) == 4 + 4
    assert not ax.axison


def test_draws_on_a_given_axes():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert fishbone({"People": ["x"]}, ax=ax) is ax


def test_a_single_cause_string_is_one_cause():
    ax = fishbone({"People": "training gap"})
    assert "training gap" in _texts(ax)


def test_bad_arguments():
    with pytest.raises(TypeError, match="The 'causes' parameter of fishbone must be a mapping"):
        fishbone([("People", ["x"])])
    with pytest.raises(ValueError, match="The 'causes' parameter of fishbone is empty"):
        fishbone({})
    with pytest.raises(TypeError, match=r"Got 3 under category 'People'"):
        fishbone({"People": ["x", 3]})
    with pytest.raises(TypeError, match="The 'effect' parameter of fishbone must be a string"):
        fishbone({"People": ["x"]}, effect=None)


def test_input_is_not_modified():
    causes = {"People": ["a", "b"]}
    fishbone(causes)
    assert causes == {"People": ["a", "b"]}

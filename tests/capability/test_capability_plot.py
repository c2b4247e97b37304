"""The capability plot draws the result: its artists carry the result's numbers."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from capability_data import piston_frame
from scipy.integrate import trapezoid
from scipy.stats import norm

from qainsights.capability import capability


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_normal_plot_draws_specs_target_and_two_curves():
    result = capability(
        piston_frame(), value="diameter", subgroup="sample", lsl=73.95, usl=74.05, target=74.0
    )
    ax = result.plot()
    lines = _lines(ax)
    assert set(lines) == {"LSL", "USL", "target", "within", "overall"}
    assert lines["LSL"].get_xdata()[0] == 73.95
    assert lines["USL"].get_xdata()[0] == 74.05
    assert lines["target"].get_xdata()[0] == 74.0
    x, y = lines["within"].get_data()
    np.testing.assert_allclose(y, norm.pdf(x, result.center, result.sigma_within))
    x, y = lines["overall"].get_data()
    np.testing.assert_allclose(y, norm.pdf(x, result.center, result.sigma_overall))
    # Histogram on the density scale: bar areas sum to 1.
    areas = sum(patch.get_width() * patch.get_height() for patch in ax.patches)
    assert areas == pytest.approx(1.0)
    panel = ax.texts[0].get_text()
    assert "Cpk   1.66 [1.45, 1.88]" in panel
    assert "n = 125" in panel
    assert "stable" in panel


def test_plot_on_given_axes_and_lognormal_curve():
    values = np.random.default_rng(2).lognormal(1.0, 0.4, 300)
    result = capability(values, usl=12.0, method="lognormal", stability="ignore")
    _, ax = plt.subplots()
    assert result.plot(ax=ax) is ax
    lines = _lines(ax)
    assert set(lines) == {"USL", "lognormal"}
    x, y = lines["lognormal"].get_data()
    params = dict(result.fits[0][1].params)
    expected = norm.pdf(np.log(x), params["mean_log"], params["sigma_log"]) / x
    np.testing.assert_allclose(y, expected, rtol=1e-9)
    # The panel draws the bootstrap interval held by the result, and no undefined index.
    ppk = result.to_frame().set_index("index").loc["Ppk"]
    panel = ax.texts[0].get_text()
    assert f"Ppk {ppk['estimate']:6.2f} [{ppk['ci_low']:.2f}, {ppk['ci_high']:.2f}]" in panel
    assert "Cpk" not in panel


def test_box_cox_curve_integrates_to_one_on_the_original_scale():
    values = np.random.default_rng(4).lognormal(0.5, 0.3, 200)
    result = capability(values, lsl=0.5, usl=6.0, method="box-cox", stability="ignore")
    ax = result.plot()
    _x, y = _lines(ax)["overall"].get_data()
    # The back-transformed density (with the Jacobian x^(lambda - 1)) is a density on x.
    grid = np.linspace(1e-6, 40.0, 200_001)
    density = result.fits[1][1].pdf(grid)
    assert trapezoid(density, grid) == pytest.approx(1.0, abs=1e-4)
    assert (y >= 0).all()

"""capability(): bad inputs, edge cases, the stability gate and the result object."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from capability_data import piston_frame
from reference import spc

from qainsights.capability import CapabilityResult, capability

VALUES = [10.1, 9.9, 10.0, 10.2, 9.8, 10.0, 10.1, 9.9]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"capability needs at least one specification limit: pass lsl=, usl= or both"),
        (
            {"lsl": 11.0, "usl": 9.0},
            r"The 'lsl' parameter of capability must be below 'usl'\. Got lsl=11\.0 and usl=9\.0",
        ),
        ({"lsl": 10.0, "usl": 10.0}, r"The 'lsl' parameter of capability must be below 'usl'"),
        (
            {"usl": np.nan},
            r"The 'usl' parameter of capability must be a finite number or None\. Got nan",
        ),
        (
            {"usl": 11, "method": "lognorm"},
            r"The 'method' parameter of capability must be one of 'normal', 'box-cox', "
            r"'percentile', 'lognormal', 'weibull', 'auto'\. Got 'lognorm' instead\.",
        ),
        (
            {"usl": 11, "within": "rbar"},
            r"The 'within' parameter of capability must be one of 'moving_range'\. Got 'rbar'",
        ),
        ({"usl": 11, "ci": 1.5}, r"The 'ci' parameter of capability must be a confidence level"),
        (
            {"usl": 11, "stability": "raise"},
            r"The 'stability' parameter of capability must be one of 'warn', 'ignore'\.",
        ),
        (
            {"usl": 11, "normality": "off"},
            r"The 'normality' parameter of capability must be one of 'warn', 'ignore'\. "
            r"Got 'off' instead\.",
        ),
        (
            {"usl": 11, "sigma_within": 0.0},
            r"The 'sigma_within' parameter of capability must be a positive number\. Got 0\.0",
        ),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        capability(VALUES, **kwargs)


def test_zero_variance():
    with pytest.raises(
        ValueError, match=r"capability needs values that vary: all 5 values equal 3\.0"
    ):
        capability([3.0] * 5, usl=4.0)


def test_too_few_values():
    with pytest.raises(ValueError, match=r"capability needs at least 2 values .* Got 1\."):
        capability([3.0], usl=4.0)


def test_missing_values_are_reported_not_dropped():
    with pytest.raises(
        ValueError,
        match=r"capability found 2 missing or non-numeric value\(s\), at position\(s\) 1, 3\. "
        r"Capability needs every value",
    ):
        capability([1.0, np.nan, 2.0, np.nan, 3.0], usl=4.0)


def test_frame_arguments():
    frame = pd.DataFrame({"x": VALUES, "g": [1, 1, 2, 2, 3, 3, 4, np.nan]})
    with pytest.raises(ValueError, match=r"capability needs the 'value' parameter when 'data' is"):
        capability(frame, usl=11)
    with pytest.raises(ValueError, match=r"capability needs column 'y' in 'data', which has"):
        capability(frame, value="y", usl=11)
    with pytest.raises(
        ValueError,
        match=r"capability found 1 row\(s\) without a subgroup label, at position\(s\) 7",
    ):
        capability(frame, value="x", subgroup="g", usl=11)
    with pytest.raises(ValueError, match=r"The 'value' and 'subgroup' parameters of capability"):
        capability(VALUES, value="x", usl=11)
    with pytest.raises(ValueError, match=r"capability needs a 1-D array of values or a DataFrame"):
        capability(np.ones((2, 3)), usl=11)


def test_subgroups_of_one_value():
    frame = pd.DataFrame({"x": VALUES, "g": range(8)})
    with pytest.raises(
        ValueError,
        match=r"capability cannot estimate the within-subgroup sigma with within='rbar': every "
        r"subgroup has a single value",
    ):
        capability(frame, value="x", subgroup="g", usl=11)


def test_zero_within_sigma_gives_nan_within_indices_with_warning():
    frame = pd.DataFrame({"x": [1.0, 1.0, 2.0, 2.0, 1.5, 1.5], "g": [1, 1, 2, 2, 3, 3]})
    with pytest.warns(UserWarning, match=r"the within-subgroup sigma is 0") as record:
        result = capability(frame, value="x", subgroup="g", lsl=0.0, usl=3.0, stability="ignore")
    assert len(record) == 1
    rows = result.to_frame().set_index("index")
    assert rows.loc[["Cp", "Cpk"], "estimate"].isna().all()
    assert rows.loc["Cp", "method"] == "undefined: within-subgroup sigma is 0"
    # Overall: mean 1.5, squared deviations 4 x 0.25, sample variance 1 / 5; Pp = 3 / (6 sqrt(0.2)).
    assert result.pp == pytest.approx(3 / (6 * np.sqrt(0.2)))


def test_stability_gate_warns_and_reports_subgroups():
    frame = piston_frame()
    shifted = frame.assign(diameter=frame["diameter"] + np.where(frame["sample"] == 7, 0.02, 0.0))
    with pytest.warns(
        UserWarning,
        match=r"capability: the process is not in statistical control: 1 subgroup mean\(s\) "
        r"beyond the 3-sigma limits \(7\)",
    ):
        result = capability(shifted, value="diameter", subgroup="sample", lsl=73.9, usl=74.1)
    assert not result.stable
    assert result.out_of_control == (7,)
    quiet = capability(
        shifted, value="diameter", subgroup="sample", lsl=73.9, usl=74.1, stability="ignore"
    )
    assert not quiet.stable


def test_out_of_control_subgroups_keep_their_date_and_text_labels():
    # Same shifted piston rings as above, with the 25 samples labelled by week (sample k is
    # the week starting 2026-01-05 + (k - 1) weeks, so sample 7 is 2026-02-16) or by name.
    frame = piston_frame()
    shifted = frame.assign(diameter=frame["diameter"] + np.where(frame["sample"] == 7, 0.02, 0.0))
    weeks = shifted.assign(
        week=pd.Timestamp("2026-01-05") + pd.to_timedelta(7 * (frame["sample"] - 1), "D")
    )
    named = shifted.assign(batch="batch-" + frame["sample"].astype(str))
    for data, column, label in (
        (weeks, "week", pd.Timestamp("2026-02-16")),
        (named, "batch", "batch-7"),
    ):
        result = capability(
            data, value="diameter", subgroup=column, lsl=73.9, usl=74.1, stability="ignore"
        )
        assert result.out_of_control == (label,)
        assert type(result.out_of_control[0]) is type(label)


def test_stability_limits_are_the_xbar_chart_limits():
    # qcc xbar chart for piston rings phase I (spc.md 3.2 A): spc.PISTON_CENTER and
    # spc.PISTON_XBAR_LIMITS["UWAVE-R"] (UCL 74.0143) with sigma R-bar/2.326. Move sample 1 up and
    # sample 2 down by the same amount (centre unchanged): a sample-1 mean of 74.0144 is beyond,
    # 74.0142 not.
    frame = piston_frame()
    means = frame.groupby("sample")["diameter"].mean()
    for mean, stable in ((74.0144, False), (74.0142, True)):
        step = mean - means[1]
        moved = frame.assign(
            diameter=frame["diameter"]
            + np.select([frame["sample"] == 1, frame["sample"] == 2], [step, -step], 0.0)
        )
        result = capability(
            moved,
            value="diameter",
            subgroup="sample",
            lsl=73.9,
            usl=74.1,
            sigma_within=spc.PISTON_R_BAR / spc.QCC_D2[5],
            stability="ignore",
        )
        assert result.center == pytest.approx(spc.PISTON_CENTER, abs=5e-6)
        assert result.stable is stable
        assert result.out_of_control == (() if stable else (1,))


def test_box_cox_without_a_usable_lambda():
    with pytest.raises(ValueError, match=r"method='box-cox' of capability found no usable lambda"):
        capability(piston_frame(), value="diameter", subgroup="sample", usl=74.05, method="box-cox")


def test_result_object():
    result = capability(piston_frame(), value="diameter", subgroup="sample", lsl=73.95, usl=74.05)
    assert isinstance(result, CapabilityResult)
    frame = result.to_frame()
    assert list(frame.columns) == ["index", "estimate", "ci_low", "ci_high", "method"]
    assert frame["estimate"].dtype == float
    assert frame["ci_low"].dtype == float
    frame.loc[0, "estimate"] = -1.0
    assert result.cp > 0  # to_frame returns a copy
    html = result._repr_html_()
    assert html.startswith("<h4>Process capability</h4>")
    assert "Cpk" in html
    assert result.n == 125
    assert result.n_subgroups == 25
    with pytest.raises(AttributeError):
        result.n = 3


def test_inputs_unchanged():
    frame = piston_frame()
    before = frame.copy()
    values = np.array(VALUES)
    capability(frame, value="diameter", subgroup="sample", lsl=73.95, usl=74.05, method="lognormal")
    capability(values, usl=11.0, method="weibull", stability="ignore")
    pd.testing.assert_frame_equal(frame, before)
    np.testing.assert_array_equal(values, VALUES)

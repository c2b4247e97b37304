"""capability() against qcc 3.0 outputs and Montgomery's examples (tests/reference/capability.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from capability_data import piston_frame, qcc_grouped_frame
from scipy.stats import chi2, ncx2

from qainsights.capability import capability

# qcc's xbar sigma uses its 3-decimal d2 table: R-bar / 2.326 for n = 5, R-bar / 2.059 for n = 4.
PISTON_QCC_SIGMA = 0.02276 / 2.326
QCC_FIXTURE_SIGMA = 0.05 / 2.059


def _piston(**options):
    return capability(piston_frame(), value="diameter", subgroup="sample", **options)


def _qcc(**options):
    return capability(
        qcc_grouped_frame(), value="x", subgroup="sample", sigma_within=QCC_FIXTURE_SIGMA, **options
    )


def _rows(result) -> pd.DataFrame:
    return result.to_frame().set_index("index")


def _check(
    frame: pd.DataFrame, expected: dict, *, rel: float, columns=("estimate", "ci_low", "ci_high")
):
    for name, values in expected.items():
        got = frame.loc[name, list(columns)].to_numpy(dtype=float)
        np.testing.assert_allclose(got, values, rtol=rel, err_msg=name)


# --- Piston rings, qcc 3.0 processCapability (capability.md §1) --------------------------------

PISTON_WIDE = {
    "Cp": (1.703281, 1.491411, 1.914826),
    "Cpk": (1.663219, 1.448129, 1.878310),
    "Pp": (1.655086, 1.449211, 1.860646),
    "Ppk": (1.616159, 1.406699, 1.825618),
}
# qcc's Cp_l/Cp_u intervals use z = qnorm(0.95): equal to qainsights' 90 % interval.
PISTON_WIDE_ONE_SIDED_90 = {
    "Cpl": (1.743342, 1.554765, 1.931919),
    "Cpu": (1.663219, 1.482710, 1.843729),
    "Ppl": (1.694014, 1.510407, 1.877621),
    "Ppu": (1.616159, 1.440375, 1.791943),
}
PISTON_TIGHT = {
    "Cp": (0.3406561, 0.2982822, 0.3829653),
    "Cpk": (0.3005950, 0.2312102, 0.3699797),
    "Pp": (0.3310173, 0.2898423, 0.3721293),
    "Ppk": (0.2920896, 0.2232699, 0.3609094),
}


def test_piston_rings_wide_specs_with_qcc_sigma():
    result = _piston(lsl=73.95, usl=74.05, target=74, sigma_within=PISTON_QCC_SIGMA)
    _check(_rows(result), PISTON_WIDE, rel=2e-6)
    _check(_rows(result), {"Cpm": (1.691111,), "Ppm": (1.643914,)}, rel=2e-6, columns=["estimate"])
    assert result.center == pytest.approx(74.00118, abs=5e-6)
    assert result.sigma_overall == pytest.approx(0.01006997, rel=1e-6)
    assert result.stable


def test_piston_rings_one_sided_intervals_equal_qcc_at_90_percent():
    result = _piston(lsl=73.95, usl=74.05, sigma_within=PISTON_QCC_SIGMA, ci=0.90)
    _check(_rows(result), PISTON_WIDE_ONE_SIDED_90, rel=2e-6)


def test_piston_rings_exact_d2_estimate():
    # Estimated here with the exact d2(5) = 2.325929 (qcc: 2.326): sigma 0.009785338, so the
    # within indices match qcc's to about 3e-5 and the overall ones exactly.
    result = _piston(lsl=73.95, usl=74.05, target=74)
    assert result.sigma_within == pytest.approx(0.009785338, rel=1e-6)
    assert result.sigma_method == "R-bar/d2"
    _check(_rows(result), PISTON_WIDE, rel=1e-4)


def test_piston_rings_tight_specs_and_ppm():
    result = _piston(lsl=73.99, usl=74.01, target=74, sigma_within=PISTON_QCC_SIGMA)
    _check(_rows(result), PISTON_TIGHT, rel=2e-6)
    assert result.cpm == pytest.approx(0.3382222, rel=2e-6)
    ppm = result.out_of_spec.set_index("source")
    # qcc: expected 12.66955 % below and 18.35856 % above (within sigma); observed 12 % and 16 %.
    assert ppm.loc["expected within", "below_lsl"] == pytest.approx(126695.5, rel=1e-6)
    assert ppm.loc["expected within", "above_usl"] == pytest.approx(183585.6, rel=1e-6)
    assert ppm.loc["observed", "below_lsl"] == pytest.approx(120000.0)
    assert ppm.loc["observed", "above_usl"] == pytest.approx(160000.0)


def test_piston_rings_sigma_estimators_match_qcc_table():
    # Montgomery Table 6.3 data, qcc std.dev methods (capability.md §1):
    # UWAVE-SD (s-bar/c4) 0.009829977, RMSDF (pooled) 0.009887547.
    frame = piston_frame()
    sbar = capability(
        frame, value="diameter", subgroup="sample", lsl=73.95, usl=74.05, within="sbar"
    )
    pooled = capability(
        frame, value="diameter", subgroup="sample", lsl=73.95, usl=74.05, within="pooled"
    )
    assert sbar.sigma_within == pytest.approx(0.009829977, rel=1e-6)
    assert pooled.sigma_within == pytest.approx(0.009887547, rel=1e-6)
    assert (sbar.sigma_method, pooled.sigma_method) == ("s-bar/c4", "pooled SD/c4")


def test_cpm_interval_uses_boyles_degrees_of_freedom():
    # Derivation: n * tau_hat^2 / sigma^2 = sum((x - T)^2) / sigma^2 is noncentral chi-square with
    # n df and noncentrality n * delta^2. Matching its first two moments to c * chi2(nu) (Patnaik)
    # gives nu = 2 * mean^2 / var; then Cpm_hat * sqrt(chi2_q(nu) / nu) bounds Cpm.
    result = _piston(lsl=73.95, usl=74.05, target=74, sigma_within=PISTON_QCC_SIGMA)
    n = 125
    for name, sigma in (("Cpm", PISTON_QCC_SIGMA), ("Ppm", result.sigma_overall)):
        delta = (result.center - 74) / sigma
        mean, var = ncx2.stats(n, n * delta**2, moments="mv")
        nu = 2 * mean**2 / var
        estimate = _rows(result).loc[name, "estimate"]
        expected = estimate * np.sqrt(chi2.ppf([0.025, 0.975], nu) / nu)
        np.testing.assert_allclose(
            _rows(result).loc[name, ["ci_low", "ci_high"]].to_numpy(dtype=float),
            expected,
            rtol=1e-9,
        )
    # qcc 3.0 (df = n(1 + d^2)/(1 + 2 d^2)) prints Cpm bounds 1.480113 and 1.901786: the choice of
    # degrees of freedom moves them by less than 0.2 % here.
    np.testing.assert_allclose(
        _rows(result).loc["Cpm", ["ci_low", "ci_high"]].to_numpy(dtype=float),
        [1.480113, 1.901786],
        rtol=2e-3,
    )


# --- qcc 3.0 test-capability.R fixture (capability.md §2) ------------------------------------

QCC_COMMON = {
    "Cp": (1.372667, 0.808460, 1.937713),
    "Cpk": (1.304033, 0.727408, 1.880659),
    "Pp": (1.612598, 0.949773, 2.276410),
    "Ppk": (1.531968, 0.864608, 2.199329),
}
QCC_ONE_SIDED_90 = {
    "Cpl": (1.441300, 0.911657, 1.970943),
    "Cpu": (1.304033, 0.820114, 1.787953),
    "Ppl": (1.693228, 1.078708, 2.307749),
    "Ppu": (1.531968, 0.971902, 2.092035),
}


@pytest.mark.parametrize(
    ("target", "cpm", "ppm"), [(10.0, 1.344463, 1.567395), (10.02, 1.167834, 1.305161)]
)
def test_qcc_fixture_two_sided(target, cpm, ppm):
    result = _qcc(lsl=9.9, usl=10.1, target=target)
    _check(_rows(result), QCC_COMMON, rel=1e-6)
    assert (result.cpm, result.ppm) == pytest.approx((cpm, ppm), rel=1e-6)
    ninety = _qcc(lsl=9.9, usl=10.1, ci=0.9)
    _check(_rows(ninety), QCC_ONE_SIDED_90, rel=1e-6)


def test_qcc_fixture_one_sided():
    upper = _qcc(usl=10.1, target=10.02)
    _check(_rows(upper), {"Cpk": QCC_COMMON["Cpk"], "Ppk": QCC_COMMON["Ppk"]}, rel=1e-6)
    lower = _qcc(lsl=9.9)
    _check(
        _rows(lower),
        {"Cpk": (1.441300, 0.810191, 2.072409), "Ppk": (1.693228, 0.960982, 2.425474)},
        rel=1e-6,
    )
    # One-sided specifications: Cp, Pp, Cpm and Ppm are undefined and say why.
    rows = _rows(upper)
    assert rows.loc[["Cp", "Pp", "Cpm", "Ppm", "Cpl", "Ppl"], "estimate"].isna().all()
    assert rows.loc["Cp", "method"] == "undefined: needs both LSL and USL"
    assert rows.loc["Cpl", "method"] == "undefined: needs an LSL"
    assert upper.cpk == upper.cpu


# --- Montgomery's interval examples (capability.md §3) ---------------------------------------


def _with_mean_and_sd(n: int, mean: float, sd: float) -> np.ndarray:
    """Return n values with exactly the given mean and sample SD (a linear map of 0..n-1)."""
    base = np.arange(n, dtype=float)
    return mean + sd * (base - base.mean()) / base.std(ddof=1)


def test_montgomery_cp_interval():
    # USL 62, LSL 38, n = 20, s = 1.75 -> Cp = 2.29 with 95 % interval 1.57 to 3.01 (Pp here:
    # the example uses the sample SD).
    result = capability(_with_mean_and_sd(20, 50.0, 1.75), lsl=38, usl=62, stability="ignore")
    row = _rows(result).loc["Pp"]
    assert row["estimate"] == pytest.approx(2.29, abs=0.005)
    # Montgomery multiplies the rounded 2.29 (not 2.2857) by sqrt(8.91 / 19), hence 1.57 vs 1.565.
    assert row["ci_low"] == pytest.approx(1.57, abs=0.006)
    assert row["ci_high"] == pytest.approx(3.01, abs=0.006)


def test_montgomery_cpk_interval():
    # n = 20, Cpk = 1.33 -> Bissell 95 % interval 0.88 to 1.78. Build a process with Ppk = 1.33:
    # mean 50, s = 1, USL = 50 + 3 * 1.33, LSL far away.
    result = capability(
        _with_mean_and_sd(20, 50.0, 1.0), lsl=40, usl=50 + 3 * 1.33, stability="ignore"
    )
    row = _rows(result).loc["Ppk"]
    assert row["estimate"] == pytest.approx(1.33)
    assert row["ci_low"] == pytest.approx(0.88, abs=0.005)
    assert row["ci_high"] == pytest.approx(1.78, abs=0.005)


@pytest.mark.parametrize(
    ("cp", "ppm"),
    # Centred process, two-sided ppm out of spec = 2e6 * Phi(-3 Cp) (capability.md §4).
    [(0.5, 133614.4), (1.0, 2699.796), (4 / 3, 63.34248), (1.5, 6.795346), (2.0, 0.001973175)],
)
def test_expected_ppm_is_not_truncated(cp, ppm):
    values = _with_mean_and_sd(30, 0.0, 1.0)
    result = capability(values, lsl=-3 * cp, usl=3 * cp, stability="ignore")
    overall = result.out_of_spec.set_index("source").loc["expected overall"]
    assert overall["total"] == pytest.approx(ppm, rel=1e-6)
    assert result.pp == pytest.approx(cp)


def test_textbook_rounding_and_later_edition_data():
    # Montgomery: Cp = 0.10 / (6 x 0.0099) = 1.68 with the rounded sigma R-bar/d2 = 0.023/2.326.
    assert _piston(lsl=73.95, usl=74.05, sigma_within=0.0099).cp == pytest.approx(1.68, abs=0.005)
    # Later editions (qicharts2 tbl_06.03) have 73.982 and 74.015 in sample 21: R-bar = 0.02324
    # and qcc's Cp = 1.668101 (sigma 0.009991402 with d2 = 2.326); exact d2 moves it by 3e-5.
    frame = piston_frame()
    sample_21 = frame.index[frame["sample"] == 21]
    frame.loc[sample_21[[0, 2]], "diameter"] = [73.982, 74.015]
    result = capability(frame, value="diameter", subgroup="sample", lsl=73.95, usl=74.05)
    assert result.sigma_within * 2.325929 == pytest.approx(0.02324, rel=1e-6)
    assert result.cp == pytest.approx(1.668101, rel=1e-4)

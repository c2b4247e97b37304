"""capability() against qcc 3.0 outputs and Montgomery's examples (tests/reference/capability.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from capability_data import piston_frame, qcc_grouped_frame
from reference import capability as ref
from reference import spc
from scipy.stats import chi2, ncx2

from qainsights.capability import capability

# qcc's xbar sigma uses its 3-decimal d2 table: R-bar / 2.326 for n = 5, R-bar / 2.059 for n = 4.
PISTON_QCC_SIGMA = spc.PISTON_R_BAR / spc.QCC_D2[5]
QCC_FIXTURE_SIGMA = ref.QCC_FIXTURE_R_BAR / spc.QCC_D2[4]
WIDE = ref.PISTON_WIDE_SPECS  # qcc's two specifications (capability.md §1)
TIGHT = ref.PISTON_TIGHT_SPECS
D2_EXACT_5 = dict(zip(spc.CHART_CONSTANT_COLUMNS, spc.CHART_CONSTANTS[5], strict=True))["d2"]


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


def _select(table: dict, *names: str) -> dict:
    return {name: table[name] for name in names}


PISTON_WIDE = _select(ref.PISTON_WIDE, "Cp", "Cpk", "Pp", "Ppk")
# qcc's Cp_l/Cp_u intervals use z = qnorm(0.95): equal to qainsights' 90 % interval.
PISTON_WIDE_ONE_SIDED_90 = _select(ref.PISTON_WIDE, "Cpl", "Cpu", "Ppl", "Ppu")
PISTON_TIGHT = _select(ref.PISTON_TIGHT, "Cp", "Cpk", "Pp", "Ppk")


def test_piston_rings_wide_specs_with_qcc_sigma():
    result = _piston(**WIDE, target=74, sigma_within=PISTON_QCC_SIGMA)
    _check(_rows(result), PISTON_WIDE, rel=2e-6)
    estimates = {name: ref.PISTON_WIDE[name][:1] for name in ("Cpm", "Ppm")}
    _check(_rows(result), estimates, rel=2e-6, columns=["estimate"])
    assert result.center == pytest.approx(spc.PISTON_CENTER, abs=5e-6)
    assert result.sigma_overall == pytest.approx(spc.PISTON_SIGMA_OVERALL, rel=1e-6)
    assert result.stable


def test_piston_rings_one_sided_intervals_equal_qcc_at_90_percent():
    result = _piston(**WIDE, sigma_within=PISTON_QCC_SIGMA, ci=0.90)
    _check(_rows(result), PISTON_WIDE_ONE_SIDED_90, rel=2e-6)


def test_piston_rings_exact_d2_estimate():
    # Estimated here with the exact d2(5) (qcc: 2.326), so the within indices match qcc's to
    # about 3e-5 and the overall ones exactly.
    result = _piston(**WIDE, target=74)
    assert result.sigma_within == pytest.approx(spc.PISTON_SIGMA_WITHIN_EXACT_D2, rel=1e-6)
    assert result.sigma_method == "R-bar/d2"
    _check(_rows(result), PISTON_WIDE, rel=1e-4)


def test_piston_rings_tight_specs_and_ppm():
    result = _piston(**TIGHT, target=74, sigma_within=PISTON_QCC_SIGMA)
    _check(_rows(result), PISTON_TIGHT, rel=2e-6)
    assert result.cpm == pytest.approx(ref.PISTON_TIGHT["Cpm"][0], rel=2e-6)
    ppm = result.out_of_spec.set_index("source")
    # qcc: % below and above, expected (within sigma) and observed; 1 % = 10,000 ppm.
    for source, percent in ref.PISTON_TIGHT_PERCENT_OUT.items():
        for side, value in percent.items():
            assert ppm.loc[source, side] == pytest.approx(value * 1e4, rel=1e-6)


def test_piston_rings_sigma_estimators_match_qcc_table():
    # Montgomery Table 6.3 data, qcc std.dev methods (capability.md §1): UWAVE-SD (s-bar/c4),
    # RMSDF (pooled).
    frame = piston_frame()
    sbar = capability(frame, value="diameter", subgroup="sample", **WIDE, within="sbar")
    pooled = capability(frame, value="diameter", subgroup="sample", **WIDE, within="pooled")
    assert sbar.sigma_within == pytest.approx(spc.PISTON_SIGMA["UWAVE-SD"], rel=1e-6)
    assert pooled.sigma_within == pytest.approx(spc.PISTON_SIGMA["RMSDF"], rel=1e-6)
    assert (sbar.sigma_method, pooled.sigma_method) == ("s-bar/c4", "pooled SD/c4")


def test_cpm_interval_uses_boyles_degrees_of_freedom():
    # Derivation: n * tau_hat^2 / sigma^2 = sum((x - T)^2) / sigma^2 is noncentral chi-square with
    # n df and noncentrality n * delta^2. Matching its first two moments to c * chi2(nu) (Patnaik)
    # gives nu = 2 * mean^2 / var; then Cpm_hat * sqrt(chi2_q(nu) / nu) bounds Cpm.
    result = _piston(**WIDE, target=74, sigma_within=PISTON_QCC_SIGMA)
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
    # qcc 3.0 (df = n(1 + d^2)/(1 + 2 d^2)) prints other Cpm bounds: the choice of degrees of
    # freedom moves them by less than 0.2 % here.
    np.testing.assert_allclose(
        _rows(result).loc["Cpm", ["ci_low", "ci_high"]].to_numpy(dtype=float),
        ref.PISTON_WIDE["Cpm"][1:],
        rtol=2e-3,
    )


# --- qcc 3.0 test-capability.R fixture (capability.md §2) ------------------------------------

QCC_COMMON = _select(ref.QCC_FIXTURE, "Cp", "Cpk", "Pp", "Ppk")
QCC_ONE_SIDED_90 = _select(ref.QCC_FIXTURE, "Cpl", "Cpu", "Ppl", "Ppu")


@pytest.mark.parametrize("target", list(ref.QCC_FIXTURE_TARGETED))
def test_qcc_fixture_two_sided(target):
    cpm, ppm = (ref.QCC_FIXTURE_TARGETED[target][name][0] for name in ("Cpm", "Ppm"))
    result = _qcc(lsl=9.9, usl=10.1, target=target)
    _check(_rows(result), QCC_COMMON, rel=1e-6)
    assert (result.cpm, result.ppm) == pytest.approx((cpm, ppm), rel=1e-6)
    ninety = _qcc(lsl=9.9, usl=10.1, ci=0.9)
    _check(_rows(ninety), QCC_ONE_SIDED_90, rel=1e-6)


def test_qcc_fixture_one_sided():
    upper = _qcc(usl=10.1, target=10.02)
    _check(_rows(upper), {"Cpk": QCC_COMMON["Cpk"], "Ppk": QCC_COMMON["Ppk"]}, rel=1e-6)
    lower = _qcc(lsl=9.9)
    _check(_rows(lower), ref.QCC_FIXTURE_LOWER_ONLY, rel=1e-6)
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
    # USL 62, LSL 38, n = 20, s = 1.75 -> Cp and its 95 % interval (Pp here: the example uses the
    # sample SD).
    example = ref.MONTGOMERY_CP_EXAMPLE
    values = _with_mean_and_sd(example["n"], 50.0, example["s"])
    result = capability(values, lsl=example["lsl"], usl=example["usl"], stability="ignore")
    row = _rows(result).loc["Pp"]
    assert row["estimate"] == pytest.approx(example["cp"], abs=0.005)
    # Montgomery multiplies the rounded 2.29 (not 2.2857) by sqrt(8.91 / 19), hence 1.57 vs 1.565.
    assert row["ci_low"] == pytest.approx(example["ci"][0], abs=0.006)
    assert row["ci_high"] == pytest.approx(example["ci"][1], abs=0.006)


def test_montgomery_cpk_interval():
    # n = 20, Cpk = 1.33 -> Bissell 95 % interval. Build a process with Ppk = 1.33:
    # mean 50, s = 1, USL = 50 + 3 * 1.33, LSL far away.
    example = ref.MONTGOMERY_CPK_EXAMPLE
    result = capability(
        _with_mean_and_sd(example["n"], 50.0, 1.0),
        lsl=40,
        usl=50 + 3 * example["cpk"],
        stability="ignore",
    )
    row = _rows(result).loc["Ppk"]
    assert row["estimate"] == pytest.approx(example["cpk"])
    assert row["ci_low"] == pytest.approx(example["ci"][0], abs=0.005)
    assert row["ci_high"] == pytest.approx(example["ci"][1], abs=0.005)


# Centred process, two-sided ppm out of spec = 2e6 * Phi(-3 Cp) (capability.md §4).
@pytest.mark.parametrize(("cp", "ppm"), list(ref.CENTRED_PPM.items()))
def test_expected_ppm_is_not_truncated(cp, ppm):
    values = _with_mean_and_sd(30, 0.0, 1.0)
    result = capability(values, lsl=-3 * cp, usl=3 * cp, stability="ignore")
    overall = result.out_of_spec.set_index("source").loc["expected overall"]
    assert overall["total"] == pytest.approx(ppm, rel=1e-6)
    assert result.pp == pytest.approx(cp)


def test_textbook_rounding_and_later_edition_data():
    # Montgomery: Cp = 0.10 / (6 x 0.0099) = 1.68 with the rounded sigma R-bar/d2 = 0.023/2.326.
    rounded = ref.MONTGOMERY_ROUNDED
    cp = _piston(**WIDE, sigma_within=rounded["sigma"]).cp
    assert cp == pytest.approx(rounded["cp"], abs=0.005)
    # Later editions (qicharts2 tbl_06.03) have 73.982 and 74.015 in sample 21: qcc's R-bar and
    # Cp (sigma with d2 = 2.326); exact d2 moves it by 3e-5.
    frame = piston_frame()
    sample_21 = frame.index[frame["sample"] == 21]
    frame.loc[sample_21[[0, 2]], "diameter"] = [73.982, 74.015]
    result = capability(frame, value="diameter", subgroup="sample", **WIDE)
    r_bar = spc.PISTON_LATER_EDITION["r_bar"]
    assert result.sigma_within * D2_EXACT_5 == pytest.approx(r_bar, rel=1e-6)
    assert result.cp == pytest.approx(ref.LATER_EDITION_CP_QCC, rel=1e-4)

"""Agreement per group and group comparisons."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from reference import agreement as ref
from reference.agreement_data import FLEISS_1971, IRRCAC_RAW4RATERS
from scipy import stats

from qainsights.agreement import (
    SkewedSessionWarning,
    agreement_by,
    brennan_prediger,
    compare_agreement,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
)

COLUMNS = {"item": "item", "rater": "rater", "label": "label"}


def long_of(wide: np.ndarray, session: str) -> pd.DataFrame:
    frame = pd.DataFrame(wide, columns=[f"r{j}" for j in range(wide.shape[1])])
    frame = frame.rename_axis("item").reset_index()  # item ids 0.. reused across sessions
    frame = frame.melt(id_vars="item", var_name="rater", value_name="label").dropna()
    return frame.assign(session=session)


TWO_SESSIONS = pd.concat(
    [long_of(IRRCAC_RAW4RATERS, "s1"), long_of(FLEISS_1971.astype(float), "s2")],
    ignore_index=True,
)


# irrCAC on cac.raw4raters (K1) and on Fleiss (1971) (K2): (estimate, SE)
REFERENCE = {
    "gwet_ac": (ref.K1_IRRCAC["gwet_ac"], ref.K2_OTHER["gwet_ac"]),
    "fleiss_kappa": (ref.K1_IRRCAC["fleiss_kappa"], ref.K2_FLEISS),
    "brennan_prediger": (ref.K1_IRRCAC["brennan_prediger"], ref.K2_OTHER["brennan_prediger"]),
    "percent_agreement": (ref.K1_IRRCAC["percent_agreement"], (ref.K2_FLEISS.pa, None)),
    "krippendorff_alpha": (
        (ref.K1_ALPHA["nominal"], None),
        (ref.K2_OTHER["krippendorff_alpha"].estimate, None),
    ),
}


def estimate_and_se(value):
    return value if isinstance(value, tuple) else (value.estimate, value.se)


@pytest.mark.parametrize("coefficient", list(REFERENCE))
def test_groups_match_reference_values(coefficient):
    s1, s2 = (estimate_and_se(value) for value in REFERENCE[coefficient])
    table = agreement_by(TWO_SESSIONS, by="session", **COLUMNS, coefficient=coefficient)
    assert table["session"].tolist() == ["s1", "s2"]
    for row, (estimate, se) in zip(table.itertuples(), [s1, s2], strict=True):
        assert row.estimate == pytest.approx(estimate, abs=5e-6)
        if se is not None:
            assert row.se == pytest.approx(se, abs=5e-5)
    assert table["n_raters"].tolist() == [4, 6]


FUNCTIONS = {
    "gwet_ac": gwet_ac,
    "fleiss_kappa": fleiss_kappa,
    "brennan_prediger": brennan_prediger,
    "percent_agreement": percent_agreement,
}


@pytest.mark.parametrize("coefficient", sorted(FUNCTIONS))
@pytest.mark.parametrize("weights", [None, "quadratic"])
def test_groups_equal_the_single_coefficient_per_group(coefficient, weights):
    table = agreement_by(
        TWO_SESSIONS, by="session", **COLUMNS, coefficient=coefficient, weights=weights
    )
    for row in table.itertuples():
        part = TWO_SESSIONS[TWO_SESSIONS["session"] == row.session]
        single = FUNCTIONS[coefficient](part, **COLUMNS, weights=weights)
        assert row.estimate == pytest.approx(single.estimate, abs=1e-12)
        assert row.se == pytest.approx(single.se, abs=1e-12)
        assert (row.ci_low, row.ci_high, row.p_value) == pytest.approx(
            (single.ci_low, single.ci_high, single.p_value), abs=1e-12
        )
        assert (row.pa, row.pe, row.n_items) == pytest.approx(
            (single.pa, single.pe, single.n_items), abs=1e-12
        )


@pytest.mark.parametrize("coefficient", ["fleiss_kappa", "krippendorff_alpha", "gwet_ac"])
def test_groups_carry_the_single_coefficients_note(coefficient):
    # 12 items x 3 raters: "ok" on 11 items, one item with two "spam" ratings (35 of 36
    # ratings are "ok": skewed, 1 item agreeing on another category, named); beside it the
    # K1 session (not named)
    skewed = np.full((12, 3), "ok", dtype=object)
    skewed[0, :2] = "spam"
    sessions = pd.concat(
        [long_of(skewed, "thin"), long_of(IRRCAC_RAW4RATERS, "k1")], ignore_index=True
    )
    kappa_type = coefficient != "gwet_ac"
    with (
        pytest.warns(SkewedSessionWarning, match=r"agreement_by: in 1 group\(s\) \('thin'\)")
        if (kappa_type)
        else warnings.catch_warnings()
    ):
        table = agreement_by(
            sessions, by="session", **COLUMNS, coefficient=coefficient, method="analytic"
        )
    notes = table.set_index("session")["note"]
    for session in ("thin", "k1"):
        part = sessions[sessions["session"] == session]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkewedSessionWarning)
            single = {**FUNCTIONS, "krippendorff_alpha": krippendorff_alpha}[coefficient](
                part, **COLUMNS, method="analytic"
            )
        assert notes[session] == single.note
    expected = (
        "94% of ratings are 'ok' and 1 item has two or more ratings agreeing on another category"
    )
    assert notes["thin"] == (expected if kappa_type else "")
    assert notes["k1"] == ""


@pytest.mark.parametrize("level", ["nominal", "interval"])
def test_groups_alpha_equals_single_alpha(level):
    table = agreement_by(
        TWO_SESSIONS, by="session", **COLUMNS, coefficient="krippendorff_alpha", level=level
    )
    for row in table.itertuples():
        part = TWO_SESSIONS[TWO_SESSIONS["session"] == row.session]
        single = krippendorff_alpha(part, **COLUMNS, level=level)
        assert (row.estimate, row.se) == pytest.approx((single.estimate, single.se), abs=1e-12)


def test_compare_two_sessions():
    table = compare_agreement(TWO_SESSIONS, by="session", **COLUMNS)
    row = table.iloc[0]
    # irrCAC AC1: s2 (K2) minus s1 (K1); t on the Welch-Satterthwaite combination of the two
    # sessions' effective degrees of freedom (each session's own, tested with its interval)
    s1, s2 = ref.K1_IRRCAC["gwet_ac"], ref.K2_OTHER["gwet_ac"]
    se = np.hypot(s2.se, s1.se)
    difference = s2.estimate - s1.estimate
    sessions = agreement_by(TWO_SESSIONS, by="session", **COLUMNS).set_index("session")
    df = se**4 / (s2.se**4 / sessions.loc["s2", "df"] + s1.se**4 / sessions.loc["s1", "df"])
    assert row["session"] == "s2"
    assert row["difference"] == pytest.approx(difference, abs=1e-5)
    assert row["se"] == pytest.approx(se, abs=1e-5)
    assert row["df"] == pytest.approx(df, rel=1e-4)
    assert row["ci_low"] == pytest.approx(difference - stats.t.ppf(0.975, df) * se, abs=1e-4)
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(difference) / se, df), rel=1e-3)
    assert row["p_adjusted"] == pytest.approx(row["p_value"])


def test_compare_many_groups_adjusts_for_multiple_testing():
    frames = [long_of(FLEISS_1971.astype(float), f"{s}-{k}") for k, s in enumerate("abcd")]
    rng = np.random.default_rng(0)
    frames = [
        f.assign(label=np.where(rng.random(len(f)) < 0.1 * k, 1.0, f["label"]))
        for k, f in enumerate(frames)
    ]
    data = pd.concat(frames, ignore_index=True)
    table = compare_agreement(data, by="session", **COLUMNS, baseline="a-0")
    p = table["p_value"].to_numpy()
    # Benjamini-Hochberg by hand: sorted p * m / rank, then the running minimum from the top
    order = np.argsort(p)
    scaled = p[order] * len(p) / np.arange(1, len(p) + 1)
    adjusted = np.empty(len(p))
    adjusted[order] = np.minimum.accumulate(scaled[::-1])[::-1].clip(max=1)
    assert table["p_adjusted"].to_numpy() == pytest.approx(adjusted)
    assert len(table) == 3


def test_group_errors_and_warnings():
    with pytest.raises(ValueError, match=re.escape("agreement_by needs column 'site' in 'data'")):
        agreement_by(TWO_SESSIONS, by="site", **COLUMNS)
    gaps = TWO_SESSIONS.copy()
    gaps.loc[0, "session"] = None
    with pytest.raises(ValueError, match=r"agreement_by found 1 row\(s\) with a missing group"):
        agreement_by(gaps, by="session", **COLUMNS)
    with pytest.raises(ValueError, match="The 'coefficient' parameter of agreement_by must be"):
        agreement_by(TWO_SESSIONS, by="session", **COLUMNS, coefficient="cohen_kappa")
    with pytest.raises(ValueError, match="The 'by' parameter of agreement_by must name"):
        agreement_by(TWO_SESSIONS, by=[], **COLUMNS)
    with pytest.raises(
        ValueError,
        match=re.escape("The 'baseline' parameter of compare_agreement must be one of the "
                        "groups ('s1',), ('s2',). Got 's3' instead."),
    ):  # fmt: skip
        compare_agreement(TWO_SESSIONS, by="session", **COLUMNS, baseline="s3")
    one = TWO_SESSIONS[TWO_SESSIONS["session"] == "s1"]
    with pytest.raises(ValueError, match="compare_agreement needs at least two groups"):
        compare_agreement(one, by="session", **COLUMNS)
    flat = pd.concat([TWO_SESSIONS, long_of(np.ones((3, 2)), "s3")], ignore_index=True)
    with pytest.warns(UserWarning, match=r"1 group\(s\) have an undefined coefficient"):
        table = agreement_by(flat, by="session", **COLUMNS, coefficient="fleiss_kappa")
    assert np.isnan(table["estimate"].iloc[2])


def test_compare_notes_the_skewed_session_it_warns_of():
    # the skewed session of the test above (named by the rule) against K1 (not named), as
    # the baseline and as the group compared
    skewed = np.full((12, 3), "ok", dtype=object)
    skewed[0, :2] = "spam"
    sessions = pd.concat(
        [long_of(skewed, "thin"), long_of(IRRCAC_RAW4RATERS, "k1")], ignore_index=True
    )
    expected = (
        "thin: 94% of ratings are 'ok' and 1 item has two or more ratings agreeing on another "
        "category"
    )
    for baseline in ("k1", "thin"):
        with pytest.warns(SkewedSessionWarning, match=r"compare_agreement: in 1 group\(s\)"):
            table = compare_agreement(sessions, by="session", **COLUMNS, baseline=baseline,
                                      coefficient="fleiss_kappa")  # fmt: skip
        assert table["note"].tolist() == [expected]
    quiet = compare_agreement(sessions, by="session", **COLUMNS, coefficient="gwet_ac")
    assert quiet["note"].tolist() == [""]


def test_groups_leave_input_unchanged():
    copy = TWO_SESSIONS.copy()
    agreement_by(TWO_SESSIONS, by=["session"], **COLUMNS)
    compare_agreement(TWO_SESSIONS, by="session", **COLUMNS)
    pd.testing.assert_frame_equal(TWO_SESSIONS, copy)

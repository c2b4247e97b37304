"""Profile-likelihood intervals of kappa-type coefficients (``method="likelihood"``).

The expected bounds are derived here, independently of the library's search: for two
raters the multinomial of a yes/no session is parametrised in closed form (the category
share and kappa for Scott's pi; the two raters' shares and kappa for Cohen's kappa), the
profile log-likelihood is the maximum over a dense grid of the other parameters, and the
bounds are where the deviance reaches the square of Student's t on n - 1 degrees of freedom.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from qainsights.agreement import (
    SkewedSessionWarning,
    agreement_by,
    agreement_summary,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)

# the sessions here are skewed on purpose; the tests of the warning itself use pytest.warns
pytestmark = pytest.mark.filterwarnings("ignore::qainsights.agreement.SkewedSessionWarning")

GRID = np.linspace(1e-7, 1 - 1e-7, 200_001)


def _best(counts: np.ndarray) -> float:
    seen = counts > 0
    return float(counts[seen] @ np.log(counts[seen] / counts.sum()))


def _log_likelihood(counts: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Multinomial log-likelihood of ``counts`` for each column of cell probabilities."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(counts[:, None] > 0, counts[:, None] * np.log(cells), 0.0)
    return np.where((cells >= 0).all(axis=0), terms.sum(axis=0), -np.inf)


def scott_profile(counts: np.ndarray, kappa: float) -> float:
    """Cells (both yes, split, both no): pi**2 + pi (1 - pi) k, 2 pi (1 - pi)(1 - k), ..."""
    pi = GRID
    spread = pi * (1 - pi)
    cells = np.stack(
        [pi**2 + spread * kappa, 2 * spread * (1 - kappa), (1 - pi) ** 2 + spread * kappa]
    )
    return float(_log_likelihood(counts, cells).max())


def cohen_profile(counts: np.ndarray, kappa: float) -> float:
    """Cells (yes-yes, yes-no, no-yes, no-no) from the raters' yes shares r, c and kappa:
    p_a = kappa (1 - p_e) + p_e, p11 = (p_a + r + c - 1) / 2."""
    r, c = np.meshgrid(GRID[::200], GRID[::200])
    r, c = r.ravel(), c.ravel()
    chance = r * c + (1 - r) * (1 - c)
    agree = kappa * (1 - chance) + chance
    both = (agree + r + c - 1) / 2
    cells = np.stack([both, r - both, c - both, agree - both])
    return float(_log_likelihood(counts, cells).max())


def expected_interval(profile, counts, estimate, ci=0.95):
    target = stats.t.ppf(0.5 + ci / 2, counts.sum() - 1) ** 2
    best = _best(counts)

    def excess(kappa):
        return 2 * (best - profile(counts, kappa)) - target

    edges = []
    for edge in (-0.999, 0.999999):
        edges.append(optimize.brentq(excess, estimate, edge) if excess(edge) > 0 else np.sign(edge))
    return edges


def two_raters(table: np.ndarray) -> pd.DataFrame:
    """Long ratings of a 2 x 2 table (rows: first rater's yes/no, columns: second's)."""
    pairs = [(a, b) for a in (1, 0) for b in (1, 0)]
    first = np.repeat([a for a, _ in pairs], table.ravel())
    second = np.repeat([b for _, b in pairs], table.ravel())
    n = len(first)
    return pd.DataFrame({
        "item": np.tile(np.arange(n), 2),
        "rater": np.repeat(["a", "b"], n),
        "label": np.r_[first, second],
    })  # fmt: skip


TABLES = [
    np.array([[3, 1], [1, 25]]),  # a few agreed yes
    np.array([[0, 1], [1, 28]]),  # the rare category never agreed on
    np.array([[2, 0], [0, 28]]),  # no disagreement: the estimate is 1
    np.array([[0, 5], [2, 118]]),  # the kappa paradox of the summary's example
    np.array([[20, 5], [10, 15]]),  # balanced, Fleiss, Levin & Paik's table
]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: "-".join(map(str, t.ravel())))
def test_scott_pi_interval_is_the_two_parameter_profile(table):
    split = table[0, 1] + table[1, 0]
    counts = np.array([table[0, 0], split, table[1, 1]], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkewedSessionWarning)
        result = fleiss_kappa(two_raters(table), item="item", rater="rater", label="label",
                              method="likelihood")  # fmt: skip
    low, high = expected_interval(scott_profile, counts, result.estimate)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=2e-4)
    assert result.method == "likelihood"
    # named when fewer than 2 items agree on the rarer category (the first: "yes")
    assert (result.note != "") == (table[0, 0] < 2)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: "-".join(map(str, t.ravel())))
def test_cohen_kappa_interval_is_the_three_parameter_profile(table):
    counts = table.ravel().astype(float)
    result = cohen_kappa(table=table, method="likelihood")
    low, high = expected_interval(cohen_profile, counts, result.estimate)
    # the grid of the raters' shares has steps of 0.001: the profile is found to about 1e-3
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=3e-3)


def test_p_value_is_below_the_level_exactly_when_the_interval_leaves_zero_out():
    for table in TABLES:
        result = cohen_kappa(table=table, method="likelihood")
        outside = not (result.ci_low <= 0 <= result.ci_high)
        assert (result.p_value < 0.05) == outside


def test_interval_contains_the_estimate_and_stays_in_bounds():
    rng = np.random.default_rng(7)
    for _ in range(5):
        wide = rng.choice(3, size=(25, 3), p=[0.8, 0.15, 0.05])
        wide[:18] = wide[:18, :1]  # most items agreed
        for function in (fleiss_kappa, krippendorff_alpha):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SkewedSessionWarning)
                result = function(wide, method="likelihood")
            assert -1 <= result.ci_low <= result.estimate <= result.ci_high <= 1


def test_invariant_to_rater_order_and_category_names():
    wide = np.array([["ok"] * 3] * 20 + [["spam", "spam", "ok"], ["ok", "spam", "ok"]])
    first = fleiss_kappa(wide, method="likelihood")
    renamed = np.where(wide == "ok", "allow", "remove")[:, ::-1]
    second = fleiss_kappa(renamed, method="likelihood")
    assert (first.ci_low, first.ci_high) == pytest.approx((second.ci_low, second.ci_high), abs=1e-4)


def test_groups_give_each_session_its_single_interval():
    sessions = pd.concat(
        [two_raters(TABLES[0]).assign(session="s1"), two_raters(TABLES[4]).assign(session="s2")],
        ignore_index=True,
    )
    table = agreement_by(sessions, by="session", item="item", rater="rater", label="label",
                         coefficient="fleiss_kappa", method="likelihood")  # fmt: skip
    for row in table.itertuples():
        part = sessions[sessions["session"] == row.session]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkewedSessionWarning)
            single = fleiss_kappa(part, item="item", rater="rater", label="label",
                                  method="likelihood")  # fmt: skip
        assert (row.ci_low, row.ci_high) == pytest.approx((single.ci_low, single.ci_high), abs=1e-4)
        assert row.method == "likelihood"


# --- method="auto" (the default) ---------------------------------------------------------


@pytest.mark.parametrize("table", TABLES, ids=lambda t: "-".join(map(str, t.ravel())))
def test_auto_takes_the_likelihood_exactly_on_skewed_thin_sessions(table):
    # skewed: the more common category ("no") holds at least 70 % of the ratings (row +
    # column sums); thin: fewer than 10 items agree on the other ("yes": the first cell)
    margins = table.sum(axis=0) + table.sum(axis=1)
    chosen = "likelihood" if margins[1] / margins.sum() >= 0.7 and table[0, 0] < 10 else "analytic"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkewedSessionWarning)
        default = cohen_kappa(table=table)
        explicit = cohen_kappa(table=table, method=chosen)
    assert default.method == chosen
    assert (default.ci_low, default.ci_high, default.p_value, default.note) == (
        explicit.ci_low, explicit.ci_high, explicit.p_value, explicit.note,
    )  # fmt: skip


def test_auto_keeps_the_analytic_interval_where_rare_agreement_is_ample():
    # 85 % "no", but 12 items agreed on "yes": the analytic interval, no search
    table = np.array([[12, 3], [3, 82]])
    assert cohen_kappa(table=table).method == "analytic"
    assert cohen_kappa(table=np.array([[9, 3], [3, 85]])).method == "likelihood"


def test_likelihood_names_a_session_with_fewer_than_two_items_agreeing_on_a_rarer_category():
    # 30 items, 28 agreeing on "no" (category 1: 57 of 60 ratings) and one split: 1 item
    # agreeing on "yes" is named, 2 are not
    one, two = np.array([[1, 1], [0, 28]]), np.array([[2, 1], [0, 27]])
    with pytest.warns(SkewedSessionWarning, match=r"even the likelihood interval"):
        named = cohen_kappa(table=one)
    assert named.note == (
        "95% of ratings are 1 and 1 item has two or more ratings agreeing on another category"
    )
    assert cohen_kappa(table=two).note == ""


def test_auto_replaces_an_interval_collapsed_to_a_point():
    # 20 items, two raters, every item agreed: the analytic standard error is 0 and its
    # interval the point 1. The profile likelihood of percent agreement v puts all mass on
    # the agreeing patterns: log-likelihood 20 log v, so the lower bound solves
    # -2 * 20 * log v = t**2 (t: 97.5 % quantile of Student's t on 19 df), v = exp(-t**2 / 40)
    wide = np.array([["ok", "ok"]] * 12 + [["spam", "spam"]] * 8)
    analytic = percent_agreement(wide, method="analytic")
    assert (analytic.se, analytic.ci_low, analytic.ci_high) == (0.0, 1.0, 1.0)
    result = percent_agreement(wide)
    t = stats.t.ppf(0.975, 19)
    assert result.method == "likelihood"
    assert result.ci_low == pytest.approx(np.exp(-(t**2) / 40), abs=2e-4)
    assert result.ci_high == 1.0


def test_auto_sees_a_standard_error_of_zero_through_rounding():
    # 60 items, all agreed, 8 raters with 30 % of ratings missing: Krippendorff's analytic
    # standard error comes out as a rounding residue (about 1e-17), still a point interval
    rng = np.random.default_rng(3)
    wide = np.repeat(rng.choice(6, 60)[:, None], 8, axis=1).astype(float)
    wide[rng.random(wide.shape) < 0.3] = np.nan
    table = agreement_summary(wide).set_index("coefficient")
    family = ["percent_agreement", "brennan_prediger", "gwet_ac", "fleiss_kappa",
              "krippendorff_alpha"]  # fmt: skip
    assert (table.loc[family, "method"] == "likelihood").all()
    assert (table.loc[family, "ci_low"] < 1).all()


def test_items_rated_once_neither_skew_a_session_nor_name_it():
    # one item rated twice (agreeing), twelve rated once: no standard error, so no note
    ratings = pd.DataFrame({
        "item": [0, 0, *range(1, 13)],
        "rater": ["a", "b", *(["a"] * 12)],
        "label": ["spam", "spam", *(["ok"] * 12)],
    })  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = krippendorff_alpha(ratings, item="item", rater="rater", label="label")
    assert not np.isfinite(result.se)
    assert result.note == ""
    assert not [w for w in caught if issubclass(w.category, SkewedSessionWarning)]


def test_summary_warns_once_for_each_interval_it_names():
    # the kappa paradox table: the kappa-type likelihood intervals and Conger's analytic
    # one are named (no item agrees on the rare category), each warning saying which
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        agreement_summary(table=[[118, 5], [2, 0]])
    messages = [str(w.message) for w in caught if issubclass(w.category, SkewedSessionWarning)]
    assert len(messages) == 2
    assert "intervals of 'fleiss_kappa', 'krippendorff_alpha', 'cohen_kappa')" in messages[0]
    assert "even the likelihood interval" in messages[0]
    assert "intervals of 'conger_kappa')" in messages[1]
    assert "the analytic interval may cover" in messages[1]


def test_groups_choose_their_interval_one_by_one():
    # s1 is skewed (87.5 % in one category), s2 balanced: by default s1 gets the
    # likelihood interval and s2 the analytic one, each as the single function gives it
    sessions = pd.concat(
        [two_raters(TABLES[0]).assign(session="s1"), two_raters(TABLES[4]).assign(session="s2")],
        ignore_index=True,
    )
    columns = {"item": "item", "rater": "rater", "label": "label"}
    table = agreement_by(sessions, by="session", **columns, coefficient="fleiss_kappa")
    assert table["method"].tolist() == ["likelihood", "analytic"]
    assert table["note"].tolist() == ["", ""]
    for row in table.itertuples():
        single = fleiss_kappa(sessions[sessions["session"] == row.session], **columns)
        assert single.method == row.method
        assert (row.ci_low, row.ci_high) == pytest.approx((single.ci_low, single.ci_high), abs=1e-4)


def test_summary_passes_the_method_on_and_conger_keeps_its_analytic_interval():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkewedSessionWarning)
        table = agreement_summary(table=TABLES[3], method="likelihood").set_index("coefficient")
    assert table.loc["cohen_kappa", "method"] == "likelihood"
    assert table.loc["conger_kappa", "method"] == "analytic"


def test_conger_refuses_the_likelihood_and_says_why():
    with pytest.raises(
        ValueError, match=r"conger_kappa offers method='analytic' only.*'likelihood'"
    ):
        conger_kappa([[1, 1], [1, 2], [2, 2]], method="likelihood")


def test_unknown_method_is_named():
    with pytest.raises(ValueError, match=r"method.*'likelihood'"):
        fleiss_kappa([[1, 1], [1, 2], [2, 2]], method="profile")


def test_calibration_session_passes_the_method_on():
    from qainsights.agreement import calibration_session

    wide = np.array([["ok"] * 3] * 20 + [["spam", "spam", "ok"], ["ok", "spam", "ok"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkewedSessionWarning)
        session = calibration_session(wide, method="likelihood")
    single = fleiss_kappa(wide, method="likelihood")
    row = session.coefficients.set_index("coefficient").loc["fleiss_kappa"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((single.ci_low, single.ci_high))
    assert row["method"] == "likelihood"


def fleiss_three_raters_profile(counts: np.ndarray, kappa: float) -> float:
    """Yes/no ratings of three raters: cells q0..q3 hold items with 0..3 "yes" ratings.

    Fleiss' kappa has p_a = 1 - 2 (q1 + q2) / 3 and yes share s = (q1 + 2 q2 + 3 q3) / 3, so
    on a grid of (q1, q3) the constraint ``p_a - kappa - (1 - kappa) p_e(s) = 0`` is a
    quadratic in q2, whose roots give the cells; the profile is the best of them.
    """
    q1, q3 = np.meshgrid(np.linspace(0, 1, 801), np.linspace(0, 1, 801))
    q1, q3 = q1.ravel(), q3.ravel()
    best = -np.inf
    # p_e = s^2 + (1 - s)^2 = 1 - 2 s (1 - s), s = b + q2 * 2/3 with b = (q1 + 3 q3) / 3
    b = (q1 + 3 * q3) / 3
    # 1 - 2 (q1 + q2)/3 - kappa - (1 - kappa)(1 - 2 s + 2 s^2) = 0, as A q2^2 + B q2 + C = 0
    a_ = -2 * (1 - kappa) * (4 / 9)
    b_ = -2 / 3 + 2 * (1 - kappa) * (2 / 3) - 2 * (1 - kappa) * (2 * b * 2 / 3)
    c_ = 1 - 2 * q1 / 3 - kappa - (1 - kappa) * (1 - 2 * b + 2 * b**2)
    disc = b_**2 - 4 * a_ * c_
    for sign in (-1, 1):
        with np.errstate(invalid="ignore"):
            q2 = (-b_ + sign * np.sqrt(disc)) / (2 * a_)
        cells = np.stack([1 - q1 - q2 - q3, q1, q2, q3])
        cells = np.where(np.isfinite(cells), cells, -1.0)
        best = max(best, float(_log_likelihood(counts, cells).max()))
    return best


def test_a_rare_category_never_agreed_on_keeps_high_agreement_plausible():
    # 26 items rated "no" by all three raters, 4 with one "yes": kappa -0.047. A session
    # that never saw two "yes" on one item cannot rule out that raters agree on it, so the
    # profile reaches far above zero; a search from the neighbour's fit alone stopped at 0.11
    wide = np.array([[0, 0, 0]] * 26 + [[0, 0, 1]] * 4)
    result = fleiss_kappa(wide, method="likelihood")
    counts = np.array([26.0, 4.0, 0.0, 0.0])
    low, high = expected_interval(fleiss_three_raters_profile, counts, result.estimate)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=5e-3)
    assert high > 0.5

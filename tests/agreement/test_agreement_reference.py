"""Coefficients against published values and reference implementations (tests/reference/agreement.md)."""

import warnings

import numpy as np
import pytest
from reference import agreement as ref
from reference.agreement_data import (
    ANXIETY,
    FLEISS_1971,
    IRRCAC_RAW4RATERS,
    KRIPPENDORFF_2011,
    KRIPPENDORFF_PACKAGE,
    VISION,
    WIKIPEDIA_COUNTS,
)
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from qainsights import agreement
from qainsights.agreement import (
    SkewedSessionWarning,
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from qainsights.agreement.inference import t_interval


def irrcac_reading(result):
    """``(ci_low, ci_high, p_value)`` as irrCAC computes them: t on ``n_items - 1``.

    Documented choice (tests/reference/agreement.md, "Degrees of freedom"): the library's
    interval takes t on the variance's effective degrees of freedom, at most ``n - 1``, so it
    is irrCAC's interval when the items contribute alike and wider otherwise. The estimate and
    the standard error are irrCAC's; this reading checks them, and the interval machinery,
    against irrCAC's printed interval and p-value.
    """
    assert 1 <= result.df <= result.n_items - 1
    own = t_interval(result.estimate, result.se, result.df, result.ci)
    assert (result.ci_low, result.ci_high, result.p_value) == pytest.approx(own, abs=1e-12)
    return t_interval(result.estimate, result.se, result.n_items - 1, result.ci)


# --- K1: Krippendorff (2011), 4 observers x 12 units with missing data -----------------------


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_2011_levels(level):
    # krippendorff.alpha(reliability_data=K, level_of_measurement=level) == irr::kripp.alpha
    result = krippendorff_alpha(KRIPPENDORFF_2011, level=level)
    assert result.estimate == pytest.approx(ref.K1_ALPHA[level], abs=1e-9)
    assert round(result.estimate, 3) == ref.K1_ALPHA_PUBLISHED[level]


def test_krippendorff_2011_nominal_is_the_exact_fraction():
    # 904/1216 (Krippendorff 2011; jmgirard/mReliability#6)
    assert krippendorff_alpha(KRIPPENDORFF_2011).estimate == pytest.approx(904 / 1216, rel=1e-12)


@pytest.mark.parametrize("level", ["nominal", "interval", "ratio"])
def test_krippendorff_2011_standard_error_matches_irrcac(level):
    # irrCAC krippen.alpha.raw(cac.raw4raters, weights = unweighted / quadratic / ratio)
    expected = ref.K1_ALPHA_IRRCAC[level]
    result = krippendorff_alpha(KRIPPENDORFF_2011, level=level)
    # documented choice: Gwet's variance reproduces irrCAC's SE to 0.1 %
    assert result.se == pytest.approx(expected.se, rel=1.5e-3)
    ci_low, ci_high, _ = irrcac_reading(result)
    assert result.ci_high == ci_high == 1.0
    if expected.ci_low is not None:
        # irrCAC prints 3 decimals
        assert ci_low == pytest.approx(expected.ci_low, abs=1.5e-3)
        assert result.ci_low < ci_low  # the effective df are fewer than 10 here
    assert result.n_items == 11  # units with two or more ratings


def test_krippendorff_2011_pa_pe_p_value():
    expected = ref.K1_ALPHA_IRRCAC["nominal"]  # irrCAC: pa, pe, p
    result = krippendorff_alpha(KRIPPENDORFF_2011)
    assert result.pa == pytest.approx(expected.pa, abs=1e-12)
    assert result.pe == pytest.approx(expected.pe, abs=1e-12)
    assert irrcac_reading(result)[2] == pytest.approx(expected.p_value, rel=0.01)


@pytest.mark.parametrize("name", list(ref.K1_IRRCAC))
def test_irrcac_raw4raters(name):
    expected = ref.K1_IRRCAC[name]  # irrCAC R, unweighted, on cac.raw4raters
    result = getattr(agreement, name)(IRRCAC_RAW4RATERS)
    assert result.estimate == pytest.approx(expected.estimate, abs=5e-7)
    assert result.se == pytest.approx(expected.se, abs=5e-6)
    ci_low, ci_high, p_value = irrcac_reading(result)
    assert round(ci_low, 3) == expected.ci_low
    assert result.ci_high == ci_high == expected.ci_high == 1.0
    assert p_value == pytest.approx(expected.p_value, rel=2e-3)
    assert result.pa == pytest.approx(expected.pa, abs=5e-7)
    assert result.pe == pytest.approx(expected.pe, abs=5e-7)
    assert result.n_items == 12
    assert result.n_raters == 4


@pytest.mark.parametrize("name", list(ref.K1_IRRCAC_QUADRATIC))
def test_irrcac_raw4raters_quadratic(name):
    expected = ref.K1_IRRCAC_QUADRATIC[name]  # irrCAC, quadratic weights on cac.raw4raters
    result = getattr(agreement, name)(IRRCAC_RAW4RATERS, weights="quadratic")
    assert result.estimate == pytest.approx(expected.estimate, abs=5e-7)
    assert result.se == pytest.approx(expected.se, abs=5e-6)


def test_which_rater_gave_a_lone_rating_only_matters_to_conger():
    # irrCAC's cac.raw4raters moves unit 12's lone rating from observer B to C (K1 note)
    for func in (percent_agreement, gwet_ac, fleiss_kappa, brennan_prediger, krippendorff_alpha):
        assert func(KRIPPENDORFF_2011).estimate == func(IRRCAC_RAW4RATERS).estimate
    irrcac_conger = ref.K1_IRRCAC["conger_kappa"].estimate
    assert conger_kappa(KRIPPENDORFF_2011).estimate != pytest.approx(irrcac_conger, abs=1e-4)


@pytest.mark.parametrize(
    ("a", "b", "example"),
    [
        # Krippendorff (2011) binary and nominal examples, as krippendorff 0.9.0 prints them
        # (the binary example: 70 % zeros, one unit agreeing on 1, so its interval is flagged)
        ([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0], "binary"),
        ([1, 1, 2, 2, 4, 3, 3, 3, 5, 4, 4, 1], [2, 1, 2, 2, 2, 3, 3, 3, 5, 4, 4, 4], "nominal"),
    ],
)
@pytest.mark.filterwarnings("ignore::qainsights.agreement.SkewedSessionWarning")
def test_krippendorff_2011_two_observer_examples(a, b, example):
    alpha = ref.K1_TWO_OBSERVER_EXAMPLES[example]
    assert krippendorff_alpha(np.column_stack([a, b])).estimate == pytest.approx(alpha, abs=5e-8)


@pytest.mark.parametrize("level", ["nominal", "interval"])
def test_krippendorff_package_example(level):
    # krippendorff 0.9.0 README example
    result = krippendorff_alpha(KRIPPENDORFF_PACKAGE, level=level)
    assert result.estimate == pytest.approx(ref.KRIPPENDORFF_PACKAGE_EXAMPLE[level], abs=5e-7)


# --- K2: Fleiss (1971) ------------------------------------------------------------------------


def test_fleiss_1971_matches_published_and_statsmodels():
    expected = ref.K2_FLEISS
    result = fleiss_kappa(FLEISS_1971)
    assert result.pa == pytest.approx(expected.pa, abs=5e-8)  # published P-bar
    assert result.pe == pytest.approx(expected.pe, abs=5e-8)
    assert result.estimate == pytest.approx(expected.estimate, abs=5e-8)  # irr, irrCAC
    table, _ = aggregate_raters(FLEISS_1971)
    assert result.estimate == pytest.approx(sm_fleiss_kappa(table), abs=1e-12)  # statsmodels
    # irrCAC fleiss.kappa.raw: SE, CI, p
    assert result.se == pytest.approx(expected.se, abs=5e-5)
    ci_low, ci_high, p_value = irrcac_reading(result)
    assert (round(ci_low, 3), round(ci_high, 3)) == (expected.ci_low, expected.ci_high)
    assert p_value == pytest.approx(expected.p_value, rel=1e-3)


@pytest.mark.parametrize(
    ("name", "coef_tol"),
    [
        ("conger_kappa", 5e-8),  # irr exact=TRUE, irrCAC
        ("krippendorff_alpha", 5e-8),  # krippendorff, irrCAC
        ("gwet_ac", 5e-6),  # irrCAC
        ("brennan_prediger", 5e-8),  # irrCAC, statsmodels randolph
    ],
)
def test_fleiss_1971_other_coefficients(name, coef_tol):
    expected = ref.K2_OTHER[name]
    result = getattr(agreement, name)(FLEISS_1971)
    assert result.estimate == pytest.approx(expected.estimate, abs=coef_tol)
    se_tol = 5e-5 if name == "krippendorff_alpha" else 5e-6
    assert result.se == pytest.approx(expected.se, abs=se_tol)
    if expected.ci_low is not None:
        ci_low, ci_high, _ = irrcac_reading(result)
        assert (round(ci_low, 3), round(ci_high, 3)) == (expected.ci_low, expected.ci_high)


def test_fleiss_1971_alpha_is_not_irrs_buggy_value():
    # documented disagreement: irr::kripp.alpha gives another value on this data
    assert krippendorff_alpha(FLEISS_1971).estimate != pytest.approx(ref.K2_IRR_ALPHA_BUG, abs=1e-4)


def test_brennan_prediger_is_statsmodels_randolph():
    table, _ = aggregate_raters(FLEISS_1971)
    expected = sm_fleiss_kappa(table, method="randolph")
    assert brennan_prediger(FLEISS_1971).estimate == pytest.approx(expected, abs=1e-12)


# --- K3: Wikipedia counts ----------------------------------------------------------------------


def test_wikipedia_counts_fleiss():
    expected = ref.K3_FLEISS  # irrCAC fleiss.kappa.dist
    result = fleiss_kappa(counts=WIKIPEDIA_COUNTS)
    assert result.estimate == pytest.approx(expected.estimate, abs=5e-8)
    assert result.estimate == pytest.approx(sm_fleiss_kappa(WIKIPEDIA_COUNTS), abs=1e-12)
    assert result.se == pytest.approx(expected.se, abs=5e-6)
    ci_low, ci_high, p_value = irrcac_reading(result)
    assert (round(ci_low, 3), round(ci_high, 3)) == (expected.ci_low, expected.ci_high)
    assert p_value == pytest.approx(expected.p_value, rel=1e-3)
    assert result.pa == pytest.approx(expected.pa, abs=5e-8)
    assert result.pe == pytest.approx(expected.pe, abs=5e-8)
    assert (result.n_items, result.n_raters) == (10, 14)


@pytest.mark.parametrize("name", list(ref.K3_OTHER))
def test_wikipedia_counts_other_coefficients(name):
    expected = ref.K3_OTHER[name]
    # irrCAC *.dist; krippendorff value_counts
    result = getattr(agreement, name)(counts=WIKIPEDIA_COUNTS)
    assert result.estimate == pytest.approx(expected.estimate, abs=5e-8)
    if expected.se is not None:
        # alpha: documented 0.1 % gap to irrCAC (see K1)
        assert result.se == pytest.approx(expected.se, rel=1e-3)


# --- K4: Cohen's kappa -------------------------------------------------------------------------


def test_cohen_wikipedia_two_by_two():
    expected = ref.K4_WIKIPEDIA
    result = cohen_kappa(table=[[20, 5], [10, 15]])
    # published p_o, p_e, kappa; statsmodels ASE; irrCAC t CI
    assert (result.pa, result.pe, result.estimate) == pytest.approx(
        (expected.pa, expected.pe, expected.estimate), abs=1e-12
    )
    assert result.se == pytest.approx(expected.se, abs=5e-7)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (
        expected.ci_low,
        expected.ci_high,
    )
    # Byrt et al. (1993): PABAK = 2 p_o - 1, PI = |20 - 15| / 50, BI = |5 - 10| / 50
    assert (result.pabak, result.prevalence_index, result.bias_index) == pytest.approx(
        (0.4, 0.1, 0.1), abs=1e-12
    )


COHEN_1968 = np.array([[88, 14, 18], [10, 40, 10], [2, 6, 12]])  # proportions x 200
COHEN_1968_DISAGREEMENT = np.array([[0, 1, 3], [1, 0, 6], [3, 6, 0]])


def test_cohen_1968_unweighted_and_weighted():
    expected = ref.K4_COHEN_1968
    plain = cohen_kappa(table=COHEN_1968)
    # published .492; SE (statsmodels, irrCAC, psych)
    assert plain.estimate == pytest.approx(expected["unweighted"].estimate, abs=5e-8)
    assert plain.se == pytest.approx(expected["unweighted"].se, abs=5e-8)
    weighted = cohen_kappa(table=COHEN_1968, weights=1 - COHEN_1968_DISAGREEMENT / 6)
    # published .348; SE (statsmodels, irrCAC) - not psych's
    assert weighted.estimate == pytest.approx(expected["weighted"].estimate, abs=5e-8)
    assert weighted.se == pytest.approx(expected["weighted"].se, abs=5e-8)
    assert weighted.weights == "custom"


def test_fleiss_cohen_everitt_1969():
    table = [[106, 10, 4], [22, 28, 10], [2, 12, 6]]
    weights = [[1, 0, 0.4444], [0, 1, 0.6667], [0.4444, 0.6667, 1]]
    expected = ref.K4_FLEISS_COHEN_EVERITT
    plain = cohen_kappa(table=table)
    unweighted = expected["unweighted"]
    assert (plain.estimate, plain.se) == pytest.approx(
        (unweighted.estimate, unweighted.se), abs=5e-8
    )
    weighted = cohen_kappa(table=table, weights=weights)
    # statsmodels and irrCAC; psych's SE is the documented outlier
    assert weighted.estimate == pytest.approx(expected["weighted"].estimate, abs=5e-7)
    assert weighted.se == pytest.approx(expected["weighted"].se, abs=5e-7)
    # psych's SE, not followed
    assert weighted.se != pytest.approx(ref.K4_FLEISS_COHEN_EVERITT_PSYCH_SE, abs=1e-4)


@pytest.mark.parametrize("weights", list(ref.K4_SAS))
def test_cohen_sas_example(weights):
    expected = ref.K4_SAS[weights]  # SAS printout reproduced in statsmodels' tests
    result = cohen_kappa(table=[[0, 4, 1], [0, 8, 0], [0, 1, 5]], weights=weights)
    digits = 4 if weights != "quadratic" else 6
    assert round(result.estimate, digits) == expected.estimate
    assert round(result.se, digits) == expected.se


@pytest.mark.parametrize("weights", list(ref.K4_VISION))
def test_stuart_vision(weights):
    # irr, statsmodels, irrCAC (kappa, ASE); irrCAC (AC1/AC2)
    expected, ac = ref.K4_VISION[weights]
    result = cohen_kappa(table=VISION, weights=weights)
    assert result.estimate == pytest.approx(expected.estimate, abs=5e-8)
    assert result.se == pytest.approx(expected.se, abs=5e-8)
    assert gwet_ac(table=VISION, weights=weights).estimate == pytest.approx(ac, abs=5e-7)


@pytest.mark.parametrize("weights", list(ref.K4_ANXIETY))
def test_anxiety_two_vectors(weights):
    # irr kappa2 / sklearn cohen_kappa_score (kappa); statsmodels cohens_kappa (ASE)
    expected = ref.K4_ANXIETY[weights]
    result = cohen_kappa(ANXIETY[:, 0], ANXIETY[:, 1], weights=weights)
    assert result.estimate == pytest.approx(expected.estimate, abs=5e-8)
    assert result.se == pytest.approx(expected.se, abs=5e-7)


def test_anxiety_raters_two_and_three():
    # irr kappa2(anxiety[, 2:3])
    assert cohen_kappa(ANXIETY[:, 1], ANXIETY[:, 2]).estimate == pytest.approx(
        ref.K4_ANXIETY_RATERS_2_3, abs=5e-10
    )


# --- K5: irrCAC contingency tables -------------------------------------------------------------

ABSTRACTORS = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
DIAGNOSIS = np.array([[40, 6, 4, 15], [4, 25, 1, 5], [4, 2, 21, 9], [17, 13, 12, 45]])

TABLES = {"abstractors": ABSTRACTORS, "diagnosis": DIAGNOSIS}


@pytest.mark.parametrize(
    ("table", "weights", "name"),
    [(table, weights, name) for (table, weights), row in ref.K5_TABLES.items() for name in row],
)
def test_irrcac_tables(table, weights, name):
    expected = ref.K5_TABLES[table, weights][name]
    options = {} if weights is None else {"weights": weights}
    result = getattr(agreement, name)(table=TABLES[table], **options)
    assert result.estimate == pytest.approx(expected.estimate, abs=5e-7)
    if expected.se is None:
        return
    n = TABLES[table].sum()
    # Cohen: Fleiss-Cohen-Everitt, identical; others: documented sqrt(n / (n - 1)) factor
    factor = 1.0 if name == "cohen_kappa" else np.sqrt(n / (n - 1))
    assert result.se == pytest.approx(expected.se * factor, abs=5e-7)


@pytest.mark.parametrize(("table", "weights"), [(ABSTRACTORS, None), (DIAGNOSIS, "quadratic")])
def test_cohen_matches_statsmodels_on_irrcac_tables(table, weights):
    wt = {None: None, "quadratic": "quadratic"}[weights]
    expected = cohens_kappa(table, wt=wt)
    result = cohen_kappa(table=table, weights=weights)
    assert result.estimate == pytest.approx(expected.kappa, abs=1e-12)
    assert result.se == pytest.approx(expected.std_kappa, abs=1e-12)


def test_krippendorff_alpha_level_names_match_irrcac_weights():
    # irrCAC krippen.alpha with quadratic weights on a table = alpha at the interval level
    assert krippendorff_alpha(table=ABSTRACTORS, level="interval").estimate == pytest.approx(
        ref.K5_ABSTRACTORS_ALPHA_QUADRATIC, abs=5e-7
    )


# --- K6: the kappa paradox -----------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::qainsights.agreement.SkewedSessionWarning")
@pytest.mark.parametrize(("table", "expected"), ref.K6_PARADOX)
def test_kappa_paradox_tables(table, expected):
    n = np.sum(table)
    pa = expected["percent_agreement"]
    assert percent_agreement(table=table).estimate == pytest.approx(pa, abs=1e-12)
    kappa = cohen_kappa(table=table)
    assert (kappa.estimate, kappa.se) == pytest.approx(expected["cohen_kappa"], abs=5e-8)
    assert scott_pi(table=table).estimate == pytest.approx(expected["scott_pi"], abs=5e-8)
    ac1, ac1_se = expected["gwet_ac"]
    ac = gwet_ac(table=table)
    assert ac.estimate == pytest.approx(ac1, abs=5e-8)
    assert ac.se == pytest.approx(ac1_se * np.sqrt(n / (n - 1)), abs=5e-7)
    bp = expected["brennan_prediger"]
    assert brennan_prediger(table=table).estimate == pytest.approx(bp, abs=1e-12)
    alpha = expected["krippendorff_alpha"]
    assert krippendorff_alpha(table=table).estimate == pytest.approx(alpha, abs=5e-8)


@pytest.mark.parametrize(
    ("table", "note"),
    [
        # 95 of 200 ratings (47.5 %) in the first category: not skewed
        (ref.K6_PARADOX[0][0], ""),
        # 175 of 200 (87.5 %) in the first, but 5 items agree on the second: enough
        (ref.K6_PARADOX[1][0], ""),
        # 243 of 250 (97.2 %) in the first and no item agrees on the second: flagged
        (ref.K6_PARADOX[2][0],
         "97% of ratings are 0 and 0 items have two or more ratings agreeing on another category"),
    ],
)  # fmt: skip
def test_kappa_paradox_flags_the_analytic_interval_without_rare_agreement(table, note):
    if note:
        with pytest.warns(SkewedSessionWarning, match=r"cohen_kappa: 97% of ratings are 0"):
            kappa = cohen_kappa(table=table, method="analytic")
    else:
        kappa = cohen_kappa(table=table, method="analytic")  # any warning fails the test
    assert kappa.note == note
    # AC1's chance agreement does not rest on the rare category: never flagged
    assert gwet_ac(table=table).note == ""
    # the default takes the likelihood interval on the skewed tables (the 2nd and 3rd: 87.5
    # and 97.2 % in the first category, 5 and 0 items agreeing on the second), which names
    # the third only as well: no item agrees on the second category
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        default = cohen_kappa(table=table)
    assert default.method == ("analytic" if table is ref.K6_PARADOX[0][0] else "likelihood")
    assert default.note == note
    assert len(caught) == bool(note)


# --- Effective degrees of freedom (tests/reference/agreement.md, "Degrees of freedom") ------


def test_effective_df_of_percent_agreement_by_hand():
    # Two raters, 20 items, 2 disagreements: each item's linearised term is its agreement (1 or
    # 0) minus 0.9, so d = 0.1 for 18 items and -0.9 for 2; the variance is
    # (18 x 0.01 + 2 x 0.81) / (20 x 19) = 1.8 / 380 and its effective df
    # 2 x 1.8^2 / (18 x 0.0001 + 2 x 0.6561) = 4.9315.
    a = ["ok"] * 20
    b = ["ok"] * 18 + ["violating"] * 2
    result = percent_agreement(np.column_stack([a, b]))
    assert result.se == pytest.approx(np.sqrt(1.8 / 380), rel=1e-12)
    assert result.df == pytest.approx(2 * 1.8**2 / 1.314, rel=1e-12)
    # half the items disagree: every |d| is 0.5, so 2 n = 40 caps at n - 1 = 19
    even = percent_agreement(np.column_stack([a, ["ok"] * 10 + ["violating"] * 10]))
    assert even.df == 19

"""Coefficients against published values and reference implementations (tests/reference/agreement.md)."""

import numpy as np
import pytest
from agreement_reference_data import (
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

from qainsights.agreement import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)

# --- K1: Krippendorff (2011), 4 observers x 12 units with missing data -----------------------


@pytest.mark.parametrize(
    ("level", "package_value", "published"),
    [
        # krippendorff.alpha(reliability_data=K, level_of_measurement=level) == irr::kripp.alpha
        ("nominal", 0.7434210526, 0.743),
        ("ordinal", 0.8153875038, 0.815),
        ("interval", 0.8491071429, 0.849),
        ("ratio", 0.7974027747, 0.797),
    ],
)
def test_krippendorff_2011_levels(level, package_value, published):
    result = krippendorff_alpha(KRIPPENDORFF_2011, level=level)
    assert result.estimate == pytest.approx(package_value, abs=1e-9)
    assert round(result.estimate, 3) == published


def test_krippendorff_2011_nominal_is_the_exact_fraction():
    # 904/1216 (Krippendorff 2011; jmgirard/mReliability#6)
    assert krippendorff_alpha(KRIPPENDORFF_2011).estimate == pytest.approx(904 / 1216, rel=1e-12)


@pytest.mark.parametrize(
    ("level", "se", "ci_low"),
    # irrCAC krippen.alpha.raw(cac.raw4raters, weights = unweighted / quadratic / ratio)
    [("nominal", 0.14557, 0.419), ("interval", 0.12913, 0.561), ("ratio", 0.14048, None)],
)
def test_krippendorff_2011_standard_error_matches_irrcac(level, se, ci_low):
    result = krippendorff_alpha(KRIPPENDORFF_2011, level=level)
    # documented choice: Gwet's variance reproduces irrCAC's SE to 0.1 %
    assert result.se == pytest.approx(se, rel=1.5e-3)
    assert result.ci_high == 1.0
    if ci_low is not None:
        assert result.ci_low == pytest.approx(ci_low, abs=1.5e-3)  # irrCAC prints 3 decimals
    assert result.n_items == 11  # units with two or more ratings


def test_krippendorff_2011_pa_pe_p_value():
    # irrCAC: pa 0.805, pe 0.24, p 4.594e-4
    result = krippendorff_alpha(KRIPPENDORFF_2011)
    assert result.pa == pytest.approx(0.805, abs=1e-12)
    assert result.pe == pytest.approx(0.24, abs=1e-12)
    assert result.p_value == pytest.approx(4.594e-4, rel=0.01)


@pytest.mark.parametrize(
    ("func", "coef", "se", "ci_low", "p_value", "pe"),
    [
        # irrCAC R, unweighted, on cac.raw4raters
        (percent_agreement, 0.818182, 0.12561, 0.542, 4.345e-05, 0.0),
        (gwet_ac, 0.775444, 0.14295, 0.461, 2.087e-4, 0.190321),
        (fleiss_kappa, 0.761169, 0.15302, 0.424, 4.192e-4, 0.238715),
        (conger_kappa, 0.762817, 0.14917, 0.435, 3.367e-4, 0.233425),
        (brennan_prediger, 0.772727, 0.14472, 0.454, 2.376e-4, 0.2),
    ],
)
def test_irrcac_raw4raters(func, coef, se, ci_low, p_value, pe):
    result = func(IRRCAC_RAW4RATERS)
    assert result.estimate == pytest.approx(coef, abs=5e-7)
    assert result.se == pytest.approx(se, abs=5e-6)
    assert round(result.ci_low, 3) == ci_low
    assert result.ci_high == 1.0
    assert result.p_value == pytest.approx(p_value, rel=2e-3)
    assert result.pa == pytest.approx(0.818182, abs=5e-7)
    assert result.pe == pytest.approx(pe, abs=5e-7)
    assert result.n_items == 12
    assert result.n_raters == 4


@pytest.mark.parametrize(
    ("func", "coef", "se"),
    # irrCAC, quadratic weights on cac.raw4raters
    [(gwet_ac, 0.914001, 0.10396), (fleiss_kappa, 0.864935, 0.14603)],
)
def test_irrcac_raw4raters_quadratic(func, coef, se):
    result = func(IRRCAC_RAW4RATERS, weights="quadratic")
    assert result.estimate == pytest.approx(coef, abs=5e-7)
    assert result.se == pytest.approx(se, abs=5e-6)


def test_which_rater_gave_a_lone_rating_only_matters_to_conger():
    # irrCAC's cac.raw4raters moves unit 12's lone rating from observer B to C (K1 note)
    for func in (percent_agreement, gwet_ac, fleiss_kappa, brennan_prediger, krippendorff_alpha):
        assert func(KRIPPENDORFF_2011).estimate == func(IRRCAC_RAW4RATERS).estimate
    assert conger_kappa(KRIPPENDORFF_2011).estimate != pytest.approx(0.762817, abs=1e-4)


@pytest.mark.parametrize(
    ("a", "b", "alpha"),
    [
        # Krippendorff (2011) binary example, published 0.095; krippendorff 0.9.0: 0.0952381
        ([0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0], 0.0952381),
        # nominal example, published 0.692; krippendorff 0.9.0: 0.6919643
        ([1, 1, 2, 2, 4, 3, 3, 3, 5, 4, 4, 1], [2, 1, 2, 2, 2, 3, 3, 3, 5, 4, 4, 4], 0.6919643),
    ],
)
def test_krippendorff_2011_two_observer_examples(a, b, alpha):
    assert krippendorff_alpha(np.column_stack([a, b])).estimate == pytest.approx(alpha, abs=5e-8)


@pytest.mark.parametrize(("level", "alpha"), [("nominal", 0.691358), ("interval", 0.810845)])
def test_krippendorff_package_example(level, alpha):
    # krippendorff 0.9.0 README example
    result = krippendorff_alpha(KRIPPENDORFF_PACKAGE, level=level)
    assert result.estimate == pytest.approx(alpha, abs=5e-7)


# --- K2: Fleiss (1971) ------------------------------------------------------------------------


def test_fleiss_1971_matches_published_and_statsmodels():
    result = fleiss_kappa(FLEISS_1971)
    assert result.pa == pytest.approx(0.5555556, abs=5e-8)  # published P-bar
    assert result.pe == pytest.approx(0.2199383, abs=5e-8)
    assert result.estimate == pytest.approx(0.4302445, abs=5e-8)  # irr, irrCAC
    table, _ = aggregate_raters(FLEISS_1971)
    assert result.estimate == pytest.approx(sm_fleiss_kappa(table), abs=1e-12)  # statsmodels
    # irrCAC fleiss.kappa.raw: SE 0.0542, CI (0.319, 0.541), p 9.37e-9
    assert result.se == pytest.approx(0.0542, abs=5e-5)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.319, 0.541)
    assert result.p_value == pytest.approx(9.37e-9, rel=1e-3)


@pytest.mark.parametrize(
    ("func", "coef", "coef_tol", "se", "ci"),
    [
        (conger_kappa, 0.4418085, 5e-8, 0.05079, None),  # irr exact=TRUE, irrCAC
        (krippendorff_alpha, 0.4334098, 5e-8, 0.0542, None),  # krippendorff, irrCAC
        (gwet_ac, 0.44788, 5e-6, 0.05566, (0.334, 0.562)),  # irrCAC
        (brennan_prediger, 0.4444444, 5e-8, 0.05512, None),  # irrCAC, statsmodels randolph
    ],
)
def test_fleiss_1971_other_coefficients(func, coef, coef_tol, se, ci):
    result = func(FLEISS_1971)
    assert result.estimate == pytest.approx(coef, abs=coef_tol)
    assert result.se == pytest.approx(se, abs=5e-5 if func is krippendorff_alpha else 5e-6)
    if ci is not None:
        assert (round(result.ci_low, 3), round(result.ci_high, 3)) == ci


def test_fleiss_1971_alpha_is_not_irrs_buggy_value():
    # documented disagreement: irr::kripp.alpha gives 0.4308776 on this data
    assert krippendorff_alpha(FLEISS_1971).estimate != pytest.approx(0.4308776, abs=1e-4)


def test_brennan_prediger_is_statsmodels_randolph():
    table, _ = aggregate_raters(FLEISS_1971)
    expected = sm_fleiss_kappa(table, method="randolph")
    assert brennan_prediger(FLEISS_1971).estimate == pytest.approx(expected, abs=1e-12)


# --- K3: Wikipedia counts ----------------------------------------------------------------------


def test_wikipedia_counts_fleiss():
    result = fleiss_kappa(counts=WIKIPEDIA_COUNTS)
    # irrCAC fleiss.kappa.dist; published kappa 0.210, P-bar 0.378, P-bar_e 0.213
    assert result.estimate == pytest.approx(0.2099307, abs=5e-8)
    assert result.estimate == pytest.approx(sm_fleiss_kappa(WIKIPEDIA_COUNTS), abs=1e-12)
    assert result.se == pytest.approx(0.09237, abs=5e-6)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.001, 0.419)
    assert result.p_value == pytest.approx(0.04915, rel=1e-3)
    assert result.pa == pytest.approx(0.3780220, abs=5e-8)
    assert result.pe == pytest.approx(0.2127551, abs=5e-8)
    assert (result.n_items, result.n_raters) == (10, 14)


@pytest.mark.parametrize(
    ("func", "coef", "se"),
    [
        (gwet_ac, 0.2256142, 0.09332),
        (krippendorff_alpha, 0.2155741, 0.09246),
        (brennan_prediger, 0.2225275, None),
        (percent_agreement, 0.3780220, None),
    ],
)
def test_wikipedia_counts_other_coefficients(func, coef, se):
    result = func(counts=WIKIPEDIA_COUNTS)  # irrCAC *.dist; krippendorff value_counts
    assert result.estimate == pytest.approx(coef, abs=5e-8)
    if se is not None:
        # alpha: documented 0.1 % gap to irrCAC (see K1)
        assert result.se == pytest.approx(se, rel=1e-3)


# --- K4: Cohen's kappa -------------------------------------------------------------------------


def test_cohen_wikipedia_two_by_two():
    result = cohen_kappa(table=[[20, 5], [10, 15]])
    # published p_o 0.7, p_e 0.5, kappa 0.4; statsmodels ASE 0.126996; irrCAC t CI (0.145, 0.655)
    assert (result.pa, result.pe, result.estimate) == pytest.approx((0.7, 0.5, 0.4), abs=1e-12)
    assert result.se == pytest.approx(0.126996, abs=5e-7)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.145, 0.655)
    # Byrt et al. (1993): PABAK = 2 p_o - 1, PI = |20 - 15| / 50, BI = |5 - 10| / 50
    assert (result.pabak, result.prevalence_index, result.bias_index) == pytest.approx(
        (0.4, 0.1, 0.1), abs=1e-12
    )


COHEN_1968 = np.array([[88, 14, 18], [10, 40, 10], [2, 6, 12]])  # proportions x 200
COHEN_1968_DISAGREEMENT = np.array([[0, 1, 3], [1, 0, 6], [3, 6, 0]])


def test_cohen_1968_unweighted_and_weighted():
    plain = cohen_kappa(table=COHEN_1968)
    # published .492; SE 0.0510018 (statsmodels, irrCAC, psych)
    assert plain.estimate == pytest.approx(0.4915254, abs=5e-8)
    assert plain.se == pytest.approx(0.0510018, abs=5e-8)
    weighted = cohen_kappa(table=COHEN_1968, weights=1 - COHEN_1968_DISAGREEMENT / 6)
    # published .348; SE 0.0755040 (statsmodels, irrCAC) - not psych's 0.3518
    assert weighted.estimate == pytest.approx(0.3478261, abs=5e-8)
    assert weighted.se == pytest.approx(0.0755040, abs=5e-8)
    assert weighted.weights == "custom"


def test_fleiss_cohen_everitt_1969():
    table = [[106, 10, 4], [22, 28, 10], [2, 12, 6]]
    weights = [[1, 0, 0.4444], [0, 1, 0.6667], [0.4444, 0.6667, 1]]
    plain = cohen_kappa(table=table)
    assert (plain.estimate, plain.se) == pytest.approx((0.4285714, 0.0537110), abs=5e-8)
    weighted = cohen_kappa(table=table, weights=weights)
    # statsmodels and irrCAC; psych's 0.052427 is the documented outlier
    assert weighted.estimate == pytest.approx(0.5070700, abs=5e-7)
    assert weighted.se == pytest.approx(0.0569939, abs=5e-7)
    assert weighted.se != pytest.approx(0.052427, abs=1e-4)  # psych's SE, not followed


@pytest.mark.parametrize(
    ("weights", "kappa", "ase"),
    # SAS printout reproduced in statsmodels' tests
    [(None, 0.4842, 0.1380), ("linear", 0.4701, 0.1457), ("quadratic", 0.450161, 0.192233)],
)
def test_cohen_sas_example(weights, kappa, ase):
    result = cohen_kappa(table=[[0, 4, 1], [0, 8, 0], [0, 1, 5]], weights=weights)
    digits = 4 if weights != "quadratic" else 6
    assert round(result.estimate, digits) == kappa
    assert round(result.se, digits) == ase


@pytest.mark.parametrize(
    ("weights", "kappa", "ase", "ac"),
    # irr, statsmodels, irrCAC (kappa, ASE); irrCAC (AC1/AC2)
    [
        (None, 0.5953888, 0.0072869, 0.616044),
        ("linear", 0.6523804, 0.0070753, 0.717283),
        ("quadratic", 0.7023343, 0.0083819, 0.795916),
    ],
)
def test_stuart_vision(weights, kappa, ase, ac):
    result = cohen_kappa(table=VISION, weights=weights)
    assert result.estimate == pytest.approx(kappa, abs=5e-8)
    assert result.se == pytest.approx(ase, abs=5e-8)
    assert gwet_ac(table=VISION, weights=weights).estimate == pytest.approx(ac, abs=5e-7)


@pytest.mark.parametrize(
    ("weights", "kappa", "ase"),
    # irr kappa2 / sklearn cohen_kappa_score (kappa); statsmodels cohens_kappa (ASE)
    [
        (None, 0.1194969, 0.119271),
        ("linear", 0.1891892, 0.131295),
        ("quadratic", 0.2967651, 0.157006),
    ],
)
def test_anxiety_two_vectors(weights, kappa, ase):
    result = cohen_kappa(ANXIETY[:, 0], ANXIETY[:, 1], weights=weights)
    assert result.estimate == pytest.approx(kappa, abs=5e-8)
    assert result.se == pytest.approx(ase, abs=5e-7)


def test_anxiety_raters_two_and_three():
    # irr kappa2(anxiety[, 2:3]) = -0.006289308
    assert cohen_kappa(ANXIETY[:, 1], ANXIETY[:, 2]).estimate == pytest.approx(
        -0.006289308, abs=5e-10
    )


# --- K5: irrCAC contingency tables -------------------------------------------------------------

ABSTRACTORS = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
DIAGNOSIS = np.array([[40, 6, 4, 15], [4, 25, 1, 5], [4, 2, 21, 9], [17, 13, 12, 45]])

# (table, weights) -> {function: (coefficient, irrCAC table SE or None)}
IRRCAC_TABLES = [
    (ABSTRACTORS, None, {cohen_kappa: (0.7964094, 0.0589107), scott_pi: (0.7962397, 0.0590547),
     gwet_ac: (0.8493305, 0.0432175), brennan_prediger: (0.835, 0.0469335),
     krippendorff_alpha: (0.7972585, None), percent_agreement: (0.89, 0.0312890)}),
    (ABSTRACTORS, "linear", {cohen_kappa: (0.8429020, 0.0478721), scott_pi: (0.8428010, 0.0479607),
     gwet_ac: (0.9000227, 0.0292756), brennan_prediger: (0.87625, 0.0352001),
     percent_agreement: (0.945, 0.0156445)}),
    (ABSTRACTORS, "quadratic", {cohen_kappa: (0.8921569, 0.0353515),
     scott_pi: (0.8921093, 0.0353951), gwet_ac: (0.9402369, 0.0179202),
     brennan_prediger: (0.9175, 0.0234667), percent_agreement: (0.9725, 0.0078222)}),
    (DIAGNOSIS, None, {cohen_kappa: (0.4315008, 0.0459692), scott_pi: (0.4303406, 0.0462315),
     gwet_ac: (0.4561576, 0.0434499), brennan_prediger: (0.4499253, 0.0439553),
     krippendorff_alpha: (0.4316178, None), percent_agreement: (0.5874439, 0.0329665)}),
    (DIAGNOSIS, "linear", {cohen_kappa: (0.4068109, 0.0533881), scott_pi: (0.4055511, 0.0536689),
     gwet_ac: (0.3770679, 0.0560646), brennan_prediger: (0.3470852, 0.0597567),
     percent_agreement: (0.7279522, 0.0248986)}),
    (DIAGNOSIS, "quadratic", {cohen_kappa: (0.3831859, 0.0657947),
     scott_pi: (0.3820304, 0.0660590), gwet_ac: (0.2985730, 0.0751795),
     brennan_prediger: (0.2358744, 0.0846706), percent_agreement: (0.7877429, 0.0235196)}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("table", "weights", "func", "coef", "se"),
    [
        (table, weights, func, coef, se)
        for table, weights, expected in IRRCAC_TABLES
        for func, (coef, se) in expected.items()
    ],
)
def test_irrcac_tables(table, weights, func, coef, se):
    options = {} if weights is None else {"weights": weights}
    result = func(table=table, **options)
    assert result.estimate == pytest.approx(coef, abs=5e-7)
    if se is None:
        return
    n = table.sum()
    # Cohen: Fleiss-Cohen-Everitt, identical; others: documented sqrt(n / (n - 1)) factor
    factor = 1.0 if func is cohen_kappa else np.sqrt(n / (n - 1))
    assert result.se == pytest.approx(se * factor, abs=5e-7)


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
        0.8926487, abs=5e-7
    )


# --- K6: the kappa paradox -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "pa", "cohen", "cohen_se", "scott", "ac1", "ac1_se", "bp", "alpha"),
    [
        ([[40, 9], [6, 45]], 0.85, 0.6995192, 0.0713936, 0.6992481, 0.7007481, 0.0713518, 0.7,
         0.7007519),
        ([[80, 10], [5, 5]], 0.85, 0.3181818, 0.1334565, 0.3142857, 0.808, 0.0521294, 0.7,
         0.3177143),
        ([[118, 5], [2, 0]], 0.944, -0.0233918, 0.0122868, -0.0288066, 0.9407763, 0.0229646,
         0.888, -0.0246914),
    ],
)  # fmt: skip
def test_kappa_paradox_tables(table, pa, cohen, cohen_se, scott, ac1, ac1_se, bp, alpha):
    n = np.sum(table)
    assert percent_agreement(table=table).estimate == pytest.approx(pa, abs=1e-12)
    kappa = cohen_kappa(table=table)
    assert (kappa.estimate, kappa.se) == pytest.approx((cohen, cohen_se), abs=5e-8)
    assert scott_pi(table=table).estimate == pytest.approx(scott, abs=5e-8)
    ac = gwet_ac(table=table)
    assert ac.estimate == pytest.approx(ac1, abs=5e-8)
    assert ac.se == pytest.approx(ac1_se * np.sqrt(n / (n - 1)), abs=5e-7)
    assert brennan_prediger(table=table).estimate == pytest.approx(bp, abs=1e-12)
    assert krippendorff_alpha(table=table).estimate == pytest.approx(alpha, abs=5e-8)

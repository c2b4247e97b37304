"""Agreement coefficients: the published and reference-tool values of tests/reference/agreement.md.

Tools, as in the note: irrCAC 1.0 (Gwet's R package), irr 0.84.1, psych 2.2.9, the Python package
krippendorff 0.9.0, statsmodels' ``statsmodels.stats.inter_rater``, pingouin 0.7.0. The data sets
(K1-K4, K7) are in ``reference.agreement_data``, the small tables beside the tests.
Keys are the names of the qainsights.agreement functions.
"""

from reference import Estimate

# --- K1: Krippendorff (2011), 4 observers x 12 units with missing data --------------------------

K1_ALPHA = {
    "nominal": 0.7434210526,
    "ordinal": 0.8153875038,
    "interval": 0.8491071429,
    "ratio": 0.7974027747,
}
"""Krippendorff's alpha by level: krippendorff 0.9.0
``krippendorff.alpha(reliability_data=K, level_of_measurement=lvl)``, equal to irr 0.84.1
``irr::kripp.alpha(nmm, lvl)``; nominal = 904/1216."""

K1_ALPHA_PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
"""Krippendorff (2011), "Computing Krippendorff's alpha-reliability", three decimals."""

K1_ALPHA_IRRCAC = {
    "nominal": Estimate(K1_ALPHA["nominal"], se=0.14557, ci_low=0.419, ci_high=1.0, p_value=4.594e-4,
                        pa=0.805, pe=0.24),
    "interval": Estimate(K1_ALPHA["interval"], se=0.12913, ci_low=0.561, ci_high=1.0),
    "ratio": Estimate(K1_ALPHA["ratio"], se=0.14048),
}  # fmt: skip
"""irrCAC 1.0 ``krippen.alpha.raw(cac.raw4raters, weights=...)`` (unweighted, quadratic = interval,
ratio): SE, 95 % CI, p, pa, pe. qainsights reproduces the SEs to 0.1 % (the note's **choice**)."""

K1_IRRCAC = {
    "percent_agreement": Estimate(0.818182, se=0.12561, ci_low=0.542, ci_high=1.0,
                                  p_value=4.345e-05, pa=0.818182, pe=0.0),
    "gwet_ac": Estimate(0.775444, se=0.14295, ci_low=0.461, ci_high=1.0, p_value=2.087e-4,
                        pa=0.818182, pe=0.190321),
    "fleiss_kappa": Estimate(0.761169, se=0.15302, ci_low=0.424, ci_high=1.0, p_value=4.192e-4,
                             pa=0.818182, pe=0.238715),
    "conger_kappa": Estimate(0.762817, se=0.14917, ci_low=0.435, ci_high=1.0, p_value=3.367e-4,
                             pa=0.818182, pe=0.233425),
    "brennan_prediger": Estimate(0.772727, se=0.14472, ci_low=0.454, ci_high=1.0,
                                 p_value=2.376e-4, pa=0.818182, pe=0.2),
}  # fmt: skip
"""irrCAC 1.0 on ``cac.raw4raters``, unweighted (``pa.coeff.raw``, ``gwet.ac1.raw``,
``fleiss.kappa.raw``, ``conger.kappa.raw``, ``bp.coeff.raw``): coefficient, SE, 95 % CI, p, pa, pe.
Conger's value is for irrCAC's layout of unit 12 (see the note)."""

K1_IRRCAC_QUADRATIC = {
    "gwet_ac": Estimate(0.914001, se=0.10396),
    "fleiss_kappa": Estimate(0.864935, se=0.14603),
}
"""irrCAC 1.0 on ``cac.raw4raters`` with ``weights = "quadratic"``: AC2 and Fleiss' kappa (SE)."""

K1_LANDIS_KOCH = {"Almost Perfect": 0.39674, "Substantial": 0.88336, "Moderate": 0.99542}
"""irrCAC 1.0 ``landis.koch.bf`` for K1's AC1 and SE as given (``K1_LANDIS_KOCH_INPUT``):
cumulative membership probability of each Landis-Koch band; "Moderate" at the 95 % rule."""

K1_LANDIS_KOCH_INPUT = Estimate(0.77544, se=0.14295)
"""The AC1 and SE that irrCAC's ``landis.koch.bf`` call of ``K1_LANDIS_KOCH`` was given (K1)."""

K1_TWO_OBSERVER_EXAMPLES = {"binary": 0.0952381, "nominal": 0.6919643}
"""Krippendorff (2011) two-observer examples (published 0.095 and 0.692), as krippendorff 0.9.0
prints them."""

KRIPPENDORFF_PACKAGE_EXAMPLE = {"nominal": 0.691358, "interval": 0.810845}
"""krippendorff 0.9.0 README and docstring example (3 coders x 15 units)."""

# --- K2: Fleiss (1971), 30 subjects x 6 raters ----------------------------------------------------

K2_FLEISS = Estimate(0.4302445, se=0.0542, ci_low=0.319, ci_high=0.541, p_value=9.37e-9,
                     pa=0.5555556, pe=0.2199383)  # fmt: skip
"""Fleiss' kappa on ``irr::diagnoses``: kappa (published to three decimals; irr ``kappam.fleiss``,
statsmodels ``fleiss_kappa``, irrCAC), P-bar and P-bar_e (published); SE, CI, p from irrCAC 1.0
``fleiss.kappa.raw``."""

K2_OTHER = {
    "conger_kappa": Estimate(0.4418085, se=0.05079),
    "krippendorff_alpha": Estimate(0.4334098, se=0.0542),
    "gwet_ac": Estimate(0.44788, se=0.05566, ci_low=0.334, ci_high=0.562),
    "brennan_prediger": Estimate(0.4444444, se=0.05512),
}
"""Fleiss (1971) data, other coefficients: Conger (irr ``kappam.fleiss(exact=TRUE)``, irrCAC),
alpha nominal (krippendorff 0.9.0, irrCAC), AC1 (irrCAC), Brennan-Prediger (irrCAC; statsmodels
``fleiss_kappa(method='randolph')``); SEs and CI from irrCAC 1.0."""

K2_IRR_ALPHA_BUG = 0.4308776
"""irr 0.84.1 ``kripp.alpha`` on ``diagnoses``: a known bug; qainsights follows krippendorff and
irrCAC (``K2_OTHER``)."""

K2_CATEGORY_KAPPA = (0.244755, 0.244755, 0.520000, 0.471127, 0.566118)
"""Per-category kappa on Fleiss (1971), categories 1-5: irr 0.84.1
``kappam.fleiss(diagnoses, detail = TRUE)``, recomputed (K8)."""

# --- K3: Wikipedia's Fleiss' kappa example (10 subjects x 14 raters, counts) -----------------------

K3_FLEISS = Estimate(0.2099307, se=0.09237, ci_low=0.001, ci_high=0.419, p_value=0.04915,
                     pa=0.3780220, pe=0.2127551)  # fmt: skip
"""irrCAC 1.0 ``fleiss.kappa.dist`` (Wikipedia publishes P-bar, P-bar_e and kappa to three
decimals; statsmodels ``fleiss_kappa`` agrees to all printed digits)."""

K3_OTHER = {
    "gwet_ac": Estimate(0.2256142, se=0.09332),
    "krippendorff_alpha": Estimate(0.2155741, se=0.09246),
    "brennan_prediger": Estimate(0.2225275),
    "percent_agreement": Estimate(0.3780220),
}
"""irrCAC 1.0 ``gwet.ac1.dist``, ``krippen.alpha.dist``, ``bp.coeff.dist``, ``pa.coeff.dist`` on the
Wikipedia counts."""

# --- K4: Cohen's kappa (two raters) ----------------------------------------------------------------

K4_WIKIPEDIA = Estimate(0.4, se=0.126996, ci_low=0.145, ci_high=0.655, pa=0.7, pe=0.5)
"""Wikipedia 2x2 ``[[20, 5], [10, 15]]``: p_o, p_e, kappa (published); ASE from statsmodels
``cohens_kappa``; t-based CI from irrCAC 1.0 ``kappa2.table`` (SE 0.12700)."""

K4_COHEN_1968 = {
    "unweighted": Estimate(0.4915254, se=0.0510018),
    "weighted": Estimate(0.3478261, se=0.0755040),
}
"""Cohen (1960/1968) 3x3 (proportions x 200), unweighted (published .492; SE statsmodels, irrCAC,
psych) and with disagreement weights ``[[0,1,3],[1,0,6],[3,6,0]]`` (published .348; SE statsmodels
and irrCAC; psych's 0.3518 is not followed)."""

K4_FLEISS_COHEN_EVERITT = {
    "unweighted": Estimate(0.4285714, se=0.0537110),
    "weighted": Estimate(0.5070700, se=0.0569939),
}
"""Fleiss, Cohen & Everitt (1969) table: kappa and SE (all tools); weighted kappa and SE
(statsmodels, irrCAC)."""

K4_FLEISS_COHEN_EVERITT_PSYCH_SE = 0.052427
"""psych 2.2.9's SE of the weighted kappa of Fleiss, Cohen & Everitt (1969); not followed."""

K4_SAS = {
    None: Estimate(0.4842, se=0.1380),
    "linear": Estimate(0.4701, se=0.1457),
    "quadratic": Estimate(0.450161, se=0.192233),
}
"""SAS printout reproduced in statsmodels' tests (``[[0,4,1],[0,8,0],[0,1,5]]``): kappa and ASE by
weights, to the digits printed (4, 4 and 6)."""

K4_VISION = {
    None: (Estimate(0.5953888, se=0.0072869), 0.616044),
    "linear": (Estimate(0.6523804, se=0.0070753), 0.717283),
    "quadratic": (Estimate(0.7023343, se=0.0083819), 0.795916),
}
"""Stuart (1953) vision table by weights: (kappa and ASE from irr, statsmodels, irrCAC; AC1/AC2
from irrCAC 1.0)."""

K4_ANXIETY = {
    None: Estimate(0.1194969, se=0.119271),
    "linear": Estimate(0.1891892, se=0.131295),
    "quadratic": Estimate(0.2967651, se=0.157006),
}
"""irr ``anxiety``, rater 1 vs rater 2: kappa from irr 0.84.1 ``kappa2`` and sklearn
``cohen_kappa_score``; ASE from statsmodels ``cohens_kappa``."""

K4_ANXIETY_RATERS_2_3 = -0.006289308
"""irr 0.84.1 ``kappa2(anxiety[, 2:3])``."""

# --- K5: irrCAC contingency tables (SE = Gwet, table formula; CI t-based) ---------------------------

K5_TABLES = {
    ("abstractors", None): {
        "cohen_kappa": Estimate(0.7964094, se=0.0589107),
        "scott_pi": Estimate(0.7962397, se=0.0590547),
        "gwet_ac": Estimate(0.8493305, se=0.0432175),
        "brennan_prediger": Estimate(0.835, se=0.0469335),
        "krippendorff_alpha": Estimate(0.7972585),
        "percent_agreement": Estimate(0.89, se=0.0312890),
    },
    ("abstractors", "linear"): {
        "cohen_kappa": Estimate(0.8429020, se=0.0478721),
        "scott_pi": Estimate(0.8428010, se=0.0479607),
        "gwet_ac": Estimate(0.9000227, se=0.0292756),
        "brennan_prediger": Estimate(0.87625, se=0.0352001),
        "percent_agreement": Estimate(0.945, se=0.0156445),
    },
    ("abstractors", "quadratic"): {
        "cohen_kappa": Estimate(0.8921569, se=0.0353515),
        "scott_pi": Estimate(0.8921093, se=0.0353951),
        "gwet_ac": Estimate(0.9402369, se=0.0179202),
        "brennan_prediger": Estimate(0.9175, se=0.0234667),
        "percent_agreement": Estimate(0.9725, se=0.0078222),
    },
    ("diagnosis", None): {
        "cohen_kappa": Estimate(0.4315008, se=0.0459692),
        "scott_pi": Estimate(0.4303406, se=0.0462315),
        "gwet_ac": Estimate(0.4561576, se=0.0434499),
        "brennan_prediger": Estimate(0.4499253, se=0.0439553),
        "krippendorff_alpha": Estimate(0.4316178),
        "percent_agreement": Estimate(0.5874439, se=0.0329665),
    },
    ("diagnosis", "linear"): {
        "cohen_kappa": Estimate(0.4068109, se=0.0533881),
        "scott_pi": Estimate(0.4055511, se=0.0536689),
        "gwet_ac": Estimate(0.3770679, se=0.0560646),
        "brennan_prediger": Estimate(0.3470852, se=0.0597567),
        "percent_agreement": Estimate(0.7279522, se=0.0248986),
    },
    ("diagnosis", "quadratic"): {
        "cohen_kappa": Estimate(0.3831859, se=0.0657947),
        "scott_pi": Estimate(0.3820304, se=0.0660590),
        "gwet_ac": Estimate(0.2985730, se=0.0751795),
        "brennan_prediger": Estimate(0.2358744, se=0.0846706),
        "percent_agreement": Estimate(0.7877429, se=0.0235196),
    },
}
"""irrCAC 1.0 ``*.table`` functions on ``cont3x3abstractors`` and ``cont4x4diagnosis`` by
(table, weights): coefficient and irrCAC's table SE (variance over n^2; see the note's **choice**)."""

K5_ABSTRACTORS_ALPHA_QUADRATIC = 0.8926487
"""irrCAC 1.0 ``krippen.alpha.table(cont3x3abstractors, weights = "quadratic")`` (= interval)."""

# --- K6: kappa paradox tables ----------------------------------------------------------------------

K6_PARADOX = [
    ([[40, 9], [6, 45]], {"percent_agreement": 0.85, "cohen_kappa": (0.6995192, 0.0713936),
     "scott_pi": 0.6992481, "gwet_ac": (0.7007481, 0.0713518), "brennan_prediger": 0.7,
     "krippendorff_alpha": 0.7007519}),
    ([[80, 10], [5, 5]], {"percent_agreement": 0.85, "cohen_kappa": (0.3181818, 0.1334565),
     "scott_pi": 0.3142857, "gwet_ac": (0.808, 0.0521294), "brennan_prediger": 0.7,
     "krippendorff_alpha": 0.3177143}),
    ([[118, 5], [2, 0]], {"percent_agreement": 0.944, "cohen_kappa": (-0.0233918, 0.0122868),
     "scott_pi": -0.0288066, "gwet_ac": (0.9407763, 0.0229646), "brennan_prediger": 0.888,
     "krippendorff_alpha": -0.0246914}),
]  # fmt: skip
"""irrCAC 1.0 ``*.table`` on the kappa-paradox tables: PA, Cohen (coefficient, SE), Scott, AC1
(coefficient, table SE), Brennan-Prediger, alpha. The third table is van Oest (2019), Table 4,
transposed."""

# --- K7: Shrout & Fleiss (1979), 6 targets x 4 judges -------------------------------------------

K7_ICC_PUBLISHED = {
    "ICC1": 0.17,
    "ICC2": 0.29,
    "ICC3": 0.71,
    "ICC1k": 0.44,
    "ICC2k": 0.62,
    "ICC3k": 0.91,
}
"""Shrout & Fleiss (1979), Table 4 (two decimals): ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,4),
ICC(2,4), ICC(3,4), under pingouin's names."""

K7_ICC_PINGOUIN = {
    "ICC1": Estimate(0.1657417684, p_value=0.1647688083, ci_low=-0.13, ci_high=0.72),
    "ICC2": Estimate(0.2897637795, p_value=0.0001345665, ci_low=0.02, ci_high=0.76),
    "ICC3": Estimate(0.7148407148, p_value=0.0001345665, ci_low=0.34, ci_high=0.95),
    "ICC1k": Estimate(0.4427971337, p_value=0.1647688083, ci_low=-0.88, ci_high=0.91),
    "ICC2k": Estimate(0.6200505476, p_value=0.0001345665, ci_low=0.07, ci_high=0.93),
    "ICC3k": Estimate(0.9093155424, p_value=0.0001345665, ci_low=0.68, ci_high=0.99),
}
"""pingouin 0.7.0 ``intraclass_corr(long, targets="t", raters="r", ratings="s")`` on Shrout &
Fleiss' Table 2 in long format: ICC, p of F, CI95 (printed to two decimals). F = 1.7946784922 on
(5, 18) df for ICC1/ICC1k, 11.0272479564 on (5, 15) df for the others."""

# --- K10: ConvAbuse sample -------------------------------------------------------------------------

K10_CONVABUSE_ALPHA = {
    ("abusive", "nominal"): 0.652,
    ("severity", "ordinal"): 0.660,
    ("severity", "interval"): 0.734,
}
"""Krippendorff's alpha recorded with the ConvAbuse release (Cercas Curry, Abercrombie & Rieser
2021, ``ConvAbuseEMNLPfull.csv``, CC BY 4.0), first annotation per item and annotator: binary
abusive, 5-point severity ordinal and interval."""

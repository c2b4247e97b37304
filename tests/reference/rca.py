"""Root-cause analysis: the published values of tests/reference/rca.md.

The data (UCBAdmissions, Agresti's AZT table) are in tests/rca/rca_data.py; Newcombe's interval
of the Pareto comparison is ``NEWCOMBE_TABLE_II[56, 70, 48, 80]`` in ``reference.experiments``.
"""

UCB_GLM = {
    ("gender", "Female"): (0.09987, 0.08085),
    ("dept", "B"): (-0.04340, 0.10984),
    ("dept", "C"): (-1.26260, 0.10663),
    ("dept", "D"): (-1.29461, 0.10582),
    ("dept", "E"): (-1.73931, 0.12611),
    ("dept", "F"): (-3.30648, 0.16998),
}
"""R 4.x ``summary(glm(cbind(Freq.Admitted, Freq.Rejected) ~ Gender + Dept, family = binomial,
data = w))$coefficients`` on ``datasets::UCBAdmissions`` (Bickel, Hammel & O'Connell 1975):
(estimate, standard error) by (factor, level), against Male and department A."""

UCB_GLM_INTERCEPT = (0.58205, 0.06899)
"""The intercept (estimate, standard error) of the same R ``glm`` call."""

AGRESTI_AZT = {
    "intercept": -1.074,
    "azt": -0.720,
    "white": 0.056,
    "se_azt": 0.279,
    "se_white": 0.289,
    "odds_ratio_azt": 0.49,
    "odds_ratio_azt_ci": (0.28, 0.84),
}
"""Agresti, A. (2007), *An Introduction to Categorical Data Analysis*, 2nd ed., Table 5.6 and
section 5.4.2: logit fit of AIDS symptoms on AZT use and race (x = 1 for AZT, z = 1 for white),
three decimals; conditional odds ratio for AZT with its 95 % Wald interval."""

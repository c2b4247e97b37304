"""Process capability: the printed reference values of tests/reference/capability.md, by section.

qcc 3.0 (GitHub luca-scr/qcc) ``processCapability``; D. C. Montgomery, *Introduction to Statistical
Quality Control*; R ``qnorm`` / ``pnorm``; Garwood (1936). Index names are qainsights' (qcc's
``Cp_l``, ``Cp_u``, ``Pp_l``, ``Pp_u`` are ``Cpl``, ``Cpu``, ``Ppl``, ``Ppu``); each value is
``(estimate, 2.5 %, 97.5 %)`` as qcc labels its columns. The piston-ring centre and sigmas are
in ``reference.spc`` (case 3.2); the data are in tests/capability/capability_data.py.
"""

# --- §1 Piston rings, phase I (Montgomery Table 6.3; qcc ``pistonrings``, samples 1-25) -----------

PISTON_WIDE_SPECS = {"lsl": 73.95, "usl": 74.05}
"""The specification limits of the note's first qcc 3.0 call,
``processCapability(q, spec.limits = c(73.95, 74.05), target = 74)``."""

PISTON_TIGHT_SPECS = {"lsl": 73.99, "usl": 74.01}
"""The specification limits of the note's second qcc 3.0 call,
``processCapability(q, spec.limits = c(73.99, 74.01), target = 74)``."""

PISTON_WIDE = {
    "Cp": (1.703281, 1.491411, 1.914826),
    "Cpl": (1.743342, 1.554765, 1.931919),
    "Cpu": (1.663219, 1.482710, 1.843729),
    "Cpk": (1.663219, 1.448129, 1.878310),
    "Cpm": (1.691111, 1.480113, 1.901786),
    "Pp": (1.655086, 1.449211, 1.860646),
    "Ppl": (1.694014, 1.510407, 1.877621),
    "Ppu": (1.616159, 1.440375, 1.791943),
    "Ppk": (1.616159, 1.406699, 1.825618),
    "Ppm": (1.643914, 1.438884, 1.848630),
}
"""qcc 3.0 ``processCapability(qcc(diameter[1:25, ], type = "xbar"), spec.limits = c(73.95, 74.05),
target = 74)``. The Cpl/Cpu/Ppl/Ppu intervals use z = qnorm(0.95) although labelled 2.5 % / 97.5 %
(a 90 % interval); the Cpm/Ppm intervals use qcc's degrees of freedom (the note's **choice**)."""

PISTON_TIGHT = {
    "Cp": (0.3406561, 0.2982822, 0.3829653),
    "Cpk": (0.3005950, 0.2312102, 0.3699797),
    "Cpm": (0.3382222, 0.2960227, 0.3803571),
    "Pp": (0.3310173, 0.2898423, 0.3721293),
    "Ppk": (0.2920896, 0.2232699, 0.3609094),
}
"""qcc 3.0 ``processCapability(q, spec.limits = c(73.99, 74.01), target = 74)``."""

PISTON_TIGHT_PERCENT_OUT = {
    "expected within": {"below_lsl": 12.66955, "above_usl": 18.35856},
    "observed": {"below_lsl": 12.0, "above_usl": 16.0},
}
"""qcc 3.0 ``processCapability`` with specs (73.99, 74.01): % outside, expected (normal, within
sigma) and observed (15 and 20 of the 125 values)."""

MONTGOMERY_ROUNDED = {"sigma": 0.0099, "cp": 1.68}
"""Montgomery's Cp = 0.10 / (6 x 0.0099) with the rounded sigma R-bar/d2 = 0.023/2.326 (Table 6.3
example)."""

LATER_EDITION_CP_QCC = 1.668101
"""qcc 3.0 Cp with specs (73.95, 74.05) on the later-edition data (qicharts2 ``tbl_06.03``)."""

# --- §2 qcc 3.0 hand-checkable fixture (``tests/testthat/test-capability.R``) -------------------

QCC_FIXTURE_R_BAR = 0.05
"""Mean range of the fixture's 3 subgroups of 4; qcc's sigma is R-bar / 2.059 (its d2(4))."""

QCC_FIXTURE = {
    "Cp": (1.372667, 0.808460, 1.937713),
    "Cpl": (1.441300, 0.911657, 1.970943),
    "Cpu": (1.304033, 0.820114, 1.787953),
    "Cpk": (1.304033, 0.727408, 1.880659),
    "Pp": (1.612598, 0.949773, 2.276410),
    "Ppl": (1.693228, 1.078708, 2.307749),
    "Ppu": (1.531968, 0.971902, 2.092035),
    "Ppk": (1.531968, 0.864608, 2.199329),
}
"""qcc 3.0 ``tests/testthat/test-capability.R``, specs (9.9, 10.1): expected values at tolerance
1e-6, the same for both targets (Cpl/Cpu/Ppl/Ppu intervals at z = qnorm(0.95))."""

QCC_FIXTURE_TARGETED = {
    10.0: {"Cpm": (1.344463, 0.804207, 1.885321), "Ppm": (1.567395, 0.933327, 2.202237)},
    10.02: {"Cpm": (1.167834, 0.650542, 1.686689), "Ppm": (1.305161, 0.712493, 1.899988)},
}
"""qcc 3.0 ``tests/testthat/test-capability.R``: Cpm and Ppm for target 10.0 (mid-specification)
and 10.02."""

QCC_FIXTURE_LOWER_ONLY = {
    "Cpk": (1.441300, 0.810191, 2.072409),
    "Ppk": (1.693228, 0.960982, 2.425474),
}
"""qcc 3.0 ``tests/testthat/test-capability.R``, lower specification only (9.9, NA). With the
upper only (NA, 10.1), Cpk and Ppk are those of ``QCC_FIXTURE``."""

# --- §3 Montgomery's interval examples ----------------------------------------------------------

MONTGOMERY_CP_EXAMPLE = {"lsl": 38, "usl": 62, "n": 20, "s": 1.75, "cp": 2.29, "ci": (1.57, 3.01)}
"""Montgomery, section "Confidence intervals and tests on process capability ratios": Cp and its
95 % interval (chi-square quantiles 8.91 and 32.85 on 19 df), centred process."""

MONTGOMERY_CPK_EXAMPLE = {"n": 20, "cpk": 1.33, "ci": (0.88, 1.78)}
"""Montgomery, same section: Bissell's 95 % interval of Cpk."""

# --- §4 DPMO and sigma level (R ``qnorm`` / ``pnorm``, one-tailed) -----------------------------

DPMO_TO_SIGMA = {
    3.4: (4.499854, 5.999854),
    233: (3.499575, 4.999575),
    6210: (2.499981, 3.999981),
    66807: (1.500002, 3.000002),
    308538: (0.4999987, 1.999999),
    691462: (-0.4999987, 1.000001),
    500000: (0.0, 1.5),
}
"""R: ``qnorm(1 - dpmo / 1e6)`` (Z_LT) and the same plus 1.5 (sigma level), by DPMO."""

SIGMA_TO_DPMO = {1: 691462.5, 2: 308537.5, 3: 66807.2, 4: 6209.665, 5: 232.6291, 6: 3.397673}
"""R: ``1e6 * pnorm(-(k - 1.5))``, one-tailed with the 1.5 sigma shift, by sigma level k."""

QA_EXAMPLE = {
    "defects": 27,
    "units": 1500,
    "opportunities": 4,
    "dpo": 0.0045,
    "dpmo": 4500.0,
    "z_long_term": 2.612054,
    "sigma_level": 4.112054,
}
"""Worked QA example: DPO and DPMO by hand; Z_LT = R ``qnorm(1 - 0.0045)``, plus 1.5."""

CENTRED_PPM = {
    0.5: 133614.4,
    1.0: 2699.796,
    1.33: 66.0733,
    4 / 3: 63.34248,
    1.5: 6.795346,
    1.67: 0.5443004,
    2.0: 0.001973175,
}
"""R: ``2e6 * pnorm(-3 * cp)``, two-sided ppm out of spec of a centred process, by Cp."""

# --- §5 Exact count intervals -------------------------------------------------------------------

GARWOOD_95 = {0: (0.0, 3.689), 1: (0.0253, 5.572), 10: (4.795, 18.39)}
"""Garwood (1936) exact 95 % Poisson limits by count, as tabulated in Ulm (1990),
*Am. J. Epidemiol.* 131, 373."""

"""Difference-in-differences verdicts: the assumption rows, the inference's description, its warnings."""

from __future__ import annotations

import warnings

import numpy as np

from .._caller import caller, user_stacklevel
from .result import assumption_row

#: one-sided level of the serial-correlation check that switches "auto" to the collapse
SERIAL_ALPHA = 0.10


def inference_detail(chosen, asked, rho, p_serial, df, group) -> str:
    what = {
        "aggregate": f"{group} x period cells (adjusted empirical logits, weighted least squares "
        f"with {group} and period effects), t reference on {df:.0f} residual degrees of freedom",
        "collapsed": f"pre/post change of each {group}, treated against comparison {group}s by a "
        f"two-sample t test on {df:.0f} degrees of freedom (robust to serial correlation)",
        "randomization": f"randomisation inference: the treated {group}s' mean pre/post change "
        f"against the comparison {group}s', ranked among all {df:,.0f} assignments of as many "
        f"treated {group}s (exact p-value when {group}s are exchangeable, robust to serial "
        "correlation; interval by inverting the test for a constant effect)",
    }[chosen]
    if asked != "auto":
        return f"{what}; chosen by the caller"
    if np.isnan(rho):
        return f"{what}; too few periods to check for serially correlated shocks"
    verdict = "evidence of" if chosen == "collapsed" else "no evidence of"
    return (
        f"{what}; chosen because there is {verdict} serially correlated shocks (lag-1 "
        f"autocorrelation {rho:.2f}, one-sided p {p_serial:.3f})"
    )


def warn_design(detail, df, serial, n_treated, rho, group, chosen, level) -> None:
    """Warn when the design cannot support the inference it reports."""
    func = caller()
    problems = []
    if chosen == "randomization":
        if 1 / df >= 1 - level:
            problems.append(
                f"only {df:,.0f} assignments of the treated {group}s exist, so no p-value can "
                f"fall below {1 / df:.3f} and the {level:.0%} interval may be unbounded"
            )
    elif df < 1:
        problems.append(
            f"no degrees of freedom are left ({detail}), so the interval and p-value are NaN"
        )
    elif serial and n_treated == 1 and chosen != "randomization":
        problems.append(
            f"one treated {group} with serially correlated shocks (lag-1 autocorrelation "
            f"{rho:.2f}): the interval rests on the treated {group}'s shocks being like the "
            f"comparison {group}s' (Conley & Taber 2011), which the data cannot check, and "
            "its false-positive rate may exceed the nominal level"
        )
    elif np.isnan(rho) and chosen != "randomization":
        problems.append(
            "too few periods to check for serially correlated shocks, which would make the "
            "interval too narrow"
        )
    if problems:
        warnings.warn(
            f"{func}: the design cannot fully support inference: {problems[0]}. Add treated "
            f"{group}s or periods, or read the estimate without its p-value.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def serial_check(rho, p_serial) -> dict:
    if np.isnan(rho):
        return assumption_row("no serial correlation", np.nan, np.nan, None, "too few periods")
    return assumption_row(
        "no serial correlation",
        rho,
        p_serial,
        bool(p_serial >= SERIAL_ALPHA),
        f"lag-1 autocorrelation of the cell residuals {rho:.2f} (corrected for the fixed "
        f"effects); below p {SERIAL_ALPHA} the pre/post collapse is used",
    )


def groups_check(n_treated, n_comparison, group) -> dict:
    return assumption_row(
        "treated groups",
        float(n_treated),
        np.nan,
        n_treated >= 2,
        f"{n_treated} treated and {n_comparison} comparison {group}s: with one treated "
        f"{group} the inference assumes its period shocks vary like the comparison {group}s'",
    )


def trend_check(trend, level) -> dict:
    if trend is None:
        return assumption_row("parallel pre-trends", np.nan, np.nan, None, "too few pre-periods")
    ratio, low, high = np.exp([trend["estimate"], trend["ci_low"], trend["ci_high"]])
    passed = bool(trend["p_value"] >= 1 - level)
    return assumption_row(
        "parallel pre-trends",
        float(ratio),
        trend["p_value"],
        passed,
        f"treated vs comparison trend before the start: odds ratio {ratio:.3f} per period "
        f"({level:.0%} CI {low:.3f} to {high:.3f})",
    )

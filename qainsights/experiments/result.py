"""Result objects of the experiment designs: effects, checks, a summary paragraph and a chart."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import TidyResult, drawing

__all__ = ["ABTestResult", "DiffInDiffResult", "InterruptedSeriesResult"]

EFFECT_COLUMNS = ["effect", "scale", "estimate", "ci_low", "ci_high", "p_value"]
ASSUMPTION_COLUMNS = ["check", "statistic", "p_value", "passed", "detail"]


def effect_row(effect: str, scale: str, wald: dict, *, exponentiate: bool = False) -> dict:
    """One row of an effects table; ``exponentiate`` turns log-odds into an odds ratio."""
    values = [wald["estimate"], wald["ci_low"], wald["ci_high"]]
    if exponentiate:
        with np.errstate(over="ignore"):  # a separated model's coefficient: inf, already warned
            values = list(np.exp(values))
    return dict(
        zip(EFFECT_COLUMNS, [effect, scale, *map(float, values), wald["p_value"]], strict=True)
    )


def assumption_row(check: str, statistic, p_value, passed, detail: str) -> dict:
    """One row of an assumptions table; ``passed`` is None where no verdict is possible."""
    return dict(zip(ASSUMPTION_COLUMNS, [check, statistic, p_value, passed, detail], strict=True))


def format_p(p: float) -> str:
    """A p-value as written in a report: ``p < 0.001`` or ``p = 0.034``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _checks_sentence(assumptions: pd.DataFrame) -> str:
    verdict = {True: "holds", False: "FAILS", None: "not checked"}
    parts = [
        f"{row.check} {verdict[row.passed if row.passed in (True, False) else None]} ({row.detail})"
        for row in assumptions.itertuples()
    ]
    return "Checks: " + "; ".join(parts) + "."


class _EffectsResult(TidyResult):
    """A result whose tidy frame is its ``effects`` table."""

    effects: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The effects table."""
        return self.effects


@dataclass(frozen=True, repr=False)
class ABTestResult(_EffectsResult):
    """Two arms compared: rates per arm, effects, and the checks behind them.

    Attributes
    ----------
    rates : DataFrame
        Per arm: ``arm``, ``n``, ``errors``, ``rate``, ``ci_low``, ``ci_high``.
    effects : DataFrame
        ``effect`` (``rate_difference``, ``rate_ratio``, ``odds_ratio``), ``scale``,
        ``estimate``, ``ci_low``, ``ci_high``, ``p_value``.
    assumptions : DataFrame
        ``check``, ``statistic``, ``p_value``, ``passed``, ``detail``.
    control, treatment : str
        Labels of the arms.
    test : str
        The test behind the p-values of the rate difference and ratio.
    ci : float
        Confidence level.
    """

    rates: pd.DataFrame
    effects: pd.DataFrame
    assumptions: pd.DataFrame
    control: str
    treatment: str
    test: str
    ci: float
    _title = "A/B test of error rates"

    def summary(self) -> str:
        """One paragraph in plain language."""
        rates = self.rates.set_index("arm")["rate"]
        diff = self.effects.set_index("effect").loc["rate_difference"]
        odds = self.effects.set_index("effect").loc["odds_ratio"]
        direction = "lower" if diff["estimate"] < 0 else "higher"
        return (
            f"The error rate of {self.treatment} was {rates[self.treatment]:.2%} against "
            f"{rates[self.control]:.2%} for {self.control}: {abs(diff['estimate']) * 100:.2f} "
            f"points {direction} ({self.ci:.0%} CI {diff['ci_low'] * 100:+.2f} to "
            f"{diff['ci_high'] * 100:+.2f} points; {self.test}, {format_p(diff['p_value'])}). "
            + (
                "The odds ratio is undefined (an arm has no errors or only errors). "
                if np.isnan(odds["estimate"])
                else f"The odds ratio from the logistic model is {odds['estimate']:.2f} "
                f"({self.ci:.0%} CI {odds['ci_low']:.2f} to {odds['ci_high']:.2f}; "
                f"{format_p(odds['p_value'])}). "
            )
            + _checks_sentence(self.assumptions)
        )

    plot = drawing("experiments", "plot_ab_test", "Draw each arm's error rate with its interval.")


@dataclass(frozen=True, repr=False)
class DiffInDiffResult(_EffectsResult):
    """A difference-in-differences estimate with its series and checks.

    Attributes
    ----------
    effects : DataFrame
        ``effect`` (``odds_ratio``, ``rate_difference``), ``scale``, ``estimate``,
        ``ci_low``, ``ci_high``, ``p_value``.
    series : DataFrame
        ``arm`` (``treated`` or ``comparison``), the period column, ``n``, ``errors``,
        ``rate``, ``ci_low``, ``ci_high``.
    assumptions : DataFrame
        ``check``, ``statistic``, ``p_value``, ``passed``, ``detail``.
    treated, comparison : tuple
        The groups of each arm.
    start : Timestamp
        First period of the intervention.
    ci : float
        Confidence level.
    n_audits : int
        Audits in the model.
    n_clusters : int or None
        Independent units behind the standard errors: group x period cells
        (``"aggregate"``), groups (``"collapsed"``, ``"randomization"``) or clusters (``"cluster"``; None for
        model-based errors).
    inference : str
        ``"aggregate"``, ``"collapsed"``, ``"randomization"`` or ``"cluster"``: how the
        interval was made.
    inference_detail : str
        What that inference is, and why it was chosen or why it is doubtful.
    df : float
        Degrees of freedom of the t reference (``inf`` for the normal reference, NaN for
        randomisation inference).
    """

    effects: pd.DataFrame
    series: pd.DataFrame
    assumptions: pd.DataFrame
    treated: tuple
    comparison: tuple
    start: pd.Timestamp
    ci: float
    n_audits: int
    n_clusters: int | None
    inference: str
    inference_detail: str
    df: float
    _title = "Difference-in-differences"

    def summary(self) -> str:
        """One paragraph in plain language."""
        effects = self.effects.set_index("effect")
        odds, diff = effects.loc["odds_ratio"], effects.loc["rate_difference"]
        treated, comparison = (
            ", ".join(map(str, self.treated)),
            ", ".join(map(str, self.comparison)),
        )
        return (
            f"From {self.start.date()}, the error odds at {treated} were {odds['estimate']:.2f} "
            f"times ({self.ci:.0%} CI {odds['ci_low']:.2f} to {odds['ci_high']:.2f}; "
            f"{format_p(odds['p_value'])}) what the change at {comparison} over the same "
            f"periods predicts. On {treated}'s audits since then that is "
            f"{diff['estimate'] * 100:+.2f} points of error rate ({self.ci:.0%} CI "
            f"{diff['ci_low'] * 100:+.2f} to {diff['ci_high'] * 100:+.2f}), from "
            f"{self.n_audits:,} audits. Inference: {self.inference_detail}. "
            + _checks_sentence(self.assumptions)
        )

    plot = drawing(
        "experiments", "plot_diff_in_diff",
        "Draw each arm's error rate per period, with intervals and the start marked.",
    )  # fmt: skip


@dataclass(frozen=True, repr=False)
class InterruptedSeriesResult(_EffectsResult):
    """A segmented regression of one error-rate series around an intervention.

    Attributes
    ----------
    effects : DataFrame
        ``effect`` (``level_change``, ``slope_change``: odds ratios, the second per period),
        ``scale``, ``estimate``, ``ci_low``, ``ci_high``, ``p_value``.
    series : DataFrame
        The period column, ``n``, ``errors``, ``rate``, ``ci_low``, ``ci_high``,
        ``fitted`` (the model's rate) and ``counterfactual`` (the pre-period line carried on).
    assumptions : DataFrame
        ``check``, ``statistic``, ``p_value``, ``passed``, ``detail``.
    start : Timestamp
        First period of the intervention.
    ci : float
        Confidence level.
    dispersion : float
        Pearson chi-square over residual degrees of freedom; the variances are scaled by it
        when it exceeds 1.
    """

    effects: pd.DataFrame
    series: pd.DataFrame
    assumptions: pd.DataFrame
    start: pd.Timestamp
    ci: float
    dispersion: float
    _title = "Interrupted time series"

    def summary(self) -> str:
        """One paragraph in plain language."""
        effects = self.effects.set_index("effect")
        level, slope = effects.loc["level_change"], effects.loc["slope_change"]
        return (
            f"At {self.start.date()} the error odds changed by a factor of "
            f"{level['estimate']:.2f} ({self.ci:.0%} CI {level['ci_low']:.2f} to "
            f"{level['ci_high']:.2f}; {format_p(level['p_value'])}) against the pre-period "
            f"trend carried on, and the trend itself by a factor of {slope['estimate']:.3f} per "
            f"period ({self.ci:.0%} CI {slope['ci_low']:.3f} to {slope['ci_high']:.3f}; "
            f"{format_p(slope['p_value'])}). Without a comparison group, anything else that "
            "changed at the same time is part of this estimate. "
            + _checks_sentence(self.assumptions)
        )

    plot = drawing(
        "experiments", "plot_interrupted_series",
        "Draw the rates with intervals, the fitted segments and the counterfactual.",
    )  # fmt: skip

"""The result of a capability analysis, and its capability plot."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import TidyResult, drawing
from ._distributions import Fit

__all__ = ["CapabilityResult"]


@dataclass(frozen=True, eq=False, repr=False)
class CapabilityResult(TidyResult):
    """Capability indices of a process with their intervals, tail rates and checks.

    Attributes
    ----------
    indices : pandas.DataFrame
        One row per index, in the order Cp, Cpl, Cpu, Cpk, Cpm, Pp, Ppl, Ppu, Ppk, Ppm, with
        columns ``index``, ``estimate``, ``ci_low``, ``ci_high`` and ``method`` (the formula
        and interval method, or why the index is undefined: then the numbers are NaN).
    out_of_spec : pandas.DataFrame
        Parts per million outside the specifications, without truncation: columns
        ``source`` (``"observed"``, then each fitted distribution), ``below_lsl``,
        ``above_usl`` and ``total``.
    n : int
        Number of values.
    n_subgroups : int
        Number of subgroups (equal to ``n`` for individual values).
    center : float
        Mean of the values on the analysed scale (after a Box-Cox transform, if any).
    sigma_within, sigma_overall : float
        Within-subgroup and overall standard deviation on the analysed scale (NaN when the
        method does not use them).
    sigma_method : str
        The within-subgroup estimator, for example ``"R-bar/d2"``.
    lsl, usl, target : float or None
        The specifications as given (original scale).
    method : str
        The method used: ``"normal"``, ``"box-cox"``, ``"percentile"``, ``"lognormal"`` or
        ``"weibull"``.
    method_reason : str
        Why that method was used, with the normality test result.
    normality_test : str
        Name of the normality test on the analysed scale.
    normality_pvalue : float
        Its p-value (NaN when there were too few values).
    stable : bool
        False when a subgroup mean (or an individual value) lies beyond its 3-sigma control
        limits, computed with the within sigma: capability then describes no single process.
    out_of_control : tuple
        The subgroups (or positions of individual values) beyond the limits.
    values : numpy.ndarray
        The values on the original scale, for the histogram.
    fits : tuple of Fit
        The fitted distributions drawn by :meth:`plot` (within and overall normal curves,
        or the fitted non-normal distribution).
    """

    indices: pd.DataFrame
    out_of_spec: pd.DataFrame
    n: int
    n_subgroups: int
    center: float
    sigma_within: float
    sigma_overall: float
    sigma_method: str
    lsl: float | None
    usl: float | None
    target: float | None
    method: str
    method_reason: str
    normality_test: str
    normality_pvalue: float
    stable: bool
    out_of_control: tuple
    values: np.ndarray
    fits: tuple[tuple[str, Fit], ...]

    _title = "Process capability"

    def to_frame(self) -> pd.DataFrame:
        """Return the index table (a copy of :attr:`indices`)."""
        return self.indices.copy()

    def _estimate(self, name: str) -> float:
        return float(self.indices.loc[self.indices["index"] == name, "estimate"].iloc[0])

    @property
    def cp(self) -> float:
        """Cp: specification width over six within sigmas (NaN if one-sided)."""
        return self._estimate("Cp")

    @property
    def cpl(self) -> float:
        """Cpl: distance from the mean down to the LSL over three within sigmas."""
        return self._estimate("Cpl")

    @property
    def cpu(self) -> float:
        """Cpu: distance from the mean up to the USL over three within sigmas."""
        return self._estimate("Cpu")

    @property
    def cpk(self) -> float:
        """Cpk: the smaller of Cpl and Cpu."""
        return self._estimate("Cpk")

    @property
    def cpm(self) -> float:
        """Cpm (Taguchi): Cp with the distance of the mean from the target added to sigma."""
        return self._estimate("Cpm")

    @property
    def pp(self) -> float:
        """Pp: Cp with the overall sigma."""
        return self._estimate("Pp")

    @property
    def ppl(self) -> float:
        """Ppl: Cpl with the overall sigma."""
        return self._estimate("Ppl")

    @property
    def ppu(self) -> float:
        """Ppu: Cpu with the overall sigma."""
        return self._estimate("Ppu")

    @property
    def ppk(self) -> float:
        """Ppk: the smaller of Ppl and Ppu."""
        return self._estimate("Ppk")

    @property
    def ppm(self) -> float:
        """Ppm: Cpm with the overall sigma (the index; parts per million are in out_of_spec)."""
        return self._estimate("Ppm")

    plot = drawing(
        "capability", "plot_capability",
        "Draw the histogram with specifications, target, fitted curves and the indices.",
        returns="matplotlib.axes.Axes\n        The histogram (density scale), one vertical line "
        'per specification and target (``"LSL"``, ``"USL"``, ``"target"``), one curve per '
        "fitted distribution (labelled by its name) and :meth:`summary` to the right.",
    )  # fmt: skip

    def summary(self) -> str:
        """The defined indices with their intervals, then ``n``, the ppm and the stability check."""
        defined = self.indices.dropna(subset=["estimate"])
        lines = [
            f"{name:<4}{estimate:6.2f}" + ("" if np.isnan(low) else f" [{low:.2f}, {high:.2f}]")
            for name, estimate, low, high in zip(
                defined["index"],
                defined["estimate"],
                defined["ci_low"],
                defined["ci_high"],
                strict=True,
            )
        ]
        lines += ["", f"n = {self.n}"]
        lines += [
            f"{source}: {total:.4g} ppm"
            for source, total in zip(
                self.out_of_spec["source"], self.out_of_spec["total"], strict=True
            )
        ]
        lines.append("stable" if self.stable else f"NOT stable ({len(self.out_of_control)} out)")
        return "\n".join(lines)

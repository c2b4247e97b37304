"""Control charts for moderation quality: Shewhart charts, run rules, phases, many segments.

Every chart takes ``data`` first and keyword column names (or arrays when ``data`` is None)
and returns a result with ``.table`` (one row per subgroup), ``.signals`` (one row per fired
rule), ``.plot()`` and an HTML view in notebooks.
"""

from .attributes import c_chart, np_chart, p_chart, u_chart
from .constants import c4, chart_constants, d2, d3
from .dispersion import overdispersion_test
from .pack import chart_choice, latest_complete_week, rule_firings
from .rare import g_chart, t_chart
from .result import ControlChart, ControlChartPair
from .rules import RULE_SETS, RULES, anhoj_limits
from .runchart import run_chart
from .segments import ControlChartSet, control_charts
from .sigma import (
    sigma_moving_range,
    sigma_overall,
    sigma_pooled,
    sigma_range,
    sigma_sbar,
)
from .timeweighted import CusumChart, cusum_chart, ewma_chart
from .variables import i_mr_chart, xbar_r_chart, xbar_s_chart

__all__ = [
    "RULES",
    "RULE_SETS",
    "ControlChart",
    "ControlChartPair",
    "ControlChartSet",
    "CusumChart",
    "anhoj_limits",
    "c4",
    "c_chart",
    "chart_choice",
    "chart_constants",
    "control_charts",
    "cusum_chart",
    "d2",
    "d3",
    "ewma_chart",
    "g_chart",
    "i_mr_chart",
    "latest_complete_week",
    "np_chart",
    "overdispersion_test",
    "p_chart",
    "rule_firings",
    "run_chart",
    "sigma_moving_range",
    "sigma_overall",
    "sigma_pooled",
    "sigma_range",
    "sigma_sbar",
    "t_chart",
    "u_chart",
    "xbar_r_chart",
    "xbar_s_chart",
]

"""Every result class keeps the one result contract of ``qainsights._results``.

The classes are discovered (every concrete subclass of ``TidyResult`` in the package); each
needs an example below, built from its function's documented example, so that a new result
class cannot skip the contract.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import qainsights
from qainsights._results import TidyResult


def _result_classes() -> list[type]:
    for info in pkgutil.walk_packages(qainsights.__path__, prefix="qainsights."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found, stack = set(), [TidyResult]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if not inspect.isabstract(cls) and dataclasses.is_dataclass(cls):
                found.add(cls)
    return sorted(found, key=lambda cls: cls.__name__)


def _weekly_segments() -> pd.DataFrame:
    errors = {"a": [5, 4, 6, 5, 4, 5, 6, 5], "b": [5, 4, 6, 5, 4, 5, 6, 30]}
    return pd.DataFrame(
        {
            "site": np.repeat(list(errors), 8),
            "week": np.tile(np.arange(8), 2),
            "errors": errors["a"] + errors["b"],
            "n": 200,
        }
    )


def _two_months() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": ["a", "a", "b", "b"] * 2,
            "queue": ["x", "y"] * 4,
            "month": ["2026-01"] * 4 + ["2026-02"] * 4,
            "errors": [50, 50, 50, 50, 50, 50, 150, 50],
            "audits": [1000] * 8,
        }
    )


def _arms() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arm": ["new"] * 70 + ["old"] * 80,
            "is_error": [True] * 56 + [False] * 14 + [True] * 48 + [False] * 32,
        }
    )


def _its() -> pd.DataFrame:
    weeks = pd.date_range("2026-01-05", periods=12, freq="7D")
    errors = [40, 44, 36, 41, 47, 43, 24, 21, 25, 19, 23, 22]
    return pd.DataFrame(
        {
            "week": np.repeat(weeks, 400),
            "is_error": np.concatenate([np.arange(400) < k for k in errors]),
        }
    )


def _moderators() -> pd.DataFrame:
    errors = [5, 4, 6, 5, 3, 7, 5, 4, 6, 5, 4, 6, 25]
    return pd.DataFrame(
        {
            "moderator_id": np.repeat([f"m{i:02d}" for i in range(13)], 100),
            "is_error": np.concatenate([np.arange(100) < e for e in errors]),
        }
    )


def _drivers():
    from qainsights.rca import error_drivers

    cells = pd.DataFrame(
        {
            "race": ["white", "white", "black", "black"] * 2,
            "azt": ["yes", "no"] * 4,
            "symptoms": [True] * 4 + [False] * 4,
            "patients": [14, 32, 11, 12, 93, 81, 52, 43],
        }
    )
    patients = cells.loc[cells.index.repeat(cells["patients"])]
    return error_drivers(patients, outcome="symptoms", factors=["azt", "race"])


def _did():
    from qainsights.datasets import simulate_audits
    from qainsights.experiments import diff_in_diff

    audits = simulate_audits(seed=3, weeks=20, effects=["training_wave"]).audits
    return diff_in_diff(
        audits, treated="Lisbon", comparison=["Dublin", "Austin"], start="2026-02-16"
    )


def _terms():
    from qainsights.text import distinctive_terms

    comments = pd.DataFrame(
        {
            "month": ["2026-05"] * 4 + ["2026-06"] * 4,
            "qa_comment": ["missed context", "wrong queue", "missed context", "late"]
            + ["new guideline unclear"] * 2
            + ["missed context", "guideline wording"],
        }
    )
    return distinctive_terms(comments, text="qa_comment", by="month", target="2026-06", min_count=2)


def _themes():
    pytest.importorskip("sklearn")
    from qainsights.text import comment_themes

    comments = pd.DataFrame(
        {
            "qa_comment": ["missed the context of the thread"] * 6 + ["media did not load"] * 6,
            "month": ["2026-05", "2026-06"] * 6,
        }
    )
    return comment_themes(comments, text="qa_comment", n_themes=2, period="month")


def _comment_summary():
    from qainsights.text import comment_summary

    comments = pd.DataFrame(
        {
            "month": ["2026-05"] * 6 + ["2026-06"] * 6,
            "is_error": True,
            "qa_comment": ["missed context"] * 6 + ["new slur list"] * 6,
        }
    )
    return comment_summary(comments, month="2026-06")


def _comments_section():
    from qainsights.report.comments import comments_section

    comments = pd.DataFrame(
        {
            "month": ["2026-05"] * 30 + ["2026-06"] * 30,
            "is_error": True,
            "qa_comment": ["missed context", "context of the thread", "media did not load"] * 10
            + ["new slur list", "slur list not applied", "media did not load"] * 10,
        }
    )
    return comments_section(comments, month="2026-06", n_themes=2)


def _vendors():
    from qainsights.datasets import simulate_audits
    from qainsights.vendors import compare_site_types

    audits = simulate_audits(seed=3, start="2026-04-06", weeks=26).audits
    return compare_site_types(
        audits, month="2026-09", target=0.92, weight="weight", strata="stratum"
    )


def _examples() -> dict:
    from qainsights import datasets, validate_audits
    from qainsights.agreement import calibration_session, cohen_kappa, fleiss_kappa
    from qainsights.capability import capability
    from qainsights.experiments import ab_test, interrupted_series
    from qainsights.moderators import moderator_outliers
    from qainsights.rca import enforcement_split, pareto
    from qainsights.report.monthly import MonthlyReport
    from qainsights.report.sections import headline
    from qainsights.spc import control_charts, cusum_chart, i_mr_chart, p_chart
    from qainsights.trends import (
        compare_periods,
        decompose_change,
        detect_changepoints,
        explain_change,
    )

    months = {"period": "month", "current": "2026-02", "errors": "errors", "n": "audits"}
    audits = datasets.simulate_audits(seed=1, weeks=4, audits_per_week=300).audits
    ratings = pd.DataFrame(
        {"ana": ["ok", "spam", "ok", "ok"], "ben": ["ok", "spam", "ok", "spam"]}
    ).assign(cy=["ok", "ok", "ok", "spam"])
    rng = np.random.default_rng(2)
    return {
        "ABTestResult": lambda: ab_test(_arms(), arm="arm", treatment="new", cluster=None),
        "AgreementResult": lambda: fleiss_kappa(ratings),
        "AuditValidation": lambda: validate_audits(audits),
        "CalibrationResult": lambda: calibration_session(ratings),
        "CapabilityResult": lambda: capability(
            rng.normal(10, 1, 100), lsl=6.0, usl=14.0, normality="ignore", n_boot=200
        ),
        "ChangeDecomposition": lambda: decompose_change(_two_months(), by="site", **months),
        "ChangeExplanation": lambda: explain_change(_two_months(), by=["site", "queue"], **months),
        "Changepoints": lambda: detect_changepoints(
            _weekly_segments(), by="site", period="week", errors="errors", n="n"
        ),
        "CohenKappaResult": lambda: cohen_kappa(table=[[20, 5], [10, 15]]),
        "ControlChart": lambda: p_chart(defects=[3, 4, 2, 5, 3, 14, 3], n=[100] * 7),
        "ControlChartPair": lambda: i_mr_chart(values=[1.0, 2.0, 1.5, 3.0, 2.2, 1.8]),
        "ControlChartSet": lambda: control_charts(
            _weekly_segments(), by="site", chart="p", subgroup="week", defects="errors", n="n"
        ),
        "CusumChart": lambda: cusum_chart(
            values=[9.45, 7.99, 9.29, 11.66, 12.16], center=10, sigma=1
        ),
        "DiffInDiffResult": _did,
        "DistinctiveTerms": _terms,
        "CommentThemes": _themes,
        "CommentSummary": _comment_summary,
        "CommentsSection": _comments_section,
        "DriversResult": _drivers,
        "EnforcementSplit": lambda: enforcement_split(audits, by="policy"),
        "Headline": lambda: headline(
            audits.assign(month=audits["decision_time"].dt.strftime("%Y-%m")),
            month=audits["decision_time"].max().strftime("%Y-%m"),
            target=0.9,
        ),
        "InterruptedSeriesResult": lambda: interrupted_series(_its(), start="2026-02-16"),
        "ModeratorOutliers": lambda: moderator_outliers(_moderators()),
        "MonthlyReport": lambda: MonthlyReport(month="2026-10", previous="2026-09", target=0.9),
        "ParetoResult": lambda: pareto(audits),
        "PeriodComparison": lambda: compare_periods(_two_months(), by="site", **months),
        "SimulatedAudits": lambda: datasets.simulate_audits(seed=1, weeks=2, audits_per_week=100),
        "VendorComparison": _vendors,
        "SimulatedCalibration": lambda: datasets.simulate_calibration(seed=0, n_items=40),
        "SimulatedPilot": lambda: datasets.simulate_pilot(seed=0, n_moderators=10),
        "RaterDrift": lambda: qainsights.agreement.rater_drift(
            pd.DataFrame({"r": list("abab"), "t": [1, 1, 2, 2], "y": [0, 1, 1, 1]}),
            rater="r",
            period="t",
            outcome="y",
        ),
    }


CLASSES = _result_classes()


def test_every_result_class_has_an_example():
    missing = sorted({cls.__name__ for cls in CLASSES} - set(_examples()))
    assert missing == [], f"add an example of {missing} to this test"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_result_contract(cls):
    example = _examples().get(cls.__name__)
    if example is None:
        pytest.fail(f"no example of {cls.__name__}")
    result = example()
    assert type(result) is cls
    # A frozen dataclass whose title is a class attribute, not a field.
    assert cls.__dataclass_params__.frozen
    assert "_title" not in {item.name for item in dataclasses.fields(cls)}
    assert isinstance(cls._title, str)
    assert cls._title
    # to_frame: one DataFrame.
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    # summary: a method that returns text.
    assert inspect.ismethod(result.summary)
    text = result.summary()
    assert isinstance(text, str)
    assert text.strip()
    # repr: one compact line naming the class, its title and the frame's shape.
    line = repr(result)
    assert "\n" not in line, line
    assert len(line) <= 240, line
    assert line.startswith(f"<{cls.__name__} {cls._title!r}")
    assert f"frame {frame.shape[0]} x {frame.shape[1]}>" in line
    assert " at 0x" not in line
    # HTML for notebooks: the title over the table.
    html = result._repr_html_()
    assert html.startswith(f"<h4>{cls._title}</h4>")
    assert "<table" in html
    # plot: the Axes it drew on, or the Figure where there are several axes, as documented.
    if cls.plot is TidyResult.plot:
        with pytest.raises(TypeError, match=rf"^{cls.__name__} has no chart of its own\. ") as e:
            result.plot()
        # A suggested drawing call draws, run as written with this result.
        message = str(e.value)
        if "holds no numbers" in message:
            assert not frame.select_dtypes("number").columns.size
            return
        call = message.split(" with ")[-1].split(", for example ")[-1].rstrip(".")
        drawn = eval(call, {"qainsights": qainsights, "result": result})
        assert isinstance(drawn, Axes)
        return
    drawn = result.plot()
    documented = inspect.getdoc(cls.plot).split("Returns\n-------\n")[1].split("\n")[0]
    if isinstance(drawn, Axes):
        assert documented == "matplotlib.axes.Axes"
    else:
        assert isinstance(drawn, Figure)
        assert documented == "matplotlib.figure.Figure"

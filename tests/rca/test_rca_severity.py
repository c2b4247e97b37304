import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.weightstats import DescrStatsW

from qainsights.rca import severity_index


def frame():
    return pd.DataFrame(
        {
            "site": ["a"] * 5 + ["b"] * 4,
            "is_error": [True, True, False, False, False, True, False, False, False],
            "severity": ["low", "high", None, None, None, "critical", None, None, None],
        }
    )


def test_hand_worked_index_and_statsmodels_interval():
    audits = frame()
    table = severity_index(audits, by="site").set_index("site")
    # site a: points 1 + 4 over 5 audits = 1.0 per audit = 100 per 100; b: 8 / 4 = 200
    assert table.loc["a", "points"] == 5.0
    assert table.loc["a", "index"] == pytest.approx(100.0)
    assert table.loc["b", "index"] == pytest.approx(200.0)
    for site, scores in (("a", [1, 4, 0, 0, 0]), ("b", [8, 0, 0, 0])):
        low, high = DescrStatsW(np.array(scores, float)).zconfint_mean(alpha=0.05)
        assert table.loc[site, "ci_high"] == pytest.approx(100 * high)
        assert table.loc[site, "ci_low"] == pytest.approx(max(0.0, 100 * low))


def test_custom_weights_and_overall_row():
    table = severity_index(
        frame(), severity_weights={"low": 1, "medium": 1, "high": 1, "critical": 1}
    )
    assert table[["n", "errors", "points"]].values.tolist() == [[9, 3, 3.0]]
    assert table["index"].item() == pytest.approx(100 * 3 / 9)


def test_unknown_severity_on_an_error_is_refused_and_input_untouched():
    audits = frame()
    audits.loc[0, "severity"] = "catastrophic"
    before = audits.copy()
    with pytest.raises(
        ValueError, match=r"severity_index found 1 errors whose 'severity' is missing or not"
    ):
        severity_index(audits)
    pd.testing.assert_frame_equal(audits, before)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"severity_index needs column 'queue' in 'audits'"):
        severity_index(frame(), by="queue")
    with pytest.raises(ValueError, match=r"'ci' parameter of severity_index"):
        severity_index(frame(), ci=1.5)


def test_degenerate_segments_warn():
    audits = frame().assign(site=["a"] * 5 + ["b"] * 3 + ["c"])
    audits.loc[8, "is_error"] = False
    audits.loc[5, "is_error"] = False
    audits.loc[5, "severity"] = None
    with pytest.warns(
        UserWarning, match=r"1 segment\(s\) with one audit have no interval \(NaN\) and 1 segment"
    ):
        table = severity_index(audits, by="site").set_index("site")
    assert np.isnan(table.loc["c", "ci_low"])
    assert table.loc["b", ["ci_low", "ci_high"]].tolist() == [0.0, 0.0]

"""How the report shows its tables: every column by what it holds, whatever the section."""

import numpy as np
import pandas as pd

from qainsights.report.formatting import column_kinds, readable


def test_bounds_follow_their_estimate_a_proportion_or_a_difference_in_points():
    # The vendor scorecard's columns: accuracy with its interval in percent; the gap to
    # in-house (a difference of two rates) and its trend with theirs in percentage points.
    table = pd.DataFrame(
        {"accuracy": [0.914], "accuracy_ci_low": [0.906], "accuracy_ci_high": [0.922],
         "gap": [0.028], "gap_ci_low": [0.017], "gap_ci_high": [0.039],
         "gap_trend": [0.003], "gap_trend_ci_low": [-0.002], "gap_trend_ci_high": [0.007]}
    )  # fmt: skip
    shown = readable(table)
    assert shown.iloc[0].tolist() == [
        "91.4%", "90.6%", "92.2%", "+2.8 pts", "+1.7 pts", "+3.9 pts", "+0.3 pts", "-0.2 pts",
        "+0.7 pts",
    ]  # fmt: skip


def test_standard_error_of_a_proportion_is_in_points():
    table = pd.DataFrame({"standardized_rate": [0.056], "se": [0.007], "n_eff": [1225.4]})
    kinds = column_kinds(table)
    assert kinds["se"] == "percent"
    assert readable(table)["se"].iloc[0] == "0.7%"


def test_standard_error_of_a_coefficient_stays_a_number():
    table = pd.DataFrame({"coefficient": ["fleiss_kappa"], "estimate": [0.47], "se": [0.033]})
    assert column_kinds(table)["se"] == "number"


def test_shares_of_a_change_may_exceed_one_hundred_percent():
    # The mix explains more than the whole change when the rate effect offsets it.
    table = pd.DataFrame({"dimension": ["queue"], "mix_effect": [0.006], "mix_share": [1.087]})
    assert readable(table)["mix share"].iloc[0] == "108.7%"


def test_a_change_that_rounds_to_zero_has_no_sign():
    table = pd.DataFrame({"rate_effect": [-0.00004, 0.005]})
    assert readable(table)["rate effect"].tolist() == ["0.0 pts", "+0.5 pts"]


def test_a_difference_alone_shows_its_interval_in_points():
    # a table of differences (the root causes' change of share) and no proportion
    table = pd.DataFrame({"change": [0.013], "ci_low": [-0.004], "ci_high": [0.03]})
    assert readable(table).iloc[0].tolist() == ["+1.3 pts", "-0.4 pts", "+3.0 pts"]


def test_severity_index_intervals_are_not_percentages():
    table = pd.DataFrame({"index": [26.07], "ci_low": [23.75], "ci_high": [28.39]})
    assert readable(table).iloc[0].tolist() == ["26.070", "23.750", "28.390"]


def test_text_columns_align_left_and_numbers_right():
    from qainsights.report.display import Table

    html = Table(pd.DataFrame({"finding": ["<b>Queue</b> below"], "n": [1234]}))._repr_html_()
    assert '<th class="qi-text">finding</th><th>audits</th>' in html
    assert '<td class="qi-text">&lt;b&gt;Queue&lt;/b&gt; below</td><td>1,234</td>' in html


def test_whole_floats_are_counts_and_weighted_counts_round():
    # 'agreements' passed through a missing value (float) but counts items; weighted decisions
    # are rounded to the nearest whole decision, not truncated.
    table = pd.DataFrame({"agreements": [204.0, np.nan], "decisions": [65273.67, 1.5]})
    assert column_kinds(table)["agreements"] == "count"
    shown = readable(table)
    assert shown["agreements"].tolist() == ["204", ""]
    assert shown["decisions (weighted)"].tolist() == ["65,274", "2"]


def test_flags_read_yes_and_no_and_agreement_headers_are_words():
    table = pd.DataFrame({"rater": ["r1", "r2"], "pa": [0.91, 0.88], "pe": [0.5, 0.5],
                          "below_others": [True, False]})  # fmt: skip
    shown = readable(table)
    assert list(shown.columns) == [
        "rater",
        "observed agreement",
        "chance agreement",
        "below others",
    ]
    assert shown["below others"].tolist() == ["yes", "no"]


def test_a_share_summed_to_one_plus_rounding_is_still_a_percentage():
    # 1.0000000000000002: the coverage of a mix summed from its cells
    table = pd.DataFrame({"coverage": [1.0 + 2.2e-16, 0.5]})
    assert readable(table)["coverage"].tolist() == ["100.0%", "50.0%"]


def test_columns_already_in_points_read_as_signed_points():
    table = pd.DataFrame({"impact_points": [0.574, -0.66, np.nan]})
    assert readable(table)["impact points"].tolist() == ["+0.6 pts", "-0.7 pts", ""]

"""Invariants of validation: row order and the input frame do not change what is flagged."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from qainsights.audits import validate_audits
from qainsights.datasets import simulate_audits

BASE = simulate_audits(seed=9, weeks=2, audits_per_week=60, effects=False).audits
CORRUPTIONS = {
    "handle_time_s": -1.0,
    "weight": 0.0,
    "decision_time": "not a time",
    "qa_action": "obliterate",
    "site": None,
}


@st.composite
def corrupted_exports(draw):
    frame = BASE.astype({"decision_time": "object", "qa_action": "object", "weight": "float64"})
    rows = draw(st.lists(st.integers(0, len(frame) - 1), max_size=6, unique=True))
    columns = draw(
        st.lists(st.sampled_from(sorted(CORRUPTIONS)), min_size=len(rows), max_size=len(rows))
    )
    for row, column in zip(rows, columns, strict=True):
        frame.loc[row, column] = CORRUPTIONS[column]
    order = draw(st.permutations(range(len(frame))))
    return frame, set(rows), np.array(order)


@settings(max_examples=20, deadline=None)
@given(corrupted_exports())
def test_flags_follow_the_rows_whatever_their_order(case):
    frame, bad_rows, order = case
    before = frame.copy()
    checked = validate_audits(frame)
    assert set(checked.problems["row"]) == bad_rows
    assert len(checked.audits) + len(checked.excluded) == len(frame)
    shuffled = validate_audits(frame.iloc[order].reset_index(drop=True))
    assert set(shuffled.problems["audit_id"]) == set(checked.problems["audit_id"])
    key = ["audit_id"]
    pd.testing.assert_frame_equal(
        shuffled.audits.sort_values(key, ignore_index=True),
        checked.audits.sort_values(key, ignore_index=True),
    )
    pd.testing.assert_frame_equal(frame, before)

"""A small simulated calibration session shared by the calibration tests."""

import numpy as np
import pandas as pd

LABELS = np.array(["ok", "spam", "hate"])


def session(seed=0, n_items=40, n_raters=6, missing=0.3):
    """A small calibration session: long ratings plus an expert standard."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=n_items, p=[0.7, 0.2, 0.1])
    accuracy = np.linspace(0.6, 0.95, n_raters)
    correct = rng.random((n_items, n_raters)) < accuracy
    noise = (truth[:, None] + rng.integers(1, 3, size=(n_items, n_raters))) % 3
    labels = np.where(correct, truth[:, None], noise)
    present = rng.random((n_items, n_raters)) > missing
    items, raters = np.nonzero(present)
    long = pd.DataFrame(
        {
            "item_id": [f"i{i:02d}" for i in items],
            "rater_id": [f"R{r}" for r in raters],
            "label": LABELS[labels[items, raters]],
        }
    )
    standard = pd.Series(LABELS[truth], index=[f"i{i:02d}" for i in range(n_items)])
    return long, standard


COLUMNS = {"item": "item_id", "rater": "rater_id", "label": "label"}

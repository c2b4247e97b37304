"""Derive ``convabuse_calibration.csv`` from the ConvAbuse release (CC BY 4.0).

Source: Cercas Curry, Abercrombie & Rieser (2021), ConvAbuse, EMNLP 2021,
https://github.com/amandacurry/convabuse, file ``ConvAbuseEMNLPfull.csv``.

Usage (from the repository root)::

    python data_samples/make_convabuse_sample.py [path/to/ConvAbuseEMNLPfull.csv]

Every annotation is kept (12,768 rows); the texts go to a second file and the abuse type,
target and directness columns are dropped. One row per annotation, in the source's order:

* ``item_id``: 1, 2, ... in order of first appearance; an item is one (``conv_id``,
  ``prev_agent``, ``prev_user``, ``agent``, ``user``) exchange.
* ``annotator``: ``A1`` ... ``A8`` (the source's ``Annotator1`` ... ``Annotator8``).
* ``bot``: ``eliza`` or ``carbonbot``, the conversational agent.
* ``severity``: 0 not abusive, 1 ambiguous, 2 mildly, 3 strongly, 4 very strongly abusive
  (the source's one-hot ``is_abuse.1``, ``.0``, ``.-1``, ``.-2``, ``.-3``).
* ``abusive``: 1 when ``severity`` is 2 or more (mildly to very strongly abusive), else 0.
* ``repeat``: 0 for an annotator's first annotation of the item, 1 and 2 for the repeats
  (345 item x annotator pairs were annotated twice, 12 of them three times).

``convabuse_texts.csv`` holds the exchange of each item, one row per ``item_id``:
``prev_agent``, ``prev_user`` (the turn before), ``agent`` and ``user`` (the annotated user
message and the agent's turn it answers), unchanged.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

# The shared data folder sits beside the repository: ../shared/datasets/convabuse/.
SOURCE = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "convabuse" / "ConvAbuseEMNLPfull.csv"
OUTPUT = Path(__file__).resolve().parent / "convabuse_calibration.csv"
TEXTS = Path(__file__).resolve().parent / "convabuse_texts.csv"
TEXT_COLUMNS = ["prev_agent", "prev_user", "agent", "user"]
ITEM_KEY = ["conv_id", "prev_agent", "prev_user", "agent", "user"]
SEVERITY_COLUMNS = ["is_abuse.1", "is_abuse.0", "is_abuse.-1", "is_abuse.-2", "is_abuse.-3"]
BOTS = {"E.L.I.Z.A.": "eliza", "CarbonBot": "carbonbot"}


def derive(source: pd.DataFrame) -> pd.DataFrame:
    """The long-format calibration table of the ConvAbuse annotations."""
    rows = source.sort_values("example_no", kind="stable").reset_index(drop=True)
    one_hot = rows[SEVERITY_COLUMNS].to_numpy()
    if not (one_hot.sum(axis=1) == 1).all():
        raise ValueError("Every annotation must mark exactly one severity.")
    item_id = rows.groupby(ITEM_KEY, sort=False).ngroup() + 1
    annotator = "A" + rows["annotator_id"].str.removeprefix("Annotator")
    severity = one_hot.argmax(axis=1)
    return pd.DataFrame(
        {
            "item_id": item_id,
            "annotator": annotator,
            "bot": rows["bot"].map(BOTS),
            "severity": severity,
            "abusive": (severity >= 2).astype(np.int64),
            "repeat": rows.groupby([item_id, annotator], sort=False).cumcount(),
        }
    )


def derive_texts(source: pd.DataFrame) -> pd.DataFrame:
    """The exchange of each item: one row per ``item_id``, numbered as in :func:`derive`."""
    rows = source.sort_values("example_no", kind="stable").reset_index(drop=True)
    item_id = rows.groupby(ITEM_KEY, sort=False).ngroup() + 1
    first = ~item_id.duplicated()
    texts = rows.loc[first, TEXT_COLUMNS].reset_index(drop=True)
    return pd.concat([pd.DataFrame({"item_id": item_id[first].to_numpy()}), texts], axis=1)


def main() -> None:
    """Read the source CSV and write the samples next to this script."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--texts", type=Path, default=TEXTS)
    arguments = parser.parse_args()
    source = pd.read_csv(arguments.source)
    derive(source).to_csv(arguments.output, index=False)
    derive_texts(source).to_csv(arguments.texts, index=False)


if __name__ == "__main__":
    main()

"""Round trip: any valid canonical table written to a file and read back is the same table."""

import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qainsights.audits import ACTIONS, SEVERITIES, load_audits

START = pd.Timestamp("2025-12-20")  # dates on both sides of the 12th: day-first or month-first


def _key(label: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())


words = st.text(
    alphabet=st.characters(categories=["L", "N"], exclude_characters="\x00"),
    min_size=1,
    max_size=8,
)
#: Labels as exports write them: words with single blanks between, codes like market 'NA'.
labels = st.one_of(
    st.lists(words, min_size=1, max_size=3).map(" ".join),
    st.sampled_from(["NA", "null", "None", "N/A", "en-US", "pt-BR"]),
)


def _distinct(values: list[str]) -> list[str]:
    """Labels that no rule could merge: one spelling per case/blank/Unicode key."""
    seen, kept = set(), []
    for value in values:
        if _key(value) not in seen and not value.startswith(("=", "+", "-", "@")):
            seen.add(_key(value))
            kept.append(value)
    return kept


@st.composite
def canonical_tables(draw):
    n = draw(st.integers(1, 25))
    vocab = {
        name: _distinct(draw(st.lists(labels, min_size=1, max_size=4)))
        for name in ("site", "queue", "policy", "market")
    }
    pick = {name: draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)) for name in vocab}
    seconds = np.array(draw(st.lists(st.integers(0, 60 * 86400), min_size=n, max_size=n)))
    lags = draw(st.lists(st.none() | st.integers(0, 5 * 86400), min_size=n, max_size=n))
    actions = [draw(st.lists(st.sampled_from(ACTIONS), min_size=n, max_size=n)) for _ in "mq"]
    decision = START + pd.to_timedelta(seconds, unit="s")
    lag = pd.to_timedelta([np.nan if v is None else v for v in lags], unit="s")
    handle = draw(st.lists(st.none() | st.floats(0, 1e4, allow_nan=False), min_size=n, max_size=n))
    severity = draw(st.lists(st.none() | st.sampled_from(SEVERITIES), min_size=n, max_size=n))
    weight = draw(st.lists(st.floats(0.5, 500), min_size=n, max_size=n))
    policies = [vocab["policy"][i % len(vocab["policy"])] for i in pick["policy"]]
    frame = pd.DataFrame(
        {
            "audit_id": [f"A{i:03d}" for i in range(n)],
            "item_id": [f"00{i}" for i in range(n)],  # leading zeros are part of an id
            "decision_time": decision,
            "audit_time": decision + lag,
            **{
                name: [vocab[name][i % len(vocab[name])] for i in pick[name]]
                for name in ("site", "queue", "market")
            },
            "policy": policies,
            "moderator_id": [f"m{i % 3}" for i in range(n)],
            "auditor_id": [f"q{i % 2}" for i in range(n)],
            "moderator_action": actions[0],
            "qa_action": actions[1],
            "moderator_policy": [
                p if a != "no_action" else None for p, a in zip(policies, actions[0], strict=True)
            ],
            "qa_policy": [
                p if a != "no_action" else None for p, a in zip(policies, actions[1], strict=True)
            ],
            "severity": severity,
            "handle_time_s": [np.nan if v is None else v for v in handle],
            "weight": weight,
        }
    )
    return load_audits(frame)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canonical_tables())
def test_a_canonical_table_survives_every_file_format(table):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        table.to_csv(folder / "iso.csv", index=False)
        table.to_csv(folder / "dayfirst.csv", index=False, date_format="%d/%m/%Y %H:%M:%S")
        table.to_parquet(folder / "table.parquet", index=False)
        table.to_excel(folder / "table.xlsx", index=False)
        back = {
            "iso.csv": load_audits(folder / "iso.csv"),
            "dayfirst.csv": load_audits(folder / "dayfirst.csv", date_format="%d/%m/%Y %H:%M:%S"),
            "table.parquet": load_audits(folder / "table.parquet"),
            "table.xlsx": load_audits(folder / "table.xlsx"),
        }
    for read in back.values():
        pd.testing.assert_frame_equal(read, table)

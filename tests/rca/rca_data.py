"""Small audit tables shared by the RCA tests, and the published datasets of tests/reference/rca.md."""

import numpy as np
import pandas as pd

# tests/reference/rca.md section 1: R datasets::UCBAdmissions, (admitted, rejected) per dept and gender.
UCB = {
    "A": {"Male": (512, 313), "Female": (89, 19)},
    "B": {"Male": (353, 207), "Female": (17, 8)},
    "C": {"Male": (120, 205), "Female": (202, 391)},
    "D": {"Male": (138, 279), "Female": (131, 244)},
    "E": {"Male": (53, 138), "Female": (94, 299)},
    "F": {"Male": (22, 351), "Female": (24, 317)},
}

# tests/reference/rca.md section 2: Agresti (2007) Table 5.6, (symptoms yes, symptoms no).
AZT = {
    ("white", "yes"): (14, 93),
    ("white", "no"): (32, 81),
    ("black", "yes"): (11, 52),
    ("black", "no"): (12, 43),
}


def expand(cells: pd.DataFrame, count: str) -> pd.DataFrame:
    """One row per unit from a table of cell counts."""
    return cells.loc[cells.index.repeat(cells[count])].drop(columns=count).reset_index(drop=True)


def ucb_rows() -> pd.DataFrame:
    cells = pd.DataFrame(
        [
            (dept, gender, admitted, count)
            for dept, genders in UCB.items()
            for gender, pair in genders.items()
            for admitted, count in zip((True, False), pair, strict=True)
        ],
        columns=["dept", "gender", "admitted", "count"],
    )
    return expand(cells, "count")


def azt_rows() -> pd.DataFrame:
    cells = pd.DataFrame(
        [
            (race, azt, symptoms, count)
            for (race, azt), pair in AZT.items()
            for symptoms, count in zip((True, False), pair, strict=True)
        ],
        columns=["race", "azt", "symptoms", "count"],
    )
    return expand(cells, "count")


def random_audits(n: int = 4000, seed: int = 7) -> pd.DataFrame:
    """Audits with three factors whose error odds differ, a root cause and severity per error."""
    rng = np.random.default_rng(seed)
    site = rng.choice(["Austin", "Dublin", "Manila"], n, p=[0.3, 0.4, 0.3])
    queue = rng.choice(["ads", "appeals", "user_reports"], n)
    policy = rng.choice(["hate_speech", "spam"], n)
    logit = (
        -2.2
        + 0.6 * (site == "Manila")
        - 0.3 * (site == "Austin")
        + 0.5 * (queue == "appeals")
        + 0.4 * (policy == "hate_speech")
    )
    is_error = rng.random(n) < 1 / (1 + np.exp(-logit))
    kinds = np.array(["over_enforcement", "under_enforcement", "wrong_policy"])
    causes = np.array(["fatigue", "guideline_misread", "missed_context", "tool_issue"])
    levels = np.array(["low", "medium", "high", "critical"])
    return pd.DataFrame(
        {
            "site": site,
            "queue": queue,
            "policy": policy,
            "month": rng.choice(["2026-08", "2026-09"], n),
            "is_error": is_error,
            "error_type": np.where(is_error, rng.choice(kinds, n), "none"),
            "root_cause": np.where(is_error, rng.choice(causes, n, p=[0.1, 0.5, 0.3, 0.1]), None),
            "severity": pd.Categorical(
                np.where(is_error, rng.choice(levels, n), None), categories=levels, ordered=True
            ),
            "weight": rng.uniform(1.0, 5.0, n),
            "stratum": rng.choice(["s1", "s2"], n),
        }
    )

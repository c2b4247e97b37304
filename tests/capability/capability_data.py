"""Data of the capability tests; sources and expected values are in tests/reference/capability.md.

Piston-ring inside diameters (mm), the 25 phase-I samples of 5 of Montgomery's Table 6.3 in qcc's
version (``PISTON_RINGS`` in tests/reference/spc_data.py, shared with the control-chart tests);
later editions of Montgomery (qicharts2 `tbl_06.03`) differ in sample 21 only.
"""

from __future__ import annotations

import pandas as pd
from reference.spc_data import PISTON_RINGS, frame

OBSERVATIONS = ["x1", "x2", "x3", "x4", "x5"]


def piston_frame() -> pd.DataFrame:
    """Return the 125 diameters as a long frame with columns ``sample`` (1-25) and ``diameter``."""
    rings = frame(PISTON_RINGS)
    phase_one = rings[rings["trial"]]
    return pd.DataFrame(
        [
            {"sample": sample, "diameter": diameter}
            for sample, row in zip(
                phase_one["sample"], phase_one[OBSERVATIONS].to_numpy(), strict=True
            )
            for diameter in row
        ]
    )


# qcc 3.0 tests/testthat/test-capability.R: a 3 x 4 matrix, one subgroup per row.
QCC_GROUPED = [
    [10.00, 10.02, 9.98, 10.01],
    [10.03, 9.99, 10.01, 10.00],
    [9.97, 10.04, 10.02, 9.99],
]


def qcc_grouped_frame() -> pd.DataFrame:
    """Return the qcc fixture as a long frame with columns ``sample`` and ``x``."""
    return pd.DataFrame(
        [{"sample": i, "x": x} for i, row in enumerate(QCC_GROUPED, start=1) for x in row]
    )

"""Data of the capability tests; sources and expected values are in tests/reference/capability.md.

Piston-ring inside diameters (mm), 25 phase-I samples of 5 (Montgomery Table 6.3; qcc
`pistonrings`). This is qcc's version of the data (sample 21 = 73.988, 74.001, 74.009, 74.005, 73.996); later
editions of Montgomery (qicharts2 `tbl_06.03`) differ in sample 21 only.
"""

from __future__ import annotations

import pandas as pd

PHASE_ONE = [
    [74.030, 74.002, 74.019, 73.992, 74.008],
    [73.995, 73.992, 74.001, 74.011, 74.004],
    [73.988, 74.024, 74.021, 74.005, 74.002],
    [74.002, 73.996, 73.993, 74.015, 74.009],
    [73.992, 74.007, 74.015, 73.989, 74.014],
    [74.009, 73.994, 73.997, 73.985, 73.993],
    [73.995, 74.006, 73.994, 74.000, 74.005],
    [73.985, 74.003, 73.993, 74.015, 73.988],
    [74.008, 73.995, 74.009, 74.005, 74.004],
    [73.998, 74.000, 73.990, 74.007, 73.995],
    [73.994, 73.998, 73.994, 73.995, 73.990],
    [74.004, 74.000, 74.007, 74.000, 73.996],
    [73.983, 74.002, 73.998, 73.997, 74.012],
    [74.006, 73.967, 73.994, 74.000, 73.984],
    [74.012, 74.014, 73.998, 73.999, 74.007],
    [74.000, 73.984, 74.005, 73.998, 73.996],
    [73.994, 74.012, 73.986, 74.005, 74.007],
    [74.006, 74.010, 74.018, 74.003, 74.000],
    [73.984, 74.002, 74.003, 74.005, 73.997],
    [74.000, 74.010, 74.013, 74.020, 74.003],
    [73.988, 74.001, 74.009, 74.005, 73.996],
    [74.004, 73.999, 73.990, 74.006, 74.009],
    [74.010, 73.989, 73.990, 74.009, 74.014],
    [74.015, 74.008, 73.993, 74.000, 74.010],
    [73.982, 73.984, 73.995, 74.017, 74.013],
]


def piston_frame() -> pd.DataFrame:
    """Return the 125 diameters as a long frame with columns ``sample`` (1-25) and ``diameter``."""
    return pd.DataFrame(
        [
            {"sample": sample, "diameter": diameter}
            for sample, row in enumerate(PHASE_ONE, start=1)
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

"""The sample data shipped in ``data_samples/``: how each file is generated, and loading it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .._caller import public
from .._validation import check_option
from .audits_sim import simulate_audits
from .calibration_sim import simulate_calibration

__all__ = ["SAMPLES", "load_sample", "write_samples"]

SAMPLE_SEED = 2026

#: file name in ``data_samples/`` of each sample
SAMPLES: dict[str, str] = {
    "audits": "audits.parquet",
    "answer_key": "answer_key.csv",
    "calibration": "calibration.csv",
    "calibration_standard": "calibration_standard.csv",
}


@public
def load_sample(name: str) -> pd.DataFrame:
    """Return a sample data set, generated from its fixed seed (no file or network needed).

    The files in the project's ``data_samples/`` folder are these same tables, written by
    :func:`write_samples`.

    Parameters
    ----------
    name : {"audits", "answer_key", "calibration", "calibration_standard"}
        ``audits``: a year (52 weeks from 2025-11-03) of about 2,000 audits a week with every
        planted effect of :func:`simulate_audits`; ``answer_key``: those effects;
        ``calibration``: three calibration sessions, 300 items, 8 raters, long format;
        ``calibration_standard``: the expert standard label of each calibration item.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> load_sample("calibration_standard").shape
    (300, 2)
    """
    check_option(name, name="name", options=list(SAMPLES))
    if name in ("audits", "answer_key"):
        sim = simulate_audits(seed=SAMPLE_SEED)
        return sim.audits if name == "audits" else sim.answer_key
    cal = simulate_calibration(seed=SAMPLE_SEED)
    return cal.ratings if name == "calibration" else cal.standard


@public
def write_samples(directory: str | os.PathLike) -> list[Path]:
    """Write every sample to ``directory`` (created if needed) and return the paths written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sorted(p.name for p in write_samples(folder))
    ['answer_key.csv', 'audits.parquet', 'calibration.csv', 'calibration_standard.csv']
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, file_name in SAMPLES.items():
        path = folder / file_name
        table = load_sample(name)
        if path.suffix == ".parquet":
            table.to_parquet(path, index=False, compression="zstd")
        else:
            table.to_csv(path, index=False)
        written.append(path)
    return written

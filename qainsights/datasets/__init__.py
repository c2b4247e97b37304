"""Synthetic audit and calibration data with planted effects, and the shipped samples."""

from .audits_sim import EFFECTS, SimulatedAudits, simulate_audits
from .calibration_sim import SimulatedCalibration, simulate_calibration
from .samples import SAMPLES, load_sample, write_samples

__all__ = [
    "EFFECTS",
    "SAMPLES",
    "SimulatedAudits",
    "SimulatedCalibration",
    "load_sample",
    "simulate_audits",
    "simulate_calibration",
    "write_samples",
]

"""Synthetic audit, calibration and pilot data with planted effects, and the shipped samples."""

from .audits_sim import EFFECTS, SimulatedAudits, simulate_audits
from .calibration_sim import SimulatedCalibration, simulate_calibration
from .pilot_sim import SimulatedPilot, simulate_pilot
from .samples import SAMPLES, load_sample, write_samples

__all__ = [
    "EFFECTS",
    "SAMPLES",
    "SimulatedAudits",
    "SimulatedCalibration",
    "SimulatedPilot",
    "load_sample",
    "simulate_audits",
    "simulate_calibration",
    "simulate_pilot",
    "write_samples",
]

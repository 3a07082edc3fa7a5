"""User reports: the pure parts (the detector of coordinated mass reporting)."""

from .rings import ReportEvent, Ring, RingConfig, RingDetector, RingVerdict, StateSizes

__all__ = ["ReportEvent", "Ring", "RingConfig", "RingDetector", "RingVerdict", "StateSizes"]

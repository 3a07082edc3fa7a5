"""Detectors: the protocol, the registry, and the built-in detectors (registered as plugins)."""

from .base import Detector, Example, Prepared
from .context import DetectorContext
from .registry import available, create, register

__all__ = ["Detector", "DetectorContext", "Example", "Prepared", "available", "create", "register"]

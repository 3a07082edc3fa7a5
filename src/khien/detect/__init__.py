"""Detectors: the protocol, the registry, and the built-in detectors (registered as plugins)."""

from .base import Detector, Example, Prepared
from .registry import available, create, register

__all__ = ["Detector", "Example", "Prepared", "available", "create", "register"]

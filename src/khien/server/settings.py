"""Kept for imports written before :mod:`khien.settings` held every setting: ``Settings`` is that class."""

from __future__ import annotations

from ..settings import Settings

__all__ = ["Settings"]

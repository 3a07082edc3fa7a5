"""Transparency reports, built only from the audit log."""

from .transparency import transparency_report

__all__ = ["transparency_report"]

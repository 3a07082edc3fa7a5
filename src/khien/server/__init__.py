"""The HTTP service: ``create_app(settings)`` and its settings."""

from .app import create_app
from .settings import Settings

__all__ = ["create_app", "Settings"]

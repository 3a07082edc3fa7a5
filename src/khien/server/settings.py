"""Service settings: defaults for a laptop, overridable from the environment (``KHIEN_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

from ..store import DEFAULT_URL

__all__ = ["Settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_URL
    policy: str | None = None  # policy YAML; None: the packaged policy
    migrate: bool = True  # bring the schema to head at start-up
    max_body_bytes: int = 2 * 1024 * 1024
    max_batch_items: int = 1000
    claim_ttl_s: float = 900.0
    worker: bool = True  # decide stored items in the background
    worker_batch: int = 500
    worker_idle_s: float = 0.2
    webhooks: bool = True  # deliver webhook events in the background
    webhook_max_attempts: int = 5
    webhook_backoff_s: float = 2.0  # first retry after this, doubling each time
    webhook_timeout_s: float = 5.0
    key_cache_s: float = 5.0  # how long a looked-up API key is trusted before it is read again

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Defaults, then ``KHIEN_<FIELD>`` variables (``KHIEN_DATABASE_URL``...), then ``overrides``."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(f"KHIEN_{f.name.upper()}")
            if raw is None:
                continue
            default = f.default
            if isinstance(default, bool):
                values[f.name] = raw.lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

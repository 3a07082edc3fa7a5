"""One error tree with stable codes.

Every error Khiên raises on purpose is a :class:`KhienError`. Its ``code`` is stable (the CLI maps
it to an exit code, the API to a problem+json ``type``); its message says what was expected, what
was found, and what to do.
"""

from __future__ import annotations

__all__ = [
    "KhienError",
    "InputError",
    "PolicyError",
    "ModelError",
    "RegistryError",
    "DetectorError",
    "NotFoundError",
    "ConflictError",
    "PermissionDenied",
]


class KhienError(Exception):
    """Base of every deliberate Khiên error."""

    code = "khien.error"

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        parts = [self.message]
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        if self.hint:
            out["hint"] = self.hint
        return out


class InputError(KhienError):
    """An item, file or request body is not what Khiên reads."""

    code = "khien.input"


class PolicyError(KhienError):
    """A policy file is invalid: unknown names, missing fields, bad thresholds."""

    code = "khien.policy"


class ModelError(KhienError):
    """A model file is missing, corrupt, foreign, or cannot be trained from the data given."""

    code = "khien.model"


class RegistryError(KhienError):
    """A protected-entity registry is invalid."""

    code = "khien.registry"


class DetectorError(KhienError):
    """A detector is unknown or misconfigured."""

    code = "khien.detector"


class NotFoundError(KhienError):
    code = "khien.not_found"


class ConflictError(KhienError):
    code = "khien.conflict"


class PermissionDenied(KhienError):
    code = "khien.permission"

"""Who is acting: a named person (or service) with one role."""

from __future__ import annotations

from dataclasses import dataclass

from ..enums import Role, values

__all__ = ["Actor", "ROLES"]

ROLES = values(Role)


@dataclass(frozen=True, slots=True)
class Actor:
    """``name`` identifies the person: two keys with one name are one person for the appeal rule."""

    name: str
    role: str
    key_id: int | None = None

    def can(self, *roles: str) -> bool:
        return self.role == Role.ADMIN or self.role in roles


SYSTEM = Actor("system:engine", Role.ADMIN.value)

"""Checking a role name against :class:`khien.enums.Role` (the one declaration of roles)."""

from __future__ import annotations

from ..enums import Role, values
from ..errors import InputError

__all__ = ["check_role"]


def check_role(role: str) -> Role:
    """``role`` as a :class:`Role`, or an :class:`InputError` that lists the valid roles."""
    try:
        return Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r}; valid roles: {', '.join(values(Role))}", field="role") from None

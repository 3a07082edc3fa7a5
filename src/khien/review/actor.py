"""Who is acting: a named person (or service) with one role."""

from __future__ import annotations

from dataclasses import dataclass

from ..enums import Role, values

__all__ = ["Actor", "ROLES"]

ROLES = values(Role)  # kept for callers that want the plain names; the enum is the one declaration


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: ``name`` is what decisions and the audit log show; :attr:`id` is who it is.

    An actor signed in with a console account carries ``user_id``, one holding an API key
    ``key_id``. Rules that must tell people apart (an appeal is decided by someone other than who
    made the decision) compare :attr:`id`, never the display name: a key and an account may share
    a name, and an older name may differ from another only by characters nobody can see.
    """

    name: str
    role: str
    key_id: int | None = None
    user_id: int | None = None

    @property
    def id(self) -> str:
        """``user:<id>``, ``key:<id>``, or ``name:<name>`` for the service's own actors (cli, system:engine)."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        if self.key_id is not None:
            return f"key:{self.key_id}"
        return f"name:{self.name}"

    def can(self, *roles: str) -> bool:
        return self.role == Role.ADMIN or self.role in roles


SYSTEM = Actor("system:engine", "admin")

"""Console users (at ``/users``), for admins: who may sign in, disable/enable an account, reset a password.

Every change is a CSRF-checked POST that calls :mod:`khien.access` (which writes the audit event
and ends sessions) and redirects back, except a reset, whose new random password is shown once on
the page that answers the POST and exists nowhere else.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ... import access
from ...enums import Role
from ...errors import ConflictError, InputError, KhienError
from .web import clock_of, error_page, page, posted, redirect, require_role

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_DONE = {"disable": "account_disabled", "enable": "account_enabled"}


def _users_page(request: Request, *, done: str | None = None, shown: tuple[str, str] | None = None,
                   status: int = 200) -> Response:
    with request.app.state.store.read() as tx:
        users = access.list_users(tx)
    return page(request, "users.html", status=status, users=users, done=done, shown=shown, msg=None)


@router.get("/users")
def users(request: Request) -> Response:
    require_role(request, Role.ADMIN)
    done = request.query_params.get("done")
    return _users_page(request, done=done if done in _DONE.values() else None)


@router.post("/users/{op}")
@posted()
def change(request: Request, form: dict[str, str], op: str) -> Response:
    admin = require_role(request, Role.ADMIN)
    name = form.get("name", "").strip()[:200]
    clock = clock_of(request)
    try:
        if op in ("disable", "reset") and access.name_key(name) == access.name_key(admin.name):
            raise ConflictError("an admin cannot disable or reset their own account here; ask another admin")
        with request.app.state.store.write() as tx:
            if op == "disable":
                access.disable_user(tx, name, actor=admin.name, clock=clock)
            elif op == "enable":
                access.enable_user(tx, name, actor=admin.name, clock=clock)
            elif op == "reset":
                password = access.new_password()
                user = access.reset_password(tx, name, password, actor=admin.name, clock=clock)
            else:
                raise InputError(f"unknown operation {op!r}; expected disable, enable or reset", field="op")
    except KhienError as exc:
        return error_page(request, exc)
    if op == "reset":
        return _users_page(request, shown=(user.name, password))
    return redirect(f"/users?done={_DONE[op]}")


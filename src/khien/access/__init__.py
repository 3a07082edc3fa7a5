"""Who may use Khiên: API keys and console accounts (and their sessions).

These services own every write to keys, accounts and sessions and emit the declared audit events;
``khien.server`` and ``khien.cli`` call them and never touch ``khien.store`` for this.
"""

from .accounts import (
    MIN_PASSWORD,
    SESSION_TTL_S,
    ConsoleSession,
    ConsoleUser,
    authenticate,
    close_session,
    create_user,
    disable_user,
    enable_user,
    find_user,
    hash_password,
    list_users,
    new_password,
    open_session,
    reset_password,
    session_actor,
    set_password,
)
from .keys import ApiKey, CreatedKey, KeyCache, create_key, find_actor, hash_key, list_keys, revoke_key
from .names import clean_name, name_key
from .roles import check_role

__all__ = [
    "ApiKey", "CreatedKey", "KeyCache", "create_key", "revoke_key", "list_keys", "hash_key", "find_actor",
    "ConsoleUser", "ConsoleSession", "SESSION_TTL_S", "MIN_PASSWORD", "hash_password", "create_user", "set_password",
    "find_user", "list_users", "authenticate", "open_session", "session_actor", "close_session", "check_role",
    "disable_user", "enable_user", "reset_password", "new_password", "clean_name", "name_key",
]

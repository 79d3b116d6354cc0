"""Who may do what: sign-in, roles, and the check every changing request goes through.

One file beside the index says it, ``<index>.access.toml`` (``.klynge/index.access.toml`` for the default
index), written by ``klynge users``::

    [users.anna]                 # built-in sign-in: a password hash (argon2) and a role
    role = "editor"
    hash = "$argon2id$v=19$..."

    [proxy]                      # or: the municipality's sign-in in a reverse proxy in front
    trusted = ["127.0.0.1"]      # only requests from these addresses may name their user
    user_header = "X-Forwarded-User"
    groups_header = "X-Forwarded-Groups"
    [proxy.roles]                # the proxy's groups → roles (the highest wins; no group: reader)
    "klynge-editors" = "editor"

Roles: ``reader`` asks, quotes and gives feedback; ``editor`` also adds, replaces, edits and removes
documents; ``admin`` also manages users. With no file (or an empty one) nobody signs in and everything
is allowed: one person on their own machine, as before.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import tomllib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AccessDenied, UsageError

__all__ = ["ACTIONS", "ROLES", "Access", "Account", "LoginLimiter", "User", "access_path", "load_access", "local_user",
           "save_users"]

ROLES = ("reader", "editor", "admin")
ACTIONS = {"ask": "reader", "feedback": "reader", "change": "editor", "audit": "editor", "users": "admin"}
ANYONE = "local"  # the user named in the audit when nobody signs in


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def may(self, action: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(ACTIONS[action])


def local_user() -> User:
    """Whoever runs the command line on this machine: they own the collection's files, so every action is
    theirs; the audit names them by their login."""
    import getpass

    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = "unknown"
    return User(f"{name} (command line)", "admin")


@dataclass(frozen=True)
class Proxy:
    trusted: tuple[str, ...] = ()
    user_header: str = "X-Forwarded-User"
    groups_header: str = "X-Forwarded-Groups"
    roles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Account:
    """A built-in user's entry in the access file."""

    role: str
    hash: str  # argon2, never the password


@dataclass(frozen=True)
class Access:
    """The access file as read: the built-in users (name → account) and the proxy settings."""

    users: dict[str, Account] = field(default_factory=dict)
    proxy: Proxy | None = None
    path: Path | None = None

    @property
    def open(self) -> bool:
        """Nobody signs in: everything is allowed (no users and no proxy configured)."""
        return not self.users and self.proxy is None

    def check_password(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs (argon2 verification), else None."""
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        entry = self.users.get(name)
        if entry is None:
            PasswordHasher().hash(password)  # the same work for an unknown name: no timing tells
            return None
        try:
            PasswordHasher().verify(entry.hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return User(name, entry.role)

    def from_proxy(self, headers: dict[str, str], client: str | None) -> User | None:
        """The user a trusted proxy names in its headers; None for a request from anywhere else (a header
        sent straight to the app is ignored)."""
        p = self.proxy
        if p is None or client not in p.trusted:
            return None
        lower = {k.lower(): v for k, v in headers.items()}
        name = lower.get(p.user_header.lower(), "").strip()
        if not name:
            return None
        groups = [g.strip() for g in lower.get(p.groups_header.lower(), "").replace(";", ",").split(",") if g.strip()]
        roles = [p.roles[g] for g in groups if g in p.roles] or ["reader"]
        return User(name, max(roles, key=ROLES.index))

    def require(self, user: User | None, action: str) -> User:
        """``user`` when it may do ``action``; else :class:`AccessDenied` naming the reason."""
        if self.open:
            return user or User(ANYONE, "admin")
        if user is None:
            raise AccessDenied(f"sign in to {_WHAT[action]}")
        if not user.may(action):
            raise AccessDenied(f"{user.name} is a {user.role}; {_WHAT[action]} takes the role "
                               f"'{ACTIONS[action]}' (an admin gives it: klynge users role {user.name} {ACTIONS[action]})")
        return user


_WHAT = {"ask": "ask questions", "feedback": "give feedback", "change": "add, replace, edit or remove documents",
         "audit": "read the audit trail", "users": "manage users"}


def access_path(index_dir: Path) -> Path:
    """The access file of the index at ``index_dir`` (beside it: a rebuild never touches it)."""
    return Path(f"{Path(index_dir)}.access.toml")


def load_access(index_dir: Path) -> Access:
    """The access file of ``index_dir``; an open :class:`Access` when there is none."""
    path = access_path(index_dir)
    if not path.exists():
        return Access(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc}); fix it or remove it") from exc
    users = {}
    for name, entry in (data.get("users") or {}).items():
        role = str(entry.get("role", "reader"))
        if role not in ROLES or not str(entry.get("hash", "")).startswith("$argon2"):
            raise UsageError(f"{path}: user '{name}' needs a role ({', '.join(ROLES)}) and an argon2 hash; "
                             f"set them with klynge users add {name}")
        users[str(name)] = Account(role, str(entry["hash"]))
    proxy = _proxy(data.get("proxy"), path)
    return Access(users, proxy, path)


def _proxy(data: Any, path: Path) -> Proxy | None:
    if not data:
        return None
    roles = {str(g): str(r) for g, r in (data.get("roles") or {}).items()}
    bad = [r for r in roles.values() if r not in ROLES]
    if bad or not data.get("trusted"):
        raise UsageError(f"{path}: [proxy] needs trusted = [the proxy's addresses] and roles among {', '.join(ROLES)}")
    return Proxy(tuple(str(a) for a in data["trusted"]), str(data.get("user_header", "X-Forwarded-User")),
                 str(data.get("groups_header", "X-Forwarded-Groups")), roles)


def save_users(index_dir: Path, users: dict[str, Account]) -> Path:
    """Write the users into the access file, keeping its other tables (atomic: a temporary file renamed)."""
    import tomlkit

    path = access_path(index_dir)
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    table = tomlkit.table()
    for name, account in sorted(users.items()):
        entry = tomlkit.table()
        entry["role"], entry["hash"] = account.role, account.hash
        table[name] = entry
    doc["users"] = table
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as f:
        f.write(tomlkit.dumps(doc))
    os.chmod(f.name, 0o600)  # password hashes: for the owner only
    os.replace(f.name, path)
    return path


class LoginLimiter:
    """At most ``attempts`` failed sign-ins a name in ``window`` seconds; then the next attempt waits, with a
    message saying how long. Names whose failures have all aged out are forgotten, so guessing new names
    fills nothing."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_for(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            q = self._recent(key, now)
            return 0.0 if len(q) < self.attempts else self.window - (now - q[0])

    def failed(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            for name in [k for k, q in self._failures.items() if not q or now - q[-1] > self.window]:
                del self._failures[name]  # every failure of that name aged out
            q = self._recent(key, now)
            q.append(now)
            self._failures[key] = q

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.get(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

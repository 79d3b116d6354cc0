"""Who an HTTP request beside the app comes from (the change API, the MCP endpoint): HTTP basic
credentials of a built-in user, or the user a trusted proxy names (``qa.access``); nobody where no sign-in
is configured. Missing or wrong credentials are :class:`Unauthorized` with the status to answer (401, or
429 after too many wrong passwords for a name)."""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from qa.access import User

from .context import LOGIN_LIMITER, AppContext

__all__ = ["Unauthorized", "http_user"]


class Unauthorized(Exception):
    """The request needs other credentials: ``status`` 401 (sign in) or 429 (wait)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Basic realm="klynge"'} if self.status == 401 else {}
        return JSONResponse({"error": str(self)}, self.status, headers=headers)


def http_user(ctx: AppContext, request: Request | Any) -> User | None:
    """The user a trusted proxy names (its own sign-in may have used the Authorization header), else the
    user of the request's basic credentials; None for nobody (allowed only where no sign-in is configured)."""
    access = ctx.access()
    user = ctx.user_of(request, access)  # named by a trusted proxy
    if user is not None:
        return user
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            name, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            raise Unauthorized(401, "unreadable basic credentials") from None
        if LOGIN_LIMITER.wait_for(name) > 0:
            raise Unauthorized(429, f"too many wrong passwords for {name}: wait {LOGIN_LIMITER.wait_for(name):.0f} s")
        user = ctx.check_login(name, password, access)
        if user is None:
            raise Unauthorized(401, "wrong name or password")
        return user
    if not access.open:
        raise Unauthorized(401, "sign in: HTTP basic credentials of a klynge user, or through the proxy")
    return None

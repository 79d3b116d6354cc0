"""The MCP tools (``qa.mcp_server``) over streamable HTTP at ``/mcp``, beside the app on its port.

An ASGI middleware: a request under ``/mcp`` goes to the MCP SDK's app (stateless, JSON answers: any
worker answers any call, nothing to keep between them); the server's lifespan runs the SDK's session
manager around the app's own. With sign-in configured, a call needs a user (HTTP basic credentials of a
built-in user, or the user a trusted proxy names: ``http_auth``); the tools only read. On a loopback
address the SDK refuses requests whose Host or Origin is not this machine (DNS rebinding); on any other
address the app is meant to be reached by its other names (a proxy's), so those are not checked.
"""

from __future__ import annotations

from typing import Any

from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request

from qa.mcp_server import build_server

from .context import LOCAL_HOSTS, AppContext
from .http_auth import Unauthorized, http_user

__all__ = ["PATH", "McpHTTP"]

PATH = "/mcp"


def _security(host: str) -> TransportSecuritySettings:
    if host in LOCAL_HOSTS:
        return TransportSecuritySettings(allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
                                         allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"])
    return TransportSecuritySettings(enable_dns_rebinding_protection=False)


class McpHTTP:
    """ASGI middleware answering ``/mcp`` with the MCP server over ``ctx``'s index; the rest goes on to the app."""

    def __init__(self, app: Any, ctx: AppContext, host: str = "127.0.0.1") -> None:
        self.app = app
        self.ctx = ctx
        self.server = build_server(ctx.index_dir)
        self.mcp_app = self.server.streamable_http_app(streamable_http_path=PATH, stateless_http=True,
                                                       json_response=True, transport_security=_security(host),
                                                       host=host)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            async with self.server.session_manager.run():
                await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if scope["type"] != "http" or (path != PATH and not path.startswith(PATH + "/")):
            await self.app(scope, receive, send)
            return
        try:
            http_user(self.ctx, Request(scope))
        except Unauthorized as exc:
            await exc.response()(scope, receive, send)
            return
        await self.mcp_app(scope, receive, send)

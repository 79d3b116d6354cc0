"""The collection's change API beside the app, for scripts and document systems:

    POST   /api/documents?name=referat.pdf   (the file as the request body)   add a document
    PUT    /api/documents/{doc_id}?name=...  (the new version as the body)    replace it
    PATCH  /api/documents/{doc_id}           {"title": ..., "publisher": ..., "date": ..., "kind": ...}
    DELETE /api/documents/{doc_id}                                             remove it

Each answers the JSON of ``klynge add|edit|remove --json`` (``qa.service``). Who asks: HTTP basic
credentials of a built-in user, or the user a trusted proxy names (``qa.access``); nobody where no
sign-in is configured. A role that may not change the collection gets **403** with the reason, missing
or wrong credentials **401**, too many wrong ones **429**.
"""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from indexer import DocumentMeta, KlyngeError, ReadOnlyError
from qa import AccessDenied, service
from qa.access import User

from .context import LOGIN_LIMITER, AppContext

__all__ = ["PREFIX", "ChangesAPI"]

PREFIX = "/api/documents"


class _Unauthorized(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class ChangesAPI(BaseHTTPMiddleware):
    """Answers the change API's requests itself; everything else goes on to the app."""

    def __init__(self, app: Any, ctx: AppContext) -> None:
        super().__init__(app)
        self.ctx = ctx

    async def dispatch(self, request: Request, call_next: Any) -> Response:
        path = request.url.path.rstrip("/")
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return await call_next(request)
        doc_id = path[len(PREFIX) + 1:] if path != PREFIX else ""
        try:
            user = self._user(request)
            body = await request.body()
            result = await run_in_threadpool(self._change, request.method, doc_id, request, body, user)
        except _Unauthorized as exc:
            headers = {"WWW-Authenticate": 'Basic realm="klynge"'} if exc.status == 401 else {}
            return JSONResponse({"error": str(exc)}, exc.status, headers=headers)
        except (AccessDenied, ReadOnlyError) as exc:
            return JSONResponse({"error": str(exc)}, 403)
        except (KlyngeError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(result)

    def _user(self, request: Request) -> User | None:
        """The user of the request's basic credentials, or of a trusted proxy's headers; None for nobody."""
        access = self.ctx.access()
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                name, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                raise _Unauthorized(401, "unreadable basic credentials") from None
            if LOGIN_LIMITER.wait_for(name) > 0:
                raise _Unauthorized(429, f"too many wrong passwords for {name}: wait {LOGIN_LIMITER.wait_for(name):.0f} s")
            user = access.check_password(name, password)
            if user is None:
                LOGIN_LIMITER.failed(name)
                raise _Unauthorized(401, "wrong name or password")
            return user
        user = self.ctx.user_of(request, access)  # named by a trusted proxy
        if user is None and not access.open:
            raise _Unauthorized(401, "sign in: HTTP basic credentials of a klynge user, or through the proxy")
        return user

    def _change(self, method: str, doc_id: str, request: Request, body: bytes, user: User | None) -> Any:
        library = self.ctx.library()
        if method == "DELETE" and doc_id:
            return service.remove_documents(library, [doc_id], user).to_json()
        if method == "PATCH" and doc_id:
            fields = json.loads(body or b"{}")
            meta = DocumentMeta(*(str(fields.get(k) or "") for k in ("title", "publisher", "date", "kind")))
            return service.edit_document(library, doc_id, meta, user).to_json()
        if method in ("POST", "PUT") and bool(doc_id) == (method == "PUT"):
            name = request.query_params.get("name") or ""
            if not name or not body:
                raise ValueError("send the file as the request body and its name as ?name=")
            with tempfile.TemporaryDirectory(prefix="klynge-api-") as tmp:
                path = Path(tmp) / ("upload" + Path(name).suffix[:10])  # the ending tells text from Markdown
                path.write_bytes(body)
                return service.add_documents(library, [(path, name)], replace=doc_id or None, user=user).to_json()
        raise ValueError(f"{method} {PREFIX}{'/' + doc_id if doc_id else ''} is not a change this API makes")

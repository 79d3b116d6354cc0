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

import json
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from indexer import DocumentMeta, KlyngeError, ReadOnlyError
from qa import AccessDenied, UsageError, service
from qa.access import User

from .context import AppContext
from .http_auth import Unauthorized, http_user

__all__ = ["PREFIX", "ChangesAPI"]

PREFIX = "/api/documents"


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
            user = http_user(self.ctx, request)
            body = await request.body()
            result = await run_in_threadpool(self._change, request.method, doc_id, request, body, user)
        except Unauthorized as exc:
            return exc.response()
        except (AccessDenied, ReadOnlyError) as exc:
            return JSONResponse({"error": str(exc)}, 403)
        except KlyngeError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(result)

    def _change(self, method: str, doc_id: str, request: Request, body: bytes, user: User | None) -> Any:
        library = self.ctx.library()
        if method == "DELETE" and doc_id:
            return service.remove_documents(library, [doc_id], user).to_json()
        if method == "PATCH" and doc_id:
            meta = DocumentMeta(*(str(v or "") for v in _fields(body)))
            return service.edit_document(library, doc_id, meta, user).to_json()
        if method in ("POST", "PUT") and bool(doc_id) == (method == "PUT"):
            name = request.query_params.get("name") or ""
            if not name or not body:
                raise UsageError("send the file as the request body and its name as ?name=")
            with tempfile.TemporaryDirectory(prefix="klynge-api-") as tmp:
                path = Path(tmp) / ("upload" + Path(name).suffix[:10])  # the ending tells text from Markdown
                path.write_bytes(body)
                return service.add_documents(library, [(path, name)], replace=doc_id or None, user=user).to_json()
        raise UsageError(f"{method} {PREFIX}{'/' + doc_id if doc_id else ''} is not a change this API makes")


_META = ("title", "publisher", "date", "kind")


def _fields(body: bytes) -> list[Any]:
    """A PATCH body's metadata fields, in ``DocumentMeta``'s order; anything but a JSON object is refused."""
    try:
        fields = json.loads(body or b"{}")
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise UsageError('send the metadata as a JSON object, e.g. {"title": "…", "publisher": "…", "date": '
                         '"2025-01-31", "kind": "…"}')
    return [fields.get(k) for k in _META]

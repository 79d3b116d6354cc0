"""What every tab of one app works on: the index, the collection's folder, whether it may be changed."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer import KlyngeError, Library, UploadLimits
from qa import service
from qa.access import Access, LoginLimiter, User, load_access
from qa.search import Searcher

from .strings import DEFAULT_LANG, T

__all__ = ["E", "LIBRARY_LOCK_TIMEOUT", "LOCAL_HOSTS", "LOGIN_LIMITER", "AppContext"]

E = html.escape  # everything shown that comes from the documents or the person goes through this
LIBRARY_LOCK_TIMEOUT = 120.0  # seconds an upload waits for another writer before it says the index is busy
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")  # addresses only this machine reaches the app on
LOGIN_LIMITER = LoginLimiter()  # failed sign-ins a name may make before it waits (qa/access.py)


@dataclass(frozen=True)
class AppContext:
    index_dir: Path
    corpus_dir: Path
    read_only: bool = False

    @classmethod
    def of(cls, index_dir: Path | str | None = None, corpus_dir: Path | str | None = None,
           read_only: bool = False) -> AppContext:
        index = service.index_path(index_dir)
        return cls(index, service.corpus_path(corpus_dir, index), read_only)

    def searcher(self) -> Searcher:
        """The process-wide searcher, loaded again when another process has rebuilt the index."""
        return service.load_searcher(self.index_dir)

    def library(self) -> Library:
        """The collection, changed under the index's write lock, embedding with the searcher's model."""
        return service.open_library(self.corpus_dir, self.index_dir, embedder=self.searcher().embedder,
                                    read_only=self.read_only, limits=UploadLimits.from_env(), progress=True,
                                    lock_timeout=LIBRARY_LOCK_TIMEOUT)

    def access(self) -> Access:
        """Who may do what (the access file beside the index, read at each request: `klynge users` takes
        effect without a restart)."""
        return load_access(self.index_dir)

    def denied(self, request: Any, action: str = "ask") -> str:
        """Why the user of ``request`` may not ``action`` ("" when they may): every handler that reads the collection
        asks, since a visitor reaching the app's port directly (sign-in by a proxy) passes no gradio login."""
        try:
            access = self.access()
            access.require(self.user_of(request, access), action)
        except KlyngeError as exc:
            return str(exc)
        return ""

    def user_of(self, request: Any, access: Access | None = None) -> User | None:
        """The signed-in user of a request (gradio's, or any with ``headers`` and ``client``): by the app's
        own sign-in, or named by a trusted proxy. ``access``: the access file, when read already."""
        access = access or self.access()
        name = getattr(request, "username", None) if request is not None else None
        if name and name in access.users:
            return User(name, access.users[name].role)
        if request is None or access.proxy is None:
            return None
        client = getattr(getattr(request, "client", None), "host", None)
        return access.from_proxy(dict(getattr(request, "headers", {}) or {}), client)

    def may_change(self, request: Any) -> bool:
        access = self.access()
        user = self.user_of(request, access)
        return not self.read_only and (access.open or (user is not None and user.may("change")))

    def login(self, name: str, password: str) -> bool:
        """The app's sign-in (built-in users): a name that failed too often waits (``LOGIN_LIMITER``)."""
        return LOGIN_LIMITER.wait_for(name) <= 0 and self.check_login(name, password) is not None

    def check_login(self, name: str, password: str, access: Access | None = None) -> User | None:
        """The built-in user with this name and password, else None with the failure counted against the
        name (``LOGIN_LIMITER``; the caller checks first whether the name must wait)."""
        user = (access or self.access()).check_password(name, password)
        if user is None:
            LOGIN_LIMITER.failed(name)
        return user

    def doc_choices(self) -> list[tuple[str, str]]:
        """(title, id) of every indexed document, for the dropdowns."""
        return [(d.title, d.doc_id) for d in self.searcher().documents.values()]

    def question_set(self) -> Path | None:
        """The collection's own question set (collection.toml), when it names a file that is there."""
        own = self.searcher().index.collection.questions
        return Path(own) if own and Path(own).is_file() else None

    def status_line(self, lang: str = DEFAULT_LANG) -> str:
        """The index's size, model and build time, in the interface language ``lang``."""
        st = self.searcher().status()
        t = T[lang]
        text = t["status_fmt"].format(word=E(t["status"]), documents=st["documents"], passages=st["passages"],
                                      model=E(str(st["model"])), embedder=E(str(st["embedder"])),
                                      built=E(str(st["built"])))
        return f"<div class='k-status' id='k-status'>{text}</div>"

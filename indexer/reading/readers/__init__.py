"""One reader per file format, chosen by suffix.

A reader is a function ``read(path) -> FileText`` (the blocks and the page count) in a module of its own (``text``, ``html``,
``docx``, ``pdf``, ``image``) that names its ``SUFFIXES``; :data:`READERS` maps each suffix to its reader. To add a
format, write such a module and add it to ``_MODULES``. ``indexer.reading.read.read_document`` does the rest
(size limits, metadata, assembly into a :class:`~indexer.reading.document.Document`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indexer.reading.readers import docx, html, image, pdf, text
from indexer.reading.readers.base import Assembled, Block, FileText, assemble, decode_bytes, letterhead_mask

Reader = Callable[[Path], FileText]

_MODULES = (text, html, pdf, docx, image)
READERS: dict[str, Reader] = {suffix: m.read for m in _MODULES for suffix in m.SUFFIXES}
SUPPORTED = tuple(READERS)

__all__ = ["READERS", "SUPPORTED", "Assembled", "Block", "FileText", "Reader", "assemble", "decode_bytes", "letterhead_mask"]

"""Putting a benchmark's generated table into its page of docs/, between ``<!-- NAME -->`` and
``<!-- /NAME -->`` (the one rule for every benchmark that writes into a page)."""

from __future__ import annotations

import re
from pathlib import Path


def write_between(doc: Path, marker: str, text: str) -> None:
    """Replace what stands between the ``marker`` comments of ``doc`` with ``text``."""
    body = doc.read_text(encoding="utf-8")
    new, n = re.subn(rf"(<!-- {re.escape(marker)} -->\n).*?(<!-- /{re.escape(marker)} -->)",
                     lambda m: m.group(1) + text.rstrip("\n") + "\n" + m.group(2), body, flags=re.S)
    if n != 1:
        raise SystemExit(f"{doc}: the <!-- {marker} --> markers are missing")
    doc.write_text(new, encoding="utf-8")

"""A progress bar (tqdm on stderr) that can be switched off: long work shows passages/s and an ETA."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """``Progress(total, "embedding passages", enabled)``; every method is a no-op when not enabled."""

    def __init__(self, total: int, desc: str, enabled: bool, unit: str = "passage") -> None:
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

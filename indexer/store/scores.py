"""Score arithmetic shared by the lexical index and fusion."""

from __future__ import annotations

import numpy as np


def minmax(x: np.ndarray) -> np.ndarray:
    """Scores rescaled to [0, 1]. Constant scores carry no ranking information: they become 1 when
    positive (every item matched equally) and 0 otherwise (nothing matched)."""
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    if hi - lo < 1e-9:
        return np.zeros_like(x) if hi <= 0 else np.ones_like(x)
    return (x - lo) / (hi - lo)

"""PyTorch float64 as the reference: imported so that CI fails, not skips, when it is missing."""

from __future__ import annotations

import math
import os
from types import ModuleType

import pytest


def import_torch() -> ModuleType:
    """Return torch, or skip the calling module locally when torch is absent (an error on CI)."""
    try:
        import torch  # noqa: PLC0415 (optional: missing torch is reported below)
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("torch is not installed (pip install -e '.[test]')", allow_module_level=True)
    return torch


def same(ours: float, theirs: float, rel: float = 1e-12) -> bool:
    """Equal to ``rel`` relative (1e-300 absolute), nan matching nan and inf its own sign."""
    if math.isnan(theirs) or math.isnan(ours):
        return math.isnan(theirs) and math.isnan(ours)
    if math.isinf(theirs) or math.isinf(ours):
        return ours == theirs
    return abs(ours - theirs) <= rel * max(abs(ours), abs(theirs)) + 1e-300

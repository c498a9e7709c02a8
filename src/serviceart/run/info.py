"""``run_info``: what every engine records about a run, in one layout."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ..codebook import CUES, MEASURES
from .plan import Plan
from .settings import ScoreSettings

__all__ = ["run_info", "versions"]


def versions() -> dict[str, str]:
    """Versions of Python, serviceart and the libraries that decide its results."""
    out = {"python": platform.python_version()}
    for pkg in ("serviceart", "spacy", "pandas", "numpy", "pyarrow", "textstat"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def run_info(settings: ScoreSettings, plan: Plan, *, engine: str, seconds: float,
             words: int, counts: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The ``run_info`` of a run: the same keys from every engine.

    Parameters
    ----------
    settings
        The settings as given (``as_of`` is ``None`` when the plan found it).
    plan
        The run plan (``as_of``, parts, case linking).
    engine
        ``"local"``, ``"batch"`` or ``"dask"``.
    seconds, words
        Wall time and words scored.
    counts
        At least ``interactions_in``, ``scored`` and ``rejected``
        (``interactions_in = scored + rejected``).
    **extra
        Engine-specific entries (the batch engine's fingerprint, timings...).
    """
    rub = settings.rubric
    return {
        "engine": engine,
        "versions": versions(),
        "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
        "rubric": {"name": rub.name, "version": rub.version, "hash": rub.hash,
                   "source": rub.source},
        "settings": settings.to_dict(),
        "plan": plan.to_dict(),
        "case_linking": plan.case_linking,
        "counts": dict(counts),
        "seconds": round(seconds, 3),
        "words": words,
        "words_per_second": round(words / seconds, 1) if seconds > 0 and words else None,
        "codebook": {"cues": len(CUES), "measures": len(MEASURES)},
        **extra,
    }

"""Cue detection: a spaCy component whose patterns are data files.

See :func:`serviceart.cues.pipeline.make_nlp` for the default pipeline and
:mod:`serviceart.cues.patterns` for the pattern files, one per principle.
"""

from __future__ import annotations

from .pipeline import COMPONENT, detect, make_nlp
from .rules import PatternSet, load_patterns

__all__ = ["COMPONENT", "PatternSet", "detect", "load_patterns", "make_nlp"]

"""Rubrics: criteria over the measures, their checks, the expression language, the
default rubric (``default.toml``) and importers of evaluation forms.

- :mod:`~serviceart.rubric.core`: :class:`Rubric`, :class:`Criterion`, bands, scoring;
- :mod:`~serviceart.rubric.check`: every check made when a rubric is loaded;
- :mod:`~serviceart.rubric.expr`: the safe expression language of criteria;
- :mod:`~serviceart.rubric.importers`: CSV criteria and Amazon Connect forms.
"""

from __future__ import annotations

from .core import BAND_KEYS, KINDS, Band, Criterion, Rubric, RubricDiff, with_weights

__all__ = ["BAND_KEYS", "KINDS", "Band", "Criterion", "Rubric", "RubricDiff", "with_weights"]

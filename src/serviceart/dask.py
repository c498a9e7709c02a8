"""Scoring on a Dask cluster (the ``dask`` extra): :func:`score` and :class:`DaskResult`.

The engine is :mod:`serviceart.run.dask`; this module keeps its public import path::

    import serviceart.dask as sad
    res = sad.score("exports/").compute()
"""

from __future__ import annotations

from .run.dask import DaskResult, score

__all__ = ["DaskResult", "score"]

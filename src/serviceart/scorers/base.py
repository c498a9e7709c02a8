"""The scorer contract and the context a scorer reads.

A scorer follows the estimator contract: keyword parameters stored as given
(``get_params``), a declared tuple of the measure columns it produces, and
``score(ctx)`` returning one row per interaction of ``ctx.interactions`` with
``interaction_id`` and exactly those columns. Same input, same output.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..clock.calendar import BusinessCalendar
from ..registry import Registry

#: The default case-linking window (see :data:`serviceart.cases.linking.DEFAULT_WINDOW`).
_WEEK = pd.Timedelta(days=7)

__all__ = ["SCORERS", "Scorer", "ScoringContext", "register_scorer"]


@dataclass(frozen=True)
class ScoringContext:
    """What scorers read: a chunk of whole interactions and their evidence.

    Attributes
    ----------
    turns, interactions, evidence
        Conformed tables for the chunk (evidence already role-filtered).
    sla_s
        The reply-time target in seconds for channels ``sla`` does not name.
    calendar
        Business hours: written-channel latency is measured in business
        seconds when given (``sla_s`` then applies to that clock).
    promises
        The promise ledger of the chunk (see :data:`serviceart.schema.PROMISES`),
        or ``None`` when it was not built.
    case_window
        The case-linking window (``repeat_contact`` of a scorer run on its own).
    sla
        Reply-time targets in seconds by channel, as ``(channel, seconds)`` pairs
        (:attr:`serviceart.run.settings.ScoreSettings.sla`); a ``default`` pair, when
        present, replaces ``sla_s``.
    """

    turns: pd.DataFrame
    interactions: pd.DataFrame
    evidence: pd.DataFrame
    sla_s: float = 600.0
    calendar: BusinessCalendar | None = None
    promises: pd.DataFrame | None = None
    #: contacts of one customer at most this far apart are one case (and a repeat)
    case_window: pd.Timedelta = _WEEK
    sla: tuple[tuple[str, float], ...] = ()

    def sla_seconds(self) -> np.ndarray:
        """The reply-time target of each interaction (in ``interactions`` order), from
        its channel."""
        from ..clock.sla import sla_per_interaction

        table = {"default": self.sla_s, **dict(self.sla)}
        channels = (self.interactions["channel"] if "channel" in self.interactions.columns
                    else pd.Series([None] * len(self.interactions), dtype="string"))
        return sla_per_interaction(channels, table)

    @cached_property
    def words(self) -> np.ndarray:
        """Words in each turn's text (:func:`serviceart._words.word_counts`, aligned
        with ``turns``), counted once for the scorers and the run that read them
        (treat it as read-only)."""
        from .._words import word_counts

        return word_counts(self.turns["text"])

    @cached_property
    def contact_times(self) -> pd.DataFrame:
        """:func:`serviceart.clock.contact_times` of ``turns`` and ``interactions``,
        computed once for the scorers that read it (treat it as read-only)."""
        from ..clock import contact_times

        return contact_times(self.turns, self.interactions)

    def frame(self, columns: dict[str, Any]) -> pd.DataFrame:
        """A result frame aligned on ``interactions``, from per-id series or arrays."""
        ids = self.interactions["interaction_id"]
        out = {"interaction_id": ids.to_numpy()}
        # where each id sits in each distinct index of the series (found once per index)
        found: list[tuple[pd.Index, np.ndarray]] = []
        for name, values in columns.items():
            if isinstance(values, pd.Series) and values.index.is_unique:
                index = values.index
                at = next((pos for known, pos in found
                           if known is index or known.equals(index)), None)
                if at is None:
                    at = index.get_indexer(pd.Index(ids))
                    found.append((index, at))
                given = values.to_numpy(dtype="float64", na_value=np.nan)
                out[name] = (np.where(at >= 0, given[at], np.nan) if len(given)
                             else np.full(len(ids), np.nan))
            elif isinstance(values, pd.Series):
                out[name] = ids.map(values).to_numpy(dtype="float64", na_value=np.nan)
            else:
                out[name] = np.asarray(values, dtype="float64")
        return pd.DataFrame(out)


class Scorer(ABC):
    """Base class of scorers. Subclasses set ``name`` and ``columns`` and define ``score``."""

    name: ClassVar[str] = ""
    columns: ClassVar[tuple[str, ...]] = ()

    def get_params(self) -> dict[str, Any]:
        """The keyword parameters the scorer was built with."""
        return dict(vars(self))

    @abstractmethod
    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        """One row per interaction: ``interaction_id`` and ``self.columns``."""

    def score_with_evidence(self, ctx: ScoringContext) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The output of :meth:`score` and the evidence rows behind it.

        The engine calls this. A scorer whose measures rest on spans of text that
        the cue pipeline does not find (the words that moved a sentiment score)
        overrides it to return those spans as rows of the EVIDENCE table
        (:data:`serviceart.schema.EVIDENCE`, their ``cue`` a name of
        :data:`serviceart.codebook.SCORER_CUES`); the engine adds them to the
        result's evidence. The default returns ``(self.score(ctx), None)``: no rows.
        """
        return self.score(ctx), None

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_params() == self.get_params()

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(sorted(self.get_params().items()))))

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"


SCORERS: Registry[type[Scorer]] = Registry("scorer")


def register_scorer(cls: type[Scorer]) -> type[Scorer]:
    """Class decorator registering a scorer under its ``name``."""
    return SCORERS.register(cls.name)(cls)

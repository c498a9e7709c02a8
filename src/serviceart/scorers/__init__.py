"""Scorers: measures per interaction, registered by name in :data:`SCORERS`."""

from __future__ import annotations

from .base import SCORERS, Scorer, ScoringContext, register_scorer
from .case import CaseScorer, LedgerScorer, RepeatScorer
from .cues import CueCountScorer, PromiseScorer
from .flow import FlowScorer
from .latency import LatencyScorer
from .outcome import OutcomeScorer
from .readability import ReadabilityScorer
from .sentiment import SentimentScorer
from .talk import TalkScorer

__all__ = [
    "SCORERS",
    "CaseScorer",
    "CueCountScorer",
    "FlowScorer",
    "LatencyScorer",
    "LedgerScorer",
    "OutcomeScorer",
    "PromiseScorer",
    "ReadabilityScorer",
    "RepeatScorer",
    "Scorer",
    "ScoringContext",
    "SentimentScorer",
    "TalkScorer",
    "default_scorers",
    "register_scorer",
]


def default_scorers() -> list[Scorer]:
    """One instance of every registered scorer, with default parameters, by name."""
    return [cls() for _, cls in SCORERS]

"""serviceart: how well each customer-service conversation went, and why.

Read contact-centre exports, detect cues and measures, and score every
interaction on respect, service, integrity and follow-through, with the
evidence behind every score.

Examples
--------
>>> import serviceart as sa
>>> res = sa.score(sa.read("data/samples/transcripts.txt"))
>>> res.scores.shape
(3, 6)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .businesshours import BusinessCalendar
from .calibrate import CalibrationReport, calibrate
from .cases import link_cases
from .codebook import CUES, MEASURES, PRINCIPLES
from .cues.pipeline import detect, make_nlp
from .engine import score
from .errors import (
    ConfigError,
    FormatError,
    InputError,
    RegistryError,
    RubricError,
    SchemaError,
    ServiceartError,
)
from .fairness import FairnessReport, fairness
from .io import read, sniff, stream
from .model import Conversations
from .readers import READERS
from .result import Result
from .rubric import Criterion, Rubric
from .scorers import SCORERS

if TYPE_CHECKING:
    from . import plot

__version__ = "0.1.0"

__all__ = [
    "CUES",
    "MEASURES",
    "PRINCIPLES",
    "BusinessCalendar",
    "CalibrationReport",
    "ConfigError",
    "Conversations",
    "Criterion",
    "FairnessReport",
    "FormatError",
    "InputError",
    "RegistryError",
    "Result",
    "Rubric",
    "RubricError",
    "SchemaError",
    "ServiceartError",
    "__version__",
    "calibrate",
    "detect",
    "fairness",
    "link_cases",
    "list_readers",
    "list_scorers",
    "make_nlp",
    "plot",
    "read",
    "score",
    "sniff",
    "stream",
]


def list_readers() -> list[str]:
    """Names of the registered readers.

    Examples
    --------
    >>> list_readers()  # doctest: +NORMALIZE_WHITESPACE
    ['contact_lens', 'eml', 'freshdesk', 'genesys', 'insights', 'intercom', 'mbox', 'messages',
     'pca', 'srt', 'text', 'transcribe', 'turns', 'vtt', 'zendesk']
    """
    return READERS.names()


def list_scorers() -> list[str]:
    """Names of the registered scorers.

    Examples
    --------
    >>> list_scorers()
    ['case', 'cues', 'flow', 'latency', 'ledger', 'promises', 'readability', 'talk']
    """
    return SCORERS.names()


def __getattr__(name: str) -> object:
    """Import ``serviceart.plot`` on first access of ``sa.plot`` (matplotlib waits for
    the first plot), so that ``import serviceart`` does not need the plot extra."""
    if name == "plot":
        import importlib

        return importlib.import_module(f"{__name__}.plot")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "plot"})

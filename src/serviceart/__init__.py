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

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import plot
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
        OutputError,
        RegistryError,
        RubricError,
        SchemaError,
        ServiceartError,
    )
    from .fairness import FairnessReport, fairness
    from .io import read, sniff, stream
    from .model import Conversations
    from .readers import READERS as READERS
    from .result import Result
    from .rubric import Criterion, Rubric
    from .run.settings import ScoreSettings
    from .scorers import SCORERS as SCORERS

#: where each public name lives; modules are imported on first use (SPEC 1 lazy
#: loading), so ``import serviceart`` is quick and a command such as
#: ``serviceart score`` can start its workers while it imports the rest
_LAZY = {
    "BusinessCalendar": "businesshours",
    "CalibrationReport": "calibrate", "calibrate": "calibrate",
    "link_cases": "cases",
    "CUES": "codebook", "MEASURES": "codebook", "PRINCIPLES": "codebook",
    "detect": "cues.pipeline", "make_nlp": "cues.pipeline",
    "score": "engine",
    "ConfigError": "errors", "FormatError": "errors", "InputError": "errors",
    "OutputError": "errors",
    "RegistryError": "errors", "RubricError": "errors", "SchemaError": "errors",
    "ServiceartError": "errors",
    "FairnessReport": "fairness", "fairness": "fairness",
    "read": "io", "sniff": "io", "stream": "io",
    "Conversations": "model",
    "READERS": "readers",
    "Result": "result",
    "Criterion": "rubric", "Rubric": "rubric",
    "ScoreSettings": "run.settings",
    "SCORERS": "scorers",
}

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
    "OutputError",
    "RegistryError",
    "Result",
    "Rubric",
    "RubricError",
    "SchemaError",
    "ScoreSettings",
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
    from .readers import READERS as READERS

    return READERS.names()


def list_scorers() -> list[str]:
    """Names of the registered scorers.

    Examples
    --------
    >>> list_scorers()
    ['case', 'cues', 'flow', 'latency', 'ledger', 'promises', 'readability', 'repeat', 'talk']
    """
    from .scorers import SCORERS as SCORERS

    return SCORERS.names()


def __getattr__(name: str) -> Any:
    """The public names, imported on first access (``sa.plot`` too: matplotlib waits
    for the first plot, so ``import serviceart`` does not need the plot extra)."""
    if name == "plot":
        return importlib.import_module(f"{__name__}.plot")
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    dunder = (n for n in globals() if n.startswith("__"))
    return sorted({*dunder, *__all__, *_LAZY, "plot"})


class _Package(types.ModuleType):
    """``sa.calibrate`` and ``sa.fairness`` stay the functions once their modules load.

    Importing a submodule sets an attribute of its package; for these two the
    module shares its name with the function it exports, and that function is
    what ``serviceart.calibrate`` means (as it did when the package imported
    everything at once).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("calibrate", "fairness") and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

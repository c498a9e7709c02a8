"""serviceart: how well each customer-service conversation went, and why.

Read contact-centre exports, detect cues and measures, and score every
interaction on respect, service, integrity and follow-through, with the
evidence behind every score.

Examples
--------
>>> import serviceart as sa
>>> res = sa.score(sa.read("data/samples/transcripts.txt"))
>>> res.scores.shape
(3, 8)
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:  # the same names as _EXPORTS, for type checkers (a test compares them)
    from . import plot as plot
    from .analysis.agreement import AgreementReport as AgreementReport
    from .analysis.agreement import agreement as agreement
    from .analysis.calibrate import CalibrationReport as CalibrationReport
    from .analysis.calibrate import calibrate as calibrate
    from .analysis.fairness import FairnessReport as FairnessReport
    from .analysis.fairness import fairness as fairness
    from .cases.linking import link_cases as link_cases
    from .clock.calendar import BusinessCalendar as BusinessCalendar
    from .codebook import CUES as CUES
    from .codebook import MEASURES as MEASURES
    from .codebook import PRINCIPLES as PRINCIPLES
    from .cues.categories import Categories as Categories
    from .cues.categories import load_categories as load_categories
    from .cues.pipeline import detect as detect
    from .cues.pipeline import make_nlp as make_nlp
    from .errors import ConfigError as ConfigError
    from .errors import FormatError as FormatError
    from .errors import InputError as InputError
    from .errors import OutputError as OutputError
    from .errors import RegistryError as RegistryError
    from .errors import RubricError as RubricError
    from .errors import SchemaError as SchemaError
    from .errors import ServiceartError as ServiceartError
    from .ingest.io import read as read
    from .ingest.io import sniff as sniff
    from .ingest.io import stream as stream
    from .ingest.model import Conversations as Conversations
    from .readers import READERS as READERS
    from .redact import redact_text as redact_text
    from .result import Result as Result
    from .rubric.core import Criterion as Criterion
    from .rubric.core import Rubric as Rubric
    from .run.local import score as score
    from .run.recategorise import recategorise as recategorise
    from .run.settings import ScoreSettings as ScoreSettings
    from .scorers import SCORERS as SCORERS
    from .views.report import report as report

__version__ = "0.1.0"

#: in _EXPORTS, marks a public name that is a submodule (``sa.plot``), not a name in one
_SUBMODULE = "<submodule>"

#: Every public name and the module of this package that defines it ("" for the
#: names defined in this file). This is the one list: ``__all__``, ``dir()`` and
#: the lazy imports come from it. A module is imported when one of its names is
#: first used (SPEC 1 lazy loading), so ``import serviceart`` is quick and
#: ``serviceart score`` can start its workers while it imports the rest.
_EXPORTS: dict[str, str] = {
    "__version__": "",
    "list_readers": "",
    "list_scorers": "",
    "BusinessCalendar": "clock.calendar",
    "CalibrationReport": "analysis.calibrate", "calibrate": "analysis.calibrate",
    "link_cases": "cases.linking",
    "CUES": "codebook", "MEASURES": "codebook", "PRINCIPLES": "codebook",
    "detect": "cues.pipeline", "make_nlp": "cues.pipeline",
    "score": "run.local",
    "ConfigError": "errors", "FormatError": "errors", "InputError": "errors",
    "OutputError": "errors", "RegistryError": "errors", "RubricError": "errors",
    "SchemaError": "errors", "ServiceartError": "errors",
    "FairnessReport": "analysis.fairness", "fairness": "analysis.fairness",
    "read": "ingest.io", "sniff": "ingest.io", "stream": "ingest.io",
    "Conversations": "ingest.model",
    "plot": _SUBMODULE,
    "READERS": "readers",
    "Result": "result",
    "Criterion": "rubric.core", "Rubric": "rubric.core",
    "ScoreSettings": "run.settings",
    "SCORERS": "scorers",
    "AgreementReport": "analysis.agreement", "agreement": "analysis.agreement",
    "Categories": "cues.categories", "load_categories": "cues.categories",
    "recategorise": "run.recategorise",
    "redact_text": "redact",
    "report": "views.report",
}


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions, each alphabetically (isort's order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


__all__ = sorted(_EXPORTS, key=_isort_key)


def list_readers() -> list[str]:
    """Names of the registered readers.

    Examples
    --------
    >>> list_readers()  # doctest: +NORMALIZE_WHITESPACE
    ['contact_lens', 'eml', 'freshdesk', 'genesys', 'insights', 'intercom', 'mbox', 'messages',
     'pca', 'srt', 'text', 'transcribe', 'turns', 'vtt', 'zendesk']
    """
    from .readers import READERS as READERS
    from .redact import redact_text as redact_text

    return READERS.names()


def list_scorers() -> list[str]:
    """Names of the registered scorers.

    Examples
    --------
    >>> list_scorers()  # doctest: +NORMALIZE_WHITESPACE
    ['case', 'cues', 'flow', 'latency', 'ledger', 'outcome', 'promises', 'readability',
     'repeat', 'sentiment', 'talk']
    """
    from .scorers import SCORERS as SCORERS
    from .views.report import report as report

    return SCORERS.names()


def __getattr__(name: str) -> typing.Any:
    """A public name, imported on first access (``sa.plot`` too: matplotlib waits
    for the first plot, so ``import serviceart`` does not need the plot extra)."""
    where = _EXPORTS.get(name)
    if not where:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if where == _SUBMODULE:
        return importlib.import_module(f"{__name__}.{name}")
    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    dunder = (n for n in globals() if n.startswith("__"))
    return sorted({*dunder, *__all__})

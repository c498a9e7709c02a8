"""The public tables, declared once: columns, dtypes and meaning.

Every frame serviceart returns is conformed to one of these declarations, so
that users and tests can rely on exact column names and dtypes. Ids are columns,
never the index.

Examples
--------
>>> TURNS.names[:4]
('interaction_id', 'turn_index', 'role', 'speaker')
>>> str(empty(REJECTS).dtypes["code"])
'string'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .codebook import (
    CHANNELS,
    CUES,
    EVIDENCE_CUES,
    EVIDENCE_MARKERS,
    MEASURES,
    PRINCIPLES,
    ROLES,
    SCOPES,
)
from .errors import SchemaError

__all__ = [
    "EVIDENCE",
    "INTERACTIONS",
    "PROMISES",
    "REJECTS",
    "SCORES",
    "TURNS",
    "Column",
    "Table",
    "conform",
    "empty",
    "measures_table",
]

STRING = pd.StringDtype()
UTC_TIME = pd.DatetimeTZDtype(tz="UTC")


@dataclass(frozen=True)
class Column:
    """One declared column: name, dtype, whether it may be missing, meaning."""

    name: str
    dtype: Any
    required: bool
    meaning: str


@dataclass(frozen=True)
class Table:
    """A declared table: its name and its columns, in order."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in declared order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the columns an input must have."""
        return tuple(c.name for c in self.columns if c.required)

    def dtypes(self) -> dict[str, Any]:
        """Mapping of column name to dtype."""
        return {c.name: c.dtype for c in self.columns}


def _cat(values: Iterable[str]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(categories=list(values), ordered=False)


ROLE_DTYPE = _cat(ROLES)
CHANNEL_DTYPE = _cat(CHANNELS)
CUE_DTYPE = _cat([*EVIDENCE_CUES, *EVIDENCE_MARKERS])
SCOPE_DTYPE = _cat(SCOPES)

TURNS = Table(
    "turns",
    (
        Column("interaction_id", STRING, True, "the interaction the turn belongs to"),
        Column("turn_index", "int64", False, "0..n-1 in time order"),
        Column("role", ROLE_DTYPE, True, "agent, customer or system"),
        Column("speaker", STRING, False, "agent or customer id or name"),
        Column("text", STRING, True, "what was said or written"),
        Column("start_s", "float64", False, "seconds from the interaction start (calls)"),
        Column("end_s", "float64", False, "seconds from the interaction start (calls)"),
        Column("timestamp", UTC_TIME, False, "when it was said or sent, UTC"),
        Column("source", STRING, False, "the file the turn came from"),
        Column("record", STRING, False, "where in that file: line, row or JSON path"),
    ),
)

INTERACTIONS = Table(
    "interactions",
    (
        Column("interaction_id", STRING, True, "one contact: a call, chat or thread"),
        Column("channel", CHANNEL_DTYPE, False, "call, chat, email, social or forum"),
        Column("case_id", STRING, False, "links contacts about one issue"),
        Column("customer_id", STRING, False, "the customer"),
        Column("agent_id", STRING, False, "the first agent who spoke"),
        Column("started_at", UTC_TIME, False, "when the interaction started, UTC"),
    ),
)

EVIDENCE = Table(
    "evidence",
    (
        Column("interaction_id", STRING, True, "the interaction"),
        Column("turn_index", "int64", True, "the turn inside it"),
        Column("role", ROLE_DTYPE, True, "who said it"),
        Column("cue", CUE_DTYPE, True,
               "the codebook cue, a scorer cue (customer_sentiment) or the scope marker"),
        Column("start_char", "int64", True, "span start in the turn's text"),
        Column("end_char", "int64", True, "span end in the turn's text"),
        Column("text", STRING, True, "the span's text"),
        Column("detail", STRING, False, "JSON details, e.g. a promise's action and due phrase"),
        Column("due_at", UTC_TIME, False,
               "a promise's due time, UTC (NaT: none stated, or the turn's time unknown)"),
        Column("source", STRING, False,
               "what found the cue: 'pattern' (a pattern file) or 'model' (the learned detector)"),
        Column("confidence", "float64", False,
               "1.0 for a pattern match; the learned detector's probability for a model cue"),
    ),
)

SCORES = Table(
    "scores",
    (
        Column("interaction_id", STRING, True, "the interaction"),
        *(Column(p, "float64", True, f"{p} score, 0..100 or NaN") for p in PRINCIPLES),
        Column("overall", "float64", True, "mean of the principle scores, 0..100 or NaN"),
        Column("scope", SCOPE_DTYPE, False,
               "service (scored), no_agent or non_service (no agent scores: all NaN)"),
        Column("scope_reason", STRING, False, "why the interaction is out of scope"),
    ),
)

REJECTS = Table(
    "rejects",
    (
        Column("source", STRING, False, "the file (or frame)"),
        Column("record", STRING, False, "line, row or JSON path inside it"),
        Column("interaction_id", STRING, False, "the interaction, when known"),
        Column("field", STRING, False, "the field at fault, when one is"),
        Column("code", STRING, True, "stable code of the problem"),
        Column("reason", STRING, True, "what is wrong and what to do"),
    ),
)

CONTRIBUTIONS = Table(
    "contributions",
    (
        Column("interaction_id", STRING, True, "the interaction"),
        Column("principle", STRING, True, "respect, service, integrity or follow_through"),
        Column("criterion", STRING, True, "the rubric criterion"),
        Column("value", "float64", True, "the criterion's value 0..1 (NaN: no data)"),
        Column("weight", "float64", True, "the criterion's weight"),
        Column("applied", "bool", True, "whether it counted for this interaction"),
        Column("points", "float64", True, "points won towards the principle (0..100)"),
        Column("points_lost", "float64", True, "points the criterion cost (0..100)"),
    ),
)


PROMISES = Table(
    "promises",
    (
        Column("promise_id", STRING, True, "interaction_id:turn_index:start_char"),
        Column("interaction_id", STRING, True, "where the promise was made"),
        Column("case_id", STRING, True, "the case it belongs to"),
        Column("turn_index", "int64", True, "the turn that made it"),
        Column("agent", STRING, False, "who promised (the turn's speaker)"),
        Column("action", STRING, False, "what was promised"),
        Column("due_phrase", STRING, False, "the words that set the due time, if any"),
        Column("made_at", UTC_TIME, False, "when it was made, UTC"),
        Column("due", UTC_TIME, False, "when it falls due, UTC (stated or default horizon)"),
        Column("due_source", STRING, True, "stated, default (channel horizon) or none"),
        Column("status", STRING, True, "kept, broken, open or unverifiable"),
        Column("settled_by", STRING, False, "interaction_id:turn_index of the contact"),
        Column("settled_how", STRING, False, "agent_contact, agent_reply or follow_up"),
        Column("settled_at", UTC_TIME, False, "when that contact happened, UTC"),
        Column("lateness_s", "float64", False, "settled_at (or the data's end) minus due"),
        Column("chased", "int64", True, "customer chasing cues linked to the promise"),
        Column("chased_by", STRING, False, "JSON list of interaction_id:turn_index"),
        Column("reason", STRING, True, "why the status, in words"),
    ),
)


def measures_table() -> Table:
    """The measures table: one row per interaction, every measure and cue count.

    Returns
    -------
    Table
        ``interaction_id``, the codebook measures (float) and one count column per
        cue (int), in codebook order.
    """
    cols = [Column("interaction_id", STRING, True, "the interaction")]
    cols += [Column(m.name, "float64", True, m.meaning) for m in MEASURES.values()]
    cols += [Column(c.name, "int64", True, f"count of {c.name} cues") for c in CUES.values()]
    return Table("measures", tuple(cols))


def empty(table: Table) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes.

    Parameters
    ----------
    table
        A declared table.

    Returns
    -------
    pandas.DataFrame
    """
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in table.columns})


def conform(
    frame: pd.DataFrame | Mapping[str, Any], table: Table, *, extra: bool = False
) -> pd.DataFrame:
    """Return a new frame with exactly the table's columns, in order, cast to its dtypes.

    Missing optional columns are added as all-missing; extra columns are dropped
    unless ``extra`` is true (then they follow, untouched). The input is not mutated.

    Parameters
    ----------
    frame
        A frame (or a mapping of columns) already validated by the caller.
    table
        The declaration to conform to.
    extra
        Keep columns the declaration does not name.

    Returns
    -------
    pandas.DataFrame
    """
    df = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    n = len(df)
    out: dict[str, Any] = {}
    for col in table.columns:
        if col.name in df.columns:
            out[col.name] = df[col.name].astype(col.dtype)
        elif n == 0 or col.dtype not in ("int64", "bool"):
            missing = float("nan") if col.dtype == "float64" else pd.NA
            out[col.name] = pd.Series([missing] * n, index=df.index, dtype=col.dtype)
        else:
            raise SchemaError(f"the {table.name} table needs a value for column {col.name!r}",
                              field=col.name, code="SA-S005")
    if extra:
        for name in df.columns:
            if name not in out:
                out[name] = df[name]
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)

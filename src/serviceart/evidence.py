"""From turns to evidence rows: run the cue pipeline, keep each cue for its role,
and attach promise details (action, due phrase, due time)."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language
from spacy.tokens import Span

from .businesshours import BusinessCalendar
from .codebook import CUES
from .cues.pipeline import SPANS_KEY, normalise
from .duetime import find_due
from .schema import EVIDENCE, conform, empty

__all__ = ["extract_evidence", "reference_times"]


def reference_times(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.Series:
    """When each turn was said: its timestamp, else the interaction start + ``start_s``."""
    started = turns["interaction_id"].map(
        interactions.set_index("interaction_id")["started_at"])
    offset = pd.to_timedelta(turns["start_s"].fillna(0.0), unit="s")
    from_start = (started + offset).astype("datetime64[ns, UTC]")
    return turns["timestamp"].where(turns["timestamp"].notna(), from_start)


def _promise_detail(span: Span, ref: datetime | None, tz: str | tzinfo,
                    calendar: BusinessCalendar | None = None) -> str:
    detail: dict[str, Any] = {"action": span.text}
    sent = span.sent
    due = find_due(sent.text, ref if ref is not None else datetime(2000, 1, 1), tz=tz,
                   calendar=calendar)
    if due is not None:
        detail["due_phrase"] = due.phrase
        detail["due"] = due.due.isoformat() if ref is not None else None
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


def extract_evidence(
    turns: pd.DataFrame,
    interactions: pd.DataFrame,
    nlp: Language,
    *,
    tz: str | tzinfo = "UTC",
    batch_size: int = 256,
    calendar: BusinessCalendar | None = None,
) -> pd.DataFrame:
    """Evidence rows for every cue in every turn, for the role the codebook gives it.

    Parameters
    ----------
    turns, interactions
        Conformed tables of whole interactions.
    nlp
        A pipeline with the ``serviceart_cues`` component.
    tz
        Time zone for resolving due times ("tomorrow" is a local day).
    batch_size
        Texts per spaCy batch.
    calendar
        Business hours for due times such as "in 2 business days" (open days,
        hours and holidays); weekdays Monday to Friday without one.

    Returns
    -------
    pandas.DataFrame
        The EVIDENCE table, in turn order.
    """
    if turns.empty:
        return empty(EVIDENCE)
    refs = reference_times(turns, interactions)

    def ref_of(i: int) -> datetime | None:  # only promises need their turn's time
        r = refs.iloc[i]
        return None if pd.isna(r) else r.to_pydatetime(warn=False)

    roles = turns["role"].astype("string").to_numpy(dtype=object)
    texts = turns["text"].astype("string").fillna("").to_numpy(dtype=object)
    cols: dict[str, list[Any]] = {k: [] for k in EVIDENCE.names}
    docs = nlp.pipe((normalise(t) for t in texts), batch_size=batch_size)
    role_of = {name: cue.role for name, cue in CUES.items()}
    for i, doc in enumerate(docs):
        role = roles[i]
        for span in doc.spans[SPANS_KEY]:
            cue = span.label_
            if role_of[cue] != role:
                continue
            cols["interaction_id"].append(i)
            cols["role"].append(role)
            cols["cue"].append(cue)
            cols["start_char"].append(span.start_char)
            cols["end_char"].append(span.end_char)
            cols["text"].append(texts[i][span.start_char:span.end_char])
            cols["detail"].append(_promise_detail(span, ref_of(i), tz, calendar)
                                  if cue == "promise" else None)
    pos = np.asarray(cols.pop("interaction_id"), dtype="int64")
    cols.pop("turn_index")
    frame = pd.DataFrame({
        "interaction_id": turns["interaction_id"].to_numpy()[pos] if len(pos) else [],
        "turn_index": turns["turn_index"].to_numpy()[pos] if len(pos) else [],
        **cols,
    })
    return conform(frame, EVIDENCE)

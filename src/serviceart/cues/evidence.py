"""From turns to evidence rows: run the cue pipeline, keep each cue for its role,
and attach promise details (action and due phrase in ``detail``, the due time in
``due_at``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import tzinfo
from typing import Any

import numpy as np
import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..clock import reference_times
from ..clock.calendar import BusinessCalendar
from ..clock.due import find_due, find_due_phrase
from ..codebook import CUES
from ..schema import EVIDENCE, conform, empty
from .category_match import component_of as category_component
from .learned import MODEL_KEY, ROLES_KEY
from .pipeline import SPANS_KEY, distinct

__all__ = ["FIRST_REPLY_DROPS", "extract_evidence", "first_replies"]

#: Cue -> wording that does not carry the cue in the agent's first reply to a
#: customer. ``follow_up`` opens a contact by following up an earlier one: "Just
#: checking in" answering the customer's first message is an opener, not a follow-up
#: (while "I was just following up on your order" there still is one).
FIRST_REPLY_DROPS: dict[str, re.Pattern[str]] = {
    "follow_up": re.compile(r"\bcheck(?:ing)?\s+in\b", re.IGNORECASE),
}


def first_replies(turns: pd.DataFrame) -> np.ndarray:
    """Per turn: an agent turn with a customer turn before it and no agent turn before it,
    in its interaction.

    Examples
    --------
    >>> t = pd.DataFrame({"interaction_id": ["a", "a", "a", "b"], "turn_index": [0, 1, 2, 0],
    ...                   "role": ["customer", "agent", "agent", "agent"]})
    >>> first_replies(t).tolist()
    [False, True, False, False]
    """
    if turns.empty:
        return np.zeros(0, dtype=bool)
    role = turns["role"].astype("string")
    frame = pd.DataFrame({"iid": turns["interaction_id"].astype("string").to_numpy(),
                          "ti": turns["turn_index"].to_numpy(),
                          "agent": (role == "agent").fillna(False).to_numpy(dtype=bool),
                          "customer": (role == "customer").fillna(False).to_numpy(dtype=bool)})
    ordered = frame.sort_values(["iid", "ti"], kind="stable")
    grouped = ordered.groupby("iid", sort=False)
    agents_before = grouped["agent"].cumsum() - ordered["agent"]
    customers_before = grouped["customer"].cumsum() - ordered["customer"]
    first = ordered["agent"] & (agents_before == 0) & (customers_before > 0)
    return first.reindex(frame.index).to_numpy(dtype=bool)


#: A cue found in a text: cue, source, confidence, start and end characters, and for
#: a promise the character span of its sentence (``None`` for other cues).
_Found = tuple[str, str, float, int, int, "tuple[int, int] | None"]


def _cues_of(doc: Doc) -> list[_Found]:
    """The cues of one analysed text, pattern cues first, with every role."""
    found: list[_Found] = []
    for span in doc.spans[SPANS_KEY]:
        found.append((span.label_, "pattern", 1.0, span.start_char, span.end_char,
                      _sentence(span)))
    if MODEL_KEY in doc.spans and len(doc.spans[MODEL_KEY]):
        group = doc.spans[MODEL_KEY]
        for span, conf in zip(group, group.attrs["confidence"], strict=True):
            found.append((span.label_, "model", conf, span.start_char, span.end_char,
                          _sentence(span)))
    return found


def _sentence(span: Span) -> tuple[int, int] | None:
    """The character span of a promise's sentence (due phrases are read from it)."""
    if span.label_ != "promise":
        return None
    sent = span.sent
    return sent.start_char, sent.end_char


def _promise(text: str, start: int, end: int, sentence: tuple[int, int] | None,
             said: pd.Timestamp | None, tz: str | tzinfo,
             calendar: BusinessCalendar | None = None) -> tuple[str, pd.Timestamp | None]:
    """A promise's ``detail`` JSON and its due time (None when there is none, or when
    the turn's time is unknown: the phrase is then kept without a time); ``text`` is the
    analysed (normalised) text, ``start:end`` the promise and ``sentence`` its sentence."""
    detail: dict[str, Any] = {"action": text[start:end]}
    text = text[sentence[0]:sentence[1]] if sentence is not None else text
    due_at: pd.Timestamp | None = None
    if said is None:
        phrase = find_due_phrase(text, calendar=calendar)
        if phrase is not None:
            detail["due_phrase"] = phrase.phrase
    else:
        due = find_due(text, said.to_pydatetime(warn=False), tz=tz, calendar=calendar)
        if due is not None:
            detail["due_phrase"] = due.phrase
            due_at = pd.Timestamp(due.due)
    return json.dumps(detail, ensure_ascii=False, sort_keys=True), due_at


def _docs(nlp: Language, unique: list[str], codes: list[int],
          roles: np.ndarray) -> Iterator[Doc]:
    """The distinct texts to analyse as docs, each marked with the roles of the turns
    that say it (:data:`~serviceart.cues.learned.ROLES_KEY`; cues of other roles would
    be dropped), so that the cue components can skip the work only those need."""
    said_by: list[set[str]] = [set() for _ in unique]
    for code, role in zip(codes, roles.tolist(), strict=True):
        said_by[code].add(role)
    for text, by in zip(unique, said_by, strict=True):
        doc = nlp.make_doc(text)
        doc.user_data[ROLES_KEY] = frozenset(by)
        yield doc


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
    said = reference_times(turns, interactions)  # only promises need their turn's time

    def said_at(i: int) -> pd.Timestamp | None:
        t = said.iloc[i]
        return None if pd.isna(t) else t

    roles = turns["role"].astype("string").to_numpy(dtype=object)
    texts = turns["text"].astype("string").fillna("").to_numpy(dtype=object)
    cols: dict[str, list[Any]] = {k: [] for k in EVIDENCE.names}
    dues: dict[int, int] = {}  # evidence row -> due time, ns since the epoch
    # each distinct text is analysed once; its cues are then read for every turn saying it
    unique, codes = distinct(texts)
    by_text = [_cues_of(doc) for doc in nlp.pipe(_docs(nlp, unique, codes, roles),
                                                 batch_size=batch_size)]
    component = category_component(nlp)
    if component is not None:  # its hits, one list per turn again
        component.repeat(codes)
    role_of = {name: cue.role for name, cue in CUES.items()}
    for i, code in enumerate(codes):
        role = roles[i]
        for cue, source, confidence, start, end, sentence in by_text[code]:
            if role_of[cue] != role:
                continue
            cols["source"].append(source)
            cols["confidence"].append(confidence)
            cols["interaction_id"].append(i)
            cols["role"].append(role)
            cols["cue"].append(cue)
            cols["start_char"].append(start)
            cols["end_char"].append(end)
            cols["text"].append(texts[i][start:end])
            detail, due_at = (_promise(unique[code], start, end, sentence, said_at(i), tz,
                                       calendar) if cue == "promise" else (None, None))
            cols["detail"].append(detail)
            if due_at is not None:
                dues[len(cols["detail"]) - 1] = due_at.value
    pos = np.asarray(cols.pop("interaction_id"), dtype="int64")
    drop = np.zeros(len(pos), dtype=bool)
    if set(FIRST_REPLY_DROPS).intersection(cols["cue"]):
        first = first_replies(turns)[pos]
        for row in np.flatnonzero(first).tolist():
            wording = FIRST_REPLY_DROPS.get(cols["cue"][row])
            drop[row] = wording is not None and wording.search(cols["text"][row]) is not None
    if drop.any():
        keep = ~drop
        pos = pos[keep]
        new_row = np.cumsum(keep) - 1
        dues = {int(new_row[i]): v for i, v in dues.items() if keep[i]}
        for k in ("role", "cue", "start_char", "end_char", "text", "detail", "source",
                  "confidence"):
            cols[k] = [v for v, ok in zip(cols[k], keep.tolist(), strict=True) if ok]
    cols.pop("turn_index")
    cols.pop("due_at")
    due_ns = np.full(len(pos), np.iinfo(np.int64).min, dtype="int64")  # NaT
    due_ns[list(dues)] = list(dues.values())
    frame = pd.DataFrame({
        "interaction_id": turns["interaction_id"].to_numpy()[pos] if len(pos) else [],
        "turn_index": turns["turn_index"].to_numpy()[pos] if len(pos) else [],
        **cols,
        "due_at": pd.to_datetime(due_ns, utc=True),
    })
    return conform(frame, EVIDENCE)

"""A test kit for serviceart and its plug-ins: hypothesis strategies and conformance checks.

Needs ``hypothesis`` (``pip install serviceart[testing]``).

- :func:`conversations_frames`: a strategy for realistic turn tables (calls with
  timing, chats with timestamps, untimed transcripts).
- :func:`check_scorer` (:mod:`serviceart.testing.scorers`): the scorer contract
  on real evidence and a real promise ledger: one row per interaction, codebook
  columns only, values in range, inputs left unchanged, deterministic, invariant
  to interaction order and to renaming people, picklable and clonable.
- :mod:`serviceart.testing.cases`: strategies of cases (:func:`cases`), channels
  (:func:`channels`), start times in several zones (:func:`start_times`,
  :func:`time_zones`) and turn clocks (:func:`clocks`), and a fixed realistic
  sample (:func:`sample_cases`).
- :func:`check_reader`: the reader contract on one file: provenance on every
  turn, turns in time order, roles valid, counts adding up, and a round trip
  through the ``turns`` format that loses nothing.

The reliability kit, in submodules (each with its own ``__all__``):

- :mod:`serviceart.testing.values`: malformed values (placeholder dates, infinite
  offsets, huge integers, non-scalar ids, charsets that are no text encoding) and
  helpers that write them into one record of a valid file of any reader.
- :mod:`serviceart.testing.records`: export files damaged record by record (stray
  quotes, extra fields, truncated lines, broken MIME, folders behind links) and
  :func:`~serviceart.testing.records.unaccounted`, the check that every input
  interaction is valid or rejected with its id.
- :mod:`serviceart.testing.rubrics`: hostile rubric files and expressions.
- :mod:`serviceart.testing.markup`: markup payloads for every field that reaches HTML
  or the terminal, and a scan of a page for anything unescaped.
- :mod:`serviceart.testing.faults`: fault injection for the batch engine (kill a run,
  damage its parts and markers, fill or lock its disk) and
  :func:`~serviceart.testing.faults.check_run`, the invariant checked from a run
  folder's tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ServiceartError
from ..ingest.model import Conversations
from .cases import CaseSet, cases, channels, clocks, sample_cases, start_times, time_zones
from .scorers import check_scorer

__all__ = ["CaseSet", "cases", "channels", "check_reader", "check_scorer", "clocks",
           "conversations_frames", "relabel_speakers", "sample_cases", "start_times",
           "time_zones"]

_AGENT_LINES = (
    "Hi, thanks for calling, this is Sam.", "I'm sorry about the wait.",
    "Let me check that for you.", "I've processed the refund.",
    "I'll call you back tomorrow before noon.", "Unfortunately we can't do that.",
    "Is there anything else I can help with?", "Does that fix it for you?",
    "I think it's the router.", "Someone will get back to you soon.",
    "Let me transfer you to billing.", "Please DM us.", "calm down",
    "That happened because the trial ended.", "I guarantee it will never happen again.",
)
_CUSTOMER_LINES = (
    "My internet keeps dropping.", "It's still not working.", "That worked, thanks!",
    "As I said, my account number is 1234.", "This is the third time I'm calling.",
    "Okay.", "Why was I charged twice?", "Any update?",
)


def conversations_frames(max_interactions: int = 6, max_turns: int = 10) -> Any:
    """A hypothesis strategy of turn tables (``pandas.DataFrame``) of valid interactions.

    Each interaction is a call (``start_s``/``end_s``), a chat (``timestamp``) or an
    untimed transcript; turns alternate at random between agent and customer
    lines that carry real cues, with several agent speakers at times.
    """
    from hypothesis import strategies as st

    @st.composite
    def build(draw: Any) -> pd.DataFrame:
        n = draw(st.integers(1, max_interactions))
        rows: list[dict[str, Any]] = []
        for k in range(n):
            kind = draw(st.sampled_from(["call", "chat", "plain"]))
            m = draw(st.integers(1, max_turns))
            t = 0.0
            base = pd.Timestamp("2026-03-02T09:00:00Z") + pd.Timedelta(hours=k)
            for j in range(m):
                role = draw(st.sampled_from(["agent", "customer"]))
                pool = _AGENT_LINES if role == "agent" else _CUSTOMER_LINES
                text = draw(st.sampled_from(pool))
                gap = draw(st.floats(0.0, 900.0, allow_nan=False))
                dur = draw(st.floats(0.5, 40.0, allow_nan=False))
                start = t + (gap if kind == "chat" else gap / 30)
                row: dict[str, Any] = {
                    "interaction_id": f"i{k}", "turn_index": j, "role": role, "text": text,
                    "speaker": (f"agent{draw(st.integers(1, 2))}" if role == "agent"
                                else f"cust{k}"),
                    "start_s": np.nan, "end_s": np.nan, "timestamp": pd.NaT,
                }
                if kind == "call":
                    row["start_s"], row["end_s"] = start, start + dur
                    t = start + dur
                elif kind == "chat":
                    row["timestamp"] = base + pd.Timedelta(seconds=start)
                    t = start
                rows.append(row)
        frame = pd.DataFrame(rows)
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
        return frame

    return build()


def relabel_speakers(turns: pd.DataFrame, prefix: str = "renamed-") -> pd.DataFrame:
    """A copy of ``turns`` with every speaker id replaced by a new, consistent name."""
    out = turns.copy()
    codes, _uniques = pd.factorize(out["speaker"].astype("string"))
    renamed = [f"{prefix}{c}" if c >= 0 else None for c in codes]
    out["speaker"] = pd.array(renamed, dtype="string")
    return out


def _same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    try:
        pd.testing.assert_frame_equal(a, b)
    except AssertionError as exc:
        raise ServiceartError(f"{what} gave a different result: {exc}",
                              code="SA-E019") from exc


_ROUND_TRIP = ["interaction_id", "turn_index", "role", "speaker", "text", "start_s", "end_s",
               "timestamp"]


def check_reader(name: str, path: str | Path, *, tmp_dir: str | Path,
                 **options: Any) -> Conversations:
    """Check a registered reader against the reader contract on one file.

    Parameters
    ----------
    name
        The reader's registered name.
    path
        A file the reader can read.
    tmp_dir
        A folder for the round-trip file.
    **options
        Reader options.

    Returns
    -------
    Conversations
        What the reader read.

    Raises
    ------
    ServiceartError
        Naming the first broken rule.
    """
    from ..ingest.io import read

    conv = read(path, format=name, **options)
    turns = conv.turns
    c = conv.counts
    if c["interactions_valid"] + c["interactions_rejected"] != c["interactions_in"]:
        raise ServiceartError(f"reader {name!r}: interaction counts do not add up: {c}",
                              code="SA-E004")
    if turns["source"].isna().any() or turns["record"].isna().any():
        raise ServiceartError(f"reader {name!r}: a turn lacks its source or record",
                              code="SA-E005")
    if not set(turns["role"].astype(str)) <= {"agent", "customer", "system"}:
        raise ServiceartError(f"reader {name!r}: invalid roles survived validation",
                              code="SA-E006")
    for iid, g in turns.groupby("interaction_id", sort=False):
        if g["turn_index"].tolist() != list(range(len(g))):
            raise ServiceartError(f"reader {name!r}: turns of {iid} are not numbered 0..n-1",
                                  code="SA-E007")
        for col in ("start_s", "timestamp"):
            if g[col].notna().all() and not g[col].is_monotonic_increasing:
                raise ServiceartError(f"reader {name!r}: turns of {iid} are not in {col} order",
                                      code="SA-E008")
    out = Path(tmp_dir) / f"{Path(path).stem}.{name}.roundtrip.parquet"
    merged = turns[_ROUND_TRIP].merge(conv.interactions, on="interaction_id", how="left")
    merged.to_parquet(out, index=False)
    again = read(out, format="turns")
    _same(turns[_ROUND_TRIP].reset_index(drop=True),
          again.turns[_ROUND_TRIP].reset_index(drop=True),
          f"reader {name!r} round trip through the turns format (turns)")
    cols = [col for col in conv.interactions.columns if col in again.interactions.columns]
    _same(conv.interactions[cols].reset_index(drop=True).astype("string"),
          again.interactions[cols].reset_index(drop=True).astype("string"),
          f"reader {name!r} round trip through the turns format (interactions)")
    return conv

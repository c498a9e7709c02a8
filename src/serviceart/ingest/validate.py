"""Validation of turn and interaction tables: every problem collected, never the first only.

Private: used by :meth:`serviceart.Conversations.from_frames`. Each check is a
vectorised mask over the whole table; every failing row becomes one reject row
naming the source, the record and the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._ids import member
from ..codebook import CHANNELS, ROLES
from ..errors import SchemaError
from ..rejects import RejectCode
from ..schema import INTERACTIONS, REJECTS, TURNS, conform, empty

__all__ = [
    "INTERACTION_KEY",
    "MAX_OFFSET_S",
    "MAX_TURN_CHARS",
    "TIME_RANGE",
    "RejectLog",
    "in_time_range",
    "non_scalar",
    "out_of_range_note",
    "validate_interactions",
    "validate_turns",
]

_TURN_COLUMNS = set(TURNS.names)
_INTERACTION_COLUMNS = set(INTERACTIONS.names) - {"interaction_id"}

INTERACTION_KEY = "_interaction_key"
"""A private column that readers put on both their turns and their interaction rows:
one opaque value per interaction record of the input (a file, or a record inside
it). When two interaction rows share an ``interaction_id`` (two tickets numbered 1),
the second row is rejected as ``duplicate_interaction`` and the key says which turns
were its own, so they are rejected with it instead of joining the first. The column
never reaches the validated tables. Without it (frames given by the user), the turn
table alone says which interaction a turn belongs to."""


@dataclass
class RejectLog:
    """Reject rows collected column-wise while validating."""

    parts: list[pd.DataFrame] = field(default_factory=list)

    def add(
        self,
        rows: pd.DataFrame,
        mask: pd.Series,
        *,
        field: str | None,
        code: RejectCode,
        reason: str | pd.Series | Callable[[], pd.Series],
    ) -> None:
        """Record one reject row for each row of ``rows`` where ``mask`` is true.

        ``reason`` is one text for all, a text per row, or a function giving the
        texts per row, called only when a row is rejected (quoting every value of a
        clean column costs as much as validating it).
        """
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        if callable(reason):
            reason = reason()
        sel = rows.loc[mask]
        n = len(sel)
        reasons = reason.loc[mask].astype(str).tolist() if isinstance(reason, pd.Series) else [
            reason
        ] * n
        self.parts.append(
            pd.DataFrame(
                {
                    "source": sel["source"].astype("string").to_numpy(),
                    "record": sel["record"].astype("string").to_numpy(),
                    "interaction_id": sel["interaction_id"].astype("string").to_numpy(),
                    "field": [field] * n,
                    "code": [code] * n,
                    "reason": reasons,
                }
            )
        )

    def extend(self, frame: pd.DataFrame | None) -> None:
        """Append reject rows already in the REJECTS shape."""
        if frame is not None and len(frame):
            self.parts.append(conform(frame, REJECTS))

    def frame(self) -> pd.DataFrame:
        """All rejects as one frame of the REJECTS table."""
        if not self.parts:
            return empty(REJECTS)
        return conform(pd.concat(self.parts, ignore_index=True), REJECTS)


def _clean_strings(values: pd.Series) -> pd.Series:
    """Strings stripped, with empty strings as missing."""
    out = values.astype("string").str.strip()
    return out.mask(out == "", pd.NA)


def _provenance(df: pd.DataFrame, source: str) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    if "source" in df.columns:
        out["source"] = _clean_strings(df["source"]).fillna(source)
    else:
        out["source"] = pd.Series(source, index=df.index, dtype="string")
    if "record" in df.columns:
        out["record"] = df["record"].astype("string")
    else:
        out["record"] = pd.Series([f"row {i + 1}" for i in range(len(df))], index=df.index,
                                  dtype="string")
    return out


def _numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers parsed from a column; second item flags present-but-unparseable cells.

    Infinite values (``inf``, ``1e400``) and digit strings too long for a float
    count as unparseable.
    """
    parsed = pd.to_numeric(values, errors="coerce").astype("float64")
    parsed = parsed.where(np.isfinite(parsed))
    given = values.notna() & (values.astype("string").str.strip() != "")
    return parsed, given & parsed.isna()


def shown(values: pd.Series, limit: int = 60) -> pd.Series:
    """``repr`` of each value for a reason, cut to ``limit`` characters."""
    def one(v: object) -> str:
        text = repr(v)
        return text if len(text) <= limit else f"{text[:limit - 3]}... ({len(text)} characters)"
    return values.map(one).astype("string")


def non_scalar(values: pd.Series) -> pd.Series:
    """Which cells hold a list, dict, set, tuple or array instead of a single value."""
    if values.dtype != object:
        return pd.Series(False, index=values.index)
    return values.map(lambda v: isinstance(v, (list, dict, set, tuple, np.ndarray))).astype(bool)


TIME_RANGE = (pd.Timestamp("1678-01-01", tz="UTC"), pd.Timestamp("2261-12-31", tz="UTC"))
"""Dates outside this range are rejected (``bad_timestamp``): the nanosecond range of
pandas less a few months at each end, so that adding any offset up to
:data:`MAX_OFFSET_S` stays representable. Placeholder dates such as ``9999-12-31``
and ``0001-01-01`` fall outside it."""

MAX_OFFSET_S = 30 * 86_400
"""Turn offsets (``start_s``, ``end_s``) above this many seconds (30 days) are rejected
(``bad_number``): offsets count from the interaction's start, and no call or chat
lasts a month."""


def in_time_range(ts: pd.Timestamp) -> bool:
    """Whether a UTC time is inside :data:`TIME_RANGE`."""
    lo, hi = TIME_RANGE
    return bool(lo <= ts <= hi)


def out_of_range_note() -> str:
    """The end of a reason for a time outside :data:`TIME_RANGE`."""
    lo, hi = TIME_RANGE
    return (f"is out of range (a placeholder date?); dates must be between {lo.date()} and "
            f"{hi.date()}")


def parse_times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """UTC timestamps parsed from a column; second item flags unusable cells.

    Naive times are taken as UTC. Strings in ISO-8601 and the common export forms
    (``Tue Oct 31 22:10:47 +0000 2017``) are accepted. Times outside
    :data:`TIME_RANGE` are flagged like unparseable ones (see :func:`time_reasons`).
    """
    parsed, unusable, _ = _parse_times(values)
    return parsed, unusable


def _parse_times(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`parse_times` with a third item flagging the times out of range."""
    lo, hi = TIME_RANGE
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        got = values.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        got = values.dt.tz_localize("UTC")
    else:
        text = values.astype("string").str.strip()
        given = text.notna() & (text != "")
        got = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
        if given.any():
            sub = text[given]
            try:
                one = pd.to_datetime(sub, utc=True, format="ISO8601", errors="coerce")
            except (ValueError, TypeError, OverflowError):
                one = pd.Series(pd.NaT, index=sub.index, dtype="datetime64[us, UTC]")
            one = _as_us(one)
            retry = one.isna()
            if retry.any():
                try:
                    again = pd.to_datetime(sub[retry], utc=True, format="mixed",
                                           errors="coerce")
                except (ValueError, TypeError, OverflowError):
                    again = pd.Series(pd.NaT, index=sub[retry].index,
                                      dtype="datetime64[us, UTC]")
                one[retry] = _as_us(again)
            got[given] = one
        out_of_range = got.notna() & ((got < lo) | (got > hi))
        parsed = got.where(~out_of_range).astype("datetime64[ns, UTC]")
        return parsed, given & parsed.isna(), out_of_range
    out_of_range = got.notna() & ((got < lo) | (got > hi))
    parsed = got.where(~out_of_range).astype("datetime64[ns, UTC]")
    return parsed, out_of_range, out_of_range


def _as_us(times: pd.Series) -> pd.Series:
    """UTC times in microseconds (a unit that holds years 1 to 9999)."""
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        times = pd.to_datetime(times, utc=True, errors="coerce")
    return times.astype("datetime64[us, UTC]")


def time_reasons(name: str, values: pd.Series, out_of_range: pd.Series) -> pd.Series:
    """Reasons for rejected times: out of range (a placeholder date?) or not a time."""
    text = f"{name} " + shown(values.astype("string"))
    why = pd.Series(" is not a date and time", index=values.index, dtype="string")
    why[out_of_range.to_numpy(dtype=bool)] = " " + out_of_range_note()
    return text + why


_MAX_INDEX = 1 << 31

MAX_TURN_CHARS = 200_000
"""Turns with a longer text are rejected (``text_too_long``): no real turn is this long
(a 2-hour monologue is ~120,000 characters), and the cue pipeline holds whole turns."""


def validate_turns(
    turns: pd.DataFrame,
    *,
    source: str,
    roles: Mapping[str, str] | None,
    log: RejectLog,
) -> pd.DataFrame:
    """Validate and normalise a turn table.

    Returns the valid turns (TURNS columns first, extra columns after) sorted in
    time order within each interaction and renumbered. Extra columns are kept for
    lifting into interactions.
    """
    if not isinstance(turns, pd.DataFrame):
        raise SchemaError(
            f"turns must be a pandas DataFrame, got {type(turns).__name__}", source=source,
            code="SA-S001"
        )
    missing = [c for c in TURNS.required if c not in turns.columns]
    if missing:
        raise SchemaError(
            f"the turn table lacks required column(s) {missing}; it has "
            f"{list(map(str, turns.columns))}. Rename them or pass columns={{'your_name': "
            f"'{missing[0]}'}} to the reader.",
            source=source,
            field=missing[0], code="SA-S002"
        )
    df = turns.reset_index(drop=True)
    work = _provenance(df, source)
    nested = non_scalar(df["interaction_id"])
    work["interaction_id"] = _clean_strings(df["interaction_id"].mask(nested))
    bad = pd.Series(False, index=df.index)

    log.add(work, nested, field="interaction_id", code=RejectCode.BAD_ID,
            reason=lambda: "interaction_id " + shown(df["interaction_id"])
            + " is a list or mapping, not one id")
    bad |= nested
    m = work["interaction_id"].isna() & ~bad
    log.add(work, m, field="interaction_id", code=RejectCode.MISSING_ID,
            reason="the turn has no interaction_id; every turn must name its interaction")
    bad |= m

    role_text = _clean_strings(df["role"]).str.lower()
    if roles:
        lowered = {str(k).strip().lower(): str(v).strip().lower() for k, v in roles.items()}
        role_text = role_text.map(lambda r: lowered.get(r, r) if isinstance(r, str) else r)
        role_text = role_text.astype("string")
    m = ~role_text.isin(ROLES) & ~bad
    log.add(work, m, field="role", code=RejectCode.UNKNOWN_ROLE,
            reason=lambda: "role " + df["role"].astype("string").fillna("<missing>").map(repr)
            + f" is not one of {list(ROLES)}; map it with roles={{...}}")
    bad |= m
    work["role"] = role_text

    text = df["text"].astype("string")
    m = (text.isna() | (text.str.strip() == "")) & ~bad
    log.add(work, m, field="text", code=RejectCode.EMPTY_TEXT, reason="the turn's text is empty")
    bad |= m
    length = text.str.len().fillna(0)
    m = (length > MAX_TURN_CHARS) & ~bad
    log.add(work, m, field="text", code=RejectCode.TEXT_TOO_LONG,
            reason="the turn's text is " + length.astype("int64").astype(str)
            + f" characters, over the limit of {MAX_TURN_CHARS:,} (a whole transcript or "
            "file pasted into one turn?); split it into turns")
    bad |= m
    work["text"] = text

    work["speaker"] = _clean_strings(df["speaker"]) if "speaker" in df.columns else pd.Series(
        pd.NA, index=df.index, dtype="string")

    explicit_index = "turn_index" in df.columns
    if explicit_index:
        idx, unparsed = _numbers(df["turn_index"])
        m = (unparsed | (idx.notna() & ((idx % 1 != 0) | (idx < 0) | (idx > _MAX_INDEX))))
        m &= ~bad
        log.add(work, m, field="turn_index", code=RejectCode.BAD_TURN_INDEX,
                reason=lambda: "turn_index " + shown(df["turn_index"].astype("string"))
                + f" is not a whole number from 0 to {_MAX_INDEX:,}")
        bad |= m
        work["_given_index"] = idx
    else:
        work["_given_index"] = np.nan

    def quoted(col: str, why: str) -> Callable[[], pd.Series]:
        return lambda: f"{col} " + shown(df[col].astype("string")) + why

    for col in ("start_s", "end_s"):
        if col in df.columns:
            val, unparsed = _numbers(df[col])
            m = unparsed & ~bad
            log.add(work, m, field=col, code=RejectCode.BAD_NUMBER,
                    reason=quoted(col, " is not a finite number"))
            bad |= m
            m = (val > MAX_OFFSET_S) & ~bad
            log.add(work, m, field=col, code=RejectCode.BAD_NUMBER,
                    reason=quoted(col, f" is over {MAX_OFFSET_S:,} seconds (30 days) from the "
                                  "interaction start; offsets are seconds, not milliseconds "
                                  "or dates"))
            bad |= m
            m = (val < 0) & ~bad
            log.add(work, m, field=col, code=RejectCode.NEGATIVE_TIME,
                    reason=f"{col} is negative; times are seconds from the interaction start")
            bad |= m
            work[col] = val
        else:
            work[col] = np.nan
    m = (work["end_s"] < work["start_s"]) & ~bad
    log.add(work, m, field="end_s", code=RejectCode.END_BEFORE_START,
            reason="end_s " + work["end_s"].astype("string") + " is before start_s "
            + work["start_s"].astype("string"))
    bad |= m

    if "timestamp" in df.columns:
        ts, unparsed, far = _parse_times(df["timestamp"])
        m = unparsed & ~bad
        log.add(work, m, field="timestamp", code=RejectCode.BAD_TIMESTAMP,
                reason=lambda: time_reasons("timestamp", df["timestamp"], far))
        bad |= m
        work["timestamp"] = ts
    else:
        work["timestamp"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns, UTC]")

    if explicit_index:
        keyed = ~bad & work["_given_index"].notna()
        key_cols = ["interaction_id", "_given_index"]
        dup = keyed & work[keyed].duplicated(key_cols, keep="first").reindex(
            work.index, fill_value=False)
        if dup.any():
            first = work[keyed].drop_duplicates(key_cols)[[*key_cols, "record"]]
            earlier = work.loc[dup, key_cols].merge(first, on=key_cols, how="left")["record"]
            reason = pd.Series("", index=work.index, dtype="string")
            reason[dup] = ("turn_index " + work.loc[dup, "_given_index"].astype(int).astype(str)
                           + " repeats the turn at " + earlier.astype(str).to_numpy())
            log.add(work, dup, field="turn_index", code=RejectCode.DUPLICATE_TURN, reason=reason)
        bad |= dup

    extras = [c for c in df.columns if c not in _TURN_COLUMNS]
    for c in extras:
        work[c] = df[c]
    good = work.loc[~bad].copy()
    good["_pos"] = np.arange(len(good))
    return _order(good)


def _order(good: pd.DataFrame) -> pd.DataFrame:
    """Sort turns in time order within interactions (first-appearance order) and renumber."""
    if good.empty:
        return good.drop(columns=["_given_index", "_pos"])
    groups = good.groupby("interaction_id", sort=False)
    good["_iorder"] = groups.ngroup()
    # per interaction: does every turn have a start time / a timestamp? (vectorised)
    timed = good["start_s"].notna().groupby(good["_iorder"]).transform("all")
    stamped = good["timestamp"].notna().groupby(good["_iorder"]).transform("all")
    stamp_s = (good["timestamp"] - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
    key = np.where(timed.astype(bool), good["start_s"],
                   np.where(stamped.astype(bool), stamp_s, np.nan))
    good["_key"] = key
    good = good.sort_values(["_iorder", "_key", "_given_index", "_pos"], kind="mergesort",
                            na_position="last")
    good["turn_index"] = good.groupby("interaction_id", sort=False).cumcount().astype("int64")
    return good.drop(columns=["_iorder", "_key", "_given_index", "_pos"])


def _nested_as_json(turns: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Extra columns holding nested values (JSON objects or arrays, e.g. ``"meta": {...}``
    in a JSONL export) as JSON text, so they can be compared, grouped and saved."""
    nested = [c for c in columns if turns[c].dtype == object
              and turns[c].map(lambda v: isinstance(v, (dict, list))).any()]
    if not nested:
        return turns
    turns = turns.copy()
    for c in nested:
        turns[c] = turns[c].map(lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True,
                                                     default=str)
                                if isinstance(v, (dict, list)) else v)
    return turns


def validate_interactions(
    turns: pd.DataFrame,
    interactions: pd.DataFrame | None,
    *,
    source: str,
    log: RejectLog,
    turn_columns: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the interactions table from valid turns and the optional given table.

    Interaction-level columns found in the turn table (channel, case_id, ...,
    and any extra column constant within each interaction) are lifted into the
    interactions table. Returns (turns, interactions), both conformed.
    """
    turns, interactions = _drop_repeated(turns, interactions, source=source, log=log)
    extras = [c for c in turns.columns if c not in _TURN_COLUMNS]
    turns = _nested_as_json(turns, extras)
    if turns.empty:
        if interactions is not None:
            _merge_given(pd.DataFrame({"interaction_id": pd.Series([], dtype="string")}),
                         interactions, source=source, log=log)
        return conform(turns, TURNS, extra=True), empty(INTERACTIONS)
    groups = turns.groupby("interaction_id", sort=False)
    derived = pd.DataFrame({"interaction_id": pd.Series(
        turns["interaction_id"].drop_duplicates().to_numpy(), dtype="string")})
    lift: list[str] = []
    if extras:
        nun = groups[extras].nunique(dropna=False)
        lift = [c for c in extras if c not in turn_columns
                and (bool((nun[c] <= 1).all()) or c in _INTERACTION_COLUMNS)]
        if lift:
            firsts = groups[lift].first().reset_index(drop=True)
            for c in lift:
                derived[c] = firsts[c].to_numpy()
    if interactions is not None:
        derived = _merge_given(derived, interactions, source=source, log=log)

    first_agent = turns[turns["role"] == "agent"].groupby("interaction_id", sort=False)[
        "speaker"].first()
    first_customer = turns[turns["role"] == "customer"].groupby("interaction_id", sort=False)[
        "speaker"].first()
    first_stamp = groups["timestamp"].min()
    ids = derived["interaction_id"]

    def fill(col: str, values: pd.Series) -> None:
        base = (_clean_strings(derived[col]) if col in derived.columns
                else pd.Series(pd.NA, index=derived.index, dtype="string"))
        derived[col] = base.fillna(ids.map(values).astype("string"))

    fill("case_id", pd.Series(ids.to_numpy(), index=ids.to_numpy()))
    fill("agent_id", first_agent)
    fill("customer_id", first_customer)

    first_at = pd.Series(first_stamp.reindex(ids.to_numpy()).to_numpy(), index=derived.index,
                         dtype="datetime64[ns, UTC]")
    prov = pd.DataFrame({"source": source, "record": "interaction " + ids.astype(str),
                         "interaction_id": ids}, index=derived.index)
    bad = pd.Series(False, index=derived.index)
    if "started_at" in derived.columns:
        started, unparsed, far = _parse_times(derived["started_at"])
        log.add(prov, unparsed, field="started_at", code=RejectCode.BAD_TIMESTAMP,
                reason=lambda: time_reasons("started_at", derived["started_at"], far))
        bad |= unparsed
        derived["started_at"] = started.fillna(first_at)
    else:
        derived["started_at"] = first_at

    timed = turns["start_s"].notna().groupby(turns["interaction_id"], sort=False).any()
    stamped = turns["timestamp"].notna().groupby(turns["interaction_id"], sort=False).any()
    is_timed = ids.map(timed).fillna(False).astype(bool).to_numpy()
    is_stamped = ids.map(stamped).fillna(False).astype(bool).to_numpy()
    guess = pd.Series([("call" if t else "chat" if s else None)
                       for t, s in zip(is_timed, is_stamped, strict=True)],
                      index=derived.index, dtype="string")
    given = (_clean_strings(derived["channel"]).str.lower() if "channel" in derived.columns
             else pd.Series(pd.NA, index=derived.index, dtype="string"))
    m = given.notna() & ~given.isin(CHANNELS) & ~bad
    log.add(prov, m, field="channel", code=RejectCode.UNKNOWN_CHANNEL,
            reason=lambda: "channel " + given.map(repr) + f" is not one of {list(CHANNELS)}")
    bad |= m
    derived["channel"] = given.fillna(guess)

    derived = derived.loc[~bad]
    kept_turns = turns[member(turns["interaction_id"], derived["interaction_id"])]
    turn_extras = [c for c in extras if c not in lift]
    out_turns = conform(kept_turns[[*TURNS.names, *turn_extras]], TURNS, extra=True)
    out_inter = conform(derived, INTERACTIONS, extra=True)
    return out_turns, out_inter


def _drop_repeated(
    turns: pd.DataFrame, interactions: pd.DataFrame | None, *, source: str, log: RejectLog
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Reject repeated interaction rows together with their own turns (by
    :data:`INTERACTION_KEY`); the key column is removed from both tables."""
    if not (isinstance(interactions, pd.DataFrame) and INTERACTION_KEY in interactions.columns
            and "interaction_id" in interactions.columns
            and INTERACTION_KEY in turns.columns):
        if INTERACTION_KEY in turns.columns:
            turns = turns.drop(columns=INTERACTION_KEY)
        if isinstance(interactions, pd.DataFrame) and INTERACTION_KEY in interactions.columns:
            interactions = interactions.drop(columns=INTERACTION_KEY)
        return turns, interactions
    given = interactions.reset_index(drop=True)
    ids = _clean_strings(given["interaction_id"].mask(non_scalar(given["interaction_id"])))
    keys = given[INTERACTION_KEY].astype("string")
    dup = ids.duplicated(keep="first") & ids.notna()
    turn_keys = turns[INTERACTION_KEY].astype("string")
    turns = turns.drop(columns=INTERACTION_KEY)
    given = given.drop(columns=INTERACTION_KEY)
    if not dup.any():
        return turns, given
    # where each key's turns come from, to name the files in the reasons
    key_source = pd.Series(turns["source"].astype("string").to_numpy(),
                           index=turn_keys.to_numpy())
    key_source = key_source[~key_source.index.duplicated(keep="first")]
    first_key = pd.Series(keys[~dup].to_numpy(), index=ids[~dup].to_numpy())
    first_key = first_key[first_key.index.notna()]
    first_key = first_key[~first_key.index.duplicated(keep="first")]

    def where(key_values: pd.Series) -> pd.Series:
        found = key_values.map(key_source).astype("string")
        return found.fillna(source)

    first_from = where(ids[dup].map(first_key).astype("string"))
    prov = pd.DataFrame({"source": where(keys[dup]).to_numpy(),
                         "record": [f"interactions row {i + 1}" for i in dup[dup].index],
                         "interaction_id": ids[dup].to_numpy()})
    log.add(prov, pd.Series(True, index=prov.index), field="interaction_id",
            code=RejectCode.DUPLICATE_INTERACTION,
            reason=pd.Series(("the interaction_id " + ids[dup].map(repr).astype(str)
                              + " is given again (the first is in " + first_from.astype(str)
                              + "); the first is kept and this one is rejected with its "
                              "turns. Give each interaction its own id").to_numpy(),
                             index=prov.index))
    own = turn_keys.isin(set(keys[dup].dropna())).fillna(False).to_numpy()
    m = pd.Series(own, index=turns.index)
    if m.any():
        first_of_turn = where(turns["interaction_id"].astype("string").map(first_key)
                              .astype("string"))
        log.add(turns, m, field="interaction_id", code=RejectCode.DUPLICATE_INTERACTION,
                reason="the turn belongs to a second interaction with interaction_id "
                + turns["interaction_id"].astype("string").map(repr).astype(str)
                + " (the first is in " + first_of_turn.astype(str)
                + "); it is rejected with that interaction, which must not be merged into "
                "the first. Give each interaction its own id")
    return turns.loc[~m], given.loc[~dup.to_numpy()]


def _merge_given(
    derived: pd.DataFrame, given: pd.DataFrame, *, source: str, log: RejectLog
) -> pd.DataFrame:
    if not isinstance(given, pd.DataFrame):
        raise SchemaError(
            f"interactions must be a pandas DataFrame, got {type(given).__name__}", source=source,
            code="SA-S003"
        )
    if "interaction_id" not in given.columns:
        raise SchemaError(
            "the interactions table lacks the required column 'interaction_id'; it has "
            f"{list(map(str, given.columns))}",
            source=source,
            field="interaction_id", code="SA-S004"
        )
    g = given.reset_index(drop=True).copy()
    g["interaction_id"] = _clean_strings(g["interaction_id"])
    prov = pd.DataFrame({"source": source, "record": [f"interactions row {i + 1}"
                                                      for i in range(len(g))],
                         "interaction_id": g["interaction_id"]})
    m = g["interaction_id"].isna()
    log.add(prov, m, field="interaction_id", code=RejectCode.MISSING_ID,
            reason="the interactions row has no interaction_id")
    dup = g["interaction_id"].duplicated(keep="first") & ~m
    log.add(prov, dup, field="interaction_id", code=RejectCode.DUPLICATE_INTERACTION,
            reason="the interaction_id appears more than once in the interactions table")
    orphan = ~g["interaction_id"].isin(derived["interaction_id"]) & ~m & ~dup
    log.add(prov, orphan, field="interaction_id", code=RejectCode.NO_TURNS,
            reason="the interaction has no valid turns")
    g = g.loc[~(m | dup | orphan)]
    merged = derived.merge(g, on="interaction_id", how="left", suffixes=("_turns", ""))
    for c in [c for c in merged.columns if c.endswith("_turns")]:
        base = c[: -len("_turns")]
        merged[base] = merged[base].where(merged[base].notna(), merged[c])
        merged = merged.drop(columns=c)
    return merged

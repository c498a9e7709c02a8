"""Cases: contacts about one issue, linked across interactions.

A case groups the interactions of one customer issue, so that a promise made
in one contact can be checked against the next, and repeat contacts counted.

Linking rules, in order (the rule used for each interaction is recorded in the
``case_rule`` interaction column and summarised in ``run_info``):

``export``
    The export names the case: a ``case_id`` different from the interaction's
    own id (a ticket id, a thread, Contact Lens ``InitialContactId``), or a
    ``previous_contact_id`` column chains contacts (Amazon Connect
    ``PreviousContactId``): every contact of a chain takes its first contact's case.
``customer_window``
    Otherwise, contacts of the same ``customer_id`` whose start is within
    ``window`` (default 7 days) of the previous contact of that customer are
    one case, named ``case-<first interaction id>``.
``single``
    Otherwise (no customer, or no start time) the interaction is its own case.

Contacts that already carry an exported case are not merged with others by
customer: the export knows better.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..ingest.model import Conversations

__all__ = ["CONTACT_ID_COLUMNS", "DEFAULT_WINDOW", "LINK_COLUMNS", "assign_cases",
           "case_summary", "link_cases", "parse_window", "repeat_contacts",
           "repeat_from_times"]

DEFAULT_WINDOW = pd.Timedelta(days=7)
"""Contacts of one customer this close together are one case (and a repeat contact)."""


#: Vendor contact ids that a ``previous_contact_id`` pointer may name (besides
#: interaction ids): Amazon Connect's contact id.
CONTACT_ID_COLUMNS: tuple[str, ...] = ("aws_contact_id",)

#: The interaction columns case linking reads (the rest of a contact's metadata
#: comes from :func:`serviceart.clock.contact_times`).
LINK_COLUMNS: tuple[str, ...] = ("interaction_id", "case_id", "customer_id", "started_at",
                                 "previous_contact_id", *CONTACT_ID_COLUMNS)


def parse_window(window: str | pd.Timedelta | float | None) -> pd.Timedelta:
    """A linking window: a Timedelta, a string such as ``"7D"`` or ``"48h"``, or seconds.

    Examples
    --------
    >>> parse_window("48h"), parse_window(3600)
    (Timedelta('2 days 00:00:00'), Timedelta('0 days 01:00:00'))
    """
    if window is None:
        return DEFAULT_WINDOW
    try:
        td = (pd.Timedelta(seconds=float(window)) if isinstance(window, (int, float))
              else pd.Timedelta(window))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"case window {window!r} is not a duration; use e.g. '7D' or '48h'",
                          field="case_window", code="SA-C040") from exc
    if pd.isna(td) or td < pd.Timedelta(0):
        raise ConfigError(f"case window {window!r} must be a positive duration",
                          field="case_window", code="SA-C041")
    return td


def link_cases(conv: Conversations, window: str | pd.Timedelta | float | None = None,
               *, by_customer: bool = True) -> Conversations:
    """Conversations whose ``case_id`` links contacts about one issue.

    Parameters
    ----------
    conv
        Validated conversations.
    window
        Contacts of one customer whose starts are at most this far apart are
        one case (default 7 days).
    by_customer
        ``False`` keeps exported cases only (every other interaction is its own case).

    Returns
    -------
    Conversations
        The same turns and rejects; interactions with ``case_id`` and a
        ``case_rule`` column (``export``, ``customer_window`` or ``single``).

    Examples
    --------
    >>> import pandas as pd, serviceart as sa
    >>> t = pd.DataFrame({"interaction_id": ["a", "b", "c"], "role": "customer",
    ...                   "text": "hi", "customer_id": ["u1", "u1", "u1"],
    ...                   "started_at": ["2026-03-02T10:00Z", "2026-03-05T10:00Z",
    ...                                  "2026-03-20T10:00Z"]})
    >>> link_cases(sa.Conversations.from_frames(t)).interactions["case_id"].tolist()
    ['case-a', 'case-a', 'c']
    """
    inter = conv.interactions.copy()
    if "case_rule" in inter.columns and inter["case_rule"].notna().all() and len(inter):
        return conv  # already linked (e.g. over a whole dataset by the batch engine)
    return _with(conv, assign_cases(inter, window, by_customer=by_customer))


def assign_cases(interactions: pd.DataFrame, window: str | pd.Timedelta | float | None = None,
                 *, by_customer: bool = True) -> pd.DataFrame:
    """The interactions table with linked ``case_id`` and a ``case_rule`` column.

    The table-level form of :func:`link_cases`: it needs only the interaction
    columns (``interaction_id``, ``case_id``, ``customer_id``, ``started_at``,
    optional ``previous_contact_id``), so a batch run can link a whole dataset's
    contacts from their metadata before scoring them chunk by chunk.
    """
    td = parse_window(window)
    inter = interactions.copy()
    if inter.empty:
        inter["case_rule"] = pd.Series(dtype="string")
        return inter
    iid = inter["interaction_id"].astype("string")
    case = inter["case_id"].astype("string")
    exported = case.notna() & (case != iid)
    if "previous_contact_id" in inter.columns:
        case, chained = _follow_chains(iid, case, inter)
        exported |= chained
    rule = pd.Series(np.where(exported, "export", "single"), index=inter.index, dtype="object")
    new_case = case.where(exported, iid)
    if by_customer:
        cand = ~exported & inter["customer_id"].notna() & inter["started_at"].notna()
        if cand.any():
            sub = inter.loc[cand, ["interaction_id", "customer_id", "started_at"]].copy()
            sub["_pos"] = np.arange(len(sub))
            sub = sub.sort_values(["customer_id", "started_at", "_pos"], kind="mergesort")
            gap = sub.groupby("customer_id", sort=False)["started_at"].diff()
            starts = gap.isna() | (gap > td)
            group = starts.cumsum()
            first = sub.groupby(group)["interaction_id"].transform("first").astype("string")
            size = sub.groupby(group)["interaction_id"].transform("size")
            linked = size > 1
            ids = ("case-" + first).where(linked, sub["interaction_id"].astype("string"))
            new_case.loc[sub.index] = ids
            rule.loc[sub.index[linked.to_numpy()]] = "customer_window"
    inter["case_id"] = new_case.astype("string")
    inter["case_rule"] = pd.Series(rule, index=inter.index, dtype="string")
    return inter


def _follow_chains(iid: pd.Series, case: pd.Series, inter: pd.DataFrame
                   ) -> tuple[pd.Series, pd.Series]:
    """Cases following ``previous_contact_id`` pointers to the first contact of each chain.

    A pointer may name an interaction id or a vendor contact id (:data:`CONTACT_ID_COLUMNS`);
    pointers to contacts outside the data, and reply cycles, end a chain.
    """
    from ..readers.messages import resolve_threads

    prev = inter["previous_contact_id"].astype("string")
    chained = pd.Series(False, index=case.index)
    pointing = prev.notna().to_numpy(dtype=bool)
    if not pointing.any():  # no pointers: every contact starts its own chain
        return case, chained
    by_contact = dict(zip(iid, iid, strict=True))
    for column in CONTACT_ID_COLUMNS:
        if column not in inter.columns:
            continue
        for contact, i in zip(inter[column].astype("string"), iid, strict=True):
            if pd.notna(contact):
                by_contact.setdefault(str(contact), str(i))
    parents: dict[str, str | None] = dict.fromkeys(iid.astype(str), None)
    for i, p in zip(iid[pointing].astype(str), prev[pointing].astype(str), strict=True):
        parents[i] = by_contact.get(p)
    # only contacts with a parent, and the parents themselves, can be in a chain
    linked = {i: p for i, p in parents.items() if p is not None}
    targets = set(linked.values())
    roots = resolve_threads({**{t: parents[t] for t in targets}, **linked})
    case_of = dict(zip(iid.astype(str), case.fillna(iid).astype(str), strict=True))
    new = case.copy()
    for k, i in zip(case.index, iid.astype(str), strict=True):
        if i not in roots:
            continue
        root, depth = roots[i]
        if isinstance(root, str) and depth > 0:
            new[k] = case_of[root]
            chained[k] = True
        elif isinstance(root, str) and i in targets:
            chained[k] = True  # the first contact of a chain
    return new, chained


def _with(conv: Conversations, interactions: pd.DataFrame) -> Conversations:
    c = conv.counts
    return Conversations(conv.turns, interactions, conv.rejects,
                         interactions_in=c["interactions_in"], turns_in=c["turns_in"])


def case_summary(interactions: pd.DataFrame, window: pd.Timedelta) -> dict[str, Any]:
    """What ``run_info`` records about case linking: the rules and how often each applied."""
    rules: dict[Any, int] = (interactions["case_rule"].value_counts().to_dict()
                                if "case_rule" in interactions.columns else {})
    return {
        "rules": "case_id from the export where it differs from the interaction id; else "
                 f"the same customer_id with contacts at most {window} apart; else the "
                 "interaction alone",
        "window": str(window),
        "interactions_by_rule": {str(k): int(v) for k, v in sorted(rules.items())},
        "cases": int(interactions["case_id"].nunique()) if len(interactions) else 0,
    }


def repeat_contacts(turns: pd.DataFrame, interactions: pd.DataFrame,
                    window: pd.Timedelta) -> pd.Series:
    """``repeat_contact`` per interaction: 1 when the customer contacted again later.

    A later contact opened by the customer (its first agent-or-customer turn is
    theirs) on the same case, or by the same ``customer_id`` within ``window``,
    makes this contact a repeat (it did not resolve the issue the first time);
    0 otherwise; NaN when the contact has no start time.
    """
    if interactions.empty:
        return pd.Series(dtype="float64")
    from ..clock import contact_times

    return repeat_from_times(interactions, contact_times(turns, interactions), window)


def repeat_from_times(interactions: pd.DataFrame, times: pd.DataFrame,
                      window: pd.Timedelta) -> pd.Series:
    """``repeat_contact`` per interaction, from interaction metadata and contact times.

    A contact is a repeat (1.0) when a later contact opened by the customer (its
    first agent-or-customer turn is theirs) belongs to the same case, or has the
    same ``customer_id`` and starts at most ``window`` after it; 0.0 otherwise;
    NaN when the contact has no start time. Vectorised: one sort and one binary
    search over all contacts, not one pass per customer.

    Parameters
    ----------
    interactions
        Interactions with ``interaction_id``, ``case_id`` and ``customer_id``.
    times
        :func:`serviceart.clock.contact_times` of those interactions
        (``started``, ``opened_by``, indexed by interaction id).
    window
        How soon after a contact the same customer's next contact counts as a repeat.

    Returns
    -------
    pandas.Series
        Float values indexed by ``interaction_id``, in the order of ``interactions``.
    """
    if interactions.empty:
        return pd.Series(dtype="float64")
    inter = interactions.set_index("interaction_id")
    times = times.reindex(inter.index)
    case = inter["case_id"].astype("string")
    customer = inter["customer_id"].astype("string")
    started = times["started"]
    has_start = started.notna().to_numpy(dtype=bool)
    came_back = has_start & (times["opened_by"] == "customer").fillna(False).to_numpy(dtype=bool)
    out = pd.Series(np.where(has_start, 0.0, np.nan), index=inter.index)
    if not came_back.any():
        return out
    at = started.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]"
                                                                      ).view("int64")
    # the same case: the latest customer-opened start of the case is later than this one
    last_in_case = started[came_back].groupby(case[came_back]).max()
    later_case = pd.to_datetime(case.map(last_in_case), utc=True)
    out[(later_case > started).fillna(False).to_numpy(dtype=bool)] = 1.0
    # the same customer: the first customer-opened start after this one, by one binary
    # search over (customer, start) keys; starts are replaced by their rank among all
    # starts so that the pair fits one int64
    known = has_start & customer.notna().to_numpy(dtype=bool)
    codes, _ = pd.factorize(customer)
    ranks_of = np.unique(at[has_start])
    rank = np.searchsorted(ranks_of, at)
    key = codes.astype("int64") * (len(ranks_of) + 1) + rank
    back = np.flatnonzero(came_back & known)
    if not len(back):
        return out
    back = back[np.argsort(key[back], kind="stable")]
    ask = np.flatnonzero(known)
    k = np.searchsorted(key[back], key[ask], side="right")
    found = k < len(back)
    nxt = back[np.minimum(k, len(back) - 1)]
    hit = (found & (codes[nxt] == codes[ask])
           & (at[nxt] - at[ask] <= np.int64(window.value)))
    out.iloc[ask[hit]] = 1.0
    return out

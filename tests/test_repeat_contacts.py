"""The vectorised ``cases.repeat_from_times`` gives exactly what the per-customer
loop it replaces gave (kept below as the reference), on real Twitter support
threads and on generated contacts: ties, missing starts, missing customers,
cases shared across customers, contacts not opened by the customer."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.cases import link_cases, repeat_from_times
from serviceart.clock import contact_times


def reference(interactions: pd.DataFrame, times: pd.DataFrame,
              window: pd.Timedelta) -> pd.Series:
    """The loop over customers that ``repeat_from_times`` replaced (engine.py before)."""
    inter = interactions.set_index("interaction_id")
    times = times.reindex(inter.index)
    frame = pd.DataFrame({"case": inter["case_id"].astype("string"),
                          "customer": inter["customer_id"].astype("string"),
                          "started": times["started"],
                          "by_customer": times["opened_by"] == "customer"})
    out = pd.Series(0.0, index=inter.index)
    out[frame["started"].isna()] = np.nan
    came_back = frame[frame["by_customer"].fillna(False).astype(bool) & frame["started"].notna()]
    if came_back.empty:
        return out
    last_in_case = came_back.groupby("case")["started"].max()
    later_case = pd.to_datetime(frame["case"].map(last_in_case), utc=True)
    out[(later_case > frame["started"]).fillna(False).to_numpy(dtype=bool)] = 1.0
    starts = {c: np.sort(g.to_numpy(dtype="datetime64[ns]"))
              for c, g in came_back.dropna(subset=["customer"]).groupby("customer")["started"]}
    known = frame[frame["customer"].notna() & frame["started"].notna()]
    for cust, g in known.groupby("customer"):
        arr = starts.get(cust)
        if arr is None:
            continue
        t = g["started"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
        k = np.searchsorted(arr, t, side="right")
        nxt = arr[np.minimum(k, len(arr) - 1)]
        hit = (k < len(arr)) & (nxt - t <= np.timedelta64(int(window.value), "ns"))
        out.loc[g.index[hit]] = 1.0
    return out


def test_equals_the_loop_on_real_twitter_support_threads(shared_data):
    conv = link_cases(sa.read(shared_data / "twcs" / "twcs.csv"), "7D")
    times = contact_times(conv.turns, conv.interactions)
    for window in (pd.Timedelta(days=7), pd.Timedelta(hours=6), pd.Timedelta(0)):
        got = repeat_from_times(conv.interactions, times, window)
        want = reference(conv.interactions, times, window)
        pd.testing.assert_series_equal(got, want, check_exact=True)
    # the case is a real test: customers come back, by case and by customer
    assert got.sum() > 10 and (got == 0).sum() > 100


def test_equals_the_loop_when_nobody_came_back():
    inter = pd.DataFrame({"interaction_id": ["a", "b"], "case_id": ["a", "b"],
                          "customer_id": ["u", "u"]})
    times = pd.DataFrame({"started": pd.to_datetime(["2026-03-02T10:00Z", pd.NaT], utc=True),
                          "opened_by": pd.array(["agent", "customer"], dtype="string")},
                         index=pd.Index(["a", "b"], name="interaction_id"))
    got = repeat_from_times(inter, times, pd.Timedelta(days=7))
    pd.testing.assert_series_equal(got, reference(inter, times, pd.Timedelta(days=7)))
    assert got.isna().tolist() == [False, True] and got["a"] == 0.0


contact = st.tuples(
    st.sampled_from(["c1", "c2", "c3", None]),               # case
    st.sampled_from(["u1", "u2", "u3", None]),               # customer
    st.one_of(st.none(), st.integers(0, 12)),                # start, in hours (None: unknown)
    st.sampled_from(["customer", "agent", None]),            # opened by
)


@settings(max_examples=120, deadline=None, database=None)
@given(st.lists(contact, min_size=1, max_size=25), st.integers(0, 6))
def test_equals_the_loop_on_generated_contacts(rows, window_h):
    ids = [f"i{k}" for k in range(len(rows))]
    inter = pd.DataFrame({"interaction_id": ids,
                          "case_id": [r[0] if r[0] is not None else i for r, i in
                                      zip(rows, ids, strict=True)],
                          "customer_id": pd.array([r[1] for r in rows], dtype="string")})
    base = pd.Timestamp("2026-03-02T09:00Z")
    times = pd.DataFrame(
        {"started": pd.to_datetime([base + pd.Timedelta(hours=r[2]) if r[2] is not None
                                    else pd.NaT for r in rows], utc=True),
         "opened_by": pd.array([r[3] for r in rows], dtype="string")},
        index=pd.Index(ids, name="interaction_id"))
    window = pd.Timedelta(hours=window_h)
    pd.testing.assert_series_equal(repeat_from_times(inter, times, window),
                                   reference(inter, times, window), check_exact=True)

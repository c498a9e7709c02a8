"""The case, channel and start-time strategies: valid input whose cases are known."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, find, given, settings

from serviceart.cases.linking import link_cases
from serviceart.codebook import CHANNELS
from serviceart.testing.cases import TIME_ZONES, CaseSet, cases, sample_cases, start_times

QUICK = settings(max_examples=8, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])
MANY = settings(QUICK, max_examples=150)


def _linked(cs: CaseSet) -> set[frozenset[str]]:
    inter = link_cases(cs.conversations(), cs.window).interactions
    groups = inter.groupby(inter["case_id"].astype(str))["interaction_id"]
    return {frozenset(g.astype(str)) for _, g in groups}


def test_the_sample_links_into_its_cases_with_every_channel():
    cs = sample_cases()
    conv = cs.conversations()
    assert conv.rejects.empty
    assert _linked(cs) == set(cs.cases)
    assert set(conv.interactions["channel"].astype(str)) == set(CHANNELS)
    zones = {str(c.start.tz) for c in cs.contacts}
    assert len(zones) >= 4


def _valid_and_linked(cs: CaseSet) -> None:
    conv = cs.conversations()
    assert conv.rejects.empty, conv.rejects["reason"].tolist()
    assert len(conv.interactions) == len(cs.contacts)
    assert _linked(cs) == set(cs.cases)


def _same_instants(cs: CaseSet) -> None:
    conv = cs.conversations()
    inter = conv.interactions.set_index(conv.interactions["interaction_id"].astype(str))
    turns = conv.turns
    for c in cs.contacts:
        got = inter.loc[c.interaction_id]
        if c.start_known:
            assert got["started_at"] == c.start.tz_convert("UTC")
        else:
            assert pd.isna(got["started_at"])
        if c.channel is not None:
            assert got["channel"] == c.channel
        mine = turns[turns["interaction_id"] == c.interaction_id]
        stamps = mine["timestamp"].dropna()
        if c.clock in ("stamps", "partial"):
            assert stamps.min() == c.start.tz_convert("UTC")
            assert stamps.is_monotonic_increasing
        else:
            assert stamps.empty
        offsets = c.clock in ("offsets", "offsets_only")
        assert mine["start_s"].notna().all() if offsets else mine["start_s"].isna().all()


@QUICK
@given(cs=cases())
def test_drawn_cases_are_valid_and_link_as_expected(cs):
    _valid_and_linked(cs)


@QUICK
@given(cs=cases())
def test_times_in_every_zone_are_read_as_the_same_instants(cs):
    _same_instants(cs)


@pytest.mark.slow
@MANY
@given(cs=cases(max_stories=6, max_contacts=4))
def test_many_drawn_cases_link_as_expected_with_their_times(cs):
    _valid_and_linked(cs)
    _same_instants(cs)


@settings(max_examples=200, deadline=None, database=None)
@given(ts=start_times())
def test_start_times_are_whole_seconds_in_the_listed_zones(ts):
    if ts is None:
        return
    assert str(ts.tz) in TIME_ZONES
    assert ts.microsecond == 0 and ts.nanosecond == 0
    assert pd.Timestamp("2025-01-01", tz=ts.tz) <= ts <= pd.Timestamp("2027-01-01", tz=ts.tz)


def test_start_times_reach_zones_off_the_whole_hour():
    odd = find(start_times(missing=False),
               lambda t: t.utcoffset() % pd.Timedelta(hours=1) != pd.Timedelta(0),
               settings=settings(max_examples=500, database=None, deadline=None))
    assert str(odd.tz) in {"Asia/Kolkata", "Australia/Adelaide", "Pacific/Chatham",
                           "America/St_Johns"}

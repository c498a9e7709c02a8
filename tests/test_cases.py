"""Cases across contacts: linking, repeat contacts, transfers in, case measures,
business-hours latency, and the engine's promise ledger end to end."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.cases.linking import _follow_chains, link_cases

UK = sa.BusinessCalendar(hours={"mon-fri": "09:00-18:00"}, tz="Europe/London",
                         holidays=["2026-04-06"])  # Easter Monday


def _turns(rows: list[tuple]) -> pd.DataFrame:
    """(interaction_id, role, speaker, text, timestamp, extra...) rows."""
    return pd.DataFrame([
        {"interaction_id": r[0], "role": r[1], "speaker": r[2], "text": r[3],
         "timestamp": r[4], **(r[5] if len(r) > 5 else {})} for r in rows])


# ---------------------------------------------------------------- linking
def test_cases_link_by_export_then_customer_window_then_single():
    t = _turns([
        ("t1", "customer", "u1", "My parcel is lost.", "2026-03-02T10:00Z",
         {"customer_id": "u1", "case_id": "T-100"}),
        ("t2", "customer", "u1", "Any news on the parcel?", "2026-03-03T10:00Z",
         {"customer_id": "u1", "case_id": "T-100"}),
        ("c1", "customer", "u2", "Hello, my bill is wrong.", "2026-03-02T10:00Z",
         {"customer_id": "u2"}),
        ("c2", "customer", "u2", "The bill is still wrong.", "2026-03-06T10:00Z",
         {"customer_id": "u2"}),
        ("c3", "customer", "u2", "New question about roaming.", "2026-03-20T10:00Z",
         {"customer_id": "u2"}),
        ("x1", "customer", None, "Hi there", "2026-03-02T10:00Z"),
    ])
    linked = link_cases(sa.Conversations.from_frames(t))
    got = linked.interactions.set_index("interaction_id")[["case_id", "case_rule"]]
    assert got.to_dict("index") == {
        "t1": {"case_id": "T-100", "case_rule": "export"},
        "t2": {"case_id": "T-100", "case_rule": "export"},
        "c1": {"case_id": "case-c1", "case_rule": "customer_window"},
        "c2": {"case_id": "case-c1", "case_rule": "customer_window"},
        "c3": {"case_id": "c3", "case_rule": "single"},
        "x1": {"case_id": "x1", "case_rule": "single"},
    }
    # a shorter window splits c1 and c2 (4 days apart)
    short = link_cases(sa.Conversations.from_frames(t), "3D").interactions
    assert short.set_index("interaction_id").loc["c2", "case_id"] == "c2"
    # turns, rejects and counts are untouched
    assert linked.turns.equals(sa.Conversations.from_frames(t).turns)


def test_bad_window_is_a_config_error():
    conv = sa.read("data/samples/chats.jsonl")
    with pytest.raises(sa.ConfigError, match="case window 'soon' is not a duration"):
        link_cases(conv, "soon")
    with pytest.raises(sa.ConfigError, match="must be a positive duration"):
        sa.score(conv, case_window="-1D")


# ---------------------------------------------------------------- repeat contacts, case measures
CASE = _turns([
    # the customer writes in on Monday, the agent promises a call back
    ("m1", "customer", "cust9", "My broadband has been down since yesterday.",
     "2026-03-02T09:00Z", {"customer_id": "cust9", "channel": "chat"}),
    ("m1", "agent", "ana", "I'm sorry about that. I'll call you back tomorrow before noon.",
     "2026-03-02T09:02Z"),
    # Tuesday 15:00: nobody called, the customer comes back (a repeat contact)
    ("m2", "customer", "cust9", "Nobody called me back and it's still down.",
     "2026-03-03T15:00Z", {"customer_id": "cust9", "channel": "chat"}),
    ("m2", "agent", "ben", "I'm sorry. Let me transfer you to our engineers.",
     "2026-03-03T15:03Z"),
    # two minutes after m2 ended, a new agent picks it up and knows the context
    ("m3", "agent", "cara", "Hi, I understand you're calling about your broadband outage.",
     "2026-03-03T15:05Z", {"customer_id": "cust9", "channel": "chat"}),
    ("m3", "customer", "cust9", "Yes, finally.", "2026-03-03T15:06Z"),
    # a different customer, one contact
    ("o1", "customer", "cust5", "Can I change my plan?", "2026-03-02T11:00Z",
     {"customer_id": "cust5", "channel": "chat"}),
    ("o1", "agent", "ana", "Yes, I've changed it for you.", "2026-03-02T11:01Z"),
])


@pytest.fixture(scope="module")
def case_result():
    return sa.score(sa.Conversations.from_frames(CASE))


def test_repeat_contacts_and_case_measures(case_result):
    m = case_result.measures.set_index("interaction_id")
    assert m["repeat_contact"].to_dict() == {"m1": 1.0, "m2": 0.0, "m3": 0.0, "o1": 0.0}
    assert m["contacts_in_case"].to_dict() == {"m1": 3.0, "m2": 3.0, "m3": 3.0, "o1": 1.0}
    assert m["case_handoffs"].to_dict() == {"m1": 2.0, "m2": 2.0, "m3": 2.0, "o1": 0.0}
    # first contact 09:00 Monday to the last turn 15:06 Tuesday
    assert m.loc["m1", "case_resolution_s"] == (24 + 6) * 3600 + 6 * 60
    assert m.loc["o1", "case_resolution_s"] == 60.0
    assert m["case_channel_switches"].to_dict() == {"m1": 0.0, "m2": 0.0, "m3": 0.0, "o1": 0.0}
    info = case_result.run_info["case_linking"]
    assert info["interactions_by_rule"] == {"customer_window": 3, "single": 1}
    assert info["window"] == "7 days 00:00:00" and info["cases"] == 2


def test_transfer_in_by_timing_and_warm_by_context(case_result):
    m = case_result.measures.set_index("interaction_id")
    assert m["transfer_in"].to_dict() == {"m1": 0.0, "m2": 0.0, "m3": 1.0, "o1": 0.0}
    assert m.loc["m3", "transfer_warm"] == 1.0
    assert m[["transfer_warm"]].drop(index="m3").isna().all().all()


def test_cold_transfer_by_metadata_and_repeating_customer():
    t = _turns([
        ("a", "customer", "c", "I need help with my refund.", "2026-03-02T10:00Z",
         {"customer_id": "c", "case_id": "R1", "initiation_method": "INBOUND"}),
        ("a", "agent", "x", "Let me put you through to refunds.", "2026-03-02T10:01Z",
         {"initiation_method": "INBOUND"}),
        ("b", "agent", "y", "Hello, refunds, how can I help?", "2026-03-02T11:30Z",
         {"customer_id": "c", "case_id": "R1", "initiation_method": "TRANSFER"}),
        ("b", "customer", "c", "As I said, I already explained this, I need my refund.",
         "2026-03-02T11:31Z", {"initiation_method": "TRANSFER"}),
    ])
    m = sa.score(sa.Conversations.from_frames(t)).measures.set_index("interaction_id")
    # 89 minutes after: not a transfer by timing, but the export says it was one
    assert m.loc["b", "transfer_in"] == 1.0 and m.loc["b", "transfer_warm"] == 0.0
    assert m.loc["b", "repeat_request"] >= 1


def test_relabelling_speakers_keeps_case_measures(case_result):
    renamed = CASE.assign(speaker=CASE["speaker"].map(lambda s: f"id-{s}"),
                          customer_id=CASE["customer_id"].map(
                              lambda s: s if pd.isna(s) else f"id-{s}"))
    m2 = sa.score(sa.Conversations.from_frames(renamed)).measures.set_index("interaction_id")
    m1 = case_result.measures.set_index("interaction_id")
    cols = ["repeat_contact", "contacts_in_case", "case_handoffs", "case_resolution_s",
            "transfer_in", "transfer_warm", "promises_kept", "promises_broken"]
    pd.testing.assert_frame_equal(m1[cols], m2[cols])


# ---------------------------------------------------------------- the ledger through the engine
def test_engine_ledger_marks_the_missed_call_back_broken_and_links_the_chase(case_result):
    p = case_result.promises
    assert len(p) == 1
    row = p.iloc[0]
    assert row["interaction_id"] == "m1" and row["status"] == "broken"
    assert row["due"] == pd.Timestamp("2026-03-03T12:00Z")
    # the customer's "nobody called me back" on m2 chases it
    assert row["chased"] == 1 and "m2:0" in row["chased_by"]
    m = case_result.measures.set_index("interaction_id")
    assert m.loc["m1", ["promises", "promises_kept", "promises_broken", "promises_open"]
                 ].tolist() == [1.0, 0.0, 1.0, 0.0]
    assert case_result.run_info["plan"]["as_of"].startswith("2026-03-03T15:06")


def test_ledger_and_case_columns_round_trip_through_parquet(case_result, tmp_path):
    back = sa.Result.from_parquet(case_result.to_parquet(tmp_path / "run"))
    pd.testing.assert_frame_equal(back.promises, case_result.promises)
    assert "case_rule" in back.interactions.columns


# ---------------------------------------------------------------- business hours
def _email(sent: str, reply: str) -> pd.DataFrame:
    return _turns([
        ("e", "customer", "c", "Hello, my invoice is wrong.", sent, {"channel": "email"}),
        ("e", "agent", "a", "Thanks, I have corrected it.", reply),
    ])


@pytest.mark.parametrize(("sent", "reply", "wall", "business"), [
    # Friday 17:55 -> Monday 09:05, London time (GMT in March)
    ("2026-03-06T17:55Z", "2026-03-09T09:05Z", 2 * 86400 + 15 * 3600 + 600, 600.0),
    # Thursday 16:55 BST before Easter -> Tuesday 09:05 BST: 65 min on Thursday, Good
    # Friday open here (9 h), the weekend and Easter Monday closed, 5 min on Tuesday
    ("2026-04-02T15:55Z", "2026-04-07T08:05Z", 4 * 86400 + 16 * 3600 + 600,
     (65 + 9 * 60 + 5) * 60.0),
])
def test_latency_counts_business_time_with_a_calendar(sent, reply, wall, business):
    conv = sa.Conversations.from_frames(_email(sent, reply))
    plain = sa.score(conv).measures.iloc[0]
    cal = sa.score(conv, calendar=UK, sla_s=900).measures.iloc[0]
    assert plain["first_response_s"] == wall
    assert cal["first_response_s"] == business
    assert cal["replies_over_sla"] == (1.0 if business > 900 else 0.0)


def test_calendar_time_zone_matters():
    # 20:30 UTC Friday -> 14:30 UTC Monday; the US moved to summer time on Sunday 8 March
    conv = sa.Conversations.from_frames(_email("2026-03-06T20:30Z", "2026-03-09T14:30Z"))
    ny = sa.BusinessCalendar(hours={"mon-fri": "09:00-17:00"}, tz="America/New_York")
    london = sa.BusinessCalendar(hours={"mon-fri": "09:00-17:00"}, tz="Europe/London")
    # New York: Friday 15:30-17:00 EST (1.5 h) + Monday 09:00-10:30 EDT (1.5 h)
    assert sa.score(conv, calendar=ny).measures.iloc[0]["first_response_s"] == 3 * 3600
    # London: closed all Friday evening; Monday 09:00-14:30
    assert sa.score(conv, calendar=london).measures.iloc[0]["first_response_s"] == 5.5 * 3600


def test_calendar_from_a_mapping_or_toml_file(tmp_path):
    f = tmp_path / "hours.toml"
    f.write_text('tz = "Europe/London"\nholidays = ["2026-04-06"]\n[hours]\n'
                 'mon-fri = "09:00-18:00"\n')
    conv = sa.Conversations.from_frames(_email("2026-03-06T17:55Z", "2026-03-09T09:05Z"))
    a = sa.score(conv, calendar=str(f))
    b = sa.score(conv, calendar={"hours": {"mon-fri": "09:00-18:00"}, "tz": "Europe/London"})
    assert a.measures.iloc[0]["first_response_s"] == b.measures.iloc[0]["first_response_s"] == 600
    assert a.run_info["settings"]["calendar"]["tz"] == "Europe/London"


def test_previous_contact_chains_form_one_case_and_transfers_count():
    # Amazon Connect: B continues A, C continues B (a transfer), D stands alone
    rows = []
    for iid, prev, method, start, agent in [
            ("A", None, "INBOUND", "2026-03-02T10:00Z", "ana"),
            ("B", "A", "TRANSFER", "2026-03-02T10:06Z", "ben"),
            ("C", "B", "CALLBACK", "2026-03-04T09:00Z", "cara"),
            ("D", None, "INBOUND", "2026-03-02T11:00Z", "ana")]:
        meta = {"previous_contact_id": prev, "initiation_method": method,
                "started_at": start, "channel": "call"}
        rows.append({"interaction_id": iid, "role": "customer", "speaker": "cust",
                     "text": "Hello, it's about my phone bill.", "start_s": 0.0,
                     "end_s": 4.0, **meta})
        rows.append({"interaction_id": iid, "role": "agent", "speaker": agent,
                     "text": "Thanks for waiting, let me look.", "start_s": 5.0,
                     "end_s": 9.0, **meta})
    conv = sa.Conversations.from_frames(pd.DataFrame(rows))
    linked = link_cases(conv).interactions.set_index("interaction_id")
    assert linked["case_id"].to_dict() == {"A": "A", "B": "A", "C": "A", "D": "D"}
    assert linked["case_rule"].to_dict() == {"A": "export", "B": "export", "C": "export",
                                             "D": "single"}
    m = sa.score(conv).measures.set_index("interaction_id")
    assert m["contacts_in_case"].to_dict() == {"A": 3.0, "B": 3.0, "C": 3.0, "D": 1.0}
    assert m["transfer_in"].to_dict() == {"A": 0.0, "B": 1.0, "C": 0.0, "D": 0.0}
    assert m.loc["A", "case_handoffs"] == 2.0


def _chains_by_walking(ids: list[str], prev: list[str | None], cases: list[str | None]
                       ) -> tuple[list[str | None], list[bool]]:
    """Cases and chain flags found by walking each contact's pointers to the end."""
    parent = {i: (p if p in ids else None) for i, p in zip(ids, prev, strict=True)}
    case_of = {i: (c if c is not None else i) for i, c in zip(ids, cases, strict=True)}
    has_child = {p for p in parent.values() if p is not None}
    new, chained = [], []
    for i, c in zip(ids, cases, strict=True):
        seen, node = [i], i
        while parent[node] is not None and parent[node] not in seen:
            node = parent[node]
            seen.append(node)
        cyclic = parent[node] is not None  # the walk stopped on a contact seen before
        if cyclic:
            new.append(c)
            chained.append(False)
        else:
            new.append(case_of[node] if node != i else c)
            chained.append(node != i or i in has_child)
    return new, chained


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "e", "f", "x"]) | st.none(),
                          st.sampled_from(["K1", "K2"]) | st.none()),
                min_size=1, max_size=6))
def test_previous_contact_chains_agree_with_walking_them(rows):
    ids = ["a", "b", "c", "d", "e", "f"][:len(rows)]
    prev = [p for p, _ in rows]
    cases = [c for _, c in rows]
    iid = pd.Series(ids, dtype="string")
    case = pd.Series(cases, dtype="string")
    inter = pd.DataFrame({"interaction_id": iid, "previous_contact_id": pd.Series(
        prev, dtype="string")})
    new, chained = _follow_chains(iid, case, inter)
    want_case, want_chained = _chains_by_walking(ids, prev, cases)
    assert new.astype(object).where(new.notna(), None).tolist() == want_case
    assert chained.tolist() == want_chained


@pytest.mark.slow
# ---------------------------------------------------------------- real data: twcs repeat contacts
def test_twcs_repeat_contacts_match_an_independent_computation(shared_data, nlp):
    path = shared_data / "twcs" / "twcs.csv"
    raw = pd.read_csv(path, index_col=0, lineterminator="\n",
                      dtype={"tweet_id": str, "author_id": str})
    raw["t"] = pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y", utc=True)
    raw["parent"] = raw["in_response_to_tweet_id"].map(
        lambda v: None if pd.isna(v) else str(int(v)))
    parent = dict(zip(raw["tweet_id"], raw["parent"], strict=True))

    def root(x: str) -> str:
        while parent[x] is not None and parent[x] in parent:
            x = parent[x]  # type: ignore[assignment]
        return x

    raw["root"] = raw["tweet_id"].map(root)
    threads = {}
    for r, g in raw.sort_values("t", kind="stable").groupby("root", sort=False):
        customers = g.loc[g["inbound"], "author_id"].tolist()
        threads[f"thread-{r}"] = {"start": g["t"].iloc[0],
                                  "by_customer": bool(g["inbound"].iloc[0]),
                                  "customer": customers[0] if customers else None}
    # cases: one customer's threads with starts at most 7 days apart (chained)
    case = {}
    by_customer: dict[str, list[tuple[pd.Timestamp, str]]] = {}
    for tid, th in threads.items():
        if th["customer"] is not None:
            by_customer.setdefault(th["customer"], []).append((th["start"], tid))
    for items in by_customer.values():
        items.sort()
        group, last = None, None
        for start, tid in items:
            if last is None or start - last > pd.Timedelta(days=7):
                group = tid
            case[tid], last = group, start
    want = {}
    for tid, th in threads.items():
        later = [o for o, oth in threads.items() if oth["by_customer"] and o != tid
                 and oth["start"] > th["start"] and th["customer"] is not None
                 and (case.get(o) == case.get(tid)
                      or (oth["customer"] == th["customer"]
                          and oth["start"] - th["start"] <= pd.Timedelta(days=7)))]
        want[tid] = 1.0 if later else 0.0
    res = sa.score(sa.read(path), nlp=nlp)
    got = res.measures.set_index("interaction_id")["repeat_contact"].astype(float).to_dict()
    assert got == want
    assert sum(want.values()) > 10  # customers do come back in this sample
    linked = res.run_info["case_linking"]["interactions_by_rule"]
    assert linked["customer_window"] + linked["single"] == len(threads)


def test_transfer_in_without_start_times_does_not_depend_on_row_order():
    # two calls of one exported case, neither with a start time: which came first,
    # and whether the second was a transfer, cannot be told in either order
    from serviceart.scorers import CaseScorer
    from serviceart.testing.cases import Contact, Turn, build_cases
    from serviceart.testing.scorers import check_scorer

    t0 = pd.Timestamp("2026-03-02T10:00Z")
    a = Contact("a", "call", "c1", t0, "offsets_only", (
        Turn("customer", "c1", "Why was I charged twice?", 0.0, 2.0),
        Turn("agent", "agent-ann", "Let me transfer you to billing.", 1.0, 2.0)),
        case_id="T-1")
    b = Contact("b", "call", "c1", t0 + pd.Timedelta(minutes=3), "offsets_only", (
        Turn("agent", "agent-bob", "Hi, I understand you're calling about your bill.", 0.0,
             2.0),
        Turn("customer", "c1", "Yes.", 1.0, 1.0)), case_id="T-1")
    for contacts in ([a, b], [b, a]):
        cs = build_cases(contacts, pd.Timedelta(days=7))
        out = check_scorer(CaseScorer(), cs.conversations()).set_index("interaction_id")
        assert out["transfer_in"].isna().all()
        assert out["contacts_in_case"].tolist() == [2.0, 2.0]


def test_channel_switches_count_the_channels_a_case_went_through():
    moved = CASE.copy()
    moved.loc[moved["interaction_id"] == "m2", "channel"] = "email"
    m = sa.score(sa.Conversations.from_frames(moved)).measures.set_index("interaction_id")
    # chat, then email, then chat again: two channels, one switch, on every contact
    assert m["case_channel_switches"].to_dict() == {"m1": 1.0, "m2": 1.0, "m3": 1.0, "o1": 0.0}

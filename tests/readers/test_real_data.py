"""Acceptance tests of the readers on real public data (``../shared/data``, see its README).

Each section converts a dataset (with :mod:`tests.readers.realdata`, plain json,
regular expressions and pandas) into a reader's input, reads it with
``sa.read`` and compares the result with values computed here from the raw
files: thread membership against the human reply links, turn counts, roles,
timestamps and reply latency. The Customer Support on Twitter sample is tested
in ``test_messages.py`` and the AWS post-call analytics sample in
``test_aws.py`` (turn count, role split, talk share); the AWS section here adds
per-role talk time through ``format="pca"``.

All data is read whole (IBM dev+test, the three Stripe logs, the 20 Ubuntu
dev/test logs, all 122 Enron threads). Scoring, which is slower, runs on the
IBM test split, the Stripe logs, the Enron threads and two fixed Ubuntu logs.
Runtime: about 7 s.
"""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import serviceart as sa
from serviceart.scorers.requests import asks_for_something

from . import realdata as rd

LATENCY = ("first_response_s", "median_reply_s", "max_reply_s", "agent_replies",
           "unanswered_customer_turns")
JSONL = ("id", "author", "role", "created_at", "text", "in_reply_to")


def by_record(conv: sa.Conversations, ids: pd.Series) -> pd.DataFrame:
    """The reader's turns indexed by the message id of their JSONL line (``line N``)."""
    line_to_id = {f"line {i + 1}": v for i, v in enumerate(ids)}
    t = conv.turns.copy()
    t["mid"] = t["record"].map(line_to_id)
    assert t["mid"].notna().all()
    return t.set_index("mid")


def threads_of(turns: pd.DataFrame) -> set[frozenset[str]]:
    """Message ids of each interaction (turns indexed by message id)."""
    return {frozenset(g.index) for _, g in turns.groupby("interaction_id")}


def check_latency(measures: pd.DataFrame, expected: dict[str, dict[str, float]]) -> None:
    m = measures.set_index("interaction_id")
    assert set(m.index) == set(expected)
    for iid, exp in expected.items():
        for col in LATENCY:
            got = m.at[iid, col]
            if np.isnan(exp[col]):
                assert np.isnan(got), (iid, col)
            else:
                assert got == pytest.approx(exp[col], abs=1e-6), (iid, col)


def reference(turns: pd.DataFrame, order: list[str]) -> dict[str, dict[str, float]]:
    """Reference latency per interaction, turns ordered by ``order`` columns."""
    out = {}
    for iid, g in turns.sort_values(order, kind="mergesort").groupby("interaction_id"):
        secs = (g["timestamp"] - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds()
        asks = asks_for_something(g["text"].astype("string")).tolist()
        out[str(iid)] = rd.reference_latency(g["role"].tolist(), secs.tolist(), asks)
    return out


# ====================================================================== IBM Twitter (CDP)
def ibm_load(folder: Path, split: str, tmp: Path) -> dict[str, Any]:
    raw = json.loads((folder / f"{split}.json").read_text(encoding="utf-8"))
    msgs = rd.ibm_messages(raw)
    path = rd.write_jsonl(msgs, tmp / f"ibm_{split}.jsonl", JSONL)
    companies = set(json.loads((folder / "company_num_conversations.json").read_text()))
    return {"split": split, "raw": raw, "msgs": msgs, "path": path,
            "companies": companies, "conv": sa.read(path, format="messages")}


@pytest.fixture(scope="module", params=["dev", "test"])
def ibm(request, shared_data: Path, tmp_path_factory) -> dict[str, Any]:
    return ibm_load(shared_data / "ibm_twitter_cdp", request.param,
                    tmp_path_factory.mktemp("ibm"))


def test_ibm_twitter_threads_roles_turns_and_final_reply_time(ibm):
    raw, msgs, conv = ibm["raw"], ibm["msgs"], ibm["conv"]
    split = ibm["split"]
    # Some conversations share tweets (dev 60 and 386 are the same dialog; dev 245
    # and 491, test 60 and 472 share their first tweets): the repeated tweet ids
    # are rejected as duplicate_id and the conversations sharing a first tweet
    # become one thread.
    seen: set[str] = set()
    dup_lines = []
    for i, mid in enumerate(msgs["id"]):
        if mid in seen:
            dup_lines.append(f"line {i + 1}")
        seen.add(mid)
    roots = [c["dialogContent"][0]["tweet_ID"] for c in raw]
    assert len(raw) == {"dev": 525, "test": 500}[split]
    assert len(dup_lines) == {"dev": 6, "test": 1}[split]
    assert len(set(roots)) == {"dev": 523, "test": 499}[split]
    assert sorted(conv.rejects["record"]) == sorted(dup_lines)
    assert set(conv.rejects["code"]) == {"duplicate_id"}
    assert len(conv.interactions) == len(set(roots))
    assert set(conv.interactions["interaction_id"]) == {f"thread-{r}" for r in roots}
    assert len(conv.turns) == len(msgs) - len(dup_lines) == len(seen)

    t = by_record(conv, msgs["id"])
    exp = msgs.drop_duplicates("id").set_index("id")
    assert (t["role"] == exp.loc[t.index, "role"]).all()
    assert (t["speaker"] == exp.loc[t.index, "author"]).all()
    # agents are the companies' accounts (one test conversation of AppleSupport
    # has AmazonHelp answering); no customer uses a company's account
    assert set(t.loc[t["role"] == "agent", "speaker"]) <= ibm["companies"]
    assert not set(t.loc[t["role"] == "customer", "speaker"]) & ibm["companies"]
    # customer_id is the conversation's first client
    inter = conv.interactions.set_index("interaction_id")
    firsts = {f"thread-{c['dialogContent'][0]['tweet_ID']}": c["dialogContent"][0]["client"]
              for c in raw}
    assert inter.loc[list(firsts), "customer_id"].tolist() == list(firsts.values())

    shared = {r for r, n in collections.Counter(roots).items() if n > 1}
    sizes = t.groupby("interaction_id").size()
    checked = 0
    for c in raw:
        root = c["dialogContent"][0]["tweet_ID"]
        iid = f"thread-{root}"
        if root in shared:
            ids = set().union(*({m["tweet_ID"] for m in d["dialogContent"]}
                                | {d["agentURL"]["tweet_ID"]}
                                for d in raw if d["dialogContent"][0]["tweet_ID"] == root))
            assert sizes[iid] == len(ids)
            continue
        # turn count equals the source's messageCount (dialog + the final agent reply)
        assert sizes[iid] == int(c["dialogHeader"]["messageCount"])
        final = t.loc[c["agentURL"]["tweet_ID"]]
        # the final reply: last turn, the company's, at the time encoded in its tweet id
        assert final["turn_index"] == sizes[iid] - 1
        assert final["role"] == "agent" and final["speaker"] == c["dialogHeader"]["company"]
        assert final["timestamp"] == pd.Timestamp(
            (int(c["agentURL"]["tweet_ID"]) >> 22) + 1288834974657, unit="ms", tz="UTC")
        for m in c["dialogContent"]:  # the given times are the ids' times, cut to seconds
            assert t.at[m["tweet_ID"], "timestamp"] == pd.Timestamp(m["datetime"])
            assert rd.snowflake_time(m["tweet_ID"]).floor("s") == pd.Timestamp(m["datetime"])
        checked += 1
    assert checked == {"dev": 521, "test": 498}[split]


def test_ibm_twitter_latency_matches_pandas(shared_data: Path, tmp_path, nlp):
    # the test split (499 threads, 1,138 tweets); dev is read above, not scored
    ibm = ibm_load(shared_data / "ibm_twitter_cdp", "test", tmp_path)
    msgs, conv = ibm["msgs"], ibm["conv"]
    res = sa.score(conv, nlp=nlp)
    # independent: the tweets of each thread ordered by time (ties by file order)
    frame = msgs.drop_duplicates("id").copy()
    root = {}
    for mid, parent in zip(frame["id"], frame["in_reply_to"], strict=True):
        root[mid] = mid if pd.isna(parent) else root[parent]
    frame["interaction_id"] = "thread-" + frame["id"].map(root)
    frame["timestamp"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    frame["pos"] = np.arange(len(frame))
    expected = reference(frame, ["interaction_id", "timestamp", "pos"])
    check_latency(res.measures, expected)
    m = res.measures.set_index("interaction_id")
    # every thread ends with the company's document link, so nothing is unanswered
    assert (m["unanswered_customer_turns"] == 0).all()
    assert m["agent_replies"].sum() == 552
    # the first thread: a customer tweet at 17:31:32, one agent reply by tweet id
    first = ibm["raw"][0]
    iid = f"thread-{first['dialogContent'][0]['tweet_ID']}"
    want = (rd.snowflake_time(first["agentURL"]["tweet_ID"])
            - pd.Timestamp(first["dialogContent"][-1]["datetime"])).total_seconds()
    assert m.at[iid, "first_response_s"] == pytest.approx(want)


# ====================================================================== IRC: Stripe
# ``a b -`` in an annotation file: in every file a <= b, so b (the later line)
# answers a, and ``a a`` marks the start of a conversation.
STAFF_MIN_NICKS = 5
UNKNOWN = re.compile(r"\bI don'?t know\b|\bI'?m not sure\b|\bno idea\b", re.IGNORECASE)
_STRIPE_TIME = re.compile(r"^stripe (\d{4}-\d\d-\d\d) \[(\d\d:\d\d:\d\d)\] <")


@pytest.fixture(scope="module")
def stripe(shared_data: Path, tmp_path_factory) -> dict[str, Any]:
    folder = shared_data / "irc_disentanglement" / "new-domains"
    frames, links, raw_time = [], [], {}
    for k in range(3):
        log = folder / f"stripe.{k}.ascii.txt"
        lines = rd.irc_lines(log)
        pairs = rd.irc_links(folder / f"stripe.{k}.annotation.txt")
        frames.append(rd.irc_messages(lines, pairs, f"s{k}-"))
        links += [(f"s{k}-{a}", f"s{k}-{b}") for a, b in pairs]
        for n, line in enumerate(log.read_text(encoding="utf-8").split("\n")):
            m = _STRIPE_TIME.match(line)
            if m:
                raw_time[f"s{k}-{n}"] = pd.Timestamp(f"{m[1]} {m[2]}", tz="UTC")
    msgs = pd.concat(frames, ignore_index=True)
    nick = dict(zip(msgs["id"], msgs["author"], strict=True))
    # Staff: nicks answering (a link from their line to an earlier line of another
    # nick) at least five different nicks over the three logs. They are the ones
    # answering with docs links, request ids and "email support" (read the logs);
    # the next ones answer at most four nicks and mostly ask questions themselves.
    answered: dict[str, set[str]] = collections.defaultdict(set)
    for a, b in links:
        if a != b and nick[a] != nick[b]:
            answered[nick[b]].add(nick[a])
    staff = sorted(n for n, who in answered.items() if len(who) >= STAFF_MIN_NICKS)
    path = rd.write_jsonl(msgs, tmp_path_factory.mktemp("stripe") / "stripe.jsonl", JSONL)
    conv = sa.read(path, format="messages", agent_ids=staff, channel="chat")
    return {"msgs": msgs, "links": links, "staff": staff, "conv": conv, "raw_time": raw_time,
            "turns": by_record(conv, msgs["id"])}


def test_stripe_staff_choice(stripe):
    assert stripe["staff"] == ["hmunoz", "hpar", "karllekko", "timebox", "w1zeman1p"]


def test_stripe_threads_equal_annotated_conversations(stripe):
    msgs, conv, t = stripe["msgs"], stripe["conv"], stripe["turns"]
    # every linked line (the 603 annotated ones and 4 context lines they answer)
    assert len(msgs) == 607 and conv.rejects.empty and len(t) == 607
    assert set(msgs["kind"]) == {"message"}  # Stripe logs have no join/quit lines
    annotated = rd.components(msgs["id"], stripe["links"])
    assert len(annotated) == 69 == len(conv.interactions)
    # three lines answer two earlier lines; the layout keeps the later one, and the
    # other link stays inside the same conversation, so nothing is lost
    assert threads_of(t) == set(annotated)
    # roles: staff lines are the agent's, all others the customers'
    assert ((t["role"] == "agent") == t["speaker"].isin(stripe["staff"])).all()
    assert t["role"].astype(str).value_counts().to_dict() == {"customer": 400, "agent": 207}


def test_stripe_timestamps_and_reply_gaps_equal_the_log(stripe):
    msgs, t, raw_time = stripe["msgs"], stripe["turns"], stripe["raw_time"]
    assert (t["timestamp"] == t.index.map(raw_time)).all()
    gaps = 0
    for a, b in stripe["links"]:
        if a != b:  # b answers a
            got = (t.at[b, "timestamp"] - t.at[a, "timestamp"]).total_seconds()
            assert got == (raw_time[b] - raw_time[a]).total_seconds() >= 0
            gaps += 1
    assert gaps == 541
    # and the turns of each thread are in log order
    for _, g in t.groupby("interaction_id"):
        lines = g.sort_values("turn_index")["record"].str.slice(5).astype(int)
        assert lines.is_monotonic_increasing
    assert len(msgs) == len(t)


def test_stripe_latency_and_honest_unknowns(stripe, nlp):
    t = stripe["turns"]
    res = sa.score(stripe["conv"], nlp=nlp)
    ordered = t.reset_index().assign(line=lambda d: d["record"].str.slice(5).astype(int))
    check_latency(res.measures, reference(ordered, ["interaction_id", "timestamp", "line"]))
    m = res.measures
    assert m["agent_replies"].sum() == 149 and m["first_response_s"].notna().sum() == 57
    # "I don't know" / "I'm not sure" / "no idea" said by staff: every such line
    # carries an admits_unknown cue
    ev = res.evidence
    unknown = ev[ev["cue"] == "admits_unknown"]
    assert set(unknown["role"]) == {"agent"}
    hits = {(r.interaction_id, r.turn_index) for r in unknown.itertuples()}
    staff_lines = t[(t["role"] == "agent") & t["text"].str.contains(UNKNOWN)]
    assert len(staff_lines) == 7
    for r in staff_lines.itertuples():
        assert (r.interaction_id, r.turn_index) in hits, r.text
    assert len(hits) >= len(staff_lines)
    said = set(unknown["text"].str.lower())
    assert {"i don't know", "i'm not sure", "no idea"} <= said


# ====================================================================== IRC: Ubuntu
LATENCY_LOGS = ("2004-11-15_03", "2011-11-13_02")  # a 12-hour and a 24-hour clock wrap
_MEMBERSHIP = re.compile(r"has (?:joined|left|quit)|is now known as")


def ubuntu_logs(folder: Path, only: tuple[str, ...] | None = None
                ) -> tuple[pd.DataFrame, list[tuple[str, str]], list[str]]:
    """Messages of the Ubuntu dev/test logs, their links and the helpers' nicks.

    Helpers: in each log, nicks answering at least five different nicks
    (``ubottu``, the channel's factoid bot, among them); the union over all logs
    is passed as ``agent_ids``.
    """
    frames, links, helpers = [], [], set()
    for raw in sorted(folder.glob("*/*.raw.txt")):
        stem = raw.name.split(".")[0]
        if only is not None and stem not in only:
            continue
        lines = rd.irc_lines(raw, day=stem[:10])
        pairs = rd.irc_links(raw.with_name(f"{stem}.annotation.txt"))
        frames.append(rd.irc_messages(lines, pairs, f"{stem}-").assign(log=stem))
        links += [(f"{stem}-{a}", f"{stem}-{b}") for a, b in pairs]
        kind = dict(zip(lines["line"], lines["kind"], strict=True))
        nick = dict(zip(lines["line"], lines["nick"], strict=True))
        answered: dict[str, set[str]] = collections.defaultdict(set)
        for a, b in pairs:
            if a != b and kind[b] != "system" and nick[a] != nick[b]:
                answered[nick[b]].add(nick[a])
        helpers |= {n for n, who in answered.items() if len(who) >= STAFF_MIN_NICKS}
    return pd.concat(frames, ignore_index=True), links, sorted(helpers)


@pytest.fixture(scope="module")
def ubuntu(shared_data: Path, tmp_path_factory) -> dict[str, Any]:
    msgs, links, helpers = ubuntu_logs(shared_data / "irc_disentanglement")
    path = rd.write_jsonl(msgs, tmp_path_factory.mktemp("ubuntu") / "ubuntu.jsonl", JSONL)
    conv = sa.read(path, format="messages", agent_ids=helpers, channel="chat")
    return {"msgs": msgs, "links": links, "helpers": helpers, "conv": conv,
            "turns": by_record(conv, msgs["id"])}


def test_ubuntu_threads_against_annotated_conversations(ubuntu):
    msgs, links, conv, t = ubuntu["msgs"], ubuntu["links"], ubuntu["conv"], ubuntu["turns"]
    assert msgs["log"].nunique() == 20 and len(msgs) == 7575
    # one empty message ("<nick> " with nothing after it) is rejected; it was a
    # conversation of its own
    assert conv.rejects[["record", "code"]].values.tolist() == [["line 390", "empty_text"]]
    empty = msgs.iloc[389]
    assert empty["text"] == ""
    assert [(a, b) for a, b in links if empty["id"] in (a, b)] == [(empty["id"], empty["id"])]

    annotated = rd.components(msgs["id"], links)
    forest = rd.components(msgs["id"], [(i, p) for i, p in
                                        zip(msgs["id"], msgs["in_reply_to"], strict=True)
                                        if pd.notna(p)])
    # the reader's threads are the trees of the one-parent links ...
    assert threads_of(t) == {c for c in forest if c != {empty["id"]}}
    assert len(conv.interactions) == len(forest) - 1 == 1458
    # ... which split 4 annotated conversations in two: each time a line answering
    # two earlier lines of different trees keeps only its latest parent
    assert len(annotated) == 1455
    where = {m: c for c in forest for m in c}
    joining = {frozenset((where[a], where[b])) for a, b in links if where[a] != where[b]}
    assert len(joining) == len(forest) - len(annotated) == 4
    for c in forest:
        assert any(c <= a for a in annotated)


def test_ubuntu_roles_and_system_lines(ubuntu):
    msgs, t = ubuntu["msgs"], ubuntu["turns"]
    kinds = msgs.set_index("id")["kind"]
    # system lines (=== joins, parts, quits, nick changes and old-style emotes)
    # are read as role "system", never as a customer
    system = kinds[kinds == "system"].index
    assert len(system) == 554
    assert (t.loc[system, "role"] == "system").all()
    assert (t.loc[t["role"] == "system"].index.isin(system)).all()
    people = t[t["role"] != "system"]
    # agent_ids match case-insensitively, as IRC nicks do (dr_willis is Dr_Willis)
    helpers = {h.lower() for h in ubuntu["helpers"]}
    assert ((people["role"] == "agent") == people["speaker"].str.lower().isin(helpers)).all()
    assert t["role"].astype(str).value_counts().to_dict() == {"customer": 4672, "agent": 2348,
                                                  "system": 554}
    # membership lines are conversations of their own: one system turn each
    text = msgs.set_index("id")["text"]
    member = [m for m in system if _MEMBERSHIP.search(text[m])]
    assert len(member) == 540
    sizes = t.groupby("interaction_id").size()
    assert (sizes[t.loc[member, "interaction_id"]] == 1).all()
    # the other 14 are emotes (=== nick does ...); the 12 linked to conversation
    # lines stay in those conversations
    linked = {x for a, b in ubuntu["links"] if a != b for x in (a, b)}
    emotes = [m for m in system if m in linked]
    assert len(emotes) == 12 and not set(emotes) & set(member)
    assert (sizes[t.loc[emotes, "interaction_id"]] > 1).all()


def test_ubuntu_reply_gaps_equal_the_clock(ubuntu, shared_data: Path):
    msgs, t = ubuntu["msgs"], ubuntu["turns"]
    m = msgs.set_index("id")
    clock = {}  # minutes on the log's own [hh:mm] prefix, read straight from the text
    for raw in (shared_data / "irc_disentanglement").glob("*/*.raw.txt"):
        log = raw.name.split(".")[0]
        for n, line in enumerate(raw.read_text(encoding="utf-8", errors="replace")
                                 .split("\n")):
            hm = re.match(r"\[(\d\d):(\d\d)\]", line)
            if hm:
                clock[f"{log}-{n}"] = int(hm[1]) * 60 + int(hm[2])
    pairs = 0
    for a, b in ubuntu["links"]:
        if a == b or a not in clock or b not in clock or b not in t.index:
            continue
        gap_min = (t.at[b, "timestamp"] - t.at[a, "timestamp"]).total_seconds() / 60
        # time never runs backwards, and the gap is the clock difference (mod the
        # 12-hour wrap of the 2004-2007 logs)
        assert gap_min >= 0 and gap_min % 1 == 0
        assert gap_min < 720 and (gap_min - (clock[b] - clock[a])) % 720 == 0
        pairs += 1
    assert pairs == 6398
    assert (t["timestamp"] == pd.to_datetime(m.loc[t.index, "created_at"],
                                              format="ISO8601")).all()


def test_ubuntu_latency_matches_pandas(shared_data: Path, tmp_path, nlp):
    # two logs only, to keep the scoring time small: one with the 12-hour clock
    # wrapping at 12:59 -> 01:00, one wrapping at midnight
    msgs, _, helpers = ubuntu_logs(shared_data / "irc_disentanglement", LATENCY_LOGS)
    path = rd.write_jsonl(msgs, tmp_path / "two.jsonl", JSONL)
    conv = sa.read(path, format="messages", agent_ids=helpers, channel="chat")
    assert len(msgs) == 504 and len(conv.interactions) == 108
    res = sa.score(conv, nlp=nlp)
    t = by_record(conv, msgs["id"]).reset_index()
    t["line"] = t["record"].str.slice(5).astype(int)
    check_latency(res.measures, reference(t, ["interaction_id", "timestamp", "line"]))
    m = res.measures
    assert m["agent_replies"].sum() == 87
    assert m["max_reply_s"].max() == 8700.0  # 2 h 25 min: a helper coming back


# ====================================================================== Enron power threads
@pytest.fixture(scope="module")
def enron(shared_data: Path) -> pd.DataFrame:
    frame = rd.enron_threads(shared_data / "enron_power_threads")
    assert len(frame) == 360 and frame["thread"].nunique() == 122
    return frame


def enron_read(frame: pd.DataFrame, path: Path, **kw) -> tuple[sa.Conversations, pd.DataFrame]:
    conv = sa.read(rd.enron_mbox(frame, path, **kw), format="mbox", agent_domains=["enron.com"])
    t = conv.turns.copy()
    t.index = t["message_id"].str.split("@").str[0]
    return conv, t


def parent_link_roots(frame: pd.DataFrame) -> dict[str, str]:
    """Each message's root by the annotated parent links (a parent absent from
    the data is the root, as the mail reader keys such a thread by it)."""
    parent = dict(zip(frame["message_id"], frame["parent"], strict=True))
    out = {}
    for m in parent:
        x = m
        while x in parent and not pd.isna(parent[x]):
            x = parent[x]
        out[m] = x
    return out


def test_enron_threads_equal_parent_links(enron, tmp_path):
    conv, t = enron_read(enron, tmp_path / "enron.mbox")
    roots = parent_link_roots(enron)
    # 134 messages have no parent and 5 a parent missing from the data: 139
    # threads by the links. The annotators' 122 thread ids hold 15 threads with
    # two or three such roots (messages without a header link between them).
    assert enron["parent"].isna().sum() == 134 and len(set(roots.values())) == 139
    per_thread = enron.assign(root=enron["message_id"].map(roots)).groupby("thread")["root"]
    assert (per_thread.nunique() > 1).sum() == 15
    # rejects: the 39 messages the annotators rebuilt from quotes have no sender;
    # one annotated message has no text
    rej = conv.rejects.set_index(conv.rejects["record"].str.split("@").str[0])
    bubbles = enron.loc[enron["sender"].isna(), "message_id"]
    assert (enron.loc[enron["sender"].isna(), "type"] == "ThreadNodeBubble").all()
    assert rej["code"].to_dict() == {**{b: "missing_sender" for b in bubbles},
                                     "532392": "empty_text"}
    assert len(t) == 320 and len(conv.interactions) == 139
    # membership: every message, turn or reject, is in its root's thread
    for mid, root in roots.items():
        iid = t.at[mid, "interaction_id"] if mid in t.index else rej.at[mid, "interaction_id"]
        assert iid == rd.msgid(root), mid
    threads = {frozenset(g.index) for _, g in t.groupby("interaction_id")}
    expected = collections.defaultdict(set)
    for mid in t.index:
        expected[roots[mid]].add(mid)
    assert threads == {frozenset(v) for v in expected.values()}


def test_enron_in_reply_to_alone_gives_the_same_threads(enron, tmp_path):
    # without References the reader follows In-Reply-To up the chain
    _, full = enron_read(enron, tmp_path / "a.mbox")
    path = rd.enron_mbox(enron, tmp_path / "b.mbox")
    text = re.sub(r"^References: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text, encoding="utf-8")
    conv = sa.read(path, format="mbox", agent_domains=["enron.com"])
    t = conv.turns.set_index(conv.turns["message_id"].str.split("@").str[0])
    assert (t.loc[full.index, "interaction_id"] == full["interaction_id"]).all()


def test_enron_reply_latency_equals_annotated_dates(enron, tmp_path, nlp):
    conv, t = enron_read(enron, tmp_path / "enron.mbox")
    ann = enron.set_index("message_id")
    assert (t["timestamp"] == ann.loc[t.index, "date"]).all()
    links = [(m, p) for m, p in zip(enron["message_id"], enron["parent"], strict=True)
             if not pd.isna(p) and m in t.index and p in t.index]
    assert len(links) == 144
    for m, p in links:
        gap = t.at[m, "timestamp"] - t.at[p, "timestamp"]
        assert gap == ann.at[m, "date"] - ann.at[p, "date"]
    # enron.com senders are the agent side; 30 messages come from other domains
    assert (t["role"] == "customer").sum() == 30
    res = sa.score(conv, nlp=nlp)
    check_latency(res.measures, reference(t.reset_index(names="mid"),
                                          ["interaction_id", "timestamp", "mid"]))
    assert res.measures["first_response_s"].notna().sum() == 14


def test_enron_subject_and_participants_fallback(enron, tmp_path):
    roots = parent_link_roots(enron)
    # 1. no In-Reply-To/References and the subjects as annotated (the dump
    # stored them without "RE:"): every message has a Message-ID and no reply
    # prefix, so the fallback does not apply and each message is its own thread
    conv, t = enron_read(enron, tmp_path / "plain.mbox", pointers=False)
    assert len(conv.interactions) == len(t) == 320
    # 2. as a mail client writes them: "RE: " before the subject of every reply
    re_subject = enron.assign(subject=[s if pd.isna(p) else f"RE: {s}" for s, p in
                                       zip(enron["subject"], enron["parent"], strict=True)])
    conv, t = enron_read(re_subject, tmp_path / "re.mbox", pointers=False)
    assert len(conv.interactions) == 258
    links = [(m, p) for m, p in zip(enron["message_id"], enron["parent"], strict=True)
             if not pd.isna(p) and m in t.index and p in t.index]
    recovered = {(m, p) for m, p in links
                 if t.at[m, "interaction_id"] == t.at[p, "interaction_id"]}
    # A reply joins its parent's thread only when the two messages have the same
    # participants (From+To+Cc) and the same subject: 44 of the 144 links between
    # read messages. The other 100 replies add or drop recipients (cc'ing a
    # colleague, replying to the sender only) or, twice, change the subject.
    ann = enron.set_index("message_id")

    def people(m: str) -> frozenset[str]:
        r = ann.loc[m]
        return frozenset([r["sender"], *r["to"], *r["cc"]])

    predicted = {(m, p) for m, p in links
                 if people(m) == people(p) and ann.at[m, "subject"] == ann.at[p, "subject"]}
    assert len(recovered) == 44 and recovered == predicted
    # No reply is put in a wrong thread: each thread lies within one annotated
    # thread, and only 3 join messages of two link roots, roots the annotators
    # put in one thread (threads 88 and 129424) with no parent link between them.
    # (Before the empty-subject fix in the email reader, 13 replies titled "RE: "
    # alone were joined to other threads of the same two people, one of them two
    # months later in another annotated thread.)
    thread = enron.set_index("message_id")["thread"]
    mixed = 0
    for _, g in t.groupby("interaction_id"):
        assert thread[g.index].nunique() == 1
        mixed += len({roots[m] for m in g.index}) > 1
    assert mixed == 3


# ====================================================================== AWS post-call analytics
def test_aws_pca_talk_time_per_role(shared_data: Path):
    path = shared_data / "aws_pca_sample" / "testfile.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    labels = {x["Speaker"]: x["DisplayText"].lower()
              for x in doc["ConversationAnalytics"]["SpeakerLabels"]}
    segs = pd.DataFrame(doc["SpeechSegments"])
    segs["role"] = segs["SegmentSpeaker"].map(labels)
    segs["dur"] = segs["SegmentEndTime"] - segs["SegmentStartTime"]
    conv = sa.read(path, format="pca")
    t = conv.turns
    assert len(t) == len(segs) == 12 and conv.rejects.empty
    assert t["role"].tolist() == segs["role"].tolist()
    assert t["role"].astype(str).value_counts().to_dict() == {"agent": 6, "customer": 6}
    got = (t["end_s"] - t["start_s"]).groupby(t["role"]).sum()
    want = segs.groupby("role")["dur"].sum()
    assert got.to_dict() == pytest.approx(want.to_dict(), abs=1e-9)
    assert want.to_dict() == pytest.approx({"agent": 11.16, "customer": 20.16}, abs=1e-9)
    # the vendor's own SpeakerTime is lower (9.879 s and 19.56 s): it is kept as
    # aws_talk_time_*_s, not used for the turns
    inter = conv.interactions.iloc[0]
    assert (inter["aws_talk_time_agent_s"], inter["aws_talk_time_customer_s"]) == (9.879, 19.56)


@pytest.mark.parametrize("pointers", [True, False])
def test_enron_mbox_streams_to_the_same_threads(enron, tmp_path, pointers):
    # two passes (headers, then whole messages), threads handed on when complete
    path = rd.enron_mbox(enron, tmp_path / "s.mbox", pointers=pointers)
    whole = sa.read(path, format="mbox", agent_domains=["enron.com"])
    chunks = list(sa.stream(path, format="mbox", chunk_size=10, agent_domains=["enron.com"]))
    assert all(len(c) <= 10 for c in chunks) and len(chunks) >= len(whole) // 10
    cols = ["interaction_id", "turn_index", "speaker", "text", "record"]
    got = pd.concat([c.turns[cols] for c in chunks]).astype(str)
    pd.testing.assert_frame_equal(
        got.sort_values(cols[:2]).reset_index(drop=True),
        whole.turns[cols].astype(str).sort_values(cols[:2]).reset_index(drop=True))
    rejected = pd.concat([c.rejects for c in chunks])
    assert sorted(rejected["record"]) == sorted(whole.rejects["record"])

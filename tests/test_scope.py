"""Scope: interactions where no agent spoke, and threads that are not a service request,
get no agent scores, are counted apart, and are left out of aggregates."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import serviceart as sa
from serviceart import scope as scope_mod
from serviceart.analysis.aggregate import by
from serviceart.analysis.calibrate import calibrate
from serviceart.analysis.fairness import fairness
from serviceart.errors import ConfigError, SchemaError
from serviceart.run.settings import ScoreSettings
from serviceart.schema import EVIDENCE, conform, measures_table
from serviceart.scope import detect_scope
from serviceart.testing.faults import check_run
from serviceart.testing.threads import REQUESTS, social_threads
from serviceart.views.report import render_report

SCORES = [*sa.PRINCIPLES, "overall"]


def _thread(iid: str, *turns: tuple[str, str], agent: str = "Brand",
            customer: str = "cust") -> list[dict[str, object]]:
    start = pd.Timestamp("2026-10-31T21:00:00Z")
    return [{"interaction_id": iid, "turn_index": k, "role": role,
             "speaker": agent if role == "agent" else customer, "text": text,
             "timestamp": start + pd.Timedelta(minutes=4 * k), "channel": "social",
             "agent_id": agent}
            for k, (role, text) in enumerate(turns)]


THREADS = pd.DataFrame([
    # a real complaint with no question mark, answered: service
    *_thread("porch", ("customer", "Dear @UPSHelp thanks for just leaving my package on the "
                                   "porch, in the rain and you didnt even ring the doorbell. "
                                   "So there it just sat."),
             ("agent", "@116630 I am sorry that this has happened. Please DM the tracking "
                       "number and we will look into this for you. ^QJ")),
    # nobody from the brand answered: no agent
    *_thread("silent", ("customer", "@sprintcare my data has been barely working all day"),
             ("customer", "@sprintcare hello?? anyone there")),
    # praise and banter: not a service request
    *_thread("boorito", ("customer", "Getting that 3 buck burrito from @ChipotleTweets is "
                                     "becoming a tradition on Halloween #thebest"),
             ("agent", "@115961 The absolute best. What are you going to order? -Becky"),
             ("customer", "@ChipotleTweets We got two burritos, chips and queso. 👍🏼"),
             ("agent", "@115961 Delish! Well played. -Becky"), agent="chipotle"),
    # a brand broadcast that a customer cheers: not a service request
    *_thread("promo", ("agent", "Dress up this Halloween and get a $3 burrito at any of our "
                                "restaurants 👻 https://t.co/Ab12Cd34"),
             ("customer", "@ChipotleTweets love this!"), agent="chipotle"),
])


@pytest.fixture(scope="module")
def scored(nlp) -> sa.Result:
    return sa.score(sa.Conversations.from_frames(THREADS), nlp=nlp)


def _row(res: sa.Result, iid: str) -> pd.Series:
    return res.scores.set_index("interaction_id").loc[iid]


def test_each_thread_gets_its_scope_and_reason(scored: sa.Result) -> None:
    s = scored.scores.set_index("interaction_id")
    assert s["scope"].astype(str).to_dict() == {
        "porch": "service", "silent": "no_agent", "boorito": "non_service",
        "promo": "non_service"}
    assert pd.isna(s.loc["porch", "scope_reason"])
    assert s.loc["silent", "scope_reason"] == "no agent turn"
    assert s.loc["boorito", "scope_reason"].startswith("praise or banter: 'tradition'")
    assert s.loc["promo", "scope_reason"].startswith("brand broadcast:")


def test_out_of_scope_has_no_scores_no_bands_and_no_applied_criterion(scored: sa.Result
                                                                      ) -> None:
    s = scored.scores.set_index("interaction_id")
    assert s.loc[["silent", "boorito", "promo"], SCORES].isna().all().all()
    assert s.loc["porch", SCORES].between(0, 100).all()
    bands = scored.bands.set_index("interaction_id")
    assert bands.loc[["silent", "boorito", "promo"]].isna().all().all()
    c = scored.contributions
    out = c[c["interaction_id"].isin(["silent", "boorito", "promo"])]
    assert len(out) and not out["applied"].any()
    assert (out["points"] == 0).all() and (out["points_lost"] == 0).all()


def test_the_rule_that_fired_is_an_evidence_row_the_schema_accepts(scored: sa.Result) -> None:
    ev = scored.evidence[scored.evidence["cue"] == "scope"]
    assert sorted(ev["interaction_id"]) == ["boorito", "promo"]
    row = ev.set_index("interaction_id").loc["boorito"]
    assert (row["turn_index"], row["role"], row["text"]) == (0, "customer", "tradition")
    turn = THREADS[(THREADS["interaction_id"] == "boorito")]["text"].iloc[0]
    assert turn[row["start_char"]:row["end_char"]] == "tradition"
    assert json.loads(row["detail"])["rule"] == "praise"
    promo = ev.set_index("interaction_id").loc["promo"]
    assert (promo["role"], json.loads(promo["detail"])["rule"]) == ("agent", "broadcast")
    # conforming to the declared table changes nothing: the rows are valid evidence
    pd.testing.assert_frame_equal(conform(scored.evidence, EVIDENCE), scored.evidence)


def test_explain_and_scorecard_say_why(scored: sa.Result) -> None:
    ex = scored.explain("boorito")
    text = str(ex)
    assert "out of scope: non_service (praise or banter: 'tradition'" in text
    assert "overall: n/a (out of scope)" in text
    assert "[scope: tradition]" in text
    page = ex.to_html()
    assert 'data-scope="non_service"' in page and "praise or banter: &#x27;tradition" in page
    assert "out of scope</span>" in page
    assert repr(scored.explain("silent")) == "<Explanation silent: out of scope (no_agent)>"
    assert "out of scope" not in str(scored.explain("porch"))


@pytest.mark.parametrize("text", REQUESTS)
def test_real_requests_and_complaints_stay_in_scope(text: str) -> None:
    turns = pd.DataFrame(_thread("t", ("customer", text),
                                 ("agent", "@cust Thanks for stopping by! -Becky")))
    table, evidence = detect_scope(turns, turns[["interaction_id"]].drop_duplicates())
    assert table["scope"].tolist() == ["service"] and evidence.empty


@pytest.mark.parametrize("turns", [
    # the thread starts with an agent reply whose parent tweet is not in the export
    [("agent", "@116036 Thank you for your patience. We'll call you shortly. ^mg"),
     ("customer", "@BofA_Help Thanks")],
    # the agent treated it as a request
    [("customer", "2/2 @Tesco #Hindley cafe - 3 members of staff and I am served this. "
                  "#ThanksForNothing https://t.co/FiWjhOeOBr"),
     ("agent", "@116870 Hi Rob, I can see why this has bothered you. Can you please provide "
               "a name or description of the colleagues")],
    # praise that introduces a complaint
    [("customer", "Love @115940 but lost home internet"), ("agent", "@cust We hear you.")],
    # text the English phrase lists cannot judge
    [("customer", "ハロウィンは最高でした🎃 ありがとう @AmazonHelp"),
     ("agent", "@117087 ありがとうございます！")],
    # a bare mention with a link (a screenshot of a problem, perhaps)
    [("customer", "@comcastcares https://t.co/r3Gr2SEyQf"), ("agent", "@cust Hi there!")],
])
def test_when_in_doubt_the_thread_stays_in_scope(turns: list[tuple[str, str]]) -> None:
    frame = pd.DataFrame(_thread("t", *turns))
    table, _ = detect_scope(frame, frame[["interaction_id"]].drop_duplicates())
    assert table["scope"].tolist() == ["service"]


def test_marketing_post_and_bare_mention_are_recognised() -> None:
    frame = pd.DataFrame([
        *_thread("ad", ("customer", "You thought I was joking #HappyHalloween2017 "
                                    "#3dollarboorito @ChipotleTweets https://t.co/vhqB4Ncg6C"),
                 ("agent", "@117282 Well played, my friend. -Becky")),
        *_thread("tag", ("customer", "@DELTA"), ("agent", "@116475 Hey there. *HFG"))])
    table, evidence = detect_scope(frame, frame[["interaction_id"]].drop_duplicates())
    reasons = table.set_index("interaction_id")["scope_reason"]
    assert reasons["ad"].startswith("marketing or photo post: a link and 2 hashtags (turn 0)")
    assert reasons["tag"].startswith("bare mention")
    assert evidence.set_index("interaction_id").loc["ad", "text"] == frame["text"].iloc[0]


def test_an_agent_turn_without_text_is_no_agent_turn() -> None:
    frame = pd.DataFrame(_thread("t", ("customer", "@Brand where is my order"),
                                 ("agent", "   ")))
    table, _ = detect_scope(frame, frame[["interaction_id"]].drop_duplicates())
    assert (table["scope"].tolist(), table["scope_reason"].tolist()) == (
        ["no_agent"], ["no agent turn"])


def test_the_detector_can_be_turned_off_and_the_run_records_it(nlp) -> None:
    res = sa.score(sa.Conversations.from_frames(THREADS), nlp=nlp,
                   settings=ScoreSettings(scope_filter=False))
    s = res.scores.set_index("interaction_id")
    assert s["scope"].astype(str).to_dict() == {
        "porch": "service", "silent": "no_agent", "boorito": "service", "promo": "service"}
    assert s.loc["boorito", SCORES].notna().all()
    assert res.run_info["settings"]["scope_filter"] is False
    assert ScoreSettings.from_run_info(res.run_info).scope_filter is False
    with pytest.raises(ConfigError, match=r"scope_filter \(--keep-non-service\)"):
        ScoreSettings(scope_filter="no")


def test_counts_add_up_with_rejects(tmp_path: Path, nlp) -> None:
    rows = THREADS.assign(timestamp=THREADS["timestamp"].astype(str)).to_dict("records")
    rows.append({"interaction_id": "robot", "turn_index": 0, "role": "robot",
                 "text": "beep", "channel": "social"})
    path = tmp_path / "threads.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    res = sa.score(sa.read(path), nlp=nlp)
    c = res.run_info["counts"]
    assert (c["interactions_in"], c["scored"], c["out_of_scope"], c["no_agent"],
            c["non_service"], c["rejected"]) == (5, 1, 3, 1, 2, 1)
    assert c["scored"] + c["out_of_scope"] + c["rejected"] == c["interactions_in"]


def test_command_line_summary_and_run_folder_count_out_of_scope(tmp_path: Path) -> None:
    rows = THREADS.assign(timestamp=THREADS["timestamp"].astype(str)).to_dict("records")
    rows.append({"interaction_id": "robot", "turn_index": 0, "role": "robot",
                 "text": "beep", "channel": "social"})
    path = tmp_path / "threads.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "serviceart", "score", str(path), "-o",
                           str(out), "--jobs", "1"], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert re.search(r"read 5 interactions: 1 scored, 3 out of scope \(1 without an agent "
                     r"turn, 2 not a service request\), 1 rejected", done.stdout), done.stdout
    check = check_run(out, ["porch", "silent", "boorito", "promo", "robot"])
    assert (check.scored, check.rejected, check.lost) == (4, 1, 0)  # rows in scores
    counts = json.loads((out / "run.json").read_text(encoding="utf-8"))["counts"]
    assert (counts["scored"], counts["out_of_scope"], counts["rejected"]) == (1, 3, 1)
    back = sa.Result.from_parquet(out)
    assert back.scores.set_index("interaction_id")["scope"].astype(str)["promo"] == \
        "non_service"


def test_command_line_keep_non_service(tmp_path: Path) -> None:
    path = tmp_path / "threads.jsonl"
    rows = THREADS.assign(timestamp=THREADS["timestamp"].astype(str)).to_dict("records")
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "serviceart", "score", str(path), "-o",
                           str(out), "--jobs", "1", "--keep-non-service"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "3 scored, 1 out of scope (1 without an agent turn, 0 not a service" in done.stdout
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["settings"]["scope_filter"] is False


def _many(nlp) -> sa.Result:
    """Four agents, each with service threads and out-of-scope ones."""
    rows = []
    for k in range(24):
        agent = f"agent-{k % 4}"
        if k % 3 == 0:
            turns = [("customer", "I love you @Brand"), ("agent", "@c We love you right back!")]
        else:
            turns = [("customer", REQUESTS[k % len(REQUESTS)]),
                     ("agent", "@c Sorry about that. Please DM us your order number.")]
        rows += _thread(f"t{k:02d}", *turns, agent=agent, customer=f"c{k}")
    return sa.score(sa.Conversations.from_frames(pd.DataFrame(rows)), nlp=nlp)


def test_aggregates_leave_out_of_scope_out_and_say_how_many(nlp) -> None:
    res = _many(nlp)
    keep = res.scores["scope"].astype(str) == "service"
    assert int((~keep).sum()) == 8
    table = by(res, "agent_id", principles="overall", n_boot=50, min_n=2)
    assert table.attrs["out_of_scope"] == 8
    assert table["n"].sum() == int(res.scores.loc[keep, "overall"].notna().sum()) == 16
    rep = fairness(res, "agent_id", principles="overall", n_perm=99, n_boot=0, min_n=2)
    assert any("8 out-of-scope interactions" in n for n in rep.notes)
    page = render_report(res, n_boot=20, min_n=2, worst=2)
    assert "8 out-of-scope interactions are left out" in page
    assert re.search(r"out of scope</td><td[^>]*>8 ", page)


def test_calibration_leaves_out_of_scope_out() -> None:
    n = 30
    cols = {name: np.zeros(n) for name in measures_table().names[1:]}
    ids = [f"c{k:02d}" for k in range(n)]
    m = conform({"interaction_id": ids, **cols}, measures_table())
    m["courtesy"] = np.arange(n) % 2
    scope = pd.DataFrame({"interaction_id": ids,
                          "scope": ["no_agent" if k < 6 else "service" for k in range(n)],
                          "scope_reason": ["no agent turn" if k < 6 else None
                                           for k in range(n)]})
    scores, contrib = sa.Rubric.default().apply(m, scope=scope)
    res = sa.Result(scores=scores, measures=m, evidence=pd.DataFrame(),
                    rejects=pd.DataFrame(), run_info={}, contributions=contrib,
                    rubric=sa.Rubric.default())
    human = pd.DataFrame({"interaction_id": ids, "qa_score": 50.0 + 40 * (np.arange(n) % 2)})
    _, report = calibrate(res, human, min_n=10)
    assert report.n_matched == 24
    assert sorted(report.unmatched_ids) == ids[:6]
    assert any("6 labelled interactions are out of scope" in note for note in report.notes)


def test_rubric_apply_rejects_an_unknown_scope() -> None:
    m = conform({"interaction_id": ["a"], **{c: [0.0] for c in measures_table().names[1:]}},
                measures_table())
    with pytest.raises(SchemaError, match=r"SA-S006.*unknown scope values \['banter'\]"):
        sa.Rubric.default().apply(m, scope=pd.DataFrame(
            {"interaction_id": ["a"], "scope": ["banter"], "scope_reason": ["x"]}))


def test_a_broken_rules_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Files:
        def joinpath(self, _: str) -> Files:
            return self

        def read_text(self, _: str) -> str:
            return ('[request]\nphrases = ["help", ""]\n[marketing]\nmin_hashtags = 0\n'
                    "phrases = []\n")

    monkeypatch.setattr(scope_mod.resources, "files", lambda _: Files())
    scope_mod.load_rules.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"SA-C140.*\[request\] phrases must be a list "
                                              r"of non-empty strings.*min_hashtags"):
            scope_mod.load_rules()
    finally:
        monkeypatch.undo()
        scope_mod.load_rules.cache_clear()


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(threads=social_threads())
def test_scores_are_in_range_and_nan_only_out_of_scope(threads, nlp) -> None:
    res = sa.score(sa.Conversations.from_frames(threads.turns), nlp=nlp)
    s = res.scores.set_index("interaction_id")
    assert s["scope"].astype(str).to_dict() == threads.expected
    inside = s["scope"].astype(str) == "service"
    vals = s.loc[inside, SCORES].to_numpy(dtype="float64")
    assert ((vals >= 0) & (vals <= 100)).all()  # these threads always have criteria
    assert s.loc[~inside, SCORES].isna().all().all()
    assert s.loc[~inside, "scope_reason"].notna().all()
    c = res.run_info["counts"]
    assert c["scored"] == int(inside.sum()) and c["out_of_scope"] == int((~inside).sum())
    assert c["scored"] + c["out_of_scope"] + c["rejected"] == c["interactions_in"]


def test_on_the_qa_dev_set_nothing_rated_a_service_request_is_put_out(shared_data: Path
                                                                       ) -> None:
    """Precision first: on the 88 rated conversations, no conversation the raters
    treated as a service request is put out of scope."""
    path = shared_data / "gold" / "qa_dev.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    not_service = re.compile(r"banter|marketing|no (?:service |real )?request|not a service "
                             r"request|nothing (?:was )?asked|no service need", re.I)
    turns, positive = [], {}
    for r in rows:
        turns += [{"interaction_id": r["key"], "turn_index": k, "role": t["role"],
                   "text": t["text"]} for k, t in enumerate(r["turns"])]
        positive[r["key"]] = any(x.get("follow_through") is None and not_service.search(
            x["note"]) for x in r["raters"])
    frame = pd.DataFrame(turns)
    table, _ = detect_scope(frame, pd.DataFrame({"interaction_id": list(positive)}))
    flagged = set(table.loc[table["scope"] == "non_service", "interaction_id"])
    assert flagged and all(positive[k] for k in flagged)
    assert {"twcs:76", "twcs:1336", "twcs:3289"} <= flagged

"""The tools of a labelling round: ``benchmarks/labelling.py`` (check, compare, merge).

Small made-up rounds (four customer-service turns in two batches) exercise each step:
quotes to offsets, every refusal of a pass, the agreement of two passes on an
example whose figures are worked out by hand in the comments, the worklist, the
merge's files and its refusals, and the exit codes of the command line. A property
checks that two identical passes agree fully and give back their own spans. The
committed ``agreement3.json`` must have the layout and the relations the merge writes
(no texts needed).
"""

from __future__ import annotations

import doctest
import json
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serviceart.codebook import cues_for
from tests._benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "cue_corpus"

T1 = ("Hi Dana, thanks for your patience. I'm sorry the parcel is late. I have reissued "
      "the order, so it should arrive on Friday. Thanks again!")
T2 = "I already told you twice that the router keeps dropping out, and it still isn't fixed."
T3 = ("Please restart the router and let us know how it goes. Is there anything else we can "
      "help with?")
T4 = "We cannot refund a ticket after the flight has left, because the fare is non-refundable."
TURNS = [
    {"id": "ibm:s1:1", "source": "ibm", "role": "agent", "conversation": "ibm:s1", "text": T1},
    {"id": "ibm:s1:2", "source": "ibm", "role": "customer", "conversation": "ibm:s1",
     "text": T2},
    {"id": "twcs:100", "source": "twcs", "role": "agent", "conversation": "twcs:99", "text": T3},
    {"id": "twcs:200", "source": "twcs", "role": "agent", "conversation": "twcs:199",
     "text": T4},
]
BATCHES = {"01": TURNS[:2], "02": TURNS[2:]}
POOL_ORDER = ["twcs:200", "ibm:s1:1", "twcs:100", "ibm:s1:2"]


def q(cue: str, quote: str, nth: int | None = None) -> dict[str, Any]:
    return {"cue": cue, "quote": quote} | ({"nth": nth} if nth else {})


# Pass A: 10 cues; pass B: 10 cues. They agree on 8 (micro F1 = 16 / 20 = 0.8).
PASS_A = {
    "ibm:s1:1": [q("greeting", "Hi Dana"), q("courtesy", "thanks"),
                 q("apology", "I'm sorry the parcel is late"),
                 q("action_taken", "I have reissued the order"),  # A only (A3)
                 q("courtesy", "Thanks")],
    "ibm:s1:2": [q("repeat_request", "I already told you twice"),
                 q("unresolved", "it still isn't fixed")],  # A only (A1)
    "twcs:100": [q("courtesy", "Please"),
                 q("anything_else", "Is there anything else we can help with?")],
    "twcs:200": [q("bad_news", "We cannot refund a ticket after the flight has left")],
}
PASS_B = {
    "ibm:s1:1": [q("greeting", "Hi Dana,"), q("courtesy", "thanks for your patience"),
                 q("apology", "I'm sorry"), q("hedge", "should"),  # B only (B3)
                 q("courtesy", "Thanks again!")],
    "ibm:s1:2": [q("repeat_request", "told you twice")],
    "twcs:100": [q("anything_else", "Is there anything else we can help with"),
                 q("courtesy", "Please")],
    "twcs:200": [q("bad_news", "We cannot refund a ticket"),
                 q("explanation", "because the fare is non-refundable")],  # B only (B1)
}
DECISIONS = {
    "01": [{"id": "ibm:s1:1", "decisions": [{"k": "A3", "keep": True, "rule": "done for them"},
                                            {"k": "B3", "keep": False, "rule": "not hedged"}],
            "add": [q("next_steps", "it should arrive on Friday")]},
           {"id": "ibm:s1:2", "decisions": [{"k": "A1", "keep": True, "rule": "not fixed"}]}],
    "02": [{"id": "twcs:200", "decisions": [{"k": "B1", "keep": True, "rule": "reason"}],
            "add": []}],
}


@pytest.fixture(scope="module")
def lab() -> ModuleType:
    return load_benchmark("labelling")


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def pass_lines(cues: dict[str, list[dict[str, Any]]], turns: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    return [{"id": t["id"], "cues": cues.get(t["id"], [])} for t in turns]


def make_round(lab: ModuleType, root: Path, a: dict[str, Any] = PASS_A,
               b: dict[str, Any] = PASS_B,
               decisions: dict[str, list[dict[str, Any]]] = DECISIONS) -> dict[str, Path]:
    """A round laid out as the README says: batches/, passes/ (quotes), adj/, pool."""
    for name, turns in BATCHES.items():
        write_jsonl(root / "batches" / f"batch_{name}.jsonl", turns)
        write_jsonl(root / "passes" / f"b{name}_A.jsonl", pass_lines(a, turns))
        write_jsonl(root / "passes" / f"b{name}_B.jsonl", pass_lines(b, turns))
        if name in decisions:
            write_jsonl(root / "adj" / f"decisions_b{name}.jsonl", decisions[name])
    by_id = {t["id"]: t for t in TURNS}
    write_jsonl(root / "pool9.jsonl", [
        {"id": i, "source": by_id[i]["source"], "role": by_id[i]["role"],
         "conversation": by_id[i]["conversation"], "sha256": lab.text_hash(by_id[i]["text"]),
         "draw": "random"} for i in POOL_ORDER])
    return {"batches": root / "batches", "passes": root / "passes", "adj": root / "adj",
            "pool": root / "pool9.jsonl", "out": root / "out"}


def run_merge(lab: ModuleType, paths: dict[str, Path], **kw: Any) -> dict[str, Any]:
    return lab.merge(9, paths["pool"], paths["batches"], paths["passes"], paths["adj"],
                     paths["out"], pass_pattern="b{batch}_{side}.jsonl", **kw)


def span(text: str, cue: str, quote: str) -> dict[str, Any]:
    start = text.index(quote)
    return {"cue": cue, "start": start, "end": start + len(quote)}


# ------------------------------------------------------------------ check
def test_quotes_become_offsets_and_nth_picks_the_occurrence(lab: ModuleType,
                                                            tmp_path: Path) -> None:
    text = ("Thank you for the photo. I have passed it on to the warehouse team. "
            "Thank you for your patience.")
    batch = [{"id": "sumo:1", "role": "agent", "text": text}]
    second = text.index("Thank you", 1)
    path = write_jsonl(tmp_path / "p.jsonl", [{"id": "sumo:1", "cues": [
        q("courtesy", "Thank you", 2), q("action_taken", "I have passed it on"),
        q("courtesy", "Thank you")]}])
    spans, problems, warnings = lab.check_pass(batch, path)
    assert problems == [] and warnings == []
    assert second == 68 and text[68:77] == "Thank you" and text[25:44] == "I have passed it on"
    assert spans == {"sumo:1": [  # sorted by start
        {"cue": "courtesy", "start": 0, "end": 9},
        {"cue": "action_taken", "start": 25, "end": 44},
        {"cue": "courtesy", "start": 68, "end": 77}]}
    # a spans file reads back to the same spans
    lab.write_spans(batch, spans, tmp_path / "s.jsonl")
    assert lab.read_pass(batch, tmp_path / "s.jsonl") == spans


BAD_LINES = [
    ("{not json", "not JSON"),
    ('{"id": "ibm:nope", "cues": []}', "id 'ibm:nope' is not in the batch"),
    ('{"id": "ibm:s1:1", "cues": []}', "ibm:s1:1: the turn already has a line"),
    ('{"id": "twcs:100", "cues": "courtesy"}', "cues must be a list"),
    ('{"id": "twcs:100", "cues": [{"cue": "politeness", "quote": "Please"}]}',
     "unknown cue 'politeness'"),
    ('{"id": "twcs:100", "cues": [{"cue": "courtesy", "quote": "  "}]}', "empty quote"),
    ('{"id": "twcs:100", "cues": [{"cue": "courtesy", "quote": "please"}]}',
     "quote 'please' (occurrence 1) not in the text"),
    ('{"id": "twcs:100", "cues": [{"cue": "courtesy", "quote": "Please", "nth": 2}]}',
     "quote 'Please' (occurrence 2) occurs only 1 time(s) in the text"),
    ('{"id": "twcs:100", "cues": [{"cue": "courtesy", "quote": "Please", "nth": 0}]}',
     "nth must be a whole number from 1"),
    ('{"id": "twcs:100", "cues": [{"cue": "courtesy"}]}', "a cue needs a quote"),
    ('{"id": "twcs:100", "cues": [{"cue": "courtesy", "start": 0, "end": 999}]}',
     "span 0-999 is not inside the text"),
    ('{"id": "twcs:100", "cues": [{"cue": "courtesy", "quote": "Please"}, '
     '{"cue": "courtesy", "start": 0, "end": 6}]}', "courtesy at 0-6 is given twice"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_check_refuses_each_problem_naming_file_and_line(
        lab: ModuleType, tmp_path: Path, line: str, message: str) -> None:
    # line 1 is fine; the bad line is line 3 (after a blank line, still counted)
    path = tmp_path / "b01_A.jsonl"
    path.write_text('{"id": "ibm:s1:1", "cues": []}\n\n' + line + "\n", encoding="utf-8")
    batch = TURNS[:1] + TURNS[2:3]
    _, problems, _ = lab.check_pass(batch, path)
    assert any(p.startswith(f"{path}:3: ") and message in p for p in problems), problems
    with pytest.raises(lab.LabellingError):
        lab.read_pass(batch, path)


def test_check_refuses_missing_turns_and_warns_on_the_wrong_role(lab: ModuleType,
                                                                 tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "ibm:s1:2", "cues": [q("courtesy", "I already told you")]}])
    spans, problems, warnings = lab.check_pass(TURNS, path)
    assert problems == [f"{path}: 3 turn(s) of the batch have no line, "
                        "e.g. ['ibm:s1:1', 'twcs:100', 'twcs:200']"]
    assert warnings == [f"{path}:1: ibm:s1:2: courtesy is an agent cue on a customer turn; "
                        "it will be dropped before matching"]
    assert spans == {"ibm:s1:2": [{"cue": "courtesy", "start": 0, "end": 18}]}


def test_batch_with_a_repeated_id_is_refused(lab: ModuleType, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "batch_01.jsonl", [TURNS[0], TURNS[0]])
    with pytest.raises(lab.LabellingError, match=r"batch_01.jsonl:2: ibm:s1:1: the id appears"):
        lab.read_batch(path)


# ------------------------------------------------------------------ compare
def test_match_needs_the_same_cue_and_overlap(lab: ModuleType) -> None:
    a = [{"cue": "courtesy", "start": 0, "end": 6}, {"cue": "apology", "start": 10, "end": 20}]
    b = [{"cue": "apology", "start": 0, "end": 6},  # overlaps a[0], other cue
         {"cue": "apology", "start": 20, "end": 30},  # touches a[1] only at its end
         {"cue": "courtesy", "start": 5, "end": 9}]  # overlaps a[0] by one character
    assert lab.match(a, b) == ([(0, 2)], [1], [0, 1])


def test_compare_gives_the_hand_worked_agreement_and_worklist(lab: ModuleType,
                                                             tmp_path: Path) -> None:
    paths = make_round(lab, tmp_path)
    batch = lab.read_batch(paths["batches"] / "batch_01.jsonl")
    tally, work = lab.compare(batch, lab.read_pass(batch, paths["passes"] / "b01_A.jsonl"),
                              lab.read_pass(batch, paths["passes"] / "b01_B.jsonl"))
    # batch 01: A has 5 + 2 = 7 cues, B 5 + 1 = 6; agreed 4 on T1 and 1 on T2
    assert (tally.turns, tally.in_a, tally.in_b, tally.agreed) == (2, 7, 6, 5)
    assert tally.micro_f1 == round(10 / 13, 3) == 0.769
    assert (tally.disagreements, tally.turns_with_disagreement) == (3, 2)
    per = tally.per_cue()
    assert per["courtesy"] | {"resolution": None} == {
        "in_A": 2, "in_B": 2, "agreed": 2, "f1": 1.0, "kappa_turn": 1.0, "turns_A": 1,
        "turns_B": 1, "turns_both": 1, "resolution": None}
    # unresolved: A on T2 only; presence A = [no, yes], B = [no, no]: po 1/2, pe 1/2, kappa 0
    assert per["unresolved"]["f1"] == 0.0 and per["unresolved"]["kappa_turn"] == 0.0
    assert work == [
        {"id": "ibm:s1:1", "role": "agent", "text": T1,
         "agreed": [{"cue": "greeting", "quote": "Hi Dana"},
                    {"cue": "courtesy", "quote": "thanks"},
                    {"cue": "apology", "quote": "I'm sorry the parcel is late"},
                    {"cue": "courtesy", "quote": "Thanks"}],
         "disputed": [{"k": "A3", "cue": "action_taken", "quote": "I have reissued the order"},
                      {"k": "B3", "cue": "hedge", "quote": "should"}]},
        {"id": "ibm:s1:2", "role": "customer", "text": T2,
         "agreed": [{"cue": "repeat_request", "quote": "I already told you twice"}],
         "disputed": [{"k": "A1", "cue": "unresolved", "quote": "it still isn't fixed"}]}]


def test_compare_trims_white_space_and_drops_cues_of_the_other_role(lab: ModuleType) -> None:
    turn = TURNS[1]  # customer
    assert T2[60:85] == " and it still isn't fixed" and T2[60:61] == " "
    stats: dict[str, int] = {}
    got = lab.clean(turn, [{"cue": "unresolved", "start": 60, "end": 85},
                           {"cue": "courtesy", "start": 0, "end": 9},
                           {"cue": "chasing", "start": 60, "end": 61}], stats)
    # the leading space is trimmed, the span of a lone space dropped, courtesy (agent) too
    assert got == [{"cue": "unresolved", "start": 61, "end": 85}]
    assert stats == {"role_dropped": 1}


# ------------------------------------------------------------------ merge
def test_merge_writes_the_labels_and_the_agreement(lab: ModuleType, tmp_path: Path) -> None:
    paths = make_round(lab, tmp_path)
    agreement = run_merge(lab, paths)
    labels = [json.loads(line) for line in
              (paths["out"] / "labels9.jsonl").read_text("utf-8").splitlines()]
    assert json.loads((paths["out"] / "agreement9.json").read_text("utf-8")) == agreement
    assert [r["id"] for r in labels] == POOL_ORDER
    assert all(list(r) == ["id", "source", "role", "conversation", "sha256_16", "cues"]
               for r in labels)
    by_id = {r["id"]: r["cues"] for r in labels}
    # agreed cues keep the shorter span; kept single-side cues and the added one join
    assert by_id["ibm:s1:1"] == sorted([
        span(T1, "greeting", "Hi Dana"), span(T1, "courtesy", "thanks"),
        span(T1, "apology", "I'm sorry"), span(T1, "action_taken", "I have reissued the order"),
        span(T1, "next_steps", "it should arrive on Friday"), span(T1, "courtesy", "Thanks")],
        key=lambda s: (s["start"], s["end"], s["cue"]))
    assert by_id["ibm:s1:2"] == [span(T2, "repeat_request", "told you twice"),
                                 span(T2, "unresolved", "it still isn't fixed")]
    assert by_id["twcs:100"] == [span(T3, "courtesy", "Please"), span(
        T3, "anything_else", "Is there anything else we can help with")]
    assert by_id["twcs:200"] == [span(T4, "bad_news", "We cannot refund a ticket"),
                                 span(T4, "explanation", "because the fare is non-refundable")]
    # whole round: A 10, B 10, agreed 8 -> F1 0.8; 4 disputed cues on 3 turns
    assert {k: v for k, v in agreement.items() if k not in ("matching", "per_cue")} == {
        "batches": ["01", "02"], "turns": 4, "turns_with_disagreement": 3,
        "disagreements": 4, "micro_f1": 0.8, "cues_in_A": 10, "cues_in_B": 10,
        "cues_agreed": 8,
        "resolved": {"for_A": 3, "for_B": 1, "A_only_kept": 2, "A_only_dropped": 0,
                     "B_only_kept": 1, "B_only_dropped": 1, "added_by_adjudicator": 1},
        "dropped_for_role": 0}
    per = agreement["per_cue"]
    assert list(per) == sorted(["greeting", "courtesy", "apology", "action_taken", "hedge",
                                "repeat_request", "unresolved", "anything_else", "bad_news",
                                "explanation"])  # cues of either pass; not the added one
    # hedge: B only, on T1; presence over 4 turns B = [1, 0, 0, 0], A none: kappa 0
    assert per["hedge"] == {"in_A": 0, "in_B": 1, "agreed": 0, "f1": 0.0, "kappa_turn": 0.0,
                            "turns_A": 0, "turns_B": 1, "turns_both": 0,
                            "resolution": {"B_only_dropped": 1, "for_A": 1}}
    assert per["courtesy"]["in_A"] == per["courtesy"]["agreed"] == 3
    assert per["courtesy"]["turns_both"] == 2 and per["courtesy"]["kappa_turn"] == 1.0
    assert per["action_taken"]["resolution"] == {"A_only_kept": 1, "for_A": 1}
    assert per["explanation"]["resolution"] == {"B_only_kept": 1, "for_B": 1}
    assert_agreement_relations(agreement)
    res = agreement["resolved"]
    assert sum(len(c) for c in by_id.values()) == (
        agreement["cues_agreed"] + res["A_only_kept"] + res["B_only_kept"]
        + res["added_by_adjudicator"]) == 12


def assert_agreement_relations(agreement: dict[str, Any]) -> None:
    """What holds between the figures of any ``agreement<N>.json`` the merge writes."""
    per, res = agreement["per_cue"], agreement["resolved"]
    assert list(per) == sorted(per)
    for side in "AB":
        assert sum(p[f"in_{side}"] for p in per.values()) == agreement[f"cues_in_{side}"]
    assert sum(p["agreed"] for p in per.values()) == agreement["cues_agreed"]
    assert agreement["micro_f1"] == round(
        2 * agreement["cues_agreed"] / (agreement["cues_in_A"] + agreement["cues_in_B"]), 3)
    assert agreement["disagreements"] == (agreement["cues_in_A"] + agreement["cues_in_B"]
                                          - 2 * agreement["cues_agreed"])
    assert res["for_A"] + res["for_B"] == agreement["disagreements"]
    assert res["for_A"] == res["A_only_kept"] + res["B_only_dropped"]
    assert res["for_B"] == res["B_only_kept"] + res["A_only_dropped"]
    assert (res["A_only_kept"] + res["A_only_dropped"]
            == agreement["cues_in_A"] - agreement["cues_agreed"])
    assert (res["B_only_kept"] + res["B_only_dropped"]
            == agreement["cues_in_B"] - agreement["cues_agreed"])
    assert agreement["turns_with_disagreement"] <= min(agreement["turns"],
                                                       agreement["disagreements"])
    for k in ("for_A", "for_B", "A_only_kept", "A_only_dropped", "B_only_kept",
              "B_only_dropped"):
        assert sum(p["resolution"].get(k, 0) for p in per.values()) == res[k], k
    for cue, p in per.items():
        assert p["f1"] == round(2 * p["agreed"] / (p["in_A"] + p["in_B"]), 3), cue
        assert p["agreed"] <= min(p["in_A"], p["in_B"]), cue
        assert p["turns_both"] <= min(p["turns_A"], p["turns_B"]), cue
        assert p["turns_A"] <= p["in_A"] and p["turns_B"] <= p["in_B"], cue
        assert -1.0 <= p["kappa_turn"] <= 1.0, cue
        assert sum(v for k, v in p["resolution"].items() if k.startswith("for_")) == (
            p["in_A"] + p["in_B"] - 2 * p["agreed"]), cue


def _refusal(lab: ModuleType, paths: dict[str, Path]) -> list[str]:
    with pytest.raises(lab.LabellingError) as info:
        run_merge(lab, paths)
    assert not paths["out"].exists()  # nothing written
    return list(info.value.problems)


def test_merge_refuses_a_turn_without_a_decision(lab: ModuleType, tmp_path: Path) -> None:
    paths = make_round(lab, tmp_path, decisions={"01": DECISIONS["01"][:1],
                                                 "02": DECISIONS["02"]})
    assert _refusal(lab, paths) == [
        f"{paths['adj'] / 'decisions_b01.jsonl'}: no decision for ibm:s1:2, which has "
        "1 disputed cue(s)"]


def test_merge_refuses_a_missing_decisions_file(lab: ModuleType, tmp_path: Path) -> None:
    paths = make_round(lab, tmp_path, decisions={"01": DECISIONS["01"]})
    assert _refusal(lab, paths) == [
        f"{paths['adj'] / 'decisions_b02.jsonl'}: no decision for twcs:200, which has "
        "1 disputed cue(s)"]


def test_merge_refuses_bad_decisions(lab: ModuleType, tmp_path: Path) -> None:
    bad = [{"id": "ibm:s1:1", "decisions": [{"k": "A3", "keep": True}, {"k": "A9", "keep": True}],
            "add": [q("next_steps", "it will arrive on Monday"), q("unresolved", "late")]},
           {"id": "ibm:s1:2", "decisions": [{"k": "A1", "keep": "yes"}]},
           {"id": "twcs:100", "decisions": []}]
    paths = make_round(lab, tmp_path, decisions={"01": bad, "02": DECISIONS["02"]})
    f = paths["adj"] / "decisions_b01.jsonl"
    assert _refusal(lab, paths) == [
        f"{f}:1: ibm:s1:1: decision A9 is not a disputed cue of the turn "
        "(disputed: ['A3', 'B3'])",
        f"{f}:1: ibm:s1:1: no decision for B3 (hedge)",
        f"{f}:1: ibm:s1:1: add: next_steps: quote 'it will arrive on Monday' (occurrence 1) "
        "not in the text",
        f"{f}:1: ibm:s1:1: add: unresolved is a customer cue on an agent turn; an added cue "
        "must fit the turn's role",
        f"{f}:2: ibm:s1:2: a decision needs k and keep (true or false): "
        "{'k': 'A1', 'keep': 'yes'}",
        f"{f}:2: ibm:s1:2: no decision for A1 (unresolved)",
        f"{f}:3: twcs:100: a decision for a turn that is not on the worklist (no "
        "disagreement, or not in the batch)"]


def test_merge_refuses_a_pool_that_does_not_match(lab: ModuleType, tmp_path: Path) -> None:
    paths = make_round(lab, tmp_path)
    pool = [json.loads(line) for line in paths["pool"].read_text("utf-8").splitlines()]
    pool[1]["sha256"] = "0" * 16
    write_jsonl(paths["pool"], [*pool[:-1], {**pool[-1], "id": "ibm:s1:3"}])
    problems = _refusal(lab, paths)
    assert problems == [
        f"{paths['pool']}: ibm:s1:1: the batch's text or role is not the pool's (sha256 or "
        "role differ)",
        f"{paths['pool']}: 'ibm:s1:3' is in no batch",
        f"{paths['pool']}: 1 batch turn(s) are not in the pool, e.g. ['ibm:s1:2']"]


def test_merge_refuses_a_pass_that_does_not_check(lab: ModuleType, tmp_path: Path) -> None:
    paths = make_round(lab, tmp_path, b={**PASS_B, "twcs:100": [q("courtesy", "please")]})
    (problem,) = _refusal(lab, paths)
    assert problem.startswith(f"{paths['passes'] / 'b02_B.jsonl'}:1: twcs:100: courtesy: "
                              "quote 'please'")


# ------------------------------------------------------------------ command line
def test_cli_runs_a_round_in_order_with_exit_codes(lab: ModuleType, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_round(lab, tmp_path)
    for name in BATCHES:
        batch = str(paths["batches"] / f"batch_{name}.jsonl")
        spans = {}
        for side in "AB":
            spans[side] = str(paths["passes"] / f"b{name}_{side}.spans.jsonl")
            assert lab.main(["check", batch, str(paths["passes"] / f"b{name}_{side}.jsonl"),
                             "--write", spans[side]]) == 0
        assert lab.main(["compare", batch, spans["A"], spans["B"],
                         "--out", str(paths["adj"] / f"worklist_b{name}.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "2 turns; pass A 7 cues, pass B 6, 5 agreed: micro F1 0.769" in out
    assert "2 turns; pass A 3 cues, pass B 4, 3 agreed: micro F1 0.857" in out
    worklist = (paths["adj"] / "worklist_b02.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(w)["id"] for w in worklist] == ["twcs:200"]
    merge = ["merge", "--round", "9", "--pool", str(paths["pool"]), "--batches",
             str(paths["batches"]), "--passes", str(paths["passes"]), "--decisions",
             str(paths["adj"]), "--out", str(paths["out"])]
    assert lab.main(merge) == 0
    assert "4 turns, micro F1 0.800, 4 disagreement(s) resolved; 12 cues on 4 turns" in (
        capsys.readouterr().out)
    direct = run_merge(lab, {**paths, "out": tmp_path / "direct"})  # from the quote files
    assert (paths["out"] / "agreement9.json").read_text("utf-8") == (
        tmp_path / "direct" / "agreement9.json").read_text("utf-8")
    assert direct["micro_f1"] == 0.8
    # a missing decision: exit 1, the problem on stderr
    (paths["adj"] / "decisions_b02.jsonl").unlink()
    assert lab.main(merge) == 1
    assert "no decision for twcs:200" in capsys.readouterr().err


def test_cli_check_exits_1_and_writes_nothing_on_a_problem(
        lab: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_round(lab, tmp_path, a={**PASS_A, "twcs:100": [q("greting", "Please")]})
    spans = tmp_path / "b02_A.spans.jsonl"
    assert lab.main(["check", str(paths["batches"] / "batch_02.jsonl"),
                     str(paths["passes"] / "b02_A.jsonl"), "--write", str(spans)]) == 1
    err = capsys.readouterr().err
    assert f"{paths['passes'] / 'b02_A.jsonl'}:1: twcs:100: unknown cue 'greting'" in err
    assert not spans.exists()
    assert lab.main(["compare", str(paths["batches"] / "batch_02.jsonl"),
                     str(paths["passes"] / "b02_A.jsonl"), str(paths["passes"] / "b02_B.jsonl"),
                     "--out", str(tmp_path / "w.jsonl")]) == 1
    assert lab.main(["check", str(tmp_path / "absent.jsonl"),
                     str(paths["passes"] / "b02_A.jsonl")]) == 1
    with pytest.raises(SystemExit) as info:  # argparse: a usage error
        lab.main(["merge", "--round", "9"])
    assert info.value.code == 2


# ------------------------------------------------------------------ property
def _nth(text: str, quote: str, start: int) -> int:
    k, at = 0, -1
    while at != start:
        at = text.find(quote, at + 1)
        k += 1
    return k


@st.composite
def quoted_passes(draw: st.DrawFn) -> dict[str, list[tuple[str, int, int]]]:
    """For each turn, a few cues of its role on random spans with no white-space ends."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    for t in TURNS:
        text = t["text"]
        solid = [i for i, ch in enumerate(text) if not ch.isspace()]
        chosen: list[tuple[str, int, int]] = []
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.sampled_from(solid))
            last = draw(st.sampled_from([i for i in solid if i >= start][:40]))
            cue = draw(st.sampled_from(cues_for(t["role"])))
            if (cue, start, last + 1) not in chosen:
                chosen.append((cue, start, last + 1))
        out[t["id"]] = chosen
    return out


@settings(max_examples=30, deadline=None)
@given(chosen=quoted_passes())
def test_identical_passes_agree_fully_and_give_back_their_spans(
        lab: ModuleType, chosen: dict[str, list[tuple[str, int, int]]]) -> None:
    texts = {t["id"]: t["text"] for t in TURNS}
    quotes = {tid: [q(c, texts[tid][s:e], _nth(texts[tid], texts[tid][s:e], s))
                    for c, s, e in spans] for tid, spans in chosen.items()}
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_round(lab, Path(tmp), a=quotes, b=quotes, decisions={})
        for name in BATCHES:
            for side in "AB":
                assert lab.main(["check", str(paths["batches"] / f"batch_{name}.jsonl"),
                                 str(paths["passes"] / f"b{name}_{side}.jsonl"), "--write",
                                 str(paths["passes"] / f"b{name}_{side}.spans.jsonl")]) == 0
        agreement = lab.merge(9, paths["pool"], paths["batches"], paths["passes"],
                              paths["adj"], paths["out"])
        labels = [json.loads(line) for line in
                  (paths["out"] / "labels9.jsonl").read_text("utf-8").splitlines()]
    n = sum(len(v) for v in chosen.values())
    assert agreement["micro_f1"] == 1.0
    assert agreement["cues_in_A"] == agreement["cues_in_B"] == agreement["cues_agreed"] == n
    assert agreement["disagreements"] == 0
    assert all(p["kappa_turn"] == 1.0 for p in agreement["per_cue"].values())
    for r in labels:
        assert r["cues"] == [{"cue": c, "start": s, "end": e}
                             for s, e, c in sorted((s, e, c) for c, s, e in chosen[r["id"]])]


# ------------------------------------------------------------------ the committed round 3
def test_committed_agreement3_has_the_merges_layout_and_relations(lab: ModuleType,
                                                                  tmp_path: Path) -> None:
    committed = json.loads((CORPUS / "agreement3.json").read_text("utf-8"))
    ours = run_merge(lab, make_round(lab, tmp_path))
    assert list(committed) == list(ours)
    assert list(committed["resolved"]) == list(ours["resolved"]) == list(lab.RESOLUTION_KEYS)
    assert committed["matching"] == lab.MATCHING
    assert committed["batches"] == ["01", "02", "03"] and committed["turns"] == 600
    for p in committed["per_cue"].values():
        assert list(p) == list(ours["per_cue"]["courtesy"])
    assert_agreement_relations(committed)
    labels = [json.loads(line)
              for line in (CORPUS / "labels3.jsonl").read_text("utf-8").splitlines()]
    assert len(labels) == committed["turns"]
    assert all(list(r) == ["id", "source", "role", "conversation", "sha256_16", "cues"]
               for r in labels)
    res = committed["resolved"]
    assert sum(len(r["cues"]) for r in labels) == (
        committed["cues_agreed"] + res["A_only_kept"] + res["B_only_kept"]
        + res["added_by_adjudicator"]) == 919


def test_text_hash_is_the_pools(lab: ModuleType) -> None:
    cc = load_benchmark("cue_corpus")
    assert all(lab.text_hash(t["text"]) == cc.text_hash(t["text"]) for t in TURNS)


def test_docstring_examples(lab: ModuleType) -> None:
    result = doctest.testmod(lab, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0

"""The batch engine: parts of whole cases, resume, failing parts, equality with sa.score."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import serviceart as sa
from serviceart.run.batch import _extract, _part_evidence, run_batch
from serviceart.run.chunk import evidence_for
from serviceart.run.faults import Faults
from serviceart.run.settings import ScoreSettings
from serviceart.run.spill import spill, spill_file

pytestmark = pytest.mark.slow


def _key(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return frame.sort_values(cols).reset_index(drop=True)


def _same(a: sa.Result, b: sa.Result) -> None:
    pd.testing.assert_frame_equal(_key(a.scores, ["interaction_id"]),
                                  _key(b.scores, ["interaction_id"]), check_dtype=False)
    ma, mb = _key(a.measures, ["interaction_id"]), _key(b.measures, ["interaction_id"])
    pd.testing.assert_frame_equal(ma[mb.columns], mb, check_dtype=False)
    cols = ["interaction_id", "turn_index", "cue", "start_char"]
    pd.testing.assert_frame_equal(_key(a.evidence, cols), _key(b.evidence, cols),
                                  check_dtype=False, check_categorical=False)
    pd.testing.assert_frame_equal(_key(a.promises, ["promise_id"]),
                                  _key(b.promises, ["promise_id"]), check_dtype=False)


@pytest.fixture(scope="module")
def reference(samples_dir):
    return sa.score(sa.read(samples_dir))


def _hold_reading(parent: Path, *, chunks: int | None = None,
                  skip: frozenset[int] = frozenset()) -> Callable[[int], None]:
    """A ``reading`` callback that holds the reader after each chunk until the workers
    have written the evidence of every chunk spilled so far (of the first ``chunks``
    only, when given; never of those in ``skip``), so that evidence is extracted while
    the input is still being read whatever the speed of the machine."""
    def reading(_turns: int) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            files = sorted(f for folder in parent.glob(".run.spill-*")
                           for f in folder.glob("*-interactions.arrow"))
            wanted = [f for f in files[:chunks] if int(f.name[:6]) not in skip
                      and len(pd.read_feather(f))]  # a chunk without interactions has none
            if all(f.with_name(f.name.replace("interactions", "evidence")).exists()
                   for f in wanted):
                return
            time.sleep(0.02)
        raise AssertionError("the workers wrote no evidence while the input was read")
    return reading


def test_batch_equals_score_with_two_workers(samples_dir, reference, tmp_path):
    s = run_batch(samples_dir, tmp_path / "run", jobs=2, chunk_size=3,
                  reading=_hold_reading(tmp_path))
    assert (s.interactions_in, s.scored, s.rejected) == (13, 13, 0)
    assert s.parts >= 4 and s.parts_failed == 0 and s.peak_rss_mb > 0
    res = sa.Result.from_parquet(tmp_path / "run")
    _same(res, reference)
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["counts"]["interactions_in"] == info["counts"]["scored"] + \
        info["counts"]["rejected"]
    assert info["machine"]["cores"] >= 1 and info["words_per_second"] > 0
    # a fresh run extracts every chunk's evidence while the input is still being read
    chunks = sum(1 for c in sa.stream(samples_dir, chunk_size=3) if len(c.interactions))
    assert info["evidence_extracted_while_reading"] == chunks > 1
    assert info["index_seconds"] + info["scoring_seconds"] <= info["seconds"]


def test_resume_after_an_interruption_scores_only_missing_parts(samples_dir, reference,
                                                                 tmp_path):
    out = tmp_path / "run"
    first = run_batch(samples_dir, out, jobs=1, chunk_size=3, reading=_hold_reading(tmp_path))
    markers = sorted((out / "parts").glob("part-*.json"))
    # a kill at 50%: the later parts never got their marker (a table may be half there)
    lost = markers[len(markers) // 2:]
    for m in lost:
        m.unlink()
    (out / "scores" / f"{lost[0].stem}.parquet").unlink()
    kept = {m.name: m.read_text() for m in markers[:len(markers) // 2]}
    second = run_batch(samples_dir, out, jobs=1, chunk_size=3)
    assert second.parts_skipped == len(kept) and second.parts == first.parts
    # a resumed run extracts evidence only with the parts it scores
    assert first.info["evidence_extracted_while_reading"] > 0
    assert second.info["evidence_extracted_while_reading"] == 0
    for name, text in kept.items():  # finished parts were not scored again
        assert (out / "parts" / name).read_text() == text
    _same(sa.Result.from_parquet(out), reference)


def test_a_failing_part_becomes_rejects_and_counts_add_up(samples_dir, tmp_path):
    s = run_batch(samples_dir, tmp_path / "run", jobs=1, chunk_size=3, _faults=Faults(part=1))
    assert s.parts_failed == 1 and s.scored + s.rejected == s.interactions_in == 13
    res = sa.Result.from_parquet(tmp_path / "run")
    failed = res.rejects[res.rejects["code"] == "scoring_failed"]
    assert len(failed) == s.rejected > 0
    assert failed["reason"].str.contains("simulated failure in part 1").all()
    assert set(failed["interaction_id"]).isdisjoint(res.scores["interaction_id"])
    assert len(res.scores) + failed["interaction_id"].nunique() == 13


def test_a_failed_evidence_extraction_is_redone_with_its_part(samples_dir, reference,
                                                              tmp_path):
    # evidence extracted while reading is a cache: a chunk whose extraction failed
    # has its evidence extracted with the part that scores it, and nothing is lost
    s = run_batch(samples_dir, tmp_path / "run", jobs=2, chunk_size=3, _faults=Faults(extract=1),
                  reading=_hold_reading(tmp_path, skip=frozenset({1})))
    assert (s.scored, s.rejected, s.parts_failed) == (13, 0, 0)
    chunks = sum(1 for c in sa.stream(samples_dir, chunk_size=3) if len(c.interactions))
    assert s.info["evidence_extracted_while_reading"] == chunks - 1
    assert not list(tmp_path.glob(".run.spill-*"))  # the spill folder is removed
    _same(sa.Result.from_parquet(tmp_path / "run"), reference)


def test_reader_rejects_are_kept_and_counted(tmp_path, samples_dir):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(samples_dir / "calls.csv", src / "calls.csv")
    (src / "bad.jsonl").write_text('{"interaction_id": "z", "role": "robot", "text": "hi"}\n'
                                   'not json\n')
    s = run_batch(src, tmp_path / "run", jobs=1)
    res = sa.Result.from_parquet(tmp_path / "run")
    assert s.interactions_in == 6 and s.scored == 5 and s.rejected == 1
    assert {"unknown_role", "malformed_line"} <= set(res.rejects["code"])


def test_cases_are_linked_across_files_before_parts_are_cut(tmp_path):
    # one customer's two chats sit in two files; they must be one case in one part
    src = tmp_path / "in"
    src.mkdir()
    rows = [("c1", "customer", "Hi, my router is broken.", "2026-03-02T09:00Z"),
            ("c1", "agent", "Sorry! I'll call you back tomorrow before noon.",
             "2026-03-02T09:01Z")]
    later = [("c2", "customer", "Nobody called me back.", "2026-03-03T15:00Z"),
             ("c2", "agent", "I'm sorry about that.", "2026-03-03T15:01Z")]
    for name, part in (("a.csv", rows), ("b.csv", later)):
        pd.DataFrame([{"interaction_id": i, "role": r, "text": t, "timestamp": ts,
                       "customer_id": "u1", "channel": "chat"} for i, r, t, ts in part]
                     ).to_csv(src / name, index=False)
    filler = pd.DataFrame([{"interaction_id": f"f{k}", "role": "customer", "text": "hello",
                            "timestamp": "2026-03-02T10:00Z", "customer_id": f"x{k}",
                            "channel": "chat"} for k in range(6)])
    filler.to_csv(src / "a2.csv", index=False)
    run_batch(src, tmp_path / "run", jobs=1, chunk_size=2)
    res = sa.Result.from_parquet(tmp_path / "run")
    ref = sa.score(sa.read(src))
    _same(res, ref)
    p = res.promises.set_index("interaction_id")
    assert p.loc["c1", "status"] == "broken" and p.loc["c1", "chased"] == 1
    cases = res.interactions.set_index("interaction_id")["case_id"]
    assert cases["c1"] == cases["c2"] == "case-c1"


def test_a_different_run_in_the_same_folder_is_refused(samples_dir, tmp_path):
    out = tmp_path / "run"
    run_batch(samples_dir / "chats.jsonl", out, jobs=1)
    with pytest.raises(sa.ConfigError, match="different input or settings"):
        run_batch(samples_dir / "chats.jsonl", out, jobs=1, sla_s=60)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("not a run")
    with pytest.raises(sa.ConfigError, match="not empty"):
        run_batch(samples_dir / "chats.jsonl", other, jobs=1)


def test_batch_equals_score_on_real_threads_with_cases_across_chunks(shared_data, tmp_path):
    # 1,312 Twitter support threads; a customer's threads within 7 days are one
    # case, and small chunks put many cases across chunk boundaries: evidence
    # extracted per chunk while reading, parts cut from whole cases, same result
    path = shared_data / "twcs" / "twcs.csv"
    chunks = list(sa.stream(path, chunk_size=60))
    s = run_batch(path, tmp_path / "run", jobs=2, chunk_size=60, reading=_hold_reading(tmp_path))
    ref = sa.score(sa.read(path))
    res = sa.Result.from_parquet(tmp_path / "run")
    assert (s.interactions_in, s.scored + s.out_of_scope, s.rejected) == (1312, 1312, 0)
    assert s.out_of_scope == s.non_service > 0  # praise and banter threads
    assert s.info["evidence_extracted_while_reading"] == len(chunks) > 10
    chunk_of = {i: k for k, c in enumerate(chunks) for i in c.interactions["interaction_id"]}
    spread = ref.interactions.assign(chunk=ref.interactions["interaction_id"].map(chunk_of)
                                     ).groupby("case_id")["chunk"].nunique()
    assert (spread > 1).sum() >= 5  # cases whose contacts sit in different chunks
    _same(res, ref)
    # whole cases per part: parts hold about 60 interactions, the last one is cut in
    # halves (so the workers finish together); only a bigger case exceeds that
    markers = sorted((json.loads(p.read_text()) for p in (tmp_path / "run" / "parts").glob(
        "*.json")), key=lambda m: m["part"])
    sizes = [m["interactions"] for m in markers]
    biggest_case = int(ref.interactions.groupby("case_id").size().max())
    assert sum(sizes) == 1312
    assert all(n <= max(60, biggest_case) for n in sizes)
    assert sizes[-1] <= max(30, biggest_case) and min(sizes[:-3]) > 30
    assert len(markers) == s.parts
    part_of = {iid: m["part"] for m in markers for iid in pd.read_parquet(
        tmp_path / "run" / "interactions" / f"part-{m['part']:05d}.parquet")["interaction_id"]}
    parts_per_case = ref.interactions.assign(
        part=ref.interactions["interaction_id"].map(part_of)).groupby("case_id")["part"]
    assert parts_per_case.nunique().eq(1).all()


def test_workers_allocate_arrow_memory_with_malloc(samples_dir, tmp_path):
    # the workers' Arrow pool is the system allocator (with mimalloc a worker's peak was
    # ~100 MB higher on 20,000 chats); each part's marker names its worker's pool
    s = run_batch(samples_dir, tmp_path / "run", jobs=1, chunk_size=5)
    markers = [json.loads(p.read_text()) for p in (tmp_path / "run" / "parts").glob("*.json")]
    assert s.scored == 13 and {m["arrow_pool"] for m in markers} == {"system"}


def test_parts_go_out_while_evidence_is_still_being_extracted(samples_dir, reference,
                                                              tmp_path):
    # the reader waits only for the first chunk's evidence: when the input is read,
    # extractions that have not started are dropped and their parts extract that
    # evidence themselves, those under way finish first; the tables are the same
    chunks = sum(1 for c in sa.stream(samples_dir, chunk_size=3) if len(c.interactions))
    s = run_batch(samples_dir, tmp_path / "run", jobs=2, chunk_size=3,
                  reading=_hold_reading(tmp_path, chunks=1))
    assert (s.interactions_in, s.scored, s.rejected, s.parts_failed) == (13, 13, 0, 0)
    assert 1 <= s.info["evidence_extracted_while_reading"] <= chunks
    _same(sa.Result.from_parquet(tmp_path / "run"), reference)
    # nothing waits for the workers when the input is read at once: same tables
    s = run_batch(samples_dir, tmp_path / "fast", jobs=2, chunk_size=3)
    assert (s.scored, s.rejected, s.parts_failed) == (13, 0, 0)
    _same(sa.Result.from_parquet(tmp_path / "fast"), reference)


def test_a_part_mixes_extracted_and_new_evidence_in_input_order(samples_dir, tmp_path):
    # a part over two chunks, one extracted while reading and one not: its evidence
    # is the same table, rows in the same order, as when extracted in one go
    conv = sa.read(samples_dir / "chats.jsonl")
    turns, inter = conv.turns, conv.interactions
    ids = inter["interaction_id"].astype(str)
    halves = [ids.iloc[: len(ids) // 2], ids.iloc[len(ids) // 2:]]
    for k, half in enumerate(halves):
        spill(turns[turns["interaction_id"].astype(str).isin(half)],
              spill_file(tmp_path, k, "turns"))
        spill(inter[ids.isin(half)], spill_file(tmp_path, k, "interactions"))
    settings = ScoreSettings()
    _extract(0, str(tmp_path), settings)
    part = pd.concat([halves[0].iloc[1:], halves[1].iloc[:-1]], ignore_index=True)
    mixed = _part_evidence(tmp_path, [0, 1], {0}, part, settings)
    whole = evidence_for(turns[turns["interaction_id"].astype(str).isin(part)].reset_index(
        drop=True), inter[ids.isin(part)].reset_index(drop=True), settings)
    assert mixed is not None and len(mixed) > 0
    assert set(mixed["interaction_id"].astype(str)) == set(part) & set(whole["interaction_id"])
    pd.testing.assert_frame_equal(mixed, whole[mixed.columns], check_dtype=False,
                                  check_categorical=False)
    assert _part_evidence(tmp_path, [0, 1], set(), part, settings) is None


def test_a_failure_while_reading_stops_the_run_and_a_rerun_finishes_it(samples_dir,
                                                                       reference, tmp_path):
    # the reader fails after a few chunks, while the workers extract evidence: the
    # error reaches the caller, the workers stop, the spill folder goes, the folder
    # is free for the same command, which scores everything
    calls: list[int] = []

    def reading(turns: int) -> None:
        _hold_reading(tmp_path)(turns)
        calls.append(turns)
        if len(calls) == 3:
            raise OSError("the input disk went away")

    with pytest.raises(OSError, match="input disk went away"):
        run_batch(samples_dir, tmp_path / "run", jobs=2, chunk_size=3, reading=reading)
    assert not list(tmp_path.glob(".run.spill-*"))
    s = run_batch(samples_dir, tmp_path / "run", jobs=2, chunk_size=3)
    assert (s.interactions_in, s.scored, s.rejected) == (13, 13, 0)
    _same(sa.Result.from_parquet(tmp_path / "run"), reference)


def test_the_parent_process_does_not_import_spacy(samples_dir, tmp_path):
    # only the workers need the cue pipeline: the parent reads, plans and checks, and
    # importing spaCy there cost each run about a second of CPU beside the workers
    code = ("import sys\nfrom serviceart.run.batch import run_batch\n"
            f"s = run_batch({str(samples_dir)!r}, {str(tmp_path / 'run')!r}, jobs=2, "
            "chunk_size=5)\nprint(s.scored, 'spacy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["13", "False"]

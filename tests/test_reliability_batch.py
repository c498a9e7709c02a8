"""Fault injection on the batch engine: kills, damaged parts and markers, full disks,
read-only folders, two runs at once, hostile run.json paths.

After every fault, a run that completes must hold every input interaction in
``scores`` or ``rejects`` exactly once, with ``run.json``'s counts equal to its
tables (:func:`serviceart.testing.faults.check_run`); a run that cannot complete
must say why with a serviceart error, never succeed with wrong counts. Totals
of the faults injected are printed at the end of the module (``-s``).
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app
from serviceart.run import store as _runfolder
from serviceart.run.batch import run_batch
from serviceart.run.faults import Faults
from serviceart.testing.faults import (
    Damage,
    FaultUnavailable,
    check_run,
    corrupt_file,
    damage_plans,
    kill_when,
    read_only_folder,
    small_tmpfs,
    start_score,
    tagged_processes,
    truncate_file,
    wait_for,
    write_chats,
)
from serviceart.views.report import write_report

pytestmark = pytest.mark.slow  # runs of the batch engine: seconds each

LINUX = sys.platform.startswith("linux")
TALLY = {"faults": 0, "crashes": 0, "lost": 0}


def _tally(faults: int, check: object) -> None:
    TALLY["faults"] += faults
    TALLY["lost"] += getattr(check, "lost", 0)


@pytest.fixture(scope="module", autouse=True)
def _report_tally():
    yield
    print(f"\nfault injection: {TALLY['faults']} faults injected, {TALLY['crashes']} "
          f"crashes (tracebacks), {TALLY['lost']} interactions lost")
    assert TALLY["lost"] == 0 and TALLY["crashes"] == 0


@pytest.fixture(scope="module")
def chats(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("input")
    ids = write_chats(folder / "chats.csv", 400, seed=16)
    return folder / "chats.csv", ids


@pytest.fixture(scope="module")
def finished(chats, tmp_path_factory) -> Path:
    """A finished run of the chats (8 parts), to copy and damage."""
    out = tmp_path_factory.mktemp("finished") / "run"
    s = run_batch(chats[0], out, jobs=1, chunk_size=60)
    assert s.parts >= 6 and s.parts_failed == 0
    check_run(out, chats[1])
    return out


def _copy(run: Path, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(run, out)
    return out


def _no_crash(proc: subprocess.CompletedProcess[str] | tuple[int, str]) -> None:
    text = proc[1] if isinstance(proc, tuple) else proc.stderr
    if "Traceback" in text:
        TALLY["crashes"] += 1
    assert "Traceback" not in text, text


# ----------------------------------------------------------------- kills
@pytest.mark.skipif(not LINUX, reason="reads /proc to find the run's processes")
def test_killed_runs_leave_no_process_or_spill_and_resume_without_loss(chats, tmp_path):
    # the command is stopped three times at random points: SIGKILL during the index
    # pass, SIGTERM and SIGKILL after a random number of parts (a second run into the
    # folder is refused meanwhile), resuming each time; then the run finishes
    path, ids = chats
    out = tmp_path / "run"
    args = ("--jobs", "2", "--chunk-size", "40")
    rng = random.Random(int(os.environ.get("SERVICEART_FAULT_SEED", "16")))
    for sig, at in ((signal.SIGKILL, 0), (signal.SIGTERM, rng.randint(1, 3)),
                    (signal.SIGKILL, rng.randint(4, 7))):
        proc, tag = start_score([path], out, *args)
        try:
            if at >= 4:  # while it runs, a second run into the same folder is refused
                lock = out / _runfolder.LOCK_NAME
                assert wait_for(lambda p=proc, f=lock: f.read_text() == str(p.pid), 120)
                TALLY["faults"] += 1
                with pytest.raises(sa.OutputError, match=rf"another serviceart run "
                                                         rf"\(process {proc.pid}\)"):
                    run_batch(path, out, jobs=1, chunk_size=40)
            kill_when(proc, out, at, sig=sig)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        TALLY["faults"] += 1
        if sig == signal.SIGTERM:  # stopped as by Ctrl-C: a message, no traceback
            assert proc.returncode == 130, proc.returncode
            assert not list(tmp_path.glob(".run.spill-*"))
        # the fork server, the workers and the resource tracker die with the command
        assert wait_for(lambda tag=tag: not tagged_processes(tag), 5.0), (
            f"orphans after {sig.name} at {at} parts: {tagged_processes(tag)}")
        markers = sorted((out / "parts").glob("part-*.json"))
        wait_for(lambda: False, 0.3)  # an orphan would write more parts meanwhile
        assert sorted((out / "parts").glob("part-*.json")) == markers
    assert list(tmp_path.glob(".run.spill-*"))  # the killed runs' spills are there...
    s = run_batch(path, out, jobs=2, chunk_size=40)
    assert (s.scored, s.rejected, s.parts_failed) == (400, 0, 0) and s.parts_skipped >= 4
    assert not list(tmp_path.glob(".run.spill-*"))  # ...and the next run removed them
    _tally(0, check_run(out, ids))


# ----------------------------------------------------------------- damage
@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=damage_plans(parts=7))
def test_a_rerun_rescores_deleted_corrupt_and_unreadable_parts(finished, chats, tmp_path,
                                                               plan):
    out = tmp_path / "run"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(finished, out)
    parts = len(list((out / "parts").glob("*.json")))
    for damage in plan:
        damage.apply(out)
    TALLY["faults"] += len(plan)
    s = run_batch(chats[0], out, jobs=1, chunk_size=60)
    assert s.parts == parts and s.parts_skipped == parts - len(plan)
    marked = sum(d.kind != "delete_marker" for d in plan)
    assert s.info["counts"]["parts_repaired"] == marked
    _tally(0, check_run(out, chats[1]))


def test_damage_before_a_rerun_is_a_clear_error_not_arrowinvalid(finished, tmp_path):
    out = _copy(finished, tmp_path)
    corrupt_file(out / "scores" / "part-00002.parquet", seed=3, n=400)
    TALLY["faults"] += 1
    with pytest.raises(sa.InputError, match=r"(?s)part-00002\.parquet.*run the same command"):
        sa.Result.from_parquet(out)


def test_tables_that_disagree_with_their_markers_are_an_error_then_rescored(finished, chats,
                                                                            tmp_path):
    # a part that lost rows but whose marker was rewritten to match its files: the
    # checksums hold, the counts do not; the run must fail, not report success
    out = _copy(finished, tmp_path)
    scores = out / "scores" / "part-00001.parquet"
    pd.read_parquet(scores).iloc[3:].to_parquet(scores, index=False)
    marker_path = out / "parts" / "part-00001.json"
    marker = json.loads(marker_path.read_text())
    marker["sha256"]["scores"] = _runfolder.file_sha256(scores)
    marker["rows"]["scores"] -= 3
    marker_path.write_text(json.dumps(marker))
    TALLY["faults"] += 1
    with pytest.raises(sa.OutputError, match=r"part 1 holds \d+ interactions, its marker says"):
        run_batch(chats[0], out, jobs=1, chunk_size=60)
    assert not (out / "run.json").exists()  # no finished-run record while it is wrong
    s = run_batch(chats[0], out, jobs=1, chunk_size=60)  # the bad part is scored again
    assert s.parts_skipped == s.parts - 1
    _tally(0, check_run(out, chats[1]))


def test_failed_parts_are_retried_on_rerun_unless_kept(chats, tmp_path):
    path, ids = chats
    out = tmp_path / "run"
    first = run_batch(path, out, jobs=1, chunk_size=60, _faults=Faults(part=2))
    TALLY["faults"] += 1
    assert first.parts_failed == 1 and first.rejected > 0
    _tally(0, check_run(out, ids))
    kept = run_batch(path, out, jobs=1, chunk_size=60, retry_failed=False)
    assert (kept.parts_failed, kept.rejected, kept.parts_skipped) == (1, first.rejected,
                                                                      first.parts)
    again = run_batch(path, out, jobs=1, chunk_size=60)
    assert again.info["counts"]["parts_retried"] == 1
    assert (again.parts_failed, again.scored, again.rejected) == (0, 400, 0)
    _tally(0, check_run(out, ids))


# ----------------------------------------------------------------- disks and folders
def test_a_worker_meeting_a_full_disk_stops_the_run_with_an_output_error(chats, tmp_path):
    path, ids = chats
    out = tmp_path / "run"
    with pytest.raises(sa.OutputError, match=r"disk is full.*run the same command again"
                       ) as caught:
        run_batch(path, out, jobs=1, chunk_size=60, _faults=Faults(write=3))
    TALLY["faults"] += 1
    assert caught.value.code == "SA-O001" and "part-00003" in str(caught.value)
    assert not list(tmp_path.glob(".run.spill-*"))
    s = run_batch(path, out, jobs=1, chunk_size=60)  # space freed: the run resumes
    assert s.parts_skipped >= 1
    _tally(0, check_run(out, ids))


def test_the_reading_process_meeting_a_full_disk_gives_an_output_error(chats, tmp_path,
                                                                       monkeypatch):
    def full(self, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(pd.DataFrame, "to_feather", full)
    TALLY["faults"] += 1
    with pytest.raises(sa.OutputError, match=r"No space left.*free some space"):
        run_batch(chats[0], tmp_path / "run", jobs=1, chunk_size=60)
    assert not list(tmp_path.glob(".run.spill-*"))


def test_a_really_full_disk_ends_the_command_cleanly(chats, tmp_path):
    path, _ = chats
    try:
        with small_tmpfs("160k") as disk:
            TALLY["faults"] += 1
            done = CliRunner().invoke(app, ["score", str(path), "-o", str(disk / "run"),
                                            "--jobs", "1", "--chunk-size", "60"])
            _no_crash((done.exit_code, done.output))
            assert done.exit_code == 2, done.output
            assert "[SA-O001]" in done.output and "disk is full" in done.output
            assert not list(disk.glob(".run.spill-*"))  # the spill is removed
            assert not (disk / "run" / "run.json").exists()
    except FaultUnavailable as exc:
        pytest.skip(str(exc))


def test_a_read_only_output_folder_gives_an_output_error(chats):
    try:
        with read_only_folder() as folder:
            TALLY["faults"] += 1
            with pytest.raises(sa.OutputError, match="read-only or not yours") as caught:
                run_batch(chats[0], folder / "run", jobs=1, chunk_size=60)
            assert str(folder / "run") in str(caught.value)
    except FaultUnavailable as exc:
        pytest.skip(str(exc))


def test_a_spill_left_by_a_killed_run_is_removed_by_the_next(tmp_path, samples_dir):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = tmp_path / f".run.spill-{int(dead.stdout)}"
    stale.mkdir()
    (stale / "000000-turns.arrow").write_bytes(b"x" * 1000)
    TALLY["faults"] += 1
    run_batch(samples_dir / "chats.jsonl", tmp_path / "run", jobs=1)
    assert not stale.exists()


# ----------------------------------------------------------------- hostile run.json
def _in_thread(fn, timeout: float):
    box: dict[str, object] = {}

    def target() -> None:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                box["value"] = fn()
            box["warnings"] = [str(w.message) for w in caught]
        except BaseException as exc:  # handed to the test
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "hung"
    return box


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_report_never_opens_a_fifo_or_device_named_in_run_json(finished, tmp_path):
    out = _copy(finished, tmp_path)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    info = json.loads((out / "run.json").read_text())
    for source, file in ((str(fifo), "/dev/zero"), ("/dev/zero", str(fifo))):
        info["rubric"] |= {"source": source, "file": file, "hash": "0" * 16}
        (out / "run.json").write_text(json.dumps(info))
        TALLY["faults"] += 1
        box = _in_thread(lambda: write_report(out, tmp_path / "r.html", worst=2), 60)
        assert "error" not in box, box.get("error")
        # only the folder's own rubric.toml is ever read: the paths run.json names are not
        assert any("holds no copy of its rubric" in w for w in box["warnings"]), box["warnings"]
        assert (tmp_path / "r.html").stat().st_size > 1000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_table_files_that_are_not_regular_files_in_the_folder_are_refused(finished,
                                                                          tmp_path):
    for make in (lambda p: os.mkfifo(p), lambda p: p.symlink_to("/dev/zero")):
        out = tmp_path / f"run{TALLY['faults']}"
        shutil.copytree(finished, out)
        make(out / "scores" / "part-99999.parquet")
        TALLY["faults"] += 1
        box = _in_thread(lambda out=out: sa.Result.from_parquet(out), 60)
        assert isinstance(box.get("error"), sa.InputError), box
        assert "not a regular file inside the run folder" in str(box["error"])


def test_a_custom_rubric_is_read_from_the_run_folders_copy(samples_dir, tmp_path):
    rubric = sa.Rubric.default()
    custom = tmp_path / "custom.toml"
    custom.write_text(rubric.to_toml().replace('version = "', 'version = "9', 1))
    out = tmp_path / "run"
    run_batch(samples_dir / "chats.jsonl", out, jobs=1, rubric=custom)
    # a fresh process: the rubric comes from the folder's copy (the original file is
    # gone), and so do the settings; without the copy, a warning and no rubric
    code = f"""
import pathlib, warnings, serviceart as sa
out = pathlib.Path({str(out)!r})
pathlib.Path({str(custom)!r}).unlink()
with warnings.catch_warnings():
    warnings.simplefilter("error")
    res = sa.Result.from_parquet(out)
assert res.rubric.version.startswith("9") and res.settings.rubric == res.rubric
assert res.explain(res.scores["interaction_id"][0]).bands["overall"] is not None
(out / "rubric.toml").unlink()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    res = sa.Result.from_parquet(out)
assert res.rubric is None and res.settings is None
assert any("holds no copy of its rubric" in str(w.message) for w in caught)
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_fault_helpers_do_what_they_say(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(bytes(range(200)))
    corrupt_file(f, seed=1, n=5)
    assert len(f.read_bytes()) == 200 and f.read_bytes() != bytes(range(200))
    truncate_file(f, keep=0.25)
    assert len(f.read_bytes()) == 50
    with pytest.raises(ValueError, match="unknown damage"):
        Damage("melt", 0).apply(tmp_path)


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "polling"])
def test_a_process_dies_with_the_process_it_watches(tmp_path, pidfd):
    if pidfd and not hasattr(os, "pidfd_open"):
        pytest.skip("no pidfd on this platform")
    # the lifeline of a worker, without its pool: both the pidfd wait and the portable
    # polling fallback end the process once the watched one is killed
    watched = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    code = f"""
import os, time
if not {pidfd} and hasattr(os, "pidfd_open"):
    del os.pidfd_open
from serviceart.run.pool import die_with_parent
die_with_parent({watched.pid}, watch=True)
print("watching", flush=True)
time.sleep(60)
"""
    watcher = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert watcher.stdout is not None and watcher.stdout.readline() == "watching\n"
        assert wait_for(lambda: False, 0.6) is False and watcher.poll() is None
        watched.kill()
        watched.wait()
        TALLY["faults"] += 1
        assert watcher.wait(timeout=5) == 1  # gone within a second, not after 60 s
    finally:
        watched.kill()
        watcher.kill()
        watched.wait()
        watcher.communicate()

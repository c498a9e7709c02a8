"""Batch-engine benchmark: workers, memory, reading, and 100k chats through the CLI.

Measures, in one run on generated exports (the same realistic lines as
``throughput.py``; chats of ~300 words, calls of ~1,500, emails of ~200):

- the time to read and score one file in a single process (``sa.read`` +
  ``sa.score``), and with ``serviceart score`` (the batch engine) with ``--jobs 1``
  and ``--jobs 2``, from the start of reading to the last part written (worker
  start-up included), and the speed-ups; also each whole command, from process
  start to exit, imports included; and the ceiling: two single processes at
  once, each on half of the file (what two cores give this work with nothing
  shared);
- peak memory per worker for N / 10 and N chats (it must stay flat);
- reading + validation of 1M turn rows (``sa.stream``) against the time the
  same rows take to score;
- the time to score 100k chats end to end through the CLI.

Each command's CPU seconds (its own, its fork server's and its workers', user +
system) are reported beside its wall time: on a shared machine the wall times move
with the load, the CPU seconds much less. On Linux this process becomes a child
subreaper (``PR_SET_CHILD_SUBREAPER``), so the fork server a command leaves behind is
reaped here and its CPU time (with its workers') is counted.

Speed is reported as ratios within the run, never asserted by tests.

Usage: ``python benchmarks/batch.py [--chats N] [--e2e-chats N] [--skip-e2e]``
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import serviceart as sa

sys.path.insert(0, str(Path(__file__).parent))
from throughput import DATA, make_corpus, real_corpus


def real_chats(n: int, data: Path = DATA) -> pd.DataFrame:
    """``n`` chats built from the real support texts of ``throughput.real_corpus`` (the
    conversations taken in turn, again with new ids when ``n`` is larger, their turns
    as chat messages with their own time stamps)."""
    turns = real_corpus(data)
    ids = turns["interaction_id"].drop_duplicates().tolist()
    by_id = {i: g for i, g in turns.groupby("interaction_id", sort=False)}
    frames = []
    for k in range(n):
        g = by_id[ids[k % len(ids)]].copy()
        g["interaction_id"] = f"chat-{k:06d}"
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out["channel"] = "chat"
    return out


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_json(path, orient="records", lines=True, date_format="iso")
    return path


_PR_SET_CHILD_SUBREAPER = 36


def _subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux), so that a fork
    server and its workers are reaped here and their CPU time counts in
    ``RUSAGE_CHILDREN``; whether that worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


_REAPER = _subreaper()


def _reap(timeout: float = 30.0) -> None:
    """Wait for the orphans a finished command left (a fork server, its workers: they
    end with the command) so that their CPU time is counted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.02)
    raise SystemExit("a command's worker processes did not end within "
                     f"{timeout:.0f} s of the command")


def _cpu() -> float:
    """User + system CPU seconds of the reaped descendants so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _cli(path: Path, out: Path, jobs: int) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("serviceart")
    cpu0, t0 = _cpu(), time.perf_counter()
    subprocess.run([str(exe), "score", str(path), "-o", str(out), "--jobs", str(jobs)],
                   check=True, capture_output=True, text=True)
    info = json.loads((out / "run.json").read_text())
    info["wall_seconds"] = time.perf_counter() - t0
    _reap()
    info["cpu_seconds"] = _cpu() - cpu0
    return info


# every public name first: ``import serviceart`` loads its modules on first use, and
# the timed part must not include importing spaCy and pandas
_SINGLE = ("import json, sys, time\nimport serviceart as sa\n"
           "[getattr(sa, name) for name in sa.__all__ if name != 'plot']\n"
           "t0 = time.perf_counter()\n"
           "res = sa.score(sa.read(sys.argv[1]))\n"
           "print(json.dumps({'seconds': time.perf_counter() - t0, "
           "'words': res.run_info['words']}))")


def _single(path: Path) -> dict[str, Any]:
    """Read and score ``path`` in one fresh process (``sa.read`` + ``sa.score``), timed
    after the imports, as ``run.json`` times the batch engine; ``wall_seconds`` is the
    whole process, imports included, as for the command line."""
    cpu0, t0 = _cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _SINGLE, str(path)], check=True,
                          capture_output=True, text=True)
    info = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    info["wall_seconds"] = time.perf_counter() - t0
    _reap()
    info["cpu_seconds"] = _cpu() - cpu0
    return info


def _pair(first: Path, second: Path) -> dict[str, Any]:
    """Two single processes at once, each reading and scoring half of the input: the
    most two cores can give on this work (no parent, no pool, nothing shared), the
    ceiling for ``--jobs 2`` on this machine. ``seconds`` is the slower half."""
    cpu0 = _cpu()
    procs = [subprocess.Popen([sys.executable, "-c", _SINGLE, str(f)], stdout=subprocess.PIPE,
                              text=True) for f in (first, second)]
    halves = []
    for proc in procs:
        stdout, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"the half-input run failed with code {proc.returncode}")
        halves.append(json.loads(stdout.strip().splitlines()[-1]))
    _reap()
    return {"seconds": max(float(h["seconds"]) for h in halves),
            "halves": [float(h["seconds"]) for h in halves], "cpu_seconds": _cpu() - cpu0}


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time."""
    ordered = sorted(runs, key=lambda r: float(r["seconds"]))
    return ordered[len(ordered) // 2]


def main() -> None:
    """Run the measurements and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", choices=("real", "generated"), default="real",
                    help="chats built from real support text (../shared/data, the default) "
                         "or generated ones")
    ap.add_argument("--chats", type=int, default=12_000,
                    help="chats for the jobs runs (the memory run compares a tenth of them)")
    ap.add_argument("--e2e-chats", type=int, default=100_000)
    ap.add_argument("--skip-e2e", action="store_true")
    ap.add_argument("--rows", type=int, default=1_000_000, help="turn rows for the read test")
    ap.add_argument("--repeat", type=int, default=1,
                    help="time the single process, --jobs 1 and --jobs 2 N times each, in "
                         "turn, and report the medians (default 1)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="serviceart-bench-"))
    print(f"machine: {os.cpu_count()} cores; temp folder {tmp}")

    corpus = real_chats(args.chats) if args.corpus == "real" else make_corpus(0, args.chats, 1)
    small = _write(corpus, tmp / "chats.jsonl")
    ids = corpus["interaction_id"].drop_duplicates()
    first_ids = set(ids.iloc[: len(ids) // 2])
    halves = (_write(corpus[corpus["interaction_id"].isin(first_ids)], tmp / "half-1.jsonl"),
              _write(corpus[~corpus["interaction_id"].isin(first_ids)], tmp / "half-2.jsonl"))
    runs: dict[str, list[dict[str, Any]]] = {"single": [], "one": [], "two": [], "pair": []}
    for k in range(max(1, args.repeat)):  # in turn, so that drifts hit all alike
        runs["single"].append(_single(small))
        runs["one"].append(_cli(small, tmp / f"run-j1-{k}", 1))
        runs["two"].append(_cli(small, tmp / f"run-j2-{k}", 2))
        runs["pair"].append(_pair(*halves))
    single, one, two, pair = (_median(runs[key]) for key in ("single", "one", "two", "pair"))
    single_s = float(single["seconds"])
    words = int(single["words"])
    print(f"\n{args.chats} chats, {words:,} words; times from the start of reading to the "
          "last part written" + (f"; median of {args.repeat} runs" if args.repeat > 1 else ""))
    print(f"{'engine':<36}{'seconds':>9}{'words/s':>12}{'vs single':>11}{'MB/worker':>11}")
    print(f"{'single process (sa.read + sa.score)':<36}{single_s:>9.1f}"
          f"{words / single_s:>12,.0f}{1.0:>10.2f}x{'':>11}")
    for label, info in (("serviceart score --jobs 1", one), ("serviceart score --jobs 2", two)):
        secs = float(info["seconds"])
        print(f"{label:<36}{secs:>9.1f}{words / secs:>12,.0f}{single_s / secs:>10.2f}x"
              f"{float(info['peak_rss_mb_per_worker']):>11.0f}")
    s1, s2 = float(one["seconds"]), float(two["seconds"])
    print(f"speed-up with 2 workers: {single_s / s2:.2f}x over the single process, "
          f"{s1 / s2:.2f}x over --jobs 1 (which also reads in one process while its "
          f"worker scores)")
    ceiling = single_s / float(pair["seconds"])
    print(f"ceiling on this machine: two single processes at once, each on half of the "
          f"chats, finish in {float(pair['seconds']):.1f} s = {ceiling:.2f}x; --jobs 2 "
          f"reaches {single_s / s2 / ceiling * 100:.0f}% of it")
    w0, w1, w2 = (float(r["wall_seconds"]) for r in (single, one, two))
    print(f"whole commands, imports and start-up included: single process {w0:.1f} s, "
          f"--jobs 1 {w1:.1f} s, --jobs 2 {w2:.1f} s (--jobs 2 against --jobs 1: "
          f"{w1 / w2:.2f}x; against the single process: {w0 / w2:.2f}x)")
    c0, c1, c2, cp = (float(r["cpu_seconds"]) for r in (single, one, two, pair))
    print(f"CPU seconds of the whole commands (workers and fork server included"
          f"{'' if _REAPER else '; not counted here: no subreaper on this platform'}): "
          f"single process {c0:.1f}, --jobs 1 {c1:.1f}, --jobs 2 {c2:.1f}, two halves at "
          f"once {cp:.1f}; load average now {os.getloadavg()[0]:.1f}")
    if args.repeat > 1:
        for key, label in (("single", "single"), ("one", "--jobs 1"), ("two", "--jobs 2"),
                           ("pair", "two halves at once")):
            print(f"  {label} runs: " + ", ".join(
                f"{float(r['seconds']):.1f} s" + (f" ({float(r['wall_seconds']):.1f} s whole, "
                                                  f"{float(r['cpu_seconds']):.1f} CPU s)"
                                                  if "wall_seconds" in r else
                                                  f" ({float(r['cpu_seconds']):.1f} CPU s)")
                for r in runs[key]))
    for label, info in (("--jobs 1", one), ("--jobs 2", two)):
        print(f"  {label}: index pass {float(info['index_seconds']):.1f} s (evidence of "
              f"{info['evidence_extracted_while_reading']} chunks extracted meanwhile), "
              f"scoring pass {float(info['scoring_seconds']):.1f} s")

    tenth = _write(make_corpus(0, args.chats // 10, 2), tmp / "chats-tenth.jsonl")
    small_run = _cli(tenth, tmp / "run-tenth", 2)
    m1, m10 = float(small_run["peak_rss_mb_per_worker"]), float(two["peak_rss_mb_per_worker"])
    print(f"\npeak memory per worker: {m1:.0f} MB for {args.chats // 10} chats, {m10:.0f} MB "
          f"for {args.chats} chats ({(m10 / m1 - 1) * 100:+.1f}%)")

    # reading + validation of 1M turn rows against the time to score them
    rows_per_chat = len(make_corpus(0, 200, 3)) / 200
    n_chats = int(args.rows / rows_per_chat) + 1
    table = make_corpus(0, n_chats, 4).head(args.rows)
    table.to_csv(tmp / "rows.csv", index=False)
    words = int(table["text"].str.split().str.len().sum())
    t0 = time.perf_counter()
    n = sum(len(c.turns) for c in sa.stream(tmp / "rows.csv", chunk_size=5000))
    read_s = time.perf_counter() - t0
    two_s = words / float(two["words_per_second"])  # end to end, 2 workers
    one_s = words / (int(single["words"]) / single_s)
    print(f"\nread + validate {n:,} turn rows: {read_s:.1f} s = {read_s / two_s * 100:.1f}% "
          f"of the ~{two_s:.0f} s that serviceart score --jobs 2 takes for them end to end, "
          f"{read_s / one_s * 100:.1f}% of the ~{one_s:.0f} s that sa.score takes in one "
          "process")

    if not args.skip_e2e:
        e2e = _write(make_corpus(0, args.e2e_chats, 5), tmp / "e2e.jsonl")
        info = _cli(e2e, tmp / "run-e2e", 2)
        print(f"\n{args.e2e_chats:,} chats end to end through the CLI (--jobs 2): "
              f"{float(info['wall_seconds']):.0f} s wall, {info['counts']}; peak "
              f"{float(info['peak_rss_mb_per_worker']):.0f} MB per worker "
              f"({(float(info['peak_rss_mb_per_worker']) / m10 - 1) * 100:+.1f}% over "
              f"{args.chats} chats)")


if __name__ == "__main__":
    main()

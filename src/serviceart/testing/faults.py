"""Fault injection for the batch engine: kill a run, damage its folder, fill its disk.

The helpers act on a real ``serviceart score`` run (a subprocess) or on a run
folder, and check what must hold afterwards:

- :func:`write_chats`: a chat export of ``n`` interactions (realistic lines,
  customers with several contacts, so cases span parts).
- :func:`start_score`, :func:`kill_when`: run the command in a subprocess tagged
  in its environment, and ``SIGKILL`` it once its folder holds some parts.
- :func:`tagged_processes`: the processes still alive that carry a run's tag
  (the command, its fork server, its workers and their resource tracker).
- :func:`delete_file`, :func:`corrupt_file`, :func:`truncate_file`: damage files.
- :func:`small_tmpfs`, :func:`read_only_folder`: a full disk and a read-only
  folder, for real (these need root; :class:`FaultUnavailable` otherwise).
- :func:`check_run`: the invariant of a finished run, from its tables: every
  input interaction in ``scores`` or ``rejects`` exactly once, and ``run.json``'s
  counts equal to the tables.
- :func:`damage_plans`: a hypothesis strategy of damage to a finished run folder.

Linux only where ``/proc`` and ``mount`` are used.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["TAG_ENV", "Damage", "FaultUnavailable", "RunCheck", "check_run", "corrupt_file",
           "damage_plans", "delete_file", "kill_when", "read_only_folder", "small_tmpfs",
           "start_score", "tagged_processes", "truncate_file", "wait_for", "write_chats"]

#: the environment variable that tags a run's processes (inherited by every child)
TAG_ENV = "SERVICEART_FAULT_TAG"

_AGENT = ("Hi, thanks for contacting us, this is Sam.", "I'm sorry about the wait.",
          "Let me check that for you.", "I've processed the refund.",
          "I'll call you back tomorrow before noon.", "Unfortunately we can't do that.",
          "Is there anything else I can help with?", "Does that fix it for you?")
_CUSTOMER = ("My internet keeps dropping.", "It's still not working.", "That worked, thanks!",
             "This is the third time I'm contacting you.", "Why was I charged twice?",
             "Any update?")


class FaultUnavailable(RuntimeError):
    """This machine cannot inject the fault (e.g. mounting needs root)."""


def write_chats(path: str | Path, n: int, *, seed: int = 0) -> list[str]:
    """Write a chat export (CSV) of ``n`` interactions of 2 to 6 turns (12 agents);
    return their ids.

    About one customer in three writes again within days, so cases link
    contacts that the batch engine must keep in one part.
    """
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    ids = []
    start = pd.Timestamp("2026-03-02T09:00:00Z")
    for k in range(n):
        iid = f"chat-{k:05d}"
        ids.append(iid)
        customer = f"cust-{rng.randrange(max(1, 2 * n // 3))}"
        agent = f"agent-{rng.randrange(12)}"
        t = start + pd.Timedelta(minutes=17 * k + rng.randrange(10))
        for j in range(rng.randint(2, 6)):
            role = "customer" if j % 2 == 0 else "agent"
            text = rng.choice(_CUSTOMER if role == "customer" else _AGENT)
            t += pd.Timedelta(seconds=rng.randint(20, 900))
            rows.append({"interaction_id": iid, "role": role, "text": text,
                         "timestamp": t.isoformat(), "customer_id": customer,
                         "agent_id": agent, "channel": "chat"})
    pd.DataFrame(rows).to_csv(path, index=False)
    return ids


def start_score(paths: Sequence[str | Path], output: str | Path, *options: str,
                tag: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``serviceart score PATHS -o OUTPUT OPTIONS`` in a subprocess; return it and
    the tag its processes carry in their environment (see :func:`tagged_processes`)."""
    tag = tag or uuid.uuid4().hex
    env = {**os.environ, TAG_ENV: tag}
    argv = [sys.executable, "-c", "from serviceart.cli import main; main()", "score",
            *map(str, paths), "-o", str(output), *options]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc, tag


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds pass; whether it held."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def kill_when(proc: subprocess.Popen[bytes], output: str | Path, parts: int,
              timeout: float = 120.0, sig: int = signal.SIGKILL) -> int:
    """Send ``sig`` (``SIGKILL``) to ``proc`` once ``output`` holds ``parts`` part markers
    (0: once its spill folder holds a chunk, i.e. during the index pass), wait for it
    to end, and return the markers there then. Raises ``TimeoutError`` if the run ends
    or stalls first."""
    out = Path(output)

    def ready() -> bool:
        if proc.poll() is not None:
            return True
        if parts == 0:
            return any(out.resolve().parent.glob(f".{out.name}.spill-*/*.arrow"))
        return len(list((out / "parts").glob("part-*.json"))) >= parts

    if not wait_for(ready, timeout, step=0.005) or proc.poll() is not None:
        raise TimeoutError(f"the run ended (or stalled) before {parts} parts were written")
    proc.send_signal(sig)
    proc.communicate(timeout=60)  # reaps it and closes its pipes
    return len(list((out / "parts").glob("part-*.json")))


def tagged_processes(tag: str) -> list[int]:
    """The live processes (not zombies) carrying ``TAG_ENV=tag`` in their environment
    (Linux: reads ``/proc``)."""
    needle = f"{TAG_ENV}={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # gone meanwhile, or not ours
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def delete_file(path: str | Path) -> None:
    """Remove a file."""
    Path(path).unlink()


def corrupt_file(path: str | Path, *, seed: int = 0, n: int = 16) -> None:
    """Overwrite ``n`` bytes at random places of a file (its size is unchanged)."""
    p = Path(path)
    data = bytearray(p.read_bytes())
    rng = random.Random(seed)
    for _ in range(n):
        i = rng.randrange(len(data))
        data[i] = (data[i] + 1 + rng.randrange(255)) % 256
    p.write_bytes(bytes(data))


def truncate_file(path: str | Path, *, keep: float = 0.5) -> None:
    """Cut a file to ``keep`` (a fraction) of its size, as a write cut short."""
    p = Path(path)
    data = p.read_bytes()
    p.write_bytes(data[: int(len(data) * keep)])


@contextmanager
def _tmpfs(options: str, prefix: str) -> Iterator[Path]:
    """A new folder with a tmpfs mounted on it with ``options``; unmounted and removed
    after. Raises :class:`FaultUnavailable` where it cannot be mounted."""
    if sys.platform != "linux" or os.geteuid() != 0:
        raise FaultUnavailable("mounting a file system needs root on Linux")
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise FaultUnavailable(f"mount -t tmpfs -o {options} failed: "
                                   f"{done.stderr.strip()}")
        try:
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
    finally:
        folder.rmdir()


def small_tmpfs(size: str) -> AbstractContextManager[Path]:
    """A folder on a tmpfs of ``size`` (e.g. ``"256k"``), unmounted after: a disk that
    fills up. Raises :class:`FaultUnavailable` where it cannot be mounted."""
    return _tmpfs(f"size={size}", "serviceart-full-")


def read_only_folder() -> AbstractContextManager[Path]:
    """An empty folder no one can write, not even root (a read-only tmpfs), removed
    after. Raises :class:`FaultUnavailable` where it cannot be mounted."""
    return _tmpfs("ro,size=64k", "serviceart-ro-")


@dataclass
class RunCheck:
    """What :func:`check_run` counted in a finished run's tables."""

    scored: int
    rejected: int
    lost: int


def check_run(run_dir: str | Path, input_ids: Sequence[str]) -> RunCheck:
    """Check a finished run from its tables: every input interaction is in ``scores`` or
    in ``rejects`` exactly once, nothing else is there, and ``run.json``'s counts equal
    the tables.

    Raises
    ------
    AssertionError
        Naming what does not hold.
    """
    d = Path(run_dir)
    scores = pd.read_parquet(d / "scores", columns=["interaction_id"])["interaction_id"]
    rejects = pd.read_parquet(d / "rejects", columns=["interaction_id", "code"])
    rejected = rejects["interaction_id"].dropna().astype(str).drop_duplicates()
    found = pd.concat([scores.astype(str), rejected], ignore_index=True)
    twice = found[found.duplicated()].tolist()
    wanted = pd.Index([str(i) for i in input_ids])
    lost = wanted.difference(pd.Index(found)).tolist()
    extra = pd.Index(found).difference(wanted).tolist()
    assert not twice, f"in the tables twice: {twice[:5]}"
    assert not lost, f"{len(lost)} input interactions are in no table: {lost[:5]}"
    assert not extra, f"interactions that are not in the input: {extra[:5]}"
    counts = json.loads((d / "run.json").read_text(encoding="utf-8"))["counts"]
    assert counts["interactions_in"] == len(wanted), counts
    # out-of-scope interactions are in the scores table, counted apart from the scored
    assert counts["scored"] + counts.get("out_of_scope", 0) == len(scores), (counts,
                                                                             len(scores))
    assert counts["rejected"] == len(rejected), (counts, len(rejected))
    return RunCheck(scored=len(scores), rejected=len(rejected), lost=len(lost))


@dataclass(frozen=True)
class Damage:
    """One fault done to a finished run folder: ``kind`` on part ``part`` (``table`` for
    file faults)."""

    kind: str
    part: int
    table: str = "scores"

    def apply(self, run_dir: str | Path) -> None:
        """Do it."""
        d = Path(run_dir)
        marker = d / "parts" / f"part-{self.part:05d}.json"
        part = d / self.table / f"part-{self.part:05d}.parquet"
        if self.kind == "delete_file":
            delete_file(part)
        elif self.kind == "corrupt_file":
            corrupt_file(part, seed=self.part)
        elif self.kind == "truncate_file":
            truncate_file(part)
        elif self.kind == "truncate_marker":
            truncate_file(marker)
        elif self.kind == "delete_marker":
            delete_file(marker)
        elif self.kind == "garbage_marker":
            marker.write_bytes(b"\x00\xffnot json")
        else:
            raise ValueError(f"unknown damage {self.kind!r}")


DAMAGE_KINDS = ("delete_file", "corrupt_file", "truncate_file", "truncate_marker",
                "delete_marker", "garbage_marker")


def damage_plans(parts: int, tables: Sequence[str] = ("scores", "rejects", "interactions",
                                                      "evidence", "measures"),
                 max_size: int = 3) -> Any:
    """A hypothesis strategy of lists of :class:`Damage` to a run of ``parts`` parts
    (at most one fault per part)."""
    from hypothesis import strategies as st

    one = st.builds(Damage, kind=st.sampled_from(DAMAGE_KINDS),
                    part=st.integers(0, parts - 1), table=st.sampled_from(list(tables)))
    return st.lists(one, min_size=1, max_size=max_size, unique_by=lambda d: d.part)

"""Reliability tally: damaged and malformed inputs, read whole and streamed.

Two passes, each over files written from :mod:`serviceart.testing`:

- **values**: every leaf of each JSON export fixture (up to 12 distinct field paths per
  file) and of the second record of three JSON Lines files, replaced in turn by each of
  ten malformed values (placeholder dates, infinite and huge numbers, a 5,000-digit
  integer, a list and an object);
- **records**: the damaged-file strategies of :mod:`serviceart.testing.records` (turn
  tables, transcripts, captions, mailboxes, email messages), ``--examples`` each.

Every file is read with ``sa.read`` and streamed with ``sa.stream`` in small chunks. A
*crash* is any exception other than a ``FormatError`` for a single file whose structure
is broken, or counts that do not add up; *unaccounted* counts reads that fail
:func:`serviceart.testing.records.unaccounted` (an interaction, a damaged record or an
id-less reject not accounted for); an interaction is *lost* when the clean input had it
and neither the valid interactions nor the rejects name it. Usage::

    python benchmarks/reliability.py [--examples 50]
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.testing.records import (
    captions,
    email_messages,
    mailboxes,
    transcripts,
    turn_tables,
    unaccounted,
    write_files,
)
from serviceart.testing.values import HugeInt, dumps, leaves, replaced

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "readers" / "fixtures"
DOCUMENTS = ["aws/transcribe_call.json", "aws/contact_lens_chat.json",
             "aws/contact_lens_voice_transfer.json", "aws/pca_call.json",
             "genesys/call_transfer.json", "genesys/chat_bot_handoff.json",
             "insights/call_conversation.json", "insights/chat_entries.json",
             "insights/chat_conversation.json", "helpdesk/zendesk_ticket_comments.json",
             "helpdesk/freshdesk_tickets.json"]
LINES = [ROOT / "data" / "samples" / "chats.jsonl",
         FIX / "helpdesk" / "intercom_conversations.jsonl", FIX / "messages" / "forum.jsonl"]
VALUES: list[Any] = ["9999-12-31", "0001-01-01T00:00:00Z", math.inf, -1e300, 1e300,
                     HugeInt("9" * 5000), ["a", 1], {"x": 1}, "inf", "9" * 5000]
FORUM = {"roles": {"staff": "agent", "user": "customer", "moderator": "agent"}}


class Tally:
    """Files tried, crashes, whole-file format errors and interactions lost."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, int]] = {}

    def row(self, name: str) -> dict[str, int]:
        return self.rows.setdefault(name, {"files": 0, "reads": 0, "crashes": 0,
                                           "format_errors": 0, "unaccounted": 0, "lost": 0})

    def print(self) -> None:
        cols = ["files", "reads", "crashes", "format_errors", "unaccounted", "lost"]
        print(f"{'input':<36}" + "".join(f"{c:>14}" for c in cols))
        for name, r in self.rows.items():
            print(f"{name:<36}" + "".join(f"{r[c]:>14,}" for c in cols))
        total = {c: sum(r[c] for r in self.rows.values()) for c in cols}
        print(f"{'total':<36}" + "".join(f"{total[c]:>14,}" for c in cols))


def _ids(chunks: list[sa.Conversations]) -> set[str]:
    found: set[str] = set()
    for c in chunks:
        found |= set(c.interactions["interaction_id"].astype(str))
        found |= set(c.rejects["interaction_id"].dropna().astype(str))
    return found


def _both(read: Callable[[], sa.Conversations], stream: Callable[[], list[sa.Conversations]],
          row: dict[str, int], clean: set[str] | None, where: str) -> None:
    """Read whole and streamed; count crashes and, when ``clean`` is given, lost ids."""
    for how in (lambda: [read()], stream):
        row["reads"] += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                chunks = how()
        except sa.FormatError:
            row["format_errors"] += 1
            continue
        except Exception:
            row["crashes"] += 1
            print(f"CRASH {where}")
            traceback.print_exc()
            continue
        counts = [c.counts for c in chunks]
        if sum(c["interactions_in"] for c in counts) != sum(
                c["interactions_valid"] + c["interactions_rejected"] for c in counts):
            row["crashes"] += 1
            print(f"COUNTS DO NOT ADD UP {where}: {counts}")
        if clean is not None:
            row["lost"] += len(clean - _ids(chunks))


def _id_like(path: tuple[str | int, ...]) -> bool:
    """A field that names an interaction or a thread: damaging it may split or merge
    interactions, so ids are not compared there."""
    last = path[-1] if path else ""
    named = isinstance(last, str) and (last.lower().endswith("id") or
                                       last in ("name", "GUID", "JobName"))
    return named or "parent" in str(path)


def values_pass(tally: Tally, tmp: Path) -> None:
    for name in DOCUMENTS:
        src = FIX / name
        doc = json.loads(src.read_text(encoding="utf-8"))
        clean = _ids([sa.read(src)])
        row = tally.row(f"values: {Path(name).parent}/")
        seen: set[tuple[str | int, ...]] = set()
        for path, _ in leaves(doc):
            shape = tuple(x if isinstance(x, str) else 0 for x in path)
            if shape in seen or len(seen) >= 12:
                continue
            seen.add(shape)
            for value in VALUES:
                target = tmp / src.name
                target.write_text(dumps(replaced(doc, path, value)), encoding="utf-8")
                row["files"] += 1
                _both(lambda t=target: sa.read(t),
                      lambda t=target: list(sa.stream(t, chunk_size=2)),
                      row, None if _id_like(path) else clean, f"{name} {path} {value!r:.40}")
    for src in LINES:
        options = FORUM if "forum" in src.name else {}
        rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()
                if line.strip().startswith("{")]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clean = _ids([sa.read(src, **options)])
        row = tally.row(f"values: {src.name}")
        for path, _ in list(leaves(rows[1]))[:12]:
            for value in VALUES:
                damaged = list(rows)
                damaged[1] = replaced(rows[1], path, value)
                target = tmp / src.name
                target.write_text("\n".join(dumps(r) for r in damaged) + "\n",
                                  encoding="utf-8")
                row["files"] += 1
                _both(lambda t=target, o=options: sa.read(t, **o),
                      lambda t=target, o=options: list(sa.stream(t, chunk_size=2, **o)),
                      row, None if _id_like(path) else clean, f"{src.name} {path}")


def records_pass(tally: Tally, examples: int) -> None:
    strategies = {
        "records: turns csv": turn_tables("csv").map(lambda f: [f]),
        "records: turns jsonl": turn_tables("jsonl").map(lambda f: [f]),
        "records: transcripts": transcripts().map(lambda f: [f]),
        "records: captions": st.lists(captions(), min_size=1, max_size=3,
                                      unique_by=lambda f: f.name),
        "records: mbox": mailboxes().map(lambda f: [f]),
        "records: eml": email_messages(),
    }
    for name, strategy in strategies.items():
        _damaged(name, strategy, examples, tally.row(name))


def _damaged(name: str, strategy: st.SearchStrategy[list[Any]], examples: int,
             row: dict[str, int]) -> None:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(files=strategy, size=st.integers(1, 4))
    def run(files: list[Any], size: int) -> None:
        row["files"] += len(files)
        with tempfile.TemporaryDirectory() as folder:
            paths = write_files(files, folder)
            options = dict(files[0].options)
            expected = {str(i) for f in files for i in f.ids}
            _both(lambda: sa.read(paths, **options),
                  lambda: list(sa.stream(paths, chunk_size=size, **options)),
                  row, expected, name)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for result in (sa.read(paths, **options),
                               list(sa.stream(paths, chunk_size=size, **options))):
                    problems = unaccounted(result, files)
                    if problems:
                        row["unaccounted"] += 1
                        print(f"UNACCOUNTED {name}: {problems}")

    run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=50,
                        help="examples per damaged-file strategy (default 50)")
    args = parser.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        values_pass(tally, Path(tmp))
    records_pass(tally, args.examples)
    tally.print()


if __name__ == "__main__":
    main()

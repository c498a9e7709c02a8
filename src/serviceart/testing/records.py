"""Hypothesis strategies for export files damaged record by record.

Each strategy draws a valid export of several interactions, then damages some of
its records the way real exports break: stray quotes, extra or missing fields,
truncated lines, duplicated records, broken MIME messages, cues without timing.
It returns a :class:`DamagedFile` that says which interactions the file holds
and which damaged records still carry a readable id, so a test can check from
the reader's own tables that every input interaction is accounted for
(:func:`unaccounted`).

Strategies: :func:`turn_tables` (``turns`` CSV and JSONL), :func:`transcripts`
(``text``), :func:`captions` (``vtt``), :func:`mailboxes` (``mbox``),
:func:`email_messages` (``eml`` files), and :func:`linked_folders` (a folder
tree reached through symbolic links, cycles included).

Needs ``hypothesis``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from ..ingest.model import Conversations

__all__ = [
    "DamagedFile",
    "LinkedFolders",
    "captions",
    "email_messages",
    "linked_folders",
    "mailboxes",
    "transcripts",
    "turn_tables",
    "unaccounted",
    "write_files",
]

_TEXTS = (
    "Hi, thanks for calling, this is Sam.", "My internet keeps dropping.",
    "Let me check that for you.", "It's still not working, since Tuesday.",
    "I've processed the refund; it shows in 3-5 days.", "That worked, thanks!",
    "Is there anything else I can help with?", "Ok. Bye",
)


@dataclass(frozen=True)
class DamagedFile:
    """One export file with damaged records, and what a reader must account for.

    Attributes
    ----------
    name
        File name; its extension picks the reader.
    data
        The file's bytes.
    ids
        Every interaction the file held before it was damaged.
    damaged
        Interaction id -> damage, for damaged records whose id can still be read:
        each must appear in the rejects under that id.
    unreadable
        How many damaged records lost their id (they must still be rejected,
        without an id).
    options
        Reader options the file needs (e.g. ``agent_domains`` for email).
    """

    name: str
    data: bytes
    ids: frozenset[str]
    damaged: Mapping[str, str] = field(default_factory=dict)
    unreadable: int = 0
    options: Mapping[str, Any] = field(default_factory=dict)


def write_files(files: Iterable[DamagedFile], folder: str | Path) -> list[Path]:
    """Write the files into ``folder``; returns their paths."""
    out = []
    for f in files:
        path = Path(folder) / f.name
        path.write_bytes(f.data)
        out.append(path)
    return out


def unaccounted(result: Conversations | Sequence[Conversations],
                files: Iterable[DamagedFile]) -> list[str]:
    """What the tables of a read (or the chunks of a stream) fail to account for.

    Checked from the tables themselves, not from :attr:`Conversations.counts`
    alone: every interaction of the input is valid or rejected with its id;
    each damaged record's interaction is rejected with its id; as many id-less
    rejects as damaged records lost their id; ``interactions_in`` equals the
    valid interactions plus the distinct rejected ids; no interaction is valid
    in two chunks, and no reject row is repeated.

    Returns
    -------
    list of str
        One message per problem; empty when everything is accounted for.
    """
    chunks = [result] if isinstance(result, Conversations) else list(result)
    files = list(files)
    problems: list[str] = []
    valid_list = [str(i) for c in chunks for i in c.interactions["interaction_id"]]
    valid = set(valid_list)
    if len(valid) != len(valid_list):
        problems.append("an interaction is valid in more than one chunk")
    rejects = (pd.concat([c.rejects for c in chunks], ignore_index=True) if chunks
               else pd.DataFrame(columns=["interaction_id", "record", "code", "source"]))
    rejected = set(rejects["interaction_id"].dropna().astype(str))
    keyed = rejects[["source", "record", "code", "interaction_id", "field"]].astype(str)
    if keyed.duplicated().any():
        problems.append(f"reject rows repeated: {keyed[keyed.duplicated()].values.tolist()}")
    n_in = sum(c.counts["interactions_in"] for c in chunks)
    if n_in != len(valid | rejected):
        problems.append(f"interactions_in is {n_in}, but the tables hold {len(valid)} valid "
                        f"and {len(rejected - valid)} rejected interactions")
    for c in chunks:
        k = c.counts
        if k["interactions_valid"] + k["interactions_rejected"] != k["interactions_in"]:
            problems.append(f"a chunk's counts do not add up: {k}")
    expected = set().union(*(f.ids for f in files)) if files else set()
    lost = sorted(expected - valid - rejected)
    if lost:
        problems.append(f"interactions neither valid nor rejected: {lost}")
    for f in files:
        for iid, kind in f.damaged.items():
            if iid not in rejected:
                problems.append(f"{f.name}: the {kind} record of {iid!r} is not rejected "
                                "under its id")
    idless = int(rejects["interaction_id"].isna().sum())
    needed = sum(f.unreadable for f in files)
    if idless < needed:
        problems.append(f"{needed} damaged records lost their id, but only {idless} "
                        "rejects have no id")
    return problems


def _ids(draw: st.DrawFn, prefix: str, lo: int, hi: int) -> list[str]:
    n = draw(st.integers(lo, hi))
    return [f"{prefix}{i:03d}" for i in range(n)]


# ---------------------------------------------------------------- turn tables

_CSV_DAMAGES = ("stray_quote", "extra_fields", "missing_field", "truncated", "duplicated")
_JSONL_DAMAGES = ("stray_quote", "missing_field", "truncated", "duplicated", "cut_id")


@st.composite
def turn_tables(draw: st.DrawFn, ext: str = "csv", max_interactions: int = 8
                ) -> DamagedFile:
    """A ``turns`` table (``ext`` ``"csv"`` or ``"jsonl"``) with damaged records.

    Damages (CSV): a quote opened and never closed in a text, a row with extra
    fields, a row missing its text, a row cut short after its id, a row
    repeated (same ``turn_index``). JSONL: a stray quote inside a text, a
    record without its text, a line cut short after its id, a repeated line,
    a line cut inside its id (the id cannot be read back).
    """
    ids = _ids(draw, "c", 1, max_interactions)
    rows: list[tuple[str, int, str, str]] = []
    for iid in ids:
        for t in range(draw(st.integers(1, 3))):
            rows.append((iid, t, ("customer", "agent")[t % 2], draw(st.sampled_from(_TEXTS))))
    kinds = _CSV_DAMAGES if ext == "csv" else _JSONL_DAMAGES
    # JSONL: the first record stays whole, so the file has every column (a file where
    # no record has a "text" key fails as a whole, with a SchemaError naming it)
    lowest = 0 if ext == "csv" else 1
    hits = [] if len(rows) <= lowest else draw(st.lists(
        st.tuples(st.integers(lowest, len(rows) - 1), st.sampled_from(kinds)),
        max_size=3, unique_by=lambda h: h[0]))
    damage = dict(hits)
    stray = min((k for k, kind in hits if kind == "stray_quote"), default=None)
    if stray is not None:
        # an unbalanced quote swallows the rows after it: they carry no damage of
        # their own (a swallowed row cut before its role could not be told from text)
        damage = {k: kind for k, kind in damage.items() if k <= stray}
    damaged: dict[str, str] = {}
    unreadable = 0
    lines: list[str] = []
    for k, (iid, t, role, text) in enumerate(rows):
        kind = damage.get(k)
        if ext == "csv":
            line = f'{iid},{t},{role},"{text}"'
            if kind == "stray_quote":
                line = f'{iid},{t},{role},"{text.replace(",", "")}'
            elif kind == "extra_fields":
                line = f"{iid},{t},{role},{text.replace(',', '')},{draw(st.sampled_from(_TEXTS))}"
            elif kind == "missing_field":
                line = f"{iid},{t},{role}"
            elif kind == "truncated":
                line = line[: len(iid) + draw(st.integers(1, 4))].rstrip('"')
        else:
            line = json.dumps({"interaction_id": iid, "turn_index": t, "role": role,
                               "text": text})
            if kind == "stray_quote":
                line = line.replace('"text": "', '"text": "he said "', 1)
            elif kind == "missing_field":
                line = json.dumps({"interaction_id": iid, "turn_index": t, "role": role})
            elif kind == "truncated":
                line = line[: line.index(iid) + len(iid) + 2 + draw(st.integers(0, 12))]
            elif kind == "cut_id":
                line = line[: line.index(iid) + draw(st.integers(0, len(iid) - 1))]
        lines.append(line)
        if kind == "duplicated":
            lines.append(line)
        if kind == "cut_id":
            unreadable += 1
        elif kind == "stray_quote" and ext == "csv" and k == len(rows) - 1:
            pass  # the quote swallows nothing: the row is read as it was meant
        elif kind is not None:
            damaged[iid] = kind
    header = ["interaction_id,turn_index,role,text"] if ext == "csv" else []
    data = "\n".join([*header, *lines]) + "\n"
    # ids whose every record was cut inside the id are gone from the file
    whole = {iid for k, (iid, *_rest) in enumerate(rows) if damage.get(k) != "cut_id"}
    return DamagedFile(f"turns.{ext}", data.encode(), frozenset(whole), damaged, unreadable)


# ---------------------------------------------------------------- transcripts

@st.composite
def transcripts(draw: st.DrawFn, max_interactions: int = 6) -> DamagedFile:
    """A ``text`` transcript file of several interactions (``# id:`` lines), damaged:
    a stray line before the first turn, a turn line without its label, a
    repeated turn line, a last line cut short."""
    ids = _ids(draw, "t", 1, max_interactions)
    blocks: list[str] = []
    damaged: dict[str, str] = {}
    for iid in ids:
        n = draw(st.integers(1, 3))
        turns = [f"{('Customer', 'Agent')[t % 2]}: {draw(st.sampled_from(_TEXTS))}"
                 for t in range(n)]
        # the first interaction keeps a whole turn line, so that the file is still
        # recognised as a transcript (a file without one fails as a whole)
        kind = draw(st.sampled_from((None, "duplicated") if iid == ids[0] else
                                    (None, None, "stray_line", "no_label", "duplicated",
                                     "truncated")))
        if kind == "stray_line":
            turns.insert(0, "(recording starts)")
        elif kind == "no_label":
            turns[0] = turns[0].split(": ", 1)[1]
        elif kind == "duplicated":
            turns.append(turns[-1])
        elif kind == "truncated":
            turns[-1] = turns[-1][: draw(st.integers(len(turns[-1]) // 2, len(turns[-1])))]
        if kind in ("stray_line", "no_label"):
            damaged[iid] = kind
        blocks.append("\n".join([f"# id: {iid}", "# channel: call", *turns]))
    data = "\n\n".join(blocks) + "\n"
    return DamagedFile("calls.txt", data.encode(), frozenset(ids), damaged)


# ---------------------------------------------------------------- captions

@st.composite
def captions(draw: st.DrawFn, max_cues: int = 6) -> DamagedFile:
    """A WebVTT file (one interaction, its file name) with damaged cues: a broken
    timing line, a cue without text, a repeated cue, the file cut short inside
    its last cue. The first cue stays whole, so the file is always readable."""
    iid = f"call{draw(st.integers(0, 999)):03d}"
    n = draw(st.integers(1, max_cues))
    cues: list[str] = []
    kinds: list[str] = []
    for k in range(n):
        start = 2 * k
        timing = f"00:00:{start:02d}.000 --> 00:00:{start + 1:02d}.500"
        text = f"<v {('Customer', 'Agent')[k % 2]}>{draw(st.sampled_from(_TEXTS))}"
        kind = None if k == 0 else draw(st.sampled_from(
            (None, "bad_timing", "no_text", "duplicated")))
        if kind == "bad_timing":
            timing = timing.replace("-->", "->")
        elif kind == "no_text":
            text = "<v Agent>"
        cue = f"{timing}\n{text}"
        cues.append(cue)
        if kind == "duplicated":
            cues.append(cue)
        if kind in ("bad_timing", "no_text"):
            kinds.append(kind)
    data = "WEBVTT\n\n" + "\n\n".join(cues) + "\n"
    if n > 1 and kind is None and draw(st.booleans()):  # cut inside an undamaged last cue
        data = data[: len(data) - draw(st.integers(1, 8))]
    damaged = {iid: kinds[0]} if kinds else {}
    return DamagedFile(f"{iid}.vtt", data.encode(), frozenset({iid}), damaged)


# ---------------------------------------------------------------- email

_MAIL_DAMAGES = ("no_headers", "no_from", "bad_date", "empty_body", "bad_base64")


def _message(k: int, kind: str | None, text: str) -> tuple[str, str | None]:
    """One message (its own thread) and the id a reader can still give it."""
    mid = f"m{k:03d}@example.com"
    head = {"From": f"Cust {k} <c{k}@example.com>", "To": "help@acme.com",
            "Subject": f"Order {k} question", "Date": f"Mon, 2 Mar 2026 09:{k % 60:02d}:00 +0000",
            "Message-ID": f"<{mid}>", "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=utf-8"}
    body = text
    if kind == "no_from":
        del head["From"]
    elif kind == "bad_date":
        head["Date"] = "sometime last week"
    elif kind == "empty_body":
        body = ""
    elif kind == "bad_base64":
        head["Content-Transfer-Encoding"] = "base64"
        body = "!!not base64 at all"
    if kind == "no_headers":
        return f"{text}\nthanks\n", None
    return "".join(f"{k}: {v}\n" for k, v in head.items()) + "\n" + body + "\n", mid


@st.composite
def mailboxes(draw: st.DrawFn, max_messages: int = 8) -> DamagedFile:
    """An mbox of one-message threads, some broken: no headers at all (its id is
    lost), no From, an unreadable Date, an empty body, a base64 body that is not
    base64."""
    n = draw(st.integers(1, max_messages))
    parts: list[str] = []
    ids: set[str] = set()
    damaged: dict[str, str] = {}
    unreadable = 0
    for k in range(n):
        kind = draw(st.sampled_from((None, None, *_MAIL_DAMAGES)))
        msg, mid = _message(k, kind, draw(st.sampled_from(_TEXTS)))
        parts.append(f"From c{k}@example.com Mon Mar  2 09:00:00 2026\n{msg}")
        if mid is None:
            unreadable += 1
            continue
        ids.add(mid)
        if kind in ("no_from", "bad_date", "empty_body"):
            damaged[mid] = kind
    data = "\n".join(parts)
    return DamagedFile("mail.mbox", data.encode(), frozenset(ids), damaged, unreadable,
                       {"agent_domains": ["acme.com"]})


@st.composite
def email_messages(draw: st.DrawFn, max_messages: int = 6) -> list[DamagedFile]:
    """``.eml`` files, one message each (its own thread), some broken as in
    :func:`mailboxes`."""
    out: list[DamagedFile] = []
    for k in range(draw(st.integers(1, max_messages))):
        kind = draw(st.sampled_from((None, None, *_MAIL_DAMAGES)))
        msg, mid = _message(k, kind, draw(st.sampled_from(_TEXTS)))
        damaged = {mid: kind} if mid and kind in ("no_from", "bad_date", "empty_body") else {}
        out.append(DamagedFile(f"m{k:03d}.eml", msg.encode(),
                               frozenset({mid} if mid else set()), damaged,
                               0 if mid else 1, {"agent_domains": ["acme.com"]}))
    return out


# ---------------------------------------------------------------- linked folders

@dataclass(frozen=True)
class LinkedFolders:
    """A folder tree to build with :meth:`build`: real folders of turn tables,
    and symbolic links to some of them (``cycle`` adds a link back to the top)."""

    folders: tuple[tuple[str, DamagedFile], ...]
    links: tuple[tuple[str, str], ...]
    cycle: bool

    @property
    def files(self) -> list[DamagedFile]:
        return [f for _, f in self.folders]

    def build(self, root: str | Path) -> Path:
        """Create the tree under ``root``; returns the folder to read (``root/top``).

        Real folders live outside ``top`` and are reached only through links, so
        a reader that skips links reads nothing of them.
        """
        root = Path(root)
        top = root / "top"
        top.mkdir(parents=True, exist_ok=True)
        for name, f in self.folders:
            folder = root / "real" / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f.name).write_bytes(f.data)
        for link, target in self.links:
            os.symlink(root / "real" / target, top / link, target_is_directory=True)
        if self.cycle:
            os.symlink(top, top / "again", target_is_directory=True)
        return top


@st.composite
def linked_folders(draw: st.DrawFn) -> LinkedFolders:
    """Folders of undamaged CSV turn tables (distinct ids) reached through symbolic
    links, possibly two links to one folder and a link cycle."""
    n = draw(st.integers(1, 3))
    folders = []
    for k in range(n):
        rows = [f"f{k}i{i},{t},{('customer', 'agent')[t % 2]},{_TEXTS[t]}"
                for i in range(draw(st.integers(1, 3))) for t in range(2)]
        data = "\n".join(["interaction_id,turn_index,role,text", *rows]) + "\n"
        ids = frozenset(r.split(",", 1)[0] for r in rows)
        folders.append((f"d{k}", DamagedFile("turns.csv", data.encode(), ids)))
    links = [(f"link{k}", f"d{k}") for k in range(n)]
    if draw(st.booleans()):
        links.append(("twice", "d0"))
    return LinkedFolders(tuple(folders), tuple(links), draw(st.booleans()))

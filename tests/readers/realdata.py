"""Conversions of the real public data in ``../shared/data`` for the reader tests.

Used only by ``test_real_data.py``. Each function reads a raw dataset file with
the standard library or pandas and returns plain tables (or writes the input
file a reader takes), so that the tests can compare the readers' output with
values computed here, independently of serviceart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TWITTER_EPOCH_MS = 1288834974657


def snowflake_time(tweet_id: str | int) -> pd.Timestamp:
    """A tweet's creation time from its id (Twitter snowflake: ms = (id >> 22) + epoch)."""
    return pd.Timestamp((int(tweet_id) >> 22) + TWITTER_EPOCH_MS, unit="ms", tz="UTC")


def components(nodes: Iterable[Any], edges: Iterable[tuple[Any, Any]]) -> list[frozenset[Any]]:
    """Connected components of an undirected graph (union-find with path halving)."""
    parent: dict[Any, Any] = {n: n for n in nodes}

    def find(x: Any) -> Any:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[Any, set[Any]] = {}
    for n in parent:
        groups.setdefault(find(n), set()).add(n)
    return [frozenset(g) for g in groups.values()]


def reference_latency(roles: Sequence[str], seconds: Sequence[float],
                      asks: Sequence[bool] | None = None) -> dict[str, float]:
    """Reply latency of one written thread, turns in time order.

    The codebook's definition: each agent reply is timed from the first customer
    message that no agent had answered yet; customer messages after the last
    agent message are unanswered. The first response runs from the first customer
    message that asks for something (``asks``) to the next agent message, or is
    the first reply when no customer message asks for anything (or ``asks`` is
    not given).
    """
    waits: list[float] = []
    pending: float | None = None
    for role, t in zip(roles, seconds, strict=True):
        if role == "customer" and pending is None:
            pending = t
        elif role == "agent" and pending is not None:
            waits.append(t - pending)
            pending = None
    last_agent = max((i for i, r in enumerate(roles) if r == "agent"), default=-1)
    out = {"agent_replies": float(len(waits)),
           "unanswered_customer_turns": float(sum(r == "customer"
                                                  for r in roles[last_agent + 1:]))}
    request = next((i for i, (r, a) in enumerate(zip(roles, asks or [False] * len(roles),
                                                     strict=True))
                    if r == "customer" and a), None)
    if request is None:
        first = waits[0] if waits else np.nan
    else:
        reply = next((i for i in range(request + 1, len(roles)) if roles[i] == "agent"), None)
        first = np.nan if reply is None else seconds[reply] - seconds[request]
    if waits:
        out.update(first_response_s=first, median_reply_s=float(np.median(waits)),
                   max_reply_s=max(waits))
    else:
        out.update(first_response_s=np.nan, median_reply_s=np.nan, max_reply_s=np.nan)
    return out


# ---------------------------------------------------------------- IBM Twitter (CDP)
def ibm_messages(conversations: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per tweet of the IBM conversations, in the ``messages`` layout.

    ``dialogContent`` tweets keep their given ``datetime``; the final agent reply
    (``agentURL``) has none, so its time comes from its tweet id. The tweets of
    a conversation form a chain, each replying to the one before. Roles come
    from the JSON keys: ``agent`` and the final reply are the company's,
    ``client`` and ``client1`` (a second customer joining in) are customers'.
    Columns ``conv`` (position in the file) and ``final`` are for the tests.
    """
    rows: list[dict[str, Any]] = []
    for k, conv in enumerate(conversations):
        prev: str | None = None
        for msg in conv["dialogContent"]:
            who = next(key for key in ("agent", "client", "client1") if key in msg)
            rows.append({"id": msg["tweet_ID"], "author": msg[who],
                         "role": "agent" if who == "agent" else "customer",
                         "created_at": msg["datetime"], "text": msg["message"],
                         "in_reply_to": prev, "conv": k, "final": False})
            prev = msg["tweet_ID"]
        final = conv["agentURL"]
        rows.append({"id": final["tweet_ID"], "author": conv["dialogHeader"]["company"],
                     "role": "agent",
                     "created_at": snowflake_time(final["tweet_ID"]).isoformat(),
                     "text": final["url_utterance"], "in_reply_to": prev, "conv": k,
                     "final": True})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- IRC disentanglement
_IRC = re.compile(r"^(?:\S+ (?P<date>\d{4}-\d\d-\d\d) )?"
                  r"\[(?P<h>\d\d):(?P<m>\d\d)(?::(?P<s>\d\d))?\]"
                  r" (?:<(?P<nick>[^>]+)>|\s?\* (?P<actor>\S+))\s?(?P<text>.*)$")
_SYSTEM = re.compile(r"^=== (?P<nick>\S+)\s?(?P<text>.*)$")


def irc_lines(path: Path, day: str | None = None) -> pd.DataFrame:
    """Every line of an IRC log: ``line``, ``kind``, ``nick``, ``text``, ``time``.

    ``kind`` is ``message`` (``<nick> text``), ``action`` (``* nick does``) or
    ``system`` (``=== ...``: joins, parts, quits, nick changes and, in the old
    Ubuntu logs, ``/me`` emotes). Stripe lines carry their own date and
    ``hh:mm:ss``; Ubuntu lines only ``hh:mm``, dated ``day`` (from the file
    name). A clock reading earlier than the one before means the clock wrapped:
    the smallest multiple of 12 hours that keeps time from going backwards is
    added (the 2004-2007 Ubuntu logs use a 12-hour clock, ``[12:59]`` then
    ``[01:00]``; later ones a 24-hour clock). System lines have no time prefix
    and take the time of the last timed line before them.
    """
    raw = path.read_text(encoding="utf-8", errors="replace").split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    rows: list[dict[str, Any]] = []
    offset = pd.Timedelta(0)
    last: pd.Timestamp | None = None
    for i, line in enumerate(raw):
        m = _IRC.match(line)
        if m:
            base = pd.Timestamp(m["date"] or day or "2000-01-01", tz="UTC")
            t = base + pd.Timedelta(hours=int(m["h"]), minutes=int(m["m"]),
                                    seconds=int(m["s"] or 0)) + offset
            while last is not None and t < last:
                offset += pd.Timedelta(hours=12)
                t += pd.Timedelta(hours=12)
            last = t
            kind = "message" if m["nick"] else "action"
            nick = m["nick"] or m["actor"]
            text = m["text"].strip()
        else:
            s = _SYSTEM.match(line)
            if s is None:
                raise ValueError(f"{path}:{i}: unknown IRC line {line[:60]!r}")
            kind, nick, text, t = "system", s["nick"], line.strip(), last
        rows.append({"line": i, "kind": kind, "nick": nick, "text": text, "time": t})
    lines = pd.DataFrame(rows)
    lines["time"] = lines["time"].bfill()  # system lines before the first timed one
    return lines


def irc_links(path: Path) -> list[tuple[int, int]]:
    """The annotated links ``(earlier, later)`` of a ``*.annotation.txt`` file.

    A line ``a b -`` links message ``b`` to message ``a``; in every file ``a <=
    b``, so ``b`` is the reply and ``a`` what it answers; ``a == b`` marks the
    start of a conversation.
    """
    out = []
    for line in path.read_text().split("\n"):
        if line.strip():
            a, b = line.split()[:2]
            out.append((int(a), int(b)))
    return out


def irc_messages(lines: pd.DataFrame, links: list[tuple[int, int]], prefix: str
                 ) -> pd.DataFrame:
    """The annotated messages of one log in the ``messages`` layout.

    Kept: every line that is an end of a link (the 200-250 annotated lines and
    the context lines they answer). ``in_reply_to`` is the *latest* earlier
    message the line is linked to (a line linked to several earlier ones, which
    the annotation allows, keeps only that one, as the ``messages`` layout has
    one parent per message); ``id`` is ``prefix`` + line number. System lines
    get ``role`` ``system``; the others leave ``role`` empty for ``agent_ids``.
    """
    parent: dict[int, int | None] = {}
    for a, b in links:
        parent.setdefault(a, None)
        parent.setdefault(b, None)
        if a < b:
            p = parent[b]
            parent[b] = a if p is None else max(p, a)
    sub = lines.set_index("line").loc[sorted(parent)]
    return pd.DataFrame({
        "id": [f"{prefix}{n}" for n in sub.index],
        "author": sub["nick"].to_numpy(),
        "role": ["system" if k == "system" else None for k in sub["kind"]],
        "created_at": [t.isoformat() for t in sub["time"]],
        "text": sub["text"].to_numpy(),
        "in_reply_to": [None if parent[n] is None else f"{prefix}{parent[n]}"
                        for n in sub.index],
        "line": sub.index.to_numpy(),
        "kind": sub["kind"].to_numpy(),
    })


def write_jsonl(frame: pd.DataFrame, path: Path, columns: Sequence[str]) -> Path:
    """Rows of ``frame`` (only ``columns``) as JSON lines; None stays null."""
    with path.open("w", encoding="utf-8") as fh:
        for rec in frame[list(columns)].to_dict("records"):
            fh.write(json.dumps({k: (None if isinstance(v, float) and v != v else v)
                                 for k, v in rec.items()}) + "\n")
    return path


# ---------------------------------------------------------------- Enron power threads
_BLOCK = re.compile(r"<(row|message)>(.*?)</\1>", re.S)
_PERSON = re.compile(r'<(from|to|cc) name="([^"]*)" id="([^"]*)" address="([^"]*)"')
_TAG_LINE = re.compile(r"^\s*\[[A-Za-z-]+:.*\]\s*$")
_LINK_LINE = re.compile(r"^\s*(?:S?[FB]link|Sflink)[\d.]+\s*$")
_SEGMENT = re.compile(r"^\s*M\d+\.\d+\.\s?")
_MARK = re.compile(r"\s*\[Y\]")


def _tag(block: str, name: str) -> str:
    m = re.search(rf"<{name}>(.*?)</{name}>", block, re.S)
    return "" if m is None else m.group(1).strip()


def enron_body(content: str) -> str:
    """The message text of an annotated ``<content>``: segment numbers (``M2.1.``),
    dialog-act tags (``[Inform: ...]``), ``[Y]`` marks, link markers (``Blink1.2``)
    and the blank lines the dump puts between all lines removed."""
    out = []
    for line in content.split("\n"):
        if _TAG_LINE.match(line) or _LINK_LINE.match(line):
            continue
        line = _MARK.sub("", _SEGMENT.sub("", line)).rstrip()
        if line.strip():
            out.append(line)
    return "\n".join(out).strip()


def enron_threads(folder: Path) -> pd.DataFrame:
    """Every annotated message of the Enron power threads, one row each.

    The files are not well-formed XML (free-text notes before the dump, raw
    ``&`` in texts, two layouts: ``<custom><row>`` and ``<xml><message>``), so
    the fields are taken with regular expressions. A person appears once per
    address alias; the first address of each person id is used. Messages the
    annotators rebuilt from quotes (``ThreadNodeBubble``) have no sender.
    """
    rows: list[dict[str, Any]] = []
    for f in sorted(folder.rglob("*.xml")):
        text = f.read_text(encoding="utf-8", errors="replace")
        for _, block in _BLOCK.findall(text):
            people: dict[str, dict[str, str]] = {"from": {}, "to": {}, "cc": {}}
            for kind, _name, pid, addr in _PERSON.findall(block):
                people[kind].setdefault(pid, addr.lower())
            parent = _tag(block, "parent_id")
            rows.append({
                "file": f.name, "thread": _tag(block, "thread_id"),
                "message_id": _tag(block, "message_id"),
                "parent": None if parent in ("", "NULL") else parent,
                "type": _tag(block, "type"),
                "sender": next(iter(people["from"].values()), None),
                "to": list(people["to"].values()), "cc": list(people["cc"].values()),
                "subject": _tag(block, "subject"),
                "date": pd.Timestamp(_tag(block, "date_time"), tz="UTC"),
                "body": enron_body(_tag(block, "content")),
            })
    return pd.DataFrame(rows)


def msgid(n: str) -> str:
    """The Message-ID written for annotated message ``n``."""
    return f"{n}@power-threads.enron.example"


def enron_mbox(frame: pd.DataFrame, path: Path, *, pointers: bool = True) -> Path:
    """Write the messages as an mbox, in date order.

    Headers: From (absent for rebuilt messages), To, Cc, Date (the annotated
    time, UTC), Subject, Message-ID and, with ``pointers``, In-Reply-To (the
    annotated parent) and References (the chain of annotated parents up to the
    root, as mail clients write it; parents missing from the data end it).
    """
    by_id = frame.set_index("message_id")
    out: list[str] = []
    for _, r in frame.sort_values(["date", "message_id"], kind="mergesort").iterrows():
        head = [f"From {r['sender'] or 'MAILER-DAEMON'} "
                f"{r['date'].strftime('%a %b %d %H:%M:%S %Y')}"]
        if r["sender"]:
            head.append(f"From: {r['sender']}")
        if r["to"]:
            head.append("To: " + ", ".join(r["to"]))
        if r["cc"]:
            head.append("Cc: " + ", ".join(r["cc"]))
        head += [f"Subject: {r['subject']}", f"Date: {format_datetime(r['date'].to_pydatetime())}",
                 f"Message-ID: <{msgid(r['message_id'])}>"]
        if pointers and not pd.isna(r["parent"]):
            chain = [r["parent"]]
            while chain[-1] in by_id.index and not pd.isna(by_id.loc[chain[-1], "parent"]):
                chain.append(by_id.loc[chain[-1], "parent"])
            head.append(f"In-Reply-To: <{msgid(r['parent'])}>")
            head.append("References: " + " ".join(f"<{msgid(c)}>" for c in reversed(chain)))
        head += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", ""]
        body = "\n".join((">" + ln) if ln.startswith("From ") else ln
                         for ln in r["body"].split("\n"))
        out.append("\n".join(head) + "\n" + body + "\n")
    path.write_text("\n".join(out), encoding="utf-8")
    return path

"""The ``text`` reader: plain transcripts, one turn per line.

Format::

    # id: call-0042
    # channel: call
    # started_at: 2026-03-02T09:00:00Z
    [00:00:03] Agent (Dana): Good morning, this is Dana.
    [00:00:07] Customer: Hi, my internet is down again.
    it has been down since Tuesday.

- ``# key: value`` lines before the first turn are interaction metadata (``id``
  names the interaction; others become interaction columns).
- A turn line is ``[hh:mm:ss] Label: text`` or ``Label: text``; ``Label (Name)``
  gives the speaker's name. Labels map to roles (``Agent``, ``Rep``,
  ``Customer``, ``Caller``, ``System``...; more with ``roles={...}``); an unknown
  label is rejected with the label named.
- A line that is not a turn line continues the previous turn.
- A blank line ends an interaction; a file may hold several.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..rejects import RejectCode
from ._text import open_text
from .base import Names, RawFrames, Reader, register_reader, reject_rows

__all__ = ["TextReader"]

_TURN = re.compile(
    r"^\s*(?:\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\]\s*)?"
    r"(?P<label>[A-Za-z][A-Za-z0-9_.'-]*(?: [A-Za-z0-9_.'-]+){0,2}?)"
    r"\s*(?:\((?P<name>[^)]{1,60})\))?\s*:\s*(?P<text>.*)$"
)
_META = re.compile(r"^\s*#\s*(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")

DEFAULT_ROLES: dict[str, str] = {
    **dict.fromkeys(("agent", "rep", "representative", "advisor", "adviser", "csr", "support",
                     "operator", "associate", "specialist", "staff"), "agent"),
    **dict.fromkeys(("customer", "caller", "client", "user", "member", "guest", "cust",
                     "consumer"), "customer"),
    **dict.fromkeys(("system", "ivr", "bot", "automated", "recording"), "system"),
}


def _seconds(ts: str) -> float:
    parts = [float(p) for p in ts.split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def _join(rows: list[dict[str, Any]], more: list[str]) -> None:
    """Append the collected continuation lines to the last turn's text, and clear them."""
    if more:
        rows[-1]["text"] = " ".join([rows[-1]["text"], *more]).strip()
        more.clear()


@register_reader
class TextReader(Reader):
    """Read plain-text transcripts.

    Parameters
    ----------
    roles
        Extra label-to-role mappings, e.g. ``{"Dana": "agent"}``.
    encoding
        The file's text encoding, tried first after a byte-order mark (by default
        the encoding is detected).
    agent_ids, agent_domains, company
        Evidence for inferring roles where labels are names, not roles (see
        :func:`serviceart.read`'s ``infer_roles``): agents' speaker names or ids,
        their mail domains, the company's name(s).

    Examples
    --------
    >>> import serviceart as sa
    >>> conv = sa.read("data/samples/transcripts.txt")
    >>> conv.interactions["interaction_id"].tolist()
    ['text-0001', 'text-0002', 'text-0003']
    """

    name = "text"
    extensions = (".txt", ".log", ".transcript")

    def __init__(self, *, roles: Mapping[str, str] | None = None, encoding: str | None = None,
                 agent_ids: Names | None = None, agent_domains: Names | None = None,
                 company: Names | None = None) -> None:
        super().__init__(roles=roles, encoding=encoding, agent_ids=agent_ids,
                         agent_domains=agent_domains, company=company)

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """Likely a transcript when lines start with a role label and a colon."""
        if path.suffix.lower() not in cls.extensions:
            return 0.0
        lines = [ln for ln in head.splitlines()[:40] if ln.strip() and not ln.startswith("#")]
        matches = [m for ln in lines if (m := _TURN.match(ln))]
        if any(m.group("label").lower() in DEFAULT_ROLES for m in matches):
            return 0.9
        # speakers named, not roled ("Dana: ..."): most lines are "Label: text"
        return 0.6 if len(matches) >= 2 and len(matches) >= 0.6 * len(lines) else 0.2

    def load(self, path: Path) -> RawFrames:
        """Parse the transcripts; stray lines become rejects with their line number."""
        user_roles = {str(k).lower(): str(v) for k, v in (self.options.get("roles") or {}).items()}
        rows: list[dict[str, Any]] = []
        bad: list[dict[str, Any]] = []
        meta: dict[str, str] = {}
        block = 0
        in_block = False
        turns_in_block = 0  # metadata lines count only before a block's first turn
        more: list[str] = []  # continuation lines of the last turn, joined once
        with open_text(path, self.options.get("encoding")) as fh:
            for lineno, raw in enumerate(fh, 1):
                line = raw.rstrip("\r\n")
                if not line.strip():
                    in_block, meta = False, {}
                    continue
                if not in_block:
                    block += 1
                    in_block, turns_in_block = True, 0
                iid = meta.get("id") or f"{path.stem}-{block:03d}"
                m_meta = _META.match(line) if not turns_in_block else None
                if m_meta:
                    meta[m_meta.group("key").lower()] = m_meta.group("value")
                    continue
                m = _TURN.match(line)
                if m:
                    _join(rows, more)
                    label = m.group("label").strip()
                    role = user_roles.get(label.lower()) or DEFAULT_ROLES.get(label.lower(), label)
                    name = m.group("name") or (None if label.lower() in DEFAULT_ROLES
                                               else label)
                    row: dict[str, Any] = {
                        "interaction_id": iid, "role": role, "speaker": name,
                        "text": m.group("text").strip(), "record": f"line {lineno}",
                        "start_s": _seconds(m.group("ts")) if m.group("ts") else None,
                    }
                    row.update({k: v for k, v in meta.items() if k != "id"})
                    rows.append(row)
                    turns_in_block += 1
                elif turns_in_block:
                    more.append(line.strip())
                else:
                    bad.append({"source": str(path), "record": f"line {lineno}",
                                "interaction_id": iid, "code": RejectCode.MALFORMED_LINE,
                                "reason": "a line before any 'Label: text' turn line"})
        _join(rows, more)
        frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(
            columns=["interaction_id", "role", "text", "record"])
        if "started_at" in frame.columns and "start_s" in frame.columns:
            started = pd.to_datetime(frame["started_at"], utc=True, errors="coerce",
                                     format="ISO8601")
            frame["timestamp"] = started + pd.to_timedelta(frame["start_s"], unit="s")
        frame["source"] = str(path)
        return RawFrames(turns=frame, rejects=reject_rows(bad), labels_as_roles=True)

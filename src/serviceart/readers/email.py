"""The ``eml`` and ``mbox`` readers: email threads, quotes and signatures removed.

One turn per message. ``speaker`` is the From address (lower-cased; Mailman's
archives write it ``jgb at example.com``, read as ``jgb@example.com``), ``timestamp``
the Date header in UTC (unknown, NaT, for a message without a Date header),
``channel`` is ``email``, ``record`` the Message-ID (or ``message N``, N counted from 1
in the file, when a message has none). The plain-text part is preferred; an HTML-only
message is converted to text with the standard library (``<script>``/``<style>``
dropped, line breaks kept for ``<br>``, ``<p>``, ``<div>``, ``<li>``, ``<tr>``,
headings; entities unescaped), its quoted message marked from the HTML's structure
before it is flattened (:mod:`serviceart.readers._html`: ``<blockquote>``, Gmail's
``gmail_quote``, Outlook's ``divRplyFwdMsg``, rules drawn above header blocks).

Roles
    ``agent_domains=["acme.com"]`` (the domain or any subdomain of it) and/or
    ``agent_addresses=["dana@gmail.com"]``: a message whose From address matches
    is the agent's, any other the customer's. Without either option the readers
    raise :class:`~serviceart.errors.ConfigError`. ``customer_id`` is left to the
    validator, which takes the first customer address of the thread in time order.

Quote and signature stripping (what is removed goes to the ``removed_text``
turn column, so nothing is lost)
    The rules are in :mod:`serviceart.readers._quotes`, the words they use, in many
    languages, in ``serviceart/data/email_quotes.toml``. In short:

    1. Lines starting with ``>`` are removed, with the attribution line above them
       ("On Tue, 3 Mar 2026 at 10:02, Dana <dana@acme.com> wrote:", "Am ... schrieb
       ...:", "Den ... skrev ...:", wrapped over up to four lines or sharing a line
       with the reply); text after a quote is kept (bottom-posted and interleaved
       replies).
    2. Everything from the first of these to the end is removed: an attribution
       *not* followed by ``>`` lines (Apple Mail), a separator ("-----Original
       Message-----", "-----Oprindelig meddelelse-----", "---------- Forwarded
       message ---------", "Begin forwarded message:"), a quoted header block in any
       of the languages listed ("From:"/"Sent:", "Von:"/"Gesendet:", "De :"/"Envoyé :",
       "Date:"/"To:", ...), with the rule of underscores or dashes above it. Such a
       block at the very top of the body (a forward without a note) is read as
       written.
    3. In what is left, a mailing list footer and mail program taglines at the end
       ("Sent from my iPhone", a short line, not a sentence starting the same way)
       are removed, and the signature: a ``--`` line, a line of dashes over a few
       short lines, a sign-off ("Kind regards,", "Mit freundlichen Grüßen",
       "Med venlig hilsen", ...) over at most six short lines, a last line "-Name",
       a last block of short lines with addresses, phone numbers or links. A
       signature needs text above it. "Thanks," and "Thank you" are kept: they are
       courtesy the scorers look for.
    A message with nothing left is rejected with ``only_quoted``; one with no
    text at all with ``empty_text``.

Threading
    A thread's key is its *root* Message-ID: the first id in ``References``;
    else the root of the message named by ``In-Reply-To`` when that message was
    read too (followed up the chain), else the ``In-Reply-To`` id itself; else
    the message's own Message-ID. ``interaction_id`` and ``case_id`` are that id
    without angle brackets. Because the key comes from the headers, not from
    the file, ``sa.read`` (which loads each file on its own) gives the messages
    of one thread in different ``.eml`` files the same ``interaction_id`` and the
    validator joins them into one interaction. :func:`read_mailboxes` reads
    several files together and threads across them, which also joins replies
    that carry only ``In-Reply-To`` pointing at a non-root message in another
    file.

    Fallback: a message with neither ``References`` nor ``In-Reply-To`` that has
    no Message-ID, or whose subject starts with a reply/forward prefix, joins the
    thread whose messages have the same normalised subject (``Re:``, ``Fwd:``,
    ``FW:``, ``AW:``, ``SV:``, ``WG:``, ``TR:``, ``RE:`` and ``[tags]`` removed,
    case and spaces folded) and the same set of participants (From, To, Cc).
    With no such thread it starts one keyed ``subject-<12 hex digits>`` (a hash
    of subject and participants, so the same in every file). A reply whose
    subject is empty once the prefixes are removed is not joined to other
    threads by subject: its own Message-ID is its thread key (without one, the
    hash above).

Rejects
    ``bad_timestamp`` (an unparseable or out-of-range Date, the Message-ID named),
    ``missing_sender`` (no From address), ``only_quoted``, ``empty_text``,
    ``flattened_headers`` (the header block was flattened onto one line, as in
    some CSV dumps of the Enron corpus), ``no_headers`` (not an email at all).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import mailbox
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from ..errors import ConfigError, FormatError
from ..ingest.validate import in_time_range, out_of_range_note
from ..rejects import RejectCode
from ._html import html_reply_text
from ._quotes import quote_cut, signature_cut
from ._text import text_codec
from .base import Names, RawFrames, Reader, register_reader, reject_rows

__all__ = ["EmlReader", "MboxReader", "html_to_text", "normalize_subject", "read_mailboxes",
           "strip_reply"]

# ---------------------------------------------------------------- HTML to text
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                         "blockquote", "table", "ul", "ol", "pre", "hr"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML body (scripts and styles dropped, block breaks kept).

    Examples
    --------
    >>> html_to_text("<p>Hi&nbsp;Dana,</p><script>x()</script><div>Thanks<br>Bo</div>")
    'Hi Dana,\\n\\nThanks\\nBo'
    """
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; be safe on pathological input
        pass
    text = unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [ln.strip() for ln in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ---------------------------------------------------------------- stripping
_quote_cut = quote_cut  # the quote stage alone (a diagnostic of the peer suite calls it)


def _tidy(lines: Iterable[str]) -> str:
    text = "\n".join(ln.rstrip() for ln in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_reply(text: str) -> tuple[str, str]:
    """Split an email body into what the sender wrote and the quotes and signature.

    Parameters
    ----------
    text
        The message body as plain text.

    Returns
    -------
    tuple of str
        ``(kept, removed)``; ``removed`` holds the quoted replies, forwarded
        content and signature, in their original order.

    Examples
    --------
    >>> strip_reply("Fixed now.\\n\\nOn Tue, 3 Mar 2026, Dana wrote:\\n> Is it fixed?")
    ('Fixed now.', 'On Tue, 3 Mar 2026, Dana wrote:\\n> Is it fixed?')
    >>> strip_reply("Thanks!\\n\\n-- \\nBo Lind\\nAcme")
    ('Thanks!', '--\\nBo Lind\\nAcme')
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut, drop = quote_cut(lines)
    body_end = len(lines) if cut is None else cut
    kept_idx = [i for i in range(body_end) if i not in drop]
    sig = signature_cut([lines[i] for i in kept_idx])
    if sig is not None:
        kept_idx = kept_idx[:sig]
    keep = set(kept_idx)
    kept = [lines[i] for i in kept_idx]
    removed = [ln for i, ln in enumerate(lines) if i not in keep]
    return _tidy(kept), _tidy(removed)


# ---------------------------------------------------------------- parsing
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|sv|wg|tr|vs|antw|r)\s*(?:\[\d+\])?\s*:\s*|\[[^\]]{0,60}\]\s*)",
    re.IGNORECASE)
_MSGID = re.compile(r"<[^<>\s]+>")


def normalize_subject(subject: str | None) -> tuple[str, bool]:
    """The subject without reply/forward prefixes and ``[tags]``, and whether it had any.

    Examples
    --------
    >>> normalize_subject("RE: [Ticket #12] Fwd: AW:  Router  down")
    ('router down', True)
    """
    s = subject or ""
    had = False
    while True:
        new = _SUBJECT_PREFIX.sub("", s, count=1)
        if new == s:
            break
        had = True
        s = new
    return " ".join(s.split()).lower(), had


def _decode(value: str | None) -> str | None:
    """A raw header value with RFC 2047 encoded words decoded, unfolded."""
    if value is None:
        return None
    raw = str(value)
    try:
        out = str(make_header(decode_header(raw)))
    except Exception:  # malformed encoded words: keep the raw text
        out = raw
    return " ".join(out.split())


def _ids(value: str | None) -> list[str]:
    """Message ids in a header value, without angle brackets."""
    if not value:
        return []
    found = _MSGID.findall(value)
    if found:
        return [f[1:-1] for f in found]
    return [v.strip("<>") for v in value.split() if v.strip("<>")]


# Mailman's archives (pipermail) hide addresses as "jgb at example.com (Name)"
_ARCHIVED_ADDRESS = re.compile(r"^\s*([^\s@<>()\"',;:]+) at ([\w-]+(?:\.[\w-]+)+)(?=\s*(?:\(|$))")


def _addresses(values: Sequence[str]) -> list[str]:
    decoded = [_decode(v) or "" for v in values]
    decoded = [v if "@" in v else _ARCHIVED_ADDRESS.sub(r"\1@\2", v) for v in decoded]
    try:
        pairs = getaddresses(decoded)
    except Exception:
        return []
    return [a.strip().lower() for _, a in pairs if a and "@" in a]


@dataclass
class _Mail:
    """One parsed message, ready for threading."""

    source: str
    record: str
    message_id: str | None
    sender: str | None
    participants: frozenset[str]
    subject: str
    subject_key: str
    reply_subject: bool
    references_root: str | None = None  # the first id in References
    in_reply_to: str | None = None
    timestamp: pd.Timestamp | None = None
    date_raw: str | None = None
    text: str = ""
    removed: str = ""
    body_empty: bool = False
    problem: tuple[str, RejectCode, str] | None = None  # (field, code, reason)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload() or "").encode("utf-8", "replace")
    # an unknown charset name, or one that is no text encoding (bz2, rot13, undefined...)
    charset = text_codec(part.get_content_charset() or "utf-8") or "latin-1"
    return payload.decode(charset, errors="replace")


def _body(msg: Message) -> str:
    """The message text: the first text/plain part, else text/html converted."""
    plain: str | None = None
    html: str | None = None
    try:
        parts = list(msg.walk())
    except Exception:
        parts = [msg]
    for part in parts:
        try:
            if part.is_multipart():
                continue
            disp = (part.get("Content-Disposition") or "")
            if "attachment" in str(disp).lower():
                continue
            ctype = part.get_content_type()
        except Exception:
            continue
        if ctype == "text/plain" and plain is None:
            plain = _part_text(part)
        elif ctype == "text/html" and html is None:
            html = _part_text(part)
    if plain is not None and plain.strip():
        return plain
    if html is not None:
        return html_reply_text(html)
    return plain or ""


def _timestamp(raw: str | None) -> pd.Timestamp | None:
    if not raw:
        return None
    try:
        dt = parsedate_to_datetime(raw)
        if dt is None:
            return None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        ts = pd.Timestamp(dt.astimezone(UTC))
        return ts.as_unit("ns") if in_time_range(ts) else None
    except (ValueError, TypeError, OverflowError, IndexError, pd.errors.OutOfBoundsDatetime):
        return None


def _date_problem(raw: str) -> str:
    """Why a Date header gave no usable time: out of range, or not a date at all."""
    try:
        dt = parsedate_to_datetime(raw)
    except (ValueError, TypeError, OverflowError, IndexError):
        dt = None
    if dt is not None:
        return f"Date {raw!r} {out_of_range_note()}"
    return f"Date {raw!r} is not a date and time"


def _unsurrogate(text: str) -> str:
    """Header text with raw non-ASCII bytes (kept by the parser as lone surrogates)
    decoded as UTF-8 or, when they are no UTF-8, as Windows-1252 (else Latin-1), the
    usual charset of unencoded 8-bit headers, so that the text can be stored."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    for codec in ("utf-8", "cp1252"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _parse(data: bytes, source: str, position: int) -> _Mail:
    """One message's bytes as a :class:`_Mail` (problems recorded, never raised)."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    headers: dict[str, list[str]] = {}
    try:
        for k, v in msg.raw_items():
            headers.setdefault(_unsurrogate(str(k)).strip().lower(), []).append(
                _unsurrogate(str(v)))
    except Exception:
        headers = {}

    def first(name: str) -> str | None:
        vals = headers.get(name)
        return vals[0] if vals else None

    mids = _ids(first("message-id"))
    mid = mids[0] if mids else None
    record = mid or f"message {position}"
    senders = _addresses(headers.get("from", []))
    participants = frozenset(senders + _addresses(headers.get("to", []))
                             + _addresses(headers.get("cc", [])))
    subject = _decode(first("subject")) or ""
    key, had_prefix = normalize_subject(subject)
    refs = _ids(first("references"))
    irt = _ids(first("in-reply-to"))
    mail = _Mail(source=source, record=record, message_id=mid,
                 sender=senders[0] if senders else None, participants=participants,
                 subject=subject, subject_key=key, reply_subject=had_prefix,
                 references_root=refs[0] if refs else None, in_reply_to=irt[0] if irt else None,
                 date_raw=_decode(first("date")))
    if not headers:
        mail.problem = ("message", RejectCode.NO_HEADERS,
                        "no email headers found; the file is not an email message")
        return mail
    blob = " ".join(f"{k}: {v}" for k, vs in headers.items() for v in vs[:1])
    if len(headers) <= 2 and re.search(r"\s(?:Date|From|Subject|To):\s", blob):
        mail.problem = ("message", RejectCode.FLATTENED_HEADERS,
                        "the headers are run together on one line (line breaks were removed), "
                        "so Date, From and the body cannot be told apart; restore the line "
                        "breaks of the original message")
        return mail
    mail.timestamp = _timestamp(mail.date_raw)
    try:
        text = _body(msg)
    except Exception:
        text = ""
    mail.text, mail.removed = strip_reply(text)
    mail.body_empty = not text.strip()
    if mail.timestamp is None and mail.date_raw:
        mail.problem = ("timestamp", RejectCode.BAD_TIMESTAMP,
                        f"message {mid or record}: {_date_problem(mail.date_raw)}")
    elif mail.sender is None:
        mail.problem = ("speaker", RejectCode.MISSING_SENDER,
                        f"message {record}: no From address")
    elif mail.body_empty:
        mail.problem = ("text", RejectCode.EMPTY_TEXT, f"message {record} has no text")
    elif not mail.text:
        mail.problem = ("text", RejectCode.ONLY_QUOTED,
                        f"message {record} holds only quoted text or a signature "
                        f"({len(mail.removed)} characters, none written by the sender)")
    return mail


_HEAD_END = re.compile(rb"\r?\n\r?\n")


def _mbox_messages(path: Path) -> Iterator[bytes]:
    """The raw bytes of each message of an mbox, one at a time."""
    src = str(path)
    try:
        box = mailbox.mbox(str(path), create=False)
        try:
            found = False
            for key in box.iterkeys():
                found = True
                yield box.get_bytes(key)
        finally:
            box.close()
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc}", source=src, code="SA-F009") from exc
    if not found:
        raise FormatError("no messages found: an mbox file starts each message with "
                          "a 'From ' line", source=src, code="SA-F010")


def _parse_safely(data: bytes, src: str, position: int) -> _Mail:
    try:
        return _parse(data, src, position)
    except Exception as exc:  # the email package should not raise; never let it escape
        return _Mail(source=src, record=f"message {position}", message_id=None, sender=None,
                     participants=frozenset(), subject="", subject_key="",
                     reply_subject=False,
                     problem=("message", RejectCode.UNPARSEABLE, f"cannot parse: {exc}"))


def _read_file(path: Path) -> list[_Mail]:
    """Every message of an ``.mbox`` (or ``.mbx``) file, or the one message of another file."""
    src = str(path)
    if path.suffix.lower() in MboxReader.extensions:
        datas: Iterable[bytes] = _mbox_messages(path)
    else:
        try:
            datas = [path.read_bytes()]
        except OSError as exc:
            raise FormatError(f"cannot read the file: {exc}", source=src, code="SA-F011") from exc
    return [_parse_safely(data, src, i) for i, data in enumerate(datas, 1)]


# ---------------------------------------------------------------- threading
def _roots(mails: Sequence[_Mail]) -> list[str]:
    """Each message's thread key (see the module docstring)."""
    by_id = {m.message_id: m for m in mails if m.message_id}
    memo: dict[str, str] = {}

    def root_of(m: _Mail) -> str | None:
        seen: set[str] = set()
        chain: list[str] = []
        cur: _Mail | None = m
        result: str | None = None
        while cur is not None:
            if cur.message_id and cur.message_id in memo:
                result = memo[cur.message_id]
                break
            if cur.message_id:
                if cur.message_id in seen:
                    result = cur.message_id
                    break
                seen.add(cur.message_id)
                chain.append(cur.message_id)
            if cur.references_root:
                result = cur.references_root
                break
            if cur.in_reply_to:
                nxt = by_id.get(cur.in_reply_to)
                if nxt is None or nxt is cur:
                    result = cur.in_reply_to
                    break
                cur = nxt
                continue
            result = cur.message_id
            break
        if result is not None:
            for c in chain:
                memo[c] = result
        return result

    keys: list[str | None] = []
    for m in mails:
        has_ptr = bool(m.references_root or m.in_reply_to)
        if not has_ptr and (m.message_id is None or m.reply_subject):
            keys.append(None)  # decided by the fallback below
        else:
            keys.append(root_of(m))
    by_subject: dict[tuple[str, frozenset[str]], str] = {}
    for m, k in zip(mails, keys, strict=True):
        if k is not None and m.subject_key:
            by_subject.setdefault((m.subject_key, m.participants), k)
    out: list[str] = []
    for m, k in zip(mails, keys, strict=True):
        if k is None:
            fk = (m.subject_key, m.participants)
            # an empty subject ("Re:" alone) says nothing about the thread: such a
            # reply is not joined to others of the same people by subject
            k = by_subject.get(fk) if m.subject_key else None
            if k is None:
                k = m.message_id
            if k is None:
                digest = hashlib.sha1(
                    (m.subject_key + "|" + ",".join(sorted(m.participants))).encode()).hexdigest()
                k = f"subject-{digest[:12]}"
            if m.subject_key:
                by_subject.setdefault(fk, k)
        out.append(k)
    return out


# ---------------------------------------------------------------- frames
def _roles_config(options: dict[str, Any], source: str) -> tuple[set[str], set[str]]:
    def as_set(value: Any) -> set[str]:
        if value is None:
            return set()
        if isinstance(value, str):
            value = [value]
        return {str(v).strip().lower().lstrip("@") for v in value if str(v).strip()}

    domains = as_set(options.get("agent_domains"))
    addresses = as_set(options.get("agent_addresses"))
    if not domains and not addresses:
        raise ConfigError(
            "cannot tell agents from customers in email: give agent_domains=['acme.com'] "
            "(senders at that domain or its subdomains are agents) and/or "
            "agent_addresses=['dana@gmail.com']; every other sender is a customer",
            source=source, code="SA-C079")
    return domains, addresses


def _role(sender: str, domains: set[str], addresses: set[str]) -> str:
    if sender in addresses:
        return "agent"
    domain = sender.rsplit("@", 1)[-1]
    if any(domain == d or domain.endswith("." + d) for d in domains):
        return "agent"
    return "customer"


def _frames(mails: Sequence[_Mail], options: dict[str, Any], source: str,
            roots: Sequence[str] | None = None) -> RawFrames:
    """Turns and rejects for parsed messages, threaded together (or by the given roots)."""
    domains, addresses = _roles_config(options, source)
    if roots is None:
        roots = _roots(mails)
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for m, root in zip(mails, roots, strict=True):
        if m.problem is not None:
            fld, code, reason = m.problem
            bad.append({"source": m.source, "record": m.record,
                        "interaction_id": None if code in (
                            RejectCode.NO_HEADERS, RejectCode.FLATTENED_HEADERS,
                            RejectCode.UNPARSEABLE) else root,
                        "field": fld, "code": code, "reason": reason})
            continue
        assert m.sender is not None
        rows.append({"interaction_id": root, "role": _role(m.sender, domains, addresses),
                     "speaker": m.sender, "text": m.text, "timestamp": m.timestamp,
                     "channel": "email", "case_id": root, "source": m.source,
                     "record": m.record, "message_id": m.message_id, "subject": m.subject,
                     "removed_text": m.removed})
    cols = ["interaction_id", "role", "speaker", "text", "channel", "case_id", "source",
            "record", "message_id", "subject", "removed_text"]
    turns = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype="string") for c in cols})
    turns.insert(4, "timestamp", pd.Series([r["timestamp"] for r in rows],
                                           dtype="datetime64[ns, UTC]"))
    return RawFrames(turns=turns, rejects=reject_rows(bad),
                     turn_columns=("message_id", "subject", "removed_text"))


def read_mailboxes(paths: Iterable[str | Path], *, agent_domains: Names | None = None,
                   agent_addresses: Names | None = None) -> RawFrames:
    """Read several ``.eml``/``.mbox`` files and thread their messages together.

    Parameters
    ----------
    paths
        Email files (``.mbox``/``.mbx`` read as mailboxes, anything else as one
        message).
    agent_domains
        Sender domains of agents (subdomains included).
    agent_addresses
        Sender addresses of agents.

    Returns
    -------
    RawFrames
        Turns of every message, threaded across the files, and rejects; pass
        them to :meth:`serviceart.Conversations.from_frames`.

    Raises
    ------
    ConfigError
        Without ``agent_domains`` or ``agent_addresses``.
    FormatError
        When a file cannot be read, or an mbox holds no message.
    """
    files = [Path(p) for p in paths]
    options = {"agent_domains": agent_domains, "agent_addresses": agent_addresses}
    _roles_config(options, f"{len(files)} files")
    mails: list[_Mail] = []
    for f in files:
        mails.extend(_read_file(f))
    return _frames(mails, options, f"{len(files)} files")


_HEADER_LINE = re.compile(r"^(?:From|Subject|Message-ID|Received|Date|To|Return-Path|"
                          r"MIME-Version|Delivered-To):\s", re.IGNORECASE | re.MULTILINE)


@register_reader
class EmlReader(Reader):
    """Read one email message per ``.eml`` file (see the module docstring).

    Parameters
    ----------
    agent_domains
        Sender domains of agents (subdomains included).
    agent_addresses
        Sender addresses of agents.

    Raises
    ------
    ConfigError
        Without ``agent_domains`` or ``agent_addresses``.
    """

    name = "eml"
    extensions: ClassVar[tuple[str, ...]] = (".eml",)
    threads_across_files: ClassVar[bool] = True

    def __init__(self, *, agent_domains: Names | None = None,
                 agent_addresses: Names | None = None) -> None:
        super().__init__(agent_domains=agent_domains, agent_addresses=agent_addresses)

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """0.9 for an ``.eml`` whose head has header lines, 0.3 for one without."""
        if path.suffix.lower() not in cls.extensions:
            return 0.0
        return 0.9 if _HEADER_LINE.search(head) else 0.3

    def load(self, path: Path) -> RawFrames:
        """Read the message; the interaction id is its thread's root Message-ID."""
        _roles_config(self.options, str(path))
        return _frames(_read_file(path), self.options, str(path))


@register_reader
class MboxReader(EmlReader):
    """Read an mbox mailbox, threading its messages (see the module docstring).

    Parameters
    ----------
    agent_domains
        Sender domains of agents (subdomains included).
    agent_addresses
        Sender addresses of agents.

    Raises
    ------
    ConfigError
        Without ``agent_domains`` or ``agent_addresses``.
    FormatError
        When the file holds no message.
    """

    name = "mbox"
    extensions = (".mbox", ".mbx")

    @classmethod
    def sniff(cls, path: Path, head: str) -> float:
        """0.95 for an ``.mbox``/``.mbx`` starting with ``From ``, 0.3 otherwise."""
        if path.suffix.lower() not in cls.extensions:
            return 0.0
        return 0.95 if head.lstrip("\ufeff").startswith("From ") else 0.3

    threads_across_files: ClassVar[bool] = False

    def iter_load(self, path: Path, chunk_size: int = 1000) -> Iterator[RawFrames]:
        """Stream the mailbox: about ``chunk_size`` whole threads per item.

        Two passes over the file, one message in memory at a time: the first
        parses headers only and threads them (the same rules as :meth:`load`);
        the second parses each message fully and hands on a thread as soon as
        its last message is read. Threads are taken within this file; a thread
        continued in another mailbox is read whole by :func:`serviceart.read`.
        """
        if chunk_size < 1:
            raise ConfigError(f"chunk_size must be >= 1, got {chunk_size}", field="chunk_size",
                              code="SA-C080")
        src = str(path)
        _roles_config(self.options, src)
        heads = [_parse_safely(_HEAD_END.split(data, 1)[0] + b"\n\n", src, i)
                 for i, data in enumerate(_mbox_messages(path), 1)]
        roots = _roots(heads)
        del heads
        last: dict[str, int] = {}
        for i, r in enumerate(roots):
            last[r] = i
        pending: list[tuple[_Mail, str]] = []
        done_roots = 0
        for i, data in enumerate(_mbox_messages(path)):
            pending.append((_parse_safely(data, src, i + 1), roots[i]))
            if last[roots[i]] == i:
                done_roots += 1
            if done_roots >= chunk_size or i == len(roots) - 1:
                ready = [(m, r) for m, r in pending if last[r] <= i]
                pending = [(m, r) for m, r in pending if last[r] > i]
                done_roots = 0
                yield _frames([m for m, _ in ready], self.options, src,
                              roots=[r for _, r in ready])


"""The ``freshdesk`` reader: Freshdesk tickets viewed with their conversations.

One ticket is one interaction. The ticket's description is the first turn and
each public entry of ``conversations[]`` (``GET /api/v2/tickets/{id}?include=
conversations``) a further turn. Layouts read (see :mod:`.helpdesk` for the
shared streaming, options and rejects): one ticket per line (JSON Lines,
streamed; use it for bulk exports), a single ticket, the List Tickets array,
a filter response ``{"results": [...]}`` or ``{"tickets": [...]}``.

A List Conversations response (``GET /api/v2/tickets/{id}/conversations``: a
JSON array of conversations) is one ticket's thread, not a list of tickets: its
id is the conversations' ``ticket_id`` (conversations of several tickets make
one ticket each), else the file name without its extension. It has no
description, no requester and no ticket time: roles come from ``incoming``, and
the interaction starts at its first message.

The deprecated API v1 layout ``{"helpdesk_ticket": {...}}`` (alone, or in an
array) is read too [1]: the ticket number is ``display_id`` (the ``id`` of API
v2), ``description`` is plain text and ``description_html`` its HTML,
``ticket_type`` the type, and each ``notes[].note`` (``body``, ``body_html``,
``incoming``, ``private``, ``user_id``, ``created_at``) a conversation. Records
of API v2 that use these v1 names (``description_html``, ``ticket_type``) are
read the same way.

Sources of the field names
--------------------------
[T] Freshdesk API v2, "View a Ticket" (``include=conversations``) and the ticket
    attributes: ``id``, ``subject``, ``description`` (HTML), ``description_text``,
    ``requester_id``, ``responder_id``, ``group_id``, ``company_id``, ``created_at``,
    ``source``, ``status``, ``priority``, ``type``, ``tags``
    (https://developers.freshdesk.com/api/#view_a_ticket).
[V] Freshdesk API v2, "Conversations" (https://developers.freshdesk.com/api/#conversations):
    ``body`` (HTML), ``body_text``, ``incoming``, ``private``, ``user_id``,
    ``created_at``, ``from_email``, ``support_email``; also the Freshdesk SDK
    ``Conversation`` model (developers.freshworks.com).
[1] Freshdesk API v1 ("helpdesk_ticket", "notes"), as recorded in the test data of
    python-freshdesk (``freshdesk/v1/tests/sample_json_data/ticket_1.json``).
[E] The ticket enumerations of the API page: source 1 Email, 2 Portal, 3 Phone,
    7 Chat, 9 Feedback Widget, 10 Outbound Email (5 Twitter and 6 Facebook in
    older accounts); status 2 Open, 3 Pending, 4 Resolved, 5 Closed; priority 1
    Low, 2 Medium, 3 High, 4 Urgent.

Mapping
-------
=======================  ==================================================================
serviceart               export
=======================  ==================================================================
interaction_id, case_id  ticket ``id`` [T]
channel                  ``source`` [E]: 1, 2, 9, 10 -> email (portal and widget
                         tickets are answered by email); 3 -> call; 7 -> chat; 5, 6 ->
                         social; absent or other values -> email (raw value in
                         ``freshdesk_source``); ``channel=`` overrides
customer_id              ``requester_id`` [T]
agent_id                 ``responder_id`` [T] (the current assignee)
started_at               ticket ``created_at`` [T], UTC
turn record              ``ticket <id> description`` / ``ticket <id> conversation
                         <conversation id>`` (prefixed by ``line N`` in JSON Lines)
role                     description: customer (agent for source 10, outbound email);
                         conversations: ``incoming`` true -> customer, false ->
                         agent; absent: ``user_id`` = ``requester_id`` -> customer,
                         else agent [V]
speaker                  description: ``requester_id`` (``responder_id`` for outbound
                         email); conversations: ``user_id`` [V]
text                     ``description_text`` / ``body_text``, else ``description`` /
                         ``body`` HTML as text [T][V]
timestamp                ticket ``created_at`` / conversation ``created_at``, UTC
(private notes)          conversations with ``private: true`` [V]: skipped and counted in
                         ``private_notes`` (``private_notes="system"`` keeps them)
freshdesk_subject        ``subject``
freshdesk_status         ``status`` as its name (Open, Pending, Resolved, Closed), else
                         the raw value
freshdesk_priority       ``priority`` as its name (Low, Medium, High, Urgent)
freshdesk_source         ``source`` as exported (a number)
freshdesk_type           ``type``
freshdesk_tags           ``tags``, comma-joined
freshdesk_group_id       ``group_id``
freshdesk_company_id     ``company_id``
=======================  ==================================================================

Examples
--------
>>> import serviceart as sa
>>> import serviceart.readers.freshdesk  # noqa: F401  (registers the reader)
>>> conv = sa.read("tests/readers/fixtures/helpdesk/freshdesk_tickets.json")
>>> conv.interactions[["interaction_id", "freshdesk_priority"]].values.tolist()
[['812', 'High'], ['813', 'Low']]
"""

from __future__ import annotations

from typing import Any

from ..rejects import RejectCode
from ._json import BadValue, dig, given, has_keys, joined
from .base import register_reader
from .helpdesk import (
    Collector,
    HelpdeskReader,
    Item,
    Record,
    Settings,
    at,
    message_text,
    required_time,
)

__all__ = ["FreshdeskReader"]

#: ticket ``source`` [E] to serviceart channels; any other value -> email.
CHANNELS = {"1": "email", "2": "email", "3": "call", "5": "social", "6": "social",
            "7": "chat", "9": "email", "10": "email"}
STATUSES = {"2": "Open", "3": "Pending", "4": "Resolved", "5": "Closed"}
PRIORITIES = {"1": "Low", "2": "Medium", "3": "High", "4": "Urgent"}
OUTBOUND_EMAIL = "10"

META_COLUMNS: dict[str, str] = {
    "freshdesk_subject": "string",
    "freshdesk_status": "string",
    "freshdesk_priority": "string",
    "freshdesk_source": "string",
    "freshdesk_type": "string",
    "freshdesk_tags": "string",
    "freshdesk_group_id": "string",
    "freshdesk_company_id": "string",
}


def _is_conversation(obj: Any) -> bool:
    """Whether a JSON value is a conversation of the Conversations API [V] (and not a
    ticket)."""
    return (isinstance(obj, dict) and ("body_text" in obj or "body" in obj)
            and ("incoming" in obj or "ticket_id" in obj)
            and not {"description", "description_text", "subject", "requester_id"} & set(obj))


def _v1_note(note: Any) -> Any:
    """An API v1 ``{"note": {...}}`` as a conversation of API v2."""
    n = note.get("note", note) if isinstance(note, dict) else note
    if not isinstance(n, dict):
        return n
    out = dict(n)
    if "body_html" in n:
        out["body_text"], out["body"] = n.get("body"), n.get("body_html")
    return out


def _v2_names(t: dict[str, Any]) -> dict[str, Any]:
    """A ticket with the API v1 field names [1] renamed to their API v2 names."""
    if "description_html" not in t and "ticket_type" not in t and "notes" not in t \
            and "display_id" not in t:
        return t
    out = dict(t)
    if "description_html" in t and "description_text" not in t:
        out["description_text"], out["description"] = t.get("description"), \
            t.get("description_html")
    if "type" not in t and "ticket_type" in t:
        out["type"] = t["ticket_type"]
    if given(t.get("display_id")) is not None:
        out["id"] = t["display_id"]
    if "conversations" not in t and "notes" in t:
        notes = t["notes"]  # not a list: rejected below as conversations are
        out["conversations"] = [_v1_note(n) for n in notes] if isinstance(notes, list) \
            else notes
    return out


def _named(value: Any, names: dict[str, str]) -> str | None:
    raw = given(value)
    return None if raw is None else names.get(raw, raw)


@register_reader
class FreshdeskReader(HelpdeskReader):
    """Read Freshdesk tickets with their conversations (see the module docstring).

    Parameters
    ----------
    roles
        Author ids, or ``incoming``/``outgoing``, mapped to ``agent``/``customer``/``system``.
    agent_ids
        Author ids of agents.
    private_notes
        ``"skip"`` (default: counted in ``private_notes``) or ``"system"``.
    strip_quotes
        Remove quoted replies and signatures from email bodies (default True).
    channel
        Force the channel of every ticket.

    Examples
    --------
    >>> import serviceart as sa
    >>> import serviceart.readers.freshdesk  # noqa: F401  (registers the reader)
    >>> conv = sa.read("tests/readers/fixtures/helpdesk/freshdesk_tickets.json",
    ...                format="freshdesk")
    >>> conv.turns.groupby("interaction_id")["role"].apply(
    ...     lambda r: r.astype(str).tolist()).to_dict()["812"]
    ['customer', 'agent', 'customer', 'agent', 'customer']
    """

    name = "freshdesk"
    record_name = "ticket"
    meta_columns = META_COLUMNS

    @classmethod
    def _recognises(cls, head: str) -> bool:
        return has_keys(head, "description_text", "fr_escalated", "fr_due_by",
                        "helpdesk_ticket") or (
            has_keys(head, "conversations") and has_keys(head, "incoming")
            and has_keys(head, "requester_id", "support_email")) or (
            has_keys(head, "body_text") and has_keys(head, "incoming")
            and has_keys(head, "ticket_id", "support_email"))

    def _unwrap(self, obj: Any, where: str) -> list[Item]:
        if isinstance(obj, dict):
            if isinstance(obj.get("helpdesk_ticket"), dict):
                return [Item(where, obj["helpdesk_ticket"])]
            for key in ("tickets", "results"):
                if isinstance(obj.get(key), list):
                    loc = f"{where} " if where else ""
                    return [Item(f"{loc}{key}[{i}]", t) for i, t in enumerate(obj[key])]
        return [Item(where, obj)]

    def _unwrap_array(self, array: list[Any], where: str) -> list[Item] | None:
        """A List Conversations response: one ticket per ``ticket_id``."""
        if not array or not all(_is_conversation(c) for c in array):
            return None
        groups: dict[str | None, list[Any]] = {}
        for c in array:
            groups.setdefault(given(c.get("ticket_id")), []).append(c)
        loc = f"{where}: " if where else ""
        return [Item(f"{loc}conversations of ticket {tid}" if len(groups) > 1 else where,
                     {"id": tid, "conversations": convs}, {"conversations_only": True})
                for tid, convs in groups.items()]

    def _read(self, item: Item, settings: Settings, out: Collector) -> None:
        t, where = _v2_names(item.obj), item.where
        thread_only = bool(item.context.get("conversations_only"))
        tid = given(t.get("id"))
        if tid is None and thread_only:
            tid = out.path.stem
        if tid is None:
            out.reject(at(where, "ticket"), None, "id", RejectCode.MISSING_FIELD,
                       "the ticket has no id")
            return
        what = f"ticket {tid}"
        try:
            started = None if thread_only else required_time(t, "created_at")
        except BadValue as exc:
            out.reject(at(where, what), tid, exc.field, exc.code, exc.reason)
            return
        source = given(t.get("source"))
        channel = settings.channel or CHANNELS.get(source or "", "email")
        requester = given(t.get("requester_id"))
        responder = given(t.get("responder_id"))
        rec = Record(tid, where, channel, settings)

        if started is not None and (t.get("description_text") is not None
                                    or t.get("description") is not None):
            record = at(where, f"{what} description")
            try:
                text = message_text(t, ("description_text",), ("description",),
                                    "description")
            except BadValue as exc:
                rec.reject(record, exc.field, exc.code, exc.reason)
            else:
                outbound = source == OUTBOUND_EMAIL
                speaker = responder if outbound else requester
                label = "outgoing" if outbound else "incoming"
                role = settings.role(speaker, label, "agent" if outbound else "customer")
                rec.message(record, role=role, speaker=speaker, text=text, timestamp=started)

        convs = t.get("conversations")
        if convs is not None and not isinstance(convs, list):
            rec.reject(at(where, what), "conversations", RejectCode.MALFORMED_RECORD,
                       f"conversations is a {type(convs).__name__}, not a list")
            convs = []
        for n, c in enumerate(convs or []):
            cid = given(dig(c, "id"))
            record = at(where, f"{what} conversation {cid}" if cid else
                        f"{what} conversations[{n}]")
            if not isinstance(c, dict):
                rec.reject(record, None, RejectCode.MALFORMED_RECORD,
                           f"a conversation must be an object, not {type(c).__name__}")
                continue
            try:
                speaker = given(c.get("user_id"))
                incoming = c.get("incoming")
                if not isinstance(incoming, bool):
                    if speaker is None:
                        raise BadValue(RejectCode.MISSING_FIELD,
                                       "the conversation has neither incoming nor user_id",
                                       "incoming")
                    incoming = speaker == requester
                stamp = required_time(c, "created_at")
                text = message_text(c, ("body_text",), ("body",), "conversation")
            except BadValue as exc:
                rec.reject(record, exc.field, exc.code, exc.reason)
                continue
            role = settings.role(speaker, "incoming" if incoming else "outgoing",
                                 "customer" if incoming else "agent")
            rec.message(record, role=role, speaker=speaker, text=text, timestamp=stamp,
                        private=c.get("private") is True)
        out.commit(rec, {
            "case_id": tid, "customer_id": requester, "agent_id": responder,
            "started_at": started,
            "freshdesk_subject": given(t.get("subject")),
            "freshdesk_status": _named(t.get("status"), STATUSES),
            "freshdesk_priority": _named(t.get("priority"), PRIORITIES),
            "freshdesk_source": source,
            "freshdesk_type": given(t.get("type")),
            "freshdesk_tags": joined(t.get("tags")),
            "freshdesk_group_id": given(t.get("group_id")),
            "freshdesk_company_id": given(t.get("company_id")),
        }, what)

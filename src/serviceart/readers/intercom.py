"""The ``intercom`` reader: Intercom conversations with their parts.

One conversation is one interaction. Its ``source`` (the message that started
it) is the first turn; each ``conversation_parts`` part with a body is a turn,
except notes. Layouts read (see :mod:`.helpdesk` for the shared streaming,
options and rejects): one conversation per line (JSON Lines, streamed; use it
for bulk exports), a single conversation, a list response
``{"type": "conversation.list", "conversations": [...]}`` (or a search
response), or a JSON array of conversations.

Sources of the field names
--------------------------
[M] Intercom API reference, "The conversation model" (``id``, ``created_at`` as
    Unix seconds, ``source``, ``contacts``, ``admin_assignee_id``,
    ``team_assignee_id``, ``state``, ``priority``, ``tags``, ``statistics``,
    ``conversation_rating``, ``conversation_parts``)
    (https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/conversation).
[S] The official client's ``ConversationSource`` type: ``type`` (conversation,
    email, facebook, instagram, phone_call, phone_switch, push, sms, twitter,
    whatsapp), ``delivered_as``, ``subject``, ``body`` (HTML), ``author``
    (intercom-client, ``api/types/ConversationSource.d.ts``).
[P] The client's ``ConversationPart`` and ``ConversationPartAuthor`` types:
    ``part_type``, ``body`` (HTML), ``created_at``, ``assigned_to``, ``author``
    (``type``, ``id``, ``name``, ``email``) (``api/types/ConversationPart.d.ts``).

Mapping
-------
============================  ==============================================================
serviceart                    export
============================  ==============================================================
interaction_id, case_id       ``id`` [M]
channel                       ``source.type`` [S]: conversation, push -> chat; email ->
                              email; sms, whatsapp -> chat; facebook, instagram, twitter
                              -> social; phone_call, phone_switch -> call; absent or any
                              other value -> chat (the raw value is in
                              ``intercom_source_type``); ``channel=`` overrides
customer_id                   ``source.author.id`` when a user/lead/contact wrote it, else
                              the first of ``contacts.contacts[].id`` [M]
agent_id                      ``admin_assignee_id`` [M]
started_at                    ``created_at`` [M] (Unix seconds), UTC
turn record                   ``conversation <id> source`` / ``conversation <id> part
                              <part id>`` (prefixed by ``line N`` in JSON Lines)
role                          ``author.type`` [P]: user, lead, contact -> customer; admin,
                              team -> agent; bot -> system
speaker                       ``author.id`` [P]
text                          ``body`` (HTML) as text [S][P]
timestamp                     source: conversation ``created_at``; part ``created_at``
(private notes)               ``part_type`` note (and note_and_reopen): skipped and
                              counted in ``private_notes`` (``private_notes="system"``
                              keeps them)
(not turns)                   parts without a body: assignment, open, close, snoozed,
                              participant_added... events
intercom_team_id              ``team_assignee_id``
intercom_state                ``state`` (open, closed, snoozed)
intercom_priority             ``priority``
intercom_subject              ``source.subject`` (HTML removed)
intercom_source_type          ``source.type``
intercom_delivered_as         ``source.delivered_as``
intercom_tags                 ``tags.tags[].name``, comma-joined
intercom_rating               ``conversation_rating.rating`` (1..5)
intercom_time_to_reply_s      ``statistics.time_to_admin_reply`` (seconds)
intercom_reopens              ``statistics.count_reopens``
============================  ==============================================================

Examples
--------
>>> import serviceart as sa
>>> import serviceart.readers.intercom  # noqa: F401  (registers the reader)
>>> conv = sa.read("tests/readers/fixtures/helpdesk/intercom_conversations.jsonl")
>>> conv.interactions["channel"].astype(str).tolist()
['chat', 'email', 'chat']
"""

from __future__ import annotations

from typing import Any

from ..rejects import RejectCode
from ._json import BadValue, dig, given, has_keys, number
from .base import register_reader
from .email import html_to_text
from .helpdesk import (
    Collector,
    HelpdeskReader,
    Item,
    Record,
    Settings,
    at,
    epoch_or_iso,
    message_text,
    required_time,
)

__all__ = ["IntercomReader"]

#: ``author.type`` [P] to serviceart roles.
AUTHOR_ROLES = {"user": "customer", "lead": "customer", "contact": "customer",
                "admin": "agent", "team": "agent", "bot": "system"}

#: ``source.type`` [S] to serviceart channels; any other value -> chat.
CHANNELS = {"conversation": "chat", "push": "chat", "email": "email", "sms": "chat",
            "whatsapp": "chat", "facebook": "social", "instagram": "social",
            "twitter": "social", "phone_call": "call", "phone_switch": "call"}

NOTE_TYPES = frozenset({"note", "note_and_reopen"})

META_COLUMNS: dict[str, str] = {
    "intercom_team_id": "string",
    "intercom_state": "string",
    "intercom_priority": "string",
    "intercom_subject": "string",
    "intercom_source_type": "string",
    "intercom_delivered_as": "string",
    "intercom_tags": "string",
    "intercom_rating": "float64",
    "intercom_time_to_reply_s": "float64",
    "intercom_reopens": "float64",
}


def _names(tags: Any) -> str | None:
    items = dig(tags, "tags") if isinstance(tags, dict) else tags
    if not isinstance(items, list):
        return None
    return ",".join(n for n in (given(dig(t, "name")) for t in items) if n)


def _first_contact(conv: dict[str, Any]) -> str | None:
    contacts = conv.get("contacts")
    items = dig(contacts, "contacts") if isinstance(contacts, dict) else contacts
    if isinstance(items, list):
        for c in items:
            cid = given(dig(c, "id"))
            if cid is not None:
                return cid
    return None


@register_reader
class IntercomReader(HelpdeskReader):
    """Read Intercom conversations with their parts (see the module docstring).

    Parameters
    ----------
    roles
        Author ids or Intercom author types mapped to ``agent``/``customer``/``system``
        (e.g. ``roles={"bot": "agent"}`` to score the bot as an agent).
    agent_ids
        Author ids of agents.
    private_notes
        ``"skip"`` (default: counted in ``private_notes``) or ``"system"``.
    strip_quotes
        Remove quoted replies and signatures from email bodies (default True).
    channel
        Force the channel of every conversation.

    Examples
    --------
    >>> import serviceart as sa
    >>> import serviceart.readers.intercom  # noqa: F401  (registers the reader)
    >>> conv = sa.read("tests/readers/fixtures/helpdesk/intercom_conversations.jsonl",
    ...                format="intercom")
    >>> first = conv.turns[conv.turns["interaction_id"] == "215470001"]
    >>> first["role"].astype(str).tolist()
    ['customer', 'system', 'agent', 'customer', 'agent']
    """

    name = "intercom"
    record_name = "conversation"
    meta_columns = META_COLUMNS

    @classmethod
    def _recognises(cls, head: str) -> bool:
        return has_keys(head, "conversation_parts", "conversation.list") or (
            has_keys(head, "delivered_as") and has_keys(head, "source"))

    def _unwrap(self, obj: Any, where: str) -> list[Item]:
        if isinstance(obj, dict) and isinstance(obj.get("conversations"), list):
            loc = f"{where} " if where else ""
            return [Item(f"{loc}conversations[{i}]", c)
                    for i, c in enumerate(obj["conversations"])]
        return [Item(where, obj)]

    def _read(self, item: Item, settings: Settings, out: Collector) -> None:
        conv, where = item.obj, item.where
        cid = given(conv.get("id"))
        if cid is None:
            out.reject(at(where, "conversation"), None, "id", RejectCode.MISSING_FIELD,
                       "the conversation has no id")
            return
        what = f"conversation {cid}"
        try:
            started = required_time(conv, "created_at", epoch=True)
        except BadValue as exc:
            out.reject(at(where, what), cid, exc.field, exc.code, exc.reason)
            return
        source = conv.get("source")
        raw_type = given(dig(source, "type"))
        channel = settings.channel or CHANNELS.get((raw_type or "").lower(), "chat")
        rec = Record(cid, where, channel, settings)
        customer: str | None = None
        if source is not None and not isinstance(source, dict):
            rec.reject(at(where, f"{what} source"), "source", RejectCode.MALFORMED_RECORD,
                       f"source is a {type(source).__name__}, not an object")
        elif isinstance(source, dict) and source.get("body") is not None:
            spoken = self._part(rec, at(where, f"{what} source"), source, settings,
                                stamp=started)
            if spoken is not None and spoken[1] == "customer":
                customer = spoken[0]
        parts = conv.get("conversation_parts")
        items = dig(parts, "conversation_parts") if isinstance(parts, dict) else parts
        if items is not None and not isinstance(items, list):
            rec.reject(at(where, what), "conversation_parts", RejectCode.MALFORMED_RECORD,
                       f"conversation_parts is a {type(items).__name__}, not a list")
            items = []
        for n, part in enumerate(items or []):
            pid = given(dig(part, "id"))
            record = at(where, f"{what} part {pid}" if pid else f"{what} parts[{n}]")
            if not isinstance(part, dict):
                rec.reject(record, None, RejectCode.MALFORMED_RECORD,
                           f"a conversation part must be an object, not {type(part).__name__}")
                continue
            body = part.get("body")
            if body is None or (isinstance(body, str) and not html_to_text(body)):
                continue  # an event: assignment, open, close, snooze...
            self._part(rec, record, part, settings, stamp=None,
                       private=str(part.get("part_type") or "").lower() in NOTE_TYPES)
        out.commit(rec, {
            "case_id": cid, "customer_id": customer or _first_contact(conv),
            "agent_id": given(conv.get("admin_assignee_id")), "started_at": started,
            "intercom_team_id": given(conv.get("team_assignee_id")),
            "intercom_state": given(conv.get("state")),
            "intercom_priority": given(conv.get("priority")),
            "intercom_subject": (html_to_text(dig(source, "subject"))
                                 if isinstance(dig(source, "subject"), str) else None) or None,
            "intercom_source_type": raw_type,
            "intercom_delivered_as": given(dig(source, "delivered_as")),
            "intercom_tags": _names(conv.get("tags")),
            "intercom_rating": number(dig(conv, "conversation_rating", "rating")),
            "intercom_time_to_reply_s": number(dig(conv, "statistics", "time_to_admin_reply")),
            "intercom_reopens": number(dig(conv, "statistics", "count_reopens")),
        }, what)

    @staticmethod
    def _part(rec: Record, record: str, part: dict[str, Any], settings: Settings, *,
              stamp: Any, private: bool = False) -> tuple[str | None, str] | None:
        """Add the source or one part; return (speaker, role), or None when rejected."""
        try:
            author = part.get("author")
            kind = given(dig(author, "type"))
            if kind is None:
                raise BadValue(RejectCode.MISSING_FIELD, "the message has no author.type",
                               "author.type")
            speaker = given(dig(author, "id"))
            if stamp is None:
                stamp = required_time(part, "created_at", epoch=True)
            elif part.get("created_at") is not None:
                stamp = epoch_or_iso(part["created_at"], "created_at")
            text = message_text(part, (), ("body",), "message")
        except BadValue as exc:
            rec.reject(record, exc.field, exc.code, exc.reason)
            return None
        role = settings.role(speaker, kind, AUTHOR_ROLES.get(kind.lower(), kind.lower()))
        rec.message(record, role=role, speaker=speaker, text=text, timestamp=stamp,
                    private=private)
        return speaker, role

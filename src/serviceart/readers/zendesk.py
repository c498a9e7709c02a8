"""The ``zendesk`` reader: Zendesk Support tickets with their comments.

One ticket is one interaction; its public comments are the turns (the ticket's
description is its first comment). Layouts read (see :mod:`.helpdesk` for the
shared streaming, options and rejects):

- the Admin Center JSON export: NDJSON, one ticket per line with ``comments[]``
  embedded (the file is named ``.json``; it is recognised by its lines) [X];
- a Tickets API response ``{"tickets": [...], "users": [...]}`` (side-loaded
  users), a Search API response ``{"results": [...]}``, the ticket + comments
  pair ``{"ticket": {...}, "comments": [...]}`` [T][C], a single ticket, or a
  JSON array of any of these. Bulk exports should be JSON Lines, which are
  streamed; a JSON document is parsed whole.

Sources of the field names
--------------------------
[T] Zendesk Support API, "Tickets", JSON format
    (https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/).
[C] Zendesk Support API, "Ticket Comments", JSON format: ``id``, ``author_id``,
    ``body``, ``html_body``, ``plain_body``, ``public``, ``created_at``, ``via``
    (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/);
    "the description is saved as the first comment of a ticket".
[A] Zendesk Support API, "Ticket Audits": ``audits[]`` with ``ticket_id``,
    ``author_id``, ``created_at`` and ``events[]`` of ``type`` ``Comment``
    (``body``, ``html_body``, ``plain_body``, ``public``, ``author_id``)
    (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/).
[U] Zendesk Support API, "Users": ``role`` is ``end-user``, ``agent`` or ``admin``;
    side-loading with ``?include=users``.
[V] Zendesk "Via object reference": ``via.channel`` values (``email``, ``web``,
    ``api``, ``chat``, ``native_messaging``, ``twitter``, ``facebook``, ``voice``...).
[X] Zendesk help center, "Exporting ticket, user, or organization data from your
    account" (JSON export: one ticket per line, comments included).

Mapping
-------
=======================  ==================================================================
serviceart               export
=======================  ==================================================================
interaction_id, case_id  ticket ``id`` [T]
channel                  ``via.channel`` [V]: email -> email; chat, native_messaging,
                         messaging, mobile_sdk, sms, whatsapp... -> chat; twitter,
                         facebook, instagram_dm -> social; voice, phone -> call;
                         web, api, web form and any other value -> email (ticket
                         replies go out by email; the raw value is in
                         ``zendesk_channel``); ``channel=`` overrides
customer_id              ``requester_id`` [T]
agent_id                 ``assignee_id`` [T] (the current assignee; the validator
                         takes the first agent who wrote when absent)
started_at               ticket ``created_at`` [T]
turn record              ``ticket <id> comment <comment id>`` (prefixed by ``line N``
                         in JSON Lines, ``tickets[i]`` in a response)
role                     side-loaded user ``role`` [U]: end-user -> customer, agent and
                         admin -> agent; else the requester -> customer, any other
                         author -> agent (with ``agent_ids=`` given: unlisted authors
                         -> customer)
speaker                  comment ``author_id`` [C]
text                     ``plain_body``, else ``body``, else ``html_body`` as text [C]
timestamp                comment ``created_at`` [C], UTC
(private notes)          comments with ``public: false`` [C]: skipped and counted in
                         ``private_notes`` (``private_notes="system"`` keeps them)
zendesk_subject          ``subject``
zendesk_status           ``status`` (new, open, pending, hold, solved, closed)
zendesk_priority         ``priority``
zendesk_type             ``type`` (problem, incident, question, task)
zendesk_channel          ``via.channel`` as exported
zendesk_tags             ``tags``, comma-joined
zendesk_group_id         ``group_id``
zendesk_organization_id  ``organization_id``
zendesk_satisfaction     ``satisfaction_rating.score`` (good, bad, offered, unoffered)
=======================  ==================================================================

A ticket without ``comments`` (a plain Tickets API response) gives one turn
from its ``description``, by ``submitter_id`` (else ``requester_id``) at
``created_at``.

A List Comments response alone, ``{"comments": [...]}`` (``GET
/api/v2/tickets/{id}/comments``) [C], is one ticket's thread. The response does
not hold the ticket, so its id is taken, in this order, from the comments'
``ticket_id`` (comments carrying different ``ticket_id`` values make one ticket
each), from a ``/tickets/<id>/`` address in ``next_page``, ``previous_page`` or
``links``, else from the file name without its extension
(``ticket_1234_comments.json`` gives ``ticket_1234_comments``). A List Audits
response ``{"audits": [...]}`` [A] is read the same way: each ``Comment`` event
of an audit is a comment of the audit's ``ticket_id`` (its author and time are
the event's, else the audit's), and the other events (field changes,
notifications) are no messages. Roles then come
from side-loaded users (``?include=users``), ``roles=`` or ``agent_ids=``; with
none of these, the author of the earliest comment (the description, which is
the ticket's first comment [C]) is taken as the requester and so the customer,
every other author as an agent, and the interaction is marked
``roles_inferred`` with ``role_basis`` ``first_comment_author`` and
``role_confidence`` ``low`` (an agent who opened the ticket for a caller would
be taken for the customer). Other tickets have ``roles_inferred`` false.

Examples
--------
>>> import serviceart as sa
>>> import serviceart.readers.zendesk  # noqa: F401  (registers the reader)
>>> conv = sa.read("tests/readers/fixtures/helpdesk/zendesk_export.json")
>>> conv.interactions["interaction_id"].tolist()
['4101', '4102', '4103']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..rejects import RejectCode
from ._json import BadValue, dig, given, has_keys, joined, utc
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

__all__ = ["ZendeskReader"]

#: Zendesk user roles [U] to serviceart roles.
USER_ROLES = {"end-user": "customer", "end_user": "customer", "agent": "agent",
              "admin": "agent"}

#: ``via.channel`` values [V] to serviceart channels; any other value -> email.
CHANNELS = {
    "email": "email", "chat": "chat", "native_messaging": "chat", "messaging": "chat",
    "mobile_sdk": "chat", "sdk": "chat", "sms": "chat", "whatsapp": "chat", "line": "chat",
    "wechat": "chat", "telegram": "chat", "viber": "chat", "apple_business_chat": "chat",
    "google_rcs": "chat", "twitter": "social", "twitter_dm": "social", "facebook": "social",
    "facebook_post": "social", "facebook_message": "social", "instagram_dm": "social",
    "voice": "call", "phone": "call", "phone_call_inbound": "call",
    "phone_call_outbound": "call", "voicemail": "call",
}

META_COLUMNS: dict[str, str] = {
    "zendesk_subject": "string",
    "zendesk_status": "string",
    "zendesk_priority": "string",
    "zendesk_type": "string",
    "zendesk_channel": "string",
    "zendesk_tags": "string",
    "zendesk_group_id": "string",
    "zendesk_organization_id": "string",
    "zendesk_satisfaction": "string",
    "roles_inferred": "boolean",
    "role_basis": "string",
    "role_confidence": "string",
}

#: a ticket's address in a paging link: ``.../api/v2/tickets/2/comments.json?page=2``
_TICKET_URL = re.compile(r"/tickets/(\d+)(?=[/.?#]|$)")


def _users(obj: Mapping[str, Any]) -> dict[str, str]:
    """Side-loaded ``users[]``: id -> role."""
    out: dict[str, str] = {}
    users = obj.get("users")
    for u in users if isinstance(users, list) else []:
        uid, role = given(dig(u, "id")), given(dig(u, "role"))
        if uid is not None and role is not None:
            out[uid] = role.lower()
    return out


def _loc(where: str, what: str) -> str:
    return f"{where} {what}" if where else what


def _audit_comments(audits: list[Any]) -> list[Any]:
    """The ``Comment`` events of a List Audits response [A] as comments with the
    audit's ``ticket_id`` (author and time from the event, else from the audit)."""
    out: list[Any] = []
    for audit in audits:
        if not isinstance(audit, dict):
            out.append(audit)  # rejected as a comment that is not an object
            continue
        events = audit.get("events")
        for event in events if isinstance(events, list) else []:
            if isinstance(event, dict) and str(event.get("type", "")).lower() == "comment":
                out.append({**event, "ticket_id": audit.get("ticket_id"),
                            "author_id": event.get("author_id", audit.get("author_id")),
                            "created_at": event.get("created_at", audit.get("created_at"))})
    return out


def _comment_threads(obj: Mapping[str, Any], where: str, ctx: dict[str, Any]) -> list[Item]:
    """A List Comments response as one ticket per ``ticket_id`` (one ticket when the
    comments carry none; its id is found in :meth:`ZendeskReader._read`)."""
    comments: list[Any] = obj["comments"]
    known = list(dict.fromkeys(given(dig(c, "ticket_id")) for c in comments
                               if isinstance(c, dict)))
    if len(known) > 1 and None not in known:
        groups: dict[str, list[Any]] = {str(k): [] for k in known}
        for c in comments:  # an item that is no object goes with the first ticket
            key = given(dig(c, "ticket_id")) if isinstance(c, dict) else None
            groups[str(key) if key is not None else str(known[0])].append(c)
        return [Item(_loc(where, f"comments of ticket {tid}"),
                     {"id": tid, "comments": cs}, {**ctx, "comments_only": True})
                for tid, cs in groups.items()]
    tid = known[0] if len(known) == 1 else None
    if tid is None:
        links = [obj.get("next_page"), obj.get("previous_page"), dig(obj, "links", "next"),
                 dig(obj, "links", "prev")]
        found = {m.group(1) for link in links if isinstance(link, str)
                 for m in [_TICKET_URL.search(link)] if m}
        tid = found.pop() if len(found) == 1 else None
    return [Item(where, {"id": tid, "comments": comments}, {**ctx, "comments_only": True})]


@register_reader
class ZendeskReader(HelpdeskReader):
    """Read Zendesk Support tickets with comments (see the module docstring).

    Parameters
    ----------
    roles
        Author ids or Zendesk user roles mapped to ``agent``/``customer``/``system``.
    agent_ids
        Author ids of agents; when the file has no side-loaded users, every
        other author is then a customer.
    private_notes
        ``"skip"`` (default: counted in ``private_notes``) or ``"system"``.
    strip_quotes
        Remove quoted replies and signatures from email bodies (default True).
    channel
        Force the channel of every ticket.

    Examples
    --------
    >>> import serviceart as sa
    >>> import serviceart.readers.zendesk  # noqa: F401  (registers the reader)
    >>> conv = sa.read("tests/readers/fixtures/helpdesk/zendesk_export.json",
    ...                format="zendesk")
    >>> conv.turns.loc[conv.turns["interaction_id"] == "4101", "role"].astype(str).tolist()
    ['customer', 'agent', 'customer', 'agent']
    """

    name = "zendesk"
    record_name = "ticket"
    meta_columns = META_COLUMNS

    @classmethod
    def _recognises(cls, head: str) -> bool:
        ticket = (has_keys(head, "requester_id")
                  and has_keys(head, "via", "comments", "submitter_id", "plain_body",
                               "html_body"))
        comments = (has_keys(head, "comments", "audits") and has_keys(head, "author_id")
                    and has_keys(head, "plain_body", "html_body"))
        return ((ticket or comments)
                and not has_keys(head, "description_text", "responder_id", "fr_escalated"))

    def _unwrap(self, obj: Any, where: str) -> list[Item]:
        if not isinstance(obj, dict):
            return [Item(where, obj)]
        ctx = {"users": _users(obj)}
        for key in ("tickets", "results"):
            if isinstance(obj.get(key), list):
                return [Item(_loc(where, f"{key}[{i}]"), t, ctx)
                        for i, t in enumerate(obj[key])]
        ticket = obj.get("ticket")
        if isinstance(ticket, dict):
            if "comments" not in ticket and isinstance(obj.get("comments"), list):
                ticket = {**ticket, "comments": obj["comments"]}
            return [Item(where, ticket, ctx)]
        if isinstance(obj.get("comments"), list) and "id" not in obj:
            return _comment_threads(obj, where, ctx)
        if isinstance(obj.get("audits"), list) and "id" not in obj:
            return _comment_threads({**obj, "comments": _audit_comments(obj["audits"])},
                                    where, ctx)
        return [Item(where, obj, ctx)]

    def _read(self, item: Item, settings: Settings, out: Collector) -> None:
        t, where = item.obj, item.where
        tid = given(t.get("id"))
        comments_only = bool(item.context.get("comments_only"))
        if tid is None and comments_only:
            tid = out.path.stem
        if tid is None:
            out.reject(at(where, "ticket"), None, "id", RejectCode.MISSING_FIELD,
                       "the ticket has no id")
            return
        try:
            started = None if t.get("created_at") is None else utc(t["created_at"],
                                                                    "created_at")
        except BadValue as exc:
            out.reject(at(where, f"ticket {tid}"), tid, exc.field, exc.code, exc.reason)
            return
        raw_channel = given(dig(t, "via", "channel"))
        channel = settings.channel or CHANNELS.get((raw_channel or "email").lower(), "email")
        requester = given(t.get("requester_id"))
        users: Mapping[str, str] = item.context.get("users") or {}
        rec = Record(tid, where, channel, settings)
        inferred = (comments_only and not users and not settings.roles
                    and settings.agent_ids is None)
        if inferred:
            requester = _first_author(t.get("comments"))

        def role_of(author: str) -> str:
            label = users.get(author)
            if label in USER_ROLES:
                default = USER_ROLES[label]
            elif settings.agent_ids is not None:
                default = "customer"
            else:
                default = "customer" if author == requester else "agent"
            return settings.role(author, label, default)

        comments = t.get("comments")
        if comments is None and t.get("description") is not None:
            comments = [{"id": "description", "public": True, "body": t.get("description"),
                         "author_id": t.get("submitter_id") or t.get("requester_id"),
                         "created_at": t.get("created_at")}]
        if comments is not None and not isinstance(comments, list):
            out.reject(at(where, f"ticket {tid}"), tid, "comments", RejectCode.MALFORMED_RECORD,
                       f"comments is a {type(comments).__name__}, not a list")
            return
        for n, c in enumerate(comments or []):
            cid = given(dig(c, "id"))
            record = at(where, f"ticket {tid} comment {cid}" if cid else
                        f"ticket {tid} comments[{n}]")
            if not isinstance(c, dict):
                rec.reject(record, None, RejectCode.MALFORMED_RECORD,
                           f"a comment must be an object, not {type(c).__name__}")
                continue
            try:
                author = given(c.get("author_id"))
                if author is None:
                    raise BadValue(RejectCode.MISSING_FIELD, "the comment has no author_id",
                                   "author_id")
                stamp = required_time(c, "created_at", label="created_at")
                text = message_text(c, ("plain_body", "body"), ("html_body",), "comment")
            except BadValue as exc:
                rec.reject(record, exc.field, exc.code, exc.reason)
                continue
            rec.message(record, role=role_of(author), speaker=author, text=text,
                        timestamp=stamp, private=c.get("public") is False)
        out.commit(rec, {
            "case_id": tid, "customer_id": requester,
            "agent_id": given(t.get("assignee_id")), "started_at": started,
            "zendesk_subject": given(t.get("subject")),
            "zendesk_status": given(t.get("status")),
            "zendesk_priority": given(t.get("priority")),
            "zendesk_type": given(t.get("type")),
            "zendesk_channel": raw_channel,
            "zendesk_tags": joined(t.get("tags")),
            "zendesk_group_id": given(t.get("group_id")),
            "zendesk_organization_id": given(t.get("organization_id")),
            "zendesk_satisfaction": given(dig(t, "satisfaction_rating", "score")),
            "roles_inferred": inferred,
            "role_basis": "first_comment_author" if inferred else None,
            "role_confidence": "low" if inferred else None,
        }, f"ticket {tid}")


def _first_author(comments: Any) -> str | None:
    """The author of the earliest comment (by ``created_at``, else the first listed)."""
    found: list[tuple[pd.Timestamp, int, str]] = []
    for n, c in enumerate(comments if isinstance(comments, list) else []):
        author = given(dig(c, "author_id"))
        if author is None:
            continue
        try:
            stamp = utc(c.get("created_at"), "created_at")
        except BadValue:
            stamp = pd.Timestamp.max.tz_localize("UTC")
        found.append((stamp, n, author))
    return min(found)[2] if found else None

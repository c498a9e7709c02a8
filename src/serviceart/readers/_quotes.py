"""Where the sender's own words end in an email body: quotes, forwards, footers, signatures.

The words that mail programs write in many languages ("wrote:", "Von:", "-----Original
Message-----", "Med venlig hilsen", "Sent from my iPhone") are data, read from
``serviceart/data/email_quotes.toml``; this module holds the rules that use them.

Quote stage (:func:`quote_cut`), on the lines of a plain-text body:

1. A line starting with ``>`` is quoted, except a banner framed by ``>>>`` and
   ``<<<``. One or two lines without ``>`` directly between quoted lines (no blank
   line above or below), not starting with a capital letter, are a quoted line that a
   mail program wrapped, and quoted too.
2. A reply and an English attribution sharing a line ("Fixed. On Tue, 3 Mar 2026,
   Dana wrote:") are split in two.
3. An attribution line, also wrapped over up to four lines ("On ... Dana <dana@acme.com>"
   / "wrote:"), is removed with the quote under it when ``>`` lines follow, and text
   after that quote is kept (bottom-posted and interleaved replies). Without ``>``
   lines under it, the attribution and everything after it are the quoted message.
   An attribution ends with a verb of any language ("wrote:", "schrieb:", "skrev:",
   "napisał:") and, unless ``>`` lines follow, holds an address, a date or a time or
   is framed by dashes ("---- Dana wrote ----"); or it has the verb before the sender
   after an opening word and holds an address ("Den 24. nov. skrev Peter
   <peter@example.com>:"); or, right above ``>`` lines, it is a date or time with an
   address ending in ``:`` or ``>`` ("2011/4/7 Dana <dana@acme.com>"). "On Monday my
   colleague wrote:" is text.
4. Everything from the first of these to the end is the quoted message: a separator
   ("-----Original Message-----", "-----Oprindelig meddelelse-----", "---------- Forwarded
   message ---------", "Begin forwarded message:"); a header block in any of the
   languages listed (a From line with another field within four lines, or a Date line
   with From, To or Subject within three, where the From line holds an address or the
   date a time: "From: London" / "To: Paris" is text), with a line of underscores or
   dashes above it; such a line of underscores or dashes followed by any header field (the rule
   that HTML mail draws above its header block).
   A separator or header block with none of the sender's text above it (a message
   forwarded without a note) is no cut: the body is read as written.

Signature stage (:func:`signature_cut`), on the lines left:

- a mailing list's footer (a line of underscores or dashes, then "mailing list",
  "listinfo", "unsubscribe" ...; Mailman's "next part" lines) and mail program
  taglines at the end ("Sent from my iPhone": the tagline's words, then at most eight
  more and no comma; not a sentence that starts the same way) are always removed;
- the signature proper needs some text above it: a ``--`` line; a line of three or
  more dashes followed by at most ten short lines, the first a name or title; a
  sign-off ("Kind regards,", "Med venlig hilsen", "Pozdrawiam,") followed by at most
  six short lines; a last line that is a dash or slash and a name ("-Abhishek",
  "/John"), not an item of a list; a last paragraph of at most eight short lines that
  opens with a name or title and holds two or more addresses, phone numbers or links.
  "Thanks" and "Thank you" are not sign-offs: the scorers read them as courtesy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import tomllib

__all__ = ["quote_cut", "quote_lines", "signature_cut", "words"]


@cache
def words() -> dict[str, dict[str, list[str]]]:
    """The word lists of ``serviceart/data/email_quotes.toml``."""
    text = resources.files("serviceart").joinpath("data/email_quotes.toml").read_text("utf-8")
    return tomllib.loads(text)


def _alt(items: list[str]) -> str:
    """An alternation of literal phrases, longest first; a space matches any spaces and
    ``*`` one to five words ("Von meinem * gesendet")."""
    some_words = r"\S+(?:\s+\S+){0,4}?"
    parts = sorted({re.escape(w.strip()).replace(r"\ ", r"\s+").replace(r"\*", some_words)
                    for w in items if w.strip()}, key=len, reverse=True)
    return "(?:" + "|".join(parts) + ")"


@dataclass(frozen=True)
class _Patterns:
    lead: re.Pattern[str]
    verb_end: re.Pattern[str]
    verb_end_bare: re.Pattern[str]
    verb_any: re.Pattern[str]
    sent_end: re.Pattern[str]
    shared_line: re.Pattern[str]
    quote_verb_line: re.Pattern[str]
    header: dict[str, re.Pattern[str]]
    framed: re.Pattern[str]
    forward_line: re.Pattern[str]
    valediction: re.Pattern[str]
    tagline: re.Pattern[str]
    footer_after: re.Pattern[str]
    footer_line: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    w = words()
    att, hdr, sep, sig, foot = (w["attribution"], w["headers"], w["separators"],
                                w["signature"], w["footers"])
    verbs = _alt(att["verbs"])
    i = re.IGNORECASE

    def header(names: list[str]) -> re.Pattern[str]:
        return re.compile(rf"^\s*[*_]{{0,2}}{_alt(names)}[*_]{{0,2}}[ \t]?:[*_]{{0,2}}(?:\s|$)", i)

    return _Patterns(
        lead=re.compile(rf"^{_alt(att['leads'])}(?!\w)", i),
        verb_end=re.compile(rf"(?<!\w){verbs}\s*:$", i),
        verb_end_bare=re.compile(rf"(?<!\w){verbs}$", i),
        verb_any=re.compile(rf"(?<!\w){verbs}(?!\w)", i),
        sent_end=re.compile(r"(?<!\w)sent\s*:$", i),
        shared_line=re.compile(
            rf"^(?P<pre>.*?\S)\s*(?P<attr>(?:-{{2,}}\s*)?On\s.{{4,200}}?\s(?:{verbs}|sent)"
            rf"\s*:?\s*-*)\s*$"),
        quote_verb_line=re.compile(rf"^\s*>\s*{verbs}\s*:\s*$", i),
        header={k: header(hdr[k]) for k in ("from", "date", "to", "cc", "subject")},
        framed=re.compile(rf"^\s*[-_=*]{{2,}}\s*{_alt(sep['framed'])}\s*:?\s*[-_=*]*\s*$"
                          rf"|^\s*{_alt(sep['framed'])}\s*[-_=*]{{2,}}\s*$", i),
        forward_line=re.compile(rf"^\s*{_alt(sep['lines'])}\s*$", i),
        valediction=re.compile(rf"^\s*{_alt(sig['valedictions'])}\s*[,.!]?\s*$", i),
        tagline=re.compile(rf"^\s*{_alt(sig['taglines'])}(?!\w)(?P<rest>[^,;]{{0,120}})$", i),
        footer_after=re.compile(_alt(foot["after_rule"]), i),
        footer_line=re.compile(_alt(foot["lines"]), i),
    )


_SENDER = re.compile(r"@|mailto:|<|\[", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# an address, also as Mailman's archives write it ("jgb at example.com")
_ADDRESS = re.compile(r"[\w.+'-]+(?:@| at )[\w-]+(?:\.[\w-]+)+")
_TIME = re.compile(r"(?<!\d)\d{1,2}[:.]\d{2}(?!\d)")
_DATE_START = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?!\d)")
_DIGIT = re.compile(r"\d")
_BANNER = re.compile(r"^\s*>{2,}.*<{2,}\s*$")
_RULE = re.compile(r"^\s*(?:_{8,}|-{8,}|\*{8,}|={8,})\s*$")
_DASHES = re.compile(r"^\s*-{3,}\s*$")
_SIG_DELIM = re.compile(r"^--\s?$")
_NAME_LINE = re.compile(
    r"^\s*[-/\u2013]\s?[^\W\d_][\w'\u2019.-]*(?:\s+[^\W\d_][\w'\u2019.-]*){0,2}\s*$")
# a phone number: digit groups with a separator ("+44 20 7946 0000", "(555) 346-9947")
_PHONE = re.compile(r"(?<![\w/])(?:\+|\()?\d{1,4}\)?[ .-]\d{2,}(?:[ .-]?\d+)*(?![\w/])")

_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MAX_ATTRIBUTION = 400


# ---------------------------------------------------------------- quote stage
def quote_lines(lines: list[str]) -> tuple[list[bool], set[int]]:
    """Which lines are quoted, and which of those are wrapped pieces without ``>``.

    Returns
    -------
    tuple
        ``(quoted, wrapped)``: a flag per line, and the indexes of the lines that
        are quoted although they do not start with ``>``.
    """
    n = len(lines)
    quoted = [ln.lstrip().startswith(">") and not _BANNER.match(ln) for ln in lines]
    wrapped: set[int] = set()
    i = 1
    while i < n:
        if quoted[i] or not lines[i].strip() or not quoted[i - 1]:
            i += 1
            continue
        j = i
        while j < n and j - i < 2 and not quoted[j] and lines[j].strip():
            j += 1
        if j < n and quoted[j] and not lines[i].lstrip()[0].isupper():
            wrapped.update(range(i, j))
        i = max(j, i + 1)
    for k in wrapped:
        quoted[k] = True
    return quoted, wrapped


def _split_shared_lines(lines: list[str]) -> None:
    """Split, in place, a line where reply text runs into an English attribution."""
    p = _patterns()
    k = 0
    while k < len(lines):
        line = lines[k]
        if "On " in line and not line.lstrip().startswith(">"):
            m = p.shared_line.match(line)
            if (m and m.group("pre").strip(" -") and _DIGIT.search(m.group("attr"))
                    and not p.lead.match(line.strip(" -"))):
                lines[k:k + 1] = [m.group("pre").rstrip(" -"), m.group("attr").strip()]
                k += 1
        k += 1


def _is_attribution(text: str, above_quote: bool) -> bool:
    """Whether ``text`` (one or more lines joined) introduces a quoted message."""
    p = _patterns()
    raw = " ".join(text.split())
    core = raw.strip(" -_*")
    if not core or len(core) > _MAX_ATTRIBUTION:
        return False
    lead = p.lead.match(core) is not None
    framed = raw.startswith("-") or raw.endswith("-")
    has_mail = _ADDRESS.search(core) is not None
    dated = _DATE_START.match(core) is not None
    if p.verb_end.search(core):
        return (above_quote or has_mail or framed or dated or _TIME.search(core) is not None
                or (lead and _DIGIT.search(core) is not None))
    if framed and p.verb_end_bare.search(core):
        return True
    if lead and has_mail and core.endswith(":") and (
            p.verb_any.search(core) or p.sent_end.search(core)):
        return True
    if has_mail and (core.endswith(":") or core.endswith(">")):
        if above_quote and (dated or lead or _TIME.search(core)):
            return True
        if dated and core.endswith(":") and _TIME.search(core):
            return True
    return False


def _attribution_end(lines: list[str], quoted: list[bool], i: int) -> int | None:
    """The index after an attribution starting at line ``i``, or None."""
    p = _patterns()
    n = len(lines)
    first = lines[i].strip()
    may_wrap = (p.lead.match(first.strip(" -")) is not None or first.startswith("--")
                or _DATE_START.match(first) is not None)
    span = [i]
    blanks = 0
    j = i + 1
    while may_wrap and j < n and len(span) < 5:
        if not lines[j].strip():
            blanks += 1
            if blanks > 1:
                break
            j += 1
            continue
        if quoted[j] and not p.quote_verb_line.match(lines[j]):
            break
        span.append(j)
        j += 1
    for k in range(1, len(span) + 1):
        if not lines[span[k - 1]].rstrip().endswith((":", ">", "-")):
            continue  # every attribution ends with a colon, an address or a dash
        part = [lines[x].strip().lstrip(">") if quoted[x] else lines[x] for x in span[:k]]
        if len(" ".join(part)) > _MAX_ATTRIBUTION:
            break
        end = span[k - 1] + 1
        nxt = end
        while nxt < n and not lines[nxt].strip():
            nxt += 1
        above_quote = nxt < n and quoted[nxt] and not p.quote_verb_line.match(lines[nxt])
        if _is_attribution("\n".join(part), above_quote):
            return end
    return None


def _header_kind(line: str) -> str | None:
    if ":" not in line:
        return None
    for kind, pat in _patterns().header.items():
        if pat.match(line):
            return kind
    return None


def _block_at(lines: list[str], kinds: list[str | None], i: int) -> tuple[int, int] | None:
    """A separator or quoted header block starting at line ``i``: (start, end) or None.

    ``kinds`` holds the header field kind of each line (see :func:`_header_kind`).
    """
    p = _patterns()
    n = len(lines)
    line = lines[i]
    start: int | None = None
    if p.framed.match(line) or p.forward_line.match(line):
        start = i
    elif _RULE.match(line):
        k = i + 1
        while k < n and k <= i + 2 and not lines[k].strip():
            k += 1
        if k < n and kinds[k]:
            start = i
    elif kinds[i] in ("from", "date"):
        kind = kinds[i]
        nearby = [kinds[x] for x in range(i + 1, min(n, i + 5)) if lines[x].strip()]
        fields = [x for x in range(i, min(n, i + 5)) if kinds[x]]
        sender = any(kinds[x] == "from" and _SENDER.search(lines[x]) for x in fields)
        timed = any(kinds[x] == "date" and _TIME.search(lines[x].replace("\u200e", ""))
                    for x in fields)
        # a quoted header names a sender's address or a time ("From: London" is text)
        if (sender or timed) and ((kind == "from" and any(nearby[:4])) or (
                kind == "date" and any(k in ("from", "to", "subject") for k in nearby[:3]))):
            start = i
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            if k >= 0 and _RULE.match(lines[k]):
                start = k
    if start is None:
        return None
    # the block: its first line, and the header fields under it up to a blank line
    end = i + 1
    k = end
    while k < n and k <= i + 2 and not lines[k].strip():
        k += 1
    if k < n and (k == end or kinds[k]):
        end = k
        while end < n and lines[end].strip():
            end += 1
    return start, end


def quote_cut(lines: list[str]) -> tuple[int | None, set[int]]:
    """Where the quoted message starts, and the lines of quotes the sender replied to.

    Parameters
    ----------
    lines
        The body's lines. A line where reply text runs into an attribution is split
        in two, in place.

    Returns
    -------
    tuple
        ``(cut, drop)``: the index of the first line of the unprefixed quoted or
        forwarded message (None when there is none), and the indexes of the lines
        above it to remove: quoted lines (see :func:`quote_lines`), attributions
        above them, and separator or header blocks at the top of the body.
    """
    _split_shared_lines(lines)
    quoted, _ = quote_lines(lines)
    drop = {k for k, q in enumerate(quoted) if q}
    kinds = [_header_kind(ln) for ln in lines]
    n = len(lines)
    own_text = False
    i = 0
    while i < n:
        if quoted[i] or not lines[i].strip():
            i += 1
            continue
        end = _attribution_end(lines, quoted, i)
        if end is not None:
            j = end
            while j < n and not lines[j].strip():
                j += 1
            if j < n and quoted[j]:
                drop.update(range(i, j))
                i = j
                continue
            return i, drop
        block = _block_at(lines, kinds, i)
        if block is not None:
            if own_text:
                return block[0], drop
            return None, drop  # nothing of the sender's above it: read as written
        own_text = True
        i += 1
    return None, drop


# ---------------------------------------------------------------- signature stage
def _footer_at(lines: list[str], i: int) -> bool:
    p = _patterns()
    if p.footer_line.search(lines[i]):
        return True
    if not _RULE.match(lines[i]):
        return False
    after = [x for x in lines[i + 1:i + 8] if x.strip()][:3]
    return any(p.footer_after.search(x) for x in after)


def _short_lines(lines: list[str], most: int, width: int) -> bool:
    rest = [x.strip() for x in lines if x.strip()]
    return 0 < len(rest) <= most and all(len(x) <= width for x in rest)


def _name_or_title(line: str) -> bool:
    """Whether a line may open a signature block: a name or a title ("Dana Reyes",
    "Head of Support", "John E. Doe, Ph.D."), not a sentence: no digits, no question,
    at most eight words, all but one of them capitalised."""
    text = line.strip()
    if not text or len(text) > 60 or any(c.isdigit() or c in "?!:" for c in text):
        return False
    tokens = text.split()
    lower = sum(1 for t in tokens if t[0].isalpha() and t[0].islower())
    return len(tokens) <= 8 and lower <= 1


_NUMERIC_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


def _is_contact(line: str) -> bool:
    """Whether a line holds an email address, a link or a phone number."""
    if _EMAIL.search(line) or _LINK.search(line):
        return True
    return any(sum(c.isdigit() for c in m.group()) >= 7 and not _NUMERIC_DATE.match(m.group())
               for m in _PHONE.finditer(line))


def _is_tagline(line: str) -> bool:
    """A mail program's tagline: its words, then at most eight more, no comma."""
    m = _patterns().tagline.match(line)
    return m is not None and len(m.group("rest").split()) <= 8


def signature_cut(lines: list[str]) -> int | None:
    """The first line of the footer, taglines or signature of ``lines``, or None.

    ``lines`` are a body's lines with quotes already removed.
    """
    p = _patterns()
    text_idx = [k for k, ln in enumerate(lines) if ln.strip()]
    if not text_idx:
        return None
    end = len(lines)
    for k in text_idx:
        if _footer_at(lines, k):
            end = k
            break
    body = [k for k in text_idx if k < end]
    keep = len(body)
    while keep > 0 and _is_tagline(lines[body[keep - 1]]):
        keep -= 1
    if keep < len(body):
        end = body[keep]
    body = body[:keep]
    # the last paragraph (no blank line inside) may be a block of contact details
    last_para = body[-1] if body else 0
    while last_para > 0 and lines[last_para - 1].strip():
        last_para -= 1
    for pos, k in enumerate(body):
        if pos == 0:
            continue  # a signature needs some text of the sender above it
        line = lines[k]
        if _SIG_DELIM.match(line):
            return k
        if _DASHES.match(line):
            rest = [x.strip() for x in lines[k + 1:end] if x.strip()]
            if (_short_lines(rest, 10, 60) and _name_or_title(rest[0])
                    and not any(x.endswith(("?", "!")) for x in rest)):
                return k
        if p.valediction.match(line):
            rest = lines[k + 1:end]
            if not any(x.strip() for x in rest) or _short_lines(rest, 6, 60):
                return k
        before = lines[body[pos - 1]].rstrip()
        if (pos == len(body) - 1 and len(line.strip()) <= 30 and _NAME_LINE.match(line)
                and not before.endswith(":") and not _NAME_LINE.match(before)):
            return k
        if k == last_para and not before.endswith(":") and _name_or_title(line):
            para = lines[k:body[-1] + 1]
            if _short_lines(para, 8, 60) and sum(_is_contact(x) for x in para) >= 2:
                return k
    return end if end < len(lines) else None

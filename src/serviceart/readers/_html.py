"""HTML email bodies as plain text, with the quoted message marked before it is flattened.

:func:`html_reply_text` converts like :func:`serviceart.readers.email.html_to_text`
(scripts and styles dropped, block breaks kept, entities unescaped) and also keeps
what the HTML says about quoting, which the flat text loses:

- the text inside a quote container of a mail program (class ``gmail_quote``,
  ``yahoo_quote``, ...; the list is in ``serviceart/data/email_quotes.toml``), a
  ``<blockquote type="cite">`` (Apple Mail, Thunderbird), and the last other
  ``<blockquote>`` of the body is written with a ``> `` prefix, as a plain text reply
  would quote it, so the quote stage of the reader removes it (and the attribution
  line right above it) and keeps text after it. Earlier blockquotes, and a
  ``<blockquote class="gmail_quote">`` outside Gmail's quote container (its Quote
  button), are the sender's own citations and kept;
- from an Outlook reply container on (id ``divRplyFwdMsg``, ``OLK_SRC_BODY_SECTION``,
  ...) every line is quoted: Outlook puts the quoted body after that container, not
  inside it;
- an ``<hr>`` and a block with a solid top border (how Outlook and Windows Mail draw
  the rule above a quoted header block) become a line of underscores, which the quote
  stage reads as the start of the quoted message when header fields follow it.

A body that is all quote (some programs wrap a whole new message in one
``<blockquote>``) is written without prefixes: it quotes nothing the sender replied to.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

from ._quotes import words

__all__ = ["html_reply_text"]

RULE = "_" * 32
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                         "blockquote", "table", "ul", "ol", "pre", "hr"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template"})
# elements whose end tag is written, so that a quote they open can be closed
_CONTAINERS = frozenset({"div", "blockquote", "span", "table", "section", "article", "font",
                         "td", "body"})


@cache
def _names() -> tuple[frozenset[str], tuple[str, ...]]:
    html = words()["html"]
    return (frozenset(c.lower() for c in html["quote_classes"]),
            tuple(i.lower() for i in html["cut_ids"]))


class _ReplyExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, bool, int]] = []  # text, quoted, blockquote number
        self.skip = 0
        self.depth = 0  # open quote containers
        self.rest = False  # after an Outlook reply container: everything is quoted
        self.stack: list[tuple[str, bool, bool]] = []  # tag, opens a quote, is a blockquote
        self.bq_depth = 0
        self.bq = 0  # the number of the open top-level blockquote that may be the quote
        self.bq_count = 0
        self.classes, self.ids = _names()

    @property
    def quoted(self) -> bool:
        return self.rest or self.depth > 0

    def _add(self, text: str) -> None:
        self.parts.append((text, self.quoted, self.bq))

    def _rule(self) -> None:
        self._add(f"\n{RULE}\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if tag == "hr":
            self._rule()
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        ident = a.get("id", "").lower()
        ident = ident[2:] if ident.startswith("x_") else ident
        if ident and ident.startswith(self.ids):
            self.rest = True
        style = a.get("style", "").lower()
        if tag in ("div", "p") and "border-top" in style and "solid" in style:
            self._rule()
        if tag in _CONTAINERS:
            is_bq = tag == "blockquote"
            opens = (a.get("type", "").lower() == "cite" if is_bq else any(
                c.lower() in self.classes for c in a.get("class", "").split()))
            if is_bq and not self.bq_depth and not opens and not self.quoted and (
                    "gmail_quote" not in a.get("class", "").lower().split()):
                self.bq_count += 1
                self.bq = self.bq_count
            self.bq_depth += is_bq
            self.stack.append((tag, opens, is_bq))
            self.depth += opens
        if tag in _BLOCK_TAGS:
            self._add("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "hr":
            self._rule()
        elif tag in _BLOCK_TAGS:
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag in _CONTAINERS and any(entry[0] == tag for entry in self.stack):
            while self.stack:
                t, opens, is_bq = self.stack.pop()
                self.depth -= opens
                self.bq_depth -= is_bq
                if not self.bq_depth:
                    self.bq = 0
                if t == tag:
                    break
        if tag in _BLOCK_TAGS and tag != "br":
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._add(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_reply_text(html: str) -> str:
    """Plain text of an HTML email body, its quoted message prefixed with ``> ``.

    Parameters
    ----------
    html
        The HTML part of a message.

    Returns
    -------
    str
        The text, one line per block; lines of quoted content start with ``> ``.

    Examples
    --------
    >>> html_reply_text("<p>Fixed.</p><blockquote>Is it <b>fixed</b>?</blockquote>")
    'Fixed.\\n\\n> Is it fixed?'
    """
    parser = _ReplyExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; be safe on pathological input
        pass
    lines: list[tuple[str, bool]] = []
    cur: list[str] = []
    cur_quoted = False
    last = parser.bq_count
    for text, in_container, bq in parser.parts:
        quoted = in_container or (bq == last and bq > 0)
        for k, piece in enumerate(text.replace("\xa0", " ").split("\n")):
            if k:
                lines.append(("".join(cur), cur_quoted))
                cur, cur_quoted = [], False
            cur.append(piece)
            cur_quoted = cur_quoted or (quoted and bool(piece.strip()))
    lines.append(("".join(cur), cur_quoted))
    cleaned = [(" ".join(t.split()), q) for t, q in lines]
    # a rule drawn right above the quoted message belongs to it
    follows_quote = True
    for k in range(len(cleaned) - 1, -1, -1):
        t, q = cleaned[k]
        if t == RULE and follows_quote:
            cleaned[k] = (t, True)
        elif t:
            follows_quote = q
    own = any(t and not q and t != RULE for t, q in cleaned)
    out = [f"> {t}" if q and own and t else t for t, q in cleaned]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()

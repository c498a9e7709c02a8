"""Markup payloads: text that must reach HTML and the terminal as text, never as markup.

:data:`PAYLOADS` lists strings that run script, break out of an attribute or a
``<style>`` block, or turn into rich console markup when a renderer forgets to
escape them; :func:`payloads` is a hypothesis strategy of them, alone or inside
ordinary text. :func:`unsafe_html` says what in a page could only come from an
unescaped payload (a script, an event handler, a ``javascript:`` URL, an extra
``<style>``), and :func:`raw_payloads` which payloads appear in it unescaped.

Examples
--------
>>> import html
>>> page = f"<p>{html.escape(PAYLOADS[0])}</p>"
>>> raw_payloads(page), unsafe_html(page)
([], [])
>>> unsafe_html(f"<p>{PAYLOADS[0]}</p>")
['<script> element']
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

__all__ = ["PAYLOADS", "payloads", "raw_payloads", "unsafe_html"]

#: Hostile strings, each a different way out of text into markup.
PAYLOADS: tuple[str, ...] = (
    "<script>alert('sa-xss-1')</script>",
    '"><img src=x onerror=alert("sa-xss-2")>',
    "' onmouseover='alert(3)' x='",
    "</style><script>alert(4)</script>",
    "</title><svg onload=alert(5)>",
    "</textarea></q></td></tr></table><b onclick=alert(6)>x</b>",
    "javascript:alert(7)",
    '<a href="javascript:alert(8)">click</a>',
    "<iframe srcdoc='<script>alert(9)</script>'></iframe>",
    "<!-- sa-comment --><style>*{display:none}</style>",
    "&lt;script&gt;already escaped&lt;/script&gt;",
    "x\" style=\"background:url(javascript:alert(10))",
    "[/bold]",
    "[red]red[/red]",
    "[bold red]alarm[/]",
    "[link=https://example.invalid]phish[/link]",
    "[/]",
    "\x1b[31mansi red\x1b[0m",
    "{0} {task.description} %s",
    "café ☕ \u202eevil\u202c 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
)


def payloads() -> Any:
    """A hypothesis strategy of strings holding at least one of :data:`PAYLOADS`,
    alone or between ordinary words."""
    from hypothesis import strategies as st

    word = st.sampled_from(["refund", "agent", "team 7", "", " ", "ok", "x"])
    return st.one_of(
        st.sampled_from(PAYLOADS),
        st.tuples(word, st.sampled_from(PAYLOADS), word).map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
        st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=3).map("".join),
    )


def raw_payloads(page: str, candidates: tuple[str, ...] | list[str] = PAYLOADS) -> list[str]:
    """The candidates that appear in ``page`` unescaped and would change its markup.

    A payload with none of ``< > & " '`` reads the same escaped or not, so it is
    never reported; the others must appear only in escaped form.
    """
    return [p for p in candidates if p != html.escape(p) and p in page]


class _Scan(HTMLParser):
    """Collects the markup of a page that only an unescaped payload could add."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "img"):
            self.found.append(f"<{tag}> element")
        if tag == "style":
            self.styles += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= handler on <{tag}>")
            if name in ("href", "src", "action", "formaction", "srcdoc", "style") and value \
                    and "javascript:" in value.replace(" ", "").lower():
                self.found.append(f"javascript: in {name}= of <{tag}>")


def unsafe_html(page: str, *, styles: int | None = None) -> list[str]:
    """What in ``page`` is markup a payload would add: ``<script>``, ``<iframe>``,
    ``<img>``, ``<object>``, ``<embed>`` elements, ``on...=`` attributes,
    ``javascript:`` URLs, and more ``<style>`` blocks than ``styles`` (when given).
    serviceart's pages contain none of these themselves."""
    scan = _Scan()
    scan.feed(page)
    scan.close()
    found = list(scan.found)
    if styles is not None and scan.styles != styles:
        found.append(f"{scan.styles} <style> blocks, expected {styles}")
    return found

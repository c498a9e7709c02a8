"""Hypothesis strategies of personal data as it appears in support text, for redaction
tests: card numbers that pass or fail the Luhn check, split by spaces or dashes,
e-mail addresses as plain text, HTML links or escaped entities, and sentences that
carry them among ordinary support words.

Examples
--------
>>> from hypothesis import given
>>> @given(card_numbers())
... def test(card): ...
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["card_numbers", "emails", "luhn_digit", "pii_sentences"]

_WORDS = ["thanks", "for", "waiting", "my", "card", "is", "please", "check", "the", "order",
          "refund", "was", "sent", "to", "today", "Hi", "we", "can", "help", "with", "that"]


def luhn_digit(body: str) -> str:
    """The check digit that makes ``body`` + digit pass the Luhn check."""
    total = 0
    for k, ch in enumerate(reversed(body)):
        d = int(ch)
        if k % 2 == 0:  # doubled: the check digit will sit to the right of this one
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


@st.composite
def card_numbers(draw: st.DrawFn, *, valid: bool = True) -> tuple[str, str]:
    """A card number written as people write it: ``(written, digits)``.

    16 digits (15 for a 3-prefixed Amex-like number) in groups of four (or 4-6-5)
    joined by spaces, dashes or nothing; ``valid=False`` gives one whose check
    digit is wrong (it fails the Luhn check).
    """
    first = draw(st.sampled_from("3456"))
    length = 15 if first == "3" else 16
    body = first + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length - 2,
                                         max_size=length - 2)))
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + draw(st.integers(1, 9))) % 10)
    digits = body + check
    sep = draw(st.sampled_from([" ", "-", ""]))
    groups = ([digits[:4], digits[4:10], digits[10:]] if length == 15 else
              [digits[k:k + 4] for k in range(0, 16, 4)])
    return sep.join(groups), digits


@st.composite
def emails(draw: st.DrawFn) -> tuple[str, str]:
    """An e-mail address as it may appear in a message: ``(written, address)``, plain,
    inside an HTML ``mailto:`` link, with ``@`` as an HTML entity, or as ``[at]``/``[dot]``."""
    local = draw(st.from_regex(r"[a-z]{2,8}(\.[a-z]{2,8})?", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z]{3,10}", fullmatch=True))
    tld = draw(st.sampled_from(["com", "co.uk", "org", "de", "io"]))
    address = f"{local}@{domain}.{tld}"
    form = draw(st.sampled_from(["plain", "mailto", "entity", "hex", "at"]))
    written = {
        "plain": address,
        "mailto": f'<a href="mailto:{address}">{address}</a>',
        "entity": address.replace("@", "&#64;"),
        "hex": address.replace("@", "&#x40;"),
        "at": f"{local} [at] {domain} [dot] {tld.replace('.', ' [dot] ')}",
    }[form]
    return written, address


def pii_sentences(item: st.SearchStrategy[tuple[str, str]]) -> st.SearchStrategy[
        tuple[str, str]]:
    """``item`` (a ``(written, value)`` strategy) placed among ordinary support words:
    ``(sentence, value)``."""
    words = st.lists(st.sampled_from(_WORDS), min_size=0, max_size=6).map(" ".join)
    return st.tuples(words, item, words, st.sampled_from(["", ".", "!", ",", "?"])).map(
        lambda t: (f"{t[0]} {t[1][0]}{t[3]} {t[2]}".strip(), t[1][1]))

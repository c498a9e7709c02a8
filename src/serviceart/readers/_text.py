"""Opening export files as text: the encoding is decided once, in bounded memory.

Order of attempts, each a strict decode of the whole file in blocks (the file
is read twice, never held in memory):

1. a byte-order mark (UTF-8, UTF-16 or UTF-32) decides;
2. the ``encoding=`` the user gave to the reader;
3. UTF-8;
4. the charset the file declares in its first bytes (``charset=...`` in an
   HTML/email header, ``<?xml ... encoding="..."?>``, ``-*- coding: ... -*-``),
   when Python knows it as a text encoding (a declared ``zlib``, ``bz2``,
   ``base64``, ``rot13``, ``hex``, ``uu``, ``quopri`` or ``undefined`` is ignored
   with a :class:`DecodingWarning`);
5. UTF-8 with undecodable bytes replaced by U+FFFD, with a
   :class:`DecodingWarning` naming the file, the first bad byte's line and how
   many bytes were replaced. Nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import re
import warnings
from pathlib import Path
from typing import TextIO

from ..errors import ConfigError, InputError

__all__ = ["DecodingWarning", "decide_encoding", "open_text", "read_text", "text_codec"]

_BLOCK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(
    rb"""(?:charset|encoding|coding)\s*[=:]\s*["']?([A-Za-z][A-Za-z0-9._:-]{1,30})""",
    re.IGNORECASE)


class DecodingWarning(UserWarning):
    """A file was not valid in any encoding tried; undecodable bytes were replaced."""


def text_codec(name: str) -> str | None:
    """The codec's canonical name when ``name`` is a text encoding (bytes to str), else None.

    Python's codec registry also holds byte-to-byte codecs (``zlib``, ``bz2``,
    ``base64``, ``hex``, ``uu``, ``quopri``), a str-to-str one (``rot13``) and
    ``undefined``, which raises on any input; none of them can read a text file.
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    try:
        sample = info.decode(b"a")[0]
    except (UnicodeError, ValueError, TypeError):
        return None
    return info.name if isinstance(sample, str) else None


def _known(name: str) -> bool:
    """Whether Python has a codec of that name (text or not)."""
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _first_error(path: Path, encoding: str) -> tuple[int, int] | None:
    """``(byte offset, line)`` of the first undecodable byte, or None when the file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset, lines = 0, 1
    with path.open("rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            final = not block
            try:
                decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                return offset + max(exc.start, 0), lines + block[:max(exc.start, 0)].count(b"\n")
            if final:
                return None
            offset += len(block)
            lines += block.count(b"\n")


def _replaced(path: Path) -> int:
    """How many undecodable sequences a UTF-8 decode with replacement produces."""
    count = 0

    def handler(exc: UnicodeError) -> tuple[str, int]:
        nonlocal count
        count += 1
        assert isinstance(exc, UnicodeDecodeError)
        return "\ufffd", exc.end

    codecs.register_error("serviceart-count", handler)
    decoder = codecs.getincrementaldecoder("utf-8")("serviceart-count")
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    return count


def decide_encoding(path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """The encoding to read ``path`` with, and the decode ``errors`` mode.

    Parameters
    ----------
    path
        The file.
    encoding
        The encoding the user declared (a reader's ``encoding=`` option), tried
        first after a byte-order mark.

    Returns
    -------
    tuple of str
        ``(encoding, errors)``; errors is ``"strict"`` unless nothing decoded
        the file, in which case it is ``("utf-8", "replace")`` and a
        :class:`DecodingWarning` was issued.

    Raises
    ------
    ConfigError
        When ``encoding`` is not a known codec.
    InputError
        When the file cannot be opened.

    Examples
    --------
    >>> decide_encoding("data/samples/calls.csv")
    ('utf-8', 'strict')
    """
    p = Path(path)
    if encoding is not None and text_codec(encoding) is None:
        raise ConfigError(f"encoding={encoding!r} is not a known text encoding "
                          "(e.g. 'utf-8', 'cp1252', 'latin-1')", field="encoding", code="SA-C076")
    try:
        with p.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", source=str(p), code="SA-I020") from exc
    for bom, name in _BOMS:
        if head.startswith(bom) and _first_error(p, name) is None:
            return name, "strict"
    declared = _DECLARED.search(head)
    named = declared.group(1).decode("ascii") if declared else None
    candidates = [encoding, "utf-8", named]
    tried: list[str] = []
    ignored = ""
    for cand in candidates:
        codec = text_codec(cand) if cand else None
        if cand is named and named is not None and codec is None and _known(named):
            ignored = f" (the charset it declares, {named!r}, is not a text encoding: ignored)"
        if codec == "utf-8-sig":
            codec = "utf-8"
        if codec is None or codec in tried:
            continue
        tried.append(codec)
        if _first_error(p, codec) is None:
            return codec, "strict"
    where = _first_error(p, "utf-8")
    line = where[1] if where else 1
    warnings.warn(DecodingWarning(
        f"{p}: not valid in {' or '.join(tried)}{ignored}; {_replaced(p)} undecodable byte "
        f"sequence(s) replaced with U+FFFD, the first on line {line}. Pass encoding= "
        "with the file's real encoding to read it exactly."), stacklevel=2)
    return "utf-8", "replace"


def open_text(path: str | Path, encoding: str | None = None) -> TextIO:
    """Open ``path`` as a text stream in the encoding :func:`decide_encoding` picks.

    Newlines are left as they are (``newline=""``) so callers see ``\\r\\n``
    and bare ``\\r`` exactly.
    """
    enc, errors = decide_encoding(path, encoding)
    return Path(path).open(encoding=enc, errors=errors, newline="")


def read_text(path: str | Path, encoding: str | None = None) -> str:
    """The whole text of ``path`` (for formats that need the whole document)."""
    with open_text(path, encoding) as fh:
        return fh.read()

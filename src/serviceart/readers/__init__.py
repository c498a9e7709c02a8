"""Readers: from export files to :class:`~serviceart.Conversations`."""

from __future__ import annotations

from .base import READERS, RawFrames, Reader, register_reader
from .text import TextReader
from .turns import TurnsReader

__all__ = ["READERS", "RawFrames", "Reader", "TextReader", "TurnsReader", "register_reader"]

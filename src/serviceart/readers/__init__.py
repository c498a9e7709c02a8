"""Readers: from export files to :class:`~serviceart.Conversations`."""

from __future__ import annotations

from ._text import DecodingWarning
from .aws import ContactLensReader, TranscribeReader
from .base import READERS, RawFrames, Reader, register_reader
from .captions import SrtReader, VttReader
from .email import EmlReader, MboxReader
from .messages import MessagesReader
from .pca import PcaReader
from .text import TextReader
from .turns import TurnsReader

__all__ = [
    "READERS",
    "ContactLensReader",
    "DecodingWarning",
    "EmlReader",
    "MboxReader",
    "MessagesReader",
    "PcaReader",
    "RawFrames",
    "Reader",
    "SrtReader",
    "TextReader",
    "TranscribeReader",
    "TurnsReader",
    "VttReader",
    "register_reader",
]

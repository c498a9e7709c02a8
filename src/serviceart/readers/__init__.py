"""Readers: from export files to :class:`~serviceart.Conversations`."""

from __future__ import annotations

from ._text import DecodingWarning
from .aws import ContactLensReader, TranscribeReader
from .base import READERS, RawFrames, Reader, register_reader
from .captions import SrtReader, VttReader
from .email import EmlReader, MboxReader
from .freshdesk import FreshdeskReader
from .genesys import GenesysReader
from .insights import InsightsReader
from .intercom import IntercomReader
from .messages import MessagesReader
from .pca import PcaReader
from .text import TextReader
from .turns import TurnsReader
from .zendesk import ZendeskReader

__all__ = [
    "READERS",
    "ContactLensReader",
    "DecodingWarning",
    "EmlReader",
    "FreshdeskReader",
    "GenesysReader",
    "InsightsReader",
    "IntercomReader",
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
    "ZendeskReader",
    "register_reader",
]

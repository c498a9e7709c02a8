"""Text decoding of export files: BOMs, the encoding= option, declared charsets, replacement."""

from __future__ import annotations

import warnings

import pytest

import serviceart as sa
from serviceart.readers import DecodingWarning
from serviceart.readers._text import decide_encoding, read_text

ROWS = "interaction_id,role,text\na,agent,Ça va? Désolé pour l'attente\na,customer,Merci\n"


def test_utf8_without_and_with_bom(tmp_path):
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_text(ROWS, encoding="utf-8")
    bom.write_bytes(b"\xef\xbb\xbf" + ROWS.encode())
    assert decide_encoding(plain) == ("utf-8", "strict")
    assert decide_encoding(bom) == ("utf-8-sig", "strict")
    for f in (plain, bom):
        conv = sa.read(f)
        assert conv.turns["text"].tolist() == ["Ça va? Désolé pour l'attente", "Merci"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_exports_with_bom(tmp_path, codec):
    # Excel's "Unicode text" and some Windows tools write UTF-16 with a BOM
    f = tmp_path / "wide.csv"
    f.write_bytes(ROWS.encode(codec))
    assert decide_encoding(f)[0] == codec
    with warnings.catch_warnings():
        warnings.simplefilter("error", DecodingWarning)
        conv = sa.read(f, format="turns")
    assert conv.turns["text"].tolist()[0] == "Ça va? Désolé pour l'attente"


def test_declared_charset_is_used_when_utf8_fails(tmp_path):
    # a WebVTT export whose NOTE declares its charset
    text = ("WEBVTT\n\nNOTE charset=windows-1252\n\n00:00:01.000 --> 00:00:03.000\n"
            "<v Agent>Désolé, one moment\n\n00:00:04.000 --> 00:00:05.000\n"
            "<v Customer>Merci\n")
    f = tmp_path / "call.vtt"
    f.write_bytes(text.encode("cp1252"))
    assert decide_encoding(f) == ("cp1252", "strict")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DecodingWarning)
        conv = sa.read(f)
    assert conv.turns["text"].iloc[0] == "Désolé, one moment"


def test_replacement_warns_with_file_line_and_count(tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_bytes(b"Agent: hello\nCustomer: caf\xe9 and na\xefve\nAgent: ok\n")
    with pytest.warns(DecodingWarning) as caught:
        text = read_text(f)
    message = str(caught[0].message)
    assert "mixed.txt" in message and "2 undecodable" in message and "line 2" in message
    assert text.count("\ufffd") == 2 and text.endswith("Agent: ok\n")


def test_unknown_encoding_option_is_a_config_error(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text(ROWS)
    with pytest.raises(sa.ConfigError, match="encoding='klingon' is not a known"):
        sa.read(f, encoding="klingon")


def test_invalid_utf8_far_into_a_large_file_is_found(tmp_path):
    # the decision reads the whole file in blocks, not only its head
    f = tmp_path / "big.csv"
    body = "".join(f"c{i},agent,hello number {i}\n" for i in range(60_000))
    f.write_bytes(("interaction_id,role,text\n" + body).encode() + b"z,agent,caf\xe9\n")
    assert f.stat().st_size > (1 << 20)
    with pytest.warns(DecodingWarning, match="line 60002"):
        enc = decide_encoding(f)
    assert enc == ("utf-8", "replace")

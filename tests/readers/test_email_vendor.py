"""The email readers on public sample files (``shared/data/vendor_samples/email``, sources
in its SOURCES.md): each file reads, spot checks of up to three turns against the raw
file, Mailman archive senders (F6) and a Japanese ISO-2022-JP mail without Date."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import serviceart as sa
from serviceart.readers.email import EmlReader, MboxReader

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "data" / "vendor_samples" / "email"

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/data is not here")

FILES = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".eml", ".mbox")) \
    if SAMPLES.is_dir() else []


def load(name: str, **options: object) -> pd.DataFrame:
    reader = MboxReader if name.endswith(".mbox") else EmlReader
    frames = reader(**(options or {"agent_domains": ["gsyc.es"]})).load(SAMPLES / name)
    assert frames.rejects.empty, frames.rejects.to_dict("records")
    return frames.turns


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def test_every_sample_is_present_and_reads_without_rejects():
    assert len(FILES) == 8
    for name in FILES:
        assert len(load(name)) >= 1, name


def test_the_folder_reads_whole():
    conv = sa.read(SAMPLES, agent_domains=["gsyc.es"])
    assert conv.rejects.empty
    per_file = conv.turns["source"].map(lambda s: Path(s).name).value_counts().to_dict()
    assert per_file == {"pipermail_2015_november.mbox": 4, "pipermail_2016_april.mbox": 3,
                        "mbox_complex.mbox": 2, "japanese_iso_2022.eml": 1,
                        "mbox_iso8859_encoding.mbox": 1, "raw_email.eml": 1,
                        "raw_email2.eml": 1, "raw_email_reply.eml": 1}


# (file, turn index, speaker, UTC time from the Date header, start of the text, end of it)
SPOT = [
    ("pipermail_2015_november.mbox", 0, "andy@example.com", "2015-11-14 21:29:28+01:00",
     "Hey,\n\nyou might have heard of Docker [1].", "[1] https://www.docker.com/"),
    ("pipermail_2015_november.mbox", 1, "jgb@gsyc.es", "2015-11-15 23:43:49+01:00",
     "This is cool, Andy.", "Jesus"),
    ("pipermail_2015_november.mbox", 3, "andy@example.com", "2015-11-28 21:25:30+01:00",
     "I thought: Just do it.", "https://github.com/MetricsGrimoire/sortinghat/pull/40"),
    ("pipermail_2016_april.mbox", 0, "jgb@example.com", "2016-04-14 11:06:56+02:00",
     "Hi all,", "ment-analytics"),
    ("pipermail_2016_april.mbox", 1, "andy@example.com", "2016-04-23 18:18:56+02:00",
     "Thank you Jesus.", "Andy"),
    ("pipermail_2016_april.mbox", 2, "jgb@example.com", "2016-04-26 00:00:07+02:00",
     "Great.", "maintain them in their own time."),
    ("mbox_complex.mbox", 0, "eloli@hotmail.com", "2004-09-22 02:03:40-07:00",
     "No matter what is really to blame", "[...]"),
    ("mbox_complex.mbox", 1, "danilo@gnome.org", "2008-03-17 10:35:05+01:00",
     "Hi Simos,", "make the decision."),
    ("mbox_iso8859_encoding.mbox", 0, "luc\u00edacharlie@wellsfargo.com",
     "2016-11-07 19:44:27+01:00", "Hello,", "do not hesitate to contact me."),
    ("raw_email.eml", 0, "jamis@37signals.com", "2005-05-02 16:07:05-06:00",
     "\ub300\ubd80\ubd84\uc758", "Jamis\uc785\ub2c8\ub2e4."),
    ("raw_email2.eml", 0, "xxxxxxxxx.xxxxxxx@gmail.com", "2005-05-08 14:09:11-05:00",
     "We should not include these files or vcards as attachments.", "as attachments."),
    ("raw_email_reply.eml", 0, "xxxxxxxx@xxx.org", "2007-11-18 19:56:07+11:00",
     "Message body", "Message body"),
]


@pytest.mark.parametrize(("name", "k", "speaker", "when", "start", "end"), SPOT,
                         ids=[f"{s[0]}#{s[1]}" for s in SPOT])
def test_spot_check_turns_against_the_raw_file(name, k, speaker, when, start, end):
    turn = load(name).iloc[k]
    assert turn["speaker"] == speaker
    assert turn["timestamp"] == ts(when)
    assert turn["text"].startswith(start) and turn["text"].endswith(end)
    assert ">" not in turn["text"].split("\n")[0]


def test_pipermail_senders_are_addresses_with_roles_and_one_thread():
    turns = load("pipermail_2015_november.mbox", agent_domains=["gsyc.es"])
    assert list(turns["speaker"]) == ["andy@example.com", "jgb@gsyc.es", "andy@example.com",
                                      "andy@example.com"]
    assert list(turns["role"]) == ["customer", "agent", "customer", "customer"]
    assert turns["interaction_id"].nunique() == 1
    # the quoted message and the archive's attribution ("<jgb at example.com>:") removed
    assert "2015-11-15 23:43 GMT+01:00" in turns["removed_text"].iloc[2]
    assert "GMT+01:00" not in turns["text"].iloc[2]
    # Mailman's note on a scrubbed attachment is a footer, not the sender's words
    assert "next part" in turns["removed_text"].iloc[0]
    conv = sa.read(SAMPLES / "pipermail_2016_april.mbox", agent_domains=["example.com"])
    assert conv.rejects.empty and len(conv.turns) == 3


def test_iso_2022_jp_without_date_is_kept_with_unknown_time_and_scored():
    turn = load("japanese_iso_2022.eml").iloc[0]
    assert turn["text"] == "\u3059\u307f\u307e\u305b\u3093\u3002"
    assert turn["speaker"] == "raasdnil@gmail.com" and pd.isna(turn["timestamp"])
    conv = sa.read(SAMPLES / "japanese_iso_2022.eml", agent_domains=["acme.com"])
    assert conv.rejects.empty and len(conv.turns) == 1
    result = sa.score(conv)
    assert len(result.scores) == 1
    assert result.scores["interaction_id"].iloc[0] == conv.turns["interaction_id"].iloc[0]


def test_unparseable_date_is_still_rejected(tmp_path):
    p = tmp_path / "bad_date.eml"
    p.write_bytes(b"From: bo@example.org\r\nDate: someday soon\r\nMessage-ID: <d1@example.org>"
                  b"\r\n\r\nWhere is my order?\r\n")
    frames = EmlReader(agent_domains=["acme.com"]).load(p)
    assert frames.turns.empty
    assert frames.rejects.iloc[0]["code"] == "bad_timestamp"
    assert "'someday soon' is not a date" in frames.rejects.iloc[0]["reason"]

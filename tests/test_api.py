"""The registries and the error tree (the namespace: test_exported_members.py)."""

from __future__ import annotations

import pickle

import pytest

import serviceart as sa
from serviceart import errors


def test_registries_list_names():
    assert sa.list_readers() == [
        "contact_lens", "eml", "freshdesk", "genesys", "insights", "intercom", "mbox", "messages",
        "pca", "srt", "text", "transcribe", "turns", "vtt", "zendesk"]
    assert sa.list_scorers() == ["case", "cues", "flow", "latency", "ledger", "outcome", "promises",
                                 "readability", "repeat", "sentiment", "talk"]


def test_unknown_reader_lists_known_ones(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("interaction_id,role,text\na,agent,hi\n")
    known = r"'srt', 'text', 'transcribe', 'turns', 'vtt', 'zendesk'"
    with pytest.raises(sa.RegistryError, match=r"no reader named 'nope'.*" + known):
        sa.read(f, format="nope")


@pytest.mark.parametrize("cls", [errors.ServiceartError, errors.InputError, errors.FormatError,
                                 errors.SchemaError, errors.ConfigError, errors.RubricError,
                                 errors.RegistryError])
def test_errors_pickle_and_render(cls):
    exc = cls("it broke; do this", source="a.csv", record="line 3", field="role")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cls
    assert str(back) == str(exc)
    assert "a.csv" in str(back) and "line 3" in str(back) and "role" in str(back)
    assert isinstance(back, sa.ServiceartError)


def test_error_tree():
    assert issubclass(sa.SchemaError, sa.InputError)
    assert issubclass(sa.FormatError, sa.InputError)
    assert issubclass(sa.RubricError, sa.ConfigError)

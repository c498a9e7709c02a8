"""The curated public namespace and the error tree."""

from __future__ import annotations

import pickle

import pytest

import serviceart as sa
from serviceart import errors


def test_all_is_sorted_and_complete():
    def isort_key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert sa.__all__ == sorted(sa.__all__, key=isort_key)
    assert len(set(sa.__all__)) == len(sa.__all__)
    for name in sa.__all__:
        assert hasattr(sa, name), name
    public = {n for n in dir(sa) if not n.startswith("_") and callable(getattr(sa, n))}
    # every public callable of the namespace is listed (submodules are not callables)
    assert public <= set(sa.__all__)


def test_registries_list_names():
    assert sa.list_readers() == [
        "contact_lens", "eml", "freshdesk", "genesys", "insights", "intercom", "mbox", "messages",
        "pca", "srt", "text", "transcribe", "turns", "vtt", "zendesk"]
    assert sa.list_scorers() == ["case", "cues", "flow", "latency", "ledger", "promises",
                                 "readability", "repeat", "talk"]


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


def test_import_is_lazy_and_names_resolve_on_first_use():
    # ``import serviceart`` loads no heavy module; each public name imports its own
    # module when first used (so `serviceart score` can start its workers meanwhile)
    import subprocess
    import sys

    code = ("import sys\nimport serviceart as sa\n"
            "heavy = [m for m in ('spacy', 'pandas', 'sklearn', 'serviceart.engine') "
            "if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "assert sa.read.__module__ == 'serviceart.io'\n"
            "assert 'pandas' in sys.modules and 'serviceart.engine' not in sys.modules\n"
            "from serviceart import score\n"
            "assert score.__module__ == 'serviceart.engine'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_calibrate_and_fairness_stay_functions_when_their_modules_load():
    import subprocess
    import sys

    code = ("import serviceart as sa\nimport serviceart.calibrate, serviceart.fairness\n"
            "assert callable(sa.calibrate) and sa.calibrate.__name__ == 'calibrate'\n"
            "assert callable(sa.fairness) and sa.fairness.__name__ == 'fairness'\n"
            "from serviceart.calibrate import CalibrationReport\n"
            "assert sa.CalibrationReport is CalibrationReport\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sa.nope  # noqa: B018

"""One run plan for every engine: ``sa.score``, ``serviceart score --jobs 2`` and
``serviceart.dask`` on a two-worker cluster give equal tables and equal settings,
with every setting away from its default."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import serviceart as sa
from serviceart.run.settings import ScoreSettings

pytestmark = pytest.mark.slow

CALENDAR = """\
tz = "Europe/London"
holidays = ["2026-03-04"]

[hours]
mon-fri = "08:30-17:30"
sat = "10:00-14:00"
"""

EMAIL = """\
From: Dana Price <dana.price@example.com>
To: help@marlow.example
Subject: Kettle lid broken
Date: Mon, 2 Mar 2026 08:15:00 +0000
Message-ID: <k1@example.com>

The lid of my kettle snapped off this morning. Order MH-330129.

From: Leo <leo@marlow.example>
To: Dana Price <dana.price@example.com>
Subject: Re: Kettle lid broken
Date: Mon, 2 Mar 2026 15:40:00 +0000
Message-ID: <k2@example.com>
In-Reply-To: <k1@example.com>

Hi Dana, I'm sorry about the lid. I will send a replacement lid within 3 business days
and email you the tracking number.
"""


def _jsonl(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    """Calls, chats, transcripts, an email thread and a chat file whose contacts belong
    to cases that start in other files; one rejected record."""
    folder = tmp_path_factory.mktemp("mixed")
    for name in ("calls.csv", "chats.jsonl", "transcripts.txt"):
        shutil.copy(samples_dir / name, folder / name)
    (folder / "thread.mbox").write_text("From dana.price@example.com Mon Mar  2 08:15:00 2026\n"
                                        + EMAIL.replace("\nFrom: Leo", "\nFrom leo@marlow."
                                                        "example Mon Mar  2 15:40:00 2026\n"
                                                        "From: Leo"), encoding="utf-8")
    later = [
        # the customer of chat-0001 comes back: a case across files, a repeat contact
        {"interaction_id": "chat-0101", "role": "customer", "text": "Nobody called me back "
         "about the pump.", "timestamp": "2026-03-04T16:00:00Z", "channel": "chat",
         "customer_id": "cust-5120", "agent_id": "sam.k"},
        {"interaction_id": "chat-0101", "role": "agent", "text": "I'm sorry about that. "
         "I'll ring you tomorrow morning with the answer.", "timestamp":
         "2026-03-04T16:02:00Z", "channel": "chat", "customer_id": "cust-5120",
         "agent_id": "sam.k"},
        # a start time and no turn times: the promise is timed from the start
        {"interaction_id": "chat-0102", "role": "customer", "text": "Where is my refund?",
         "started_at": "2026-03-03T11:00:00Z", "channel": "chat", "customer_id": "cust-9001",
         "agent_id": "sam.k"},
        {"interaction_id": "chat-0102", "role": "agent", "text": "I'll email you the refund "
         "confirmation tomorrow.", "started_at": "2026-03-03T11:00:00Z", "channel": "chat",
         "customer_id": "cust-9001", "agent_id": "sam.k"},
        {"interaction_id": "chat-0103", "role": "robot", "text": "beep", "channel": "chat"},
        # out of scope: nobody answered; praise answered with thanks
        {"interaction_id": "chat-0104", "role": "customer", "text": "Is anyone there? My "
         "kettle is still broken.", "timestamp": "2026-03-05T09:00:00Z", "channel": "chat",
         "customer_id": "cust-9002"},
        {"interaction_id": "chat-0105", "role": "customer", "text": "Best kettle I have "
         "ever owned, thank you!", "timestamp": "2026-03-05T10:00:00Z", "channel": "chat",
         "customer_id": "cust-9003", "agent_id": "sam.k"},
        {"interaction_id": "chat-0105", "role": "agent", "text": "That's lovely to hear, "
         "enjoy your tea!", "timestamp": "2026-03-05T10:03:00Z", "channel": "chat",
         "customer_id": "cust-9003", "agent_id": "sam.k"},
    ]
    (folder / "later.jsonl").write_text(_jsonl(later), encoding="utf-8")
    (folder / "calendar.toml").write_text(CALENDAR, encoding="utf-8")
    rubric = sa.Rubric.default()
    custom = sa.Rubric(
        [c for c in rubric.criteria if c.name != "listening"], name="parity", version="2",
        bands={"all": [{"name": "good", "min": 75}, {"name": "poor", "min": 0}]})
    custom.to_file(folder / "custom-rubric.toml")
    return folder


@pytest.fixture(scope="module")
def settings(mixed: Path) -> ScoreSettings:
    return ScoreSettings(rubric=mixed / "custom-rubric.toml", sla_s=240,
                         tz="Europe/London", calendar=mixed / "calendar.toml",
                         as_of="2026-03-20T12:00Z", case_window="3D",
                         promise_horizons={"chat": "12h", "email": "3D"}, chunk_size=4)


#: the email reader's option (the others ignore it)
READ = {"agent_domains": ["marlow.example"]}


def _inputs(mixed: Path) -> list[Path]:
    return [mixed / n for n in ("calls.csv", "chats.jsonl", "transcripts.txt",
                                "thread.mbox", "later.jsonl")]


@pytest.fixture(scope="module")
def local(mixed: Path, settings: ScoreSettings) -> sa.Result:
    return sa.score(sa.read(_inputs(mixed), **READ), settings=settings)


@pytest.fixture(scope="module")
def batch(mixed: Path, tmp_path_factory: pytest.TempPathFactory) -> sa.Result:
    out = tmp_path_factory.mktemp("batch") / "run"
    cmd = [sys.executable, "-m", "serviceart", "score", *map(str, _inputs(mixed)),
           "-o", str(out), "--jobs", "2", "--chunk-size", "4", "--sla", "240",
           "--tz", "Europe/London", "--calendar", str(mixed / "calendar.toml"),
           "--as-of", "2026-03-20T12:00Z", "--case-window", "3D",
           "--horizon", "chat=12h", "--horizon", "email=3D",
           "--rubric", str(mixed / "custom-rubric.toml"), "--agent-domain", "marlow.example"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return sa.Result.from_parquet(out)


@pytest.fixture(scope="module")
def dask_result(mixed: Path, settings: ScoreSettings) -> sa.Result:
    distributed = pytest.importorskip("distributed")
    sad = pytest.importorskip("serviceart.dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        return sad.score(_inputs(mixed), settings=settings, **READ).compute()


TABLES = ("scores", "bands", "measures", "evidence", "contributions", "promises",
          "interactions", "turns")


def _norm(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with plain dtypes (Parquet gives back strings where pandas had
    categories) and columns in name order."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype) or out[c].dtype == object:
            out[c] = out[c].astype("string")
    return out[sorted(out.columns)].reset_index(drop=True)


def _rejects(frame: pd.DataFrame) -> pd.DataFrame:
    cols = ["interaction_id", "code", "reason", "record"]
    return _norm(frame[cols]).sort_values(cols, na_position="first").reset_index(drop=True)


@pytest.mark.parametrize("engine", ["batch", "dask_result"])
def test_every_table_is_equal_across_engines(engine: str, local: sa.Result,
                                             request: pytest.FixtureRequest) -> None:
    other: sa.Result = request.getfixturevalue(engine)
    for name in TABLES:
        a, b = _norm(getattr(local, name)), _norm(getattr(other, name))
        assert len(a) > 0, name
        pd.testing.assert_frame_equal(b, a, check_dtype=False, obj=f"{engine}.{name}")
    pd.testing.assert_frame_equal(_rejects(other.rejects), _rejects(local.rejects),
                                  check_dtype=False)


@pytest.mark.parametrize("engine", ["batch", "dask_result"])
def test_settings_and_what_they_decide_are_equal_across_engines(
        engine: str, local: sa.Result, settings: ScoreSettings,
        request: pytest.FixtureRequest) -> None:
    other: sa.Result = request.getfixturevalue(engine)
    a, b = local.run_info, other.run_info
    assert b["settings"]["rubric"] == a["settings"]["rubric"]
    assert (other.settings.outcome_dict() == local.settings.outcome_dict()
            == settings.outcome_dict())
    assert b["plan"] == a["plan"]
    for key in ("interactions_in", "scored", "out_of_scope", "no_agent", "non_service",
                "rejected"):
        assert b["counts"][key] == a["counts"][key], key
    assert a["counts"]["interactions_in"] == (a["counts"]["scored"] + a["counts"]["out_of_scope"]
                                              + a["counts"]["rejected"])
    assert other.rubric == local.rubric == settings.rubric


def test_the_mixed_input_exercises_every_setting(local: sa.Result, mixed: Path) -> None:
    """The parity above means something: the settings changed the results."""
    default = sa.score(sa.read(_inputs(mixed), **READ))
    assert not local.scores["overall"].equals(default.scores["overall"])
    assert set(local.bands["overall_band"].dropna()) <= {"good", "poor"}
    assert not local.promises["due"].equals(default.promises["due"])
    m = local.measures.set_index("interaction_id")
    assert m.loc["chat-0001", "repeat_contact"] == 1.0  # came back in another file
    cases = local.interactions.set_index("interaction_id")["case_id"]
    assert cases["chat-0101"] == cases["chat-0001"]
    assert local.rejects["code"].eq("unknown_role").any()
    scope = local.scores.set_index("interaction_id")["scope"].astype(str)
    assert (scope["chat-0104"], scope["chat-0105"]) == ("no_agent", "non_service")
    assert local.run_info["plan"]["as_of"] == "2026-03-20T12:00:00+00:00"
    assert local.run_info["plan"]["parts"] > 2
    assert {"call", "chat", "email"} <= set(local.interactions["channel"].astype(str))

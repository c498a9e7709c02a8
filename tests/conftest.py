"""Shared fixtures: the bundled samples, the shared real data, one pipeline per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import serviceart as sa

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.exists():
        pytest.skip(f"the shared data folder {SHARED} is not beside the project")
    return SHARED


@pytest.fixture(scope="session")
def nlp():
    return sa.make_nlp()


@pytest.fixture(scope="session")
def sample_result(nlp) -> sa.Result:
    return sa.score(sa.read(SAMPLES), nlp=nlp)


def cues_of(text: str, nlp) -> list[tuple[str, str]]:
    """(cue, span text) pairs found in one text, role not applied."""
    return [(cue, text[s:e]) for cue, s, e in sa.detect([text], nlp=nlp)[0]]


def turns_frame(rows: list[tuple], columns: tuple[str, ...] = (
        "interaction_id", "role", "text", "start_s", "end_s")) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=list(columns))

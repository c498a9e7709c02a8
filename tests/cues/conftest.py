"""Fixtures of the cue tests."""

from __future__ import annotations

from typing import Any

import pytest

import serviceart as sa


@pytest.fixture(scope="session")
def patterns() -> Any:
    """The pattern pipeline alone (``make_nlp(model=False)``): the phrase-family tests
    are about the patterns; the learned component is tested in ``test_learned.py``."""
    return sa.make_nlp(model=False)

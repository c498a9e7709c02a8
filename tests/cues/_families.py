"""What the phrase-family tests share: the roles and the cues found for one turn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import serviceart as sa
from serviceart.codebook import CUES

AGENT, CUSTOMER = "agent", "customer"


def cues(text: str, role: str, nlp: Any) -> dict[str, str]:
    """Cue -> first span text found in ``text``, for cues of the turn's role."""
    out: dict[str, str] = {}
    for cue, s, e in sa.detect([text], nlp=nlp)[0]:
        if CUES[cue].role == role:
            out.setdefault(cue, text[s:e])
    return out


def assert_hit(role: str, cue: str, text: str, nlp: Any) -> None:
    """``cue`` is found in ``text`` said by ``role``."""
    found = cues(text, role, nlp)
    assert cue in found, f"{cue} not found in {text!r}: {found}"


def assert_miss(role: str, cue: str, text: str, nlp: Any) -> None:
    """``cue`` is not found in ``text`` said by ``role`` (a near miss)."""
    found = cues(text, role, nlp)
    assert cue not in found, f"{cue} wrongly found in {text!r}: {found[cue]!r}"


def family_tests(hits: list[tuple[str, str, str]], misses: list[tuple[str, str, str]]
                 ) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two parametrized tests of a module of phrase families: each ``(role, cue,
    text)`` of ``hits`` must hit, each of ``misses`` must not. Assign them to names
    starting with ``test_`` in the module, where pytest finds them."""

    @pytest.mark.parametrize(("role", "cue", "text"), hits)
    def test_family_form_hits(role: str, cue: str, text: str, patterns: Any) -> None:
        assert_hit(role, cue, text, patterns)

    @pytest.mark.parametrize(("role", "cue", "text"), misses)
    def test_near_miss_does_not_hit(role: str, cue: str, text: str, patterns: Any) -> None:
        assert_miss(role, cue, text, patterns)

    return test_family_form_hits, test_near_miss_does_not_hit

"""Regression guard: the cue detectors' scores on the shared development gold set.

Runs ``benchmarks/eval_cues.py``'s :func:`evaluate` (imported from its file, the
benchmarks folder is not a package) on ``../shared/data/gold/cues_dev.jsonl``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "benchmarks" / "eval_cues.py"
DEV_GOLD = ROOT.parent / "shared" / "data" / "gold" / "cues_dev.jsonl"

# Turn-level micro F1 measured with `python benchmarks/eval_cues.py` on cues_dev.jsonl
# (358 turns, roles filtered by the codebook): 0.961 for the shipped patterns and rules,
# 0.955 with the phrase families of session 8 (written against other turns; the floor is
# kept where it was).
# The floor leaves 0.02 for harmless churn; a larger drop means a pattern edit hurt.
MEASURED_MICRO_F1 = 0.961
MICRO_F1_FLOOR = MEASURED_MICRO_F1 - 0.02

# Negative cues whose false alarms are costly: precision must stay high when predicted.
PRECISION_CUES = ("disrespect", "deflection", "overpromise")
PRECISION_FLOOR = 0.90


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_cues", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dev_result(nlp: Any) -> dict[str, Any]:
    if not DEV_GOLD.exists():
        pytest.skip(f"the development gold set {DEV_GOLD} is not beside the project")
    return _load_harness().evaluate(DEV_GOLD, nlp=nlp)


def test_turn_level_micro_f1_does_not_regress(dev_result: dict[str, Any]) -> None:
    f1 = dev_result["turn"]["micro_f1"]
    assert f1 >= MICRO_F1_FLOOR, f"turn-level micro F1 {f1:.3f} < {MICRO_F1_FLOOR:.3f}"


@pytest.mark.parametrize("cue", PRECISION_CUES)
def test_negative_cues_keep_their_precision(dev_result: dict[str, Any], cue: str) -> None:
    turn = dev_result["cues"][cue]["turn"]
    if turn["tp"] + turn["fp"] == 0:
        return  # nothing predicted on the dev set: no precision to check
    assert turn["precision"] >= PRECISION_FLOOR, (
        f"{cue} turn-level precision {turn['precision']:.3f} < {PRECISION_FLOOR}; "
        f"false positives: {[e['marked'] for e in dev_result['cues'][cue]['false_positives']]}"
    )


def test_report_renders(dev_result: dict[str, Any]) -> None:
    report = _load_harness().format_report(dev_result, errors=1)
    assert "micro" in report and "macro" in report

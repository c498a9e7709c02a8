"""Calibrate the rubric on human politeness ratings (Stanford Politeness Corpus).

Usage::

    python benchmarks/eval_calibration.py [--json OUT]

Data: ``../shared/data/stanford_politeness/wikipedia.annotated.csv`` next to the
repository (read by :func:`eval_politeness.load_requests`): Wikipedia
talk-page requests with a ``Normalized Score`` of politeness per request
(Danescu-Niculescu-Mizil et al., 2013). Each request becomes a one-turn
interaction whose only turn is the agent's, scored with :func:`serviceart.score`
and the default rubric.

Target: the normalised score is a per-annotator z-score averaged over
annotators (about -3..+3, no fixed ends). It is rescaled linearly to 0..100
with ``scale=(min, max)`` of the file, so MAE and bands are in the rubric's
units; Spearman's rho does not depend on that choice, kappa and MAE do (the
human scores sit mostly in the middle band, the rubric's near the top).

Two calibrations are run, both 5-fold cross-validated with seed 0:

- ``respect`` alone against the politeness score (``target={"respect": ...}``);
- overall: every principle that can be fitted against the same score
  (``target="politeness"``), plus the mean of the principles (``overall``).

The report prints agreement of the uncalibrated default rubric and of the
calibrated one on held-out folds, and the weights before and after.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = (REPO_ROOT / "../shared/data").resolve()
DEFAULT_PATH = DATA_DIR / "stanford_politeness" / "wikipedia.annotated.csv"
SEED = 0
N_SPLITS = 5

for _p in (REPO_ROOT / "src", REPO_ROOT / "benchmarks"):  # run from a checkout
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from eval_politeness import load_requests  # noqa: E402

import serviceart as sa  # noqa: E402
from serviceart.analysis.calibrate import CalibrationReport, calibrate  # noqa: E402

__all__ = ["DEFAULT_PATH", "evaluate", "main", "score_requests"]


def score_requests(requests: pd.DataFrame, nlp: Any = None) -> sa.Result:
    """Score each request as a one-turn interaction spoken by the agent.

    Parameters
    ----------
    requests
        ``id`` and ``text`` columns, as from :func:`eval_politeness.load_requests`.
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.

    Returns
    -------
    serviceart.Result
        Interaction ids are ``wp-<Id>``.
    """
    turns = pd.DataFrame({
        "interaction_id": ("wp-" + requests["id"]).astype("string"),
        "role": "agent",
        "text": requests["text"],
    })
    return sa.score(sa.Conversations.from_frames(turns, source="politeness"), nlp=nlp)


def evaluate(path: str | Path | None = None, nlp: Any = None
             ) -> dict[str, tuple[sa.Rubric, CalibrationReport]]:
    """Score the requests and calibrate ``respect`` and the overall score.

    Parameters
    ----------
    path
        An annotated politeness CSV file; :data:`DEFAULT_PATH` when ``None``.
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.

    Returns
    -------
    dict
        ``{"respect": (rubric, report), "overall": (rubric, report)}``.
    """
    requests = load_requests(Path(path) if path is not None else DEFAULT_PATH)
    res = score_requests(requests, nlp=nlp)
    human = pd.DataFrame({"interaction_id": "wp-" + requests["id"],
                          "politeness": requests["score"]})
    lo, hi = float(human["politeness"].min()), float(human["politeness"].max())
    common: dict[str, Any] = {"scale": (lo, hi), "n_splits": N_SPLITS, "seed": SEED}
    return {
        "respect": calibrate(res, human, target={"respect": "politeness"}, **common),
        "overall": calibrate(res, human, target="politeness", **common),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", metavar="OUT", help="also write the report tables as JSON")
    args = parser.parse_args(argv)
    if not DEFAULT_PATH.exists():
        parser.error(f"data file not found: {DEFAULT_PATH}")
    t0 = time.perf_counter()
    out = evaluate()
    print(f"data: {DEFAULT_PATH} (each request one agent turn; target: normalised "
          "politeness score rescaled by its min..max)")
    for label, (rubric, report) in out.items():
        print(f"\n=== {label}: {rubric!r}\n{report}")
    print(f"\n{time.perf_counter() - t0:.1f} s")
    if args.json:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")

        data = {label: {"table": records(report.table), "weights": records(report.weights),
                        "notes": list(report.notes), "dropped": list(report.dropped)}
                for label, (_, report) in out.items()}
        Path(args.json).write_text(json.dumps(data, indent=1, default=str) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

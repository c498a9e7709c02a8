"""Relate serviceart's respect cues to human politeness ratings (Stanford Politeness Corpus).

Usage::

    python benchmarks/eval_politeness.py [--json OUT]

Data: ``../shared/data/stanford_politeness/wikipedia.annotated.csv`` next to the
repository: Wikipedia talk-page requests, each rated by 5 annotators (a few by
9 or 10), with a ``Normalized Score`` per request (Danescu-Niculescu-Mizil et
al., 2013). Each request is treated as one agent turn and run through
:func:`serviceart.detect`; every cue found counts (the respect cues are agent
cues, so no role filter applies).

Features per request: the counts of the respect-side cues ``courtesy, apology,
greeting, empathy, disrespect, hedge`` and, as extra features, the counts of
every other codebook cue.

Reported:

- Spearman correlation between the normalised score and each respect cue's
  count, and a respect index ``courtesy + apology + greeting + empathy + hedge
  - 2 * disrespect`` (a cue never found has no correlation and is reported as such);
- the paper's binary task: the top and bottom quartiles of the normalised
  score, polite = top; 10-fold stratified cross-validated accuracy (mean and
  standard deviation) of ``StandardScaler`` + ``LogisticRegression`` on all cue
  counts and on the respect cue counts only, beside the majority-class baseline
  on the same folds. For scale, the paper reports 79.8% (bag of words) and
  83.8% (politeness strategies) in-domain on Wikipedia, and 86.7% for humans.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = (REPO_ROOT / "../shared/data").resolve()
DEFAULT_PATH = DATA_DIR / "stanford_politeness" / "wikipedia.annotated.csv"
BATCH_SIZE = 512
SEED = 0
N_FOLDS = 10

if str(REPO_ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO_ROOT / "src"))

import serviceart as sa  # noqa: E402

__all__ = [
    "DEFAULT_PATH",
    "RESPECT_CUES",
    "cue_counts",
    "decode",
    "evaluate",
    "format_report",
    "load_requests",
    "main",
    "respect_index",
]

RESPECT_CUES = ("courtesy", "apology", "greeting", "empathy", "disrespect", "hedge")
_INDEX_WEIGHTS = {
    "courtesy": 1,
    "apology": 1,
    "greeting": 1,
    "empathy": 1,
    "hedge": 1,
    "disrespect": -2,
}

_TEXT_COLUMN = "Request"
_ID_COLUMN = "Id"
_SCORE_COLUMN = "Normalized Score"
# The dump writes ";" as "&#58" (sic), so an HTML entity "&#91;" reads "&#91&#58".
_ENTITY = re.compile(r"&#(\d+)&#58")
_DUMP_ESCAPES = {"&#44": ",", "&#34": '"', "&#58": ";"}


def decode(text: str) -> str:
    """The request text with the dump's escapes undone.

    The corpus file writes ``,`` as ``&#44``, ``"`` as ``&#34`` and ``;`` as
    ``&#58`` (without a closing semicolon), and keeps HTML entities such as
    ``&lt;url&gt;``; all are decoded.

    Parameters
    ----------
    text
        A ``Request`` field as stored.

    Returns
    -------
    str

    Examples
    --------
    >>> decode("thanks&#44 see &lt;url&gt;&#58 &#34ok?&#34")
    'thanks, see <url>; "ok?"'
    """
    text = _ENTITY.sub(lambda m: f"&#{m.group(1)};", text)
    for escape, char in _DUMP_ESCAPES.items():
        text = text.replace(escape, char)
    return html.unescape(text)


def load_requests(path: str | Path) -> pd.DataFrame:
    """The annotated requests of a Stanford Politeness CSV file.

    Rows rated by more than 5 annotators carry extra score and annotator
    fields; the text is read by column position and the normalised score from
    the last field, so they load too.

    Parameters
    ----------
    path
        ``wikipedia.annotated.csv`` (or the Stack Exchange file, same layout).

    Returns
    -------
    pandas.DataFrame
        Columns ``id`` (str), ``text`` (decoded str) and ``score`` (float, the
        normalised politeness score), in file order.

    Raises
    ------
    ValueError
        When the header lacks ``Id``, ``Request`` or a final ``Normalized Score``.
    """
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if _TEXT_COLUMN not in header or _ID_COLUMN not in header or header[-1] != _SCORE_COLUMN:
            raise ValueError(
                f"{path}: expected columns {_ID_COLUMN!r}, {_TEXT_COLUMN!r} and a last column "
                f"{_SCORE_COLUMN!r}; found {header}"
            )
        i_id, i_text = header.index(_ID_COLUMN), header.index(_TEXT_COLUMN)
        ids, texts, scores = [], [], []
        for row in reader:
            if not row:
                continue
            ids.append(row[i_id])
            texts.append(decode(row[i_text]))
            scores.append(float(row[-1]))
    return pd.DataFrame(
        {
            "id": pd.Series(ids, dtype="string"),
            "text": pd.Series(texts, dtype="string"),
            "score": np.asarray(scores, dtype="float64"),
        }
    )


def cue_counts(texts: Sequence[str], nlp: Any = None) -> pd.DataFrame:
    """How often each codebook cue is found in each text, role not applied.

    Parameters
    ----------
    texts
        The texts, each one turn.
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.

    Returns
    -------
    pandas.DataFrame
        One int64 column per cue, the respect cues first then the others in
        codebook order; one row per text.
    """
    names = list(RESPECT_CUES) + [c for c in sa.CUES if c not in RESPECT_CUES]
    position = {name: i for i, name in enumerate(names)}
    counts = np.zeros((len(texts), len(names)), dtype="int64")
    found = sa.detect(list(texts), nlp=nlp, batch_size=BATCH_SIZE)
    for row, cues in enumerate(found):
        for cue, _, _ in cues:
            counts[row, position[cue]] += 1
    return pd.DataFrame(counts, columns=names)


def respect_index(counts: pd.DataFrame) -> pd.Series:
    """``courtesy + apology + greeting + empathy + hedge - 2 * disrespect`` per row.

    Parameters
    ----------
    counts
        Cue counts as returned by :func:`cue_counts`.

    Returns
    -------
    pandas.Series
    """
    index = sum(weight * counts[cue] for cue, weight in _INDEX_WEIGHTS.items())
    return pd.Series(index, index=counts.index, name="respect_index", dtype="int64")


def _spearman(x: pd.Series, y: np.ndarray) -> dict[str, Any]:
    """Spearman's rho and p; both ``None`` when ``x`` is constant (rho undefined)."""
    n_nonzero = int((x != 0).sum())
    if x.nunique() < 2:
        return {"rho": None, "p": None, "n_nonzero": n_nonzero, "note": "constant: never varies"}
    res = spearmanr(x.to_numpy(), y)
    return {"rho": float(res.statistic), "p": float(res.pvalue), "n_nonzero": n_nonzero}


def _cv_accuracy(
    model: Any, x: np.ndarray, y: np.ndarray, folds: StratifiedKFold
) -> dict[str, Any]:
    scores = cross_val_score(model, x, y, cv=folds, scoring="accuracy")
    return {"mean": float(scores.mean()), "std": float(scores.std()), "folds": scores.tolist()}


def _logistic() -> Pipeline:
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("lr", LogisticRegression(max_iter=1000, random_state=SEED)),
        ]
    )


def evaluate(path: str | Path | None = None, nlp: Any = None) -> dict[str, Any]:
    """Correlate cue counts with politeness ratings and run the quartile classification.

    Parameters
    ----------
    path
        An annotated politeness CSV file; :data:`DEFAULT_PATH` when ``None``.
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.

    Returns
    -------
    dict
        ``path, n``; ``cue_totals`` (requests with each cue); ``spearman``:
        ``{cue or "respect_index": {rho, p, n_nonzero[, note]}}``;
        ``classification``: ``{n, n_polite, n_impolite, low_cut, high_cut,
        n_folds, seed, majority: {mean, std, folds}, logistic_all_cues: {...},
        logistic_respect_cues: {...}, n_features}``.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    requests = load_requests(path)
    nlp = nlp if nlp is not None else sa.make_nlp()
    counts = cue_counts(requests["text"].tolist(), nlp=nlp)
    score = requests["score"].to_numpy()

    spearman = {cue: _spearman(counts[cue], score) for cue in RESPECT_CUES}
    spearman["respect_index"] = _spearman(respect_index(counts), score)

    low_cut, high_cut = np.quantile(score, [0.25, 0.75])
    keep = (score <= low_cut) | (score >= high_cut)
    y = (score[keep] >= high_cut).astype("int64")
    x_all = counts.to_numpy(dtype="float64")[keep]
    x_respect = counts[list(RESPECT_CUES)].to_numpy(dtype="float64")[keep]
    folds = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=SEED)
    classification = {
        "n": int(keep.sum()),
        "n_polite": int(y.sum()),
        "n_impolite": int((y == 0).sum()),
        "low_cut": float(low_cut),
        "high_cut": float(high_cut),
        "n_folds": N_FOLDS,
        "seed": SEED,
        "n_features": x_all.shape[1],
        "majority": _cv_accuracy(DummyClassifier(strategy="most_frequent"), x_all, y, folds),
        "logistic_all_cues": _cv_accuracy(_logistic(), x_all, y, folds),
        "logistic_respect_cues": _cv_accuracy(_logistic(), x_respect, y, folds),
    }
    return {
        "path": str(path),
        "n": len(requests),
        "cue_totals": {cue: int((counts[cue] > 0).sum()) for cue in counts.columns},
        "spearman": spearman,
        "classification": classification,
    }


def format_report(result: dict[str, Any]) -> str:
    """A plain-text summary of :func:`evaluate`'s result.

    Parameters
    ----------
    result
        The dict returned by :func:`evaluate`.

    Returns
    -------
    str
    """
    lines = [f"data: {result['path']} ({result['n']} requests, each one agent turn)", ""]
    lines.append(f"{'Spearman vs normalised score':<30}{'rho':>8}{'p':>11}{'requests':>10}")
    for name, s in result["spearman"].items():
        if s["rho"] is None:
            lines.append(f"{name:<30}{'n/a':>8}{'':>11}{s['n_nonzero']:>10}   ({s['note']})")
        else:
            lines.append(f"{name:<30}{s['rho']:>8.3f}{s['p']:>11.2e}{s['n_nonzero']:>10}")
    c = result["classification"]
    lines += [
        "",
        f"top vs bottom quartile: {c['n']} requests ({c['n_polite']} polite, score >= "
        f"{c['high_cut']:.3f}; {c['n_impolite']} impolite, score <= {c['low_cut']:.3f})",
        f"{c['n_folds']}-fold stratified CV accuracy (seed {c['seed']}):",
    ]
    for key, label in (
        ("majority", "majority class"),
        ("logistic_respect_cues", f"logistic, {len(RESPECT_CUES)} respect cues"),
        ("logistic_all_cues", f"logistic, all {c['n_features']} cues"),
    ):
        lines.append(f"  {label:<28}{c[key]['mean']:.3f} ± {c[key]['std']:.3f}")
    found = ", ".join(f"{k} {v}" for k, v in result["cue_totals"].items() if v)
    lines += ["", f"requests with each cue: {found}"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", metavar="OUT", help="also write the numbers as JSON to OUT")
    args = parser.parse_args(argv)
    if not DEFAULT_PATH.exists():
        parser.error(f"data file not found: {DEFAULT_PATH}")
    result = evaluate()
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(
            json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Evaluate serviceart's ``hedge`` cue as a sentence-level uncertainty detector.

Usage::

    python benchmarks/eval_hedge.py [--limit N] [--errors N] [--json OUT]

Data: ``../shared/data/wiki_weasel_hedge/train.csv`` next to the repository
(columns ``text,label``): Wikipedia sentences from the WikiWeasel part of the
Szeged Uncertainty Corpus (CoNLL-2010), label 1 = uncertain (hedge or weasel
cue), 0 = certain. Each sentence is treated as one agent turn and predicted
"uncertain" when :func:`serviceart.detect` finds a ``hedge`` cue in it.

Reported: precision, recall, F1 and accuracy of that prediction, the confusion
counts, the base rate (share of uncertain sentences) and, with ``--errors N``,
the first N false positives (hedge spans marked ``[[ ]]``) and false negatives.

Weasel words ("some people say", "it is believed", "many") are a broader
category than the codebook's epistemic ``hedge``, so recall on the whole file
understates the detector. As a diagnostic, recall is also reported on the
uncertain sentences that contain a word of the hedge lexicon of Islam, Xiao &
Mercer (LREC 2020), ``../shared/data/hedge_lexicons_lrec2020/hedge_words.txt``,
and on those that contain none. The lexicon only splits the sentences for this
diagnostic; it is never used to predict. The converse also holds: the
corpus was annotated for weasel cues, and many sentences labelled certain carry
a plain epistemic hedge ("the low numbers may be more accurate"), so the false
positives listed by ``--errors`` are worth reading before trusting the precision.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = (REPO_ROOT / "../shared/data").resolve()
DEFAULT_PATH = DATA_DIR / "wiki_weasel_hedge" / "train.csv"
LEXICON_PATH = DATA_DIR / "hedge_lexicons_lrec2020" / "hedge_words.txt"
BATCH_SIZE = 512
SEED = 0  # of the --limit sample

if str(REPO_ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO_ROOT / "src"))

import serviceart as sa  # noqa: E402

__all__ = [
    "DEFAULT_PATH",
    "LEXICON_PATH",
    "evaluate",
    "format_report",
    "lexicon_pattern",
    "load_lexicon",
    "load_sentences",
    "main",
]

Span = tuple[int, int]


def load_sentences(path: str | Path, limit: int | None = None) -> pd.DataFrame:
    """The labelled sentences of a WikiWeasel CSV file.

    Parameters
    ----------
    path
        A CSV file with columns ``text`` and ``label`` (1 = uncertain, 0 = certain).
    limit
        Keep a random sample of ``limit`` sentences (fixed seed, back in file
        order); all when ``None``. The file is sorted by label, so its first rows
        would not be representative.

    Returns
    -------
    pandas.DataFrame
        Columns ``row`` (0-based data row in the file), ``text`` (str, surrounding
        whitespace stripped) and ``label`` (int).

    Raises
    ------
    ValueError
        When the file lacks the ``text`` or ``label`` column.
    """
    frame = pd.read_csv(path, dtype={"text": "string"}, keep_default_na=False)
    missing = {"text", "label"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}; expected 'text,label'")
    if limit is not None and limit < len(frame):
        frame = frame.sample(n=max(limit, 0), random_state=SEED).sort_index()
    return pd.DataFrame(
        {
            "row": frame.index.to_numpy(dtype="int64"),
            "text": frame["text"].astype(str).str.strip().to_numpy(dtype=object),
            "label": frame["label"].astype("int64").to_numpy(),
        }
    )


def load_lexicon(path: str | Path = LEXICON_PATH) -> dict[str, list[str]]:
    """The entries of a hedge lexicon file, grouped by its ``#`` section headers.

    Parameters
    ----------
    path
        A text file with one entry per line; lines starting with ``#`` name the
        section of the entries below them, blank lines are skipped.

    Returns
    -------
    dict of str to list of str
        Section name (``""`` before the first header) to its lower-cased entries.
    """
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            current = line.lstrip("#").strip()
            continue
        sections.setdefault(current, []).append(line.lower())
    return sections


def _verb_forms(verb: str) -> set[str]:
    """Regular inflections of a verb: -s, -ed, -ing (irregular pasts are not added)."""
    forms = {verb}
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"}
    elif verb.endswith("e"):
        forms |= {verb + "s", verb + "d", verb[:-1] + "ing"}
    else:
        forms |= {verb + "s", verb + "ed", verb + "ing"}
    return forms


def lexicon_pattern(sections: dict[str, list[str]]) -> re.Pattern[str]:
    """A case-insensitive whole-word regex for the lexicon's entries.

    Entries of sections whose name mentions verbs (other than modal verbs) also
    match their regular inflections ("believe" -> "believes", "believed").

    Parameters
    ----------
    sections
        The lexicon as returned by :func:`load_lexicon`.

    Returns
    -------
    re.Pattern
        Matches one lexicon word or phrase; the match text names the entry form found.
    """
    forms: set[str] = set()
    for name, entries in sections.items():
        verbs = "verb" in name.lower() and "modal" not in name.lower()
        for entry in entries:
            forms |= _verb_forms(entry) if verbs and " " not in entry else {entry}
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def _mark(text: str, spans: Sequence[Span]) -> str:
    """``text`` with each span wrapped in ``[[ ]]``, on one line."""
    out, last = [], 0
    for s, e in sorted(spans):
        if s < last:
            continue
        out.extend([text[last:s], "[[", text[s:e], "]]"])
        last = e
    out.append(text[last:])
    return " ".join("".join(out).split())


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def evaluate(
    path: str | Path | None = None, limit: int | None = None, nlp: Any = None
) -> dict[str, Any]:
    """Score the ``hedge`` cue as a sentence-level uncertainty classifier.

    Parameters
    ----------
    path
        A WikiWeasel CSV file; :data:`DEFAULT_PATH` when ``None``.
    limit
        Score a seeded random sample of ``limit`` sentences; all when ``None``.
    nlp
        A pipeline from :func:`serviceart.make_nlp`; a new one when ``None``.

    Returns
    -------
    dict
        ``path, n, base_rate, predicted_rate, tp, fp, fn, tn, precision, recall,
        f1, accuracy``; ``lexicon``: ``{path, n_uncertain_with_word,
        recall_with_word, n_uncertain_without_word, recall_without_word,
        missed_words}`` (``missed_words``: the lexicon words most often found in
        false negatives, with counts); ``false_positives`` and
        ``false_negatives``: every error in file order as ``{row, text, marked}``
        (``row``: 0-based data row of the file; hedge spans or lexicon words in ``[[ ]]``).
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    frame = load_sentences(path, limit)
    texts: list[str] = frame["text"].tolist()
    labels: list[int] = frame["label"].tolist()
    rows: list[int] = frame["row"].tolist()
    nlp = nlp if nlp is not None else sa.make_nlp()
    found = sa.detect(texts, nlp=nlp, batch_size=BATCH_SIZE)
    lexicon = lexicon_pattern(load_lexicon(LEXICON_PATH))

    tp = fp = fn = tn = 0
    with_word = [0, 0]  # uncertain sentences containing a lexicon word: [found, total]
    without_word = [0, 0]
    missed_words: Counter[str] = Counter()
    false_positives: list[dict[str, Any]] = []
    false_negatives: list[dict[str, Any]] = []
    for row, text, label, cues in zip(rows, texts, labels, found, strict=True):
        hedges = [(s, e) for cue, s, e in cues if cue == "hedge"]
        predicted = bool(hedges)
        if label == 1:
            words = list(lexicon.finditer(text))
            bucket = with_word if words else without_word
            bucket[0] += predicted
            bucket[1] += 1
            if predicted:
                tp += 1
            else:
                fn += 1
                missed_words.update({m.group(0).lower() for m in words})
                marked = _mark(text, [m.span() for m in words])
                false_negatives.append({"row": row, "text": text, "marked": marked})
        elif predicted:
            fp += 1
            false_positives.append({"row": row, "text": text, "marked": _mark(text, hedges)})
        else:
            tn += 1

    n = len(texts)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {
        "path": str(path),
        "n": n,
        "base_rate": _ratio(tp + fn, n),
        "predicted_rate": _ratio(tp + fp, n),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "accuracy": _ratio(tp + tn, n),
        "lexicon": {
            "path": str(LEXICON_PATH),
            "n_uncertain_with_word": with_word[1],
            "recall_with_word": _ratio(*with_word),
            "n_uncertain_without_word": without_word[1],
            "recall_without_word": _ratio(*without_word),
            "missed_words": missed_words.most_common(10),
        },
        "false_positives": false_positives,
        "false_negatives": false_negatives,
    }


def format_report(result: dict[str, Any], errors: int = 0) -> str:
    """A plain-text summary of :func:`evaluate`'s result.

    Parameters
    ----------
    result
        The dict returned by :func:`evaluate`.
    errors
        How many false positives and false negatives to list.

    Returns
    -------
    str
    """
    r, lex = result, result["lexicon"]
    lines = [
        f"data: {r['path']} ({r['n']} sentences, each one agent turn)",
        f"base rate (uncertain): {r['base_rate']:.3f}   predicted rate: {r['predicted_rate']:.3f}",
        "",
        f"precision {r['precision']:.3f}   recall {r['recall']:.3f}   "
        f"F1 {r['f1']:.3f}   accuracy {r['accuracy']:.3f}",
        f"confusion: tp {r['tp']}  fp {r['fp']}  fn {r['fn']}  tn {r['tn']}",
        "",
        f"recall on uncertain sentences with a hedge-lexicon word:    "
        f"{lex['recall_with_word']:.3f} (n={lex['n_uncertain_with_word']})",
        f"recall on uncertain sentences without a hedge-lexicon word: "
        f"{lex['recall_without_word']:.3f} (n={lex['n_uncertain_without_word']})",
        "lexicon words most often in missed sentences: "
        + ", ".join(f"{w} ({c})" for w, c in lex["missed_words"]),
    ]
    if errors > 0:
        lines += ["", f"false positives (first {errors}, hedge spans marked):"]
        lines += [f"  FP {e['row']}: {e['marked']}" for e in r["false_positives"][:errors]]
        lines += ["", f"false negatives (first {errors}, lexicon words marked):"]
        lines += [f"  FN {e['row']}: {e['marked']}" for e in r["false_negatives"][:errors]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--limit", type=int, metavar="N", help="score a fixed random sample of N sentences"
    )
    parser.add_argument(
        "--errors", type=int, default=0, metavar="N", help="list N false positives and negatives"
    )
    parser.add_argument("--json", metavar="OUT", help="also write the numbers as JSON to OUT")
    args = parser.parse_args(argv)
    for needed in (DEFAULT_PATH, LEXICON_PATH):
        if not needed.exists():
            parser.error(f"data file not found: {needed}")
    result = evaluate(limit=args.limit)
    print(format_report(result, args.errors))
    if args.json:
        Path(args.json).write_text(
            json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Check that a change left the output of ``sa.score`` exactly as it was.

Scores the real support corpus of ``benchmarks/throughput.py`` (3,700-odd
conversations from ``../shared/data``) and its generated corpus (calls with
start and end times, chats, emails), and either saves every table of the
result (``--save DIR``, run on the code before the change) or compares every
table with the saved ones, values and dtypes exactly (``--compare DIR``, run on
the code after it). Tables: scores, measures, evidence, promises,
contributions, bands, interactions, turns and rejects.

Usage::

    git stash; python benchmarks/same_output.py --save /tmp/before; git stash pop
    python benchmarks/same_output.py --compare /tmp/before
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

import serviceart as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import DATA, make_corpus, real_corpus

TABLES = ("scores", "measures", "evidence", "promises", "contributions", "bands",
          "interactions", "turns", "rejects")


def tables(corpus: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every table of ``sa.score`` on the turn table ``corpus``."""
    res = sa.score(sa.Conversations.from_frames(corpus))
    return {name: getattr(res, name) for name in TABLES}


def main() -> None:
    """Save or compare, as the command line asks."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", metavar="DIR", help="write the tables to DIR")
    group.add_argument("--compare", metavar="DIR", help="compare with the tables in DIR")
    ap.add_argument("--data", default=str(DATA), help=f"the shared data folder (default {DATA})")
    args = ap.parse_args()

    now = {"real": tables(real_corpus(Path(args.data))),
           "generated": tables(make_corpus(40, 200, 13, 200))}
    if args.save:
        for corpus, found in now.items():
            folder = Path(args.save) / corpus
            folder.mkdir(parents=True, exist_ok=True)
            for name, frame in found.items():
                frame.to_pickle(folder / f"{name}.pkl")
            print(f"saved {len(found)} tables to {folder}: "
                  + ", ".join(f"{k} {len(v)} rows" for k, v in found.items()))
        return
    differ = []
    for (corpus, name), frame in ((k, f) for c, found in now.items()
                                  for k, f in (((c, n), t) for n, t in found.items())):
        folder = Path(args.compare) / corpus
        before = pd.read_pickle(folder / f"{name}.pkl")
        try:
            pd.testing.assert_frame_equal(frame, before, check_exact=True)
        except AssertionError as exc:
            differ.append(f"{corpus}/{name}")
            print(f"{corpus}/{name}: DIFFERS\n{exc}\n")
        else:
            print(f"{corpus}/{name}: identical ({len(frame)} rows x {frame.shape[1]} columns)")
    if differ:
        raise SystemExit(f"same_output: {', '.join(differ)} differ from {args.compare}")
    print("all tables identical")


if __name__ == "__main__":
    main()

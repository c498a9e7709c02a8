"""Measure the scope detector (:mod:`serviceart.scope`) on real threads.

Usage::

    python benchmarks/eval_scope.py [--show N] [--seed S]

Data: ``../shared/data`` next to the repository.

- ``gold/qa_dev.jsonl``: the positives are the conversations for which a rater
  gave ``follow_through: null`` with a note saying it was banter, marketing or no
  service request (read from the notes by :data:`NOT_SERVICE`); every other
  conversation is a negative. Reported: precision and recall of ``non_service``,
  with the keys of the misses and of any false positive.
- ``twcs/twcs.csv`` (1,312 whole threads) and ``twcs_random_sample/twcs_small.csv``
  (4,996 threads, mostly single tweets whose thread is not in the sample): the
  scopes given. Threads without an agent turn are ``no_agent`` before the
  non-service detector looks at them, so for the sample the customer-side rules
  are also run on every thread, to show what they would flag.

``--show N`` prints N flagged threads of each file, drawn with ``--seed``, for
reading by hand.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd

import serviceart as sa
from serviceart.scope import _non_service, detect_scope, load_rules

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

#: a rater's note that says the conversation was not a service request
NOT_SERVICE = re.compile(r"banter|marketing|no (?:service |real )?request|not a service "
                         r"request|nothing (?:was )?asked|no service need", re.I)


def qa_dev(path: Path) -> dict[str, object]:
    """Precision and recall of ``non_service`` on the rated conversations."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    turns, positive = [], {}
    for r in rows:
        turns += [{"interaction_id": r["key"], "turn_index": k, "role": t["role"],
                   "text": t["text"]} for k, t in enumerate(r["turns"])]
        positive[r["key"]] = any(x.get("follow_through") is None and NOT_SERVICE.search(
            x["note"]) for x in r["raters"])
    table, _ = detect_scope(pd.DataFrame(turns), pd.DataFrame({"interaction_id": list(positive)}))
    flagged = set(table.loc[table["scope"] == "non_service", "interaction_id"])
    pos = {k for k, v in positive.items() if v}
    tp = len(flagged & pos)
    return {"conversations": len(rows), "positives": len(pos), "flagged": len(flagged),
            "true_positives": tp, "precision": tp / len(flagged) if flagged else float("nan"),
            "recall": tp / len(pos) if pos else float("nan"),
            "no_agent": int((table["scope"] == "no_agent").sum()),
            "false_positives": sorted(flagged - pos), "missed": sorted(pos - flagged)}


def threads(path: Path, show: int, seed: int) -> None:
    """The scopes of one export's threads; ``show`` flagged ones printed."""
    conv = sa.read(path)
    table, _ = detect_scope(conv.turns, conv.interactions)
    counts = table["scope"].astype(str).value_counts().to_dict()
    side = _non_service(conv.turns, load_rules())
    print(f"{path.name}: {len(table)} threads, scopes {counts}; the customer-side rules "
          f"alone flag {len(side)}")
    flagged = table[table["scope"] == "non_service"]
    pick = flagged if len(flagged) else side.rename(columns={"reason": "scope_reason"})
    pick = pick.sample(min(show, len(pick)), random_state=seed) if show else pick.iloc[:0]
    for iid, reason in zip(pick["interaction_id"], pick["scope_reason"], strict=True):
        print(f"== {iid}: {reason}")
        rows = conv.turns[conv.turns["interaction_id"] == iid]
        for role, text in zip(rows["role"], rows["text"], strict=True):
            print(f"     {role}: {str(text)[:200]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--show", type=int, default=0, help="flagged threads to print per file")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    data = Path(args.data)
    dev = qa_dev(data / "gold" / "qa_dev.jsonl")
    print("qa_dev: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                 for k, v in dev.items()))
    threads(data / "twcs" / "twcs.csv", args.show, args.seed)
    threads(data / "twcs_random_sample" / "twcs_small.csv", args.show, args.seed)


if __name__ == "__main__":
    main()

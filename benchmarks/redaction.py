"""The cost of redaction: full scoring with ``redact=True`` against the same run without
it, on the real support text of ``benchmarks/throughput.py``.

Measured in one process after a warm-up, the two runs alternating ``--repeat``
times (medians reported, wall and CPU seconds); spaCy's blank tokenizer on the
same texts (T) is measured too, so both runs are also given as a ratio to T, as
``throughput.py`` reports full scoring. The redaction pass alone
(:func:`serviceart.redact.redact_tables` on the run's tables) is timed as well.

With ``--patterns``, only the redaction of the turns' text is measured instead, piece
by piece as :meth:`serviceart.redact.Redactor.spans_of` runs it: each need's
selection of texts, each pattern's scan over the texts it needs, the look-up of the
export's names, and the whole call; CPU seconds, the fastest of ``--repeat`` runs
(a shared machine only ever makes a piece slower).

Usage: ``python benchmarks/redaction.py [--repeat N] [--data DIR] [--patterns]``
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _throughput() -> Any:
    spec = importlib.util.spec_from_file_location("throughput", HERE / "throughput.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["throughput"] = module
    spec.loader.exec_module(module)
    return module


def _timed(run: Any) -> tuple[float, float, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    value = run()
    return time.perf_counter() - t0, time.process_time() - c0, value


def main() -> None:
    """Run the benchmark and print the table."""
    tp = _throughput()
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", default=str(tp.DATA), help=f"the shared data folder "
                                                         f"(default {tp.DATA})")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    ap.add_argument("--patterns", action="store_true",
                    help="time each pattern of the turns' redaction instead")
    args = ap.parse_args()
    if args.patterns:
        patterns(tp, Path(args.data), args.repeat)
        return

    import spacy

    import serviceart as sa
    from serviceart.redact import ENTITIES, redact_tables

    corpus = tp.real_corpus(Path(args.data))
    texts = corpus["text"].tolist()
    words = sum(len(t.split()) for t in texts)
    conv = sa.Conversations.from_frames(corpus)
    nlp = sa.make_nlp()
    blank = spacy.blank("en")
    first = conv.interactions.groupby("channel", observed=True)["interaction_id"].first()
    sa.score(conv.subset(first), nlp=nlp, redact=True)  # warm-up: one-time loads
    for _ in blank.pipe(texts[:50]):
        pass

    def tok() -> None:
        for _ in blank.pipe(texts, batch_size=256):
            pass

    runs: dict[str, list[tuple[float, float]]] = {"tok": [], "plain": [], "redact": [],
                                                   "pass": []}
    for k in range(max(1, args.repeat)):
        order = ["plain", "redact"] if k % 2 == 0 else ["redact", "plain"]
        wall, cpu, _ = _timed(tok)
        runs["tok"].append((wall, cpu))
        for name in order:
            wall, cpu, res = _timed(lambda name=name: sa.score(conv, nlp=nlp,
                                                               redact=name == "redact"))
            runs[name].append((wall, cpu))
            if name == "plain":
                tables = {n: getattr(res, n) for n in ("turns", "evidence", "interactions",
                                                        "promises", "scores", "rejects")}
                wall, cpu, _ = _timed(lambda tables=tables: redact_tables(tables, ENTITIES))
                runs["pass"].append((wall, cpu))
    wall = {n: statistics.median(w for w, _ in r) for n, r in runs.items()}
    cpu = {n: statistics.median(c for _, c in r) for n, r in runs.items()}
    print(f"real support text: {len(conv):,} interactions, {len(texts):,} turns, "
          f"{words:,} words; median of {args.repeat} runs, one process")
    print(f"{'path':<40}{'seconds':>9}{'cpu s':>9}{'words/s':>11}{'/ T':>7}")
    labels = {"tok": "spaCy blank tokenization (T)", "plain": "full scoring",
              "redact": "full scoring, redact=True", "pass": "redaction pass alone"}
    for name, label in labels.items():
        print(f"{label:<40}{wall[name]:>9.2f}{cpu[name]:>9.2f}{words / wall[name]:>11,.0f}"
              f"{wall['tok'] / wall[name]:>7.2f}")
    print(f"redaction costs {wall['redact'] / wall['plain']:.2f}x the wall time of the same "
          f"run without it ({cpu['redact'] / cpu['plain']:.2f}x in CPU time)")


def patterns(tp: Any, data: Path, repeat: int) -> None:
    """Print the CPU seconds of each piece of the turns' redaction (see the module
    docstring), scored once without redaction first to get the run's turns."""
    import serviceart as sa
    from serviceart.redact import ENTITIES, Redactor, _Joined, export_names

    conv = sa.Conversations.from_frames(tp.real_corpus(data))
    res = sa.score(conv)
    texts = [t for t in res.turns["text"].tolist() if isinstance(t, str)]
    red = Redactor(ENTITIES, export_names(res.turns, res.interactions))
    best: dict[str, float] = {}

    def timed(label: str, run: Any) -> Any:
        c0 = time.process_time()
        value = run()
        spent = time.process_time() - c0
        best[label] = min(best.get(label, spent), spent)
        return value

    for _ in range(max(1, repeat)):
        whole = timed("join the texts", lambda: _Joined(texts, range(len(texts))))
        views: dict[str, Any] = {}
        for k, rule in enumerate(red._rules):
            view = whole
            if rule.needs is not None:
                need = rule.needs
                if need.pattern not in views:
                    views[need.pattern] = timed(f"texts that need {need.pattern[:20]}",
                                                lambda need=need, whole=whole: whole.having(need))
                view = views[need.pattern]
            timed(f"{k:2d} {rule.entity.name}: {rule.regex.pattern[:36]}",
                  lambda rule=rule, view=view: sum(1 for _ in rule.regex.finditer(view.text)))
        if red._words:
            timed("names of the export (word look-up)", lambda whole=whole: whole.words(red._words))
        timed("spans_of, all of it", lambda: red.spans_of(texts))
    print(f"{len(texts):,} turns, {sum(map(len, texts)):,} characters, "
          f"{len(red.names):,} names from the export; fastest of {repeat} runs, CPU s")
    for label, spent in best.items():
        print(f"{label:<60}{spent:>8.3f}")


if __name__ == "__main__":
    main()

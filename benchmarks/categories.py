"""Scoring speed with 200 categories, against the same run without them and against
spaCy tokenization alone, on real support text.

The corpus is the real-text corpus of ``benchmarks/throughput.py`` (Customer Support
on Twitter, IBM Twitter support, Mozilla SUMO and SemEval Qatar Living threads from
``../shared/data``). The 200 categories (:func:`make_categories`) are of the kinds a
QA lead writes: 60 competitor or brand mentions by the customer, 50 topics, 40
agent scripts within the first two turns, and 50 token patterns (a verb, up to two
free words, a noun), all with negation on; they match real turns, so the evidence
and measures are built, not only the matcher run.

Three paths are measured, each in a fresh process after a warm-up (as in
``throughput.py``):

- T: ``spacy.blank("en")`` tokenization alone,
- full: ``sa.score(conv)``, one process,
- full + 200 categories: ``sa.score(conv, categories=FILE)``, one process,
- the same with redaction on: ``sa.score(conv, categories=FILE, redact=True)`` (the
  analyst's-workflow issue asks for >= 0.25 of T with both).

The figures printed are each path's words per second, its ratio to T, and the
ratio of the run with categories to the run without them.

Usage: ``python benchmarks/categories.py [--repeat N] [--data DIR] [--n 200]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import DATA, fresh, real_corpus

PATHS = ("tok", "full", "categories", "redacted")
LABELS = {"tok": "spaCy blank tokenization (T)", "full": "full scoring, no categories",
          "categories": "full scoring, with the categories",
          "redacted": "... and redaction on (redact=True)"}

BRANDS = ["verizon", "at&t", "t-mobile", "sprint", "comcast", "xfinity", "spectrum", "cox",
          "vodafone", "o2", "three", "ee", "sky", "virgin media", "bt", "talktalk", "delta",
          "united", "american airlines", "southwest", "jetblue", "ryanair", "easyjet",
          "british airways", "lufthansa", "emirates", "amazon", "walmart", "target",
          "best buy", "ebay", "etsy", "apple", "samsung", "google", "microsoft", "xbox",
          "playstation", "nintendo", "netflix", "hulu", "spotify", "uber", "lyft", "doordash",
          "deliveroo", "just eat", "tesco", "sainsburys", "asda", "morrisons", "argos",
          "paypal", "venmo", "chase", "wells fargo", "bank of america", "barclays",
          "hsbc", "lloyds"]
TOPICS = ["refund", "cancel my order", "delivery", "tracking number", "password", "login",
          "account locked", "billing", "overcharged", "charged twice", "late fee",
          "discount code", "promo code", "gift card", "warranty", "replacement", "broken",
          "damaged", "missing item", "wrong item", "delayed flight", "cancelled flight",
          "lost luggage", "baggage", "seat upgrade", "boarding pass", "outage",
          "no signal", "slow internet", "wifi", "router", "engineer visit", "appointment",
          "subscription", "renewal", "direct debit", "invoice", "receipt", "app crash",
          "update", "firefox", "bookmark", "extension", "sync", "crash report",
          "privacy", "data breach", "complaint", "compensation", "escalate"]
SCRIPTS = ["thanks for reaching out", "thank you for contacting us", "happy to help",
           "we're here to help", "sorry to hear that", "we apologize for the inconvenience",
           "please send us a dm", "dm us your", "could you confirm your", "follow the link",
           "we'll look into this", "let us know if", "have a great day", "hope this helps",
           "is there anything else", "we appreciate your patience", "bear with us",
           "we understand your frustration", "our team is working on", "please try again",
           "clear your cache", "restart your device", "check your settings",
           "reach out to our team", "contact our support", "please provide your",
           "we'd like to help", "glad to hear", "keep an eye on", "for security reasons",
           "we can't see", "we have passed this on", "we will be in touch",
           "within 24 hours", "as soon as possible", "thanks for letting us know",
           "thanks for your feedback", "we value your", "take a look", "look into it"]
VERBS = ["cancel", "refund", "change", "update", "reset", "replace", "return", "track",
         "book", "upgrade"]
NOUNS = ["order", "account", "password", "flight", "booking", "payment", "plan", "device",
         "ticket", "subscription"]


def _toml_str(text: str) -> str:
    return json.dumps(text)


def make_categories(n: int = 200) -> str:
    """A categories file of ``n`` categories of the four kinds (see the module
    docstring), in that proportion."""
    blocks: list[str] = []
    kinds = ([("brand", b) for b in BRANDS] + [("topic", t) for t in TOPICS]
             + [("script", s) for s in SCRIPTS]
             + [("pattern", (v, w)) for v in VERBS for w in NOUNS[:5]])
    for k in range(n):
        kind, item = kinds[k % len(kinds)]
        name = f"{kind}_{k}"
        if kind == "brand":
            blocks.append(f'[[category]]\nname = "{name}"\nrole = "customer"\n'
                          f'phrases = [{_toml_str(str(item))}, {_toml_str(f"switch to {item}")}]\n')
        elif kind == "topic":
            blocks.append(f'[[category]]\nname = "{name}"\nprinciple = "service"\n'
                          f'phrases = [{_toml_str(str(item))}]\n')
        elif kind == "script":
            blocks.append(f'[[category]]\nname = "{name}"\nrole = "agent"\n'
                          f'window = "first 2 turns"\nphrases = [{_toml_str(str(item))}]\n')
        else:
            verb, noun = item
            blocks.append(f'[[category]]\nname = "{name}"\npatterns = [[{{NORM = "{verb}"}}, '
                          f'{{IS_ALPHA = true, OP = "{{0,2}}"}}, '
                          f'{{NORM = {{IN = ["{noun}", "{noun}s"]}}}}]]\n')
    return "\n".join(blocks)


def measure(path: str, data: Path, categories: str | None) -> dict[str, Any]:
    """Seconds for one run of ``path`` in this process, after a warm-up."""
    corpus = real_corpus(data)
    texts = corpus["text"].tolist()
    out: dict[str, Any] = {"path": path, "turns": len(texts),
                           "words": sum(len(t.split()) for t in texts)}
    if path == "tok":
        import spacy

        blank = spacy.blank("en")
        for _ in blank.pipe(texts[:50]):
            pass
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in blank.pipe(texts, batch_size=256):
            pass
    else:
        import serviceart as sa

        conv = sa.Conversations.from_frames(corpus)
        cats = categories if path in ("categories", "redacted") else None
        redact = path == "redacted"
        first = conv.interactions.groupby("channel", observed=True)["interaction_id"].first()
        sa.score(conv.subset(first), categories=cats, redact=redact)  # warm-up: one-time loads
        t0, c0 = time.perf_counter(), time.process_time()
        res = sa.score(conv, categories=cats, redact=redact)
        out["scored"] = res.run_info["counts"]["scored"]
        if cats is not None:
            source = res.evidence["source"].astype("string")
            out["category_rows"] = int((source == "category").sum())
            counts = res.measures.filter(like="category_")
            out["categories_hit"] = int((counts.sum() > 0).sum())
            out["categories"] = int(counts.shape[1])
    out["seconds"], out["cpu"] = time.perf_counter() - t0, time.process_time() - c0
    return out


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", default=str(DATA), help=f"the shared data (default {DATA})")
    ap.add_argument("--n", type=int, default=200, help="categories (default 200)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per path; medians reported")
    ap.add_argument("--categories", help=argparse.SUPPRESS)
    ap.add_argument("--mode", choices=PATHS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(measure(args.mode, Path(args.data), args.categories)))
        return
    real_corpus(Path(args.data))  # fail here, once, when the data is missing
    with tempfile.TemporaryDirectory() as tmp:
        cats = Path(tmp) / "categories.toml"
        cats.write_text(make_categories(args.n), encoding="utf-8")
        argv = ["--data", args.data, "--categories", str(cats)]
        runs: dict[str, list[dict[str, Any]]] = {p: [] for p in PATHS}
        for _ in range(max(1, args.repeat)):
            for p in PATHS:
                runs[p].append(fresh(p, argv, __file__))
    secs = {p: statistics.median(r["seconds"] for r in rs) for p, rs in runs.items()}
    cpu = {p: statistics.median(r["cpu"] for r in rs) for p, rs in runs.items()}
    words = runs["tok"][0]["words"]
    last = runs["categories"][-1]
    print(f"corpus: real support text from {args.data}: {words} words, "
          f"{runs['tok'][0]['turns']} turns; {args.n} categories "
          f"({last['categories']} with a measure, {last['categories_hit']} found at least "
          f"once, {last['category_rows']} evidence rows); median of {args.repeat} run(s)")
    print(f"{'path':<36} {'seconds':>8} {'words/s':>9} {'x T':>6} {'cpu x T':>8}")
    for p in PATHS:
        print(f"{LABELS[p]:<36} {secs[p]:>8.2f} {words / secs[p]:>9.0f} "
              f"{secs['tok'] / secs[p]:>6.3f} {cpu['tok'] / cpu[p]:>8.3f}")
    print(f"with {args.n} categories / without: speed ratio {secs['full'] / secs['categories']:.3f}"
          f" (cpu {cpu['full'] / cpu['categories']:.3f}); with redaction too: "
          f"{secs['full'] / secs['redacted']:.3f} (cpu {cpu['full'] / cpu['redacted']:.3f})")


if __name__ == "__main__":
    main()

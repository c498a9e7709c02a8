"""Throughput of cue detection and of the full scoring path against spaCy
tokenization alone, in one run.

Generates a corpus of calls (~1,500 words), chats (~300 words) and emails (~200
words) from realistic agent and customer lines, then measures words per second for:

- T: ``spacy.blank("en")`` tokenization alone (``nlp.pipe`` of the same texts),
- detection: ``sa.detect`` (the cue pipeline alone: normalising, tokenizing,
  sentences, cues, reading the spans back),
- serviceart: ``sa.score`` (cues, every measure, the rubric), single process,

and prints their ratios to T (``benchmarks/batch.py`` measures the batch engine:
``--jobs 2`` against one worker, peak memory per worker, reading, and 100k chats
through the CLI). Speed is reported as a ratio against the baseline
measured in the same run, never as an absolute target. With ``--repeat N`` the
three are measured N times in turn and the median of each is reported, which
steadies the numbers on a busy machine.

Usage: ``python benchmarks/throughput.py [--calls N] [--chats N] [--seed S] [--repeat N]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import pandas as pd
import spacy

import serviceart as sa

AGENT = [
    "Good morning, thanks for calling, you're speaking with Sam.",
    "I'm sorry to hear that, I can imagine how frustrating it must be.",
    "Just to make sure I've got this right, the router drops every evening?",
    "Let me check that for you, bear with me a moment.",
    "I've processed the refund and it should reach your card in three to five days.",
    "Unfortunately we can't replace opened items, because the seal protects the warranty.",
    "I'll call you back tomorrow before noon with an update.",
    "I think it might be the cable, probably the one at the back.",
    "Let me transfer you to our billing team, they can look at the invoice.",
    "Is there anything else I can help you with today?",
    "Does that fix it for you?",
    "You'll receive a confirmation email within the hour.",
    "Your account shows two payments on the third of the month for the same amount.",
    "The engineer can come on Thursday between eight and one if that suits you.",
]
CUSTOMER = [
    "Hi, my internet keeps dropping every evening around seven.",
    "It's still not working after the reset you told me to do.",
    "As I said, my account number is 4471 2290.",
    "This is the third time I've called about this, nobody called me back.",
    "Okay, that makes sense, thank you.",
    "Why was I charged twice for the same month?",
    "That worked, thanks so much for your help.",
    "I've had this contract for six years and never had a problem until now.",
]


def make_corpus(calls: int, chats: int, seed: int, emails: int = 0) -> pd.DataFrame:
    """A turn table of generated calls (~1,500 words), chats (~300) and emails (~200)."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for kind, n, words in (("call", calls, 1500), ("chat", chats, 300), ("email", emails, 200)):
        for k in range(n):
            iid, t, count, j = f"{kind}-{k}", 0.0, 0, 0
            start = pd.Timestamp("2026-03-02T09:00:00Z") + pd.Timedelta(minutes=k)
            while count < words:
                role = "agent" if j % 2 == 0 else "customer"
                text = rng.choice(AGENT if role == "agent" else CUSTOMER)
                if rng.random() < 0.5:
                    text += " " + rng.choice(AGENT if role == "agent" else CUSTOMER)
                dur = len(text.split()) / 2.5
                row: dict[str, object] = {"interaction_id": iid, "role": role, "text": text,
                                          "speaker": "sam" if role == "agent" else f"c{k}"}
                if kind == "call":
                    row.update(start_s=t, end_s=t + dur, channel="call")
                    t += dur + rng.uniform(0.2, 2.0)
                else:
                    t += rng.uniform(10, 300) if kind == "chat" else rng.uniform(600, 30000)
                    row.update(timestamp=start + pd.Timedelta(seconds=t), channel=kind)
                rows.append(row)
                count += len(text.split())
                j += 1
    return pd.DataFrame(rows)


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=100)
    ap.add_argument("--chats", type=int, default=300)
    ap.add_argument("--emails", type=int, default=300)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--repeat", type=int, default=1,
                    help="measure each path N times and report the medians (default 1)")
    args = ap.parse_args()

    corpus = make_corpus(args.calls, args.chats, args.seed, args.emails)
    texts = corpus["text"].tolist()
    words = sum(len(t.split()) for t in texts)
    conv = sa.Conversations.from_frames(corpus)
    nlp = sa.make_nlp()
    # warm up one interaction of each channel: one-time loads (textstat's dictionary)
    # are not throughput
    first = conv.interactions.groupby("channel", observed=True)["interaction_id"].first()
    sa.score(conv.subset(first), nlp=nlp)
    blank = spacy.blank("en")

    def tokenize() -> None:
        for _ in blank.pipe(texts, batch_size=256):
            pass

    def detect() -> None:
        sa.detect(texts, nlp=nlp)

    res: list[sa.Result] = []
    paths = {"tok": tokenize, "detect": detect, "full": lambda: res.append(sa.score(conv, nlp=nlp))}
    times: dict[str, list[float]] = {k: [] for k in paths}
    for _ in range(max(1, args.repeat)):
        for name, run in paths.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    secs = {k: statistics.median(v) for k, v in times.items()}
    wps = {k: words / v for k, v in secs.items()}

    print(f"corpus: {args.calls} calls (~1500 words) + {args.chats} chats (~300 words) + "
          f"{args.emails} emails (~200 words), "
          f"{len(texts)} turns, {words} words; {res[-1].run_info['counts']['scored']} scored"
          + (f"; median of {args.repeat} runs" if args.repeat > 1 else ""))
    print(f"{'path':<38}{'seconds':>10}{'words/s':>14}{'ratio to T':>12}")
    for key, label in (("tok", "spaCy blank tokenization (T)"),
                       ("detect", "serviceart cue detection only"),
                       ("full", "serviceart full scoring, 1 process")):
        print(f"{label:<38}{secs[key]:>10.2f}{wps[key]:>14,.0f}{wps[key] / wps['tok']:>12.3f}")
    print(f"ratio detection / T: {wps['detect'] / wps['tok']:.3f}")
    print(f"ratio serviceart / T: {wps['full'] / wps['tok']:.3f}")


if __name__ == "__main__":
    main()

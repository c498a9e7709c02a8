"""Throughput of cue detection and of the full scoring path against spaCy
tokenization alone, on real support text.

By default the corpus is real conversations from ``../shared/data`` (see its
README): Customer Support on Twitter threads (``twcs``), the IBM Twitter
support conversations (``ibm_twitter_cdp``, dev and test), one Mozilla SUMO
staff member's forum answers grouped by question (HTML turned into text) and
the SemEval Qatar Living forum threads (question and comments). ``--corpus
generated`` uses generated calls (~1,500 words), chats (~300 words) and emails
(~200 words) built from realistic agent and customer lines instead.

Three paths are measured, each in a fresh process (this script run again with
``--mode``), so that no path inherits another's warm caches or memory:

- T: ``spacy.blank("en")`` tokenization alone (``nlp.pipe`` of the same texts),
- detection: ``sa.detect`` (the cue pipeline alone: normalising, tokenizing,
  sentences, cues, reading the spans back),
- serviceart: ``sa.score`` (cues, every measure, the rubric), single process.

Each process builds the corpus and warms up (one-time loads are not
throughput) before its clock starts. With ``--repeat N`` the three are run N
times in turn and the median of each is reported, which steadies the numbers
on a busy machine; the CPU seconds of each path (``time.process_time``) and
their ratio are printed too, as a check that is less sensitive to other load.
Speed is reported as a ratio to T measured in the same run, never as an
absolute target (``benchmarks/batch.py`` measures the batch engine).

Usage: ``python benchmarks/throughput.py [--corpus real|generated] [--repeat N]
[--data DIR] [--calls N --chats N --emails N --seed S] [--model FILE]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PATHS = ("tok", "detect", "full")
LABELS = {"tok": "spaCy blank tokenization (T)",
          "detect": "serviceart cue detection only",
          "full": "serviceart full scoring, 1 process"}

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


# ---------------------------------------------------------------- generated corpus
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


# ---------------------------------------------------------------- real corpus
def twcs_turns(data: Path) -> pd.DataFrame:
    """Customer Support on Twitter: one interaction per reply thread (``social``)."""
    # Some tweets hold bare carriage returns in unquoted fields; only LF ends a row.
    df = pd.read_csv(data / "twcs" / "twcs.csv", index_col=0, lineterminator="\n",
                     dtype={"tweet_id": str, "author_id": str})
    parent = dict(zip(df["tweet_id"], df["in_response_to_tweet_id"].map(
        lambda v: None if pd.isna(v) else str(int(v))), strict=True))

    def root(x: str) -> str:
        while parent[x] is not None and parent[x] in parent:
            x = parent[x]  # type: ignore[assignment]
        return x

    return pd.DataFrame({
        "interaction_id": "twcs-" + df["tweet_id"].map(root),
        "role": df["inbound"].map({True: "customer", False: "agent"}),
        "speaker": df["author_id"], "text": df["text"],
        "timestamp": pd.to_datetime(df["created_at"], format="%a %b %d %H:%M:%S %z %Y",
                                    utc=True),
        "channel": "social"})


def ibm_turns(data: Path) -> pd.DataFrame:
    """IBM Twitter support conversations (dev and test), the final agent reply included."""
    rows: list[dict[str, Any]] = []
    for split in ("dev", "test"):
        raw = json.loads((data / "ibm_twitter_cdp" / f"{split}.json").read_text("utf-8"))
        for k, conv in enumerate(raw):
            iid = f"ibm-{split}-{k}"
            for msg in conv["dialogContent"]:
                who = next(key for key in ("agent", "client", "client1") if key in msg)
                rows.append({"interaction_id": iid, "speaker": msg[who],
                             "role": "agent" if who == "agent" else "customer",
                             "text": msg["message"], "timestamp": msg["datetime"]})
            final = conv["agentURL"]
            ms = (int(final["tweet_ID"]) >> 22) + 1288834974657  # Twitter snowflake time
            rows.append({"interaction_id": iid, "speaker": conv["dialogHeader"]["company"],
                         "role": "agent", "text": final["url_utterance"],
                         "timestamp": pd.Timestamp(ms, unit="ms", tz="UTC").isoformat()})
    out = pd.DataFrame(rows)
    out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True, format="ISO8601")
    out["channel"] = "social"
    return out


def sumo_turns(data: Path) -> pd.DataFrame:
    """Mozilla SUMO: one staff member's answers, one forum interaction per question."""
    from serviceart.readers.email import html_to_text

    df = pd.read_csv(data / "mozilla_sumo_support" / "rtanglao-answers.csv")
    return pd.DataFrame({
        "interaction_id": "sumo-" + df["question"].astype(str), "role": "agent",
        "speaker": df["creator"].astype(str),
        "text": df["content"].fillna("").astype(str).map(html_to_text),
        "timestamp": pd.to_datetime(df["created"], utc=True, format="%Y-%m-%d %H:%M:%S %z"),
        "channel": "forum"})


def semeval_turns(data: Path) -> pd.DataFrame:
    """SemEval Qatar Living: each thread's question (customer) and its comments.

    A comment by the asker is the customer's; every other comment is an answer
    (agent role).
    """
    root = ET.parse(data / "semeval_cqa_qatarliving"
                    / "SemEval2016-Task3-CQA-QL-train-part1.xml").getroot()
    rows: list[dict[str, Any]] = []
    for thread in root.iter("Thread"):
        iid = "semeval-" + str(thread.get("THREAD_SEQUENCE"))
        q = thread.find("RelQuestion")
        if q is None:
            continue
        asker = q.get("RELQ_USERID")
        subject, body = q.findtext("RelQSubject") or "", q.findtext("RelQBody") or ""
        rows.append({"interaction_id": iid, "role": "customer", "speaker": asker,
                     "text": f"{subject}\n{body}".strip(), "timestamp": q.get("RELQ_DATE")})
        for c in thread.iter("RelComment"):
            user = c.get("RELC_USERID")
            rows.append({"interaction_id": iid, "speaker": user,
                         "role": "customer" if user == asker else "agent",
                         "text": c.findtext("RelCText") or "", "timestamp": c.get("RELC_DATE")})
    out = pd.DataFrame(rows)
    out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True, format="%Y-%m-%d %H:%M:%S")
    out["channel"] = "forum"
    return out


SOURCES: dict[str, Callable[[Path], pd.DataFrame]] = {
    "twcs": twcs_turns, "ibm_twitter_cdp": ibm_turns,
    "mozilla_sumo_support": sumo_turns, "semeval_cqa_qatarliving": semeval_turns}


def real_corpus(data: Path = DATA) -> pd.DataFrame:
    """A turn table of real support conversations from ``data`` (``../shared/data``).

    Turns whose text is empty after stripping are left out, so that every word
    counted is a word scored.

    Raises
    ------
    SystemExit
        When ``data`` or one of its four datasets is missing.
    """
    missing = [name for name in SOURCES if not (data / name).is_dir()]
    if missing:
        raise SystemExit(
            f"throughput: the real-text corpus needs {', '.join(missing)} under {data} "
            "(the shared data folder beside the project, see its README.md); pass "
            "--data DIR to point at it, or --corpus generated to measure generated text")
    frames = [load(data) for load in SOURCES.values()]
    turns = pd.concat(frames, ignore_index=True)
    turns["text"] = turns["text"].fillna("").astype(str)
    return turns[turns["text"].str.strip() != ""].reset_index(drop=True)


def build(args: argparse.Namespace) -> pd.DataFrame:
    """The corpus that ``args`` asks for."""
    if args.corpus == "real":
        return real_corpus(Path(args.data))
    return make_corpus(args.calls, args.chats, args.seed, args.emails)


# ---------------------------------------------------------------- one measurement
def measure(path: str, corpus: pd.DataFrame, model: str | None = None) -> dict[str, Any]:
    """Seconds for one run of ``path`` over ``corpus``, after a warm-up, in this process
    (``model``: a cue model file instead of the shipped one)."""
    texts = corpus["text"].tolist()
    out: dict[str, Any] = {"path": path, "turns": len(texts),
                           "words": sum(len(t.split()) for t in texts)}
    run: Callable[[], Any]
    if path == "tok":
        import spacy

        blank = spacy.blank("en")
        for _ in blank.pipe(texts[:50]):
            pass

        def run() -> None:
            for _ in blank.pipe(texts, batch_size=256):
                pass
    else:
        import serviceart as sa

        conv = sa.Conversations.from_frames(corpus)
        nlp = sa.make_nlp(model_path=model)
        # warm up on one interaction of each channel: one-time loads (textstat's
        # dictionary, compiled patterns) are not throughput
        first = conv.interactions.groupby("channel", observed=True)["interaction_id"].first()
        sa.score(conv.subset(first), nlp=nlp)
        out["interactions"] = len(conv)
        if path == "detect":
            def run() -> None:
                sa.detect(texts, nlp=nlp)
        else:
            def run() -> None:
                res = sa.score(conv, nlp=nlp)
                out["scored"] = res.run_info["counts"]["scored"]
                out["rejected"] = res.run_info["counts"].get("rejected", 0)
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    out["seconds"], out["cpu"] = time.perf_counter() - t0, time.process_time() - c0
    return out


def fresh(path: str, argv: list[str], script: str | Path = __file__) -> dict[str, Any]:
    """Run ``script --mode path`` (this script's ``measure(path)`` by default; another
    benchmark that prints its result as JSON the same way) in a fresh Python process
    and return its result."""
    cmd = [sys.executable, str(Path(script).resolve()), *argv, "--mode", path]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{Path(script).stem}: the {path!r} process failed "
                         f"(exit {proc.returncode}):\n{proc.stderr.strip()}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--corpus", choices=("real", "generated"), default="real",
                    help="real support text from --data (default) or generated text")
    ap.add_argument("--data", default=str(DATA),
                    help=f"the shared data folder (default {DATA})")
    ap.add_argument("--calls", type=int, default=100, help="generated corpus: calls")
    ap.add_argument("--chats", type=int, default=300, help="generated corpus: chats")
    ap.add_argument("--emails", type=int, default=300, help="generated corpus: emails")
    ap.add_argument("--seed", type=int, default=13, help="generated corpus: seed")
    ap.add_argument("--repeat", type=int, default=1,
                    help="measure each path N times and report the medians (default 1)")
    ap.add_argument("--paths", default=",".join(PATHS),
                    help=f"comma-separated paths to measure (default {','.join(PATHS)})")
    ap.add_argument("--model", default=None,
                    help="a cue model file to use instead of the shipped one")
    ap.add_argument("--mode", choices=PATHS, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.mode:  # child process: one measurement, printed as JSON
        print(json.dumps(measure(args.mode, build(args), args.model)))
        return

    paths = [p for p in args.paths.split(",") if p]
    if "tok" not in paths or not set(paths) <= set(PATHS):
        raise SystemExit(f"throughput: --paths must include 'tok' and name only {PATHS}")
    if args.corpus == "real":
        real_corpus(Path(args.data))  # fail here, once, when the data is missing
    argv = ["--corpus", args.corpus, "--data", args.data, "--calls", str(args.calls),
            "--chats", str(args.chats), "--emails", str(args.emails), "--seed", str(args.seed)]
    if args.model:
        argv += ["--model", args.model]
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in paths}
    for _ in range(max(1, args.repeat)):
        for p in paths:
            runs[p].append(fresh(p, argv))
    secs = {p: statistics.median(r["seconds"] for r in rs) for p, rs in runs.items()}
    cpu = {p: statistics.median(r["cpu"] for r in rs) for p, rs in runs.items()}
    words = runs["tok"][0]["words"]
    wps = {p: words / s for p, s in secs.items()}

    if args.corpus == "real":
        what = f"real support text from {args.data} ({', '.join(SOURCES)})"
    else:
        what = (f"generated: {args.calls} calls (~1500 words) + {args.chats} chats "
                f"(~300 words) + {args.emails} emails (~200 words)")
    info = next((r[0] for p, r in runs.items() if p != "tok"), runs["tok"][0])
    print(f"corpus: {what}")
    print(f"{info.get('interactions', '?')} interactions, {info['turns']} turns, {words} words"
          + (f"; {runs['full'][-1]['scored']} scored" if "full" in runs else "")
          + f"; each path in a fresh process; median of {max(1, args.repeat)} run(s)")
    print(f"{'path':<38}{'seconds':>10}{'words/s':>14}{'ratio to T':>12}"
          f"{'CPU s':>8}{'CPU ratio':>11}  runs (s)")
    for p in paths:
        each = " ".join(f"{r['seconds']:.2f}" for r in runs[p])
        print(f"{LABELS[p]:<38}{secs[p]:>10.2f}{wps[p]:>14,.0f}{wps[p] / wps['tok']:>12.3f}"
              f"{cpu[p]:>8.2f}{cpu['tok'] / cpu[p]:>11.3f}  {each}")
    if "detect" in wps:
        print(f"ratio detection / T: {wps['detect'] / wps['tok']:.3f}")
    if "full" in wps:
        print(f"ratio serviceart / T: {wps['full'] / wps['tok']:.3f}")


if __name__ == "__main__":
    main()

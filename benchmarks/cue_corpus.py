"""The cue corpus pool: real turns from the shared data, drawn for labelling (issue 19).

Usage::

    python benchmarks/cue_corpus.py pool OUT_DIR [--size 2600] [--batches 8] [--seed 19]
    python benchmarks/cue_corpus.py manifest [OUT_JSONL]
    python benchmarks/cue_corpus.py text ID [ID ...]

Turn ids name a source and a place in it; :func:`load_turns` turns them back
into text, role and conversation, read from ``../shared/data`` next to the
repository (see each folder's ``SOURCE.txt``):

- ``twcs:<tweet_id>`` (``twcs/twcs.csv``) and ``twcsr:<tweet_id>``
  (``twcs_random_sample/twcs_small.csv``): agent when ``inbound`` is False;
- ``ibm:<session>:<turn>``: client customer, agent agent, the last turn the
  agent's final reply;
- ``sumo:<answer id>``: agent (the answers);
- ``abcd:<convo>:<turn>`` (``original_examples.json``): as in the data;
- ``mwoz:<dialogue>:<turn>`` (``MWOZ.txt``): SYSTEM agent, USER customer;
- ``irc:<file>:<line>`` (Ubuntu dev/test and Stripe new-domains, 0-based raw
  line): agent when it replies (annotation links) to another user's question;
- ``semeval:<RELC_ID>`` comments (agent), ``semeval:<RELQ_ID>`` questions (customer);
- ``enron:<thread>:<message_id>``: agent when not the thread's starter;
- ``rsics:<dataset>:<request id>``: customer.

The sampler (:func:`sample_pool`) excludes every id of the cue dev set, draws
half of the turns at random over sources (the dev set's five sources about 60%,
the new ones 40%) and half from the top half, per source, of a broad word-presence
score for the thin cues (``data/cue_corpus/net_words.txt``; not the detectors'
patterns), about two agent turns per customer turn in each source that has both.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from functools import cache
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = (REPO_ROOT / "../shared/data").resolve()
DEV_PATH = DATA_DIR / "gold" / "cues_dev.jsonl"
NET_WORDS_PATH = REPO_ROOT / "data" / "cue_corpus" / "net_words.txt"
MANIFEST_PATH = REPO_ROOT / "data" / "cue_corpus" / "pool.jsonl"
NET2_WORDS_PATH = REPO_ROOT / "data" / "cue_corpus" / "net_words2.txt"
MANIFEST2_PATH = REPO_ROOT / "data" / "cue_corpus" / "pool2.jsonl"
MANIFEST3_PATH = REPO_ROOT / "data" / "cue_corpus" / "pool3.jsonl"
MANIFEST4_PATH = REPO_ROOT / "data" / "cue_corpus" / "pool4.jsonl"

if str(REPO_ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO_ROOT / "src"))

from serviceart.errors import InputError  # noqa: E402

COLUMNS = ["id", "source", "role", "conversation", "text"]
DEV_SOURCES: tuple[str, ...] = ("twcs", "twcsr", "ibm", "sumo", "abcd")
"""Sources of the cue dev set (``cues_dev.jsonl`` id prefixes)."""
NEW_SOURCES: tuple[str, ...] = ("mwoz", "irc", "semeval", "enron", "rsics")
"""Sources the dev set does not use."""
SOURCES: tuple[str, ...] = DEV_SOURCES + NEW_SOURCES
DEV_SHARE = 0.6
"""Share of the random draw taken from :data:`DEV_SOURCES`."""
AGENT_SHARE = 2 / 3
"""Share of agent turns in each source that has both roles."""
MAX_CHARS = 1200
"""Longer turns are not drawn (too long to label well)."""
SEED = 19
SEED2 = 20
ROUND2_SIZES: dict[str, int] = {"ibm": 400, "sumo": 300, "irc": 300, "rsics": 200}
"""Turns per source of the second round: only sources a shipped model may train on."""
ROUND2_RANDOM = 1 / 3
"""Share of the second round drawn at random; the rest from the top half of net 2."""
SEED3 = 21
ROUND3_SIZES: dict[tuple[str, str], int] = {
    ("twcs", "agent"): 125, ("twcs", "customer"): 72, ("twcsr", "agent"): 125,
    ("twcsr", "customer"): 54, ("ibm", "agent"): 107, ("ibm", "customer"): 46,
    ("sumo", "agent"): 71}
"""Turns per source and role of the third round: the dev set's sources and roles in
its proportions (its 358 turns scaled to 600; ABCD has no undrawn turn left), all at
random, as a check that resembles the held-out set."""
SEED4 = 22
"""Seed of the fourth round: drawn as the third (:data:`ROUND3_SIZES`), from what the
dev set and the first three pools left, when the families written after the third
round need a check of their own."""

LICENCES: dict[str, dict[str, str | bool]] = {
    "twcs": {"licence": "none in the source repo; Kaggle TWCS believed CC BY-NC-SA 4.0",
             "model_redistributable": False},
    "twcsr": {"licence": "none in the source repo; Kaggle TWCS believed CC BY-NC-SA 4.0",
              "model_redistributable": False},
    "ibm": {"licence": "Apache-2.0", "model_redistributable": True},
    "sumo": {"licence": "MPL-2.0 (licence of the repository holding the export)",
             "model_redistributable": True},
    "abcd": {"licence": "MIT", "model_redistributable": True},
    "mwoz": {"licence": "none in the USS repo (MultiWOZ itself is MIT)",
             "model_redistributable": False},
    "irc": {"licence": "CC BY 4.0", "model_redistributable": True},
    "semeval": {"licence": "free for general research use", "model_redistributable": False},
    "enron": {"licence": "none stated", "model_redistributable": False},
    "rsics": {"licence": "ODbL 1.0 + no re-identification + citation (a model is a "
                         "Produced Work: notice required)",
              "model_redistributable": True},
}
"""Licence of each source and whether a model trained on it may be redistributed
(``data/cue_corpus/README.md`` says why)."""


# ------------------------------------------------------------------ loaders
def _frame(rows: Iterable[dict[str, str]] | pd.DataFrame, source: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", "role", "conversation", "text"])
    frame.insert(1, "source", source)
    return frame[COLUMNS].astype("string").reset_index(drop=True)


def _twitter(path: Path, prefix: str) -> pd.DataFrame:
    # Line ends may be CRLF, and a tweet may hold a bare CR that is not a line end.
    with path.open(encoding="utf-8", newline="") as fh:
        raw = fh.read().replace("\r\n", "\n")
    tweets = pd.read_csv(io.StringIO(raw), lineterminator="\n",
                         dtype={"tweet_id": "int64", "text": "string", "author_id": "string"},
                         keep_default_na=False, na_values={"in_response_to_tweet_id": [""]})
    parent = dict(zip(tweets["tweet_id"], tweets["in_response_to_tweet_id"], strict=True))
    known = set(parent)

    def root(tid: int) -> int:
        seen = {tid}
        while True:
            up = parent.get(tid)
            if up is None or pd.isna(up) or int(up) not in known or int(up) in seen:
                return tid
            tid = int(up)
            seen.add(tid)

    inbound = tweets["inbound"].astype("string").str.lower() == "true"
    return _frame(pd.DataFrame({
        "id": prefix + ":" + tweets["tweet_id"].astype("string"),
        "role": np.where(inbound, "customer", "agent"),
        "conversation": [f"{prefix}:{root(t)}" for t in tweets["tweet_id"]],
        "text": tweets["text"]}), prefix)


def load_twcs() -> pd.DataFrame:
    """Tweets of ``twcs/twcs.csv`` (``twcs:<tweet_id>``; conversation: thread root)."""
    return _twitter(DATA_DIR / "twcs" / "twcs.csv", "twcs")


def load_twcsr() -> pd.DataFrame:
    """Tweets of ``twcs_random_sample/twcs_small.csv`` (``twcsr:<tweet_id>``)."""
    return _twitter(DATA_DIR / "twcs_random_sample" / "twcs_small.csv", "twcsr")


def load_ibm() -> pd.DataFrame:
    """IBM Twitter CDP dialogues (dev and test): the messages, then the agent's final reply."""
    rows: list[dict[str, str]] = []
    for name in ("dev.json", "test.json"):
        for conv in json.loads((DATA_DIR / "ibm_twitter_cdp" / name).read_text("utf-8")):
            sid = conv["dialogHeader"]["sessionID"]
            msgs = conv["dialogContent"]
            for k, m in enumerate(msgs):
                rows.append({"id": f"ibm:{sid}:{k}", "conversation": f"ibm:{sid}",
                             "role": "agent" if "agent" in m else "customer",
                             "text": m["message"]})
            rows.append({"id": f"ibm:{sid}:{len(msgs)}", "conversation": f"ibm:{sid}",
                         "role": "agent", "text": conv["agentURL"]["url_utterance"]})
    return _frame(rows, "ibm")


_TAG = re.compile(r"<[^>]*>")


def sumo_text(html: str) -> str:
    """Plain text of a SUMO answer as the cue dev set has it.

    Tags are dropped, entities decoded (``&nbsp;`` stays a no-break space),
    runs of spaces become one, and blank lines are left out.
    """
    text = re.sub(r" {2,}", " ", unescape(_TAG.sub("", html)))
    return "\n".join(ln for ln in text.split("\n") if ln.strip()).strip()


def load_sumo() -> pd.DataFrame:
    """Mozilla SUMO answers that are not spam (:func:`sumo_text`); conversation: the question."""
    answers = pd.read_csv(DATA_DIR / "mozilla_sumo_support" / "rtanglao-answers.csv",
                          dtype={"content": "string"})
    answers = answers[~answers["is_spam"].astype(bool)]
    return _frame(pd.DataFrame({
        "id": "sumo:" + answers["id"].astype("string"),
        "role": "agent",
        "conversation": "sumo:q" + answers["question"].astype("string"),
        "text": answers["content"].fillna("").map(sumo_text)}), "sumo")


def load_abcd() -> pd.DataFrame:
    """ABCD conversations (``original_examples.json``): agent and customer turns of ``original``.

    The turn number counts every entry of ``original``, action lines included;
    action lines themselves are left out.
    """
    rows: list[dict[str, str]] = []
    convs = json.loads((DATA_DIR / "abcd" / "original_examples.json").read_text("utf-8"))
    for conv in convs:
        cid = conv["convo_id"]
        for k, (speaker, text) in enumerate(conv["original"]):
            if speaker in ("agent", "customer"):
                rows.append({"id": f"abcd:{cid}:{k}", "conversation": f"abcd:{cid}",
                             "role": speaker, "text": text})
    return _frame(rows, "abcd")


def load_mwoz() -> pd.DataFrame:
    """USS MultiWOZ dialogues: SYSTEM turns as agent, USER turns as customer.

    Dialogues are numbered in file order (blank-line separated blocks) and turns
    within each; the ``OVERALL`` rating line is not a turn.
    """
    roles = {"USER": "customer", "SYSTEM": "agent"}
    text = (DATA_DIR / "uss_multiwoz_satisfaction" / "MWOZ.txt").read_text("utf-8")
    rows: list[dict[str, str]] = []
    for d, block in enumerate(text.replace("\r\n", "\n").strip().split("\n\n")):
        k = 0
        for line in block.strip().split("\n"):
            fields = line.split("\t")
            if fields[0] not in roles or len(fields) < 2 or fields[1] == "OVERALL":
                continue
            rows.append({"id": f"mwoz:{d}:{k}", "conversation": f"mwoz:{d}",
                         "role": roles[fields[0]], "text": fields[1]})
            k += 1
    return _frame(rows, "mwoz")


_IRC_LINE = re.compile(r"^(?:\S+ \d{4}-\d\d-\d\d )?\[[\d:]+\] <([^>]+)> ?(.*)$")


def _irc_files() -> list[tuple[str, Path, Path]]:
    base = DATA_DIR / "irc_disentanglement"
    files = [(f"ubuntu-{p.name[:-len('.raw.txt')]}", p,
              p.with_name(p.name.replace(".raw.txt", ".annotation.txt")))
             for split in ("dev", "test") for p in sorted((base / split).glob("*.raw.txt"))]
    files += [(p.name[:-len(".ascii.txt")], p,
               p.with_name(p.name.replace(".ascii.txt", ".annotation.txt")))
              for p in sorted((base / "new-domains").glob("stripe.*.ascii.txt"))]
    return files


def load_irc() -> pd.DataFrame:
    """Ubuntu (dev, test) and Stripe IRC messages that the annotation covers.

    A message is ``agent`` when it replies (by an annotation link) to a message
    of another user that asks a question (contains ``?``), else ``customer``.
    The conversation is the thread: the connected group of linked messages.
    System lines (joins, nick changes) are left out.
    """
    rows: list[dict[str, str]] = []
    for name, raw, ann in _irc_files():
        lines = raw.read_text("utf-8", errors="replace").split("\n")
        parsed: dict[int, tuple[str, str]] = {}
        for i, line in enumerate(lines):
            m = _IRC_LINE.match(line)
            if m:
                parsed[i] = (m.group(1), m.group(2).rstrip())
        links = [tuple(int(x) for x in ln.split()[:2])
                 for ln in ann.read_text("utf-8").splitlines() if ln.strip()]
        group = {i: i for a, b in links for i in (a, b)}

        def find(i: int, group: dict[int, int] = group) -> int:
            while group[i] != i:
                group[i] = group[group[i]]
                i = group[i]
            return i

        agent: set[int] = set()
        for a, b in links:
            group[find(a)] = find(b)
            if (a != b and a in parsed and b in parsed
                    and parsed[a][0] != parsed[b][0] and "?" in parsed[a][1]):
                agent.add(b)
        for i in sorted({b for _, b in links}):
            if i not in parsed:
                continue
            rows.append({"id": f"irc:{name}:{i}", "conversation": f"irc:{name}:{find(i)}",
                         "role": "agent" if i in agent else "customer",
                         "text": parsed[i][1]})
    return _frame(rows, "irc")


def load_semeval() -> pd.DataFrame:
    """SemEval-2016 Task 3 Qatar Living threads: questions (customer), comments (agent)."""
    root = ET.parse(DATA_DIR / "semeval_cqa_qatarliving"
                    / "SemEval2016-Task3-CQA-QL-train-part1.xml").getroot()
    rows: dict[str, dict[str, str]] = {}
    for thread in root.iter("Thread"):
        conv = f"semeval:{thread.get('THREAD_SEQUENCE')}"
        for q in thread.iter("RelQuestion"):
            subject = (q.findtext("RelQSubject") or "").strip()
            body = (q.findtext("RelQBody") or "").strip()
            text = f"{subject}\n{body}" if subject and body else subject or body
            qid = f"semeval:{q.get('RELQ_ID')}"
            rows[qid] = {"id": qid, "conversation": conv, "role": "customer", "text": text}
        for c in thread.iter("RelComment"):
            cid = f"semeval:{c.get('RELC_ID')}"
            rows[cid] = {"id": cid, "conversation": conv, "role": "agent",
                         "text": (c.findtext("RelCText") or "").strip()}
    return _frame(list(rows.values()), "semeval")


_ENRON_MESSAGE = re.compile(
    r"<thread_id>(\d+)</thread_id>.*?<message_id>(\d+)</message_id>.*?"
    r"<from name=\"([^\"]*)\".*?<content>(.*?)</content>", re.S)
_ENRON_NOTE = re.compile(r"\[(?:(?:Commit|Conventional|Inform|Inform-AnswerOffline|Request-Action"
                         r"|Request-Information):[^\]]*|DUPLICATE[^\]]*|NoDA)\]\s*")
_ENRON_LINK = re.compile(r"\s*\b(?:Flink|Blink|Sflink)[\d.]*\d")
_ENRON_UNIT = re.compile(r"^\s*M\d+\.\d+\.?\s*")
_ENRON_INNER_UNIT = re.compile(r"(?<!\w)M\d+\.\d+\.\s*")
_ENRON_MARK = re.compile(r"\s*\[[YN]\]\s*$")


def _enron_text(content: str) -> str:
    """An annotated message's text without the annotators' unit numbers and notes."""
    units: list[str] = []
    for line in _ENRON_NOTE.sub("", unescape(content)).split("\n"):
        line = _ENRON_MARK.sub("", _ENRON_LINK.sub("", line))
        if _ENRON_UNIT.match(line):
            units.append(_ENRON_UNIT.sub("", line))
        elif line.strip() and units:
            units[-1] += " " + line.strip()
        elif line.strip():
            units.append(line.strip())
    text = " ".join(re.sub(r"\s+", " ", u).strip() for u in units if u.strip())
    return _ENRON_INNER_UNIT.sub("", text)


def load_enron() -> pd.DataFrame:
    """Enron power-annotated threads: the thread starter customer, the repliers agent."""
    rows: list[dict[str, str]] = []
    base = DATA_DIR / "enron_power_threads" / "PowerAnnotations_V1.0" / "AnnotatedThreads"
    seen: set[str] = set()
    for path in sorted(base.rglob("*.xml")):
        starter: str | None = None
        for m in _ENRON_MESSAGE.finditer(path.read_text("utf-8", errors="replace")):
            thread, msg, sender, content = m.groups()
            starter = starter or sender
            mid = f"enron:{thread}:{msg}"
            if mid in seen:
                continue
            seen.add(mid)
            rows.append({"id": mid, "conversation": f"enron:{thread}",
                         "role": "customer" if sender == starter else "agent",
                         "text": _enron_text(content)})
    return _frame(rows, "enron")


def load_rsics() -> pd.DataFrame:
    """RSiCS requests (``all_multi_intent.csv``), customer side only, one per conversation."""
    req = pd.read_csv(DATA_DIR / "rsics" / "all_multi_intent.csv", dtype="string")
    ids = "rsics:" + req["Dataset ID"] + ":" + req["Request ID"]
    return _frame(pd.DataFrame({"id": ids, "role": "customer", "conversation": ids,
                                "text": req["Text"].fillna("")}), "rsics")


LOADERS = {"twcs": load_twcs, "twcsr": load_twcsr, "ibm": load_ibm, "sumo": load_sumo,
           "abcd": load_abcd, "mwoz": load_mwoz, "irc": load_irc, "semeval": load_semeval,
           "enron": load_enron, "rsics": load_rsics}


@cache
def _all_turns() -> pd.DataFrame:
    return pd.concat([LOADERS[s]() for s in SOURCES], ignore_index=True)


def all_turns(sources: Sequence[str] = SOURCES) -> pd.DataFrame:
    """Every turn of the given sources: ``id, source, role, conversation, text``.

    Raises
    ------
    InputError
        When a source is unknown or ids repeat.
    """
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise InputError(f"unknown cue corpus source(s) {unknown}; known: {list(SOURCES)}")
    turns = _all_turns()
    turns = turns[turns["source"].isin(list(sources))].reset_index(drop=True)
    dup = turns["id"][turns["id"].duplicated()]
    if len(dup):
        raise InputError(f"{DATA_DIR}: turn ids repeat, e.g. {dup.iloc[0]!r}; "
                         "each id must name one turn")
    return turns.copy()


def load_turns(ids: Sequence[str]) -> pd.DataFrame:
    """The turns with these ids, in this order.

    Raises
    ------
    InputError
        Naming the first id whose prefix is unknown or that is not in the data.
    """
    prefixes = {i.split(":", 1)[0] for i in ids}
    unknown = sorted(prefixes - set(SOURCES))
    if unknown:
        raise InputError(f"ids with unknown source prefix {unknown}; known: {list(SOURCES)}")
    turns = all_turns(sorted(prefixes)).set_index("id", drop=False)
    missing = [i for i in ids if i not in turns.index]
    if missing:
        raise InputError(f"{len(missing)} id(s) not found in {DATA_DIR}, e.g. {missing[0]!r}; "
                         "check the id against the loaders' schemes")
    return turns.loc[list(ids)].reset_index(drop=True)


def text_hash(text: str) -> str:
    """First 16 hex digits of the SHA-256 of the UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------ sampling
def dev_ids(path: str | Path = DEV_PATH) -> set[str]:
    """The ids of the cue dev set."""
    with Path(path).open(encoding="utf-8") as fh:
        return {json.loads(line)["id"] for line in fh if line.strip()}


def net_words(path: str | Path = NET_WORDS_PATH) -> list[str]:
    """The broad net's words (one per line; ``#`` starts a comment)."""
    words = [ln.split("#", 1)[0].strip().lower()
             for ln in Path(path).read_text("utf-8").splitlines()]
    return [w for w in words if w]


def net_score(text: pd.Series, words: Sequence[str]) -> pd.Series:
    """How many of the net's words appear in each text (whole words; ``?`` anywhere).

    Examples
    --------
    >>> net_score(pd.Series(["Sure, I KNOW. Why?", "unsure", ""]), ["know", "sure", "?"]).tolist()
    [3, 0, 0]
    """
    lower = text.fillna("").str.lower().str.replace("\u2019", "'", regex=False)
    whole = sorted((w for w in words if w.replace("'", "").isalnum()), key=len, reverse=True)
    score = pd.Series(0, index=text.index, dtype="int64")
    if whole:
        pattern = r"(?<![\w'])(?:" + "|".join(map(re.escape, whole)) + r")(?![\w'])"
        score += lower.str.findall(pattern).map(lambda found: len(set(found))).astype("int64")
    for w in words:
        if w not in whole:
            score += lower.str.contains(w, regex=False).astype("int64")
    return score


def allocate(total: int, weights: dict[str, float], capacity: dict[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` without exceeding ``capacity``.

    What a full key cannot take goes to the others in proportion to their weights.
    """
    counts = dict.fromkeys(weights, 0)
    left = min(total, sum(capacity[k] for k in weights))
    open_keys = [k for k in weights if capacity[k] > 0 and weights[k] > 0]
    while left > 0 and open_keys:
        wsum = sum(weights[k] for k in open_keys)
        shares = {k: left * weights[k] / wsum for k in open_keys}
        base = {k: int(np.floor(shares[k])) for k in open_keys}
        rest = left - sum(base.values())
        for k in sorted(open_keys, key=lambda k: shares[k] - base[k], reverse=True)[:rest]:
            base[k] += 1
        for k in open_keys:
            take = min(base[k], capacity[k] - counts[k])
            counts[k] += take
            left -= take
        open_keys = [k for k in open_keys if counts[k] < capacity[k]]
    return counts


def _per_source(total: int, available: dict[str, int]) -> dict[str, int]:
    """Counts per source: :data:`DEV_SHARE` to the dev sources, the rest to the new ones.

    Within each group the sources share equally; what a small source cannot give
    goes to the others of its group first.
    """
    groups = {"dev": DEV_SOURCES, "new": NEW_SOURCES}
    per_group = allocate(total, {"dev": DEV_SHARE, "new": 1 - DEV_SHARE},
                         {g: sum(available[s] for s in ss) for g, ss in groups.items()})
    counts: dict[str, int] = {}
    for g, ss in groups.items():
        counts.update(allocate(per_group[g], dict.fromkeys(ss, 1.0),
                               {s: available[s] for s in ss}))
    return counts


def _draw(cands: pd.DataFrame, total: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw ``total`` turns over sources (:func:`_per_source`) and roles (2:1)."""
    counts = cands["source"].value_counts()
    per_source = _per_source(total, {s: int(counts.get(s, 0)) for s in SOURCES})
    picked: list[pd.DataFrame] = []
    for source in SOURCES:
        rows = cands[cands["source"] == source]
        roles = rows["role"].value_counts()
        per_role = allocate(per_source[source], {"agent": AGENT_SHARE,
                                                 "customer": 1 - AGENT_SHARE},
                            {r: int(roles.get(r, 0)) for r in ("agent", "customer")})
        for role, n in per_role.items():
            pool = rows[rows["role"] == role]
            if n:
                picked.append(pool.iloc[rng.choice(len(pool), size=n, replace=False)])
    return pd.concat(picked, ignore_index=True)


def candidates(exclude: set[str] | None = None) -> pd.DataFrame:
    """Turns that may be drawn: not in the dev set, not empty, at most :data:`MAX_CHARS`.

    Parameters
    ----------
    exclude
        Ids never to draw; the cue dev set's ids when None.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS` and ``net_score`` (:func:`net_score` with :func:`net_words`).
    """
    if exclude is None:
        return _dev_candidates().copy()
    turns = all_turns()
    text = turns["text"].fillna("")
    keep = (~turns["id"].isin(exclude) & (text.str.strip().str.len() > 0)
            & (text.str.len() <= MAX_CHARS))
    kept = turns[keep].reset_index(drop=True)
    return kept.assign(net_score=net_score(kept["text"], net_words()))


@cache
def _dev_candidates() -> pd.DataFrame:
    return candidates(dev_ids())


def sample_pool(size: int = 2600, seed: int = SEED) -> pd.DataFrame:
    """Draw the pool: half random over sources, half from the net's top half, shuffled.

    Parameters
    ----------
    size
        Number of turns (the random half gets ``size // 2``).
    seed
        Seed of the generator; the same seed gives the same pool.

    Returns
    -------
    pandas.DataFrame
        ``id, source, role, conversation, text, draw`` (``random`` or
        ``enriched``) and ``net_score``, in shuffled order.
    """
    rng = np.random.default_rng(seed)
    cands = candidates()
    random_half = _draw(cands, size // 2, rng).assign(draw="random")
    rest = cands[~cands["id"].isin(random_half["id"])]
    # Top half of the net's score within each source and role; ties broken at random.
    tiebreak = pd.Series(rng.random(len(rest)), index=rest.index)
    order = rest.assign(_t=tiebreak).sort_values(["net_score", "_t"], ascending=False)
    rank = order.groupby(["source", "role"]).cumcount()
    size_of = order.groupby(["source", "role"])["id"].transform("size")
    top = order[rank < (size_of + 1) // 2].drop(columns="_t")
    enriched = _draw(top, size - len(random_half), rng).assign(draw="enriched")
    pool = pd.concat([random_half, enriched], ignore_index=True)
    return pool.iloc[rng.permutation(len(pool))].reset_index(drop=True)


def sample_pool2(seed: int = SEED2) -> pd.DataFrame:
    """Draw the second round: licensed sources only, enriched for the thin cues.

    The first pool and the dev set are excluded. Per source (:data:`ROUND2_SIZES`)
    and role (two agent turns per customer turn where a source has both),
    :data:`ROUND2_RANDOM` of the turns are drawn at random and the rest from the
    top half, by source and role, of the second net's score
    (``data/cue_corpus/net_words2.txt``; plain words, not the detectors' patterns).

    Parameters
    ----------
    seed
        Seed of the generator; the same seed gives the same pool.

    Returns
    -------
    pandas.DataFrame
        As :func:`sample_pool`, ``net_score`` being the second net's score.
    """
    rng = np.random.default_rng(seed)
    first = pd.read_json(MANIFEST_PATH, lines=True, dtype=False)["id"]
    cands = candidates(dev_ids() | set(first))
    cands = cands[cands["source"].isin(list(ROUND2_SIZES))].reset_index(drop=True)
    cands = cands.assign(net_score=net_score(cands["text"], net_words(NET2_WORDS_PATH)))
    tiebreak = pd.Series(rng.random(len(cands)), index=cands.index)
    order = cands.assign(_t=tiebreak).sort_values(["net_score", "_t"], ascending=False)
    rank = order.groupby(["source", "role"]).cumcount()
    size_of = order.groupby(["source", "role"])["id"].transform("size")
    top = set(order.loc[rank < (size_of + 1) // 2, "id"])
    picked: list[pd.DataFrame] = []
    for source, total in ROUND2_SIZES.items():
        rows = cands[cands["source"] == source]
        roles = rows["role"].value_counts()
        per_role = allocate(total, {"agent": AGENT_SHARE, "customer": 1 - AGENT_SHARE},
                            {r: int(roles.get(r, 0)) for r in ("agent", "customer")})
        for role, n in per_role.items():
            pool = rows[rows["role"] == role]
            n_random = round(n * ROUND2_RANDOM)
            rand = pool.iloc[rng.choice(len(pool), size=n_random, replace=False)]
            rich = pool[pool["id"].isin(top) & ~pool["id"].isin(rand["id"])]
            rich = rich.iloc[rng.choice(len(rich), size=n - n_random, replace=False)]
            picked += [rand.assign(draw="random"), rich.assign(draw="enriched")]
    out = pd.concat(picked, ignore_index=True)
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)


def sample_random_round(manifests: Sequence[Path], seed: int, name: str,
                        sizes: dict[tuple[str, str], int] = ROUND3_SIZES) -> pd.DataFrame:
    """Draw a round at random per source and role, excluding the dev set and the pools
    of ``manifests``.

    Parameters
    ----------
    manifests
        The committed pools (``poolN.jsonl``) whose turns are not drawn again.
    seed
        Seed of the generator; the same seed and exclusions give the same pool.
    name
        The round's name, for the error message.
    sizes
        Turns per ``(source, role)``.

    Returns
    -------
    pandas.DataFrame
        ``id, source, role, conversation, text, draw`` (all ``random``) and
        ``net_score``, in shuffled order.

    Raises
    ------
    InputError
        When a source and role has fewer undrawn turns than asked for.
    """
    rng = np.random.default_rng(seed)
    drawn: set[str] = set()
    for path in manifests:
        drawn |= set(pd.read_json(path, lines=True, dtype=False)["id"])
    cands = candidates(dev_ids() | drawn)
    picked: list[pd.DataFrame] = []
    for (source, role), n in sizes.items():
        pool = cands[(cands["source"] == source) & (cands["role"] == role)]
        if len(pool) < n:
            raise InputError(f"{name} wants {n} {role} turns of {source}, "
                             f"only {len(pool)} are left to draw")
        picked.append(pool.iloc[np.sort(rng.choice(len(pool), size=n, replace=False))])
    out = pd.concat(picked, ignore_index=True).assign(draw="random")
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)


def sample_pool3(seed: int = SEED3) -> pd.DataFrame:
    """Draw the third round: the dev set's sources and roles, at random.

    The dev set and the first two pools are excluded. Per source and role
    (:data:`ROUND3_SIZES`) the turns are drawn uniformly at random, with no net: the
    round is a check of the detectors on text drawn as the dev set (and the held-out
    set beside it) was. See :func:`sample_random_round`.
    """
    return sample_random_round([MANIFEST_PATH, MANIFEST2_PATH], seed, "round 3")


def sample_pool4(seed: int = SEED4) -> pd.DataFrame:
    """Draw the fourth round as the third was, excluding the dev set and pools 1 to 3
    (:func:`sample_random_round`)."""
    return sample_random_round([MANIFEST_PATH, MANIFEST2_PATH, MANIFEST3_PATH], seed,
                               "round 4")


# ------------------------------------------------------------------ output
def write_pool(pool: pd.DataFrame, out_dir: str | Path, batches: int = 8) -> None:
    """Write ``batch_01.jsonl``.. (id, source, role, conversation, text) and ``draws.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for k, part in enumerate(np.array_split(np.arange(len(pool)), batches), 1):
        with (out / f"batch_{k:02d}.jsonl").open("w", encoding="utf-8") as fh:
            for rec in pool.iloc[part][COLUMNS].to_dict("records"):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    draws = {"random": pool.loc[pool["draw"] == "random", "id"].tolist(),
             "enriched": pool.loc[pool["draw"] == "enriched", "id"].tolist()}
    (out / "draws.json").write_text(json.dumps(draws, indent=1) + "\n", encoding="utf-8")


def write_manifest(pool: pd.DataFrame, path: str | Path = MANIFEST_PATH) -> None:
    """Write the pool without texts: id, source, role, conversation, sha256 (16 hex), draw."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for rec in pool.to_dict("records"):
            fh.write(json.dumps({"id": rec["id"], "source": rec["source"],
                                 "role": rec["role"], "conversation": rec["conversation"],
                                 "sha256": text_hash(rec["text"]), "draw": rec["draw"]})
                     + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``pool OUT_DIR``, ``manifest [OUT]`` or ``text ID...``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pool", help="write the labelling batches and draws.json")
    p.add_argument("out_dir")
    p.add_argument("--size", type=int, default=2600)
    p.add_argument("--batches", type=int, default=8)
    p.add_argument("--seed", type=int, default=SEED)
    m = sub.add_parser("manifest", help="write the pool's ids and hashes (no texts)")
    m.add_argument("out", nargs="?", default=str(MANIFEST_PATH))
    m.add_argument("--size", type=int, default=2600)
    m.add_argument("--seed", type=int, default=SEED)
    p2 = sub.add_parser("pool2", help="write the second round's batches and draws.json")
    p2.add_argument("out_dir")
    p2.add_argument("--batches", type=int, default=4)
    m2 = sub.add_parser("manifest2", help="write the second round's ids and hashes")
    m2.add_argument("out", nargs="?", default=str(MANIFEST2_PATH))
    p3 = sub.add_parser("pool3", help="write the third round's batches and draws.json")
    p3.add_argument("out_dir")
    p3.add_argument("--batches", type=int, default=3)
    m3 = sub.add_parser("manifest3", help="write the third round's ids and hashes")
    m3.add_argument("out", nargs="?", default=str(MANIFEST3_PATH))
    p4 = sub.add_parser("pool4", help="write the fourth round's batches and draws.json")
    p4.add_argument("out_dir")
    p4.add_argument("--batches", type=int, default=3)
    m4 = sub.add_parser("manifest4", help="write the fourth round's ids and hashes")
    m4.add_argument("out", nargs="?", default=str(MANIFEST4_PATH))
    t = sub.add_parser("text", help="print the turns of these ids as JSON lines")
    t.add_argument("ids", nargs="+")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "text":
            for rec in load_turns(args.ids).to_dict("records"):
                print(json.dumps(rec, ensure_ascii=False))
            return 0
        if args.cmd in ("pool2", "manifest2"):
            pool = sample_pool2()
        elif args.cmd in ("pool3", "manifest3"):
            pool = sample_pool3()
        elif args.cmd in ("pool4", "manifest4"):
            pool = sample_pool4()
        else:
            pool = sample_pool(args.size, args.seed)
        if args.cmd in ("pool", "pool2", "pool3", "pool4"):
            write_pool(pool, args.out_dir, args.batches)
            print(f"{len(pool)} turns in {args.batches} batches -> {args.out_dir}")
        else:
            write_manifest(pool, args.out)
            print(f"{len(pool)} turns -> {args.out}")
    except (InputError, OSError) as exc:
        print(f"cue_corpus: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Which interactions are service contacts: the ``scope`` of each interaction.

Agent scores say how well a customer was served; they mean nothing where no agent
spoke or where nobody asked for service. :func:`detect_scope` gives every
interaction one scope (:data:`serviceart.codebook.SCOPES`):

``service``
    A service contact: scored as usual.
``no_agent``
    No agent turn has any text.
``non_service``
    Recognised as not a service request: praise or banter, a marketing post, a
    brand's broadcast that customers reply to, or a bare mention of the brand,
    with no request or problem anywhere on the customer's side.

Out-of-scope interactions stay in the results (they were read fine) with NaN
scores and a ``scope_reason``; the run counts them, and aggregates leave them out.

The non-service detector is small and explainable, and it puts precision first
("when in doubt, leave it out"): a thread is put out of scope only when no customer
turn asks a question, asks for anything or reports a problem, the agent did not
treat it as a request (an apology, a move to private messages), no customer turn
reads negative (VADER), and one positive sign fires. The phrase lists and the
sentiment floor are the data file ``data/scope.toml``, checked when it is loaded;
its header says how the rules combine. The rule that fired becomes one evidence row
(cue ``scope``) quoting the words or the turn behind it, with the reason in ``detail``.

Examples
--------
>>> import pandas as pd
>>> turns = pd.DataFrame({
...     "interaction_id": ["a", "a", "b", "c", "c"], "turn_index": [0, 1, 0, 0, 1],
...     "role": ["customer", "agent", "customer", "customer", "agent"],
...     "text": ["@Brand my order never arrived", "@cust Sorry, please DM us",
...              "@Brand where is my refund", "Best burrito ever @Brand ❤️",
...              "@cust Glad you liked it!"]})
>>> scope, evidence = detect_scope(turns, pd.DataFrame({"interaction_id": ["a", "b", "c"]}))
>>> scope["scope"].tolist()
['service', 'no_agent', 'non_service']
>>> scope["scope_reason"].iloc[2]
"praise or banter: 'best' (turn 0); no request or problem on the customer's side"
>>> evidence[["interaction_id", "turn_index", "cue", "text"]].values.tolist()
[['c', 0, 'scope', 'Best']]
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import tomllib

from ._ids import member
from .errors import ConfigError
from .schema import EVIDENCE, SCOPE_DTYPE, conform

__all__ = ["ScopeRules", "detect_scope", "in_scope", "load_rules"]

#: the phrase lists of ``data/scope.toml`` and what each is for
_LISTS = ("request", "problem", "contrast", "agent_service", "praise", "marketing")

_HANDLE = re.compile(r"(?<![\w@])@\w+")
_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+);")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_WORD = re.compile(r"[^\W_]{2,}")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


@dataclass(frozen=True)
class Phrases:
    """A phrase list, matched fast on the lower-cased words of many texts: one-word
    entries by set look-up, one-word stems (``"frustrat*"``) by prefix, multi-word
    entries as runs of whole words, and entries with other characters (``"% off"``)
    as plain substrings."""

    words: frozenset[str]
    stems: tuple[str, ...]
    runs: tuple[str, ...]
    raw: tuple[str, ...]

    @classmethod
    def of(cls, entries: Sequence[str]) -> Phrases:
        """The phrases of a list of entries (see ``data/scope.toml``)."""
        words, stems, runs, raw = set(), [], [], []
        for entry in entries:
            e = entry.lower()
            star = e.endswith("*")
            stem = e[:-1] if star else e
            parts = stem.split()
            if not all(_TOKEN.fullmatch(w) for w in parts):
                raw.append(stem)
            elif len(parts) > 1:
                runs.append(" " + " ".join(parts) + ("" if star else " "))
            elif star:
                stems.append(stem)
            else:
                words.add(stem)
        return cls(frozenset(words), tuple(stems), tuple(runs), tuple(raw))

    def hits(self, lowered: pd.Series) -> np.ndarray:
        """Which of the lower-cased texts (index 0..n-1) hold one of the phrases."""
        hit = np.zeros(len(lowered), dtype=bool)
        if not len(lowered):
            return hit
        words = lowered.str.findall(_TOKEN)
        tokens = words.explode().dropna().astype(str)
        found = tokens.isin(self.words).to_numpy(dtype=bool)
        if self.stems:
            found = found | tokens.str.startswith(self.stems).to_numpy(dtype=bool)
        hit[np.unique(tokens.index.to_numpy()[found]).astype(np.int64)] = True
        left = np.flatnonzero(~hit)
        if self.runs and len(left):
            joined = (" " + words.iloc[left].str.join(" ") + " ").tolist()
            hit[left] = [any(r in j for r in self.runs) for j in joined]
            left = np.flatnonzero(~hit)
        if self.raw and len(left):
            texts = lowered.iloc[left].tolist()
            hit[left] = [any(r in x for r in self.raw) for x in texts]
        return hit


@dataclass(frozen=True)
class ScopeRules:
    """The compiled rules of ``data/scope.toml`` (see :func:`load_rules`)."""

    request: Phrases
    problem: Phrases
    contrast: Phrases
    agent_service: Phrases
    praise: re.Pattern[str]
    marketing: re.Pattern[str]
    in_hashtags: re.Pattern[str]
    min_hashtags: int
    floor: float


def _phrase(entry: str) -> str:
    """One phrase as a regex: whole words, a trailing ``*`` for any ending."""
    stem = entry[:-1] if entry.endswith("*") else entry
    body = r"\s+".join(re.escape(w) for w in stem.split())
    left = r"(?<!\w)" if stem[:1].isalnum() else ""
    right = r"\w*" if entry.endswith("*") else (r"(?!\w)" if stem[-1:].isalnum() else "")
    return left + body + right


def _compile(phrases: Sequence[str], symbols: Sequence[str] = ()) -> re.Pattern[str]:
    # longest first, so that the quoted evidence is the fullest phrase
    parts = [_phrase(p) for p in sorted(phrases, key=len, reverse=True)]
    parts += [re.escape(s) for s in symbols]
    return re.compile("|".join(parts), re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def load_rules() -> ScopeRules:
    """The shipped rules (``data/scope.toml``), checked and compiled once per process.

    Raises
    ------
    ConfigError
        When the file lacks a list, holds an entry that is not a non-empty string,
        or a number out of range (naming the table and key).
    """
    source = "serviceart/data/scope.toml"
    text = resources.files("serviceart").joinpath("data/scope.toml").read_text("utf-8")
    data = tomllib.loads(text)
    problems: list[str] = []

    def strings(table: str, key: str) -> list[str]:
        value = data.get(table, {}).get(key, [] if key == "symbols" else None)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                 for v in value):
            problems.append(f"[{table}] {key} must be a list of non-empty strings")
            return []
        return [v.strip() for v in value]

    lists = {name: strings(name, "phrases") for name in _LISTS}
    symbols = strings("praise", "symbols")
    in_hashtags = strings("problem", "in_hashtags")
    min_hashtags = data.get("marketing", {}).get("min_hashtags")
    if isinstance(min_hashtags, bool) or not isinstance(min_hashtags, int) or min_hashtags < 1:
        problems.append("[marketing] min_hashtags must be a whole number >= 1")
    floor = data.get("sentiment", {}).get("floor")
    if isinstance(floor, bool) or not isinstance(floor, int | float) or not -1 <= floor <= 1:
        problems.append("[sentiment] floor must be a number in -1..1")
    if problems:
        raise ConfigError("the scope rules are not valid: " + "; ".join(problems),
                          source=source, code="SA-C140")
    return ScopeRules(**{name: Phrases.of(lists[name]) for name in _LISTS[:4]},
                      praise=_compile(lists["praise"], symbols),
                      marketing=_compile(lists["marketing"]),
                      in_hashtags=re.compile(r"#\w*(?:" + "|".join(
                          re.escape(p) for p in in_hashtags) + ")", re.IGNORECASE),
                      min_hashtags=int(min_hashtags), floor=float(floor))


def _clean(text: pd.Series) -> pd.Series:
    """Text without handles, links and HTML entities, with straight apostrophes and
    "n't" as "nt" (the positions change: used for deciding, not for quoting)."""
    out = text.fillna("").astype(str).str.replace("\u2019", "'", regex=False)
    out = out.str.replace("n't", "nt", regex=False)  # "can't" -> "cant", as listed
    out = out.str.replace(_LINK, " ", regex=True).str.replace(_HANDLE, " ", regex=True)
    return out.str.replace(_ENTITY, " ", regex=True)


def in_scope(scores: pd.DataFrame) -> np.ndarray:
    """Which rows of a scores table are service contacts (a missing ``scope`` counts
    as ``service``: tables written before scopes existed)."""
    if "scope" not in scores.columns:
        return np.ones(len(scores), dtype=bool)
    scope = scores["scope"].astype("string")
    return (scope.isna() | (scope == "service")).to_numpy(dtype=bool)


def detect_scope(turns: pd.DataFrame, interactions: pd.DataFrame, *,
                 non_service: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scope of every interaction, and the evidence rows behind it.

    Parameters
    ----------
    turns
        The interactions' turns (``interaction_id``, ``turn_index``, ``role``, ``text``).
    interactions
        The interactions (``interaction_id``); the scope table follows their order.
    non_service
        Run the non-service detector (``ScoreSettings(scope_filter=...)``); when
        ``False`` only ``no_agent`` is recognised.

    Returns
    -------
    scope, evidence
        ``interaction_id``, ``scope`` (``service``, ``no_agent``, ``non_service``) and
        ``scope_reason`` (missing for ``service``), one row per interaction; and one
        EVIDENCE row (cue ``scope``) per non-service interaction.
    """
    ids = interactions["interaction_id"].astype(str).to_numpy()
    key = turns["interaction_id"].astype(str)
    role = turns["role"].astype(str)
    raw = turns["text"].fillna("").astype(str)
    spoke = (role == "agent") & raw.str.strip().ne("")
    has_agent = pd.Series(spoke.to_numpy(), index=key.to_numpy()).groupby(level=0).any()
    agent = has_agent.reindex(ids, fill_value=False).to_numpy(dtype=bool)
    scope = np.where(agent, "service", "no_agent").astype(object)
    reason = np.where(agent, "", "no agent turn").astype(object)
    reason[agent] = None
    evidence = conform({}, EVIDENCE)
    if non_service and agent.any():
        found = _non_service(turns.loc[member(key, ids[agent])], load_rules())
        if len(found):
            at = pd.Index(ids).get_indexer(pd.Index(found["interaction_id"]))
            scope[at] = "non_service"
            reason[at] = found["reason"].to_numpy()
            evidence = _evidence_rows(found)
    table = pd.DataFrame({"interaction_id": pd.array(ids, dtype="string"),
                          "scope": pd.Categorical(scope, dtype=SCOPE_DTYPE),
                          "scope_reason": pd.array(reason, dtype="string")})
    return table, evidence


def _non_service(turns: pd.DataFrame, rules: ScopeRules) -> pd.DataFrame:
    """The non-service interactions among ``turns``' (which all have an agent turn):
    ``interaction_id``, ``reason``, and the quoted ``turn_index``, ``role``, span.

    Each check runs only on the threads that no earlier check ruled out (most service
    threads are ruled out by the first, a question mark), so the costly ones see few.
    """
    t = turns.sort_values(["interaction_id", "turn_index"], kind="stable")
    t = t.reset_index(drop=True)
    key = t["interaction_id"].astype(str).to_numpy()
    thread = pd.factorize(key)[0]  # the rows are sorted by thread: codes 0, 0, 1, ...
    role = t["role"].astype(str).to_numpy()
    raw = t["text"].fillna("").astype(str)
    customer = role == "customer"
    agent = role == "agent"
    alive = ~_rule_out(np.ones(len(t), dtype=bool), thread, customer)
    # a thread that starts with an agent reply to a message missing from the export
    first = np.ones(len(t), dtype=bool)
    first[1:] = thread[1:] != thread[:-1]
    alive = _rule_out(alive, thread, first & agent & raw.str.lstrip().str.startswith("@")
                      .to_numpy(dtype=bool))
    # a question on the customer's side
    alive = _rule_out(alive, thread, customer & raw.str.contains("?", regex=False)
                      .to_numpy(dtype=bool))
    text = pd.Series("", index=t.index, dtype=object)
    text[alive] = _clean(raw[alive])
    lowered = text.str.lower()
    # a request, a problem or a contrast on the customer's side; the agent treating it
    # as a request; text the English lists cannot judge
    checks: list[tuple[np.ndarray, Phrases | re.Pattern[str]]] = [
        (customer, rules.request), (customer, rules.problem), (customer, rules.contrast),
        (customer, rules.in_hashtags), (agent, rules.agent_service)]
    for who, phrases in checks:
        at = np.flatnonzero(alive & who)
        subset = lowered.iloc[at].reset_index(drop=True)
        hit = np.zeros(len(t), dtype=bool)
        hit[at] = (phrases.hits(subset) if isinstance(phrases, Phrases)
                   else subset.str.contains(phrases).to_numpy(dtype=bool))
        alive = _rule_out(alive, thread, hit)
    at = np.flatnonzero(alive)
    letters = text.iloc[at].str.count(r"[^\W\d_]").to_numpy()
    latin = text.iloc[at].str.count(r"[A-Za-z\u00C0-\u024F]").to_numpy()
    foreign = np.zeros(len(t), dtype=bool)
    foreign[at] = latin < letters / 2
    alive = _rule_out(alive, thread, foreign)
    if not alive.any():
        return _found([])
    # a negative customer turn (VADER, on the few threads left)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = _analyzer(SentimentIntensityAnalyzer)
    negative = np.zeros(len(t), dtype=bool)
    for k in np.flatnonzero(alive & customer):
        negative[k] = vader.polarity_scores(str(text.iat[int(k)]))["compound"] < rules.floor
    alive = _rule_out(alive, thread, negative)
    rows: list[dict[str, Any]] = []
    index = t["turn_index"].to_numpy()
    clean = text.to_numpy(dtype=object)
    texts = raw.to_numpy(dtype=object)
    left = np.flatnonzero(alive)
    for iid, pos in pd.Series(left, index=key[left]).groupby(level=0, sort=True):
        row = _positive_sign(str(iid), pos.to_numpy(), role, texts, clean, index, rules)
        if row is not None:
            rows.append(row)
    return _found(rows)


def _rule_out(alive: np.ndarray, thread: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """``alive`` without the threads (``thread``: each row's thread as a code 0..n-1)
    that have a ``hit`` turn."""
    if not hit.any():
        return alive
    ruled = np.zeros(int(thread.max()) + 1, dtype=bool)
    ruled[thread[hit]] = True
    return alive & ~ruled[thread]


@functools.lru_cache(maxsize=1)
def _analyzer(cls: Any) -> Any:
    return cls()


def _positive_sign(iid: str, p: np.ndarray, role: np.ndarray, raw: np.ndarray,
                   clean: np.ndarray, index: np.ndarray, rules: ScopeRules
                   ) -> dict[str, Any] | None:
    """The first positive sign of a non-service thread (rows ``p`` of one thread), as
    an evidence row with its reason; ``None`` when there is none."""
    tail = "; no request or problem on the customer's side"
    first = p[0]
    if role[first] == "agent":  # the brand's own post (a reply was blocked before)
        return _row(iid, index[first], "agent", raw[first], 0, len(raw[first]),
                    f"brand broadcast: the thread starts with the agent's post (turn "
                    f"{index[first]}) and customers reply without a request", "broadcast")
    cust = [k for k in p if role[k] == "customer"]
    for k in cust:
        m = rules.praise.search(raw[k])
        if m is not None:
            return _row(iid, index[k], "customer", raw[k], m.start(), m.end(),
                        f"praise or banter: {m.group(0).lower()!r} (turn {index[k]})" + tail,
                        "praise")
    for k in cust:
        tags = _HASHTAG.findall(raw[k])
        if len(tags) >= rules.min_hashtags and _LINK.search(raw[k]):
            return _row(iid, index[k], "customer", raw[k], 0, len(raw[k]),
                        f"marketing or photo post: a link and {len(tags)} hashtags "
                        f"(turn {index[k]})" + tail, "marketing")
        m = rules.marketing.search(raw[k])
        if m is not None:
            return _row(iid, index[k], "customer", raw[k], m.start(), m.end(),
                        f"marketing post: {m.group(0).lower()!r} (turn {index[k]})" + tail,
                        "marketing")
    if all(_WORD.search(_HASHTAG.sub(" ", clean[k])) is None and not _LINK.search(raw[k])
           for k in cust):
        k = cust[0]
        return _row(iid, index[k], "customer", raw[k], 0, len(raw[k]),
                    "bare mention: the customer's turns hold only handles, hashtags or emoji",
                    "bare_mention")
    return None


def _row(iid: str, turn: Any, role: str, text: str, start: int, end: int, reason: str,
         rule: str) -> dict[str, Any]:
    return {"interaction_id": iid, "turn_index": int(turn), "role": role,
            "start_char": int(start), "end_char": int(end), "text": text[start:end],
            "reason": reason, "detail": json.dumps({"rule": rule, "reason": reason})}


def _found(rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ["interaction_id", "turn_index", "role", "start_char", "end_char", "text",
            "reason", "detail"]
    return pd.DataFrame(rows, columns=cols)


def _evidence_rows(found: pd.DataFrame) -> pd.DataFrame:
    """EVIDENCE rows (cue ``scope``) of the non-service interactions."""
    frame = found.drop(columns="reason").assign(cue="scope")
    return conform(frame, EVIDENCE)


def scope_counts(scores: pd.DataFrame) -> dict[str, int]:
    """``{"out_of_scope": n, "no_agent": a, "non_service": b}`` of a scores table."""
    scope = (scores["scope"].astype("string") if "scope" in scores.columns
             else pd.Series([], dtype="string"))
    counts = {str(k): int(v) for k, v in scope.value_counts().items()}
    no_agent, non_service = int(counts.get("no_agent", 0)), int(counts.get("non_service", 0))
    return {"out_of_scope": no_agent + non_service, "no_agent": no_agent,
            "non_service": non_service}


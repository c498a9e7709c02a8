"""Loaders of the labelled conversation sets used by ``eval_validity.py``.

Each loader reads one file of the shared data (``../shared/data`` next to the
repository; see each folder's ``SOURCE.txt`` and ``eval_validity.py``'s
docstring for what the labels mean) into a turn table for
:meth:`serviceart.Conversations.from_frames` and a label table, one row per
interaction, joined on ``interaction_id``.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = (REPO_ROOT / "../shared/data").resolve()
QA_PATH = DATA_DIR / "gold" / "qa_dev.jsonl"
MWOZ_PATH = DATA_DIR / "uss_multiwoz_satisfaction" / "MWOZ.txt"
SEMEVAL_PATH = DATA_DIR / "semeval_cqa_qatarliving" / "SemEval2016-Task3-CQA-QL-train-part1.xml"
SUMO_ANSWERS_PATH = DATA_DIR / "mozilla_sumo_support" / "rtanglao-answers.csv"
SUMO_QUESTIONS_PATH = (
    DATA_DIR / "mozilla_sumo_support" / "rt-sumo-forum-report" / "BY_WEEK"
    / "2020-06-14-2020-06-20-allproducts-creator-answers-desktop-all-locales.csv")
TWCS_PATH = DATA_DIR / "twcs" / "twcs.csv"

if str(REPO_ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO_ROOT / "src"))

from serviceart.codebook import PRINCIPLES  # noqa: E402
from serviceart.readers.email import html_to_text  # noqa: E402

__all__ = [
    "KEYS",
    "QA_CHANNELS",
    "Labelled",
    "load_mwoz",
    "load_qa",
    "load_semeval",
    "load_sumo_answers",
    "load_sumo_questions",
    "qa_reviews",
]

KEYS: tuple[str, ...] = (*PRINCIPLES, "overall")
"""The rated keys of ``qa_dev.jsonl``: the principles and ``overall``."""
QA_CHANNELS = {"twcs": "social", "ibm": "social", "abcd": "chat", "mwoz": "chat"}
"""Channel of each ``dataset`` of ``qa_dev.jsonl``."""


class Labelled(NamedTuple):
    """Turns to score and the labels of their interactions."""

    #: one row per turn: ``interaction_id, role, text`` and optional ``turn_index``,
    #: ``speaker``, ``timestamp``, ``channel``
    turns: pd.DataFrame
    #: one row per interaction: ``interaction_id`` and the label column(s)
    labels: pd.DataFrame



def load_qa(path: str | Path = QA_PATH) -> Labelled:
    """The QA development set: turns and the mean ratings of the two passes.

    Parameters
    ----------
    path
        ``qa_dev.jsonl``: one conversation per line with ``key, dataset,
        turns[{role, speaker, text, timestamp?}], ratings{...}, helped``.

    Returns
    -------
    Labelled
        ``turns`` with ``interaction_id`` (the key), ``role``, ``text``,
        ``turn_index``, ``speaker``, ``timestamp`` (ISO 8601 text as stored,
        ``None`` when absent; :meth:`serviceart.Conversations.from_frames`
        parses it) and
        ``channel`` (:data:`QA_CHANNELS`); ``labels`` with ``interaction_id,
        dataset, helped`` and one float column per principle and ``overall``
        (NaN for not applicable).

    Raises
    ------
    ValueError
        When a line is not JSON, lacks a key, or has a dataset without a channel.
    """
    path = Path(path)
    turns: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                key, dataset, ratings = rec["key"], rec["dataset"], rec["ratings"]
                conv_turns = rec["turns"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}, line {number}: not a QA record with key, dataset, "
                                 f"turns and ratings ({exc})") from exc
            if dataset not in QA_CHANNELS:
                raise ValueError(f"{path}, line {number} ({key}): dataset {dataset!r} has no "
                                 f"channel; known: {sorted(QA_CHANNELS)}")
            for k, t in enumerate(conv_turns):
                turns.append({"interaction_id": key, "role": t["role"], "text": t["text"],
                              "turn_index": k, "speaker": t.get("speaker"),
                              "timestamp": t.get("timestamp"),
                              "channel": QA_CHANNELS[dataset]})
            labels.append({"interaction_id": key, "dataset": dataset,
                           "helped": rec.get("helped"),
                           **{p: ratings.get(p) for p in KEYS}})
    label_frame = pd.DataFrame(labels).astype({p: "float64" for p in KEYS})
    return Labelled(pd.DataFrame(turns), label_frame)


def qa_reviews(path: str | Path = QA_PATH) -> pd.DataFrame:
    """The two rating passes of the QA development set as a reviews table for
    :func:`serviceart.agreement`: one row per conversation and pass (reviewer
    ``pass 1``, ``pass 2``), with ``interaction_id`` and one column per principle and
    ``overall`` on the passes' 1..5 scale (NaN for not applicable)."""
    raw = pd.read_json(Path(path), lines=True)
    passes = raw[["key", "raters"]].explode("raters")
    passes["reviewer"] = "pass " + (passes.groupby(level=0).cumcount() + 1).astype(str)
    ratings = pd.json_normalize(passes["raters"].tolist())
    reviews = pd.concat([passes[["key", "reviewer"]].reset_index(drop=True),
                         ratings[list(KEYS)]], axis=1)
    return reviews.rename(columns={"key": "interaction_id"})


def load_mwoz(path: str | Path = MWOZ_PATH) -> Labelled:
    """USS MultiWOZ dialogues and their dialogue-level satisfaction.

    Parameters
    ----------
    path
        ``MWOZ.txt``: tab-separated ``role, text, action, ratings`` lines,
        sessions separated by blank lines, each ending with a ``USER OVERALL``
        line whose ratings (comma-separated, 1..5) judge the whole dialogue.

    Returns
    -------
    Labelled
        ``turns`` (``USER`` -> customer, ``SYSTEM`` -> agent; ids ``mwoz-<k>``
        in file order, channel ``chat``); ``labels`` with ``satisfaction``, the
        mean of the ``OVERALL`` ratings.

    Raises
    ------
    ValueError
        When a session has no ``OVERALL`` line or a line has an unknown role.
    """
    path = Path(path)
    roles = {"USER": "customer", "SYSTEM": "agent"}
    turns: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    blocks = path.read_text(encoding="utf-8").replace("\r\n", "\n").strip().split("\n\n")
    for k, block in enumerate(blocks):
        iid = f"mwoz-{k}"
        overall: float | None = None
        for line in block.strip().split("\n"):
            fields = line.split("\t")
            if fields[0] not in roles:
                raise ValueError(f"{path}, session {k}: unknown role {fields[0]!r} in {line!r}")
            if fields[0] == "USER" and len(fields) > 1 and fields[1] == "OVERALL":
                overall = float(np.mean([float(x) for x in fields[3].split(",")]))
                continue
            turns.append({"interaction_id": iid, "role": roles[fields[0]], "text": fields[1],
                          "channel": "chat"})
        if overall is None:
            raise ValueError(f"{path}, session {k}: no 'USER\\tOVERALL' line with the "
                             "dialogue's satisfaction")
        labels.append({"interaction_id": iid, "satisfaction": overall})
    return Labelled(pd.DataFrame(turns), pd.DataFrame(labels))


def load_semeval(path: str | Path = SEMEVAL_PATH) -> Labelled:
    """SemEval-2016 Task 3 Qatar Living comments, each answering its original question.

    Parameters
    ----------
    path
        The task's XML file (``OrgQuestion`` elements with ``OrgQSubject``,
        ``OrgQBody`` and a ``Thread`` of ``RelComment`` elements).

    Returns
    -------
    Labelled
        Two turns per comment, ids ``ql-<RELC_ID>``, channel ``forum``: the
        original question's subject and body (customer) and the comment
        (agent); ``labels`` with ``label`` (``RELC_RELEVANCE2ORGQ``: Good,
        PotentiallyUseful or Bad) and ``question`` (``ORGQ_ID``).
    """
    root = ET.parse(path).getroot()
    turns: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for org in root.iter("OrgQuestion"):
        subject = (org.findtext("OrgQSubject") or "").strip()
        body = (org.findtext("OrgQBody") or "").strip()
        question = f"{subject}\n{body}" if subject and body else subject or body
        for comment in org.iter("RelComment"):
            iid = f"ql-{comment.get('RELC_ID')}"
            turns.append({"interaction_id": iid, "role": "customer", "text": question,
                          "channel": "forum"})
            turns.append({"interaction_id": iid, "role": "agent",
                          "text": (comment.findtext("RelCText") or "").strip(),
                          "channel": "forum"})
            labels.append({"interaction_id": iid, "label": comment.get("RELC_RELEVANCE2ORGQ"),
                           "question": org.get("ORGQ_ID")})
    return Labelled(pd.DataFrame(turns), pd.DataFrame(labels))


def load_sumo_answers(path: str | Path = SUMO_ANSWERS_PATH) -> Labelled:
    """Mozilla support answers with helpful/unhelpful votes, each one agent turn.

    Parameters
    ----------
    path
        ``rtanglao-answers.csv`` (Kitsune API export: ``id, question, content``
        (HTML), ``is_spam``, ``num_helpful_votes``, ``num_unhelpful_votes``...).

    Returns
    -------
    Labelled
        One agent turn per answer that is not spam (the HTML as plain text), ids
        ``sumo-a-<id>``, channel ``forum``; ``labels`` with ``helpful_votes``,
        ``unhelpful_votes`` and ``helpful``: 1.0 with more helpful votes, 0.0
        with more unhelpful ones, NaN on a tie (including no votes).
    """
    answers = pd.read_csv(path, dtype={"content": "string"})
    answers = answers[~answers["is_spam"].astype(bool)]
    iid = "sumo-a-" + answers["id"].astype("string")
    turns = pd.DataFrame({"interaction_id": iid, "role": "agent",
                          "text": answers["content"].fillna("").map(html_to_text),
                          "channel": "forum"})
    up, down = answers["num_helpful_votes"], answers["num_unhelpful_votes"]
    helpful = np.where(up > down, 1.0, np.where(down > up, 0.0, np.nan))
    labels = pd.DataFrame({"interaction_id": iid, "helpful_votes": up,
                           "unhelpful_votes": down, "helpful": helpful})
    return Labelled(turns.reset_index(drop=True), labels.reset_index(drop=True))


def load_sumo_questions(path: str | Path = SUMO_QUESTIONS_PATH) -> Labelled:
    """Mozilla support forum questions with ``is_solved``, each one customer turn.

    Parameters
    ----------
    path
        A ``...-allproducts-creator-answers-...csv`` week report (``id, title,
        content`` (HTML), ``is_solved``, ``answers`` as ids only...).

    Returns
    -------
    Labelled
        One customer turn per question (title, a blank line, the body as plain
        text), ids ``sumo-q-<id>``, channel ``forum``; ``labels`` with
        ``is_solved`` (1.0 or 0.0) and ``num_answers``.
    """
    questions = pd.read_csv(path, dtype={"title": "string", "content": "string"})
    iid = "sumo-q-" + questions["id"].astype("string")
    text = (questions["title"].fillna("").str.strip() + "\n\n"
            + questions["content"].fillna("").map(html_to_text)).str.strip()
    turns = pd.DataFrame({"interaction_id": iid, "role": "customer", "text": text,
                          "channel": "forum"})
    solved = questions["is_solved"].map({True: 1.0, False: 0.0, "true": 1.0, "false": 0.0})
    labels = pd.DataFrame({"interaction_id": iid, "is_solved": solved.astype("float64"),
                           "num_answers": questions["num_answers"]})
    return Labelled(turns, labels)

"""Role inference for exports that name speakers but do not say who is the agent.

Used by :func:`serviceart.read` when every turn of an interaction carries a
speaker label that is not a role (``Dana: ...``, ``<v Bob>``) and the user gave
no ``roles={...}`` for it. The evidence, strongest first:

1. what the user says: ``agent_ids=[...]`` (speaker labels or ids of agents) and
   ``agent_domains=[...]`` (a label holding an address at one of these domains,
   ``dana@acme.com`` or ``Dana <dana@support.acme.com>``). The labels named
   are agents, the others customers (``role_basis`` ``agent_ids`` /
   ``agent_domains``, confidence ``high``);
2. the text: the label whose turns carry the most agent cues (greeting,
   apology, courtesy, promises, offers of further help...) minus twice its
   customer cues (unresolved, chasing, repeating oneself), plus 3 for each turn
   that greets in the company's name ("thanks for calling Acme", "this is Dana
   from Acme"; the phrasings are data in ``data/role_evidence.json``, and
   ``company="Acme"`` or a list of names makes them exact) becomes the agent
   (``role_basis`` ``text``).

Labels that say the speaker is unknown (``unknown``, ``n/a``; listed in
``data/role_evidence.json``) are not names: they keep their label, which
validation rejects as an unknown role, and the names beside them are inferred.

Nothing is guessed silently: every inferred interaction gets
``roles_inferred = True``, a ``role_basis`` and a ``role_confidence`` of
``high`` or ``low``, and a :class:`RoleInferenceWarning` lists the
interactions where the textual evidence was thin (a margin under
``min_margin`` points).
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..codebook import CUES, ROLES

if TYPE_CHECKING:  # spaCy loads only when text cues are needed
    from spacy.language import Language

__all__ = ["RoleInferenceWarning", "infer_roles", "name_titles", "not_names"]

_AGENT = {name for name, cue in CUES.items() if cue.role == "agent"}
_CUSTOMER = {name for name, cue in CUES.items() if cue.role == "customer"}


_ADDRESS = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_GREETING_POINTS = 3


class RoleInferenceWarning(UserWarning):
    """Roles were inferred from the text with low confidence for some interactions."""


@lru_cache(maxsize=1)
def _evidence() -> dict[str, Any]:
    """The parsed ``data/role_evidence.json``."""
    data: dict[str, Any] = json.loads(resources.files("serviceart").joinpath(
        "data/role_evidence.json").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def name_titles() -> frozenset[str]:
    """Role words that give the role when they stand before a name ("Agent Dana").

    Other role words ("user", "guest", "member") also make up display names
    ("User Name", "Guest User"), so they give a role only on their own.

    Examples
    --------
    >>> "agent" in name_titles(), "user" in name_titles()
    (True, False)
    """
    return frozenset(_evidence()["name_titles"])


@lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    """Lower-case speaker labels that say the speaker is unknown ("unknown", "n/a").

    Examples
    --------
    >>> "unknown" in not_names()
    True
    """
    return frozenset(_evidence()["not_names"])


@lru_cache(maxsize=32)
def company_greeting(company: tuple[str, ...] = ()) -> re.Pattern[str]:
    """The regular expression of agent openings that name the company.

    Parameters
    ----------
    company
        Company names; empty for any capitalised name.

    Examples
    --------
    >>> bool(company_greeting(("Acme",)).search("Hi, thanks for calling ACME, I'm Dana"))
    True
    >>> bool(company_greeting().search("thanks for calling, bye"))
    False
    """
    data = _evidence()
    name = ("(?:" + "|".join(re.escape(c) for c in company) + ")") if company \
        else data["generic_company"]
    alternatives = [p.replace("{company}", name) for p in data["company_greetings"]]
    return re.compile(r"(?i)(?<!\w)(?:" + "|".join(alternatives) + r")")


def _domain_agent(label: str, domains: tuple[str, ...]) -> bool:
    for m in _ADDRESS.finditer(label):
        d = m.group(1).lower()
        if any(d == a or d.endswith("." + a) for a in domains):
            return True
    return False


def _names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    return tuple(str(v).strip() for v in value if str(v).strip())


def infer_roles(turns: pd.DataFrame, *, nlp: Language | None = None,
                min_margin: int = 2, agent_ids: Iterable[str] | None = None,
                agent_domains: Iterable[str] | None = None,
                company: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Turns with agent/customer roles inferred where the role column holds names.

    Parameters
    ----------
    turns
        A raw turn table (``interaction_id``, ``role``, ``text``, optional ``speaker``).
    nlp
        A cue pipeline (:func:`serviceart.make_nlp` by default).
    min_margin
        The least difference in agent-cue score between the chosen agent and the
        runner-up for a ``high`` confidence.
    agent_ids
        Speaker labels (or speaker ids) of agents, matched case-insensitively.
    agent_domains
        Mail domains of the agents' organisation (subdomains included).
    company
        The company's name(s), to recognise openings such as "thanks for
        calling Acme" exactly; any capitalised name otherwise.

    Returns
    -------
    pandas.DataFrame
        A new table: inferred roles, the label kept as ``speaker`` where none was
        given, and ``roles_inferred`` / ``role_basis`` / ``role_confidence``
        columns. Interactions with valid roles are left as they were.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"interaction_id": "c", "role": ["Dana", "Bob", "Dana"],
    ...     "text": ["Hi, thanks for calling Acme, this is Dana.", "My bill is wrong again.",
    ...              "I'm sorry about that. I'll fix it now."]})
    >>> infer_roles(t)[["role", "speaker", "role_confidence"]].values.tolist()
    [['agent', 'Dana', 'high'], ['customer', 'Bob', 'high'], ['agent', 'Dana', 'high']]
    """
    if "role" not in turns.columns or turns.empty:
        return turns
    out = turns.copy()
    label = out["role"].astype("string").str.strip()
    lower = label.str.lower()
    # an "unknown" label is no name: it neither gets a role nor stops inference for the
    # names beside it (validation rejects it as an unknown role)
    unknown = lower.isin(not_names()).fillna(False).astype(bool)
    named = label.notna() & ~lower.isin(ROLES) & ~unknown
    all_named = (named | unknown).groupby(out["interaction_id"]).transform("all")
    todo = all_named & named
    if not todo.any():
        return out
    sub = out.loc[todo]
    sub_label = label[todo]
    ids = {i.lower() for i in _names(agent_ids)}
    domains = tuple(d.lower().lstrip("@") for d in _names(agent_domains))
    speaker = sub["speaker"].astype("string") if "speaker" in sub.columns else None
    told: dict[tuple[str, str], str] = {}
    for k, (iid, lab) in enumerate(zip(sub["interaction_id"], sub_label, strict=True)):
        spk = "" if speaker is None or pd.isna(speaker.iloc[k]) else str(speaker.iloc[k])
        if ids and (lab.lower() in ids or spk.lower() in ids):
            told[(iid, lab)] = "agent_ids"
        elif domains and (_domain_agent(lab, domains) or _domain_agent(spk, domains)):
            told[(iid, lab)] = "agent_domains"
    told_iids = {iid for iid, _ in told}
    by_text = ~sub["interaction_id"].isin(told_iids)
    texts = sub.loc[by_text, "text"].astype("string").fillna("")
    from ..cues.pipeline import detect

    found = detect(texts.tolist(), nlp=nlp)
    greets = company_greeting(_names(company))
    score: Counter[tuple[str, str]] = Counter()
    for iid, lab, text, cues in zip(sub.loc[by_text, "interaction_id"], sub_label[by_text],
                                    texts, found, strict=True):
        names = {c for c, _, _ in cues}
        score[(iid, lab)] += len(names & _AGENT) - 2 * len(names & _CUSTOMER)
        if greets.search(str(text)):
            score[(iid, lab)] += _GREETING_POINTS
    roles: dict[tuple[str, str], str] = {}
    confidence: dict[str, str] = {}
    basis: dict[str, str] = {}
    for iid, labels in sub_label.groupby(sub["interaction_id"], sort=False):
        distinct = list(dict.fromkeys(labels))
        if iid in told_iids:
            for lab in distinct:
                roles[(iid, lab)] = "agent" if (iid, lab) in told else "customer"
            confidence[iid] = "high"
            basis[iid] = sorted({told[(iid, lab)] for lab in distinct
                                 if (iid, lab) in told})[0]
            continue
        ranked = sorted(distinct, key=lambda lab: -score[(iid, lab)])
        margin = score[(iid, ranked[0])] - (score[(iid, ranked[1])] if len(ranked) > 1 else 0)
        for lab in ranked:
            roles[(iid, lab)] = "agent" if lab == ranked[0] else "customer"
        confidence[iid] = "high" if margin >= min_margin else "low"
        basis[iid] = "text"
    keys = list(zip(sub["interaction_id"], label[todo], strict=True))
    if "speaker" not in out.columns:
        out["speaker"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["speaker"] = out["speaker"].astype("string")
    out.loc[todo, "speaker"] = out.loc[todo, "speaker"].fillna(label[todo])
    out.loc[todo, "role"] = [roles[k] for k in keys]
    out["roles_inferred"] = out["interaction_id"].isin(list(confidence))
    out["role_basis"] = out["interaction_id"].map(basis).astype("string")
    out["role_confidence"] = out["interaction_id"].map(confidence).astype("string")
    low = sorted(str(i) for i, c in confidence.items() if c == "low")
    if low:
        warnings.warn(
            f"roles were inferred from the text with low confidence for {len(low)} "
            f"interaction(s): {low[:20]}{' ...' if len(low) > 20 else ''}; pass "
            "roles={'name': 'agent', ...}, agent_ids=[...] or company='...' to the reader "
            "to set them",
            RoleInferenceWarning, stacklevel=3)
    return out

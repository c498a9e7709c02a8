"""Role inference for exports that name speakers but do not say who is the agent.

Used by :func:`serviceart.read` when every turn of an interaction carries a
speaker label that is not a role (``Dana: ...``, ``<v Bob>``) and the user gave
no ``roles={...}`` for it. Within such an interaction, the label whose turns
carry the most agent cues (greeting, apology, courtesy, promises, offers of
further help...) minus customer cues (unresolved, chasing, repeating oneself)
becomes the agent; the other labels become customers. Nothing is guessed
silently: every inferred interaction gets ``roles_inferred = True`` and a
``role_confidence`` of ``high`` or ``low``, and a :class:`RoleInferenceWarning`
lists the interactions where the evidence was thin (a margin under
``min_margin`` cues).
"""

from __future__ import annotations

import warnings
from collections import Counter

import pandas as pd
from spacy.language import Language

from .codebook import CUES, ROLES
from .cues.pipeline import detect

__all__ = ["RoleInferenceWarning", "infer_roles"]

_AGENT = {name for name, cue in CUES.items() if cue.role == "agent"}
_CUSTOMER = {name for name, cue in CUES.items() if cue.role == "customer"}


class RoleInferenceWarning(UserWarning):
    """Roles were inferred from the text with low confidence for some interactions."""


def infer_roles(turns: pd.DataFrame, *, nlp: Language | None = None,
                min_margin: int = 2) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        A new table: inferred roles, the label kept as ``speaker`` where none was
        given, and ``roles_inferred`` / ``role_confidence`` columns. Interactions
        with valid roles are left as they were.

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
    named = label.notna() & ~label.str.lower().isin(ROLES)
    all_named = named.groupby(out["interaction_id"]).transform("all")
    todo = all_named & named
    if not todo.any():
        return out
    sub = out.loc[todo]
    found = detect(sub["text"].astype("string").fillna("").tolist(), nlp=nlp)
    score: Counter[tuple[str, str]] = Counter()
    for iid, lab, cues in zip(sub["interaction_id"], label[todo], found, strict=True):
        names = {c for c, _, _ in cues}
        score[(iid, lab)] += len(names & _AGENT) - 2 * len(names & _CUSTOMER)
    roles: dict[tuple[str, str], str] = {}
    confidence: dict[str, str] = {}
    for iid, labels in label[todo].groupby(sub["interaction_id"], sort=False):
        ranked = sorted(dict.fromkeys(labels), key=lambda lab: -score[(iid, lab)])
        margin = score[(iid, ranked[0])] - (score[(iid, ranked[1])] if len(ranked) > 1 else 0)
        for lab in ranked:
            roles[(iid, lab)] = "agent" if lab == ranked[0] else "customer"
        confidence[iid] = "high" if margin >= min_margin else "low"
    keys = list(zip(sub["interaction_id"], label[todo], strict=True))
    if "speaker" not in out.columns:
        out["speaker"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["speaker"] = out["speaker"].astype("string")
    out.loc[todo, "speaker"] = out.loc[todo, "speaker"].fillna(label[todo])
    out.loc[todo, "role"] = [roles[k] for k in keys]
    out["roles_inferred"] = out["interaction_id"].isin(list(confidence))
    out["role_confidence"] = out["interaction_id"].map(confidence).astype("string")
    low = sorted(str(i) for i, c in confidence.items() if c == "low")
    if low:
        warnings.warn(
            f"roles were inferred from the text with low confidence for {len(low)} "
            f"interaction(s): {low[:20]}{' ...' if len(low) > 20 else ''}; pass "
            "roles={'name': 'agent', ...} to the reader to set them",
            RoleInferenceWarning, stacklevel=3)
    return out

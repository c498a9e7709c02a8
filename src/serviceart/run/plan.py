"""The run plan: what must be known about the whole dataset before any part is scored.

Every engine (:func:`serviceart.score`, the batch engine, :mod:`serviceart.dask`)
gathers each contact's metadata with :func:`contact_meta` while it reads, and
calls :func:`make_plan` once over all of it. The plan holds

- the cases: contacts linked over the whole dataset (:func:`serviceart.cases.linking.assign_cases`),
- ``repeat_contact`` of every contact (a later contact of the same customer or case),
- the end of the data (``as_of``: the given one, else the latest turn or start time),
- the parts: whole cases, about ``chunk_size`` interactions each, in input order,
  the last part cut in halves so that workers finish together.

The parts depend on the input and ``chunk_size`` only, so every engine cuts the
same ones and a resumed batch run finds its finished parts again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..cases.linking import LINK_COLUMNS, assign_cases, case_summary, repeat_from_times
from ..clock import contact_times
from ..ingest.model import case_groups
from .settings import ScoreSettings

__all__ = ["META_COLUMNS", "PLAN_COLUMNS", "Plan", "contact_meta", "make_plan"]

#: What :func:`contact_meta` keeps of each contact: the columns case linking reads,
#: and when the contact started and ended and who opened it.
META_COLUMNS: tuple[str, ...] = (*LINK_COLUMNS, "started", "ended", "opened_by")

#: The plan's columns per interaction (in input order).
PLAN_COLUMNS: tuple[str, ...] = ("interaction_id", "case_id", "case_rule", "repeat_contact",
                                 "part")


def contact_meta(turns: pd.DataFrame, interactions: pd.DataFrame) -> pd.DataFrame:
    """Per interaction, what the plan needs: link columns, start, end, opener.

    Parameters
    ----------
    turns, interactions
        Conformed tables of whole interactions (a chunk of the input).

    Returns
    -------
    pandas.DataFrame
        :data:`META_COLUMNS`, one row per interaction, in the interactions' order.
    """
    out = pd.DataFrame(index=range(len(interactions)))
    for c in LINK_COLUMNS:
        out[c] = (interactions[c].astype("string").to_numpy() if c != "started_at"
                  else interactions[c].to_numpy()) if c in interactions.columns else pd.NA
    out["started_at"] = pd.to_datetime(out["started_at"], utc=True)
    ids = interactions["interaction_id"]
    if len(interactions):
        times = contact_times(turns, interactions).reindex(ids)
        # .array keeps the times typed (to_numpy would make one Timestamp per row)
        out["started"] = pd.to_datetime(times["started"], utc=True).array
        out["ended"] = pd.to_datetime(times["ended"], utc=True).array
        out["opened_by"] = times["opened_by"].astype("string").to_numpy()
    else:
        out["started"] = out["ended"] = pd.Series(dtype="datetime64[ns, UTC]")
        out["opened_by"] = pd.Series(dtype="string")
    for c in LINK_COLUMNS:
        if c != "started_at":
            out[c] = out[c].astype("string")
    return out[list(META_COLUMNS)]


@dataclass(frozen=True)
class Plan:
    """Cases, repeat contacts, the end of the data and the parts of a whole run.

    Attributes
    ----------
    table
        One row per interaction in input order: :data:`PLAN_COLUMNS`.
    as_of
        The end of the data (UTC), or ``None`` when the input has no times.
    case_linking
        What ``run_info`` records about case linking (rules, window, counts).
    """

    table: pd.DataFrame
    as_of: pd.Timestamp | None
    case_linking: dict[str, Any]

    @property
    def n_parts(self) -> int:
        """How many parts the run has."""
        return int(self.table["part"].max()) + 1 if len(self.table) else 0

    def parts(self) -> Iterator[pd.DataFrame]:
        """The plan rows of each part, in part order (rows in input order)."""
        part = self.table["part"].to_numpy()
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(self.n_parts + 1))
        for k in range(self.n_parts):
            yield self.table.iloc[order[bounds[k]:bounds[k + 1]]]

    def apply(self, interactions: pd.DataFrame) -> pd.DataFrame:
        """``interactions`` with the plan's ``case_id``, ``case_rule`` and ``repeat_contact``."""
        rows = self.table.set_index("interaction_id")
        return attach(interactions, rows)

    def to_dict(self) -> dict[str, Any]:
        """What ``run_info["plan"]`` records: the end of the data, parts and cases."""
        return {"as_of": None if self.as_of is None else self.as_of.isoformat(),
                "parts": self.n_parts, "interactions": len(self.table),
                "case_linking": self.case_linking}


def attach(interactions: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``interactions`` with ``case_id``, ``case_rule`` and ``repeat_contact`` from plan
    ``rows`` indexed by interaction id (a part's share of :attr:`Plan.table`)."""
    out = interactions.copy()
    ids = out["interaction_id"].astype(str)
    out["case_id"] = ids.map(rows["case_id"]).astype("string").to_numpy()
    out["case_rule"] = ids.map(rows["case_rule"]).astype("string").to_numpy()
    out["repeat_contact"] = ids.map(rows["repeat_contact"]).astype("float64").to_numpy()
    return out


def make_plan(meta: pd.DataFrame, settings: ScoreSettings) -> Plan:
    """The plan of a run from every contact's :func:`contact_meta` (in input order).

    Parameters
    ----------
    meta
        The concatenated metadata of the whole input; a repeated interaction id
        keeps its first row (the readers reject the others).
    settings
        The run's settings (case window, linking rule, ``as_of``, ``chunk_size``).

    Returns
    -------
    Plan
    """
    meta = meta.drop_duplicates("interaction_id", keep="first").reset_index(drop=True)
    window = settings.case_window
    linked = assign_cases(meta, window, by_customer=settings.link_by_customer)
    times = pd.DataFrame({"started": linked["started"].to_numpy(),
                          "opened_by": linked["opened_by"].to_numpy()},
                         index=linked["interaction_id"].to_numpy())
    repeat = repeat_from_times(linked, times, window)
    table = pd.DataFrame({
        "interaction_id": linked["interaction_id"].astype("string").to_numpy(),
        "case_id": linked["case_id"].astype("string").to_numpy(),
        "case_rule": linked["case_rule"].astype("string").to_numpy(),
        "repeat_contact": repeat.reindex(linked["interaction_id"]).to_numpy(dtype="float64"),
        "part": _parts(linked, settings.chunk_size),
    })
    if settings.as_of is not None:
        end: pd.Timestamp | None = settings.as_of
    else:
        ended = pd.to_datetime(linked["ended"], utc=True)
        end = None if ended.isna().all() else pd.Timestamp(ended.max())
    return Plan(table=table, as_of=end, case_linking=case_summary(linked, window))


def _parts(linked: pd.DataFrame, chunk_size: int) -> np.ndarray:
    """The part of each interaction: whole cases in groups of about ``chunk_size``, the
    last group cut in halves."""
    part = np.zeros(len(linked), dtype=np.int64)
    masks = list(case_groups(linked, chunk_size))
    for k, mask in enumerate(masks[:-1]):
        part[mask] = k
    if masks:
        last = np.flatnonzero(masks[-1])
        halves = list(case_groups(linked.iloc[last], max(1, (len(last) + 1) // 2)))
        for j, mask in enumerate(halves):
            part[last[mask]] = len(masks) - 1 + j
    return part

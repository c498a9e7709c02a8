"""The data model: :class:`Conversations`, validated turns and interactions.

Turns and interactions are linked by ``interaction_id``; interactions are linked
into cases by ``case_id``. Tables are declared in :mod:`serviceart.schema`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._ids import member
from ..schema import REJECTS, conform
from .validate import RejectLog, non_scalar, validate_interactions, validate_turns

__all__ = ["Conversations", "case_groups"]


class Conversations:
    """Validated conversations: a turn table, an interaction table and the rejects.

    Build one with :meth:`from_frames` or :func:`serviceart.read`; the constructor
    takes tables that are already valid.

    Parameters
    ----------
    turns, interactions, rejects
        Conformed tables (see :mod:`serviceart.schema`).
    interactions_in
        How many distinct interactions the input had, valid or not.
    turns_in
        How many turn records the input had.

    Examples
    --------
    >>> import pandas as pd
    >>> turns = pd.DataFrame({
    ...     "interaction_id": ["c1", "c1", "c1"],
    ...     "role": ["customer", "agent", "robot"],
    ...     "text": ["My router keeps dropping.", "Sorry about that, let me check.", "beep"],
    ... })
    >>> conv = Conversations.from_frames(turns)
    >>> len(conv), len(conv.turns), conv.rejects["code"].tolist()
    (1, 2, ['unknown_role'])
    """

    def __init__(
        self,
        turns: pd.DataFrame,
        interactions: pd.DataFrame,
        rejects: pd.DataFrame,
        *,
        interactions_in: int,
        turns_in: int,
    ) -> None:
        self._turns = turns
        self._interactions = interactions
        self._rejects = rejects
        self._interactions_in = interactions_in
        self._turns_in = turns_in

    @classmethod
    def from_frames(
        cls,
        turns: pd.DataFrame,
        interactions: pd.DataFrame | None = None,
        *,
        source: str = "<frame>",
        roles: Mapping[str, str] | None = None,
        rejects: pd.DataFrame | None = None,
        turn_columns: tuple[str, ...] = (),
    ) -> Conversations:
        """Validate a turn table (and optionally an interaction table).

        Every problem is collected into ``rejects`` with a code and a reason naming
        the record and field; the inputs are never mutated. Turns are sorted into
        time order within each interaction (by ``start_s`` when every turn has it,
        else ``timestamp``, else ``turn_index``, else input order) and renumbered
        ``0..n-1``. Columns of the turn table that are constant within each
        interaction (``channel``, ``team``, ``segment``...) move to the
        interactions table.

        Parameters
        ----------
        turns
            A frame with at least ``interaction_id``, ``role`` and ``text``.
        interactions
            Optional interaction metadata, one row per ``interaction_id``.
        source
            Name of the input, used in rejects and error messages.
        roles
            Mapping of role values in the input to ``agent``/``customer``/``system``.
        rejects
            Rejects found earlier (e.g. by a reader), carried into the result;
            each counts as one input record that never became a turn.
        turn_columns
            Extra columns that stay on the turn table even when they are constant
            within every interaction (e.g. an email's ``subject``).

        Returns
        -------
        Conversations

        Raises
        ------
        SchemaError
            When a required column is missing or the input is not a frame.
        """
        log = RejectLog()
        log.extend(rejects)
        valid = validate_turns(turns, source=source, roles=roles, log=log)
        out_turns, out_inter = validate_interactions(valid, interactions, source=source, log=log,
                                                     turn_columns=turn_columns)
        seen: set[str] = set()
        for col in (turns["interaction_id"],
                    interactions["interaction_id"] if interactions is not None
                    and "interaction_id" in interactions.columns else None):
            if col is not None:  # a list or mapping is no id (rejected as bad_id)
                col = col[~non_scalar(col)]
                seen.update(col.dropna().astype(str).str.strip().loc[lambda s: s != ""])
        all_rejects = log.frame()
        seen.update(all_rejects["interaction_id"].dropna().astype(str))
        # Records a reader already rejected never reached the turn table.
        earlier = 0 if rejects is None else len(rejects)
        return cls(
            out_turns,
            out_inter,
            all_rejects,
            interactions_in=len(seen),
            turns_in=len(turns) + earlier,
        )

    @property
    def turns(self) -> pd.DataFrame:
        """The turn table (see :data:`serviceart.schema.TURNS`)."""
        return self._turns

    @property
    def interactions(self) -> pd.DataFrame:
        """The interaction table (see :data:`serviceart.schema.INTERACTIONS`)."""
        return self._interactions

    @property
    def rejects(self) -> pd.DataFrame:
        """Every input problem found, one row each (see :data:`serviceart.schema.REJECTS`)."""
        return self._rejects

    @property
    def counts(self) -> dict[str, int]:
        """Interactions and turns in, valid and rejected; in = valid + rejected."""
        valid = len(self._interactions)
        return {
            "interactions_in": self._interactions_in,
            "interactions_valid": valid,
            "interactions_rejected": self._interactions_in - valid,
            "turns_in": self._turns_in,
            "turns_valid": len(self._turns),
            "turns_rejected": self._turns_in - len(self._turns),
        }

    def __len__(self) -> int:
        return len(self._interactions)

    def __repr__(self) -> str:
        c = self.counts
        return (f"<Conversations: {c['interactions_valid']} interactions, "
                f"{c['turns_valid']} turns, {len(self._rejects)} rejects>")

    def subset(self, interaction_ids: Iterable[str]) -> Conversations:
        """The conversations restricted to some interactions (rejects kept whole).

        Parameters
        ----------
        interaction_ids
            Ids to keep; unknown ids are ignored.

        Returns
        -------
        Conversations
        """
        ids = pd.Index(list(interaction_ids), dtype="string")
        inter = self._interactions[member(self._interactions["interaction_id"], ids)]
        turns = self._turns[member(self._turns["interaction_id"], ids)]
        return Conversations(turns.reset_index(drop=True), inter.reset_index(drop=True),
                             self._rejects, interactions_in=len(inter), turns_in=len(turns))

    def iter_cases(self, chunk_size: int) -> Iterator[Conversations]:
        """Chunks of about ``chunk_size`` interactions that never split a case.

        Every reject is in exactly one chunk: a valid interaction's rejects (its
        dropped turns) in that interaction's chunk, all others (rejected
        interactions, records without an id) in the first chunk, which also
        holds them in its counts. The chunks' counts add up to :attr:`counts`;
        when no interaction is valid there is one chunk, of rejects only.

        Parameters
        ----------
        chunk_size
            Target number of interactions per chunk (a large case may exceed it).

        Yields
        ------
        Conversations
            Sub-collections in input order, each holding whole cases.
        """
        if chunk_size < 1:
            from ..errors import ConfigError

            raise ConfigError(f"chunk_size must be >= 1, got {chunk_size}", code="SA-C068")
        inter = self._interactions
        groups = list(case_groups(inter, chunk_size))
        if not groups:
            if len(self._rejects) or self._interactions_in or self._turns_in:
                yield self
            return
        chunk_of = pd.Series(np.zeros(len(inter), dtype=np.int64),
                             index=inter["interaction_id"].astype(str).to_numpy())
        for k, rows in enumerate(groups):
            chunk_of.iloc[rows] = k

        def chunk(ids: pd.Series) -> np.ndarray:
            """The chunk of each id (0 for ids of no valid interaction)."""
            return ids.astype("string").map(chunk_of).fillna(0).astype("int64").to_numpy()

        rej_chunk = chunk(self._rejects["interaction_id"])
        turn_chunk = chunk(self._turns["interaction_id"])
        n_first = int(groups[0].sum())
        for k, rows in enumerate(groups):
            turns = self._turns[turn_chunk == k].reset_index(drop=True)
            mine = self._rejects[rej_chunk == k].reset_index(drop=True)
            n = int(rows.sum())
            if k == 0:  # the rest of the input: rejected interactions and their records
                n_in = self._interactions_in - (len(inter) - n_first)
                t_in = self._turns_in - int((turn_chunk != 0).sum() + (rej_chunk != 0).sum())
            else:
                n_in, t_in = n, len(turns) + len(mine)
            yield Conversations(turns, inter[rows].reset_index(drop=True), mine,
                                interactions_in=n_in, turns_in=t_in)


def case_groups(interactions: pd.DataFrame, chunk_size: int) -> Iterator[np.ndarray]:
    """Rows of ``interactions`` in groups of about ``chunk_size`` that never split a case.

    Cases are taken in order of first appearance and packed greedily; a case
    larger than ``chunk_size`` makes a group of its own, and rows without a
    ``case_id`` count as one case.

    Parameters
    ----------
    interactions
        A table with ``case_id``.
    chunk_size
        Target number of rows per group.

    Yields
    ------
    numpy.ndarray
        One boolean mask over ``interactions`` per group (the rows keep their order).
    """
    if interactions.empty:
        return
    # cases numbered in order of first appearance (rows without a case make one)
    case_order = interactions.groupby("case_id", sort=False, dropna=False).ngroup().to_numpy()
    sizes = np.bincount(case_order)
    group_of_case = np.empty(len(sizes), dtype=np.int64)
    group, count = 0, 0
    for case, size in enumerate(sizes.tolist()):
        if count and count + size > chunk_size:
            group += 1
            count = 0
        group_of_case[case] = group
        count += size
    group_of_row = group_of_case[case_order]
    for g in range(group + 1):
        yield group_of_row == g


def concat_rejects(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate reject frames into one REJECTS table."""
    frames: list[Any] = [p for p in parts if p is not None and len(p)]
    if not frames:
        return conform(pd.DataFrame(columns=list(REJECTS.names)), REJECTS)
    return conform(pd.concat(frames, ignore_index=True), REJECTS)

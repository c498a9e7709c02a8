"""The batch engine's spill: validated chunks of the input, kept between its passes.

The index pass writes each validated chunk's turns and interactions as Arrow IPC
files (written and read back much faster than Parquet, and they never leave the
run) in a spill folder beside the output; workers add each chunk's evidence
beside it, and read a part's rows back from the chunks that hold them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .._ids import member
from .store import writing

__all__ = ["spill", "spill_file", "unspill"]


def spill_file(folder: Path, k: int, table: str) -> Path:
    """Spilled chunk ``k``'s ``turns``, ``interactions`` or ``evidence``."""
    return folder / f"{k:06d}-{table}.arrow"


def spill(frame: pd.DataFrame, target: Path) -> None:
    """Write a spilled table, under a temporary name first."""
    tmp = target.with_name(f".{target.name}.tmp")
    with writing(target.parent):
        frame.reset_index(drop=True).to_feather(tmp)
        os.replace(tmp, target)


def unspill(folder: Path, chunks: Iterable[int], table: str, ids: pd.Series) -> pd.DataFrame:
    """The rows of some interactions in spilled chunks, in input order (each chunk is
    filtered as it is read, so memory holds one chunk and the part's rows)."""
    frames = []
    for k in chunks:
        frame = pd.read_feather(spill_file(folder, k, table))
        frames.append(frame[member(frame["interaction_id"], ids)])
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame.reset_index(drop=True)

"""Imported once by the batch engine's fork server: the heavy imports and the one-time
loads (textstat's pronouncing dictionary) that every worker would otherwise repeat."""

from __future__ import annotations

import textstat

from . import batch as batch  # spaCy, pandas, pyarrow and the engine

# the first reading-ease call loads the CMU pronouncing dictionary (about a second)
textstat.flesch_reading_ease("This sentence loads the pronouncing dictionary once for all.")

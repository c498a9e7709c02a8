"""Rubrics: TOML files mapping measures onto the four principle scores.

A rubric is a list of criteria. Each has a ``principle``, a ``name``, a
``value`` expression over the measures table giving 0..1 (booleans count 0/1),
an optional ``applies`` expression (default: always), a ``weight`` > 0 and a
one-line ``rationale``. A principle's score is 100 x the weighted mean of the
criteria that apply and have a value; NaN when none does. Expressions are
checked at load time (see :mod:`serviceart.expr`).

Examples
--------
>>> r = Rubric.default()
>>> r.name, len(r.criteria) > 10, sorted({c.principle for c in r.criteria})
('default', True, ['follow_through', 'integrity', 'respect', 'service'])
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomllib

from .codebook import PRINCIPLES
from .errors import RubricError
from .expr import ExpressionError, evaluate, names_in, parse
from .schema import CONTRIBUTIONS, SCORES, conform, measures_table

__all__ = ["Criterion", "Rubric"]


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion."""

    principle: str
    name: str
    value: str
    weight: float = 1.0
    applies: str = "True"
    rationale: str = ""


def _known_measures() -> set[str]:
    return set(measures_table().names) - {"interaction_id"}


class Rubric:
    """A validated set of criteria.

    Parameters
    ----------
    criteria
        The criteria, in order.
    name, version, description
        Identification, recorded in ``run_info``.
    source
        Where the rubric came from, for error messages.
    """

    def __init__(self, criteria: list[Criterion], *, name: str = "custom", version: str = "1",
                 description: str = "", source: str = "<rubric>") -> None:
        self.criteria = list(criteria)
        self.name = name
        self.version = version
        self.description = description
        self.source = source
        self._validate()

    # -- construction -------------------------------------------------------------
    @classmethod
    def default(cls) -> Rubric:
        """The rubric shipped with serviceart (``rubrics/default.toml``)."""
        path = resources.files("serviceart") / "rubrics" / "default.toml"
        return cls.from_toml(path.read_text(encoding="utf-8"), source="default.toml")

    @classmethod
    def from_file(cls, path: str | Path) -> Rubric:
        """Read a rubric TOML file.

        Raises
        ------
        RubricError
            When the file is missing, is not TOML, or a criterion is invalid.
        """
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise RubricError(f"cannot read the rubric: {exc.strerror}", source=str(p)) from exc
        return cls.from_toml(text, source=str(p))

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<rubric>") -> Rubric:
        """Parse a rubric from TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RubricError(f"not valid TOML: {exc}", source=source) from exc
        meta = data.get("rubric", {})
        raw = data.get("criteria")
        if not isinstance(raw, list) or not raw:
            raise RubricError("no [[criteria]] tables found", source=source)
        criteria = []
        for i, item in enumerate(raw, 1):
            where = f"criterion {i} ({item.get('name', '?')})" if isinstance(item, dict) else \
                f"criterion {i}"
            if not isinstance(item, dict):
                raise RubricError("each criterion must be a table", source=source, record=where)
            unknown = set(item) - {"principle", "name", "value", "weight", "applies", "rationale"}
            if unknown:
                raise RubricError(f"unknown keys {sorted(unknown)}", source=source, record=where)
            missing = [k for k in ("principle", "name", "value") if k not in item]
            if missing:
                raise RubricError(f"missing keys {missing}", source=source, record=where)
            try:
                weight = float(item.get("weight", 1.0))
            except (TypeError, ValueError):
                raise RubricError("weight must be a number", source=source, record=where,
                                  field="weight") from None
            criteria.append(Criterion(
                principle=str(item["principle"]), name=str(item["name"]),
                value=str(item["value"]), weight=weight,
                applies=str(item.get("applies", "True")),
                rationale=str(item.get("rationale", ""))))
        return cls(criteria, name=str(meta.get("name", "custom")),
                   version=str(meta.get("version", "1")),
                   description=str(meta.get("description", "")), source=source)

    def to_toml(self) -> str:
        """The rubric as TOML text (round-trips through :meth:`from_toml`)."""
        import tomli_w

        doc = {"rubric": {"name": self.name, "version": self.version,
                          "description": self.description},
               "criteria": [asdict(c) for c in self.criteria]}
        return str(tomli_w.dumps(doc))

    def to_file(self, path: str | Path) -> None:
        """Write the rubric as TOML."""
        Path(path).write_text(self.to_toml(), encoding="utf-8")

    # -- checks -------------------------------------------------------------------
    def _validate(self) -> None:
        known = _known_measures()
        seen: set[tuple[str, str]] = set()
        for i, c in enumerate(self.criteria, 1):
            where = f"criterion {i} ({c.name})"
            if c.principle not in PRINCIPLES:
                raise RubricError(f"principle {c.principle!r} is not one of {list(PRINCIPLES)}",
                                  source=self.source, record=where, field="principle")
            if (c.principle, c.name) in seen:
                raise RubricError("duplicate criterion name in its principle",
                                  source=self.source, record=where, field="name")
            seen.add((c.principle, c.name))
            if not (c.weight > 0 and np.isfinite(c.weight)):
                raise RubricError(f"weight must be > 0, got {c.weight}", source=self.source,
                                  record=where, field="weight")
            for fld in ("value", "applies"):
                expr = getattr(c, fld)
                try:
                    unknown = names_in(expr) - known
                except ExpressionError as exc:
                    raise RubricError(str(exc), source=self.source, record=where,
                                      field=fld) from exc
                if unknown:
                    raise RubricError(
                        f"unknown measure(s) {sorted(unknown)} in {expr!r}; measures are "
                        "listed by `serviceart list` and in docs/codebook.md",
                        source=self.source, record=where, field=fld)

    @property
    def hash(self) -> str:
        """A stable hash of the rubric's content (criteria and identification)."""
        payload = json.dumps({"name": self.name, "version": self.version,
                              "criteria": [asdict(c) for c in self.criteria]},
                             sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<Rubric {self.name!r} v{self.version}: {len(self.criteria)} criteria>"

    # -- scoring ------------------------------------------------------------------
    def apply(self, measures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Score a measures table.

        Parameters
        ----------
        measures
            One row per interaction (see :func:`serviceart.schema.measures_table`).

        Returns
        -------
        scores, contributions
            Scores per interaction (0..100 or NaN) and one row per interaction and
            criterion with its value, weight, whether it applied, and the points it
            won and lost towards its principle.
        """
        n = len(measures)
        ids = measures["interaction_id"].to_numpy()
        values, applied = [], []
        for c in self.criteria:
            v = np.clip(evaluate(parse(c.value), measures), 0.0, 1.0)
            a = evaluate(parse(c.applies), measures).astype(bool) & ~np.isnan(v)
            values.append(v)
            applied.append(a)
        scores: dict[str, Any] = {"interaction_id": ids}
        parts = []
        for p in PRINCIPLES:
            idx = [i for i, c in enumerate(self.criteria) if c.principle == p]
            if not idx:
                scores[p] = np.full(n, np.nan)
                continue
            w = np.array([self.criteria[i].weight for i in idx])[:, None]
            v = np.vstack([values[i] for i in idx])
            a = np.vstack([applied[i] for i in idx])
            total_w = (w * a).sum(axis=0)
            won = np.where(a, w * np.nan_to_num(v), 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                scores[p] = np.where(total_w > 0, 100 * won.sum(axis=0) / total_w, np.nan)
                share = np.where(total_w > 0, 100 / total_w, 0.0)
            for k, i in enumerate(idx):
                parts.append(pd.DataFrame({
                    "interaction_id": ids, "principle": p, "criterion": self.criteria[i].name,
                    "value": values[i], "weight": self.criteria[i].weight, "applied": a[k],
                    "points": won[k] * share,
                    "points_lost": np.where(a[k], w[k] * (1 - np.nan_to_num(v[k])), 0.0) * share,
                }))
        frame = pd.DataFrame(scores)
        with np.errstate(invalid="ignore"):
            principle_scores = frame[list(PRINCIPLES)].to_numpy(dtype="float64")
            has = ~np.isnan(principle_scores)
            frame["overall"] = np.where(has.any(axis=1),
                                        np.nansum(principle_scores, axis=1)
                                        / np.maximum(has.sum(axis=1), 1), np.nan)
        contributions = (pd.concat(parts, ignore_index=True) if parts else
                         pd.DataFrame(columns=list(CONTRIBUTIONS.names)))
        return conform(frame, SCORES), conform(contributions, CONTRIBUTIONS)

"""Rubrics: TOML files mapping measures onto the four principle scores.

A rubric is a list of criteria, each with a ``principle``, a ``name``, a
``value`` expression over the measures table (clipped to 0..1; booleans count
0/1), an ``applies`` expression (default: always; a criterion that does not
apply, or whose value is missing, is left out, never failed), a ``kind`` and a
one-line ``rationale``. Expressions are checked at load time (see
:mod:`serviceart.rubric.expr`). Three kinds:

``score`` (default)
    Takes part in the weighted mean with its ``weight`` (> 0).
``bonus``
    Adds ``bonus_points * value`` points on top of the weighted mean, never
    taking the principle past 100 (when several bonuses together would, each
    is scaled down in proportion). A bonus needs a score to add to: when no
    score criterion applies, it does not apply either.
``auto_fail``
    When it applies and its value is > 0 (true), the principle is 0 for that
    interaction, whatever the other criteria say.

For each interaction and principle, with the criteria that apply::

    base  = 100 * sum(weight * value) / sum(weight)          (score criteria)
    score = min(100, base + sum(bonus points awarded))        (NaN when no score
                                                               criterion applies)
    score = 0 when any auto_fail criterion applies with value > 0

``overall`` is the mean of the principle scores that are not NaN. Optional
``[bands]`` turn a score into a named band (``meets``, ``coaching``,
``fails``...): ordered thresholds, for all principles (``all``), one principle,
or ``overall``; a NaN score gets no band. An optional ``[sla]`` table sets reply-time
targets by channel (``chat = "2m"``, ``email = "1d"``, ``default = "10m"``); explicit
run settings replace it, and it replaces the built-in targets (see
:mod:`serviceart.clock.sla`).

Every score can be rebuilt from :meth:`Rubric.apply`'s contributions: one row
per interaction and criterion with ``value``, ``weight`` (0 for bonus and
auto_fail criteria, which are not part of the mean), ``applied``, ``points``
and ``points_lost``. The ``points`` of a principle's rows add up to its score;
a triggered auto-fail row carries the points it wiped out in ``points_lost``.

Examples
--------
>>> r = Rubric.default()
>>> r.name, len(r.criteria) > 10, sorted({c.principle for c in r.criteria})
('default', True, ['follow_through', 'integrity', 'respect', 'service'])
>>> r.band_of("respect", 85.0), r.band_of("respect", 61.0), r.band_of("respect", float("nan"))
('meets', 'coaching', None)
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomllib

from ..clock.sla import format_duration, parse_sla
from ..codebook import PRINCIPLES, SCOPES
from ..errors import RubricError, SchemaError
from ..schema import CONTRIBUTIONS, SCORES, STRING, conform
from .check import (
    _CRITERION_KEYS,
    BAND_KEYS,
    KINDS,
    MAX_TEXT,
    Band,
    Criterion,
    Locator,
    TomlLocator,
    _check_bands,
    _suggest,
    category_names,
    check_criteria,
    dry_run_frame,
    raise_problems,
    short,
    text_problem,
)
from .expr import evaluate, parse

__all__ = ["BAND_KEYS", "KINDS", "Band", "Criterion", "Rubric", "RubricDiff"]

#: Hashes of the rubrics that passed the scoring dry-run in this process (scoring
#: depends on the content only, which the hash covers).
_DRY_RUN_PASSED: set[str] = set()

#: The largest rubric file, in characters.
MAX_RUBRIC_CHARS = 1_000_000


class Rubric:
    """A validated set of criteria, with optional bands.

    Parameters
    ----------
    criteria
        The criteria, in order.
    name, version, description
        Identification, recorded in ``run_info`` (and part of the hash).
    bands
        Band thresholds by key (``all``, a principle or ``overall``): a list of
        :class:`Band` (or ``{name, min}`` mappings) from the highest ``min`` down
        to a band with ``min = 0``.
    source
        Where the rubric came from, for error messages and ``run_info``.
    sla
        Reply-time targets by channel (``default`` for the others): seconds or
        durations such as ``"2m"``. Part of the hash.
    locator
        Says where each criterion came from (line numbers) in error messages.

    Raises
    ------
    RubricError
        Listing every invalid criterion or band, with where it is. The check is
        complete (see :mod:`serviceart.rubric.check`): a rubric that is built
        has been dry-run on test measures and scores any measures table.
    """

    def __init__(self, criteria: Iterable[Criterion], *, name: str = "custom",
                 version: str = "1", description: str = "",
                 bands: Mapping[str, Sequence[Band | Mapping[str, Any]]] | None = None,
                 source: str = "<rubric>", locator: Locator | None = None,
                 sla: Mapping[str, Any] | None = None) -> None:
        self.criteria = list(criteria)
        self.name = name
        self.version = version
        self.description = description
        self.source = source
        where = locator or Locator()
        self.locator = where
        raw = {k: [{"name": b.name, "min": b.min} if isinstance(b, Band) else dict(b)
                   for b in v] for k, v in (bands or {}).items()}
        self.bands, problems = _check_bands(raw, source, where)
        self.sla, sla_problems = _check_sla(sla, source, where)
        problems += sla_problems
        problems += [RubricError(msg, source=source, record="[rubric]", field=key, code="SA-R018")
                     for key in ("name", "version", "description")
                     if (msg := text_problem(getattr(self, key), key, MAX_TEXT))]
        raise_problems(check_criteria(self.criteria, source, where) + problems, source)
        self._dry_run()

    def _dry_run(self) -> None:
        """Score the dry-run frame: the last check that scoring cannot fail."""
        digest = self.hash
        if digest in _DRY_RUN_PASSED:
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                scores, _ = self.apply(dry_run_frame(self.category_measures))
                values = scores[[*PRINCIPLES, "overall"]].to_numpy(dtype="float64")
        except Exception as exc:  # a rubric that cannot score is reported, whatever the cause
            raise RubricError(f"the rubric fails when scoring test measures: "
                              f"{type(exc).__name__}: {exc}", source=self.source,
                              code="SA-R019") from exc
        finite = values[~np.isnan(values)]
        if ((finite < 0) | (finite > 100)).any():
            raise RubricError(f"the rubric gives scores outside 0..100 on test measures: "
                              f"{sorted(set(finite.tolist()))[:5]}", source=self.source,
                              code="SA-R020")
        _DRY_RUN_PASSED.add(digest)

    @property
    def category_measures(self) -> list[str]:
        """The category measures (``category_<name>``) the criteria read, sorted; scoring
        needs categories that define them (:mod:`serviceart.cues.categories`)."""
        return category_names(e for c in self.criteria for e in (c.value, c.applies))

    # -- construction -------------------------------------------------------------
    @classmethod
    def default(cls) -> Rubric:
        """The rubric shipped with serviceart (``rubric/default.toml``)."""
        path = resources.files("serviceart") / "rubric" / "default.toml"
        return cls.from_toml(path.read_text(encoding="utf-8"), source="default.toml")

    @classmethod
    def from_file(cls, path: str | Path) -> Rubric:
        """Read a rubric TOML file.

        Raises
        ------
        RubricError
            When the file is missing, is not TOML, or a criterion is invalid
            (with the line of the criterion or key at fault).
        """
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise RubricError(f"cannot read the rubric: {exc.strerror}", source=str(p),
                              code="SA-R021") from exc
        return cls.from_toml(decode_utf8(data, str(p), "rubric"), source=str(p))

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<rubric>") -> Rubric:
        """Parse a rubric from TOML text (see ``docs/rubric.md`` for the format)."""
        if len(text) > MAX_RUBRIC_CHARS:
            raise RubricError(f"the rubric has {len(text)} characters, more than "
                              f"{MAX_RUBRIC_CHARS}; is this the right file?", source=source,
                              code="SA-R022")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"at line (\d+)", str(exc))
            raise RubricError(f"not valid TOML: {exc}", source=source,
                              record=f"line {m.group(1)}" if m else None, code="SA-R023") from exc
        except RecursionError as exc:
            raise RubricError("not valid TOML: arrays or tables are nested too deeply; a "
                              "rubric nests at most three levels ([bands] lists of tables)",
                              source=source, code="SA-R024") from exc
        where = TomlLocator(text)
        problems: list[RubricError] = []
        unknown_top = set(data) - {"rubric", "criteria", "bands", "sla"}
        if unknown_top:
            problems.append(RubricError(f"unknown top-level keys {sorted(unknown_top)}; a rubric "
                                        "has [rubric], [[criteria]], [bands] and [sla]",
                                        source=source, code="SA-R025"))
        meta = data.get("rubric", {})
        if not isinstance(meta, dict) or set(meta) - {"name", "version", "description"}:
            problems.append(RubricError("[rubric] takes name, version and description",
                                        source=source, record="[rubric]", code="SA-R026"))
            meta = {}
        for key in ("name", "version", "description"):
            value = meta.get(key, "")
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                problems.append(RubricError(f"{key} must be a string, got {short(value)}",
                                            source=source, record="[rubric]", field=key,
                                            code="SA-R027"))
                meta.pop(key)
        raw = data.get("criteria")
        if not isinstance(raw, list) or not raw:
            raise RubricError("no [[criteria]] tables found", source=source, code="SA-R028")
        criteria, positions = [], []
        for i, item in enumerate(raw):
            crit = _criterion_from_mapping(item, i, source, where, problems)
            if crit is not None:
                criteria.append(crit)
                positions.append(i)
        bands, band_problems = _check_bands(data.get("bands") or {}, source, where)
        sla, sla_problems = _check_sla(data.get("sla"), source, where)
        problems += check_criteria(criteria, source, where, positions) + band_problems
        problems += sla_problems
        raise_problems(problems, source)
        return cls(criteria, name=str(meta.get("name", "custom")),
                   version=str(meta.get("version", "1")),
                   description=str(meta.get("description", "")),
                   bands=bands, source=source, locator=where, sla=sla)

    def to_dict(self) -> dict[str, Any]:
        """The rubric as plain data, in the TOML layout (defaults left out)."""
        crits = []
        for c in self.criteria:
            row: dict[str, Any] = {"principle": c.principle, "name": c.name}
            if c.kind != "score":
                row["kind"] = c.kind
            row["value"] = c.value
            if c.applies.strip() != "True":
                row["applies"] = c.applies
            if c.kind == "score":
                row["weight"] = float(c.weight)
            if c.kind == "bonus":
                row["bonus_points"] = float(c.bonus_points)
            row["rationale"] = c.rationale
            crits.append(row)
        out: dict[str, Any] = {"rubric": {"name": self.name, "version": self.version,
                                          "description": self.description}}
        if self.bands:
            out["bands"] = {k: [{"name": b.name, "min": b.min} for b in v]
                            for k, v in self.bands.items()}
        if self.sla:
            out["sla"] = {k: format_duration(v) for k, v in self.sla.items()}
        out["criteria"] = crits
        return out

    def to_toml(self) -> str:
        """The rubric as TOML text (round-trips through :meth:`from_toml`, same hash)."""
        import tomli_w

        return str(tomli_w.dumps(self.to_dict()))

    def to_file(self, path: str | Path) -> None:
        """Write the rubric as TOML."""
        Path(path).write_text(self.to_toml(), encoding="utf-8")

    @classmethod
    def from_csv(cls, path: str | Path, **kwargs: Any) -> Rubric:
        """A rubric from a CSV of criteria (see :func:`serviceart.rubric.importers.from_csv`)."""
        from .importers import from_csv

        return from_csv(path, **kwargs)

    @classmethod
    def from_connect_form(cls, form: str | Path | Mapping[str, Any], **kwargs: Any) -> Rubric:
        """A rubric from an Amazon Connect evaluation form (see
        :func:`serviceart.rubric.importers.from_connect_form`)."""
        from .importers import from_connect_form

        return from_connect_form(form, **kwargs)

    # -- identity -------------------------------------------------------------------
    def _content(self) -> dict[str, Any]:
        content = {"name": self.name, "version": self.version,
                   "description": self.description,
                   "criteria": sorted((c.canonical() for c in self.criteria),
                                      key=lambda d: (d["principle"], d["name"])),
                   "bands": {k: [[b.name, b.min] for b in v]
                             for k, v in sorted(self.bands.items())}}
        if self.sla:  # left out when empty, so rubrics without [sla] keep their hash
            content["sla"] = dict(sorted(self.sla.items()))
        return content

    @property
    def hash(self) -> str:
        """A stable hash of the content: criteria, bands, SLAs, name, version, description.

        Key order, criterion order, TOML layout and spacing inside expressions do
        not change it; any other edit does.
        """
        payload = json.dumps(self._content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rubric) and self.hash == other.hash

    def __hash__(self) -> int:
        return hash(self.hash)

    def __repr__(self) -> str:
        return f"<Rubric {self.name!r} v{self.version}: {len(self.criteria)} criteria>"

    def diff(self, other: Rubric) -> RubricDiff:
        """What changed from this rubric to ``other``.

        Examples
        --------
        >>> a = Rubric.default()
        >>> b = Rubric([*a.criteria[1:], Criterion("respect", "new", "courtesy > 1")],
        ...            name=a.name, version="4", description=a.description, bands=a.bands)
        >>> d = a.diff(b)
        >>> [c.name for c in d.added], [c.name for c in d.removed], d.metadata["version"]
        (['new'], ['no_disrespect'], ('3', '4'))
        """
        mine = {(c.principle, c.name): c for c in self.criteria}
        theirs = {(c.principle, c.name): c for c in other.criteria}
        changed: dict[str, dict[str, tuple[Any, Any]]] = {}
        for key in mine.keys() & theirs.keys():
            a, b = mine[key].canonical(), theirs[key].canonical()
            fields = {f: (a.get(f), b.get(f)) for f in _CRITERION_KEYS if a.get(f) != b.get(f)}
            if fields:
                changed[".".join(key)] = fields
        meta = {f: (getattr(self, f), getattr(other, f)) for f in ("name", "version",
                                                                     "description")
                if getattr(self, f) != getattr(other, f)}
        bands = {k: (self.bands.get(k, ()), other.bands.get(k, ()))
                 for k in sorted(self.bands.keys() | other.bands.keys())
                 if self.bands.get(k, ()) != other.bands.get(k, ())}
        order = [(c.principle, c.name) for c in [*self.criteria, *other.criteria]]
        sla = {k: (self.sla.get(k), other.sla.get(k))
               for k in sorted(self.sla.keys() | other.sla.keys())
               if self.sla.get(k) != other.sla.get(k)}
        return RubricDiff(
            metadata=meta,
            added=tuple(theirs[k] for k in dict.fromkeys(order) if k not in mine),
            removed=tuple(mine[k] for k in dict.fromkeys(order) if k not in theirs),
            changed={k: changed[k] for k in sorted(changed)}, bands=bands, sla=sla)

    # -- bands ----------------------------------------------------------------------
    def bands_for(self, key: str) -> tuple[Band, ...]:
        """The bands of a principle (or ``overall``): its own, else ``all``, else none."""
        return self.bands.get(key, self.bands.get("all", ()))

    def band_of(self, key: str, score: float) -> str | None:
        """The band a score falls in (``None`` for NaN or when there are no bands)."""
        if score is None or not math.isfinite(score):
            return None
        for band in self.bands_for(key):
            if score >= band.min:
                return band.name
        return None

    def assign_bands(self, scores: pd.DataFrame) -> pd.DataFrame:
        """Bands for a scores table: ``interaction_id`` and ``<principle>_band`` columns.

        Columns are ``respect_band`` ... ``follow_through_band``, ``overall_band``
        (nullable strings; missing for NaN scores or when the rubric has no bands).
        """
        out: dict[str, Any] = {"interaction_id": scores["interaction_id"].to_numpy()}
        for key in (*PRINCIPLES, "overall"):
            vals = scores[key].to_numpy(dtype="float64")
            out[f"{key}_band"] = pd.array([self.band_of(key, v) for v in vals], dtype="string")
        return pd.DataFrame(out)

    # -- scoring ------------------------------------------------------------------
    def apply(self, measures: pd.DataFrame, *, scope: pd.DataFrame | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Score a measures table.

        Parameters
        ----------
        measures
            One row per interaction (see :func:`serviceart.schema.measures_table`).
        scope
            The interactions' scope (:func:`serviceart.scope.detect_scope`:
            ``interaction_id``, ``scope``, ``scope_reason``); ``None``: all are
            ``service``. Out-of-scope interactions get NaN for every principle and
            ``overall``, and no criterion applies to them.

        Returns
        -------
        scores, contributions
            Scores per interaction (0..100 or NaN) with their ``scope`` and
            ``scope_reason``, and one row per interaction and criterion with its
            value, weight (0 for bonus and auto_fail criteria), whether it applied,
            and the points it won and lost towards its principle. A principle's
            ``points`` add up to its score.
        """
        n = len(measures)
        ids = measures["interaction_id"].to_numpy()
        kind, why = _scope_of(ids, scope)
        out = kind != "service"
        values, applied = [], []
        columns: dict[str, np.ndarray] = {}  # each measure converted once
        for c in self.criteria:
            with np.errstate(invalid="ignore"):
                v = np.clip(evaluate(parse(c.value), measures, columns=columns), 0.0, 1.0)
            ap = evaluate(parse(c.applies), measures, columns=columns)
            values.append(v)
            applied.append((np.nan_to_num(ap) != 0) & ~np.isnan(ap) & ~np.isnan(v) & ~out)
        scores: dict[str, Any] = {"interaction_id": ids}
        # the contributions table, built column by column: one block of n rows per
        # criterion, in principle order, then criterion order within the principle
        order: list[Criterion] = []
        cols: dict[str, list[np.ndarray]] = {
            "value": [], "applied": [], "points": [], "points_lost": []}
        for p in PRINCIPLES:
            idx = [i for i, c in enumerate(self.criteria) if c.principle == p]
            score, points, lost, app = _principle(
                [self.criteria[i] for i in idx], [values[i] for i in idx],
                [applied[i] for i in idx], n)
            scores[p] = score
            order.extend(self.criteria[i] for i in idx)
            cols["value"].extend(values[i] for i in idx)
            cols["applied"].extend(app)
            cols["points"].extend(points)
            cols["points_lost"].extend(lost)
        frame = pd.DataFrame(scores)
        principle_scores = frame[list(PRINCIPLES)].to_numpy(dtype="float64")
        has = ~np.isnan(principle_scores)
        frame["overall"] = np.where(has.any(axis=1), np.where(has, principle_scores, 0.0).sum(
            axis=1) / np.maximum(has.sum(axis=1), 1), np.nan)
        frame["scope"] = kind
        frame["scope_reason"] = why
        return conform(frame, SCORES), _contributions(ids, order, cols)


def _contributions(ids: np.ndarray, order: list[Criterion],
                   cols: dict[str, list[np.ndarray]]) -> pd.DataFrame:
    """The contributions table: ``n`` rows (one per interaction) for each criterion."""
    if not order:
        return conform(pd.DataFrame(columns=list(CONTRIBUTIONS.names)), CONTRIBUTIONS)
    n, m = len(ids), len(order)

    def each(labels: list[str]) -> Any:  # one label per criterion, repeated n times
        return pd.array(np.repeat(np.array(labels, dtype=object), n), dtype=STRING)

    return pd.DataFrame({
        "interaction_id": pd.array(np.tile(np.asarray(ids, dtype=object), m), dtype=STRING),
        "principle": each([c.principle for c in order]),
        "criterion": each([c.name for c in order]),
        "value": np.concatenate(cols["value"]).astype("float64"),
        "weight": np.repeat(np.array([c.weight if c.kind == "score" else 0.0 for c in order],
                                     dtype="float64"), n),
        "applied": np.concatenate(cols["applied"]).astype(bool),
        "points": np.concatenate(cols["points"]).astype("float64"),
        "points_lost": np.concatenate(cols["points_lost"]).astype("float64"),
    })


def _scope_of(ids: np.ndarray, scope: pd.DataFrame | None) -> tuple[np.ndarray, Any]:
    """Each interaction's scope and reason (``service`` and missing without a table)."""
    kind = np.full(len(ids), "service", dtype=object)
    why = pd.array([pd.NA] * len(ids), dtype="string")
    if scope is None or not len(scope):
        return kind, why
    table = scope.drop_duplicates("interaction_id")
    unknown = sorted(set(table["scope"].astype(str)) - set(SCOPES))
    if unknown:
        raise SchemaError(f"unknown scope values {unknown[:5]}; a scope is one of "
                          f"{list(SCOPES)}", field="scope", code="SA-S006")
    at = pd.Index(table["interaction_id"].astype(str)).get_indexer(
        pd.Index(ids).astype(str))
    hit = at >= 0
    kind[hit] = table["scope"].astype(str).to_numpy()[at[hit]]
    why[hit] = table["scope_reason"].astype("string").to_numpy()[at[hit]]
    return kind, why
def _check_sla(raw: Any, source: str, where: Locator
               ) -> tuple[dict[str, float], list[RubricError]]:
    """A rubric's ``[sla]`` table as seconds by channel, and its problems (one each)."""
    if raw is None:
        return {}, []
    entries: list[tuple[str | None, Any]] = (
        [(str(k), v) for k, v in raw.items()] if isinstance(raw, Mapping) else [(None, raw)])
    out: dict[str, float] = {}
    problems: list[RubricError] = []
    for key, value in entries:
        try:
            if key is None:
                raise ValueError(f"[sla] must be a table of channel = duration, got "
                                 f"{short(value)}")
            parsed = parse_sla({key: value})
        except ValueError as exc:
            problems.append(RubricError(
                f"{exc}; give channel = duration, e.g. chat = \"2m\" or email = \"1d\"",
                source=source, record=where.sla(key), field=key or "sla", code="SA-R061"))
        else:
            if isinstance(parsed, dict):
                out.update(parsed)
    return dict(sorted(out.items())), problems


def decode_utf8(data: bytes, source: str, what: str) -> str:
    """A rubric file's bytes as text (a UTF-8 byte-order mark is dropped).

    Raises
    ------
    RubricError
        When the bytes are not UTF-8, naming the line and the byte at fault.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RubricError(
            f"the {what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8 (e.g. iconv -f latin1 -t utf-8)", source=source,
            record=f"line {line}", code="SA-R029") from exc


def _principle(criteria: list[Criterion], values: list[np.ndarray], applied: list[np.ndarray],
               n: int) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """One principle's score and each criterion's points, points lost and applied flag."""
    zeros = np.zeros(n)
    points = [zeros.copy() for _ in criteria]
    lost = [zeros.copy() for _ in criteria]
    app = [a.copy() for a in applied]
    score_idx = [k for k, c in enumerate(criteria) if c.kind == "score"]
    total_w, won = zeros.copy(), zeros.copy()
    for k in score_idx:
        total_w += np.where(app[k], criteria[k].weight, 0.0)
        won += np.where(app[k], criteria[k].weight * np.nan_to_num(values[k]), 0.0)
    has = total_w > 0
    share = np.where(has, 100 / np.where(has, total_w, 1.0), 0.0)
    base = np.where(has, won * share, np.nan)
    for k in score_idx:
        w = criteria[k].weight
        points[k] = np.where(app[k], w * np.nan_to_num(values[k]), 0.0) * share
        lost[k] = np.where(app[k], w * (1 - np.nan_to_num(values[k])), 0.0) * share
    # bonuses fill the room up to 100, scaled down together when they would overflow
    bonus_idx = [k for k, c in enumerate(criteria) if c.kind == "bonus"]
    raw = zeros.copy()
    for k in bonus_idx:
        app[k] = app[k] & has
        points[k] = np.where(app[k], criteria[k].bonus_points * np.nan_to_num(values[k]), 0.0)
        raw += points[k]
    # the room left below 100 (never negative: rounding can put the base a hair above)
    room = np.where(has, np.maximum(100 - np.nan_to_num(base), 0.0), 0.0)
    # divided only where the bonuses overflow (raw > room >= 0, so raw > 0)
    scale = np.divide(room, raw, out=np.ones_like(raw), where=raw > room)
    for k in bonus_idx:
        points[k] = points[k] * scale
    score = np.where(has, np.minimum(np.nan_to_num(base) + raw * scale, 100.0), np.nan)
    # auto-fail: the principle drops to 0; the triggered rows carry what was wiped out
    fail_idx = [k for k, c in enumerate(criteria) if c.kind == "auto_fail"]
    fired = [app[k] & (np.nan_to_num(values[k]) > 0) for k in fail_idx]
    n_fired = np.sum(fired, axis=0) if fired else zeros
    if fired:
        wiped = np.nan_to_num(score)
        for k, f in zip(fail_idx, fired, strict=True):
            lost[k] = np.where(f, wiped / np.maximum(n_fired, 1), 0.0)
        for k in score_idx + bonus_idx:
            points[k] = np.where(n_fired > 0, 0.0, points[k])
        score = np.where(n_fired > 0, 0.0, score)
    return score, points, lost, app


def _criterion_from_mapping(item: Any, i: int, source: str, where: Locator,
                            problems: list[RubricError]) -> Criterion | None:
    """One ``[[criteria]]`` table as a Criterion; problems are appended, not raised."""
    name = item.get("name", "?") if isinstance(item, dict) else "?"
    name = name if isinstance(name, str) else short(name)

    def bad(message: str, key: str | None = None, *, code: str) -> None:
        problems.append(RubricError(message, source=source, record=where.criterion(i, name, key),
                                    field=key, code=code))

    if not isinstance(item, dict):
        bad("each criterion must be a table", code="SA-R030")
        return None
    unknown = set(item) - set(_CRITERION_KEYS)
    if unknown:
        hint = "".join(_suggest(u, _CRITERION_KEYS) for u in sorted(unknown))
        bad(f"unknown keys {sorted(unknown)}{hint}; a criterion takes {list(_CRITERION_KEYS)}",
            sorted(unknown)[0], code="SA-R031")
    missing = [k for k in ("principle", "name", "value") if k not in item]
    if missing:
        bad(f"missing keys {missing}", code="SA-R032")
        return None
    kind = item.get("kind", "score")
    kind = kind if isinstance(kind, str) else short(kind)
    if kind != "score" and "weight" in item:
        article = "an" if kind[:1] in "aeiou" else "a"
        bad(f"{article} {kind} criterion is not part of the weighted mean and takes no weight"
            + ("; give bonus_points instead" if kind == "bonus" else ""), "weight", code="SA-R033")
    if kind != "bonus" and "bonus_points" in item:
        bad("bonus_points is for kind = \"bonus\" criteria only", "bonus_points", code="SA-R034")
    if kind == "bonus" and "bonus_points" not in item:
        bad("a bonus criterion needs bonus_points (the points its full value adds)",
            "bonus_points", code="SA-R035")
    numbers: dict[str, float] = {}
    for key, default in (("weight", 1.0), ("bonus_points", 0.0)):
        val = item.get(key, default)
        if isinstance(val, bool) or not isinstance(val, int | float):
            bad(f"{key} must be a number, got {short(val)}", key, code="SA-R036")
            return None
        try:
            numbers[key] = float(val)
        except OverflowError:
            bad(f"{key} {short(val)} is too large", key, code="SA-R037")
            return None
    for key in ("principle", "name", "value", "applies", "rationale", "kind"):
        if key in item and not isinstance(item[key], str):
            bad(f"{key} must be a string, got {short(item[key])}", key, code="SA-R038")
            return None
    return Criterion(principle=item["principle"], name=item["name"], value=item["value"],
                     weight=numbers["weight"], applies=item.get("applies", "True"),
                     rationale=item.get("rationale", ""), kind=kind,
                     bonus_points=numbers["bonus_points"])


@dataclass(frozen=True)
class RubricDiff:
    """What changed between two rubrics (:meth:`Rubric.diff`).

    Attributes
    ----------
    metadata
        ``{field: (old, new)}`` for name, version and description.
    added, removed
        Criteria only in the new, or only in the old rubric (matched by
        principle and name).
    changed
        ``{"principle.name": {field: (old, new)}}``; expressions compared in
        normal form.
    bands
        ``{key: (old bands, new bands)}``.
    sla
        ``{channel: (old seconds, new seconds)}``; ``None`` where a rubric sets none.
    """

    metadata: dict[str, tuple[str, str]] = field(default_factory=dict)
    added: tuple[Criterion, ...] = ()
    removed: tuple[Criterion, ...] = ()
    changed: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    bands: dict[str, tuple[tuple[Band, ...], tuple[Band, ...]]] = field(default_factory=dict)
    sla: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.metadata or self.added or self.removed or self.changed or self.bands
                    or self.sla)

    def __str__(self) -> str:
        if not self:
            return "no changes"
        lines = [f"{f}: {a!r} -> {b!r}" for f, (a, b) in self.metadata.items()]
        lines += [f"+ {c.principle}.{c.name} ({c.kind}): {c.value}" for c in self.added]
        lines += [f"- {c.principle}.{c.name} ({c.kind}): {c.value}" for c in self.removed]
        for key, fields in self.changed.items():
            lines.append(f"~ {key}")
            lines += [f"    {f}: {a!r} -> {b!r}" for f, (a, b) in fields.items()]

        def show(bands: tuple[Band, ...]) -> str:
            return ", ".join(f"{b.name} >= {b.min:g}" for b in bands) or "none"

        lines += [f"bands.{k}: {show(a)} -> {show(b)}" for k, (a, b) in self.bands.items()]
        lines += [f"sla.{k}: {'none' if a is None else format_duration(a)} -> "
                  f"{'none' if b is None else format_duration(b)}"
                  for k, (a, b) in self.sla.items()]
        return "\n".join(lines)


def with_weights(rubric: Rubric, weights: Mapping[tuple[str, str] | str, float],
                 **meta: Any) -> Rubric:
    """A copy of ``rubric`` with some score criteria re-weighted.

    ``weights`` is keyed by ``(principle, name)`` or by ``name`` when the name is
    unique; ``meta`` overrides name, version or description.

    Examples
    --------
    >>> r = with_weights(Rubric.default(), {"greeting": 4}, version="3b")
    >>> [c.weight for c in r.criteria if c.name == "greeting"], r.version
    ([4.0], '3b')
    """
    def new(c: Criterion) -> Criterion:
        w = weights.get((c.principle, c.name), weights.get(c.name))
        return c if w is None else replace(c, weight=float(w))

    info: dict[str, Any] = {"name": rubric.name, "version": rubric.version,
                            "description": rubric.description, **meta}
    return Rubric([new(c) for c in rubric.criteria], bands=rubric.bands, source=rubric.source,
                  sla=rubric.sla, **info)


class _Labels(Locator):
    """Criteria located by one label each (a CSV line, a JSON path)."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)

    def criterion(self, index: int, name: str, key: str | None = None) -> str:
        return self.labels[index] if index < len(self.labels) else super().criterion(index, name,
                                                                                     key)


def _rubric_from_rows(rows: Sequence[tuple[Criterion, str]], problems: Sequence[RubricError],
                      *, source: str, **kwargs: Any) -> Rubric:
    """A rubric from located criteria (importers): every problem raised at once."""
    where = _Labels([label for _, label in rows])
    criteria = [c for c, _ in rows]
    raise_problems([*problems, *check_criteria(criteria, source, where)], source)
    return Rubric(criteria, locator=where, source=source, **kwargs)


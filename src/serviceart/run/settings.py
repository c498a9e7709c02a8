"""Every setting of a scoring run, in one frozen, picklable object.

:func:`serviceart.score`, the ``serviceart score`` command, the batch engine and
:mod:`serviceart.dask` all build one :class:`ScoreSettings` and read settings from
it alone. It is validated once, when it is built: every problem is reported
together in one :class:`~serviceart.errors.ConfigError` naming the option (the
keyword and the command-line flag), before any input is read. ``run_info``
records it whole (:meth:`ScoreSettings.to_dict`) and
:meth:`ScoreSettings.from_run_info` rebuilds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from ..clock.calendar import BusinessCalendar
from ..clock.sla import parse_duration, parse_sla, resolve_sla
from ..errors import ConfigError, ServiceartError
from ..rubric.core import Rubric
from ..scorers import SCORERS, Scorer, default_scorers

__all__ = ["OPTION_FLAGS", "ScoreSettings"]

#: The command-line flag of each setting (``serviceart score``), for error messages.
OPTION_FLAGS: dict[str, str] = {
    "rubric": "--rubric", "sla_s": "--sla", "sla": "--sla", "tz": "--tz", "calendar": "--calendar",
    "as_of": "--as-of", "promise_horizons": "--horizon", "case_window": "--case-window",
    "link_by_customer": "--link-by-customer/--exported-cases-only",
    "chunk_size": "--chunk-size", "jobs": "--jobs", "recycle_after": "--recycle-after",
    "scope_filter": "--keep-non-service", "redact": "--redact/--redact-types",
    "categories": "--categories",
}

#: Settings that decide how the work is spread, not what it gives: runs that differ
#: only in these give equal tables.
DISTRIBUTION = ("jobs", "recycle_after", "batch_size")


def _default_horizons() -> tuple[tuple[str, pd.Timedelta | None], ...]:
    from ..cases.ledger import DEFAULT_HORIZONS

    return tuple(sorted(DEFAULT_HORIZONS.items()))


@dataclass(frozen=True)
class ScoreSettings:
    """The settings of one scoring run (frozen; every engine reads only this).

    Values may be given in their everyday forms (``"7D"``, ``"2026-03-31"``, a TOML
    path for the calendar or the rubric); they are converted and checked when the
    object is built.

    Parameters
    ----------
    rubric
        A :class:`~serviceart.Rubric`, a rubric TOML path, or ``None`` for the default.
    sla_s
        Reply-time target in seconds for every channel (``replies_over_sla``);
        positive. Kept for older calls and run records; ``sla`` is the general form.
    sla
        Reply-time targets: seconds or a duration (``"10m"``) for every channel, or a
        mapping of channel to either (``{"chat": "2m", "social": "1h", "email":
        "1d"}``), where ``default`` covers the channels not named. Given channels
        replace the rubric's ``[sla]``, which replaces the built-in targets
        (:data:`serviceart.clock.sla.DEFAULT_SLA`); ``sla_s`` applies before ``sla``.
        Once built, ``sla`` holds the whole table that applies, by channel, and
        ``sla_s`` its ``default``.
    tz
        IANA time zone in which due times such as "tomorrow" are resolved.
    calendar
        Business hours (a :class:`~serviceart.BusinessCalendar`, a TOML path or a
        mapping), or ``None``.
    as_of
        The end of the data: promises due later are ``open``. ``None``: the latest
        turn or start time in the input (the run plan fixes it).
    promise_horizons
        Due time by channel for promises that state none; given channels replace the
        defaults (:data:`serviceart.cases.ledger.DEFAULT_HORIZONS`), ``None`` as a
        value means no horizon for that channel.
    case_window
        Contacts of one customer at most this far apart are one case; the same window
        defines ``repeat_contact``.
    link_by_customer
        ``False`` keeps only the export's own case ids.
    chunk_size
        Interactions per part (whole cases are never split).
    jobs
        Worker processes.
    recycle_after
        Tasks a batch worker runs before it is replaced.
    batch_size
        Texts per spaCy batch.
    patterns_dir
        A folder of cue pattern files replacing the shipped ones, or ``None``.
    scorers
        Scorer instances (their parameters are part of the settings); every
        registered scorer by default.
    scope_filter
        Recognise non-service threads (banter, praise, marketing) and give them no
        agent scores (:mod:`serviceart.scope`); ``False`` scores them as service.
        Interactions where no agent spoke are out of scope either way.
    redact
        Personal data to replace in every table that leaves the engine (turns,
        evidence, promises, reasons, interaction text): ``True`` for every entity
        type, a list of them (``["card", "email", "name"]``), or ``False``; see
        :mod:`serviceart.redact`. Cues and scores are found before, so they do not
        change. Once built: the tuple of entity types (empty: off).
    categories
        A QA lead's categories (:class:`~serviceart.cues.categories.Categories` or a
        TOML path), or ``None``. Each adds evidence rows and, unless it extends a
        cue, the measure ``category_<name>``; a rubric naming a ``category_`` measure
        needs the categories that define it.

    Raises
    ------
    ConfigError
        Listing every bad setting, each with its keyword and command-line flag.

    Examples
    --------
    >>> s = ScoreSettings(sla_s=300, case_window="48h", as_of="2026-03-31")
    >>> s.case_window, s.as_of
    (Timedelta('2 days 00:00:00'), Timestamp('2026-03-31 00:00:00+0000', tz='UTC'))
    >>> ScoreSettings.from_dict(s.to_dict()) == s
    True
    >>> s = ScoreSettings(sla={"chat": "2m", "email": "1d"})
    >>> s.sla_by_channel["chat"], s.sla_by_channel["email"], s.sla_s
    (120.0, 86400.0, 600.0)
    """

    rubric: Any = None
    sla_s: Any = None
    sla: Any = None
    tz: Any = "UTC"
    calendar: Any = None
    as_of: Any = None
    promise_horizons: Any = None
    case_window: Any = "7D"
    link_by_customer: bool = True
    chunk_size: int = 1000
    jobs: int = 1
    recycle_after: int = 100
    batch_size: int = 256
    patterns_dir: Any = None
    scorers: Any = field(default=None)
    scope_filter: bool = True
    redact: Any = ()
    categories: Any = None

    def __post_init__(self) -> None:
        problems: list[tuple[str, str, ServiceartError | None]] = []
        for f in fields(self):
            try:
                value = _CONVERT[f.name](getattr(self, f.name))
            except _Bad as exc:
                problems.append((f.name, str(exc), None))
            except ServiceartError as exc:  # a rubric or calendar file's own error
                where = ", ".join(f"{label} {value}" for label, value in (
                    ("file", exc.source), ("record", exc.record), ("field", exc.field))
                    if value is not None)
                problems.append((f.name, f"{where}: {exc.message}" if where else exc.message,
                                 exc))
            else:
                object.__setattr__(self, f.name, value)
        if not problems:
            self._resolve_sla()
            _check_category_measures(self.rubric, self.categories)
            return
        lines = [f"{_option(name)}: {why}" for name, why, _ in problems]
        name, _, first = problems[0]
        if len(problems) == 1 and first is not None:  # one error of a rubric or calendar
            # file: raised as its own class, with its own code
            raise type(first)(f"{_option(name)}: {first.message}", code=first.code,
                              source=first.source, record=first.record,
                              field=first.field) from first
        raise ConfigError(("bad setting: " if len(lines) == 1 else
                           f"{len(lines)} bad settings: ") + "; ".join(lines),
                          field=", ".join(name for name, _, _ in problems), code="SA-C088")

    def _resolve_sla(self) -> None:
        """Replace the given SLAs by the table that applies (see :mod:`serviceart.clock.sla`):
        built-in targets, then the rubric's ``[sla]``, then ``sla_s``, then ``sla``."""
        table = resolve_sla(self.rubric.sla or None, self.sla_s, self.sla)
        object.__setattr__(self, "sla", tuple(table.items()))
        object.__setattr__(self, "sla_s", table["default"])

    @classmethod
    def resolve(cls, settings: ScoreSettings | None, **options: Any) -> ScoreSettings:
        """``settings``, or settings built from the separate setting keywords an engine
        was called with (``None`` values mean "the default").

        Raises
        ------
        ConfigError
            When both ``settings`` and separate settings are given, or a setting is bad.
        """
        given = {k: v for k, v in options.items() if v is not None}
        if settings is None:
            return cls(**given)
        if given:
            raise ConfigError(f"give settings= or separate settings, not both (also given: "
                              f"{', '.join(sorted(given))})", field="settings",
                              code="SA-C089")
        return settings

    # -- views ----------------------------------------------------------------------
    @property
    def sla_by_channel(self) -> dict[str, float]:
        """Reply-time targets in seconds by channel; ``default`` covers the others."""
        return dict(self.sla)

    @property
    def horizons(self) -> dict[str, pd.Timedelta | None]:
        """Promise horizons by channel (defaults replaced by the given ones)."""
        return dict(self.promise_horizons)

    def with_as_of(self, as_of: pd.Timestamp | None) -> ScoreSettings:
        """These settings with the end of the data fixed (the run plan's ``as_of``)."""
        return self if as_of is None or self.as_of is not None else replace(self, as_of=as_of)

    def to_dict(self) -> dict[str, Any]:
        """Every setting as JSON values (what ``run_info["settings"]`` records).

        The rubric is recorded by name, version, hash and source; its text is the
        run folder's ``rubric.toml``.
        """
        rub: Rubric = self.rubric
        cal: BusinessCalendar | None = self.calendar
        return {
            "rubric": {"name": rub.name, "version": rub.version, "hash": rub.hash,
                       "source": rub.source},
            "sla_s": self.sla_s,
            "sla": self.sla_by_channel,
            "tz": self.tz,
            "calendar": None if cal is None else cal.to_dict(),
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "promise_horizons": {k: None if v is None else str(v)
                                 for k, v in self.promise_horizons},
            "case_window": str(self.case_window),
            "link_by_customer": self.link_by_customer,
            "chunk_size": self.chunk_size,
            "jobs": self.jobs,
            "recycle_after": self.recycle_after,
            "batch_size": self.batch_size,
            "patterns_dir": self.patterns_dir,
            "scorers": [{"name": s.name, "params": _json_params(s)} for s in self.scorers],
            "scope_filter": self.scope_filter,
            "redact": list(self.redact),
            "categories": None if self.categories is None else self.categories.to_dict(),
        }

    def outcome_dict(self) -> dict[str, Any]:
        """:meth:`to_dict` without the settings that only spread the work (``jobs``...)
        and without where the rubric and the categories were read from: two runs with
        the same outcome settings give equal tables."""
        out = {k: v for k, v in self.to_dict().items() if k not in DISTRIBUTION}
        out["rubric"] = {k: v for k, v in out["rubric"].items() if k != "source"}
        if out["categories"]:
            out["categories"] = {k: v for k, v in out["categories"].items() if k != "source"}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, rubric: Rubric | None = None,
                  categories: Any = None) -> ScoreSettings:
        """Rebuild settings from :meth:`to_dict`.

        Parameters
        ----------
        data
            A ``run_info["settings"]`` mapping.
        rubric
            The run's rubric (from its folder's ``rubric.toml``); when ``None`` the
            recorded hash must be the default rubric's.
        categories
            The run's categories (from its folder's ``categories.toml``), needed
            when it recorded some.

        Raises
        ------
        ConfigError
            When the rubric is not given and the recorded one is not the default, or
            a recorded setting is not valid.
        """
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        recorded = values.pop("rubric", None) or {}
        if rubric is None:
            rubric = Rubric.default()
            if recorded.get("hash") not in (None, rubric.hash):
                raise ConfigError(
                    f"the run used the rubric {recorded.get('name')!r} (hash "
                    f"{recorded.get('hash')}), not the default; pass it as rubric=",
                    field="rubric", code="SA-C090")
        elif recorded.get("hash") not in (None, rubric.hash):
            raise ConfigError(f"the rubric given (hash {rubric.hash}) is not the one the run "
                              f"used (hash {recorded.get('hash')})", field="rubric",
                              code="SA-C091")
        values["scorers"] = [_scorer_from(item) for item in values.get("scorers") or []] or None
        values["categories"] = _recorded_categories(values.get("categories"), categories)
        return cls(rubric=rubric, **values)

    @classmethod
    def from_run_info(cls, run_info: Mapping[str, Any], *, rubric: Rubric | None = None,
                      folder: str | Path | None = None) -> ScoreSettings:
        """The settings a run recorded in its ``run_info``.

        Parameters
        ----------
        run_info
            ``Result.run_info`` or a run folder's ``run.json``.
        rubric
            The run's rubric; else read from ``folder``'s ``rubric.toml`` when given,
            else the default rubric (which must be the one recorded).
        folder
            The run folder.
        """
        categories = None
        if folder is not None:
            from ..cues.categories import read_categories
            from .folder import read_rubric

            if rubric is None:
                rubric = read_rubric(Path(folder), dict(run_info))
            categories = read_categories(Path(folder), dict(run_info))
        return cls.from_dict(run_info.get("settings") or {}, rubric=rubric,
                             categories=categories)


def _option(name: str) -> str:
    """A setting's keyword and, when it has one, its command-line flag."""
    return f"{name} ({OPTION_FLAGS[name]})" if name in OPTION_FLAGS else name


class _Bad(ValueError):
    """A setting that cannot be used (the message says why)."""


def _rubric(value: Any) -> Rubric:
    if value is None:
        return Rubric.default()
    if isinstance(value, Rubric):
        return value
    if isinstance(value, (str, Path)):
        return Rubric.from_file(value)
    raise _Bad(f"give a Rubric or a TOML path, not {type(value).__name__}")


def _seconds(value: Any) -> float | None:
    """``sla_s``: a positive number of seconds (or a duration) for every channel."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise _Bad(str(exc)) from None


def _sla(value: Any) -> float | dict[str, float] | None:
    """``sla``: seconds or a duration for every channel, or a mapping by channel."""
    if value is None:
        return None
    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        value = dict(value)  # the table of settings already built
    try:
        return parse_sla(value)
    except ValueError as exc:
        raise _Bad(str(exc)) from None


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Bad(f"{value!r} must be a whole number >= 1")
    return value


def _tz(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = value if isinstance(value, str) else str(getattr(value, "key", value))
    if not isinstance(value, (str, tzinfo)):
        raise _Bad(f"{value!r} is not a time zone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Bad(f"unknown time zone {name!r}; use an IANA name such as "
                   "'Europe/London' or 'UTC'") from None
    return name


def _calendar(value: Any) -> BusinessCalendar | None:
    if value is None or isinstance(value, BusinessCalendar):
        return value
    if isinstance(value, Mapping):
        return BusinessCalendar.from_dict(value)
    if isinstance(value, (str, Path)):
        return BusinessCalendar.from_toml(value)
    raise _Bad(f"give a BusinessCalendar, a TOML path or a mapping, not "
               f"{type(value).__name__}")


def _timestamp(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise _Bad(f"{value!r} is not a date and time (e.g. 2026-03-31 or "
                   "2026-03-31T18:00Z)") from None
    if pd.isna(ts):
        raise _Bad(f"{value!r} is not a date and time")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _window(value: Any) -> pd.Timedelta:
    from ..cases.linking import parse_window

    try:
        return parse_window(value)
    except ConfigError as exc:
        raise _Bad(exc.message) from None


def _horizons(value: Any) -> tuple[tuple[str, pd.Timedelta | None], ...]:
    from ..cases.linking import parse_window

    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        value = dict(value)
    if value is None:
        return _default_horizons()
    if not isinstance(value, Mapping):
        raise _Bad("give a mapping of channel to duration, e.g. {'email': '2D'}")
    out: dict[str, pd.Timedelta | None] = dict(_default_horizons())
    bad: list[str] = []
    for channel, raw in value.items():
        if raw is None:
            out[str(channel)] = None
            continue
        try:
            out[str(channel)] = parse_window(raw)
        except ConfigError:
            bad.append(f"{channel}={raw!r}")
    if bad:
        raise _Bad(f"not durations: {', '.join(bad)} (use e.g. '2D' or '36h')")
    return tuple(sorted(out.items()))


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"{value!r} must be True or False")
    return value


def _folder(value: Any) -> str | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise _Bad(f"{str(path)!r} is not a folder of pattern files")
    return str(path)


def _scorers(value: Any) -> tuple[Scorer, ...]:
    if value is None:
        return tuple(default_scorers())
    if isinstance(value, Scorer) or not isinstance(value, Sequence):
        raise _Bad("give a list of Scorer instances")
    out = []
    for s in value:
        if isinstance(s, str):
            s = SCORERS.get(s)()
        if not isinstance(s, Scorer):
            raise _Bad(f"{s!r} is not a Scorer")
        out.append(s)
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise _Bad(f"a scorer is given twice: {sorted(n for n in names if names.count(n) > 1)}")
    return tuple(out)


def _redact(value: Any) -> tuple[str, ...]:
    from ..redact import entity_types

    try:
        return entity_types(value)
    except ConfigError as exc:
        raise _Bad(exc.message.removeprefix("redact: ")) from None


def _categories(value: Any) -> Any:
    """``categories``: a :class:`~serviceart.cues.categories.Categories`, a TOML path or
    ``None``."""
    if value is None:  # before the import: ``cues`` imports spaCy, which the batch
        return None    # engine's parent process does not need
    from ..cues.categories import Categories, load_categories

    if isinstance(value, Categories):
        return value
    if isinstance(value, (str, Path)):
        return load_categories(value)
    raise _Bad(f"give Categories or a TOML path, not {type(value).__name__}")


def _check_category_measures(rubric: Rubric, categories: Any) -> None:
    """Every ``category_`` measure the rubric names is defined by the categories, else a
    :class:`~serviceart.errors.RubricError` at the rubric's line, with a suggestion."""
    if not rubric.category_measures:  # nothing to check: no need to import ``cues``
        return
    from ..cues.categories import category_measure_problems

    category_measure_problems(rubric, categories)


def _recorded_categories(recorded: Any, given: Any) -> Any:
    """The categories of a recorded run: ``given``, checked against the recorded hash."""
    if not recorded:
        return None
    if given is None:
        raise ConfigError(f"the run used categories (hash {recorded.get('hash')}, from "
                          f"{recorded.get('source')}); pass them as categories=",
                          field="categories", code="SA-C265")
    got = _categories(given)
    if got.hash != recorded.get("hash"):
        raise ConfigError(f"the categories given (hash {got.hash}) are not the ones the run "
                          f"used (hash {recorded.get('hash')})", field="categories",
                          code="SA-C266")
    return got


def _json_params(scorer: Scorer) -> dict[str, Any]:
    """A scorer's parameters as JSON values (others recorded by their repr)."""
    out: dict[str, Any] = {}
    for k, v in scorer.get_params().items():
        out[k] = v if isinstance(v, (str, int, float, bool, type(None))) else repr(v)
    return out


def _scorer_from(item: Mapping[str, Any]) -> Scorer:
    cls = SCORERS.get(str(item.get("name")))
    return cls(**dict(item.get("params") or {}))


_CONVERT: dict[str, Any] = {
    "rubric": _rubric, "sla_s": _seconds, "sla": _sla, "tz": _tz, "calendar": _calendar,
    "as_of": _timestamp, "promise_horizons": _horizons, "case_window": _window,
    "link_by_customer": _bool, "chunk_size": _count, "jobs": _count,
    "recycle_after": _count, "batch_size": _count, "patterns_dir": _folder,
    "scorers": _scorers, "scope_filter": _bool, "redact": _redact,
    "categories": _categories,
}

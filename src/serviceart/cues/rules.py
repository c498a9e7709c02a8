"""Loading and checking the cue pattern files and the post-processing rules.

Pattern files live in ``patterns/<principle>.jsonl``. Each line is one JSON
object, spaCy ``SpanRuler`` style:

- ``{"label": "courtesy", "pattern": "thank you"}``: a literal phrase, matched
  on token norms (spaCy ``PhraseMatcher(attr="NORM")``), so case and
  contractions do not matter ("i will" matches "I'll");
- ``{"label": "promise", "pattern": [{"LOWER": "i"}, ...], "id": "..."}``: a token
  pattern (spaCy ``Matcher``), used only for structure. One whose tokens only
  test literal norms with bounded repeats is run as the phrase family it lists;
  the others run only on documents holding their literal norms (see
  :mod:`serviceart.cues.matching`);
- ``"suppress": true`` turns either kind into a suppressor: spans of that label
  overlapping its match are removed ("may I" is not a ``hedge``).

Lines that are empty or hold only ``{"comment": "..."}`` are skipped. Every
label must be a codebook cue. ``rules.json`` holds negation and precedence
rules (which cue wins when two meet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..codebook import CUES, PRINCIPLES
from ..errors import ConfigError

__all__ = ["PatternSet", "Precedence", "load_patterns"]

_SCOPES = ("overlap", "sentence", "before", "turn")


@dataclass(frozen=True)
class Precedence:
    """Drop cue ``drop`` when one of ``when`` is found in ``scope``.

    ``overlap``: the spans overlap; ``sentence``: same sentence; ``before``: a
    ``when`` cue starts earlier in the same turn (or in the same sentence);
    ``turn``: anywhere in the turn.
    """

    drop: str
    when: tuple[str, ...]
    scope: str


@dataclass
class PatternSet:
    """Phrase patterns, token patterns and rules, validated."""

    phrases: list[tuple[str, str, bool]] = field(default_factory=list)
    tokens: list[tuple[str, list[dict[str, Any]], bool, str]] = field(default_factory=list)
    negators: frozenset[str] = frozenset()
    negation_window: int = 3
    negatable: frozenset[str] = frozenset()
    #: negator -> the words after which it opens a set phrase, not a negation
    negation_idioms: dict[str, frozenset[str]] = field(default_factory=dict)
    precedence: tuple[Precedence, ...] = ()
    norms: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> set[str]:
        """Labels that have at least one positive pattern."""
        return {p[0] for p in self.phrases if not p[2]} | {t[0] for t in self.tokens if not t[2]}


def _pattern_dir() -> Path:
    return Path(str(resources.files("serviceart.cues") / "patterns"))


def _parse_line(path: Path, lineno: int, line: str, out: PatternSet) -> None:
    where = f"{path.name}:{lineno}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON ({exc.msg}); fix the line", source=str(path),
                          record=f"line {lineno}", code="SA-C044") from exc
    if not isinstance(obj, dict):
        raise ConfigError("each line must be a JSON object", source=str(path),
                          record=f"line {lineno}", code="SA-C045")
    if set(obj) == {"comment"}:
        return
    label = obj.get("label")
    if label not in CUES:
        raise ConfigError(f"label {label!r} is not a codebook cue; use one of {sorted(CUES)}",
                          source=str(path), record=f"line {lineno}", field="label", code="SA-C046")
    unknown = set(obj) - {"label", "pattern", "id", "suppress", "comment"}
    if unknown:
        raise ConfigError(f"unknown keys {sorted(unknown)}", source=str(path),
                          record=f"line {lineno}", code="SA-C047")
    suppress = bool(obj.get("suppress", False))
    pattern = obj.get("pattern")
    if isinstance(pattern, str) and pattern.strip():
        out.phrases.append((label, pattern, suppress))
    elif isinstance(pattern, list) and pattern and all(isinstance(t, dict) for t in pattern):
        pid = f"{obj['id']} ({where})" if "id" in obj else where
        out.tokens.append((label, pattern, suppress, pid))
    else:
        raise ConfigError("pattern must be a non-empty string or a list of token objects",
                          source=str(path), record=f"line {lineno}", field="pattern",
                          code="SA-C048")


def load_patterns(directory: str | Path | None = None) -> PatternSet:
    """Read and validate the pattern files and ``rules.json``.

    Parameters
    ----------
    directory
        A folder with ``<principle>.jsonl`` files (and optionally ``rules.json``);
        the shipped patterns when omitted.

    Returns
    -------
    PatternSet

    Raises
    ------
    ConfigError
        Naming the file and line of the first malformed pattern.

    Examples
    --------
    >>> ps = load_patterns()
    >>> sorted(ps.labels) == sorted(CUES)
    True
    """
    folder = Path(directory) if directory is not None else _pattern_dir()
    out = PatternSet()
    files = [folder / f"{p}.jsonl" for p in PRINCIPLES]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise ConfigError(f"pattern files {missing} not found in {folder}", source=str(folder),
                          code="SA-C049")
    for path in files:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    _parse_line(path, lineno, line, out)
    rules_path = folder / "rules.json"
    if not rules_path.exists():
        rules_path = folder.parent / "rules.json"
    _load_rules(rules_path, out)
    return out


def _load_rules(path: Path, out: PatternSet) -> None:
    try:
        rules = json.loads(path.read_text(encoding="utf-8"))
        neg = rules["negation"]
        out.negators = frozenset(str(w).lower() for w in neg["negators"])
        out.negation_window = int(neg["window"])
        out.negatable = frozenset(neg["labels"])
        out.negation_idioms = {str(k).lower(): frozenset(str(w).lower() for w in v)
                               for k, v in dict(neg.get("idioms", {})).items()}
        out.norms = dict(rules.get("norms", {}))
        out.precedence = tuple(
            Precedence(r["drop"], tuple(r["when"]), r["scope"]) for r in rules["precedence"]
        )
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"cannot read the cue rules: {exc}", source=str(path),
                          code="SA-C050") from exc
    names = set(out.negatable)
    for r in out.precedence:
        names |= {r.drop, *r.when}
        if r.scope not in _SCOPES:
            raise ConfigError(f"precedence scope {r.scope!r} is not one of {list(_SCOPES)}",
                              source=str(path), code="SA-C051")
    unknown = names - set(CUES)
    if unknown:
        raise ConfigError(f"rules name unknown cues {sorted(unknown)}", source=str(path),
                          code="SA-C052")

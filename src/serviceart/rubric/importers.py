"""Rubrics from the scorecards people already have.

- :func:`from_csv`: a plain CSV of criteria, one per row, with columns
  ``principle,name,value,weight,applies,kind,rationale`` (and optionally
  ``bonus_points``); errors name the CSV line.
- :func:`from_connect_form`: an Amazon Connect evaluation form (the JSON of
  ``CreateEvaluationForm`` / ``DescribeEvaluationForm``: sections, questions,
  single-select and numeric options with scores and automatic fails, question
  or section weights, points-based scoring, score thresholds). A form asks a
  human; serviceart needs an expression over the measures for each question,
  given by ``questions={"RefId or title": expression}``.

Examples
--------
>>> r = from_csv("tests/fixtures/rubrics/criteria.csv")
>>> r.name, len(r.criteria), r.criteria[0].name
('criteria', 7, 'listening')
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..codebook import PRINCIPLES
from ..errors import RubricError
from .core import KINDS, Criterion, Rubric, _rubric_from_rows, decode_utf8

__all__ = ["UnmappedQuestionWarning", "from_connect_form", "from_csv"]

CSV_COLUMNS = ("principle", "name", "value", "weight", "applies", "kind", "rationale",
               "bonus_points")


class UnmappedQuestionWarning(UserWarning):
    """Questions of an imported form were skipped (``skip_unmapped=True``)."""


# -- CSV ---------------------------------------------------------------------------
def from_csv(path: str | Path, *, name: str | None = None, version: str = "1",
             description: str = "") -> Rubric:
    """A rubric from a CSV of criteria.

    Parameters
    ----------
    path
        A CSV file with a header: ``principle``, ``name`` and ``value`` are
        required; ``weight`` (score criteria, default 1; the bonus points for a
        ``bonus`` row when there is no ``bonus_points`` column), ``applies``
        (default always), ``kind`` (``score``, ``bonus``, ``auto_fail``),
        ``rationale`` and ``bonus_points`` are optional.
    name, version, description
        The rubric's identification (``name`` defaults to the file's stem).

    Raises
    ------
    RubricError
        Every bad row, with its line number.
    """
    p = Path(path)
    try:
        text = decode_utf8(p.read_bytes(), str(p), "criteria CSV")
    except OSError as exc:
        raise RubricError(f"cannot read the criteria CSV: {exc.strerror}",
                          source=str(p), code="SA-R001") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("principle", "name", "value") if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        raise RubricError(
            (f"missing columns {missing}; " if missing else "")
            + (f"unknown columns {unknown}; " if unknown else "")
            + f"a criteria CSV has columns {list(CSV_COLUMNS)} (principle, name, value required)",
            source=str(p), record="line 1", code="SA-R002")
    reader.fieldnames = header
    rows: list[tuple[Criterion, str]] = []
    problems: list[RubricError] = []
    start = 2
    # DictReader reads a row before line_num tells where it ended: a row starts one
    # line after the previous row ended
    for raw in reader:
        line, start = start, reader.line_num + 1
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        label = f"line {line} (criterion {row.get('name', '')!r})"
        crit = _csv_row(row, label, str(p), problems)
        if crit is not None:
            rows.append((crit, label))
    return _rubric_from_rows(rows, problems, name=name or p.stem, version=version,
                             description=description, source=str(p))


def _csv_row(row: dict[str, str], label: str, source: str,
             problems: list[RubricError]) -> Criterion | None:
    kind = row.get("kind") or "score"
    if kind not in KINDS:
        problems.append(RubricError(f"unknown kind {kind!r}; use one of {list(KINDS)}",
                                    source=source, record=label, field="kind", code="SA-R003"))
        return None
    numbers: dict[str, float] = {}
    for col in ("weight", "bonus_points"):
        val = row.get(col, "")
        if not val:
            continue
        try:
            numbers[col] = float(val)
        except ValueError:
            problems.append(RubricError(f"{col} must be a number, got {val!r}", source=source,
                                        record=label, field=col, code="SA-R004"))
            return None
    if kind == "auto_fail" and "weight" in numbers:
        problems.append(RubricError("an auto_fail criterion takes no weight", source=source,
                                    record=label, field="weight", code="SA-R005"))
        return None
    bonus = numbers.get("bonus_points", numbers.get("weight", 0.0) if kind == "bonus" else 0.0)
    return Criterion(principle=row["principle"], name=row["name"], value=row["value"],
                     weight=numbers.get("weight", 1.0) if kind == "score" else 1.0,
                     applies=row.get("applies") or "True", rationale=row.get("rationale", ""),
                     kind=kind, bonus_points=bonus)


# -- Amazon Connect evaluation forms ---------------------------------------------------
def _pascal(obj: Any) -> Any:
    """Keys in PascalCase (CloudFormation/CDK exports use camelCase)."""
    if isinstance(obj, dict):
        return {(k[:1].upper() + k[1:] if isinstance(k, str) else k): _pascal(v)
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_pascal(v) for v in obj]
    return obj


def _slug(text: str, limit: int = 40) -> str:
    words = [w for w in re.split(r"[^0-9a-z]+", text.lower()) if w]
    out = ""
    for w in words:
        if out and len(out) + 1 + len(w) > limit:
            break
        out = f"{out}_{w}" if out else w[:limit]
    return out or "q"


def _principle_of(title: str, ref: str, principles: Mapping[str, str]) -> str | None:
    for key in (ref, title):
        if key in principles:
            return principles[key]
    slug = _slug(title)
    return slug if slug in PRINCIPLES else None


def _number(x: Any) -> str:
    return f"{float(x):g}"


def from_connect_form(form: str | Path | Mapping[str, Any], *,
                      questions: Mapping[str, str | Mapping[str, str]],
                      principles: Mapping[str, str] | None = None,
                      skip_unmapped: bool = False, name: str | None = None,
                      version: str | None = None) -> Rubric:
    """A rubric from an Amazon Connect evaluation form.

    Parameters
    ----------
    form
        The form as JSON (a path or the parsed mapping): the body of
        ``CreateEvaluationForm`` (``Title``, ``Items``, ``ScoringStrategy``) or
        the ``DescribeEvaluationForm`` response (under ``EvaluationForm``).
        camelCase keys (CloudFormation, CDK) are accepted too.
    questions
        For each scored question, by ``RefId`` or ``Title``:

        - a **numeric** question: an expression giving the answer (e.g.
          ``"hold_s / 60"``); the option ranges give its score, an
          ``AutomaticFail`` range an ``auto_fail`` criterion.
        - a **single-select** question: either one expression that is true when
          the answer is the best-scoring option (false: the worst; a value in
          0..1 gives that share of the best score; an ``AutomaticFail`` on the
          worst option fails when it is false), or a mapping
          ``{option Text or RefId: condition}``, taken in the form's order, the
          first true one giving the score; one option may be left out, as the
          answer when no condition holds.
        - a mapping ``{"value": ..., "applies": ...}`` to add when the question
          applies (forms with ``NotApplicableEnabled``).
    principles
        Section ``Title`` or ``RefId`` -> principle. Sections titled after a
        principle ("Respect", "Follow-through") need no entry; nested sections
        inherit their parent's principle.
    skip_unmapped
        Leave out questions without an expression (with an
        :class:`UnmappedQuestionWarning` naming them) instead of raising.
    name, version
        Default to the form's ``Title`` and ``Version``.

    Returns
    -------
    Rubric
        One criterion per scored question: weight from the question's
        ``Weight`` (``QUESTION_ONLY``), the section's weight shared among its
        questions (``SECTION_ONLY``) or the question's maximum points
        (``POINTS_BASED``; bonus questions become ``bonus`` criteria); option
        scores give the value, ``AutomaticFail`` options ``auto_fail``
        criteria, the form's ``ScoreThresholds`` the bands.

    Raises
    ------
    RubricError
        Listing every unmapped question (unless ``skip_unmapped``), unmapped
        section and invalid expression, each with its JSON path.
    """
    source = "<connect form>"
    loaded: Any = form
    if not isinstance(form, Mapping):
        source = str(form)
        try:
            loaded = json.loads(decode_utf8(Path(form).read_bytes(), source, "form"))
        except OSError as exc:
            raise RubricError(f"cannot read the form: {exc.strerror}", source=source,
                              code="SA-R006") from exc
        except json.JSONDecodeError as exc:
            raise RubricError(f"the form is not JSON: {exc.msg}", source=source,
                              record=f"line {exc.lineno}", code="SA-R007") from exc
        except RecursionError as exc:
            raise RubricError("the form's JSON is nested too deeply to be an evaluation form",
                              source=source, code="SA-R008") from exc
    if not isinstance(loaded, Mapping):
        raise RubricError("not an Amazon Connect evaluation form: not a JSON object",
                          source=source, code="SA-R009")
    try:
        return _form_rubric(loaded, source, questions, principles, skip_unmapped, name,
                            version)
    except RecursionError as exc:
        raise RubricError("the form is nested too deeply to be an evaluation form",
                          source=source, code="SA-R010") from exc
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
        # a field of the wrong type somewhere in the form (a list where a table belongs,
        # text where a number belongs)
        raise RubricError(f"the form has a field of the wrong type or value ({exc}); compare "
                          "it with the layout of DescribeEvaluationForm", source=source,
                          code="SA-R011") from exc


def _form_rubric(loaded: Mapping[str, Any], source: str,
                 questions: Mapping[str, str | Mapping[str, str]],
                 principles: Mapping[str, str] | None, skip_unmapped: bool, name: str | None,
                 version: str | None) -> Rubric:
    """The rubric of a parsed form (:func:`from_connect_form`)."""
    data: dict[str, Any] = _pascal(dict(loaded))
    for wrapper in ("EvaluationForm", "EvaluationFormContent"):
        if isinstance(data.get(wrapper), dict):
            data = data[wrapper]
    if not isinstance(data.get("Items"), list):
        raise RubricError("not an Amazon Connect evaluation form: no Items list", source=source,
                          code="SA-R012")
    strategy = data.get("ScoringStrategy") or {}
    mode = str(strategy.get("Mode", "QUESTION_ONLY"))
    builder = _FormBuilder(questions, principles or {}, mode, source)
    builder.walk(data["Items"], "Items", None, None)
    if builder.unmapped and not skip_unmapped:
        builder.problems.append(RubricError(
            "no expression for these questions (give questions={RefId or title: expression}, "
            "or skip_unmapped=True):\n" + "\n".join(f"  {u}" for u in builder.unmapped),
            source=source, code="SA-R013"))
    elif builder.unmapped:
        warnings.warn("skipped questions without an expression: "
                      + "; ".join(builder.unmapped), UnmappedQuestionWarning, stacklevel=3)
    unused = set(questions) - builder.used
    if unused:
        builder.problems.append(RubricError(
            f"questions= names no question of the form: {sorted(unused)}", source=source,
            code="SA-R014"))
    rows = builder.rows()
    if not rows and not builder.problems:
        raise RubricError("no scored question of the form could be mapped", source=source,
                          code="SA-R015")
    thresholds = strategy.get("ScoreThresholds") or data.get("ScoreThresholds") or []
    bands = _bands(thresholds)
    return _rubric_from_rows(rows, builder.problems,
                             name=name or _slug(str(data.get("Title", "connect_form"))),
                             version=str(version or data.get("EvaluationFormVersion",
                                                             data.get("Version", "1"))),
                             description=str(data.get("Description", data.get("Title", ""))),
                             bands={"all": bands} if bands else None, source=source)


def _bands(thresholds: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"name": str(t.get("PerformanceCategory", "band")).lower(),
         "min": float(t.get("MinScorePercentage", 0))} for t in thresholds if isinstance(t, dict)]
    out.sort(key=lambda b: -float(b["min"]))
    if out:
        out[-1]["min"] = 0.0
    return out


class _FormBuilder:
    """Walks a form's sections and questions, collecting criteria and problems."""

    def __init__(self, questions: Mapping[str, Any], principles: Mapping[str, str], mode: str,
                 source: str) -> None:
        self.questions = questions
        self.principles = principles
        self.mode = mode
        self.source = source
        self.problems: list[RubricError] = []
        self.unmapped: list[str] = []
        self.used: set[str] = set()
        self.found: list[dict[str, Any]] = []

    def walk(self, items: list[Any], path: str, principle: str | None,
             section: dict[str, Any] | None) -> None:
        for k, item in enumerate(items):
            at = f"{path}[{k}]"
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("Section"), dict):
                sec = item["Section"]
                title, ref = str(sec.get("Title", "")), str(sec.get("RefId", ""))
                mapped = _principle_of(title, ref, self.principles) or principle
                if mapped is None and _has_questions(sec):
                    self.problems.append(RubricError(
                        f"section {title!r} maps to no principle; give principles={{{title!r}: "
                        f"one of {list(PRINCIPLES)}}}", source=self.source,
                        record=f"{at}.Section", code="SA-R016"))
                self.walk(sec.get("Items") or [], f"{at}.Section.Items", mapped, sec)
            elif isinstance(item.get("Question"), dict):
                self.question(item["Question"], f"{at}.Question", principle, section or {})

    def question(self, q: dict[str, Any], at: str, principle: str | None,
                 section: dict[str, Any]) -> None:
        qtype = str(q.get("QuestionType", "TEXT"))
        scoring = q.get("ScoringConfiguration") or {}
        if qtype not in ("SINGLESELECT", "NUMERIC") or scoring.get("IsExcludedFromScoring"):
            return  # text, date and excluded questions carry no score
        title, ref = str(q.get("Title", "")), str(q.get("RefId", ""))
        key = ref if ref in self.questions else title if title in self.questions else None
        label = f"{at} (question {ref or title!r})"
        if key is not None:
            self.used.add(key)
        if principle is None:
            return  # its section maps to no principle: reported once, for the section
        if key is None:
            self.unmapped.append(f"{ref or '?'}: {title!r} ({label})")
            return
        spec = self.questions[key]
        applies = "True"
        if isinstance(spec, Mapping) and "value" in spec:
            applies = str(spec.get("applies", "True"))
            spec = spec["value"]
        props = (q.get("QuestionTypeProperties") or {}).get(
            "SingleSelect" if qtype == "SINGLESELECT" else "Numeric") or {}
        options = [o for o in props.get("Options") or [] if isinstance(o, dict)]
        try:
            if qtype == "NUMERIC":
                value, fails = _numeric(str(spec), options, props)
            else:
                value, fails = _single_select(spec, options)
        except ValueError as exc:
            self.problems.append(RubricError(str(exc), source=self.source, record=label,
                                             code="SA-R017"))
            return
        self.found.append({"principle": principle, "title": title, "ref": ref, "label": label,
                           "value": value, "fails": fails, "applies": applies,
                           "weight": q.get("Weight"), "section": section,
                           "points": _max_points(options, scoring),
                           "bonus": bool((scoring.get("PointsConfiguration") or {}).get(
                               "IsBonus")),
                           "instructions": str(q.get("Instructions", ""))})

    def rows(self) -> list[tuple[Criterion, str]]:
        out: list[tuple[Criterion, str]] = []
        names: set[tuple[str, str]] = set()
        per_section: dict[int, list[float]] = {}
        for f in self.found:
            per_section.setdefault(id(f["section"]), []).append(
                1.0 if f["weight"] is None else float(f["weight"]))
        totals: dict[str, float] = {}
        for f in self.found:
            if not f["bonus"]:
                totals[f["principle"]] = totals.get(f["principle"], 0.0) + float(f["points"] or 0)
        for f in self.found:
            name = _slug(f["title"] or f["ref"])
            while (f["principle"], name) in names:
                name += "_"
            names.add((f["principle"], name))
            rationale = (f["title"] + (f" ({f['instructions']})" if f["instructions"] else ""))
            weight = self._weight(f, per_section[id(f["section"])])
            if weight is None:
                continue  # weight 0: the form does not count it
            kind, bonus = "score", 0.0
            if f["bonus"]:
                # bonus points count against the principle's maximum points, as in Connect
                total = totals.get(f["principle"], 0.0)
                share = 100 * float(f["points"] or 0) / total if total > 0 else 0.0
                kind, bonus = "bonus", min(100.0, share) if share > 0 else 1.0
            out.append((Criterion(f["principle"], name, f["value"], weight=weight,
                                  applies=f["applies"], rationale=rationale, kind=kind,
                                  bonus_points=bonus), f["label"]))
            for k, cond in enumerate(f["fails"]):
                fname = f"{name}_auto_fail" + (f"_{k + 1}" if len(f["fails"]) > 1 else "")
                names.add((f["principle"], fname))
                out.append((Criterion(f["principle"], fname, cond, applies=f["applies"],
                                      rationale=f"Automatic fail: {f['title']}",
                                      kind="auto_fail"), f["label"]))
        return out

    def _weight(self, f: dict[str, Any], in_section: list[float]) -> float | None:
        if self.mode == "POINTS_BASED":
            w = f["points"]
        elif self.mode == "SECTION_ONLY":
            # the section's weight, shared by its questions as their own weights say
            sw, own = f["section"].get("Weight"), 1.0 if f["weight"] is None else f["weight"]
            total = sum(in_section)
            w = None if sw is None or total <= 0 else float(sw) * float(own) / total
        else:
            w = f["weight"]
        if w is None:
            return 1.0
        w = float(w)
        return w if w > 0 and math.isfinite(w) else None


def _has_questions(section: dict[str, Any]) -> bool:
    return any(isinstance(i, dict) and isinstance(i.get("Question"), dict)
               for i in section.get("Items") or [])


def _option_score(o: dict[str, Any]) -> float:
    pts = o.get("PointsConfiguration") or {}
    if "PointValue" in pts:
        return float(pts["PointValue"])
    return float(o.get("Score", 0) or 0)


def _max_points(options: list[dict[str, Any]], scoring: dict[str, Any]) -> float | None:
    cfg = scoring.get("PointsConfiguration") or {}
    if "MaxPointValue" in cfg:
        return float(cfg["MaxPointValue"])
    pts = [float(o["PointsConfiguration"]["PointValue"]) for o in options
           if "PointValue" in (o.get("PointsConfiguration") or {})]
    return max(pts) if pts else None


def _numeric(answer: str, options: list[dict[str, Any]],
             props: dict[str, Any]) -> tuple[str, list[str]]:
    """Value and auto-fail expressions for a numeric question answered by ``answer``."""
    if not options:
        lo, hi = float(props.get("MinValue", 0)), float(props.get("MaxValue", 1))
        if hi <= lo:
            raise ValueError(f"MaxValue {hi:g} must be above MinValue {lo:g}")
        return f"clip(({answer} - {lo:g}) / {hi - lo:g}, 0, 1)", []
    best = max(_option_score(o) for o in options)
    if best <= 0:
        raise ValueError("no option of this numeric question has a score above 0")
    ranked = sorted(options, key=lambda o: float(o.get("MinValue", 0)))
    x = f"({answer})"
    value = _number(_option_score(ranked[0]) / best)
    for o in ranked[1:]:
        value = f"where({x} >= {_number(o.get('MinValue', 0))}, " \
                f"{_number(_option_score(o) / best)}, {value})"
    fails = []
    for k, o in enumerate(ranked):
        if o.get("AutomaticFail"):
            cond = [f"{x} >= {_number(o.get('MinValue', 0))}"] if k else []
            if k + 1 < len(ranked):
                cond.append(f"{x} < {_number(ranked[k + 1].get('MinValue', 0))}")
            fails.append(" & ".join(f"({c})" for c in cond) or f"notna{x}")
    return value, fails


def _single_select(spec: str | Mapping[str, str],
                   options: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Value and auto-fail expressions for a single-select question."""
    if not options:
        raise ValueError("a single-select question without options cannot be scored")
    best = max(_option_score(o) for o in options)
    if best <= 0:
        raise ValueError("no option of this question has a score above 0")
    if isinstance(spec, str):
        worst = min(options, key=_option_score)
        fails = []
        for o in options:
            if o.get("AutomaticFail"):
                if o is not worst:
                    raise ValueError(
                        f"option {o.get('Text')!r} fails automatically but is not the worst "
                        "answer: map the question's options to conditions "
                        "({option: condition}) instead of one expression")
                fails.append(f"({spec}) <= 0")
        lo = _option_score(worst) / best
        value = spec if lo == 0 else f"{_number(lo)} + {_number(1 - lo)} * ({spec})"
        return value, fails
    by_key = {}
    for o in options:
        for key in (o.get("RefId"), o.get("Text")):
            if key is not None:
                by_key[str(key)] = o
    unknown = [k for k in spec if k not in by_key]
    if unknown:
        raise ValueError(f"no option {unknown} in this question; options are "
                         f"{[o.get('Text') for o in options]}")
    conds = [(by_key[k], c) for k, c in spec.items()]
    conds.sort(key=lambda oc: options.index(oc[0]))
    rest = [o for o in options if all(o is not oc[0] for oc in conds)]
    if len(rest) > 1:
        raise ValueError(f"options {[o.get('Text') for o in rest]} have no condition; leave at "
                         "most one option without a condition (the answer when none holds)")
    fallback = rest[0] if rest else None
    value = "0 / 0" if fallback is None else _number(_option_score(fallback) / best)
    for o, c in reversed(conds):
        value = f"where({c}, {_number(_option_score(o) / best)}, {value})"
    fails = []
    for k, (o, c) in enumerate(conds):
        if o.get("AutomaticFail"):
            before = [f"~({p})" for _, p in conds[:k]]
            fails.append(" & ".join([*before, f"({c})"]))
    if fallback is not None and fallback.get("AutomaticFail"):
        fails.append(" & ".join(f"~({c})" for _, c in conds))
    return value, fails

"""Text from the data, a rubric or an imported form is text everywhere it is shown.

Every payload of :data:`serviceart.testing.markup.PAYLOADS` (script tags, event
handlers, ``</style>``, ``javascript:`` URLs, rich markup such as ``[/bold]``) is
put in every field that reaches a page or the terminal: interaction, agent,
team, customer and speaker ids, transcript text, band names, criterion names
and rationale, the rubric's name and description, and the labels of an
imported Amazon Connect form. The scorecard (:meth:`Explanation.to_html`), the
report (:func:`write_report`) and the CLI (``score --show``, ``validate``) must
show them escaped: no raw payload, no script, handler or ``javascript:`` URL,
no extra ``<style>``; the CLI prints them literally and does not crash.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import html
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app
from serviceart.rubric.core import Rubric
from serviceart.rubric.importers import from_connect_form
from serviceart.testing.markup import PAYLOADS, payloads, raw_payloads, unsafe_html
from serviceart.views.explain import explain
from serviceart.views.report import write_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
FORM = ROOT / "tests" / "fixtures" / "rubrics" / "connect_form.json"
runner = CliRunner()

#: Payloads that change markup when left raw (the others read the same escaped).
MARKUP = [p for p in PAYLOADS if p != html.escape(p)]


def payload_calls(path: Path) -> Path:
    """The first sample call once per payload, the payload in every text field."""
    with (SAMPLES / "calls.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["interaction_id"] == "call-0001"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for k, p in enumerate(PAYLOADS):
            iid = f"p{k:02d} {p}"
            for r in rows:
                speaker = p if r["role"] == "agent" else r["speaker"]
                w.writerow({**r, "interaction_id": iid, "case_id": iid, "customer_id": p,
                            "agent_id": p, "team": p, "segment": p, "speaker": speaker,
                            "text": f"{r['text']} {p}"})
    return path


def payload_rubric() -> Rubric:
    """The default rubric with payloads for its name, description, bands, criterion names
    and rationale."""
    data = Rubric.default().to_dict()
    data["rubric"].update(name=PAYLOADS[3], description=PAYLOADS[1])
    data["bands"] = {"all": [{"name": PAYLOADS[0], "min": 80}, {"name": PAYLOADS[12], "min": 60},
                             {"name": PAYLOADS[1], "min": 0}],
                     "respect": [{"name": PAYLOADS[4], "min": 50}, {"name": PAYLOADS[7], "min": 0}]}
    for k, crit in enumerate(data["criteria"]):
        crit["name"] = f"{PAYLOADS[k % len(PAYLOADS)]} {k}"
        crit["rationale"] = PAYLOADS[(k + 5) % len(PAYLOADS)]
    import tomli_w

    return Rubric.from_toml(tomli_w.dumps(data), source=PAYLOADS[5])


def payload_form() -> Rubric:
    """The Connect fixture form with payloads for its title, description, section and
    question titles, instructions, option texts and performance categories."""
    form = json.loads(FORM.read_text(encoding="utf-8"))
    body = form["EvaluationForm"]
    body["Title"], body["Description"] = PAYLOADS[0], PAYLOADS[2]
    questions: dict[str, Any] = {}
    k = 0
    for section in body["Items"]:
        sec = section["Section"]
        sec["Title"] = PAYLOADS[k % len(PAYLOADS)]
        for item in sec["Items"]:
            q = item["Question"]
            k += 1
            q["Title"], q["Instructions"] = PAYLOADS[k % len(PAYLOADS)], PAYLOADS[-k]
            props = (q.get("QuestionTypeProperties") or {}).get("SingleSelect") or {}
            for n, option in enumerate(props.get("Options") or []):
                option["Text"] = f"{PAYLOADS[(k + n) % len(PAYLOADS)]} {n}"
            if q["QuestionType"] == "NUMERIC":
                questions[q["RefId"]] = "hold_s / 60"
            elif q["QuestionType"] == "SINGLESELECT":
                questions[q["RefId"]] = "courtesy > 0"
    body["ScoringStrategy"]["ScoreThresholds"] = [
        {"PerformanceCategory": PAYLOADS[0], "MinScorePercentage": 80},
        {"PerformanceCategory": PAYLOADS[1], "MinScorePercentage": 50},
        {"PerformanceCategory": PAYLOADS[13], "MinScorePercentage": 0}]
    return from_connect_form(form, questions=questions, principles={
        "s_open": "respect", "s_service": "service", "s_resolution": "follow_through"})


@functools.cache
def conversations() -> sa.Conversations:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="sa-markup-"))
    return sa.read(payload_calls(folder / "payloads.csv"))


@functools.cache
def default_result() -> sa.Result:
    return sa.score(conversations())


def assert_only_escaped(page: str, *, styles: int) -> None:
    assert raw_payloads(page) == []
    assert unsafe_html(page, styles=styles) == []


def test_the_payload_calls_are_read_whole(tmp_path):
    conv = sa.read(payload_calls(tmp_path / "p.csv"))
    ids = set(conv.interactions["interaction_id"].astype(str))
    assert ids == {f"p{k:02d} {p}" for k, p in enumerate(PAYLOADS)}
    assert conv.rejects.empty


@pytest.mark.slow
@pytest.mark.parametrize("make", [payload_rubric, payload_form, Rubric.default],
                         ids=["toml rubric", "connect form", "default rubric"])
def test_scorecards_and_report_show_every_payload_escaped(make, tmp_path):
    rubric = make()
    res = sa.score(conversations(), rubric=rubric)
    assert len(res.scores) == len(PAYLOADS)
    band_names = {b.name for bands in rubric.bands.values() for b in bands}
    seen_bands: set[str] = set()
    tried = 0
    for iid in res.scores["interaction_id"].astype(str):
        ex = explain(res, iid, rubric=rubric)
        seen_bands |= {b for b in ex.bands.values() if b}
        for page, styles in ((ex.to_html(), 1), (ex.to_html(standalone=True), 1),
                             (ex.to_html(css=False), 0)):
            assert_only_escaped(page, styles=styles)
            assert html.escape(iid) in page
            tried += 1
        page = ex.to_html()
        for crit in ex.contributions["criterion"].astype(str):
            assert html.escape(crit) in page
        for band in {b for b in ex.bands.values() if b}:
            assert f">{html.escape(band)}</span>" in page
    assert tried == 3 * len(PAYLOADS)
    assert seen_bands and seen_bands <= band_names
    run = res.to_parquet(tmp_path / "run")
    report = write_report(run, tmp_path / "report.html", worst=len(PAYLOADS), n_boot=50)
    page = report.read_text(encoding="utf-8")
    assert_only_escaped(page, styles=1)
    assert page.count('class="sa-card"') == len(PAYLOADS)
    for p in MARKUP:
        assert html.escape(p) in page  # the ids, agents and transcripts, escaped
    if make is not Rubric.default:
        assert html.escape(rubric.name) in page or rubric.name in page


def test_connect_form_labels_are_kept_as_text_not_markup():
    rubric = payload_form()
    bands = [b.name for b in rubric.bands["all"]]
    assert bands == [PAYLOADS[0].lower(), PAYLOADS[1].lower(), PAYLOADS[13].lower()]
    assert any(PAYLOADS[1] in c.rationale for c in rubric.criteria)
    assert all(c.name.replace("_", "").isalnum() for c in rubric.criteria)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(band=payloads(), name=payloads(), rationale=payloads())
def test_any_payload_in_a_band_or_criterion_is_escaped(band, name, rationale):
    rubric = Rubric([sa.Criterion("respect", name, "courtesy > 0", rationale=rationale),
                     sa.Criterion("service", "s", "1")],
                    bands={"all": [{"name": band, "min": 0}]}, name=name, description=rationale)
    base = default_result()
    scores, contributions = rubric.apply(base.measures)
    res = dataclasses.replace(base, scores=scores, contributions=contributions, run_info={
        **base.run_info, "rubric": {"name": rubric.name, "version": "1", "hash": rubric.hash}})
    iid = str(scores["interaction_id"].iloc[0])
    ex = explain(res, iid, rubric=rubric)
    assert ex.bands["service"] == band
    page = ex.to_html()
    assert_only_escaped(page, styles=1)
    assert raw_payloads(page, [band, name]) == []
    assert f">{html.escape(band)}</span>" in page and html.escape(name) in page


# -- the terminal -----------------------------------------------------------------------
def test_cli_score_show_prints_payloads_literally(tmp_path):
    csv_path = payload_calls(tmp_path / "in.csv")
    result = runner.invoke(app, ["score", str(csv_path), "-o", str(tmp_path / "run"),
                                 "--show", str(len(PAYLOADS)), "--jobs", "1"],
                           env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert result.exception is None
    for p in ("[/bold]", "[red]red[/red]", "[bold red]alarm[/]", "[/]", PAYLOADS[0]):
        assert p in result.output


def test_cli_validate_prints_payloads_in_rejects_literally(tmp_path):
    path = payload_calls(tmp_path / "in.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = next(ln for ln in lines[1:] if ",agent," in ln).replace(",agent,", ",[/bold],", 1)
    path.write_text("\n".join([*lines, bad]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)], env={"COLUMNS": "400"})
    assert result.exit_code in (0, 1), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception,
                                                                     SystemExit)
    assert f"{len(PAYLOADS)} interactions" in result.output


def test_cli_prints_a_rubric_error_with_markup_in_it_literally(tmp_path):
    rubric = tmp_path / "r.toml"
    rubric.write_text('[[criteria]]\nprinciple = "respect"\nname = "[/bold][red]x"\n'
                      'value = "[red] > 0"\n', encoding="utf-8")
    result = runner.invoke(app, ["score", str(SAMPLES / "calls.csv"), "-o",
                                 str(tmp_path / "run"), "-r", str(rubric), "--jobs", "1"],
                           env={"COLUMNS": "400"})
    assert result.exit_code == 2
    assert "[/bold][red]x" in result.output and "[SA-R058]" in result.output

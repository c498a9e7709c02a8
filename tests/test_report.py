"""The batch HTML report: self-contained, valid, every section, from both kinds of run folder.

Validation: the report is parsed with :class:`html.parser.HTMLParser` (the
standard library's HTML5 tokenizer) by :class:`Checker`, which requires every
non-void element we emit to be closed in order, ids to be unique, and no
resource to come from elsewhere (``src``/``href`` attributes only local
anchors, no ``url(`` or ``@import`` in CSS, no ``<script>``).
"""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app
from serviceart.run.batch import run_batch
from serviceart.views.report import render_report, write_report

from .test_scorecard import HOSTILE_ID, SCRIPT, hostile_folder

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SECTIONS = ("summary", "distributions", "agents", "worst", "cues", "rejects")


class Checker(HTMLParser):
    """Balanced tags, unique ids, nothing loaded from elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.count: dict[str, int] = {}
        self.classes: list[str] = []
        self.doctype = False
        self._in_style = False
        self.css = ""

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        self.ids += [v for k, v in attrs if k == "id"]
        self.classes += [v for k, v in attrs if k == "class" and v]
        for k, v in attrs:
            if (k in ("src", "href", "xlink:href", "action", "srcset", "poster", "data")
                    and not (v or "").startswith("#")):
                self.problems.append(f"<{tag} {k}={v!r}> is not a local anchor")
            if k.startswith("on"):
                self.problems.append(f"<{tag}> has an event handler {k}")
            if k == "style" and ("url(" in (v or "") or "@import" in (v or "")):
                self.problems.append(f"<{tag}> style loads {v!r}")
        if tag == "script":
            self.problems.append("a <script> element")
        if tag not in VOID:
            self.stack.append(tag)
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):  # <line .../> in SVG
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.css += data


def check(page: str) -> Checker:
    c = Checker()
    c.feed(page)
    c.close()
    assert c.doctype
    assert c.problems == []
    assert c.stack == [], f"unclosed: {c.stack}"
    assert len(c.ids) == len(set(c.ids)), "repeated ids"
    assert "url(" not in c.css and "@import" not in c.css
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page)
    return c


@pytest.fixture(scope="module")
def run_dir(sample_result, tmp_path_factory) -> Path:
    return sample_result.to_parquet(tmp_path_factory.mktemp("report") / "run")


@pytest.fixture(scope="module")
def page(run_dir, tmp_path_factory) -> str:
    out = write_report(run_dir, tmp_path_factory.mktemp("out") / "sub" / "report.html",
                       worst=4, n_boot=200)
    return out.read_text(encoding="utf-8")


def test_report_is_valid_and_self_contained(page):
    c = check(page)
    assert c.count["style"] == 1 and "http" not in page  # the samples hold no URL either
    for key in SECTIONS:
        assert f'<section class="sa-section" id="{key}">' in page
    assert c.count["svg"] == 5 and c.classes.count("sa-hist") == 5


def test_summary_from_run_info(page, sample_result):
    summary = page[page.index('id="summary"'):page.index('id="distributions"')]
    assert "<td>interactions in</td><td>13</td>" in summary
    assert "<td>rejected</td><td>0</td>" in summary
    info = sample_result.run_info
    assert f"default v3 ({info['rubric']['hash']}, default.toml)" in summary
    assert f"{info['words_per_second']:,.0f}" in summary
    assert "<td>call</td><td class=sa-num>8</td>" in summary
    tally = sample_result.bands["overall_band"].value_counts()
    line = ", ".join(f"{band} {tally.get(band, 0)}" for band in ("meets", "coaching", "fails"))
    assert line in summary


def test_distributions_count_every_score(page, sample_result):
    svg = page[page.index('id="hist-respect"'):]
    svg = svg[:svg.index("</svg>")]
    counts = [int(n) for n in re.findall(r"<title>\d+-\d+: (\d+)</title>", svg)]
    assert len(counts) == 10 and sum(counts) == sample_result.scores["respect"].notna().sum()
    assert "coaching &#8805; 60" in svg and "meets &#8805; 80" in svg


def test_agent_table_with_intervals(page, sample_result):
    agents = page[page.index('id="agents"'):page.index('id="worst"')]
    for agent in sample_result.interactions["agent_id"].unique():
        assert f"<td>{agent}</td>" in agents
    assert agents.count("&ndash;") >= 5 * 11  # an interval per agent and score
    assert "not ranked: n=1 is under min_n=30" in agents


def test_agents_ranked_when_enough(sample_result):
    page = render_report(sample_result, worst=0, n_boot=200, min_n=1)
    agents = page[page.index('id="agents"'):page.index('id="worst"')]
    ranks = re.findall(r"<tr><td>[^<]+</td><td class=sa-num>(\d+)</td>", agents)
    assert len(ranks) == 11 and ranks[0] == "1"
    assert "No scorecards asked for (worst = 0)" in page and 'class="sa-card"' not in page


def test_worst_interactions_with_their_scorecards(page, sample_result):
    worst = sample_result.scores.sort_values("overall").head(4)["interaction_id"].tolist()
    shown = re.findall(r'<div class="sa-card" id="[^"]+" data-interaction="([^"]+)">', page)
    assert shown == worst
    table = page[page.index('id="worst"'):page.index('<div class="sa-card"')]
    assert re.findall(r'<a href="#[^"]+">([^<]+)</a>', table) == worst
    assert page.count("<mark class=\"sa-cue") > 10


def test_top_cues_per_principle(page, sample_result):
    cues = page[page.index('id="cues"'):page.index('id="rejects"')]
    for p in sa.PRINCIPLES:
        assert f'<div class="sa-cue-block" data-principle="{p}">' in cues
    n = (sample_result.evidence["cue"] == "courtesy").sum()
    assert re.search(rf"courtesy</span></td><td>agent</td><td class=sa-num>{n}</td>", cues)


def test_rejects_by_code_escaped(sample_result, tmp_path):
    rejects = pd.DataFrame({
        "source": ["a.csv", "a.csv", "b.csv"], "record": ["row 3", "row 9", "line 1"],
        "interaction_id": ["x", "y", "z"], "field": ["role", "role", "text"],
        "code": ["unknown_role", "unknown_role", "empty_text"],
        "reason": [f"role {SCRIPT} is unknown", "role 'robot' is unknown", "text is empty"]},
        dtype="string")
    res = dataclasses.replace(sample_result, rejects=rejects)
    out = write_report(res.to_parquet(tmp_path / "run"), tmp_path / "r.html", worst=1,
                       n_boot=0)
    page = out.read_text(encoding="utf-8")
    check(page)
    rej = page[page.index('id="rejects"'):]
    assert "<code>empty_text</code></td><td class=sa-num>1</td>" in rej
    assert "<code>unknown_role</code></td><td class=sa-num>2</td><td>a.csv row 3</td>" in rej
    assert html.escape(f"role {SCRIPT} is unknown") in rej
    assert "No rejects" in check_page_of(sample_result, tmp_path)


def check_page_of(res: sa.Result, tmp_path: Path) -> str:
    out = write_report(res.to_parquet(tmp_path / "clean"), tmp_path / "c.html", worst=0,
                       n_boot=0)
    return out.read_text(encoding="utf-8")


def test_batch_run_folder_with_a_hostile_interaction(samples_dir, tmp_path):
    folder = hostile_folder(samples_dir, tmp_path / "in")
    run_batch(folder, tmp_path / "run", jobs=1)
    assert (tmp_path / "run" / "scores").is_dir()  # parts, not one table
    out = write_report(tmp_path / "run", tmp_path / "report.html", worst=14, n_boot=100)
    page = out.read_text(encoding="utf-8")
    c = check(page)
    assert "<td>interactions in</td><td>14</td>" in page
    assert c.classes.count("sa-card") == 14
    assert f'data-interaction="{html.escape(HOSTILE_ID)}"' in page
    assert "<script" not in page and "<img" not in page and "<svg onload" not in page
    assert html.escape(SCRIPT) in page  # as agent id, team and transcript text


def test_bad_arguments(run_dir, tmp_path):
    with pytest.raises(sa.ConfigError, match="worst must be an integer >= 0"):
        write_report(run_dir, tmp_path / "r.html", worst=-1)
    with pytest.raises(sa.InputError, match="not a serviceart run folder"):
        write_report(tmp_path, tmp_path / "r.html")
    (tmp_path / "taken").mkdir()
    with pytest.raises(sa.InputError, match="cannot write the report"):
        write_report(run_dir, tmp_path / "taken", n_boot=0)


def test_cli_report(run_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(run_dir), "-o", str(out), "--worst", "2"])
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (" in result.output
    assert out.read_text(encoding="utf-8").count('class="sa-card"') == 2
    bad = runner.invoke(app, ["report", str(tmp_path / "nowhere"), "-o", str(out)])
    assert bad.exit_code == 2
    assert "not a serviceart run folder (no run.json)" in bad.output
    assert "Traceback" not in bad.output


def test_interactions_without_an_agent(nlp, tmp_path):
    """No agent id on some or all interactions: the agent table leaves them out, the page
    is written (it crashed on the missing key before)."""
    rows = [("a", "agent", "Hello, how can I help?"), ("a", "customer", "My bill is wrong."),
            ("b", "agent", "Hi there."), ("b", "customer", "Thanks, bye.")]
    conv = sa.Conversations.from_frames(pd.DataFrame(rows, columns=["interaction_id", "role",
                                                                    "text"]))
    none = render_report(sa.score(conv, nlp=nlp), worst=2, n_boot=50)
    assert "No scored interaction has an agent." in none
    turns = pd.DataFrame(rows, columns=["interaction_id", "role", "text"])
    turns["agent_id"] = ["ann", None, None, None]
    some = render_report(sa.score(sa.Conversations.from_frames(turns), nlp=nlp), worst=2,
                         n_boot=50)
    agents = re.search(r'<table class="sa-table sa-agents">.*?</table>', some, re.S)
    assert agents is not None and agents.group(0).count("<tr>") == 2  # header and ann
    assert "<td>ann</td>" in agents.group(0) and "nan" not in agents.group(0)

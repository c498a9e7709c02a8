"""The HTML report: an index and a folder of agent and scorecard pages; valid, every
section, from both kinds of run folder, subsets, layout of names, notes and histograms.

Validation: every page is parsed with :class:`html.parser.HTMLParser` (the
standard library's HTML5 tokenizer) by :class:`Checker`, which requires every
non-void element we emit to be closed in order, ids to be unique, and no
resource to come from elsewhere (``src``/``href`` attributes only local
anchors or relative paths inside the report, no ``url(`` or ``@import`` in CSS),
a Content-Security-Policy that loads nothing, and a ``<script>`` only where the
policy lists its SHA-256.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import serviceart as sa
from serviceart.analysis.aggregate import SCORE_COLUMNS
from serviceart.cli import app
from serviceart.run.batch import run_batch
from serviceart.views.agentpage import trend_svg
from serviceart.views.pages import SORT_JS
from serviceart.views.report import render_report, report, write_report
from serviceart.views.scorecard import anchor_of
from serviceart.views.subset import subset

from .test_scorecard import HOSTILE_ID, IMG, SCRIPT, hostile_folder

HOSTILE_TEAM = IMG

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
        self._in_script = False
        self.css = ""
        self.scripts: list[str] = []
        self.links: list[str] = []
        self.policy: str | None = None

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        self.ids += [v for k, v in attrs if k == "id"]
        self.classes += [v for k, v in attrs if k == "class" and v]
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy":
            self.policy = dict(attrs).get("content")
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                if k != "href" or not re.fullmatch(r"(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]*"
                                                   r"(?:#[A-Za-z0-9_-]+)?", v or ""):
                    self.problems.append(f"<{tag} {k}={v!r}> is not a local link")
                elif not (v or "").startswith("#"):
                    self.links.append(v or "")
            if k.startswith("on"):
                self.problems.append(f"<{tag}> has an event handler {k}")
            if k == "style" and ("url(" in (v or "") or "@import" in (v or "")):
                self.problems.append(f"<{tag}> style loads {v!r}")
        if tag not in VOID:
            self.stack.append(tag)
        self._in_style = tag == "style"
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_startendtag(self, tag, attrs):  # <line .../> in SVG
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        self._in_style = self._in_script = False

    def handle_data(self, data):
        if self._in_style:
            self.css += data
        if self._in_script:
            self.scripts[-1] += data


def sha256(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()


def check(page: str, *, scripts: int = 0) -> Checker:
    """A valid page whose policy loads nothing and allows exactly its own scripts."""
    c = Checker()
    c.feed(page)
    c.close()
    assert c.doctype
    assert c.problems == []
    assert c.stack == [], f"unclosed: {c.stack}"
    assert len(c.ids) == len(set(c.ids)), "repeated ids"
    assert "url(" not in c.css and "@import" not in c.css
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page)
    assert c.policy is not None and c.policy.startswith("default-src 'none'; ")
    assert "img-src 'none'" in c.policy
    assert len(c.scripts) == scripts
    allowed = re.search(r"script-src ([^;]+)", c.policy).group(1)
    assert allowed == (" ".join(f"'sha256-{sha256(js)}'" for js in c.scripts) or "'none'")
    return c


def check_folder(index: Path) -> dict[str, Checker]:
    """Every page of a report (index, agents, cards): valid, and every relative link
    leads to a page of the report."""
    folder = index.with_name(f"{index.stem}_files")
    pages = [index, *sorted(folder.rglob("*.html"))]
    checked = {}
    for p in pages:
        text = p.read_text(encoding="utf-8")
        c = check(text, scripts=1 if p.parent.name == "agents" else 0)
        for link in c.links:
            target = (p.parent / link.split("#")[0]).resolve()
            assert target.is_file(), (p, link)
            assert target == index.resolve() or folder.resolve() in target.parents
        checked[str(p.relative_to(index.parent))] = c
    return checked


@pytest.fixture(scope="module")
def run_dir(sample_result, tmp_path_factory) -> Path:
    return sample_result.to_parquet(tmp_path_factory.mktemp("report") / "run")


@pytest.fixture(scope="module")
def index(run_dir, tmp_path_factory) -> Path:
    return write_report(run_dir, tmp_path_factory.mktemp("out") / "sub" / "report.html",
                        worst=4, n_boot=200)


@pytest.fixture(scope="module")
def page(index) -> str:
    return index.read_text(encoding="utf-8")


def test_report_is_valid_and_self_contained(page, index):
    c = check(page)
    assert c.count["style"] == 1 and "http:" not in page and "https:" not in page
    for key in SECTIONS:
        assert f'<section class="sa-section" id="{key}">' in page
    assert c.count["svg"] == 5 and c.classes.count("sa-hist") == 5
    pages = check_folder(index)
    assert len(pages) == 1 + 11 + 13  # the index, 11 agents, a scorecard per conversation
    assert (index.parent / "report_files" / ".serviceart-report").is_file()


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
    assert "<title>coaching: 60 to 80</title>" in svg and "<title>meets: 80 to 100</title>" in svg
    assert re.findall(r'class="sa-band-name"[^>]*>([^<]+)</text>', svg) == [
        "meets", "coaching", "fails"]


class SvgText(HTMLParser):
    """Every ``<text>`` of an SVG with its estimated box (x0, x1, y0, y1)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.boxes: list[tuple[str, str, float, float, float, float]] = []
        self.width = 0.0
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.width = float(a["width"])
        if tag == "text":
            self._open = a

    def handle_data(self, data):
        if self._open is None:
            return
        a, size = self._open, float(self._open["font-size"])
        w = len(data) * size * 0.6  # a generous mean advance of system-ui characters
        x = float(a["x"])
        x0 = {"middle": x - w / 2, "end": x - w}.get(a.get("text-anchor", "start"), x)
        y = float(a["y"])
        self.boxes.append((data, a.get("class", ""), x0, x0 + w, y - size * 0.8, y))
        self._open = None


def overlapping(boxes):
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[2] < b[3] and b[2] < a[3] and a[4] < b[5] and b[4] < a[5]]


def test_histogram_axes_are_complete_and_labels_do_not_overlap(page):
    for key in ("respect", "service", "integrity", "follow_through", "overall"):
        svg = page[page.index(f'id="hist-{key}"'):]
        svg = "<svg " + svg[:svg.index("</svg>") + 6]
        t = SvgText()
        t.feed(svg)
        ticks = [b for b in t.boxes if b[1] == "sa-tick"]
        assert [b[0] for b in ticks] == ["0", "20", "40", "60", "80", "100"]
        assert all(b[2] >= 0 and b[3] <= t.width for b in t.boxes), key  # nothing cut off
        assert overlapping(t.boxes) == [], key


def test_narrow_bands_are_named_without_overlap(sample_result):
    rubric = sa.Rubric.default()
    data = rubric.to_dict()
    data["bands"] = {"all": [{"name": "exceeds_expectations", "min": 85},
                             {"name": "meets_expectations", "min": 70},
                             {"name": "needs_coaching_conversation", "min": 60},
                             {"name": "x", "min": 58},
                             {"name": "fails", "min": 0}]}
    tight = sa.Rubric.from_toml(__import__("tomli_w").dumps(data))
    res = dataclasses.replace(sample_result, rubric=tight)
    page = render_report(res, worst=0, n_boot=0)
    svg = page[page.index('id="hist-overall"'):]
    svg = "<svg " + svg[:svg.index("</svg>") + 6]
    t = SvgText()
    t.feed(svg)
    assert overlapping(t.boxes) == [] and all(b[2] >= 0 and b[3] <= t.width for b in t.boxes)
    names = [b[0] for b in t.boxes if b[1] == "sa-band-name"]
    assert names[0] == "excee\u2026" and names[-1] == "fails"  # cut to fit its band
    assert "x" not in names  # 2 points wide: named on hover only
    for full in ("exceeds_expectations", "meets_expectations", "needs_coaching_conversation",
                 "x"):
        assert f"<title>{full}: " in svg  # the whole name on hover


def test_agent_table_with_intervals(page, sample_result):
    agents = page[page.index('id="agents"'):page.index('id="worst"')]
    for agent in sample_result.interactions["agent_id"].unique():
        assert re.search(rf'<td class=sa-agent><a href="report_files/agents/[^"]+">{agent}</a>',
                         agents)
    assert agents.count("&ndash;") >= 5 * 11  # an interval per agent and score
    # the not-ranked note is said once, under the table, not on every row
    assert agents.count("Not ranked: 11 agent(s) with fewer than 30 scored interactions") == 1
    assert "not ranked: n=1" not in agents


def test_agents_ranked_when_enough(sample_result):
    page = render_report(sample_result, worst=0, n_boot=200, min_n=1)
    agents = page[page.index('id="agents"'):page.index('id="worst"')]
    ranks = re.findall(r"<tr><td class=sa-agent>[^<]+</td><td class=sa-num>(\d+)", agents)
    assert len(ranks) == 11 and ranks[0] == "1"
    assert "No scorecards asked for (worst = 0)" in page and 'class="sa-card"' not in page


def test_a_shared_rank_is_explained_once(shared_data, nlp, tmp_path_factory):
    """76 Twitter support agents, most sharing rank 1: one note names the rank's agents
    (the first six and how many more), no row repeats it."""
    res = twcs_result(shared_data, nlp)
    page = render_report(res, worst=0, n_boot=200, min_n=1)
    agents = page[page.index('id="agents"'):page.index('id="worst"')]
    rows = re.findall(r"<tr><td class=sa-agent>.*?</tr>", agents, re.S)
    scored = res.scores.loc[res.scores["scope"] == "service", "interaction_id"]
    with_scores = res.interactions.loc[res.interactions["interaction_id"].isin(scored),
                                       "agent_id"].nunique()
    assert len(rows) == with_scores == 75  # of 76 agents: one has only out-of-scope threads
    notes = re.findall(r"<li>Rank (\d+) is shared by (\d+) agents \(([^)]*)\)", agents)
    assert notes and len({r for r, _, _ in notes}) == len(notes)  # one note per shared rank
    shared = sum(int(n) for _, n, _ in notes)
    assert sum("shared rank" in r for r in rows) == shared  # the rows only mark it: "1="
    assert agents.count("their intervals overlap") == len(notes)
    assert "shares rank" not in agents


def test_agent_names_never_break_inside_a_word(page):
    c = check(page)
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", c.css))
    agent_rule = next(v for k, v in rules.items() if "td.sa-agent" in k)
    assert "overflow-wrap:normal" in agent_rule and "word-break:normal" in agent_rule
    # the cell rule is more specific than the table's general overflow-wrap:anywhere
    assert "table.sa-table td.sa-agent" in next(k for k in rules if "td.sa-agent" in k)
    assert 'class="sa-scroll"' in page  # a wide table scrolls instead


@functools.cache
def _twcs(path: str) -> sa.Result:
    return sa.score(sa.read(path))


def twcs_result(shared_data: Path, nlp) -> sa.Result:
    return _twcs(str(shared_data / "twcs" / "twcs.csv"))


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
    pages = check_folder(out)  # every agent and scorecard page too
    hostile = agent_page(out, SCRIPT)
    assert f"<h1>agent: {html.escape(SCRIPT)}</h1>" in hostile
    assert hostile.count("<script>") == 1 and "<img" not in hostile
    assert f"teams</td><td>{html.escape(HOSTILE_TEAM)} (1)" in hostile
    assert sum("/cards/" in p for p in pages) == 14


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
    index = report(sa.score(conv, nlp=nlp), tmp_path / "deep" / "r.html", worst=0, n_boot=0)
    assert check_folder(index) and sorted(p.name for p in (tmp_path / "deep").iterdir()) == [
        "r.html", "r_files"]  # no agent: an empty pages folder, nothing fails
    turns = pd.DataFrame(rows, columns=["interaction_id", "role", "text"])
    turns["agent_id"] = ["ann", None, None, None]
    some = render_report(sa.score(sa.Conversations.from_frames(turns), nlp=nlp), worst=2,
                         n_boot=50)
    agents = re.search(r'<table class="sa-table sa-agents">.*?</table>', some, re.S)
    assert agents is not None and agents.group(0).count("<tr>") == 2  # header and ann
    assert "<td class=sa-agent>ann</td>" in agents.group(0) and "nan" not in agents.group(0)


# -- the pages: agent to conversations -------------------------------------------------
def agent_page(index: Path, agent: str) -> str:
    page = index.read_text(encoding="utf-8")
    href = re.search(rf'<a href="({index.stem}_files/agents/[^"]+)">'
                     rf"{re.escape(html.escape(agent))}</a>", page)
    assert href is not None, agent
    return (index.parent / href.group(1)).read_text(encoding="utf-8")


def test_each_agent_page_leads_to_every_conversation(index, sample_result):
    inter = sample_result.interactions
    for agent, mine in inter.groupby("agent_id"):
        page = agent_page(index, str(agent))
        assert f"<h1>agent: {agent}</h1>" in page
        table = re.search(r'<table class="sa-table sa-sortable sa-conversations">.*?</table>',
                          page, re.S).group(0)
        listed = re.findall(r'<a href="\.\./cards/([^"]+)" class="sa-conv">([^<]+)</a>', table)
        assert sorted(i for _, i in listed) == sorted(mine["interaction_id"])
        for file, iid in listed:  # each scorecard page is that conversation's, back-linked
            card = (index.parent / "report_files" / "cards" / file).read_text(encoding="utf-8")
            assert f'data-interaction="{iid}"' in card
            assert re.search(r'<a class="sa-back" href="\.\./agents/[^"]+">&larr; agent '
                             f"{re.escape(str(agent))}</a>", card)
        # lowest overall first
        overall = sample_result.scores.set_index("interaction_id").loc[
            [i for _, i in listed], "overall"].tolist()
        assert overall == sorted(overall)


def test_agent_page_over_time_and_costly_criteria(index, sample_result):
    page = agent_page(index, "kofi.a")  # two conversations: chat-0002, text-0002
    assert page.count('<svg class="sa-trend"') == 1
    assert re.findall(r"<title>day of (\d{4}-\d\d-\d\d): overall", page) == [
        "2026-03-06", "2026-03-12"]
    c = sample_result.contributions
    mine = c[c["interaction_id"].isin(["chat-0002", "text-0002"]) & c["applied"]]
    lost = mine.groupby("criterion")["points_lost"].sum().sort_values(ascending=False)
    costly = page[page.index('id="costly"'):page.index('id="conversations"')]
    shown = re.findall(r"<code class=sa-crit-name>([^<]+)</code>", costly)
    assert shown == list(lost[lost > 0].index[:8]) or (
        sorted(lost.loc[shown], reverse=True) == list(lost.loc[shown]))
    first = shown[0]
    assert f"<td class=sa-num>{lost[first]:,.1f}</td>" in costly
    rationale = next(cr.rationale for cr in sa.Rubric.default().criteria if cr.name == first)
    assert html.escape(rationale) in costly
    # the one script, sortable tables, allowed by its hash
    assert page.count("<script>") == 1 and SORT_JS in page
    assert f"script-src &#x27;sha256-{sha256(SORT_JS)}&#x27;" in page


def test_per_agent_limits_scorecard_pages_not_the_list(run_dir, tmp_path):
    index = write_report(run_dir, tmp_path / "r.html", worst=0, n_boot=0, per_agent=1)
    pages = check_folder(index)
    cards = [p for p in pages if "/cards/" in p]
    assert len(cards) == 11  # one per agent
    page = agent_page(index, "priya.s")  # two calls: call-0002 (89.1) and call-0005
    assert page.count('class="sa-conv"') == 1 and "(no scorecard page)" in page
    assert "2 scored conversations, the 2 lowest shaded; 1 with a scorecard page" in page
    none = write_report(run_dir, tmp_path / "n.html", worst=0, n_boot=0, per_agent=0)
    assert not (tmp_path / "n_files" / "cards").exists()
    assert (tmp_path / "n_files" / "agents").is_dir() and none.is_file()


def test_the_pages_folder_is_replaced_but_never_someone_else_s(run_dir, tmp_path):
    index = write_report(run_dir, tmp_path / "r.html", worst=0, n_boot=0, per_agent=1)
    stale = tmp_path / "r_files" / "agents" / "gone.html"
    stale.write_text("old")
    write_report(run_dir, index, worst=0, n_boot=0, per_agent=1)
    assert not stale.exists()  # the new folder replaced the old one whole
    mine = tmp_path / "x_files"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(sa.OutputError, match="is not a serviceart report folder"):
        write_report(run_dir, tmp_path / "x.html", worst=0, n_boot=0)
    assert (mine / "notes.txt").read_text() == "mine"
    with pytest.raises(sa.ConfigError, match="per_agent must be an integer >= 0"):
        write_report(run_dir, tmp_path / "y.html", per_agent=-1)


# -- subsets ---------------------------------------------------------------------------
def test_subset_report_from_python(sample_result, tmp_path):
    index = report(sample_result, tmp_path / "billing.html", team="billing",
                   start="2026-03-05", n_boot=0)
    page = index.read_text(encoding="utf-8")
    pages = check_folder(index)
    assert "<title>serviceart report: run (team billing; from 2026-03-05)</title>" in page
    assert "team billing; from 2026-03-05: 2 of 13 interactions in the run" in page
    assert "<td>interactions in</td><td>2</td>" in page
    assert sorted(p.split("/")[-1] for p in pages if "/agents/" in p) == sorted(
        f"{anchor}.html" for anchor in map(anchor_of, ["dana.k", "omar.h"]))
    both = report(sample_result, tmp_path / "two.html", agent=["kofi.a", "leo.m"],
                  channel="call", end=dt.date(2026, 3, 12), n_boot=0)
    text = both.read_text(encoding="utf-8")
    assert "2 of 13 interactions" in text  # call-0003 (leo.m) and text-0002 (kofi.a, 12th)


def test_subset_errors_say_what_to_do(sample_result, tmp_path):
    with pytest.raises(sa.ConfigError, match=r"no interaction has agent_id 'kofi'; did you "
                                             r"mean 'kofi.a'"):
        report(sample_result, tmp_path / "r.html", agent="kofi")
    with pytest.raises(sa.ConfigError, match=r"no interaction matches agent kofi\.a; channel "
                                             r"call; to 2026-03-11; widen the filters"):
        subset(sample_result, agent="kofi.a", channel="call", end="2026-03-11")
    with pytest.raises(sa.ConfigError, match="start= is not a date or time: 'soon'"):
        subset(sample_result, start="soon")
    with pytest.raises(sa.ConfigError, match="is after end="):
        subset(sample_result, start="2026-03-10", end="2026-03-01")
    bare = dataclasses.replace(sample_result, interactions=sample_result.interactions.drop(
        columns=["team"]))
    with pytest.raises(sa.ConfigError, match="the interactions have no team column"):
        subset(bare, team="billing")


def test_subset_keeps_every_table_consistent(sample_result):
    part = subset(sample_result, channel="chat")
    ids = set(part.interactions["interaction_id"])
    assert ids == {"chat-0001", "chat-0002", "chat-0003", "chat-0004", "chat-0005"}
    for name in ("scores", "measures", "evidence", "contributions", "bands", "turns",
                 "promises"):
        assert set(getattr(part, name)["interaction_id"]) <= ids, name
    ev = sample_result.evidence
    assert len(part.evidence) == ev["interaction_id"].isin(ids).sum()
    assert part.run_info["subset"] == {"filters": {"channel": ["chat"]}, "label": "channel chat",
                                       "interactions": 5, "of": 13}


def test_cli_report_subset(run_dir, tmp_path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(run_dir), "-o", str(out), "--agent",
                                      "kofi.a", "--agent", "leo.m", "--from", "2026-03-04",
                                      "--to", "2026-03-06", "--worst", "1"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "agent kofi.a, leo.m; from 2026-03-04; to 2026-03-06: 2 of 13" in page
    assert "and 4 pages in" in result.output  # 2 agents, 2 scorecards
    bad = CliRunner().invoke(app, ["report", str(run_dir), "-o", str(out), "--channel", "fax"])
    assert bad.exit_code != 0 and "no interaction has channel 'fax'" in bad.output
    assert "Traceback" not in bad.output


def test_agent_trend_leaves_out_stray_dates_and_labels_fit(shared_data, nlp):
    """Twitter threads from 2011 to 2017: the trend covers Oct-Dec 2017, says what it left
    out, and its date labels neither overlap nor run off the chart."""
    res = twcs_result(shared_data, nlp)
    frame = res.scores.merge(res.interactions[["interaction_id", "started_at"]],
                             on="interaction_id")
    frame = frame[frame["scope"] == "service"]
    svg = trend_svg(frame["started_at"], frame[list(SCORE_COLUMNS)])
    when = frame["started_at"]
    # the 1st percentile of the dates is 7 October, less a week: 30 September
    early = int((when < pd.Timestamp("2017-09-30", tz="UTC")).sum())
    assert early == 7  # 2011, 2016, August and September 2017
    assert (f"{early} conversation(s) outside 2017-09-30 to 2017-12-03 left out ({early} "
            "before, 0 after)") in svg
    assert "1st-99th percentile" in svg
    dates = re.findall(r"<title>week of (\d{4}-\d\d-\d\d): overall", svg)
    assert dates[0] >= "2017-09-25" and dates[-1] <= "2017-12-04" and len(dates) > 5
    t = SvgText()
    t.feed(svg[:svg.index("</svg>") + 6])
    labels = [b for b in t.boxes if b[1] == "sa-date"]
    assert len(labels) >= 4 and overlapping(labels) == []
    assert all(b[2] >= 0 and b[3] <= t.width for b in labels)

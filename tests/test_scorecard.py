"""Scorecards: score bars, criteria, key measures, promises and the highlighted transcript."""

from __future__ import annotations

import csv
import dataclasses
import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import serviceart as sa
from serviceart.codebook import EVIDENCE_CUES
from serviceart.views.explain import _markup, explain

SCRIPT = "<script>document.title='PWNED'</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
HOSTILE_ID = "evil-\"><b>1</b>"

#: A call whose every text field carries markup that would run if it were not escaped.
HOSTILE_TURNS = [
    ("customer", "cust-666", f"My order never came. {SCRIPT}"),
    ("agent", IMG, f"Calm down, as I already explained {IMG} it's not my problem."),
    ("customer", "cust-666", f"This is the third time I've called </mark>{SCRIPT}"),
    ("agent", IMG, "I'll call you back tomorrow <b onmouseover=\"document.title='PWNED'\">"
                   "before noon</b>."),
    ("customer", "cust-666", "it's still not working \"><svg onload=\"document.body."
                             "setAttribute('data-pwned','1')\">"),
]


def write_hostile_csv(path: Path) -> Path:
    """The hostile call as a ``calls.csv``-style export."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["interaction_id", "turn_index", "role", "speaker", "text", "start_s",
                    "end_s", "channel", "customer_id", "agent_id", "started_at", "team"])
        for k, (role, speaker, text) in enumerate(HOSTILE_TURNS):
            w.writerow([HOSTILE_ID, k, role, speaker, text, 10.0 * k, 10.0 * k + 8, "call",
                        "cust-666", SCRIPT, "2026-03-05T10:00:00Z", IMG])
    return path


def hostile_folder(samples_dir: Path, folder: Path) -> Path:
    """The samples plus the hostile call, in one folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in samples_dir.iterdir():
        if f.suffix in (".csv", ".jsonl", ".txt"):
            shutil.copy(f, folder / f.name)
    write_hostile_csv(folder / "evil.csv")
    return folder


class Marks(HTMLParser):
    """Collects, per ``data-ev`` key, the text inside the marks carrying it (nested or
    split marks join up), and each mark's title and class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []
        self.text: dict[int, str] = {}
        self.titles: dict[int, set[str]] = {}
        self.classes: dict[int, set[str]] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "mark":
            k = int(a["data-ev"])
            self.text.setdefault(k, "")
            self.titles.setdefault(k, set()).add(a["title"])
            self.classes.setdefault(k, set()).add(a["class"])
            self.stack.append(str(k))
        elif tag not in ("br", "meta", "img", "input", "hr"):
            self.stack.append(None)

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        for k in self.stack:
            if k is not None:
                self.text[int(k)] += data


def marks_of(page: str) -> Marks:
    m = Marks()
    m.feed(page)
    m.close()
    return m


@pytest.fixture(scope="module")
def hostile_result(nlp, tmp_path_factory) -> sa.Result:
    path = write_hostile_csv(tmp_path_factory.mktemp("evil") / "evil.csv")
    return sa.score(sa.read(path), nlp=nlp)


# -- timing ----------------------------------------------------------------------------
def test_call_scorecard_with_start_and_end_times(sample_result):
    ex = sample_result.explain("call-0002")
    page = ex.to_html()
    assert page.startswith("<style>") and 'class="sa-card"' in page
    for section in ("sa-scores", "sa-criteria", "sa-measures", "sa-promises", "sa-transcript"):
        assert f'class="{section}"' in page
    assert page.count('<li class="sa-turn') == len(ex.turns) == 19
    assert '<span class="sa-when">3:59.0-4:04.5</span>' in page  # turn 14, the promise
    assert "channel call · agent priya.s · started 2026-03-03 14:05 UTC" in page
    # bars over bands: one zone per band, the fill at the score
    overall = page[page.index('data-principle="overall"'):]
    overall = overall[:overall.index("</div></div>")]
    assert overall.count('class="sa-zone"') == 3 and "width:89.1%" in overall
    assert 'title="coaching: 60 to 80"' in overall
    text = str(ex)
    assert "   14 3:59.0-4:04.5 agent (priya.s): [promise: I'll ring you] tomorrow" in text
    assert "key measures: customer_talk_share = 24%, agent_talk_share = 76%" in text
    assert "max_reply_s = 2 min 04 s" in text


def test_chat_scorecard_with_time_stamps(sample_result):
    ex = explain(sample_result, "chat-0001")
    page = ex.to_html()
    assert '<span class="sa-when">2026-03-02 10:02:00 UTC</span>' in page
    assert '<span class="sa-when">10:02:45 (+45 s)</span>' in page
    assert "No timing in this transcript" not in page
    lines = str(ex).splitlines()
    assert "    1 10:02:45 (+45 s) agent (nina.r): [greeting: Hello], I'm Nina" in "\n".join(lines)


def test_scorecard_without_timing(sample_result):
    t = sample_result.turns
    turns = t[t.interaction_id == "text-0002"]
    assert turns["start_s"].isna().all() and turns["timestamp"].isna().all()
    ex = explain(sample_result, "text-0002")
    page = ex.to_html()
    assert page.count('<span class="sa-when">&ndash;</span>') == len(turns)
    assert "No timing in this transcript" in page
    assert "first_response_s = n/a" in str(ex)
    assert "    1 customer: Hi, right" in str(ex)  # no time column in the text


# -- promises and criteria -------------------------------------------------------------
def test_promises_with_their_status(sample_result):
    for iid, statuses in (("call-0002", ["kept"]), ("chat-0001", ["broken", "broken"]),
                          ("text-0003", ["open"])):
        ex = explain(sample_result, iid)
        page = ex.to_html()
        assert re.findall(r'<tr class="sa-promise" data-status="(\w+)">', page) == statuses
        assert [row[4] for row in ex._promise_rows()] == statuses
        for reason in ex.promises["reason"]:
            assert html.escape(reason) in page
    assert "turn 5 (nina.r): \"I'll phone\", due by 11am tomorrow (2026-03-03 11:00 UTC): " \
           "broken" in str(explain(sample_result, "chat-0001"))
    assert "No promise in this interaction." in explain(sample_result, "call-0001").to_html()


def test_criteria_show_points_won_and_lost(sample_result):
    page = explain(sample_result, "call-0003").to_html()
    assert page.count('<div class="sa-block sa-principle"') == page.count("<table>") == 4
    failed = re.search(r'<tr class="sa-failed">(.*?)</tr>', page).group(1)
    assert "disrespect_fails" in failed and "29.9" in failed  # the points it took
    assert "failed by disrespect_fails" in page
    assert 'class="sa-idle"' in page  # criteria that did not apply are greyed


# -- highlighting --------------------------------------------------------------------
def test_highlighted_text_is_exactly_each_evidence_span(sample_result):
    for iid in sample_result.scores["interaction_id"]:
        ex = explain(sample_result, iid)
        m = marks_of(ex.to_html())
        assert sorted(m.text) == list(range(len(ex.evidence)))
        for k, row in enumerate(ex.evidence.itertuples(index=False)):
            assert m.text[k] == row.text, (iid, k)
            assert m.titles[k] == {str(row.cue)}
            assert m.classes[k] == {f"sa-cue sa-p-{EVIDENCE_CUES[str(row.cue)].principle}"}


def test_nested_and_crossing_spans():
    def mark(text, spans):
        return _markup(text, spans, lambda k: f"[{k}:", lambda k: "]", str)

    assert mark("abcdef", [(0, 4, 1), (2, 6, 2)]) == "[1:ab[2:cd]][2:ef]"
    assert mark("abcdef", [(0, 6, 1), (2, 4, 2)]) == "[1:ab[2:cd]ef]"
    assert mark("abcdef", [(0, 3, 1), (0, 3, 2)]) == "[1:[2:abc]]def"
    assert mark("abc", [(2, 9, 1), (5, 7, 2), (1, 1, 3)]) == "ab[1:c]"  # clipped, dropped
    assert _markup("<a&b>", [(1, 4, 0)], lambda k: "<m>", lambda k: "</m>",
                   html.escape) == "&lt;<m>a&amp;b</m>&gt;"


# -- escaping ------------------------------------------------------------------------
def test_hostile_transcript_is_escaped(hostile_result):
    iid = hostile_result.scores["interaction_id"].iloc[0]
    assert iid == HOSTILE_ID
    ex = explain(hostile_result, iid)
    assert len(ex.evidence) >= 3  # disrespect, chasing, promise... found among the markup
    for page in (ex.to_html(), ex.to_html(standalone=True), ex._repr_html_()):
        tags = set(marks_of(page).tags)
        assert tags <= {"style", "div", "h3", "h4", "span", "table", "tr", "th", "td", "ul",
                        "li", "code", "a", "q", "p", "ol", "mark", "html", "head", "meta",
                        "title", "body"}
        lowered = page.lower()
        for raw in ("<script", "<img", "<svg", "<b ", "<b>", "onerror=\"", "onload=\""):
            assert raw not in lowered
        assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in page
        assert ("&lt;img src=x onerror=&quot;document.body.setAttribute(&#x27;data-pwned"
                "&#x27;,&#x27;1&#x27;)&quot;&gt;") in page
        assert "&lt;/mark&gt;" in page  # a closing tag in the text cannot end a highlight
        assert html.escape(HOSTILE_ID) in page
    m = marks_of(ex.to_html())
    for k, row in enumerate(ex.evidence.itertuples(index=False)):
        assert m.text[k] == row.text
    assert SCRIPT in str(ex)  # plain text for terminals is not escaped


def test_scorecard_without_turns_or_promises(sample_result):
    bare = dataclasses.replace(sample_result, turns=pd.DataFrame(), promises=pd.DataFrame())
    ex = explain(bare, "call-0002")
    page = ex.to_html()
    assert "The run holds no turns for this interaction" in page
    assert "No promise in this interaction." in page
    assert "transcript" not in str(ex)


def test_scorecard_has_no_script_or_external_resource(sample_result):
    page = explain(sample_result, "call-0001").to_html(standalone=True)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; '
            "script-src &#x27;none&#x27;;") in page
    assert "<script" not in page and "://" not in page and "url(" not in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.startswith("#") for h in hrefs)


# -- criteria in words, evidence tags, auto-fail arithmetic, email subjects ---------------
def test_criteria_show_their_title_and_rationale(sample_result):
    ex = explain(sample_result, "call-0003")
    page = ex.to_html()
    for c in sa.Rubric.default().criteria:
        if ((ex.contributions["principle"] == c.principle)
                & (ex.contributions["criterion"] == c.name)).any():
            assert f'<div class="sa-rationale">{html.escape(c.rationale)}</div>' in page
            assert f'<code class="sa-crit-name">{c.name}</code>' in page
    assert '<span class="sa-crit-title">No disrespect</span>' in page
    assert '<span class="sa-crit-title">Acknowledges problem</span>' in page
    assert ex.contributions.set_index("criterion").loc["no_disrespect", "rationale"] == (
        "Dignity: no dismissive, condescending or rude wording.")


def test_no_evidence_under_criteria_that_did_not_apply(sample_result):
    idle_with_cues = 0
    for iid in sample_result.scores["interaction_id"]:
        ex = explain(sample_result, iid)
        t = ex.table
        idle_with_cues += int((~t["applied"].astype(bool) & t["cue"].notna()).sum())
        applied = set(ex.contributions.loc[ex.contributions["applied"].astype(bool),
                                           "criterion"])
        page = ex.to_html()
        for p in sa.PRINCIPLES:
            for crit, *_ in ex._quotes(p):
                assert crit in applied, (iid, crit)
        quoted = re.findall(r'<li data-effect="\w+">([^ ]+) &larr;', page)
        assert set(quoted) <= applied, iid
        for line in str(ex).splitlines():
            if " <- " in line:
                assert line.split()[0] in applied, (iid, line)
    assert idle_with_cues > 0  # the samples do have cues behind criteria that did not apply


def test_evidence_is_tagged_helped_hurt_or_context(sample_result):
    tags: dict[str, set[str]] = {}
    for iid in sample_result.scores["interaction_id"]:
        ex = explain(sample_result, iid)
        for p in sa.PRINCIPLES:
            for crit, cue, _, role, _, effect in ex._quotes(p):
                tags.setdefault(effect, set()).add(f"{crit}<-{cue}")
                if role != "agent":
                    assert effect == "context", (iid, crit, cue, role)
        page = ex.to_html()
        assert page.count('<li data-effect="') == sum(len(ex._quotes(p)) for p in sa.PRINCIPLES)
    assert set(tags) == {"helped", "hurt", "context"}
    assert {"no_disrespect<-disrespect", "disrespect_fails<-disrespect"} <= tags["hurt"]
    assert "acknowledges_problem<-empathy" in tags["helped"]
    assert "acknowledges_problem<-chasing" in tags["context"]  # the customer's, via applies
    ex = explain(sample_result, "call-0003")
    assert 'disrespect_fails <- disrespect, turn 6 (agent): "not my problem" [hurt]' in str(ex)
    assert ('acknowledges_problem <- chasing, turn 1 (customer): "third time '
            "I've called\" [context]") in str(ex)


def test_auto_fail_arithmetic_in_words(sample_result):
    ex = explain(sample_result, "call-0003")
    rubric = sa.Rubric.default()
    # what respect would be without the auto-fail: the rubric without that criterion
    without = sa.Rubric([c for c in rubric.criteria if c.name != "disrespect_fails"],
                        bands=rubric.to_dict()["bands"])
    scores, _ = without.apply(sample_result.measures)
    would = float(scores.set_index("interaction_id").loc["call-0003", "respect"])
    words = ex.failure_words("respect")
    assert words == (f"respect is 0 because the auto-fail criterion disrespect_fails applied "
                     f"and was true. Without it, the other criteria would have scored "
                     f"{would:.1f} / 100; those {would:.1f} points are shown as lost on "
                     "disrespect_fails, and the other criteria keep their values but win no "
                     "points.")
    assert f'<p class="sa-note sa-autofail">{html.escape(words)}</p>' in ex.to_html()
    assert f"  {words}" in str(ex).splitlines()
    assert ex.failure_words("service") == ""


MBOX = """From cust@mail.example Mon Mar  2 09:00:00 2026
From: Maria Lopez <maria@mail.example>
To: support@acme.com
Subject: Router keeps dropping the connection
Message-ID: <m1@mail.example>
Date: Mon, 02 Mar 2026 09:00:00 +0000

Hello, my router keeps dropping the connection every evening. Can you help?

From agent@acme.com Mon Mar  2 11:00:00 2026
From: Sam Agent <sam@acme.com>
To: maria@mail.example
Subject: Re: Router keeps dropping the connection
Message-ID: <a1@acme.com>
In-Reply-To: <m1@mail.example>
References: <m1@mail.example>
Date: Mon, 02 Mar 2026 11:00:00 +0000

Hi Maria, I'm sorry about the drops. I have reset your line; it should stay up now.

"""


def test_email_scorecard_is_headed_by_its_subject(nlp, tmp_path):
    box = tmp_path / "support.mbox"
    box.write_text(MBOX, encoding="utf-8")
    res = sa.score(sa.read(box, agent_domains=["acme.com"]), nlp=nlp)
    iid = str(res.scores["interaction_id"].iloc[0])
    assert "Router" not in iid  # a thread is keyed by its Message-ID
    ex = explain(res, iid)
    assert ex.title == "Router keeps dropping the connection"
    page = ex.to_html(standalone=True)
    assert '<h3 class="sa-title">Router keeps dropping the connection</h3>' in page
    assert f"id {html.escape(iid)} · channel email" in page
    assert str(ex).splitlines()[0].startswith(f"Router keeps dropping the connection ({iid})")
    # a call has no subject: headed by its id
    call = sa.score(sa.read(write_hostile_csv(tmp_path / "c.csv")), nlp=nlp)
    assert explain(call, HOSTILE_ID).title == HOSTILE_ID

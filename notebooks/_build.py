"""Write the tutorial notebooks (without outputs) from the cells below.

Edit the cells here, then run ``python notebooks/_build.py``: the ``.ipynb``
files are what is committed, and ``tests/test_notebooks.py`` checks that they
match this script and that they run top to bottom on ``data/samples/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

HERE = Path(__file__).resolve().parent


def setup_cell(stdlib: str = "", third_party: str = "") -> str:
    """The first code cell: imports, display options, and ``SAMPLES``, which finds
    data/samples whether the kernel runs in notebooks/ or in the repository root."""
    return f"""\
{stdlib}from pathlib import Path

{third_party}import pandas as pd

import serviceart as sa
import serviceart.plot  # the [plot] extra (matplotlib): sa.plot.*

pd.set_option("display.width", 120)
pd.set_option("display.max_colwidth", 100)
SAMPLES = next(p for p in (Path("../data/samples"), Path("data/samples")) if p.is_dir())
SAMPLES"""


QUICKSTART = [
    ("md", """\
# serviceart quick start

Read the bundled samples, score them, look at one interaction's scorecard and
slice the scores by agent. Everything here runs on `data/samples/` (13
invented interactions: calls, chats and plain-text transcripts; see
`data/samples/README.md`)."""),
    ("code", setup_cell()),
    ("md", """\
## Read

`sa.read` sniffs every file of the folder (CSV turn table, JSON Lines chats,
text transcripts) and returns validated `Conversations`: a turn table, an
interaction table and the rejects (bad records, with a reason each)."""),
    ("code", """\
conv = sa.read(SAMPLES)
conv"""),
    ("code", """\
cols = ["interaction_id", "turn_index", "role", "speaker", "text", "start_s", "end_s"]
conv.turns[cols].head(8)"""),
    ("md", """\
## Score

`sa.score` finds the cues (greetings, apologies, promises, deflections...),
computes the measures (talk shares, reply times, holds, promises kept...) and
applies the default rubric: a score of 0..100 per principle and `overall`."""),
    ("code", """\
res = sa.score(conv)
res"""),
    ("code", """\
res.scores.round(1)"""),
    ("code", """\
res.bands"""),
    ("code", """\
res.run_info["counts"]"""),
    ("md", """\
## One interaction's scorecard

`res.explain(id)` lists, per principle, every criterion with its value,
weight and the points it won or lost, and the evidence (cue, turn, words)
behind it. In Jupyter it shows as a table; `print()` gives the text form.
`chat-0004` is the exemplary chat of the samples."""),
    ("code", """\
res.explain("chat-0004")"""),
    ("md", """\
## Slice by agent

`res.by("agent_id")` gives the mean score per agent with a bootstrap
confidence interval; `rankable` is False under `min_n` interactions. With 13
samples almost every agent has a single interaction: `min_n=2` here only to
show the mechanics (the default, 30, is what a real comparison needs)."""),
    ("code", """\
by_agent = res.by("agent_id", min_n=2, n_boot=500)
by_agent[by_agent["principle"] == "overall"].round(1)"""),
    ("code", """\
from serviceart.analysis.aggregate import rank

rank(by_agent, "overall")[["agent_id", "n", "mean", "rank", "tied", "note"]].round(1)"""),
    ("md", """\
## Plots

Each plot returns its matplotlib `Axes` for further styling. Small groups are
greyed out in the agents plot; the talk timeline marks interruptions (red)
and silences (grey)."""),
    ("code", """\
ax = sa.plot.principles(res)"""),
    ("code", """\
ax = sa.plot.agents(by_agent, "overall")"""),
    ("code", """\
ax = sa.plot.trend(res, period="W")"""),
    ("code", """\
ax = sa.plot.talk(res, "call-0003")
ax.set_title("call-0003: the rude refund call, agent interruptions marked", loc="left");"""),
]

EXPLAIN = [
    ("md", """\
# From a low integrity score down to the turns

Start from the scores, pick the interaction with the lowest *integrity*
(honesty: no vague stalls, no deflection, no overpromising, bad news
explained, unknowns owned), and follow the score back to the criteria, the
cues and finally the words in the transcript."""),
    ("code", setup_cell()),
    ("code", """\
res = sa.score(sa.read(SAMPLES))
lowest = res.scores.sort_values("integrity")
lowest[["interaction_id", "integrity", "overall"]].head(3).round(1)"""),
    ("code", """\
worst = lowest["interaction_id"].iloc[0]
res.bands.set_index("interaction_id").loc[worst]"""),
    ("md", """\
## Which criteria cost the points

A principle's score is a weighted mean of its criteria over those that
applied; `points_lost` is how much of the 100 each criterion gave away."""),
    ("code", """\
contrib = res.contributions
(contrib[(contrib["interaction_id"] == worst) & (contrib["principle"] == "integrity")]
 .sort_values("points_lost", ascending=False)
 [["criterion", "value", "weight", "applied", "points", "points_lost"]].round(2))"""),
    ("md", """\
## The explanation

`res.explain(id)` ties each criterion to its evidence: the cue, the turn and
the words that matched. Here only the integrity rows."""),
    ("code", """\
exp = res.explain(worst)
rows = exp.table[exp.table["principle"] == "integrity"]
rows[["criterion", "value", "weight", "points_lost", "cue", "turn_index", "role", "text"]]"""),
    ("md", """\
## Down to the turns

The evidence table holds every cue found, with its turn and character span.
Join it to the scored turns to read each cue in its sentence (the match in
`[[...]]`, with up to 40 characters either side), then the whole turns with
the customer turn before each for context."""),
    ("code", """\
integrity_cues = [name for name, cue in sa.CUES.items() if cue.principle == "integrity"]
ev = res.evidence[(res.evidence["interaction_id"] == worst)
                  & res.evidence["cue"].isin(integrity_cues)]
turns = res.turns[res.turns["interaction_id"] == worst].set_index("turn_index")
marked = [
    ("..." if s > 40 else "") + text[max(0, s - 40):s] + "[[" + text[s:e] + "]]"
    + text[e:e + 40] + ("..." if len(text) > e + 40 else "")
    for text, s, e in zip(turns.loc[ev["turn_index"], "text"], ev["start_char"], ev["end_char"],
                          strict=True)
]
ev.assign(in_context=marked)[["turn_index", "role", "cue", "in_context"]]"""),
    ("code", """\
for t in sorted(set(ev["turn_index"])):
    for k in (t - 1, t):
        if k in turns.index:
            print(f"turn {k:>2} {turns.loc[k, 'role']:>8}: {turns.loc[k, 'text']}")
    print()"""),
    ("md", """\
## The measures beside it

Integrity is not the only problem in this call: the timeline shows the agent
interrupting (red), which costs *respect* (`lets_customer_finish`)."""),
    ("code", """\
res.measures.set_index("interaction_id").loc[
    worst, ["deflection", "vague_stall", "overpromise", "hedge", "interruptions_by_agent",
            "customer_talk_share"]]"""),
    ("code", """\
ax = sa.plot.talk(res, worst)"""),
    ("md", """\
For contrast, the best-scored interaction with full integrity: its only
integrity cues are explanations, which count in its favour."""),
    ("code", """\
best = res.scores.sort_values(["integrity", "overall"], ascending=False)["interaction_id"].iloc[0]
print(best, res.scores.set_index("interaction_id").loc[best, "integrity"])
res.evidence[(res.evidence["interaction_id"] == best)
             & res.evidence["cue"].isin(integrity_cues)]"""),
]

CALIBRATE = [
    ("md", """\
# Calibrate to your analysts, then check fairness

`sa.calibrate` fits the rubric's criterion weights to human QA scores and
reports cross-validated agreement before and after; `sa.fairness` compares
groups of customers (tier, language, channel...) with permutation tests,
names the measures that drive a gap and checks whether data quality explains
it.

**The data here is synthetic.** Calibration needs at least 100 labelled
interactions (a few hundred in practice), and the samples have 13 and no
human scores. So this notebook builds 130 interactions by copying the 13
samples' *measures* ten times with random perturbations (cue counts
resampled, shares and times jittered), and invents an "analyst" whose QA
score follows a simple rule plus noise. It shows the mechanics and the
reports; the numbers say nothing about real contact centres."""),
    ("code", setup_cell("from dataclasses import replace\n", "import numpy as np\n")),
    ("code", """\
conv = sa.read(SAMPLES)
res = sa.score(conv)
res"""),
    ("md", """\
## A larger, synthetic scored set

Ten perturbed copies of every sample interaction (ids `call-0001~00` ...),
each copy a week later than the previous one. The measures are re-scored with
the default rubric (`Rubric.apply`), exactly as `sa.score` does after
measuring."""),
    ("code", """\
rng = np.random.default_rng(7)
cue_cols = [c for c in res.measures.columns if c in sa.CUES]
copies_m, copies_i = [], []
for k in range(10):
    ids = res.measures["interaction_id"] + f"~{k:02d}"
    m = res.measures.assign(interaction_id=ids)
    for c in cue_cols:  # resample each cue count around the sample's own count
        m[c] = rng.poisson(0.8 * res.measures[c].to_numpy() + 0.1)
    for c in ("customer_talk_share", "agent_talk_share", "silence_share"):
        m[c] = (m[c] * rng.lognormal(0, 0.15, len(m))).clip(0, 1)
    for c in ("first_response_s", "median_reply_s", "max_reply_s", "hold_s",
              "longest_agent_monologue_s"):
        m[c] = m[c] * rng.lognormal(0, 0.4, len(m))
    inter = res.interactions.assign(interaction_id=ids,
                                    started_at=res.interactions["started_at"]
                                    + pd.Timedelta(weeks=k))
    copies_m.append(m)
    copies_i.append(inter)
measures = pd.concat(copies_m, ignore_index=True)
scores, contributions = sa.Rubric.default().apply(measures)
big = replace(res, scores=scores, measures=measures, contributions=contributions,
              interactions=pd.concat(copies_i, ignore_index=True),
              evidence=res.evidence.iloc[:0], turns=res.turns.iloc[:0],
              promises=res.promises.iloc[:0], bands=res.bands.iloc[:0])
big.scores.describe().round(1)"""),
    ("md", """\
## The synthetic analyst

Our invented analyst starts from 100 and takes off 30 for any disrespect, 20
for an overpromise, 15 for deflecting or stalling, 15 when the customer says
the problem is unresolved, 10 when they are chasing and 5 for a reply over
the SLA, plus noise (sd 5 points), on a 0..100 scale."""),
    ("code", """\
M = big.measures
qa = (100 - 30 * (M["disrespect"] > 0) - 20 * (M["overpromise"] > 0)
      - 15 * ((M["deflection"] + M["vague_stall"]) > 0) - 15 * (M["unresolved"] > 0)
      - 10 * (M["chasing"] > 0) - 5 * (M["replies_over_sla"].fillna(0) > 0)
      + rng.normal(0, 5, len(M))).clip(0, 100).round(0)
human = pd.DataFrame({"interaction_id": M["interaction_id"], "qa_score": qa})
human.head()"""),
    ("md", """\
## Calibrate

One overall target: every principle is fitted to the analyst's score. The
report compares the uncalibrated and calibrated rubric on held-out folds:
Spearman's rho, Cohen's kappa on bands (meets >= 80, coaching >= 60, fails)
and the mean absolute error in points."""),
    ("code", """\
calibrated, report = sa.calibrate(big, human, target="qa_score")
print(report)"""),
    ("code", """\
report.table.round(3)"""),
    ("md", """\
The calibrated rubric is an ordinary `Rubric`: diff it against the default,
save it with `to_toml()`, and score with it."""),
    ("code", """\
print(sa.Rubric.default().diff(calibrated))"""),
    ("md", """\
Read the weights with care: criteria that the analyst rewards (letting the
customer finish, short monologues) gain weight, but with 130 noisy labels a
criterion that rarely varies can swing a long way on little evidence (see
`report.weights`, and the notes on interactions left out of the fit). Real
calibration wants a few hundred labels from more than one analyst."""),
    ("code", """\
res_cal = sa.score(conv, rubric=calibrated)
pd.DataFrame({"default": res.scores.set_index("interaction_id")["overall"],
              "calibrated": res_cal.scores.set_index("interaction_id")["overall"]}).round(1)"""),
    ("md", """\
## Fairness

Are some customer segments served worse? On the 13 samples no group reaches
`min_n=30`, so `sa.fairness` reports the group means and data quality but
tests nothing: that is the honest answer for 4 or 5 interactions per
segment."""),
    ("code", """\
fair = sa.fairness(res, by="segment")
print(fair)"""),
    ("code", """\
fair.groups.round(1)"""),
    ("md", """\
On the 130 synthetic interactions the groups are large enough to test. **But
they are ten copies of the same 4 or 5 interactions**, so they are far from
independent and the p-values below are much smaller than the data warrants:
this shows what the report looks like, not a finding. The `standard` segment
holds the rude refund call (`call-0003`) and its repeat contact, which is why
it trails."""),
    ("code", """\
fair_big = sa.fairness(big, by="segment")
print(fair_big)"""),
    ("code", """\
fair_big.gaps[["group", "principle", "n", "mean", "gap", "p_holm", "significant",
               "explained_by_quality", "top_driver"]].round(3)"""),
    ("code", """\
ax = sa.plot.agents(big.by("segment", n_boot=500), "follow_through")"""),
    ("code", """\
ax = sa.plot.trend(big, period="M")"""),
]

AGREEMENT = [
    ("md", """\
# Agreement with reviewers

How far do serviceart's scores agree with human QA reviewers, and where do
they disagree? `sa.agreement` compares a scored run with reviewers' scores:
serviceart against each reviewer and against their mean, and each pair of
reviewers (a calibration session), per principle and overall, with
Spearman's rho (and a 95% interval), Cohen's kappa (quadratic weights) on the
rubric's bands and the mean absolute error in points. It then lists the
conversations where serviceart and the reviewers differ most, worst first,
with the criterion that cost serviceart's score the most points and its
evidence.

The data is `qa_dev.jsonl` from the shared data beside the repository
(`../shared/data/gold/`, not shipped with serviceart): 88 real and
role-played support conversations (Customer Support on Twitter, IBM's Twitter
set, ABCD and MultiWOZ chats), each rated twice, independently, under
`QA_GUIDE.md` on 1..5 per principle and overall (`null` where a principle does
not apply). The two rating passes stand for two reviewers. **The default
rubric's weights were fitted to the mean of these passes** (see
`docs/rubric.md`), so serviceart's agreement here is better than on
conversations it has not seen."""),
    ("code", setup_cell("import sys\n", "import matplotlib.pyplot as plt\n")),
    ("code", """\
ROOT = next(p for p in (Path(".."), Path(".")) if (p / "benchmarks" / "outcome_sets.py").is_file())
sys.path.insert(0, str(ROOT / "benchmarks"))
from outcome_sets import QA_PATH, load_qa, qa_reviews  # noqa: E402 (eval_validity.py's loaders)

QA_PATH.name, QA_PATH.is_file()"""),
    ("md", """\
## Score the conversations

`load_qa` turns each conversation's turns into a turn table (Twitter threads
get channel `social`, the chats `chat`), which `Conversations.from_frames`
validates; `sa.score` scores them with the default rubric."""),
    ("code", """\
data = load_qa(QA_PATH)
conv = sa.Conversations.from_frames(data.turns, source="qa_dev.jsonl")
res = sa.score(conv)
res"""),
    ("md", """\
## The reviews table

`sa.agreement` reads reviews in long form: one row per interaction and
reviewer, with `interaction_id`, `reviewer` and a column per principle and
`overall` (criterion columns, `principle.criterion`, are optional). An empty
cell is "not rated". The same table can be a CSV or Parquet file. Each
conversation's `raters` list holds the two passes; `qa_reviews` (beside `load_qa`)
lays them out so."""),
    ("code", """\
reviews = qa_reviews(QA_PATH)
reviews.head()"""),
    ("md", """\
## Agreement

The ratings are on 1..5, so `scale=(1, 5)` maps them onto serviceart's 0..100
(1 is 0, 3 is 50, 5 is 100). On the command line the same report is
`serviceart agreement RUN reviews.csv --scale 1,5`."""),
    ("code", """\
rep = sa.agreement(res, reviews, scale=(1, 5))
print(rep.format(show=5))"""),
    ("md", """\
Reading the table: the two passes agree closely with each other (overall rho
about 0.9, kappa about 0.8, three to four points apart on average), which is
the ceiling. serviceart agrees with each pass, and with their mean, clearly
but less (overall rho about 0.6, MAE about 16 points); kappa on bands is low
because serviceart puts many conversations one band away from the reviewers.
Three conversations have no agent turn or are not service requests: serviceart
does not score them, so they count only between the reviewers."""),
    ("code", """\
rep.principles.round(2)"""),
    ("md", """\
## Where they disagree

`rep.disagreements` lists every conversation and principle that serviceart
and the reviewers both scored, worst first: serviceart's score, the
reviewers' mean, the reviewer furthest away, and serviceart's top evidence
(the criterion that lost the most points and, when a cue is behind it, the
words that triggered it)."""),
    ("code", """\
rep.disagreements.head(8)"""),
    ("md", """\
Open the worst one as a scorecard to see why serviceart scored it as it did:"""),
    ("code", """\
worst = rep.disagreements["interaction_id"].iloc[0]
res.explain(worst)"""),
    ("md", """\
## serviceart against the reviewers' mean

Each point is a conversation (overall score); the dashed line is perfect
agreement."""),
    ("code", """\
own = res.scores.set_index("interaction_id")["overall"]
mean = 25 * (reviews.groupby("interaction_id")["overall"].mean() - 1)
pair = pd.concat({"serviceart": own, "reviewers": mean}, axis=1, join="inner").dropna()
fig, ax = plt.subplots(figsize=(5, 4))
ax.scatter(pair["reviewers"], pair["serviceart"], alpha=0.6)
ax.plot([0, 100], [0, 100], color="grey", lw=1, ls="--")
ax.set(xlabel="reviewers' mean overall (0..100)", ylabel="serviceart overall",
       xlim=(-5, 105), ylim=(-5, 105));"""),
]

DAILY = [
    ("md", """\
# A day of QA with serviceart

The round a QA lead makes every day, on the bundled samples
(`data/samples/`, 13 invented interactions): score yesterday's contacts,
hand the scores to the team as a spreadsheet, open an agent and their
lowest conversation, define a category of your own, apply it to the contacts
already scored, check its precision before trusting it, and see how
serviceart agrees with your reviewers. Each step has a command-line twin,
given beside it."""),
    ("code", setup_cell("import sys\nimport tempfile\n")),
    ("code", """\
WORK = Path(tempfile.mkdtemp(prefix="serviceart-day-"))  # where today's files go
WORK.is_dir()"""),
    ("md", """\
## 1. Score

`serviceart score data/samples -o runs/day` on the command line (with
`--redact` to replace personal data in everything written)."""),
    ("code", """\
res = sa.score(sa.read(SAMPLES))
res"""),
    ("md", """\
## 2. Export for the team

One flat row per interaction: when, channel, agent and team, the four scores
and overall with their bands, the criterion that lost the most points and one
evidence snippet (`serviceart export runs/day -o day.xlsx`). Excel gets that
sheet plus one sheet per table; a cell that a spreadsheet would run as a
formula is neutralised."""),
    ("code", """\
flat = res.to_frame()
flat[["interaction_id", "channel", "agent_id", "overall", "overall_band",
      "top_loss_criterion", "snippet"]].sort_values("overall").head(5)"""),
    ("code", """\
from serviceart.views.export import write_export

xlsx = write_export(res, WORK / "day.xlsx")
pd.ExcelFile(xlsx).sheet_names"""),
    ("md", """\
## 3. Open an agent

The agent with the lowest mean overall score, their conversations lowest
first, and the scorecard of the lowest: why it scored as it did, criterion by
criterion, with the words behind each. The report (`sa.report`, or
`serviceart report runs/day -o report.html`) has the same as pages: the
agents table links to a page per agent, and each conversation to its
scorecard."""),
    ("code", """\
agents = res.by("agent_id")
overall = agents[agents["principle"] == "overall"].sort_values("mean")
overall[["agent_id", "n", "mean"]].head(3)"""),
    ("code", """\
ax = sa.plot.agents(agents, "overall")"""),
    ("code", """\
agent = overall["agent_id"].iloc[0]
theirs = flat[flat["agent_id"] == agent].sort_values("overall")
theirs[["interaction_id", "channel", "overall", "top_loss_criterion"]]"""),
    ("code", """\
res.explain(theirs["interaction_id"].iloc[0])"""),
    ("code", """\
index = sa.report(res, WORK / "report.html")
pages = sorted(p.name for p in (WORK / "report_files").iterdir())
index.name, len(pages)"""),
    ("md", """\
## 4. A category of your own

A categories file holds phrases (and spaCy token patterns) a QA lead wants
found: here the recording disclosure at the start of a call, and refund talk
from either side. Each category becomes evidence rows and a measure
`category_<name>` that a rubric can score (see `docs/categories.md`).
`negation = true` keeps "this call is not recorded" from counting."""),
    ("code", """\
CATEGORIES = WORK / "categories.toml"
CATEGORIES.write_text('''
[[category]]
name = "recording_disclosure"
principle = "integrity"
role = "any"
phrases = ["calls may be recorded", "this call may be recorded", "calls are recorded",
           "this call is being recorded"]
window = "first 3 turns"
negation = true

[[category]]
name = "refund_talk"
role = "any"
phrases = ["refund", "money back", "refunded"]
''', encoding="utf-8")
cats = sa.load_categories(CATEGORIES)
cats.names, cats.measures"""),
    ("md", """\
## 5. Apply it to the contacts already scored

`sa.recategorise` (`serviceart recategorise runs/day --categories
categories.toml -o runs/day-v2`) finds the categories in the stored turns
and scores again with the rubric: no need to read the exports again, and the
contacts before the category was written count too."""),
    ("code", """\
res2 = sa.recategorise(res, cats)
res2.measures[["interaction_id", *cats.measures]].query(
    "category_recording_disclosure > 0 or category_refund_talk > 0")"""),
    ("md", """\
## 6. Check its precision before trusting it

A random sample of the hits, each in its turn with the turns around it
(`serviceart categories sample runs/day-v2 refund_talk -n 30`): read them and
count the ones that are right. The same seed shows the same sample."""),
    ("code", """\
from serviceart.views.categories import format_hits, sample_hits

hits = sample_hits(res2, "refund_talk", n=5, seed=1)
print(format_hits(hits, "refund_talk"))"""),
    ("md", """\
## 7. Agreement with your reviewers

`sa.agreement` (`serviceart agreement RUN reviews.csv`) compares serviceart
with each reviewer, and the reviewers with each other, per principle:
Spearman's rho, kappa on the rubric's bands and the mean absolute error, then
lists the conversations where they disagree most. The samples have no
reviews, so this step uses the QA development set from the shared data beside
the repository when it is there (88 conversations rated twice under
`QA_GUIDE.md`; the two passes stand for two reviewers; `05_agreement` goes
further). The default rubric's weights were fitted to these ratings, so the
agreement here is better than on conversations it has not seen."""),
    ("code", """\
ROOT = next(p for p in (Path(".."), Path(".")) if (p / "benchmarks").is_dir())
sys.path.insert(0, str(ROOT / "benchmarks"))
from outcome_sets import QA_PATH, load_qa, qa_reviews  # noqa: E402 (the benchmarks' loaders)

if QA_PATH.is_file():
    qa = sa.score(sa.Conversations.from_frames(load_qa(QA_PATH).turns, source="qa_dev.jsonl"))
    reviews = qa_reviews(QA_PATH)  # the two rating passes, one row per conversation and pass
    print(sa.agreement(qa, reviews, scale=(1, 5)).format(show=3))
else:
    print(f"{QA_PATH} is not beside the project: see notebooks/05_agreement.ipynb")"""),
]

NOTEBOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_explain_a_score.ipynb": EXPLAIN,
    "03_calibrate_and_fairness.ipynb": CALIBRATE,
    "04_daily_qa.ipynb": DAILY,
    "05_agreement.ipynb": AGREEMENT,
}


def build(cells: list[tuple[str, str]]) -> NotebookNode:
    """A notebook (nbformat 4.5, no outputs, stable cell ids) from (kind, source) pairs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for k, (kind, source) in enumerate(cells):
        cell = (nbformat.v4.new_markdown_cell(source) if kind == "md"
                else nbformat.v4.new_code_cell(source))
        cell["id"] = f"cell-{k:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    """The text of notebook ``name`` as this script writes it."""
    return nbformat.writes(build(NOTEBOOKS[name])) + "\n"


def main() -> int:
    for name in NOTEBOOKS:
        (HERE / name).write_text(render(name), encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

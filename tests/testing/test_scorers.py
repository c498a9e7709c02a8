"""check_scorer: every registered scorer passes; each kind of broken scorer is caught."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from serviceart.clock.calendar import BusinessCalendar
from serviceart.codebook import Measure
from serviceart.errors import ServiceartError
from serviceart.run.settings import ScoreSettings
from serviceart.scorers import Scorer, ScoringContext, default_scorers
from serviceart.testing.cases import cases
from serviceart.testing.scorers import check_scorer, scoring_context


@pytest.fixture(scope="module")
def ctx(nlp) -> ScoringContext:
    return scoring_context(nlp=nlp)


@pytest.fixture
def own_ctx(nlp) -> ScoringContext:
    """A context of the test's own, for scorers that damage it."""
    return scoring_context(nlp=nlp)


# -------------------------------------------------------------- a correct scorer and faults


class Questions(Scorer):
    """A correct scorer: questions the agent asked (``agent_questions``)."""

    name = "test_questions"
    columns = ("agent_questions",)

    def __init__(self, *, marks: str = "?") -> None:
        self.marks = marks

    def _counts(self, ctx: ScoringContext, marks: str | None = None) -> pd.Series:
        agent = ctx.turns[ctx.turns["role"].astype("string") == "agent"]
        asked = agent["text"].astype("string").str.count(f"[{marks or self.marks}]")
        return asked.groupby(agent["interaction_id"].astype("string")).sum().astype("float64")

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        return ctx.frame({"agent_questions": self._counts(ctx)}).fillna(
            {"agent_questions": 0.0})


class MutatesInput(Questions):
    """Adds a scratch column to one of the frames it reads."""

    def __init__(self, *, which: str = "turns", marks: str = "?") -> None:
        self.which, self.marks = which, marks

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        frame = getattr(ctx, self.which)
        frame["_scratch"] = 1
        return super().score(ctx)


class LowersInPlace(Questions):
    """Lowercases the turn texts in place (same shape, other values)."""

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        ctx.turns.loc[:, "text"] = ctx.turns["text"].str.lower()
        return super().score(ctx)


class OrderDependent(Questions):
    """Numbers the interactions by their position in the table."""

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        return ctx.frame({"agent_questions": np.arange(len(ctx.interactions))})


class SpeakerDependent(Questions):
    """Counts agent turns whose speaker name starts with "agent"."""

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        t = ctx.turns
        named = t["speaker"].astype("string").str.startswith("agent").fillna(False)
        n = named.groupby(t["interaction_id"].astype("string")).sum().astype("float64")
        return ctx.frame({"agent_questions": n})


class MissingColumn(Questions):
    columns = ("agent_questions", "agent_talk_share")


class UndeclaredColumn(Questions):
    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        return super().score(ctx).assign(question_marks=1.0)


class NotInCodebook(Questions):
    columns = ("agent_questions", "agent_mood")

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        return super().score(ctx).assign(agent_mood=0.5)


class OutOfRange(Scorer):
    """``agent_talk_share`` as agent words over customer words: above 1 at times."""

    name = "test_share"
    columns = ("agent_talk_share",)

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        t = ctx.turns
        words = t["text"].astype("string").str.split().str.len().astype("float64")
        by = [t["interaction_id"].astype("string"), t["role"].astype("string")]
        table = words.groupby(by).sum().unstack()
        return ctx.frame({"agent_talk_share": table["agent"] / table["customer"]})


class DropsRows(Questions):
    """Returns only the interactions where the agent asked something."""

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        counts = self._counts(ctx)
        counts = counts[counts > 0]
        return pd.DataFrame({"interaction_id": counts.index.to_numpy(),
                             "agent_questions": counts.to_numpy()})


class Random(Questions):
    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        return ctx.frame({"agent_questions": np.random.default_rng().integers(
            0, 5, len(ctx.interactions))})


class Raises(Questions):
    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        return ctx.frame({"agent_questions": ctx.turns["no_such_column"]})


class RenamesParameter(Questions):
    """Stores its parameter under another name: it cannot be rebuilt from get_params."""

    def __init__(self, *, marks: str = "?") -> None:
        self._marks = marks

    def score(self, ctx: ScoringContext) -> pd.DataFrame:
        return ctx.frame({"agent_questions": self._counts(ctx, self._marks)}).fillna(
            {"agent_questions": 0.0})


class ChangesParameter(Questions):
    """Stores a changed value, so a clone differs from the original."""

    def __init__(self, *, marks: str = "?") -> None:
        self.marks = marks + "?"


class WithLock(Questions):
    """Holds a lock: it cannot be pickled for a worker process."""

    def __init__(self, *, marks: str = "?", lock: object = None) -> None:
        self.marks = marks
        self.lock = threading.Lock() if lock is None else lock


# -------------------------------------------------------------- tests


@pytest.mark.parametrize("scorer", default_scorers(), ids=lambda s: s.name)
def test_every_registered_scorer_passes_on_the_sample(scorer, ctx):
    out = check_scorer(scorer, context=ctx)
    assert out["interaction_id"].tolist() == ctx.interactions["interaction_id"].tolist()
    assert list(out.columns) == ["interaction_id", *scorer.columns]


def test_every_registered_scorer_passes_with_a_calendar_and_other_settings(nlp):
    cal = BusinessCalendar(hours={"mon-fri": "09:00-17:30"}, tz="Europe/London")
    ctx = scoring_context(nlp=nlp, settings=ScoreSettings(
        calendar=cal, sla_s=120.0, case_window="2D", as_of="2026-03-05T12:00Z",
        promise_horizons={"email": "3D"}, tz="America/New_York"))
    assert ctx.calendar is cal and ctx.sla_s == 120.0
    # the ledger's end of data is the given as_of: the Friday email promise is still open
    status = ctx.promises.set_index("promise_id")["status"]
    assert status["mail-1:1:239"] == "open"
    for scorer in default_scorers():
        check_scorer(scorer, context=ctx)


def test_the_context_has_real_evidence_and_a_real_ledger(ctx):
    ev = ctx.evidence
    said = set(zip(ev["interaction_id"].astype(str), ev["cue"].astype(str), strict=True))
    assert {("call-1", "promise"), ("call-1", "hold"), ("call-3", "transfer"),
            ("mail-2", "chasing"), ("call-5", "disrespect")} <= said
    status = ctx.promises.set_index("promise_id")["status"].to_dict()
    assert status["call-1:4:0"] == "kept"  # the callback the next day
    assert status["mail-1:1:239"] == "broken"  # "on Friday", answered the week after
    assert status["chat-2:1:0"] == "open"
    # cases are linked: the callback by the customer window, the emails by their ticket
    case = ctx.interactions.set_index("interaction_id")["case_id"]
    assert case["call-1"] == case["call-2"] != case["chat-2"]
    assert case["mail-1"] == case["mail-2"] == "T-77"


def test_a_correct_scorer_passes_and_its_output_is_returned(ctx):
    out = check_scorer(Questions(), context=ctx).set_index("interaction_id")
    assert out.loc["call-2", "agent_questions"] == 1.0  # "anything else I can help with?"
    assert out.loc["call-1", "agent_questions"] == 0.0


@pytest.mark.parametrize("which", ["turns", "interactions", "evidence", "promises"])
def test_a_scorer_that_changes_its_input_is_caught(which, own_ctx):
    with pytest.raises(ServiceartError, match=rf"MutatesInput\(which='{which}', marks='\?'\) "
                       rf"changed its input ctx\.{which} \(as given\)"):
        check_scorer(MutatesInput(which=which), context=own_ctx)


def test_a_scorer_that_changes_values_in_place_is_caught(own_ctx):
    with pytest.raises(ServiceartError, match=r"LowersInPlace\(marks='\?'\) changed its input "
                       r"ctx\.turns \(as given\): .*text.* are different"):
        check_scorer(LowersInPlace(), context=own_ctx)


def test_an_unpicklable_scorer_is_caught(ctx):
    with pytest.raises(ServiceartError, match=r"WithLock\(.*\) cannot be pickled \(TypeError"):
        check_scorer(WithLock(), context=ctx)


def test_an_order_dependent_scorer_is_caught(ctx):
    with pytest.raises(ServiceartError, match=r"OrderDependent\(marks='\?'\) gave a different "
                       r"result with the interactions .* in another order"):
        check_scorer(OrderDependent(), context=ctx)


def test_a_scorer_that_reads_speaker_names_is_caught(ctx):
    with pytest.raises(ServiceartError, match=r"SpeakerDependent\(marks='\?'\) gave a "
                       r"different result with every speaker, agent id and customer id"):
        check_scorer(SpeakerDependent(), context=ctx)


def test_a_missing_column_is_caught(ctx):
    with pytest.raises(ServiceartError, match=r"MissingColumn\(marks='\?'\) returned columns "
                       r".*missing \['agent_talk_share'\], undeclared \[\]"):
        check_scorer(MissingColumn(), context=ctx)


def test_an_undeclared_column_is_caught(ctx):
    with pytest.raises(ServiceartError, match=r"UndeclaredColumn\(marks='\?'\) returned "
                       r"columns .*undeclared \['question_marks'\]"):
        check_scorer(UndeclaredColumn(), context=ctx)


def test_a_column_outside_the_codebook_is_caught_unless_documented(ctx):
    with pytest.raises(ServiceartError, match=r"NotInCodebook\(marks='\?'\) declares "
                       r"\['agent_mood'\], which are neither codebook measures nor cues"):
        check_scorer(NotInCodebook(), context=ctx)
    mood = Measure("agent_mood", "respect", "share", "how calm the agent sounds")
    out = check_scorer(NotInCodebook(), context=ctx, extra_columns={"agent_mood": mood})
    assert (out["agent_mood"] == 0.5).all()


def test_values_out_of_range_are_caught(ctx):
    with pytest.raises(ServiceartError, match=r"OutOfRange\(\): column 'agent_talk_share' "
                       r"must be between 0 and 1, got call-1=.*"):
        check_scorer(OutOfRange(), context=ctx)


def test_a_documented_column_is_checked_against_its_unit(ctx):
    flag = Measure("agent_mood", "respect", "flag", "1 when the agent sounds calm")
    with pytest.raises(ServiceartError, match=r"column 'agent_mood' must be 0 or 1, "
                       r"got call-1=0\.5"):
        check_scorer(NotInCodebook(), context=ctx, extra_columns={"agent_mood": flag})


def test_lost_rows_are_caught(ctx):
    with pytest.raises(ServiceartError, match=r"DropsRows\(marks='\?'\) must return one row "
                       r"per interaction: got 2 rows for 12 interactions \(lost "
                       r"\['call-1', 'call-3', 'call-4', 'call-5', 'chat-1'\]"):
        check_scorer(DropsRows(), context=ctx)


def test_a_random_scorer_is_caught(ctx):
    with pytest.raises(ServiceartError, match=r"Random\(marks='\?'\) gave a different result "
                       r"on a second run"):
        check_scorer(Random(), context=ctx)


def test_an_exception_names_the_scorer(ctx):
    with pytest.raises(ServiceartError, match=r"Raises\(marks='\?'\) raised KeyError "
                       r"\(as given\): 'no_such_column'"):
        check_scorer(Raises(), context=ctx)


def test_a_scorer_that_renames_its_parameters_cannot_be_cloned(ctx):
    with pytest.raises(ServiceartError, match=r"cannot be rebuilt from its parameters: "
                       r"RenamesParameter\(\*\*\{'_marks': '\?'.*\) raised TypeError"):
        check_scorer(RenamesParameter(), context=ctx)


def test_a_scorer_that_changes_its_parameters_is_caught_by_the_clone(ctx):
    with pytest.raises(ServiceartError, match=r"ChangesParameter\(marks='\?\?'\) is not stored "
                       r"as given: rebuilt from its parameters it has \{'marks': '\?\?\?'\}"):
        check_scorer(ChangesParameter(), context=ctx)


def test_the_old_call_with_conversations_still_works(nlp):
    from serviceart.testing import check_scorer as exported
    from serviceart.testing import sample_cases

    assert exported is check_scorer
    conv = sample_cases().conversations()
    out = exported(Questions(), conv, nlp=nlp)
    assert len(out) == len(conv.interactions)


# -------------------------------------------------------------- properties over drawn cases

@pytest.mark.slow
@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cs=cases())
def test_every_scorer_meets_the_contract_on_drawn_cases(cs, nlp):
    conv = cs.conversations()
    ctx = scoring_context(conv, settings=ScoreSettings(case_window=cs.window), nlp=nlp)
    ids = set(conv.interactions["interaction_id"].astype(str))
    for scorer in default_scorers():
        out = check_scorer(scorer, context=ctx)  # ranges, order, renaming, pickling, clone
        assert set(out["interaction_id"].astype(str)) == ids
        assert len(out) == len(ids)

"""Pattern files: every label a codebook cue, every cue covered, positives and near-misses."""

from __future__ import annotations

import json

import pytest

import serviceart as sa
from serviceart.codebook import CUES
from serviceart.cues.rules import _pattern_dir, load_patterns
from tests.conftest import cues_of

# cue -> (a turn that carries it, the span text expected, a near-miss without it)
CASES: dict[str, tuple[str, str, str]] = {
    "greeting": ("Good morning, you're through to Priya in billing.", "Good morning",
                 "I'll ring you tomorrow morning."),
    "courtesy": ("Thanks so much for your patience.", "Thanks",
                 "The refund went through."),
    "apology": ("I'm so sorry about the double charge.", "sorry",
                "Sorry? Could you repeat that?"),
    "empathy": ("I can imagine how stressful that must be.", "I can imagine",
                "I can see your order here."),
    "active_listening": ("So what you're saying is the router drops every evening.",
                         "what you're saying is", "Just to confirm, did you restart it?"),
    "disrespect": ("Calm down, as I already explained, that's not my problem.", "Calm down",
                   "Not a problem at all!"),
    "transfer": ("Let me transfer you to our billing team.", "transfer you",
                 "The money transfer arrived yesterday."),
    "escalation": ("I'm escalating this to my supervisor today.", "escalating",
                   "The issue hasn't needed any changes."),
    "redirect": ("Please send us a DM with your order number.", "DM",
                 "I've emailed you the receipt."),
    "hold": ("Bear with me while I look that up.", "Bear with me",
             "I've been on hold for ages."),
    "action_taken": ("I've processed the refund to your card.", "I've processed",
                     "The refund hasn't been processed yet."),
    "extra_mile": ("I've also waived the late fee as a goodwill gesture.", "I've also",
                   "There is a late fee on the account."),
    "anything_else": ("Is there anything else I can help you with today?", "anything else",
                      "How can I help you today?"),
    "repeat_request": ("As I said, my account number is 4471.", "As I said",
                       "My account number is 4471."),
    "admits_unknown": ("I don't know offhand, but I'll find out.", "I don't know",
                       "Do you know your account number?"),
    "bad_news": ("Unfortunately we can't refund opened items.", "Unfortunately",
                 "We can refund opened items within 30 days."),
    "explanation": ("The charge appeared because the trial ended on the 3rd.", "because",
                    "The charge appeared on the 3rd."),
    "overpromise": ("I guarantee this will never happen again.", "I guarantee",
                    "I can't guarantee that, but I'll try."),
    "deflection": ("There's nothing I can do, it's company policy.", "nothing I can do",
                   "Here's what I can do for you."),
    "vague_stall": ("Someone will get back to you at some point.", "Someone will get back",
                    "Dana will call you at 3pm today."),
    "hedge": ("I think it's the router, probably.", "I think",
              "May I have your account number?"),
    "promise": ("I'll call you back tomorrow before noon.", "I'll call you back",
                "I won't be able to call you back today."),
    "next_steps": ("You'll receive a confirmation email within the hour.", "You'll receive",
                   "Did you receive a confirmation email?"),
    "resolution_check": ("Does that fix it for you?", "Does that fix",
                         "That should fix it."),
    "follow_up": ("Hi, I'm following up on our call yesterday about your order.",
                  "following up", "Hi, I'm calling about a new order."),
    "resolution_confirmed": ("That worked, thank you!", "That worked",
                             "That didn't work at all."),
    "unresolved": ("It's still not working after the reset.", "still not working",
                   "It's working after the reset."),
    "chasing": ("This is the third time I've written, any update?", "third time",
                "This is my first message about it."),
}


def test_cases_cover_the_codebook():
    assert set(CASES) == set(CUES)


def test_every_pattern_label_is_a_codebook_cue_and_every_cue_has_patterns():
    labels = set()
    for path in sorted(_pattern_dir().glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                if "label" in obj:
                    labels.add(obj["label"])
    assert labels <= set(CUES)
    assert load_patterns().labels == set(CUES)


@pytest.mark.parametrize("cue", sorted(CASES))
def test_positive(cue, nlp):
    text, span, _ = CASES[cue]
    found = cues_of(text, nlp)
    assert any(c == cue and span in s for c, s in found), found


@pytest.mark.parametrize("cue", sorted(CASES))
def test_near_miss(cue, nlp):
    _, _, text = CASES[cue]
    assert cue not in [c for c, _ in cues_of(text, nlp)]


@pytest.mark.parametrize("text", [
    "Please DM us and we'll take a look.",
    "Send us a DM. We'll look into it.",
    "Let me transfer you to billing and they will sort it.",
])
def test_commitment_belonging_to_a_redirect_or_transfer_is_not_a_promise(text, nlp):
    assert "promise" not in [c for c, _ in cues_of(text, nlp)]


def test_commitment_that_stands_alone_is_a_promise_beside_a_redirect(nlp):
    found = [c for c, _ in cues_of(
        "We'll check this for you. Can you send the booking reference by DM?", nlp)]
    assert "promise" in found and "redirect" in found


@pytest.mark.parametrize("text", ["I’ll call you back", "I WILL CALL YOU BACK",
                                  "I’LL CALL YOU BACK", "we'll call you back",
                                  "I will call you back"])
def test_contractions_case_and_typographic_quotes(text, nlp):
    assert [c for c, _ in cues_of(text, nlp)] == ["promise"]


def test_offsets_index_the_original_text(nlp):
    text = "Hello! I’m sorry, I’ll email you by Friday."
    for cue, s, e in sa.detect([text], nlp=nlp)[0]:
        assert text[s:e].strip() == text[s:e] and e > s, cue


def test_malformed_pattern_file_names_file_and_line(tmp_path):
    for name in ("respect", "service", "integrity", "follow_through"):
        (tmp_path / f"{name}.jsonl").write_text('{"label": "courtesy", "pattern": "thanks"}\n')
    (tmp_path / "service.jsonl").write_text('{"label": "courtesy", "pattern": "x"}\n'
                                            '{"label": "kindness", "pattern": "x"}\n')
    with pytest.raises(sa.ConfigError, match=r"service.jsonl.*line 2.*'kindness'"):
        load_patterns(tmp_path)


@pytest.mark.parametrize(("text", "absent"), [
    ("Have a lovely evening.", "greeting"),  # a closing, not an opening
    ("There's no need to apologise.", "apology"),
    ("It would be great if that worked.", "resolution_confirmed"),
    ("If it's still not working, let us know.", "unresolved"),
])
def test_more_near_misses(text, absent, nlp):
    assert absent not in [c for c, _ in cues_of(text, nlp)]


@pytest.mark.parametrize(("text", "cue"), [
    ("We're not able to deliver to PO boxes.", "bad_news"),
    ("It's still freezing every few minutes.", "unresolved"),
    ("Restarting didn't help.", "unresolved"),
])
def test_more_positives(text, cue, nlp):
    assert cue in [c for c, _ in cues_of(text, nlp)]

"""Redaction: what is found, what is kept, and that scores do not change."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import serviceart as sa
from serviceart.errors import ConfigError
from serviceart.redact import (
    ENTITIES,
    Redactor,
    entity_types,
    export_names,
    pseudonym,
    redact_result,
    redact_tables,
    redact_text,
)
from serviceart.run.settings import ScoreSettings
from serviceart.testing.pii import card_numbers, emails, pii_sentences

# -------------------------------------------------------------- what is found
FOUND = [
    # cards, whole or split by spaces or dashes (all pass the Luhn check)
    ("my card is 4111 1111 1111 1111 thanks", "my card is [CARD] thanks"),
    ("card: 4111-1111-1111-1111.", "card: [CARD]."),
    ("5500005555555559 was charged twice", "[CARD] was charged twice"),
    ("amex 3782 822463 10005 please", "amex [CARD] please"),
    # e-mails, plain, in HTML, escaped, spelled out
    ("write to maria.lopez@example.com today", "write to [EMAIL] today"),
    ('<a href="mailto:maria.lopez@example.com">maria.lopez@example.com</a>',
     '<a href="mailto:[EMAIL]">[EMAIL]</a>'),
    ("reply to maria&#64;example.co.uk or maria&#x40;example.org",
     "reply to [EMAIL] or [EMAIL]"),
    ("mail bob [at] mailhost [dot] com", "mail [EMAIL]"),
    # phones
    ("call me on +44 20 7946 0958", "call me on [PHONE]"),
    ("my number is (212) 555-0147.", "my number is [PHONE]."),
    ("ring 020 7946 0958 after 5", "ring [PHONE] after 5"),
    ("text +4915112345678", "text [PHONE]"),
    ("my mobile is 07700 900123", "my mobile is [PHONE]"),          # a six-digit group
    ("or +44 7700 900123 after 6", "or [PHONE] after 6"),
    # IBANs (mod-97 checked), national ids, IP addresses
    ("IBAN GB82 WEST 1234 5698 7654 32 please", "IBAN [IBAN] please"),
    ("pay DE89370400440532013000 now", "pay [IBAN] now"),
    # a long number that fails the IBAN check is still hidden, as a phone number
    ("IBAN GB82 WEST 1234 5698 7654 33", "IBAN GB82 WEST [PHONE]"),
    ("SSN 123-45-6789 on file", "SSN [ID] on file"),
    ("NI number AB 12 34 56 C", "NI number [ID]"),
    ("from 192.168.0.12 and 2001:db8::1", "from [IP] and [IP]"),
    # addresses and postcodes, account and order numbers
    ("ship to 221B Baker Street, London NW1 6XE", "ship to [ADDRESS], London [ADDRESS]"),
    ("I live at 42 Elm Road.", "I live at [ADDRESS]"),
    ("account number is 12345678", "account number is [NUMBER]"),
    ("order #A-99812 never came", "order #[NUMBER] never came"),
    ("ref: 88213409 thanks", "ref: [NUMBER] thanks"),
    # names after greetings, sign-offs and introductions
    ("Hi Maria, thanks for waiting.", "Hi [NAME], thanks for waiting."),
    ("Dear Mr. Smith,\nYour refund is on its way.", "Dear Mr. [NAME],\nYour refund is on its way."),
    ("Hello John!", "Hello [NAME]!"),
    ("Good morning Anna.", "Good morning [NAME]."),
    ("That's all. Kind regards, Sam Patel", "That's all. Kind regards, [NAME]"),
    ("you're speaking with Nina today", "you're speaking with [NAME] today"),
]

KEPT = [
    "card 4111 1111 1111 1112 fails the Luhn check",  # looks like a card, is not one
    "IBAN DE89370400440532013001",  # fails the mod-97 check
    "on 2017-10-31 at 10:30:00 we shipped 3 items for $1,250.00",
    "update to iOS 11.1 or version 10.2.3, 24/7 support, 5 bars LTE",
    "999.1.1.1 is not an address",
    "Hi there, Hello team! Dear Customer, thanks",
    "Hello, My apologies for the wait.",  # a greeting then a new sentence
    "Samsung and Samantha are other words",
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_personal_data_is_replaced_by_its_type(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_text_that_only_looks_personal_is_kept(text: str) -> None:
    assert redact_text(text, names=["Sam"]) == text


def test_only_the_entity_types_asked_for_are_redacted() -> None:
    text = "card 4111 1111 1111 1111, mail a.b@example.com, Hi Maria,"
    assert redact_text(text, ["card"]) == "card [CARD], mail a.b@example.com, Hi Maria,"
    assert redact_text(text, "email,name") == "card 4111 1111 1111 1111, mail [EMAIL], Hi [NAME],"
    assert redact_text(text, False) == text


def test_names_from_the_export_are_redacted_as_whole_words() -> None:
    names = export_names(pd.DataFrame({"speaker": ["Maria Lopez", "agent", "1", "nina.r"],
                                       "role": ["customer", "agent", "agent", "agent"]}),
                         None)
    assert {"Maria", "Lopez", "Maria Lopez", "nina.r", "Nina"} <= set(names)
    assert "agent" not in names and "1" not in names  # role words and labels
    red = Redactor(names=names)
    assert red.redact("Maria Lopez called; Lopezville is a town; ask nina.r or Nina") == \
        "[NAME] called; Lopezville is a town; ask [NAME] or [NAME]"


def test_texts_scanned_together_never_share_a_match() -> None:
    red = Redactor(names=["Maria"])
    # each piece alone is nothing; joined they would be a phone, a greeting, an e-mail
    texts = ["call me on 020", "7946 please", "Hi", "Maria, hello", "a.b@", "example.com"]
    spans = red.spans_of(texts)
    assert spans[3] == [(0, 5, "[NAME]")]  # the deny-listed name, in its own text
    assert [s for k, s in enumerate(spans) if k != 3] == [[]] * 5
    assert redact_text("call me on 020 7946 0958") == "call me on [PHONE]"
    assert red.spans_of(texts[2:4]) == [red.spans(texts[2]), red.spans(texts[3])]


@given(pii_sentences(card_numbers()))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_a_valid_card_number_never_survives(item: tuple[str, str]) -> None:
    sentence, digits = item
    out = redact_text(sentence, ["card"])
    assert "[CARD]" in out
    assert digits not in "".join(ch for ch in out if ch.isdigit())


@given(pii_sentences(card_numbers(valid=False)))
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_a_number_failing_the_luhn_check_is_kept(item: tuple[str, str]) -> None:
    sentence, _ = item
    assert redact_text(sentence, ["card"]) == sentence


@given(pii_sentences(emails()))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_an_email_never_survives_in_any_form(item: tuple[str, str]) -> None:
    sentence, address = item
    out = redact_text(sentence, ["email"])
    assert "[EMAIL]" in out
    assert address not in out and address.split("@")[1] not in out


# -------------------------------------------------------------- settings and errors
def test_entity_types_are_checked_and_named() -> None:
    assert entity_types(True) == ENTITIES
    assert entity_types(None) == () == entity_types(False)
    assert entity_types(["name", "card"]) == ("card", "name")  # in data-file order
    with pytest.raises(ConfigError, match=r"unknown entity type 'cards'.*card") as info:
        entity_types(["cards"])
    assert info.value.code == "SA-C273"
    with pytest.raises(ConfigError, match=r"redact \(--redact/--redact-types\): unknown"):
        ScoreSettings(redact="emails")


def test_settings_record_the_redaction_and_rebuild_it() -> None:
    s = ScoreSettings(redact=["email", "card"])
    assert s.redact == ("email", "card")
    assert s.to_dict()["redact"] == ["email", "card"]
    assert ScoreSettings.from_dict(s.to_dict()) == s
    assert ScoreSettings().redact == ()
    assert ScoreSettings(redact=True).redact == ENTITIES


# -------------------------------------------------------------- tables
def test_evidence_offsets_follow_the_redacted_turn_text() -> None:
    turns = pd.DataFrame({
        "interaction_id": pd.array(["c1", "c1"], dtype="string"), "turn_index": [0, 1],
        "role": ["customer", "agent"], "speaker": ["maria@example.com", "Sam"],
        "text": pd.array(["I'm Maria, my card 4111 1111 1111 1111 was charged",
                          "Hi Maria, thank you, I will refund 4111 1111 1111 1111 today"],
                         dtype="string")})
    text = turns["text"][1]
    spans = [("courtesy", text.index("thank you"), len("thank you")),
             ("promise", text.index("I will refund"), len("I will refund 4111")),
             ("greeting", 0, 2)]
    ev = pd.DataFrame({"interaction_id": pd.array(["c1"] * 3, dtype="string"),
                       "turn_index": [1, 1, 1], "role": ["agent"] * 3,
                       "cue": [c for c, _, _ in spans],
                       "start_char": [s for _, s, _ in spans],
                       "end_char": [s + n for _, s, n in spans],
                       "text": pd.array([text[s:s + n] for _, s, n in spans], dtype="string"),
                       "detail": pd.array([pd.NA] * 3, dtype="string")})
    out = redact_tables({"turns": turns, "evidence": ev}, ENTITIES)
    new = out["turns"]["text"][1]
    assert new == "Hi [NAME], thank you, I will refund [CARD] today"
    assert out["turns"]["text"][0] == "I'm [NAME], my card [CARD] was charged"
    got = out["evidence"]
    for s, e, t in zip(got["start_char"], got["end_char"], got["text"], strict=True):
        assert new[s:e] == t
    assert list(got["text"]) == ["thank you", "I will refund [CARD]", "Hi"]
    # the customer's speaker is a stable pseudonym; the agent's stays
    assert list(out["turns"]["speaker"]) == [pseudonym("maria@example.com"), "Sam"]
    assert pseudonym("maria@example.com").startswith("customer-")


def test_redaction_leaves_scores_unchanged_on_real_data(shared_data: Path, nlp) -> None:
    conv = sa.read(shared_data / "twcs" / "twcs.csv")
    plain = sa.score(conv, nlp=nlp)
    red = sa.score(conv, nlp=nlp, redact=True)
    for table in ("scores", "measures", "contributions", "bands"):
        pd.testing.assert_frame_equal(getattr(plain, table), getattr(red, table))
    assert red.run_info["settings"]["redact"] == list(ENTITIES)
    assert len(red.evidence) == len(plain.evidence)
    pd.testing.assert_series_equal(plain.evidence["cue"], red.evidence["cue"])
    # every evidence row still quotes its (redacted) turn exactly
    text = red.turns.set_index(["interaction_id", "turn_index"])["text"]
    for iid, k, s, e, quote in red.evidence[["interaction_id", "turn_index", "start_char",
                                              "end_char", "text"]].itertuples(index=False):
        assert text[(iid, k)][s:e] == quote
    # the customers' handles (their ids, quoted as @115712) are gone from the text
    ids = plain.interactions["customer_id"].dropna().astype(str)
    long_ids = [i for i in ids.unique() if len(i) >= 6]
    joined = " ".join(red.turns["text"].astype(str))
    assert long_ids and not [i for i in long_ids if f"@{i} " in joined]
    pseudonyms = red.interactions["customer_id"].dropna().astype(str)
    assert len(pseudonyms) and pseudonyms.str.fullmatch(r"customer-[0-9a-f]{12}").all()
    changed = (plain.turns["text"] != red.turns["text"]).sum()
    assert 0 < changed < len(plain.turns)


def test_redaction_on_the_samples_hides_names_numbers_and_emails(samples_dir: Path,
                                                                 nlp) -> None:
    conv = sa.read(samples_dir)
    plain = sa.score(conv, nlp=nlp)
    red = sa.score(conv, nlp=nlp, redact=True)
    pd.testing.assert_frame_equal(plain.scores, red.scores)
    before = " ".join(plain.turns["text"].astype(str))
    after = " ".join(red.turns["text"].astype(str))
    assert "Nina" in before and "Nina" not in after
    assert "[NAME]" in after
    for column in ("promises",):
        assert len(getattr(red, column)) == len(getattr(plain, column))


def test_redact_result_redacts_a_stored_run(sample_result: sa.Result, tmp_path: Path) -> None:
    folder = sample_result.to_parquet(tmp_path / "run")
    res = sa.Result.from_parquet(folder)
    red = redact_result(res)
    assert red.run_info["redacted"] == list(ENTITIES)
    pd.testing.assert_frame_equal(res.scores[["interaction_id", "overall"]],
                                  red.scores[["interaction_id", "overall"]])
    assert "Nina" not in " ".join(red.turns["text"].astype(str))
    assert "Nina" not in str(red.explain(str(red.scores["interaction_id"].iloc[0])))


def test_batch_run_and_report_are_redacted(samples_dir: Path, tmp_path: Path) -> None:
    from serviceart.cli import app

    runner = CliRunner()
    out = tmp_path / "run"
    got = runner.invoke(app, ["score", str(samples_dir), "-o", str(out), "--jobs", "1",
                              "--redact"])
    assert got.exit_code == 0, got.output
    info = json.loads((out / "run.json").read_text())
    assert info["settings"]["redact"] == list(ENTITIES)
    res = sa.Result.from_parquet(out)
    assert "Nina" not in " ".join(res.turns["text"].astype(str))
    assert res.settings is not None and res.settings.redact == ENTITIES
    # a run scored without redaction, reported with it
    plain = tmp_path / "plain"
    assert runner.invoke(app, ["score", str(samples_dir), "-o", str(plain), "--jobs",
                               "1"]).exit_code == 0
    page = tmp_path / "report.html"
    got = runner.invoke(app, ["report", str(plain), "-o", str(page), "--redact-types",
                              "name,email"])
    assert got.exit_code == 0, got.output
    html = page.read_text()
    assert "[NAME]" in html and "Nina" not in html
    bad = runner.invoke(app, ["report", str(plain), "-o", str(page), "--redact-types",
                              "names"])
    assert bad.exit_code == 2 and "unknown entity type 'names'" in bad.output


@pytest.mark.slow
def test_dask_redacts_as_the_local_engine_does(samples_dir: Path, nlp) -> None:
    dask = pytest.importorskip("dask")
    sad = pytest.importorskip("serviceart.dask")
    settings = ScoreSettings(redact=True)
    with dask.config.set(scheduler="synchronous"):
        res = sad.score(samples_dir, settings=settings).compute()
    ref = sa.score(sa.read(samples_dir), nlp=nlp, redact=True)
    key = ["interaction_id", "turn_index"]
    got = res.turns.sort_values(key).reset_index(drop=True)
    want = ref.turns.sort_values(key).reset_index(drop=True)
    assert got["text"].tolist() == want["text"].tolist()
    assert got["speaker"].tolist() == want["speaker"].tolist()
    assert res.run_info["settings"]["redact"] == list(ENTITIES)


def test_names_with_and_without_spaces_are_found_whole():
    """Names of word characters are looked up word by word, the others (a space, a dot)
    by a pattern; a longer name is kept whole where a shorter one starts it, and a
    name inside a longer word is no name."""
    red = Redactor(("name",), ("Maria", "Maria Lopez", "dana.k", "115712", "Lopez"))
    assert red.redact("Hi Maria Lopez, Maria here") == "Hi [NAME], [NAME] here"
    assert red.redact("@115712 thanks, dana.k here") == "@[NAME] thanks, [NAME] here"
    assert red.redact("Marianne and 1157123 and Lopezes") == "Marianne and 1157123 and Lopezes"
    assert red.redact("MARIA LOPEZ") == "MARIA LOPEZ"  # names are matched as the export wrote them


# -------------------------------------------------------------- fewer passes, same findings
def _scanning_every_text(red: Redactor) -> Redactor:
    """``red`` with the ``needs`` of its patterns dropped: every pattern scans every text."""
    from dataclasses import replace

    full = Redactor(red.entities, red.names)
    object.__setattr__(full, "_rules", tuple(replace(r, needs=None) for r in full._rules))
    return full


HOSTILE = [
    '<p>Mail <a href="mailto:ann.lee@example.org">me</a> or ann&#64;example.org</p>',
    "card 4111 1111 1111 1111\nand again 4111-1111-1111-1111; sms +44 7700 900123",
    "@AmazonHelp @115712 thanks, no digits here, no mail either",
    "@AmazonHelp my order 112-5577 never came, ref 88213409",
    "Kind regards, Sam Patel\nSent from 10.0.0.1 at 12:30",
]


@given(pii_sentences(emails()))
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_skipping_texts_without_what_a_pattern_needs_finds_the_same(item: tuple[str, str]
                                                                     ) -> None:
    sentence, _ = item
    texts = [sentence, *(t for t, _ in FOUND), *KEPT, *HOSTILE]
    red = Redactor(names=("Maria", "115712", "AmazonHelp"))
    assert any(r.needs is not None for r in red._rules)
    assert red.spans_of(texts) == _scanning_every_text(red).spans_of(texts)


def test_sign_offs_are_found_from_their_comma() -> None:
    cases = [
        ("Many thanks, Sam", "Many thanks, [NAME]"),
        ("Best wishes, Dr. Ann Lee", "Best wishes, Dr. [NAME]"),
        ("Yours truly,\nBob", "Yours truly,\n[NAME]"),
        ("Best regards,Sam", "Best regards,[NAME]"),
        ("Cheers, Team", "Cheers, Team"),          # a word that is no name
        ("Nothanks, Sam", "Nothanks, Sam"),        # the sign-off must be a whole word
        ("THANKS, Sam", "THANKS, Sam"),            # written as the patterns spell it
        ("Hi, Sam.", "Hi, [NAME]."),               # a greeting, not a sign-off
    ]
    for text, expected in cases:
        assert redact_text(text, ["name"]) == expected, text


def test_a_name_is_placed_where_it_stands_as_a_whole_word() -> None:
    red = Redactor(("name",), ("Maria", "María", "115712"))
    text = "Mariana asked Maria_x, then Maria; Maríana and María; 1157123 @115712"
    assert red.redact(text) == ("Mariana asked Maria_x, then [NAME]; Maríana and [NAME]; "
                                "1157123 @[NAME]")
    spans = red.spans_of(["Maria", "", "no name", "xMaria Maria"])
    assert spans == [[(0, 5, "[NAME]")], [], [], [(7, 12, "[NAME]")]]


def test_a_column_with_repeated_values_is_redacted_row_by_row() -> None:
    red = Redactor(names=("Maria",))
    col = pd.Series(["Hi Maria, ok", pd.NA, "Hi Maria, ok", "nothing", "mail a@b.com"],
                    dtype="string", name="text")
    new, changed = red._column(col)
    assert new.tolist() == ["Hi [NAME], ok", pd.NA, "Hi [NAME], ok", "nothing", "mail [EMAIL]"]
    assert sorted(changed) == [0, 2, 4] and changed[0] == changed[2] == [(3, 8, "[NAME]")]
    assert new.dtype == col.dtype and new.name == "text"

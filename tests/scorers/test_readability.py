"""reading_ease equals textstat's Flesch reading ease, on real and generated texts."""

from __future__ import annotations

import pandas as pd
import pytest
import textstat
from hypothesis import given, settings
from hypothesis import strategies as st

from serviceart.scorers.readability import reading_ease


def test_equals_textstat_on_real_customer_service_texts(shared_data):
    texts = pd.read_csv(shared_data / "twcs" / "twcs.csv", nrows=3000)["text"].dropna(
    ).astype(str).tolist()
    joined = [" ".join(texts[i:i + 6]) for i in range(0, len(texts), 6)]  # whole threads
    for text in texts + joined:
        assert reading_ease(text) == textstat.flesch_reading_ease(text), text


@pytest.mark.parametrize("text", [
    "", "   ", "...", "Hi", "Don't! 'quoted' rock'n'roll -- well-being; e-mail",
    "123 456 7.5%", "ÉCOLE café naïve", "I'll call you back tomorrow. Thanks!!! ok",
])
def test_equals_textstat_on_edge_cases(text):
    assert reading_ease(text) == textstat.flesch_reading_ease(text)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("abcdefghij KLM.,!?'-\n")), max_size=120))
def test_equals_textstat_on_generated_text(text):
    assert reading_ease(text) == textstat.flesch_reading_ease(text)

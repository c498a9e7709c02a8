"""normalise counts letters and capitals the same way as the plain per-character
rule it replaced (kept below), on real support text and on generated Unicode."""

from __future__ import annotations

import string

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from serviceart.cues.pipeline import normalise

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                         "\u02bc": "'"})
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def reference(text: str) -> str:
    """The rule, one character at a time."""
    text = text.translate(_QUOTES)
    letters = sum(c.isalpha() for c in text)
    if letters >= 4 and sum(c.isupper() for c in text) >= 0.6 * letters:
        text = text.translate(_ASCII_LOWER)
    return text


def test_equals_the_rule_on_real_support_text(shared_data):
    texts = pd.read_csv(shared_data / "twcs" / "twcs.csv", index_col=0, lineterminator="\n"
                        )["text"].dropna().astype(str).tolist()
    assert sum(not t.isascii() for t in texts) > 100
    assert [normalise(t) for t in texts] == [reference(t) for t in texts]


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("aBcDEF xyZ'?!\u2019\u201cÉéÀßǅⒶⓐ😀ΣσИи1²_")),
               max_size=30))
def test_equals_the_rule_on_generated_unicode(text):
    assert normalise(text) == reference(text)

"""Social support threads of known scope: service requests, praise and banter, brand
broadcasts, and threads no agent answered (see :mod:`serviceart.scope`).

:func:`social_threads` draws a turn table of Twitter-like threads, each with the scope
it must get (``service``, ``non_service`` or ``no_agent``). The texts are written in
the shape of real support tweets (handles, links, hashtags, emoji, signatures);
service requests include complaints with no question mark, and praise that turns
into a complaint.

Examples
--------
>>> from hypothesis import given, settings
>>> @settings(max_examples=5, database=None)
... @given(social_threads())
... def check(threads):
...     assert set(threads.expected) == set(threads.turns["interaction_id"])
>>> check()
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from hypothesis import strategies as st

__all__ = ["BANTER", "BROADCASTS", "REQUESTS", "SocialThreads", "social_threads"]

#: first tweets of real service requests, several with no question mark
REQUESTS: tuple[str, ...] = (
    "@Brand my package was left on the porch in the rain again, nobody rang the bell",
    "@Brand I've been charged twice for the same order. Order 55102",
    "Love @Brand but my internet has been down since this morning",
    "@Brand data barely working, full signal but nothing loads &amp; it's very slow, help!",
    "@Brand the app keeps crashing when I open my basket https://t.co/x1Ab2Cd3",
    "Thanks for nothing @Brand #fail #neveragain https://t.co/Zz9Yy8Xx",
    "@Brand where is my refund",
    "@Brand can you DM me, I have a question about my bill",
    "@Brand flight 1416 delayed 3 hours and still no update at the gate",
    "@Brand I need to change the address on my account",
    "@Brand the new update drained my battery in two hours",
    "Great job @Brand, another cancelled train and no announcement. Brilliant.",
)

#: first tweets that ask for nothing: praise, thanks, banter
BANTER: tuple[str, ...] = (
    "Best burrito ever @Brand ❤️",
    "Shoutout to the crew on flight 560 @Brand, you rock! #YouRock",
    "Getting my $3 boorito from @Brand is becoming a Halloween tradition #thebest",
    "Thank you @Brand for the free drinks tonight 🙌",
    "I love you @Brand",
    "Wow, great service from @Brand today! Thank you!",
)

#: a brand's own posts (addressed to no one) that customers reply to
BROADCASTS: tuple[str, ...] = (
    "Our autumn menu is here! The pumpkin latte is back today 🎃 https://t.co/Ab12Cd34",
    "Dress up this Halloween and get a $3 burrito at any of our restaurants 👻",
)

#: customer replies to a broadcast that ask for nothing
CHEERS: tuple[str, ...] = ("love this!", "Yum 😍", "Best news all week 🎉")

#: agent replies
AGENT_SERVICE: tuple[str, ...] = (
    "@cust Sorry to hear that. Please DM us your order number and we'll look into it. ^AB",
    "@cust We'd like to help. Can you send us a DM with your account details? -Kim",
)
AGENT_BANTER: tuple[str, ...] = (
    "@cust We love you right back! -Becky", "@cust Thanks for stopping by! -Becky",
    "@cust Glad you enjoyed it! ^SL",
)


@dataclass
class SocialThreads:
    """A drawn turn table and the scope each of its interactions must get."""

    turns: pd.DataFrame
    expected: dict[str, str]


@st.composite
def social_threads(draw: st.DrawFn, max_threads: int = 6) -> SocialThreads:
    """A turn table of 1..``max_threads`` social threads of known scope.

    Each thread is one of: a service request answered by an agent (``service``), the
    same unanswered (``no_agent``), praise answered by an agent (``non_service``), or
    a brand broadcast with customer replies (``non_service``). Turns have roles,
    speakers, texts and UTC timestamps a few minutes apart.
    """
    n = draw(st.integers(1, max_threads))
    rows: list[dict[str, object]] = []
    expected: dict[str, str] = {}
    start = pd.Timestamp("2026-10-31T18:00:00Z")
    for k in range(n):
        iid = f"thread-{k}"
        kind = draw(st.sampled_from(["service", "no_agent", "banter", "broadcast"]))
        if kind == "service":
            texts = [("customer", draw(st.sampled_from(REQUESTS))),
                     ("agent", draw(st.sampled_from(AGENT_SERVICE)))]
            expected[iid] = "service"
        elif kind == "no_agent":
            texts = [("customer", draw(st.sampled_from(REQUESTS)))]
            if draw(st.booleans()):
                texts.append(("customer", "@Brand hello??"))
            expected[iid] = "no_agent"
        elif kind == "banter":
            texts = [("customer", draw(st.sampled_from(BANTER))),
                     ("agent", draw(st.sampled_from(AGENT_BANTER)))]
            expected[iid] = "non_service"
        else:
            texts = [("agent", draw(st.sampled_from(BROADCASTS))),
                     ("customer", "@Brand " + draw(st.sampled_from(CHEERS)))]
            expected[iid] = "non_service"
        gaps = draw(st.lists(st.integers(30, 3600), min_size=len(texts),
                             max_size=len(texts)))
        when = start + pd.Timedelta(hours=k)
        for j, ((role, text), gap) in enumerate(zip(texts, gaps, strict=True)):
            when = when + pd.Timedelta(seconds=gap)
            rows.append({"interaction_id": iid, "turn_index": j, "role": role,
                         "speaker": "Brand" if role == "agent" else f"cust{k}",
                         "text": text, "timestamp": when})
    return SocialThreads(turns=pd.DataFrame(rows), expected=expected)

"""customer_start_end marks the customer's opening and last word, turn by turn."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from serviceart.scorers._timeline import customer_start_end


def _reference(iid: list[str], role: list[str]) -> tuple[list[bool], list[bool]]:
    """The rule as the docstring states it, one interaction at a time."""
    start, end = [False] * len(iid), [False] * len(iid)
    for key in dict.fromkeys(iid):
        rows = [k for k, i in enumerate(iid) if i == key]
        agents = [k for k in rows if role[k] == "agent"]
        customer = [k for k in rows if role[k] == "customer"]
        first_agent = agents[0] if agents else None
        opening = [k for k in customer if first_agent is None or k < first_agent]
        for k in opening or customer[:1]:
            start[k] = True
        later = [k for k in customer if first_agent is not None and k > first_agent]
        if later:
            last_agent = max(a for a in agents if a < later[-1])
            for k in later:
                end[k] = k > last_agent
    return start, end


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]),
                          st.sampled_from(["agent", "customer", "system"])), max_size=14))
def test_marks_equal_the_rule_on_interleaved_interactions(rows):
    iid = [i for i, _ in rows]
    role = [r for _, r in rows]
    start, end = customer_start_end(np.array(iid, dtype=object), np.array(role, dtype=object))
    assert (start.tolist(), end.tolist()) == _reference(iid, role)

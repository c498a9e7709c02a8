"""Dask: a LocalCluster with two workers gives the local engine's results."""

from __future__ import annotations

import pandas as pd
import pytest

import serviceart as sa

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
sad = pytest.importorskip("serviceart.dask")

pytestmark = pytest.mark.slow


def _sorted(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return frame.sort_values(cols).reset_index(drop=True)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_dask_equals_local_on_two_workers(client, samples_dir):
    assert len(client.scheduler_info()["workers"]) == 2
    out = sad.score(samples_dir)
    assert isinstance(out.scores, dd.DataFrame)
    res = out.compute()
    ref = sa.score(sa.read(samples_dir))
    pd.testing.assert_frame_equal(_sorted(res.scores, ["interaction_id"]),
                                  _sorted(ref.scores, ["interaction_id"]), check_dtype=False)
    m = _sorted(res.measures, ["interaction_id"])
    pd.testing.assert_frame_equal(m[ref.measures.columns],
                                  _sorted(ref.measures, ["interaction_id"]), check_dtype=False)
    cols = ["interaction_id", "turn_index", "cue", "start_char"]
    pd.testing.assert_frame_equal(_sorted(res.evidence, cols), _sorted(ref.evidence, cols),
                                  check_dtype=False, check_categorical=False)
    pd.testing.assert_frame_equal(_sorted(res.promises, ["promise_id"]),
                                  _sorted(ref.promises, ["promise_id"]), check_dtype=False)


def test_dask_dataframe_input_links_cases_across_partitions(client):
    rows = [("c1", "customer", "Hi, my router is broken.", "2026-03-02T09:00Z"),
            ("c1", "agent", "Sorry! I'll call you back tomorrow before noon.",
             "2026-03-02T09:01Z"),
            ("c2", "customer", "Nobody called me back.", "2026-03-03T15:00Z"),
            ("c2", "agent", "I'm sorry about that.", "2026-03-03T15:01Z")]
    rows += [(f"f{k}", "customer", "hello there", "2026-03-02T10:00Z") for k in range(6)]
    frame = pd.DataFrame([{"interaction_id": i, "role": r, "text": t, "timestamp": ts,
                           "customer_id": "u1" if i.startswith("c") else f"x{i}",
                           "channel": "chat"} for i, r, t, ts in rows])
    ddf = dd.from_pandas(frame, npartitions=4)
    res = sad.score(ddf).compute()
    ref = sa.score(sa.Conversations.from_frames(frame))
    pd.testing.assert_frame_equal(_sorted(res.scores, ["interaction_id"]),
                                  _sorted(ref.scores, ["interaction_id"]), check_dtype=False)
    p = res.promises.set_index("interaction_id")
    assert p.loc["c1", "status"] == "broken" and p.loc["c1", "chased"] == 1
    m = res.measures.set_index("interaction_id")
    assert m.loc["c1", "repeat_contact"] == 1.0 and m.loc["c1", "contacts_in_case"] == 2.0

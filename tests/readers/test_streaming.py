"""Streaming reads: whole interactions per chunk, bounded blocks, same result as read()."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import serviceart as sa
from serviceart.readers.turns import TurnsReader


def _table(n_interactions: int, turns_each: int, interleave: bool, seed: int = 0
           ) -> pd.DataFrame:
    rows = [{"interaction_id": f"c{i:05d}", "role": ("agent", "customer")[t % 2],
             "text": f"turn {t} of call {i}, thanks for waiting", "turn_index": t,
             "team": f"team{i % 3}"}
            for i in range(n_interactions) for t in range(turns_each)]
    if interleave:
        random.Random(seed).shuffle(rows)
    return pd.DataFrame(rows)


def _canon(conv: sa.Conversations) -> pd.DataFrame:
    t = conv.turns[["interaction_id", "turn_index", "role", "text", "record"]].astype(str)
    return t.sort_values(["interaction_id", "turn_index"]).reset_index(drop=True)


@pytest.mark.parametrize("ext", [".csv", ".tsv", ".jsonl", ".parquet"])
@pytest.mark.parametrize("interleave", [False, True])
def test_stream_equals_read_and_never_splits_an_interaction(tmp_path, ext, interleave):
    frame = _table(300, 4, interleave)
    path = tmp_path / f"turns{ext}"
    if ext == ".csv":
        frame.to_csv(path, index=False)
    elif ext == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif ext == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    chunks = list(sa.stream(path, chunk_size=64))
    assert [len(c) for c in chunks[:-1]] == [64] * (len(chunks) - 1)
    assert sum(len(c) for c in chunks) == 300
    ids = [i for c in chunks for i in c.interactions["interaction_id"]]
    assert len(ids) == len(set(ids)) == 300
    for c in chunks:  # every turn of an interaction is in the chunk holding it
        assert c.turns.groupby("interaction_id").size().eq(4).all()
        assert set(c.turns["interaction_id"]) == set(c.interactions["interaction_id"])
    whole = sa.read(path)
    streamed = pd.concat([_canon(c) for c in chunks]).sort_values(
        ["interaction_id", "turn_index"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(streamed, _canon(whole))
    team = pd.concat([c.interactions[["interaction_id", "team"]] for c in chunks])
    assert team.set_index("interaction_id")["team"].astype(str).to_dict() == \
        whole.interactions.set_index("interaction_id")["team"].astype(str).to_dict()


@pytest.mark.slow
def test_blocks_are_bounded_while_streaming(tmp_path, monkeypatch):
    # 100k rows are read in blocks, never all at once
    frame = _table(25_000, 4, interleave=False)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    seen: list[int] = []
    original = TurnsReader._blocks

    def spy(self, p, rows, usecols=None):
        for block, rejects in original(self, p, rows, usecols):
            if usecols is None:
                seen.append(len(block))
            yield block, rejects

    monkeypatch.setattr(TurnsReader, "_blocks", spy)
    n = sum(len(c) for c in sa.stream(path, chunk_size=1000))
    assert n == 25_000
    assert max(seen) == 20_000 and len(seen) == 5


@pytest.mark.slow
def test_bad_lines_keep_their_line_numbers_across_blocks(tmp_path):
    lines = ["interaction_id,role,text"]
    lines += [f"c{i // 2},{('agent', 'customer')[i % 2]},hello {i}" for i in range(50_000)]
    lines.insert(30_001, 'c9,agent,"too","many","fields"')  # file line 30002
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    chunks = list(sa.stream(path, chunk_size=500))
    rejects = pd.concat([c.rejects for c in chunks])
    bad = rejects[rejects["code"] == "malformed_line"]
    assert bad["record"].tolist() == ["line 30002"]
    assert sum(len(c) for c in chunks) == 25_000


def test_rejects_and_counts_add_up_per_chunk(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"interaction_id": "a", "role": "agent", "text": "Hi"}\n'
        'not json\n'
        '{"interaction_id": "a", "role": "customer", "text": "Hello"}\n'
        '{"interaction_id": "b", "role": "robot", "text": "beep"}\n'
        '{"interaction_id": "c", "role": "agent", "text": "Hi there"}\n')
    chunks = list(sa.stream(path, chunk_size=1))
    assert sum(len(c) for c in chunks) == 2  # a and c; b has only an unknown role
    rejects = pd.concat([c.rejects for c in chunks])
    assert sorted(rejects["code"]) == ["malformed_line", "unknown_role"]
    assert sorted(sa.read(path).rejects["code"]) == ["malformed_line", "unknown_role"]
    for c in chunks:
        k = c.counts
        assert k["interactions_valid"] + k["interactions_rejected"] == k["interactions_in"]


def test_small_files_are_grouped_and_eml_threads_read_together(tmp_path):
    email = Path(__file__).parent / "fixtures" / "email"
    emls = sorted(email.glob("*.eml"))
    whole = sa.read(emls, agent_domains=["acme.com"])
    chunks = list(sa.stream(emls, chunk_size=2, agent_domains=["acme.com"]))
    assert sum(len(c) for c in chunks) == len(whole)
    assert sorted(i for c in chunks for i in c.interactions["interaction_id"]) == \
        sorted(whole.interactions["interaction_id"])
    captions = Path(__file__).parent / "fixtures" / "captions"
    files = [captions / "call.vtt", captions / "billing.srt"]
    grouped = list(sa.stream(files, chunk_size=100))
    assert len(grouped) == 1 and len(grouped[0]) == len(sa.read(files))


def test_an_interaction_continuing_in_a_later_file_is_rejected_not_merged(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("interaction_id,role,text\nx,agent,Hello\nx,customer,Hi\n")
    b.write_text("interaction_id,role,text\nx,agent,Anything else?\ny,agent,Hello\n")
    chunks = list(sa.stream([a, b], chunk_size=1))
    ids = [i for c in chunks for i in c.interactions["interaction_id"]]
    assert ids == ["x", "y"]
    rejects = pd.concat([c.rejects for c in chunks])
    split = rejects[rejects["code"] == "split_interaction"]
    assert split["source"].tolist() == [str(b)] and split["record"].tolist() == ["row 1"]
    assert "read these files with read()" in split["reason"].iloc[0]


def test_chunk_size_must_be_positive():
    with pytest.raises(sa.ConfigError, match="chunk_size must be >= 1"):
        next(sa.stream("data/samples/calls.csv", chunk_size=0))


@pytest.mark.slow
@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 40), each=st.integers(1, 5), size=st.integers(1, 50),
       seed=st.integers(0, 10_000))
def test_any_chunk_size_partitions_the_interactions(tmp_path, n, each, size, seed):
    path = tmp_path / "p.jsonl"
    _table(n, each, interleave=True, seed=seed).to_json(path, orient="records", lines=True)
    chunks = list(sa.stream(path, chunk_size=size))
    sizes = [len(c) for c in chunks]
    assert sum(sizes) == n and all(0 < s <= size for s in sizes)
    assert sum(len(c.turns) for c in chunks) == n * each


_ID = st.one_of(st.text(max_size=8), st.integers(-10**6, 10**6), st.none())
_TRICKY = st.sampled_from([
    'says "interaction_id": "fake"', '\\"interaction_id\\"', "interaction_id", "\\", '"', ""])


@settings(max_examples=300, deadline=None, database=None)
@given(iid=_ID, text=st.one_of(st.text(max_size=20), _TRICKY), nested=st.booleans(),
       as_value=st.booleans(), key_last=st.booleans(), spaces=st.booleans())
def test_the_id_pass_reads_the_same_id_as_a_full_parse(iid, text, nested, as_value,
                                                       key_last, spaces):
    # the id pass reads "interaction_id" without parsing the line; when it is not
    # sure it says so, and when it answers it agrees with json.loads
    import json

    from serviceart.readers.turns import _UNSURE, _id_value

    obj: dict[str, object] = {"role": "agent", "text": text}
    if nested:
        obj["meta"] = {"interaction_id": "other"}
    if as_value:
        obj["field"] = "interaction_id"
    obj["interaction_id"] = iid
    if key_last is False:
        obj = {"interaction_id": iid, **{k: v for k, v in obj.items() if k != "interaction_id"}}
    line = json.dumps(obj, separators=(", ", ": ") if spaces else (",", ":"))
    got = _id_value("interaction_id")(line)
    if got is not _UNSURE:
        assert got == json.loads(line)["interaction_id"]
        assert not nested  # a second copy of the key is never guessed at


def test_stream_handles_ids_the_fast_pass_cannot_read(tmp_path):
    # numeric ids, escaped quotes, a nested copy of the key and a bad line: the
    # streamed chunks still equal read()
    import json

    rows = []
    for i in range(60):
        iid: object = i if i % 3 == 0 else f'c"{i}' if i % 3 == 1 else f"c{i}"
        for t in range(3):
            row: dict[str, object] = {"interaction_id": iid, "role": ("agent", "customer")[t % 2],
                                      "text": f'turn {t} "interaction_id": "x"', "turn_index": t}
            if t == 1:
                row["meta"] = {"interaction_id": "elsewhere"}
            rows.append(row)
    random.Random(3).shuffle(rows)
    lines = [json.dumps(r) for r in rows]
    lines.insert(40, '{"interaction_id": "broken", ')
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    chunks = list(sa.stream(path, chunk_size=7))
    assert sum(len(c) for c in chunks) == 60
    for c in chunks:
        assert c.turns.groupby("interaction_id").size().eq(3).all()
    streamed = pd.concat([_canon(c) for c in chunks]).sort_values(
        ["interaction_id", "turn_index"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(streamed, _canon(sa.read(path)))
    assert sum(int((c.rejects["code"] == "malformed_line").sum()) for c in chunks) == 1


_LINE = st.one_of(
    st.builds(lambda i, t: {"interaction_id": i, "role": "agent", "text": t},
              _ID, st.one_of(st.text(max_size=12), _TRICKY)),
    st.builds(lambda i: {"meta": {"interaction_id": "nested"}, "interaction_id": i}, _ID),
    st.builds(lambda t: {"role": "customer", "text": t}, st.text(max_size=6)),  # no id
    st.sampled_from(["", "   ", "[1, 2]", '"a string"', '{"interaction_id": "cut", ',
                     "not json"]),
)


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, max_size=40))
def test_the_jsonl_id_pass_agrees_with_the_rows_a_full_parse_reads(tmp_path, lines):
    # the JSONL id pass reads ids line by line without building frames; every id the
    # full parse finds is known, and its last row is never placed too early (a line
    # broken after its id may count as a row: the interaction then waits, never splits)
    import json

    from serviceart.readers.turns import _jsonl_last_rows, _last_rows

    path = tmp_path / "ids.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
                    encoding="utf-8")
    full = _last_rows(TurnsReader()._blocks(path, 7), "interaction_id")
    fast = _jsonl_last_rows(path, "interaction_id", None)
    assert set(full) <= set(fast)
    assert all(fast[k] >= v for k, v in full.items())
    if not any(x == '{"interaction_id": "cut", ' for x in lines):
        assert fast == full

"""The cue corpus pool: ``benchmarks/cue_corpus.py`` and ``data/cue_corpus/pool.jsonl``.

The loader must give back the cue dev set's texts exactly, the committed pool
must be what the sampler draws (ids, and the hash of each text as the loader
reads it), no dev id may be in it, and the draw must follow the shares the
issue asks for. Tests that read the shared data skip when it is not beside the
repository.
"""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from serviceart.errors import InputError
from tests._benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
SHARED = (ROOT / "../shared/data").resolve()
DEV = SHARED / "gold" / "cues_dev.jsonl"
MANIFEST = ROOT / "data" / "cue_corpus" / "pool.jsonl"

needs_data = pytest.mark.skipif(not DEV.exists(), reason=f"shared data {SHARED} is not "
                                "beside the project")


@pytest.fixture(scope="module")
def cc() -> ModuleType:
    return load_benchmark("cue_corpus")


@pytest.fixture(scope="module")
def manifest() -> pd.DataFrame:
    return pd.read_json(MANIFEST, lines=True, dtype=False)


@pytest.fixture(scope="module")
def pool(cc: ModuleType) -> pd.DataFrame:
    return cc.sample_pool()


def _dev() -> list[dict[str, str]]:
    with DEV.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ------------------------------------------------------------------ loader
@needs_data
def test_loader_reproduces_every_dev_text_and_role(cc: ModuleType) -> None:
    dev = _dev()
    assert {d["id"].split(":")[0] for d in dev} <= set(cc.DEV_SOURCES)
    got = cc.load_turns([d["id"] for d in dev])
    assert len(got) == len(dev) == 358
    mismatched = [d["id"] for d, (_, row) in zip(dev, got.iterrows(), strict=True)
                  if (row["text"], row["role"]) != (d["text"], d["role"])]
    assert mismatched == []


@needs_data
def test_every_source_loads_with_both_columns_filled(cc: ModuleType) -> None:
    turns = cc.all_turns()
    assert list(turns.columns) == cc.COLUMNS
    assert set(turns["source"]) == set(cc.SOURCES)
    assert turns["id"].is_unique
    assert turns["role"].isin(["agent", "customer"]).all()
    assert turns["conversation"].notna().all() and turns["text"].notna().all()
    roles = turns.groupby("source")["role"].apply(lambda r: set(r))
    assert roles["rsics"] == {"customer"} and roles["sumo"] == {"agent"}
    assert all(roles[s] == {"agent", "customer"} for s in cc.SOURCES
               if s not in ("rsics", "sumo"))
    # ids carry their conversation: the conversation names the same source
    assert (turns["conversation"].str.split(":").str[0] == turns["source"]).all()


@needs_data
def test_bare_carriage_return_inside_a_tweet_is_not_a_row_break(cc: ModuleType) -> None:
    # twcs.csv holds a tweet whose unquoted text has two bare CRs; read as line ends
    # they split the row and repeat the id of the next line's start.
    tweets = cc.load_twcs()
    assert len(tweets) == 5000 and tweets["id"].is_unique
    assert tweets["text"].str.contains("\r", regex=False).sum() == 1


@needs_data
def test_enron_texts_carry_no_annotation_marks(cc: ModuleType) -> None:
    text = cc.load_enron()["text"]
    for mark in (r"\bM\d+\.\d+", r"[FBS]f?link\d", r"\[(?:Inform|Request|Conventional|Commit)",
                 r"\[DUPLICATE|\[NoDA\]", r"&quot;|&amp;", r"\[Y\]"):
        assert not text.str.contains(mark, regex=True).any(), mark


def test_enron_text_keeps_the_words_and_drops_the_notes(cc: ModuleType) -> None:
    content = ("\n[DUPLICATE] M1.1. Could you send the revised schedule\nby Friday? [Y]\n"
               "[Request-Action: send schedule]\nFlink1.1\n\n"
               "M1.2. Option 2 [Inform: option 2,\ncosts] stays. M1.3. Thanks Blink2.1 &amp; "
               "regards\n[Conventional: thanks]\nM1.4.Kay [Enron Corp.]\n")
    assert cc._enron_text(content) == ("Could you send the revised schedule by Friday? "
                                       "Option 2 stays. Thanks & regards Kay [Enron Corp.]")


def test_sumo_text_matches_the_dev_sets_conversion(cc: ModuleType) -> None:
    html = ("<p>Hi  Sam \n</p>\n<ol><li> Try a new profile&nbsp;:-)\n</li></ol>"
            "<p><br>\nCheers!\n</p>")
    assert cc.sumo_text(html) == "Hi Sam \n Try a new profile\xa0:-)\nCheers!"


def _write_irc(base: Path) -> None:
    dev = base / "irc_disentanglement" / "dev"
    dev.mkdir(parents=True)
    (base / "irc_disentanglement" / "test").mkdir()
    (base / "irc_disentanglement" / "new-domains").mkdir()
    raw = [f"[10:00] <filler> line {i}" for i in range(1000)]
    raw += ["[10:01] <ann> how do I mount a usb stick?",          # 1000 question
            "[10:02] <bob> ann: try pmount /dev/sdb1",            # 1001 answers 1000
            "[10:02] <ann> bob: thanks, that worked",             # 1002 replies to an answer
            "=== carl has joined #ubuntu",                        # 1003 system line
            "[10:03] <ann> ann: anyone? still there?",            # 1004 replies to herself
            "[10:04] <dee> is grub on sda?"]                      # 1005 starts a thread
    (dev / "2020-01-01_00.raw.txt").write_text("\n".join(raw) + "\n", encoding="utf-8")
    links = ["1000 1000 -", "1000 1001 -", "1001 1002 -", "1003 1003 -", "1000 1004 -",
             "1005 1005 -"]
    (dev / "2020-01-01_00.annotation.txt").write_text("\n".join(links) + "\n",
                                                      encoding="utf-8")


def test_irc_agent_is_who_replies_to_another_users_question(
        cc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_irc(tmp_path)
    monkeypatch.setattr(cc, "DATA_DIR", tmp_path)
    irc = cc.load_irc().set_index("id")
    assert list(irc.index) == [f"irc:ubuntu-2020-01-01_00:{i}" for i in
                               (1000, 1001, 1002, 1004, 1005)]
    assert irc["role"].to_dict() == {
        "irc:ubuntu-2020-01-01_00:1000": "customer", "irc:ubuntu-2020-01-01_00:1001": "agent",
        "irc:ubuntu-2020-01-01_00:1002": "customer", "irc:ubuntu-2020-01-01_00:1004": "customer",
        "irc:ubuntu-2020-01-01_00:1005": "customer"}
    assert irc.loc["irc:ubuntu-2020-01-01_00:1001", "text"] == "ann: try pmount /dev/sdb1"
    threads = irc["conversation"]
    assert threads.iloc[:4].nunique() == 1 and threads.iloc[4] != threads.iloc[0]


@needs_data
def test_unknown_prefix_and_missing_id_are_named(cc: ModuleType) -> None:
    with pytest.raises(InputError, match=r"unknown source prefix \['tweets'\]"):
        cc.load_turns(["tweets:12"])
    with pytest.raises(InputError, match=r"'twcs:999999999'"):
        cc.load_turns(["twcs:1", "twcs:999999999"])


@needs_data
def test_cli_text_prints_the_turns(cc: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    first = _dev()[0]
    assert cc.main(["text", first["id"]]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["id"] == first["id"] and rec["text"] == first["text"]
    assert cc.main(["text", "nope:1"]) == 1
    assert "unknown source prefix" in capsys.readouterr().err


def test_readme_licence_table_agrees_with_the_module(cc: ModuleType) -> None:
    readme = (ROOT / "data" / "cue_corpus" / "README.md").read_text("utf-8")
    section = readme.split("## Licences", 1)[1]
    rows = {cells[0]: cells[-1] for line in section.splitlines() if line.startswith("| ")
            for cells in [[c.strip() for c in line.strip("|").split("|")]]}
    assert set(cc.LICENCES) == set(cc.SOURCES)
    for source, info in cc.LICENCES.items():
        assert rows[source] == ("yes" if info["model_redistributable"] else "no"), source


# ------------------------------------------------------------------ sampling pieces
def test_docstring_examples(cc: ModuleType) -> None:
    result = doctest.testmod(cc, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 1 and result.failed == 0


def test_net_score_counts_whole_words_once(cc: ModuleType) -> None:
    text = pd.Series(["I can't say WHEN; we will, we will.", "Unsure! willing? know-how",
                      "I can\u2019t", None])
    assert cc.net_score(text, ["can't", "will", "when", "?", "know"]).tolist() == [3, 2, 1, 0]


def test_net_words_are_plain_words_not_patterns(cc: ModuleType) -> None:
    words = cc.net_words()
    assert len(words) >= 20 and len(set(words)) == len(words)
    assert all(w == "?" or w.replace("'", "").isalpha() for w in words)


@given(total=st.integers(0, 500),
       weights=st.dictionaries(st.sampled_from("abcdef"), st.floats(0.1, 5.0), min_size=1),
       data=st.data())
def test_allocate_fills_up_to_capacity_in_proportion(
        cc: ModuleType, total: int, weights: dict[str, float], data: st.DataObject) -> None:
    capacity = {k: data.draw(st.integers(0, 200), label=k) for k in weights}
    counts = cc.allocate(total, weights, capacity)
    assert sum(counts.values()) == min(total, sum(capacity.values()))
    assert all(0 <= counts[k] <= capacity[k] for k in weights)
    # a key below its capacity got at least its proportional share of the total
    wsum = sum(weights.values())
    for k in weights:
        if counts[k] < capacity[k]:
            assert counts[k] >= int(total * weights[k] / wsum) - 1


# ------------------------------------------------------------------ the pool
@needs_data
def test_committed_pool_is_the_samplers_draw(manifest: pd.DataFrame,
                                            pool: pd.DataFrame) -> None:
    assert list(manifest.columns) == ["id", "source", "role", "conversation", "sha256", "draw"]
    assert len(manifest) == 2600 and manifest["id"].is_unique
    assert manifest["id"].tolist() == pool["id"].tolist()
    assert manifest["draw"].tolist() == pool["draw"].tolist()


@needs_data
def test_pool_hashes_match_the_loaders_texts(cc: ModuleType, manifest: pd.DataFrame) -> None:
    turns = cc.load_turns(manifest["id"].tolist())
    assert turns[["source", "role", "conversation"]].equals(
        manifest[["source", "role", "conversation"]].astype("string"))
    hashes = turns["text"].map(cc.text_hash)
    assert (hashes == manifest["sha256"]).all()
    assert cc.text_hash("abc") == "ba7816bf8f01cfea"  # SHA-256 of "abc", first 16 hex
    text = turns["text"]
    assert (text.str.strip().str.len() > 0).all() and (text.str.len() <= cc.MAX_CHARS).all()


@needs_data
def test_no_dev_id_in_the_pool(cc: ModuleType, manifest: pd.DataFrame) -> None:
    dev = cc.dev_ids()
    assert len(dev) == 358
    assert not set(manifest["id"]) & dev


@needs_data
def test_sample_is_deterministic(cc: ModuleType, pool: pd.DataFrame) -> None:
    again = cc.sample_pool(size=200)
    assert cc.sample_pool(size=200)["id"].tolist() == again["id"].tolist()
    other = cc.sample_pool(size=200, seed=cc.SEED + 1)
    assert len(set(other["id"]) & set(again["id"])) < 100


@needs_data
def test_source_role_and_draw_shares(cc: ModuleType, manifest: pd.DataFrame,
                                     pool: pd.DataFrame) -> None:
    assert manifest["draw"].value_counts().to_dict() == {"random": 1300, "enriched": 1300}
    for draw, part in manifest.groupby("draw"):
        dev_share = part["source"].isin(cc.DEV_SOURCES).mean()
        assert abs(dev_share - 0.6) < 0.01, draw
        counts = part["source"].value_counts()
        # every new source contributes, each about a fifth of the 40%
        new = counts.reindex(list(cc.NEW_SOURCES), fill_value=0)
        assert (new > 0.8 * 0.4 * len(part) / 5).all(), draw
    assert set(manifest["source"]) == set(cc.SOURCES)
    agent = (manifest["role"] == "agent").mean()
    assert 0.6 < agent < 0.7
    # in the random draw, sources with both roles give two agent turns per customer
    # turn, unless the draw took every turn they have (ABCD has 80)
    cands = cc.candidates()
    random = manifest[manifest["draw"] == "random"]
    for source in set(cc.SOURCES) - {"rsics", "sumo"}:
        part = random[random["source"] == source]
        share = (part["role"] == "agent").mean()
        assert abs(share - 2 / 3) < 0.01 or len(part) == (cands["source"] == source).sum(), \
            (source, share)
    # the enriched draw has more of the net's words than the random one
    mean_score = pool.groupby("draw")["net_score"].mean()
    assert mean_score["enriched"] > 1.5 * mean_score["random"]


@needs_data
def test_batches_mix_sources_and_draws(cc: ModuleType, pool: pd.DataFrame,
                                       tmp_path: Path) -> None:
    cc.write_pool(pool, tmp_path, batches=8)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"batch_{k:02d}.jsonl" for k in range(1, 9)] + ["draws.json"]
    draws = json.loads((tmp_path / "draws.json").read_text("utf-8"))
    for k in range(1, 9):
        batch = pd.read_json(tmp_path / f"batch_{k:02d}.jsonl", lines=True, dtype=False)
        assert list(batch.columns) == cc.COLUMNS and len(batch) == 325
        assert batch["source"].nunique() == len(cc.SOURCES)
        n_random = batch["id"].isin(draws["random"]).sum()
        assert 100 < n_random < 225
    assert len(draws["random"]) == len(draws["enriched"]) == 1300


# -- the adjudicated labels ----------------------------------------------------------
LABELS = ROOT / "data" / "cue_corpus" / "labels.jsonl"


@needs_data
def test_labels_cover_the_pool_and_point_into_the_texts(cc, manifest):
    from serviceart.codebook import CUES

    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in labels] == list(manifest["id"])  # every pooled turn, in order
    assert not any("text" in r or "span" in json.dumps(r["cues"]) for r in labels)
    texts = cc.load_turns([r["id"] for r in labels]).set_index("id")
    counts: dict[str, int] = {}
    for r in labels:
        text = texts.loc[r["id"], "text"]
        assert cc.text_hash(text) == r["sha256_16"], r["id"]
        for c in r["cues"]:
            assert CUES[c["cue"]].role == r["role"], (r["id"], c)
            assert 0 <= c["start"] < c["end"] <= len(text), (r["id"], c)
            assert text[c["start"]:c["end"]].strip() == text[c["start"]:c["end"]], (r["id"], c)
            counts[c["cue"]] = counts.get(c["cue"], 0) + 1
    # the thin cues the issue names are all there, at least a handful each
    for cue in ("admits_unknown", "next_steps", "vague_stall", "active_listening", "empathy",
                "explanation", "bad_news", "action_taken", "resolution_check"):
        assert counts.get(cue, 0) >= 15, cue


# -- the second round (session 11) ---------------------------------------------------------
MANIFEST2 = ROOT / "data" / "cue_corpus" / "pool2.jsonl"
LABELS2 = ROOT / "data" / "cue_corpus" / "labels2.jsonl"


@pytest.fixture(scope="module")
def manifest2() -> pd.DataFrame:
    return pd.read_json(MANIFEST2, lines=True, dtype=False)


@pytest.fixture(scope="module")
def pool2(cc: ModuleType) -> pd.DataFrame:
    return cc.sample_pool2()


@needs_data
def test_committed_second_round_is_the_samplers_draw(cc: ModuleType, manifest2: pd.DataFrame,
                                                     pool2: pd.DataFrame) -> None:
    assert list(manifest2.columns) == ["id", "source", "role", "conversation", "sha256", "draw"]
    assert manifest2["id"].tolist() == pool2["id"].tolist()
    assert manifest2["draw"].tolist() == pool2["draw"].tolist()
    assert len(manifest2) == sum(cc.ROUND2_SIZES.values()) == 1200
    turns = cc.load_turns(manifest2["id"].tolist())
    assert (turns["text"].map(cc.text_hash) == manifest2["sha256"]).all()


@needs_data
def test_second_round_is_new_licensed_and_enriched(cc: ModuleType, manifest: pd.DataFrame,
                                                   manifest2: pd.DataFrame,
                                                   pool2: pd.DataFrame) -> None:
    ids = set(manifest2["id"])
    assert len(ids) == len(manifest2)
    assert not ids & set(manifest["id"]) and not ids & cc.dev_ids()
    # only sources a shipped model may be trained on, in the sizes asked for
    assert manifest2["source"].value_counts().to_dict() == cc.ROUND2_SIZES
    assert all(cc.LICENCES[s]["model_redistributable"] for s in cc.ROUND2_SIZES)
    for (source, role), part in manifest2.groupby(["source", "role"]):
        share = (part["draw"] == "random").mean()
        assert abs(share - cc.ROUND2_RANDOM) < 0.01, (source, role)
    for source in ("ibm", "irc"):  # sources with both roles: two agent turns per customer
        part = manifest2[manifest2["source"] == source]
        assert abs((part["role"] == "agent").mean() - 2 / 3) < 0.01, source
    mean_score = pool2.groupby("draw")["net_score"].mean()
    assert mean_score["enriched"] > 1.5 * mean_score["random"]
    words = cc.net_words(cc.NET2_WORDS_PATH)
    assert len(words) >= 20 and all(w.replace("'", "").isalpha() for w in words)


def _check_round_labels(cc: ModuleType, round_: str, manifest: pd.DataFrame) -> dict:
    """The labels of a round cover its pool in order, hold no text, match the texts'
    hashes and the codebook's roles, and sit on stripped spans; its agreement file
    counts the same turns. Returns the agreement."""
    from serviceart.codebook import CUES

    path = ROOT / "data" / "cue_corpus" / f"labels{round_}.jsonl"
    labels = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in labels] == manifest["id"].tolist()
    assert not any("text" in r or "span" in json.dumps(r["cues"]) for r in labels)
    texts = cc.load_turns([r["id"] for r in labels]).set_index("id")["text"]
    for r in labels:
        text = texts[r["id"]]
        assert cc.text_hash(text) == r["sha256_16"], r["id"]
        for c in r["cues"]:
            assert CUES[c["cue"]].role == r["role"], (r["id"], c)
            assert 0 <= c["start"] < c["end"] <= len(text), (r["id"], c)
            assert text[c["start"]:c["end"]].strip() == text[c["start"]:c["end"]], (r["id"], c)
    agreement = json.loads((ROOT / "data" / "cue_corpus" / f"agreement{round_}.json")
                           .read_text("utf-8"))
    assert agreement["turns"] == len(labels)
    assert 0.9 < agreement["micro_f1"] <= 1.0
    return agreement


@needs_data
def test_second_round_labels_cover_its_pool(cc: ModuleType, manifest2: pd.DataFrame) -> None:
    _check_round_labels(cc, "2", manifest2)


@needs_data
def test_cli_writes_the_committed_second_round(cc: ModuleType, tmp_path: Path) -> None:
    assert cc.main(["manifest2", str(tmp_path / "pool2.jsonl")]) == 0
    assert (tmp_path / "pool2.jsonl").read_bytes() == MANIFEST2.read_bytes()
    assert cc.main(["pool2", str(tmp_path / "batches"), "--batches", "3"]) == 0
    sizes = [len((tmp_path / "batches" / f"batch_{k:02d}.jsonl").read_text().splitlines())
             for k in (1, 2, 3)]
    assert sizes == [400, 400, 400]


# -- the third round (session 13) ----------------------------------------------------------
MANIFEST3 = ROOT / "data" / "cue_corpus" / "pool3.jsonl"


@pytest.fixture(scope="module")
def manifest3() -> pd.DataFrame:
    return pd.read_json(MANIFEST3, lines=True, dtype=False)


@needs_data
def test_committed_third_round_is_the_samplers_draw(cc: ModuleType,
                                                    manifest3: pd.DataFrame) -> None:
    pool3 = cc.sample_pool3()
    assert list(manifest3.columns) == ["id", "source", "role", "conversation", "sha256", "draw"]
    assert manifest3["id"].tolist() == pool3["id"].tolist()
    assert (manifest3["draw"] == "random").all()
    assert len(manifest3) == sum(cc.ROUND3_SIZES.values()) == 600
    turns = cc.load_turns(manifest3["id"].tolist())
    assert (turns["text"].map(cc.text_hash) == manifest3["sha256"]).all()


@needs_data
def test_third_round_is_new_and_drawn_as_the_dev_set(cc: ModuleType, manifest: pd.DataFrame,
                                                     manifest2: pd.DataFrame,
                                                     manifest3: pd.DataFrame) -> None:
    ids = set(manifest3["id"])
    assert len(ids) == len(manifest3)
    assert not ids & (set(manifest["id"]) | set(manifest2["id"]) | cc.dev_ids())
    counts = manifest3.groupby(["source", "role"]).size().to_dict()
    assert counts == cc.ROUND3_SIZES
    # the dev set's own sources and roles, in its proportions (ABCD has none left)
    dev = pd.Series([(d["id"].split(":")[0], d["role"]) for d in _dev()]).value_counts()
    dev = dev[[k for k in dev.index if k[0] != "abcd"]]
    for key, n in dev.items():
        assert abs(counts[key] - 600 * n / dev.sum()) <= 1.0, key


@needs_data
def test_third_round_labels_cover_its_pool(cc: ModuleType, manifest3: pd.DataFrame) -> None:
    agreement = _check_round_labels(cc, "3", manifest3)
    resolved = agreement["resolved"]
    assert resolved["for_A"] + resolved["for_B"] == agreement["disagreements"]
    assert agreement["cues_agreed"] <= min(agreement["cues_in_A"], agreement["cues_in_B"])


@needs_data
def test_cli_writes_the_committed_third_round(cc: ModuleType, tmp_path: Path) -> None:
    assert cc.main(["manifest3", str(tmp_path / "pool3.jsonl")]) == 0
    assert (tmp_path / "pool3.jsonl").read_bytes() == MANIFEST3.read_bytes()
    assert cc.main(["pool3", str(tmp_path / "batches")]) == 0
    sizes = [len((tmp_path / "batches" / f"batch_{k:02d}.jsonl").read_text().splitlines())
             for k in (1, 2, 3)]
    assert sizes == [200, 200, 200]


# -- the fourth round (session 15) ---------------------------------------------------------
MANIFEST4 = ROOT / "data" / "cue_corpus" / "pool4.jsonl"


@needs_data
def test_fourth_round_is_new_and_drawn_as_the_third(cc: ModuleType, manifest: pd.DataFrame,
                                                    manifest2: pd.DataFrame,
                                                    manifest3: pd.DataFrame,
                                                    tmp_path: Path) -> None:
    pool4 = cc.sample_pool4()
    ids = set(pool4["id"])
    assert len(ids) == len(pool4) == 600
    assert not ids & (set(manifest["id"]) | set(manifest2["id"]) | set(manifest3["id"])
                      | cc.dev_ids())
    assert pool4.groupby(["source", "role"]).size().to_dict() == cc.ROUND3_SIZES
    assert pool4["id"].tolist() == cc.sample_pool4()["id"].tolist()  # seeded
    assert cc.main(["manifest4", str(tmp_path / "pool4.jsonl")]) == 0
    written = pd.read_json(tmp_path / "pool4.jsonl", lines=True, dtype=False)
    assert written["id"].tolist() == pool4["id"].tolist()
    assert (written["sha256"] == pool4["text"].map(cc.text_hash)).all()


@needs_data
def test_committed_fourth_round_is_the_samplers_draw_and_its_labels_cover_it(
        cc: ModuleType, tmp_path: Path) -> None:
    assert cc.main(["manifest4", str(tmp_path / "pool4.jsonl")]) == 0
    assert (tmp_path / "pool4.jsonl").read_bytes() == MANIFEST4.read_bytes()
    manifest4 = pd.read_json(MANIFEST4, lines=True, dtype=False)
    assert (manifest4["draw"] == "random").all()
    agreement = _check_round_labels(cc, "4", manifest4)
    resolved = agreement["resolved"]
    assert resolved["for_A"] + resolved["for_B"] == agreement["disagreements"]
    assert agreement["cues_agreed"] <= min(agreement["cues_in_A"], agreement["cues_in_B"])


def test_a_round_that_asks_for_more_than_is_left_is_refused(cc: ModuleType,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    few = pd.DataFrame({"id": ["twcs:1", "twcs:2"], "source": "twcs", "role": "agent",
                        "conversation": ["c1", "c2"], "text": ["Hi there.", "Thanks!"]})
    monkeypatch.setattr(cc, "candidates", lambda exclude=None: few)
    monkeypatch.setattr(cc, "dev_ids", lambda path=None: set())
    with pytest.raises(InputError, match="round 9 wants 3 agent turns of twcs, only 2"):
        cc.sample_random_round([], 1, "round 9", {("twcs", "agent"): 3})

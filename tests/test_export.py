"""Exports: Result.to_frame, CSV and Excel files read back, formula injection, errors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import serviceart as sa
from serviceart.cli import app
from serviceart.codebook import PRINCIPLES
from serviceart.errors import ConfigError, OutputError
from serviceart.views import export as export_mod
from serviceart.views.export import FLAT_COLUMNS, neutralise, to_frame, write_export

openpyxl = pytest.importorskip("openpyxl")

SCORE_COLUMNS = [*PRINCIPLES, "overall"]

HOSTILE = [
    ("h1", "customer", "=HYPERLINK(\"http://evil.example\",\"click\")", "=evil"),
    ("h1", "agent", "-Sorry about that, I will refund the order today. Thank you for waiting.",
     "@agent"),
    ("h1", "customer", "+1 thanks \x07 bell and \x0b tab", "=evil"),
    ("h2", "customer", "my card 4111 1111 1111 1111 was charged twice, please help", "cust"),
    ("h2", "agent", "I'm sorry, I will refund it today. Anything else?", "=cmd|' /C calc'!A0"),
    ("h3", "customer", "", "cust3"),  # empty text: rejected
]


@pytest.fixture(scope="module")
def hostile(nlp) -> sa.Result:
    turns = pd.DataFrame(HOSTILE, columns=["interaction_id", "role", "text", "speaker"])
    turns["channel"] = "chat"
    turns["team"] = ["=SUM(A1)", "=SUM(A1)", "=SUM(A1)", "billing", "billing", "billing"]
    return sa.score(sa.Conversations.from_frames(turns), nlp=nlp)


def test_to_frame_is_one_flat_row_per_interaction(sample_result: sa.Result) -> None:
    res = sample_result
    flat = res.to_frame()
    assert list(flat.columns[:len(FLAT_COLUMNS)]) == list(FLAT_COLUMNS)
    assert flat["interaction_id"].tolist() == res.scores["interaction_id"].tolist()
    assert flat["interaction_id"].is_unique
    for col in SCORE_COLUMNS:
        np.testing.assert_allclose(flat[col].to_numpy(dtype=float),
                                   res.scores[col].to_numpy(dtype=float))
    bands = res.bands.set_index("interaction_id")
    for col in [c for c in res.bands.columns if c.endswith("_band")]:
        assert flat.set_index("interaction_id")[col].equals(bands[col].astype(flat[col].dtype))
    assert set(flat["status"]) <= {"scored", "no_agent", "non_service", "rejected"}
    # metadata the export gave is there: agent, team, channel, date
    assert flat["agent_id"].notna().all() and flat["team"].notna().any()
    assert isinstance(flat["started_at"].dtype, pd.DatetimeTZDtype)


def test_the_top_loss_criterion_and_its_snippet_come_from_the_run(
        sample_result: sa.Result) -> None:
    res = sample_result
    flat = res.to_frame().set_index("interaction_id")
    c = res.contributions[res.contributions["applied"]]
    for iid, group in c.groupby("interaction_id"):
        worst = group["points_lost"].max()
        row = flat.loc[iid]
        if worst > 0:
            assert row["top_loss_points"] == pytest.approx(worst)
            assert row["top_loss_criterion"] in set(
                group.loc[group["points_lost"] == worst, "criterion"])
        else:
            assert pd.isna(row["top_loss_criterion"])
    turns = " ".join(res.turns["text"].astype(str))
    snippets = flat["snippet"].dropna()
    assert len(snippets) >= len(flat) // 2
    for snippet, cue in zip(snippets, flat.loc[snippets.index, "snippet_cue"], strict=True):
        assert snippet.strip("\u2026") in turns
        assert cue in set(res.evidence["cue"].astype(str))


def test_rejected_interactions_are_rows_and_counts_add_up(hostile: sa.Result) -> None:
    flat = hostile.to_frame()
    counts = hostile.run_info["counts"]
    assert len(flat) == counts["interactions_in"] == 3
    rejected = flat[flat["status"] == "rejected"]
    assert rejected["interaction_id"].tolist() == ["h3"]
    assert rejected["reason"].iloc[0].startswith(str(hostile.rejects["code"].iloc[0]))
    assert rejected[SCORE_COLUMNS].isna().all().all()
    assert len(hostile.to_frame(rejected=False)) == 2


def test_formula_cells_are_neutralised() -> None:
    frame = pd.DataFrame({"a": ["=1+1", " @SUM(A1)", "-2", "+x", "\tcmd", "ok", None],
                          "n": [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    out = neutralise(frame)
    assert out["a"].tolist()[:6] == ["'=1+1", "' @SUM(A1)", "'-2", "'+x", "'\tcmd", "ok"]
    assert pd.isna(out["a"].iloc[6])
    assert out["n"].tolist() == frame["n"].tolist()  # numbers are not text


def test_csv_export_reads_back(hostile: sa.Result, tmp_path: Path) -> None:
    path = write_export(hostile, tmp_path / "out" / "scores.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"interaction_id": str})
    flat = hostile.to_frame()
    assert back["interaction_id"].tolist() == flat["interaction_id"].tolist()
    np.testing.assert_allclose(back["overall"].to_numpy(dtype=float),
                               flat["overall"].to_numpy(dtype=float))
    # no cell of the file starts a formula
    for col in [c for c in back.columns if not pd.api.types.is_numeric_dtype(back[c])]:
        for value in back[col].dropna().astype(str):
            assert value.lstrip(" ")[:1] not in ("=", "+", "-", "@", "\t", "\r"), (col, value)
    assert (back["team"].dropna() == "'=SUM(A1)").any()


def test_excel_export_has_the_flat_sheet_and_one_per_table(hostile: sa.Result,
                                                            tmp_path: Path) -> None:
    path = write_export(hostile, tmp_path / "scores.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["interactions_flat", *export_mod.SHEETS]
    for sheet in book.worksheets:  # nothing runs as a formula
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    sheets = pd.read_excel(path, sheet_name=None)
    assert len(sheets["interactions_flat"]) == 3
    assert len(sheets["turns"]) == len(hostile.turns)
    assert len(sheets["evidence"]) == len(hostile.evidence)
    turns = sheets["turns"]["text"].fillna("").tolist()
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in turns
    assert any("bell and  tab" in t for t in turns)  # control characters removed
    # times are UTC without a zone
    started = pd.to_datetime(sheets["interactions_flat"]["started_at"])
    assert started.dt.tz is None


def test_excel_sheets_can_be_chosen_and_are_checked(hostile: sa.Result, tmp_path: Path
                                                    ) -> None:
    path = write_export(hostile, tmp_path / "s.xlsx", sheets=["scores", "rejects"])
    assert openpyxl.load_workbook(path).sheetnames == ["interactions_flat", "scores",
                                                       "rejects"]
    with pytest.raises(ConfigError, match="no table named 'score'") as info:
        write_export(hostile, tmp_path / "s.xlsx", sheets=["score"])
    assert info.value.code == "SA-C275"


def test_export_errors_say_what_to_do(hostile: sa.Result, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"name a \.csv file") as info:
        write_export(hostile, tmp_path / "scores.json")
    assert info.value.code == "SA-C274"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write the export") as out:
        write_export(hostile, blocker / "scores.csv")
    assert out.value.code == "SA-O121"
    monkeypatch.setattr(export_mod, "EXCEL_ROWS", 4)
    with pytest.raises(OutputError, match=r"turns \(5 rows\) would not fit") as big:
        write_export(hostile, tmp_path / "big.xlsx")
    assert big.value.code == "SA-O120" and not (tmp_path / "big.xlsx").exists()
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ConfigError, match=r"serviceart\[excel\]") as missing:
        write_export(hostile, tmp_path / "x.xlsx")
    assert missing.value.code == "SA-C276"


def test_export_command_writes_csv_and_excel(samples_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    run = tmp_path / "run"
    assert runner.invoke(app, ["score", str(samples_dir), "-o", str(run), "--jobs",
                               "1"]).exit_code == 0
    got = runner.invoke(app, ["export", str(run), "-o", str(tmp_path / "scores.csv")])
    assert got.exit_code == 0, got.output
    back = pd.read_csv(tmp_path / "scores.csv", encoding="utf-8-sig")
    res = sa.Result.from_parquet(run)
    assert len(back) == len(res.scores) == res.run_info["counts"]["interactions_in"]
    assert "Nina" in " ".join(back["snippet"].dropna())
    got = runner.invoke(app, ["export", str(run), "-o", str(tmp_path / "red.xlsx"),
                              "--redact", "--sheet", "turns"])
    assert got.exit_code == 0, got.output
    sheets = pd.read_excel(tmp_path / "red.xlsx", sheet_name=None)
    assert list(sheets) == ["interactions_flat", "turns"]
    assert "Nina" not in " ".join(sheets["turns"]["text"].astype(str))
    assert "Nina" not in " ".join(sheets["interactions_flat"]["snippet"].dropna())
    bad = runner.invoke(app, ["export", str(run), "-o", str(tmp_path / "x.txt")])
    assert bad.exit_code == 2 and "SA-C274" in bad.output


def test_to_frame_on_real_data(shared_data: Path, nlp) -> None:
    res = sa.score(sa.read(shared_data / "twcs" / "twcs.csv"), nlp=nlp)
    flat = to_frame(res)
    assert len(flat) == res.run_info["counts"]["interactions_in"]
    scored = flat[flat["status"] == "scored"]
    assert scored["top_loss_criterion"].notna().mean() > 0.9
    assert scored["snippet"].notna().mean() > 0.8
    assert flat["agent_id"].notna().all()

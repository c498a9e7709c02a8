"""The ``serviceart`` command line: a thin layer over :func:`read` and :func:`score`."""

from __future__ import annotations

import logging
import sys
import warnings
from functools import partial
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from .codebook import CUES, MEASURES
from .engine import score as score_conversations
from .errors import ServiceartError
from .io import read
from .model import Conversations
from .readers import READERS
from .scorers import SCORERS

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Score customer-service conversations on respect, service, integrity "
                       "and follow-through, with the evidence behind every score.")
out = Console()
err = Console(stderr=True)


def _read(paths: list[Path], format: str | None) -> Conversations:
    """Read inputs, printing reader warnings (e.g. inferred roles) on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        conv = read(paths, format=format)
    for w in caught:
        err.print(f"warning: {w.message}", highlight=False, markup=False)
    return conv


def _fail(exc: ServiceartError) -> None:
    err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
    raise typer.Exit(code=2)


@app.command()
def score(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Run folder to write.")],
    format: Annotated[str | None, typer.Option("--format", "-f",
                                               help="Reader name; sniffed if omitted.")] = None,
    rubric: Annotated[Path | None, typer.Option("--rubric", "-r", help="Rubric TOML.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    sla: Annotated[float, typer.Option("--sla", help="Reply-time target, seconds.")] = 600.0,
    tz: Annotated[str, typer.Option("--tz", help="Time zone for due times.")] = "UTC",
    show: Annotated[int, typer.Option("--show", help="Print scores and top evidence for "
                                                     "this many interactions.")] = 0,
    calendar: Annotated[Path | None, typer.Option(
        "--calendar", help="Business-hours TOML ([hours] mon = \"09:00-17:00\", tz, "
                           "holidays): latency and SLA count business time.")] = None,
    case_window: Annotated[str, typer.Option(
        "--case-window", help="Contacts of one customer this close are one case, and a "
                              "repeat contact (e.g. 7D, 48h).")] = "7D",
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="End of the data: promises due later are open (default: the "
                        "latest time in the input).")] = None,
) -> None:
    """Score exports and write scores, measures, evidence, promises and rejects as Parquet."""
    try:
        conv = _read(paths, format)
        total = len(conv)
        run = partial(score_conversations, conv, str(rubric) if rubric else None, sla_s=sla,
                      n_process=jobs, tz=tz, calendar=str(calendar) if calendar else None,
                      case_window=case_window, as_of=as_of)
        if sys.stderr.isatty() and total:
            with Progress("[progress.description]{task.description}", BarColumn(),
                          MofNCompleteColumn(), TimeRemainingColumn(), console=err,
                          transient=True) as bar:
                task = bar.add_task("scoring", total=total)
                res = run(progress=lambda n: bar.update(task, completed=n))
        else:
            res = run()
        res.to_parquet(output)
    except ServiceartError as exc:
        _fail(exc)
        return
    c = res.run_info["counts"]
    if show:
        _show(res.scores, res.evidence, show)
    out.print(f"read {c['interactions_in']} interactions: {c['scored']} scored, "
              f"{c['rejected']} rejected ({c['reject_rows']} reject rows); "
              f"{res.run_info['seconds']:.2f} s, {res.run_info['words_per_second']:.0f} words/s "
              f"-> {output}", highlight=False)
    if c["interactions_in"] and not c["scored"]:
        err.print("error: no interaction could be scored; see rejects.parquet")
        raise typer.Exit(code=1)


def _show(scores: pd.DataFrame, evidence: pd.DataFrame, n: int) -> None:
    table = Table(title="Principle scores (0-100)")
    for col in scores.columns:
        table.add_column(col, justify="left" if col == "interaction_id" else "right")
    for row in scores.head(n).itertuples(index=False):
        table.add_row(*[str(v) if isinstance(v, str) else
                        ("-" if pd.isna(v) else f"{v:.0f}") for v in row])
    out.print(table)
    top = Table(title="Top evidence")
    for col in ("cue", "count", "example"):
        top.add_column(col)
    counts = evidence.groupby("cue", observed=True).agg(
        count=("text", "size"), example=("text", "first")).sort_values("count", ascending=False)
    for cue, count, example in counts.head(12).itertuples(index=True, name=None):
        top.add_row(str(cue), str(count), f"\u201c{example}\u201d")
    out.print(top)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders.")],
    format: Annotated[str | None, typer.Option("--format", "-f")] = None,
) -> None:
    """Read only: report rejects grouped by code; exit 1 when any input was unusable."""
    try:
        conv = _read(paths, format)
    except ServiceartError as exc:
        _fail(exc)
        return
    c = conv.counts
    out.print(f"{c['interactions_in']} interactions ({c['interactions_valid']} valid), "
              f"{c['turns_in']} turn records ({c['turns_valid']} valid)", highlight=False)
    if len(conv.rejects):
        table = Table(title="Rejects by code")
        for col in ("code", "count", "first record", "reason"):
            table.add_column(col)
        for code, g in conv.rejects.groupby("code", sort=True):
            first = g.iloc[0]
            table.add_row(str(code), str(len(g)), f"{first['source']} {first['record']}",
                          str(first["reason"]))
        out.print(table)
        raise typer.Exit(code=1)


@app.command(name="list")
def list_(
    what: Annotated[str, typer.Argument(help="readers, scorers, cues or measures")] = "all",
) -> None:
    """List readers, scorers, cues and measures."""
    sections = {
        "readers": [(n, (c.__doc__ or "").strip().splitlines()[0]) for n, c in READERS],
        "scorers": [(n, ", ".join(c.columns[:6]) + (" ..." if len(c.columns) > 6 else ""))
                    for n, c in SCORERS],
        "cues": [(n, f"{c.principle} / {c.role}: {c.meaning}") for n, c in CUES.items()],
        "measures": [(n, f"{m.principle}: {m.meaning}") for n, m in MEASURES.items()],
    }
    if what != "all" and what not in sections:
        err.print(f"error: unknown list {what!r}; use one of {sorted(sections)}")
        raise typer.Exit(code=2)
    for name, rows in sections.items():
        if what in ("all", name):
            table = Table(title=name)
            table.add_column("name")
            table.add_column("about")
            for key, about in rows:
                table.add_row(key, about)
            out.print(table)


def main() -> None:
    """Entry point of the ``serviceart`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    app()

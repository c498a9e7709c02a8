"""The ``serviceart`` command line: a thin layer over :func:`read` and :func:`score`."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TimeRemainingColumn,
)
from rich.segment import Segments
from rich.table import Table
from rich.text import Text

from .errors import ConfigError, ServiceartError
from .run.pool import PRELOAD, WORKER_ENV, start_fork_server

if TYPE_CHECKING:
    import pandas as pd

    from .ingest.model import Conversations

# pandas, spaCy and the engine are imported inside the commands: ``serviceart score``
# starts its workers' fork server first, which imports them at the same time

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Score customer-service conversations on respect, service, integrity "
                       "and follow-through, with the evidence behind every score.")

# Nothing a user may need to copy is wrapped: messages, paths and ids are printed with soft
# wrap (the terminal folds long lines, rich inserts no newline), tables keep their id and
# path columns whole and grow past the terminal width when they must. The consoles are made
# per command, so that the terminal's width and colour are read when the command runs.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@app.callback()
def _consoles() -> None:
    global out, err
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)


def _say(console: Console, *parts: str | tuple[str, str]) -> None:
    """Print a message as plain text (no markup or highlighting of what it quotes: ids
    and paths come from the input), optional ``(text, style)`` parts styled."""
    console.print(Text.assemble(*parts), soft_wrap=True)


def _table(console: Console, table: Table) -> None:
    """Print ``table`` at the terminal's width, or wider when its unwrappable columns (ids,
    paths) need it: they are never broken."""
    need = Measurement.get(console, console.options.update_width(1_000_000), table).minimum
    options = console.options.update_width(max(console.width, need))
    console.print(Segments(console.render(table, options)), soft_wrap=True)


def _cell(value: object) -> Text:
    """A table cell shown as it is: ``[b]`` in an id is text, not markup."""
    return Text(str(value))


def _read(paths: list[Path], format: str | None, **options: Any) -> Conversations:
    """Read inputs, printing reader warnings (e.g. inferred roles) on stderr."""
    from .ingest.io import read

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        conv = read(paths, format=format, **options)
    for w in caught:
        _say(err, f"warning: {w.message}")
    return conv


def _fail(exc: ServiceartError) -> None:
    _say(err, ("error:", "red"), f" {exc}")
    raise typer.Exit(code=2)


#: ``--agent-domain``: how the email reader tells agents from customers
AGENT_DOMAIN = typer.Option(
    "--agent-domain", help="Email: senders at this domain (or its subdomains) are agents; "
                           "repeat for more domains.")


#: ``--redact`` and ``--redact-types``: personal data replaced in what is written
REDACT = typer.Option(
    "--redact", help="Replace personal data (cards, emails, phones, IBANs, national ids, IP "
                     "addresses, street addresses, account numbers, and the names the export "
                     "gives) by its type, e.g. [EMAIL], in every text written. Scores do not "
                     "change.")
REDACT_TYPES = typer.Option(
    "--redact-types", help="Redact only these entity types, comma-separated (e.g. "
                           "card,email,name; implies --redact). Types: email, iban, card, "
                           "national_id, ip, phone, address, account, name.")


def _redact(redact: bool, types: str | None) -> bool | str:
    """``--redact`` and ``--redact-types`` as one ``redact`` setting (checked with the
    settings)."""
    return types if types else redact


def _read_options(agent_domain: list[str] | None) -> dict[str, Any]:
    """Reader options from the command line."""
    return {"agent_domains": list(agent_domain)} if agent_domain else {}


@app.command()
def score(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Run folder to write.")],
    format: Annotated[str | None, typer.Option("--format", "-f",
                                               help="Reader name; sniffed if omitted.")] = None,
    rubric: Annotated[Path | None, typer.Option("--rubric", "-r", help="Rubric TOML.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes (default: all cores).")] = None,
    chunk_size: Annotated[int, typer.Option(
        "--chunk-size", min=1, help="Interactions per part (whole cases).")] = 1000,
    sla: Annotated[str | None, typer.Option(
        "--sla", help="Reply-time targets: seconds or a duration for every channel (600, "
                      "10m), or CHANNEL=DURATION pairs (chat=2m,social=1h,email=1d; "
                      "default=... for the other channels). Default: the rubric's [sla], "
                      "else the built-in targets.")] = None,
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
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed/--keep-failed",
        help="On a rerun, score again the parts that failed before (the default), or "
             "keep their scoring_failed rejects.")] = True,
    horizon: Annotated[list[str] | None, typer.Option(
        "--horizon", help="Due time for promises that state none, per channel, as "
                          "CHANNEL=DURATION (e.g. email=2D); repeat for more channels.")] = None,
    link_by_customer: Annotated[bool, typer.Option(
        "--link-by-customer/--exported-cases-only",
        help="Link one customer's contacts within the case window into a case (the "
             "default), or keep only the export's own case ids.")] = True,
    recycle_after: Annotated[int, typer.Option(
        "--recycle-after", min=1, help="Tasks a worker runs before it is replaced.")] = 100,
    agent_domain: Annotated[list[str] | None, AGENT_DOMAIN] = None,
    keep_non_service: Annotated[bool, typer.Option(
        "--keep-non-service", help="Score threads recognised as not a service request "
                                   "(banter, praise, marketing) instead of leaving them "
                                   "out of scope.")] = False,
    redact: Annotated[bool, REDACT] = False,
    redact_types: Annotated[str | None, REDACT_TYPES] = None,
    categories: Annotated[Path | None, typer.Option(
        "--categories", metavar="FILE",
        help="Categories TOML: your own phrases and token patterns, each found as "
             "evidence and counted as the measure category_<name> (see "
             "docs/categories.md).")] = None,
) -> None:
    """Score exports into a run folder of Parquet parts (resumable: rerun to continue).

    The input is streamed in parts of whole cases scored by --jobs worker
    processes; see :mod:`serviceart.run.batch`. A rerun checks the finished parts and
    scores again those that are missing, damaged or failed; the run ends with an
    error, never a summary, if its tables do not hold exactly its input. One run at
    a time writes an output folder.
    """
    start_fork_server(PRELOAD, WORKER_ENV)  # imports while this process imports too
    with _stopping():
        _score(paths, output, format, show, retry_failed, _read_options(agent_domain), dict(
            rubric=str(rubric) if rubric else None, jobs=jobs or os.cpu_count() or 1,
            chunk_size=chunk_size, sla=_sla(sla), tz=tz,
            calendar=str(calendar) if calendar else None, case_window=case_window,
            as_of=as_of, promise_horizons=_horizons(horizon),
            link_by_customer=link_by_customer, recycle_after=recycle_after,
            scope_filter=not keep_non_service, redact=_redact(redact, redact_types),
            categories=str(categories) if categories else None))


def _sla(given: str | None) -> str | dict[str, str] | None:
    """``--sla`` as one value or a mapping of channel to duration (the values are checked
    with the settings)."""
    if given is None or "=" not in given:
        return given
    out: dict[str, str] = {}
    for item in given.split(","):
        channel, sep, duration = item.partition("=")
        if not sep or not channel.strip() or not duration.strip():
            _fail(ConfigError(f"--sla {given!r}: {item.strip()!r} is not CHANNEL=DURATION; "
                              "write e.g. --sla chat=2m,social=1h,email=1d or --sla 600",
                              field="sla", code="SA-C094"))
        out[channel.strip()] = duration.strip()
    return out


def _horizons(given: list[str] | None) -> dict[str, str] | None:
    """``--horizon CHANNEL=DURATION`` options as a mapping (checked with the settings)."""
    if not given:
        return None
    out: dict[str, str] = {}
    for item in given:
        channel, sep, duration = item.partition("=")
        if not sep or not channel.strip():
            _fail(ConfigError(f"--horizon {item!r}: give CHANNEL=DURATION, e.g. email=2D",
                              field="promise_horizons", code="SA-C092"))
        out[channel.strip()] = duration.strip()
    return out


def _score(paths: list[Path], output: Path, format: str | None, show: int,
           retry_failed: bool, read_options: dict[str, Any], options: dict[str, Any]
           ) -> None:
    """The ``score`` command once its fork server is starting: the settings are built
    and checked first, before any input is read."""
    from .result import Result
    from .run.batch import run_batch
    from .run.settings import ScoreSettings

    try:
        settings = ScoreSettings(**options)
        run = partial(run_batch, paths, output, format=format, settings=settings,
                      retry_failed=retry_failed, **read_options)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if sys.stderr.isatty():
                with Progress("[progress.description]{task.description}", BarColumn(),
                              MofNCompleteColumn(), _Rate(),
                              TimeRemainingColumn(), console=err, transient=True) as bar:
                    task = bar.add_task("scoring", total=None)
                    summary = run(progress=lambda n, total: bar.update(
                        task, completed=n, total=total))
            else:
                summary = run()
        for w in _unique(caught):
            _say(err, f"warning: {w}")
    except ServiceartError as exc:
        _fail(exc)
        return
    except KeyboardInterrupt:
        _say(err, f"interrupted: the finished parts are in {output}; run the same command "
                  "again to resume")
        raise typer.Exit(code=130) from None
    info = summary.info
    if show:
        res = Result.from_parquet(output)
        _show(res.scores, res.evidence, show)
    speed = info.get("words_per_second") or 0
    _say(out, f"read {summary.interactions_in} interactions: {summary.scored} scored, "
              f"{summary.out_of_scope} out of scope"
              + (f" ({summary.no_agent} without an agent turn, {summary.non_service} not a "
                 "service request)" if summary.out_of_scope else "") + ", "
              f"{summary.rejected} rejected"
              + (f" (and {summary.unattributed} rejected record"
                 f"{'s' if summary.unattributed > 1 else ''} tied to no interaction: "
                 "unreadable files or lines without an id)" if summary.unattributed else "")
              + f"; {summary.parts} parts "
              f"({summary.parts_skipped} already done, {summary.parts_failed} failed); "
              f"{summary.seconds:.2f} s, {speed:.0f} words/s, peak memory "
              f"{summary.peak_rss_mb:.0f} MB per worker -> {output}")
    if not summary.scored and not summary.out_of_scope and (summary.interactions_in
                                                            or summary.unattributed):
        _say(err, ("error:", "red"), " no interaction could be scored; see the rejects in "
             f"the run folder {output}")
        raise typer.Exit(code=1)


def _stop(signum: int, frame: object) -> None:
    """A termination signal: stop as Ctrl-C does (the run's ``finally`` blocks run)."""
    raise KeyboardInterrupt


@contextmanager
def _stopping() -> Iterator[None]:
    """SIGTERM and SIGHUP stop a run as Ctrl-C does (workers stopped, temporary files
    removed) while inside; the previous handlers come back after (and nothing changes
    outside the main thread, where handlers cannot be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    sigs = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    before = {s: signal.signal(s, _stop) for s in sigs}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


class _Rate(ProgressColumn):
    """Interactions per second, once known."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} interactions/s" if task.speed else "")


def _unique(caught: list[warnings.WarningMessage]) -> list[str]:
    """Warning messages once each (the batch engine reads the input twice)."""
    return list(dict.fromkeys(str(w.message) for w in caught))


def _show(scores: pd.DataFrame, evidence: pd.DataFrame, n: int) -> None:
    import pandas as pd

    table = Table(title="Principle scores (0-100)")
    scores = scores.drop(columns=["scope_reason"], errors="ignore")
    for col in scores.columns:
        table.add_column(col, justify="left" if col in ("interaction_id", "scope")
                         else "right", no_wrap=True)
    for row in scores.head(n).itertuples(index=False):
        table.add_row(*[_cell(v) if isinstance(v, str) else
                        _cell("-" if pd.isna(v) else f"{v:.0f}") for v in row])
    _table(out, table)
    if evidence.empty:
        _say(out, "no evidence")
        return
    top = Table(title="Top evidence")
    top.add_column("cue", no_wrap=True)
    top.add_column("count", justify="right")
    top.add_column("example", min_width=20, overflow="fold")
    counts = evidence.groupby("cue", observed=True).agg(
        count=("text", "size"), example=("text", "first")).sort_values("count", ascending=False)
    for cue, count, example in counts.head(12).itertuples(index=True, name=None):
        top.add_row(_cell(cue), _cell(count), _cell(f"\u201c{example}\u201d"))
    _table(out, top)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders.")],
    format: Annotated[str | None, typer.Option("--format", "-f")] = None,
    agent_domain: Annotated[list[str] | None, AGENT_DOMAIN] = None,
) -> None:
    """Read only: report rejects grouped by code; exit 1 when any input was unusable."""
    try:
        conv = _read(paths, format, **_read_options(agent_domain))
    except ServiceartError as exc:
        _fail(exc)
        return
    c = conv.counts
    _say(out, f"{c['interactions_in']} interactions ({c['interactions_valid']} valid), "
              f"{c['turns_in']} turn records ({c['turns_valid']} valid)")
    if len(conv.rejects):
        # lines, not a table: the file, record and reason are there to be copied whole
        _say(out, ("Rejects by code", "bold"), " (count, first record, reason):")
        for code, g in conv.rejects.groupby("code", sort=True):
            first = g.iloc[0]
            _say(out, "  ", (str(code), "bold"), f" ({len(g)}): {first['source']} "
                 f"{first['record']}: {first['reason']}")
        raise typer.Exit(code=1)


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (from `score` or "
                                                 "Result.to_parquet).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    worst: Annotated[int, typer.Option("--worst", min=0, help="Scorecards for this many of "
                                                              "the lowest overall scores.")] = 10,
    redact: Annotated[bool, REDACT] = False,
    redact_types: Annotated[str | None, REDACT_TYPES] = None,
    agent: Annotated[list[str] | None, typer.Option(
        "--agent", help="Only this agent's interactions (repeat for several).")] = None,
    team: Annotated[list[str] | None, typer.Option(
        "--team", help="Only this team's interactions (repeat for several).")] = None,
    channel: Annotated[list[str] | None, typer.Option(
        "--channel", help="Only this channel (call, chat, email...; repeat for several).")
    ] = None,
    start: Annotated[str | None, typer.Option(
        "--from", help="Only interactions started on or after this date (2026-03-05) or "
                       "time (2026-03-05T14:00Z).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", help="Only interactions started on or before this date (the whole day) "
                     "or time.")] = None,
    per_agent: Annotated[int, typer.Option(
        "--per-agent", min=0, help="Scorecard pages for this many of each agent's lowest "
                                   "conversations.")] = 10,
    all_cards: Annotated[bool, typer.Option(
        "--all-cards", help="A scorecard page for every conversation (overrides "
                            "--per-agent).")] = False,
) -> None:
    """Write the HTML report of a run: an index (summary, distributions, agents with
    intervals, the worst interactions with their scorecards, top cues, rejects) and, in a
    folder beside it, a page per agent and a scorecard page per conversation."""
    from .views.report import write_report

    try:
        path = write_report(run_dir, output, worst=worst, agent=agent or None,
                            team=team or None, channel=channel or None, start=start, end=end,
                            per_agent=None if all_cards else per_agent,
                            redact=_redact(redact, redact_types))
    except ServiceartError as exc:
        _fail(exc)
        return
    pages = path.with_name(f"{path.stem}_files")
    count = sum(1 for _ in pages.rglob("*.html"))
    _say(out, f"wrote {path} ({path.stat().st_size / 1024:.0f} KB) and {count} pages in "
              f"{pages}")


@app.command(name="list")
def list_(
    what: Annotated[str, typer.Argument(help="readers, scorers, cues or measures")] = "all",
) -> None:
    """List readers, scorers, cues and measures."""
    from .codebook import CUES, MEASURES
    from .readers import READERS
    from .scorers import SCORERS

    sections = {
        "readers": [(n, (c.__doc__ or "").strip().splitlines()[0]) for n, c in READERS],
        "scorers": [(n, ", ".join(c.columns[:6]) + (" ..." if len(c.columns) > 6 else ""))
                    for n, c in SCORERS],
        "cues": [(n, f"{c.principle} / {c.role}: {c.meaning}") for n, c in CUES.items()],
        "measures": [(n, f"{m.principle}: {m.meaning}") for n, m in MEASURES.items()],
    }
    if what != "all" and what not in sections:
        _say(err, ("error:", "red"), f" unknown list {what!r}; use one of {sorted(sections)}")
        raise typer.Exit(code=2)
    for name, rows in sections.items():
        if what in ("all", name):
            table = Table(title=name)
            table.add_column("name", no_wrap=True)
            table.add_column("about", min_width=20, overflow="fold")
            for key, about in rows:
                table.add_row(_cell(key), _cell(about))
            _table(out, table)


@app.command()
def agreement(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (from `score` or "
                                                 "Result.to_parquet).")],
    reviews: Annotated[Path, typer.Argument(help="Reviewers' scores, CSV or Parquet: "
                                                 "interaction_id, reviewer and a column per "
                                                 "principle, overall or criterion.")],
    by: Annotated[str, typer.Option("--by", help="Table to print: principle or "
                                                 "criterion.")] = "principle",
    show: Annotated[int, typer.Option("--show", min=0, help="Disagreements to print, worst "
                                                            "first.")] = 10,
    scale: Annotated[str | None, typer.Option("--scale", help="The reviews' scale as LO,HI, "
                                                              "e.g. 1,5 (default 0..100).")]
    = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV file for the "
                                                "table; the disagreements go beside it as "
                                                "NAME.disagreements.csv.")] = None,
) -> None:
    """How serviceart agrees with each reviewer, and reviewers with each other (Spearman,
    kappa on bands, MAE), and the conversations where they disagree most."""
    from .analysis.agreement import agreement_command

    try:
        text = agreement_command(run_dir, reviews, by=by, show=show, scale=scale,
                                 output=output)
    except ServiceartError as exc:
        _fail(exc)
        return
    _say(out, text)


@app.command()
def export(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (from `score` or "
                                                 "Result.to_parquet).")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="A .csv file (one flat row per interaction) or a .xlsx file "
                               "(that flat sheet and one sheet per table).")],
    sheet: Annotated[list[str] | None, typer.Option(
        "--sheet", help="Excel: only these tables after the flat sheet (repeat the option); "
                        "default: all of scores, bands, measures, contributions, evidence, "
                        "promises, interactions, turns, rejects.")] = None,
    redact: Annotated[bool, REDACT] = False,
    redact_types: Annotated[str | None, REDACT_TYPES] = None,
) -> None:
    """Export a run for spreadsheets: per interaction its metadata, scores, bands, status,
    the criterion that lost the most points and an evidence snippet. Text cells that
    could run as formulas are neutralised."""
    from .views.export import write_export

    try:
        path = write_export(run_dir, output, redact=_redact(redact, redact_types),
                            sheets=sheet or None)
    except ServiceartError as exc:
        _fail(exc)
        return
    _say(out, f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")


@app.command()
def recategorise(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="A finished run folder.")],
    categories: Annotated[Path, typer.Option(
        "--categories", metavar="FILE", help="The new or changed categories TOML.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="NEW", help="New run folder to write (the run folder is "
                                              "left as it was).")],
) -> None:
    """Apply new or changed categories to a finished run from its stored turns (the
    input is not read again), score it again with its rubric, and write a new run
    folder."""
    from .run.recategorise import recategorise as apply

    try:
        if output.exists() and any(output.iterdir()):
            raise ConfigError("the output folder is not empty; give a new folder (the "
                              "run folder itself is never changed)", source=str(output),
                              code="SA-C268")
        result = apply(run_dir, categories)
        result.to_parquet(output)
    except ServiceartError as exc:
        _fail(exc)
        return
    cats = result.settings.categories if result.settings is not None else None
    names = ", ".join(cats.names) if cats is not None else "none"
    _say(out, f"recategorised {len(result.scores)} interactions with {names} -> {output}")


categories_app = typer.Typer(no_args_is_help=True,
                             help="Check a run's categories before trusting them.")
app.add_typer(categories_app, name="categories")


@categories_app.command("sample")
def categories_sample(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="A run folder scored with "
                                                                "--categories.")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="The category.")],
    n: Annotated[int, typer.Option("-n", min=1, metavar="N",
                                   help="How many hits to show.")] = 30,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Random seed: the same "
                                      "seed shows the same hits.")] = 0,
) -> None:
    """Print a random sample of a category's hits, each in its turn with the turns
    before and after it, so that a person can judge its precision."""
    from .views.categories import format_hits, sample_hits

    try:
        frame = sample_hits(run_dir, name, n, seed=seed)
    except ServiceartError as exc:
        _fail(exc)
        return
    out.print(format_hits(frame, name), markup=False, highlight=False)


def main() -> None:
    """Entry point of the ``serviceart`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    app()

"""The ``serviceart`` command line: a thin layer over :func:`read` and :func:`score`.

Exit codes: 0 when the command did what was asked; 1 for problems in the input
(unreadable or rejected data under ``--strict``, a file that gave nothing, no
interaction scored); 2 for usage errors (an unknown option or value, a bad
rubric or mapping file, a path that names nothing usable, an output folder that
cannot be written). Messages advise the command line's options (``--columns
message=text``), not Python's keywords (see :mod:`serviceart.readers.spelling`).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TimeRemainingColumn,
)
from rich.segment import Segments
from rich.table import Table
from rich.text import Text

from .errors import ConfigError, InputError, ServiceartError
from .run.pool import PRELOAD, WORKER_ENV, start_fork_server

if TYPE_CHECKING:
    import pandas as pd

    from .ingest.files import FileLog
    from .ingest.model import Conversations

# pandas, spaCy and the engine are imported inside the commands: ``serviceart score``
# starts its workers' fork server first, which imports them at the same time

__all__ = ["app", "main"]

EXIT_CODES = ("Exit codes: 0 done; 1 input problems (bad or unreadable data, rejects under "
              "--strict, a file that gave nothing, nothing scored); 2 usage errors (an "
              "unknown option or value, a bad rubric or mapping file, no such path, an "
              "output folder that cannot be written).")

# plain help (rich_markup_mode=None): no type column such as <bool> or <path>, and the
# text wraps at the terminal's width
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Score customer-service conversations on respect, service, integrity "
                       "and follow-through, with the evidence behind every score.\n\n"
                       + EXIT_CODES)

# Nothing a user may need to copy is wrapped: messages, paths and ids are printed with soft
# wrap (the terminal folds long lines, rich inserts no newline), tables keep their id and
# path columns whole and grow past the terminal width when they must. The consoles are made
# per command, so that the terminal's width and colour are read when the command runs.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def for_cli(message: str) -> str:
    """:func:`serviceart.readers.spelling.for_cli`, imported when first needed: the
    readers import pandas, which ``serviceart score`` must not wait for before it starts
    its fork server."""
    from .readers.spelling import for_cli as spelled

    return spelled(message)


def _version(given: bool) -> None:
    if given:
        from . import __version__

        typer.echo(f"serviceart {__version__}")
        raise typer.Exit()


@app.callback()
def _consoles(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
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


def _read(paths: list[Path], format: str | None, file_log: FileLog,
          **options: Any) -> Conversations:
    """Read inputs, printing reader warnings (e.g. inferred roles) on stderr."""
    from .ingest.io import read

    with warnings.catch_warnings(record=True) as caught, _logged() as logged:
        warnings.simplefilter("always")
        conv = read(paths, format=format, file_log=file_log, **options)
    _warn([str(w.message) for w in caught], logged, set(file_log.entries))
    return conv


#: errors whose argument names nothing usable: usage errors (exit 2), not bad data
_USAGE_CODES = frozenset({"SA-I017", "SA-I018", "SA-I023"})


def _exit_code(exc: ServiceartError) -> int:
    """1 for a problem of the input, 2 for a usage error (the output folder's problems
    included: a full disk, a folder of another run)."""
    if isinstance(exc, InputError):
        return 2 if exc.code in _USAGE_CODES else 1
    return 2


def _fail(exc: ServiceartError) -> None:
    """Print the error with the command line's spelling of options, and exit."""
    shown = type(exc)(for_cli(exc.message), code=exc.code, source=exc.source,
                      record=exc.record, field=exc.field)
    _say(err, ("error:", "red"), f" {shown}")
    raise typer.Exit(code=_exit_code(exc))


@contextmanager
def _logged() -> Iterator[list[logging.LogRecord]]:
    """Warnings that serviceart logs while inside, collected instead of printed."""
    records: list[logging.LogRecord] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("serviceart")
    handler, before = _Keep(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = before


def _warn(messages: list[str], logged: list[logging.LogRecord], listed: set[str]) -> None:
    """Print warnings once each, in the command line's spelling; logged warnings about a
    file that the per-file table lists (``listed``) are left to the table."""
    for record in logged:
        args = record.args if isinstance(record.args, tuple) else ()
        if not any(str(a) in listed for a in args):
            messages.append(record.getMessage())
    for text in dict.fromkeys(messages):
        _say(err, f"warning: {for_cli(text)}")


# reader options, shared by `score` and `validate`
FORMAT = typer.Option("--format", "-f", metavar="NAME",
                      help="Reader name (see `serviceart list readers`); sniffed per file "
                           "if omitted.")
COLUMNS = typer.Option(
    "--columns", metavar="THEIRS=OURS",
    help="Read the export's column THEIRS as our column OURS (interaction_id, role, text, "
         "timestamp, speaker, channel...), e.g. --columns message=text; repeat, or separate "
         "pairs with commas.")
ROLES = typer.Option(
    "--roles", metavar="LABEL=ROLE",
    help="Read the role label or speaker name LABEL as agent, customer or system, e.g. "
         "--roles rep=agent; repeat, or separate pairs with commas.")
AGENT_DOMAIN = typer.Option(
    "--agent-domain", metavar="DOMAIN",
    help="Email and transcripts: senders at this domain (or its subdomains) are agents; "
         "repeat for more domains.")
AGENT_ADDRESS = typer.Option(
    "--agent-address", metavar="ADDRESS",
    help="Email: this sender address is an agent's; repeat for more.")
AGENT_ID = typer.Option(
    "--agent-id", metavar="ID",
    help="This author id or speaker label is an agent; repeat for more.")
COMPANY = typer.Option(
    "--company", metavar="NAME",
    help="Transcripts: the company's name, to tell the agent from a greeting such as "
         "'thanks for calling Acme'; repeat for more names.")
MAPPING = typer.Option(
    "--mapping", metavar="FILE",
    help="A TOML file of reader options: top-level keys as --agent-domain etc. take "
         "(agent_domains = [\"acme.com\"], company, encoding...), and [columns] and "
         "[roles] tables of THEIRS = \"OURS\"; the flags add to it.")
ALLOW_EMPTY = typer.Option(
    "--allow-empty-files",
    help="Do not fail when an input file gives no interaction (unreadable, of no known "
         "format, or all of its interactions rejected); it is still listed.")
STRICT = typer.Option("--strict", help="Fail (exit 1) when any record is rejected.")


#: ``--redact`` and ``--redact-types``: personal data replaced in what is written
REDACT = typer.Option(
    "--redact", help="Replace personal data (cards, emails, phones, IBANs, national ids, IP "
                     "addresses, street addresses, account numbers, and the names the export "
                     "gives) by its type, e.g. [EMAIL], in every text written. Scores do not "
                     "change.")
REDACT_TYPES = typer.Option(
    "--redact-types", metavar="TYPES", help="Redact only these entity types, comma-separated (e.g. "
                           "card,email,name; implies --redact). Types: email, iban, card, "
                           "national_id, ip, phone, address, account, name.")


def _redact(redact: bool, types: str | None) -> bool | str:
    """``--redact`` and ``--redact-types`` as one ``redact`` setting (checked with the
    settings)."""
    return types if types else redact


def _read_options(format: str | None, mapping: Path | None, columns: list[str] | None,
                  roles: list[str] | None, agent_domain: list[str] | None,
                  agent_address: list[str] | None, agent_id: list[str] | None,
                  company: list[str] | None) -> dict[str, Any]:
    """Reader options from the command line (see :mod:`serviceart.readers.mapping`)."""
    from .readers.mapping import read_options

    try:
        return read_options(mapping=mapping, format=format, columns=columns, roles=roles,
                            agent_domains=agent_domain, agent_addresses=agent_address,
                            agent_ids=agent_id, company=company)
    except ServiceartError as exc:
        _fail(exc)
        raise  # not reached: _fail exits


@app.command(epilog=EXIT_CODES)
def score(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", hidden=True)],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FOLDER",
                                         help="Run folder to write.")],
    format: Annotated[str | None, FORMAT] = None,
    rubric: Annotated[Path | None, typer.Option("--rubric", "-r", metavar="FILE",
                                                help="Rubric TOML.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, metavar="N",
        help="Worker processes (default: all cores).")] = None,
    chunk_size: Annotated[int, typer.Option(
        "--chunk-size", min=1, metavar="N",
        help="Interactions per part (whole cases).")] = 1000,
    sla: Annotated[str | None, typer.Option(
        "--sla", metavar="TARGET",
        help="Reply-time targets: seconds or a duration for every channel (600, "
                      "10m), or CHANNEL=DURATION pairs (chat=2m,social=1h,email=1d; "
                      "default=... for the other channels). Default: the rubric's [sla], "
                      "else the built-in targets.")] = None,
    tz: Annotated[str, typer.Option("--tz", metavar="ZONE",
                                    help="Time zone for due times.")] = "UTC",
    show: Annotated[int, typer.Option("--show", metavar="N",
                                      help="Print scores and top evidence for this many "
                                           "interactions.")] = 0,
    calendar: Annotated[Path | None, typer.Option(
        "--calendar", metavar="FILE",
        help="Business-hours TOML ([hours] mon = \"09:00-17:00\", tz, "
                           "holidays): latency and SLA count business time.")] = None,
    case_window: Annotated[str, typer.Option(
        "--case-window", metavar="DURATION",
        help="Contacts of one customer this close are one case, and a "
                              "repeat contact (e.g. 7D, 48h).")] = "7D",
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="TIME",
        help="End of the data: promises due later are open (default: the "
                        "latest time in the input).")] = None,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed/--keep-failed", show_default=False,
        help="On a rerun, score again the parts that failed before (the default), or "
             "keep their scoring_failed rejects.")] = True,
    horizon: Annotated[list[str] | None, typer.Option(
        "--horizon", metavar="CHANNEL=DURATION",
        help="Due time for promises that state none, per channel, as "
                          "CHANNEL=DURATION (e.g. email=2D); repeat for more channels.")] = None,
    link_by_customer: Annotated[bool, typer.Option(
        "--link-by-customer/--exported-cases-only", show_default=False,
        help="Link one customer's contacts within the case window into a case (the "
             "default), or keep only the export's own case ids.")] = True,
    recycle_after: Annotated[int, typer.Option(
        "--recycle-after", min=1, metavar="N",
        help="Tasks a worker runs before it is replaced.")] = 100,
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
    columns: Annotated[list[str] | None, COLUMNS] = None,
    roles: Annotated[list[str] | None, ROLES] = None,
    agent_domain: Annotated[list[str] | None, AGENT_DOMAIN] = None,
    agent_address: Annotated[list[str] | None, AGENT_ADDRESS] = None,
    agent_id: Annotated[list[str] | None, AGENT_ID] = None,
    company: Annotated[list[str] | None, COMPANY] = None,
    mapping: Annotated[Path | None, MAPPING] = None,
    allow_empty_files: Annotated[bool, ALLOW_EMPTY] = False,
    strict: Annotated[bool, STRICT] = False,
) -> None:
    """Score exports into a resumable run folder.

    PATH: export files or folders. The scores and evidence are written as Parquet
    parts in the --output folder (rerun the same command to continue). The input
    is read in parts of whole cases, scored by --jobs worker processes. A rerun
    checks the finished parts and scores again those that are missing, damaged or
    failed; the run ends with an error, never a summary, if its tables do not hold
    exactly its input. One run at a time writes an output folder. Every input file
    is listed with what it gave (also in run.json); a file that cannot be read is
    rejected as file_unreadable and the run goes on.
    """
    # first of all, so that the server imports spaCy and pandas while this process
    # imports pandas (the readers) too; it ends with this process if an option is bad
    start_fork_server(PRELOAD, WORKER_ENV)
    read_options = _read_options(format, mapping, columns, roles, agent_domain,
                                 agent_address, agent_id, company)
    with _stopping():
        _score(paths, output, format, show, retry_failed, read_options,
               _Checks(allow_empty_files, strict), dict(
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


@dataclass(frozen=True)
class _Checks:
    """What else makes a command fail besides errors."""

    allow_empty_files: bool = False
    strict: bool = False


def _score(paths: list[Path], output: Path, format: str | None, show: int,
           retry_failed: bool, read_options: dict[str, Any], checks: _Checks,
           options: dict[str, Any]) -> None:
    """The ``score`` command once its fork server is starting: the settings are built
    and checked first, before any input is read."""
    from .result import Result
    from .run.batch import run_batch
    from .run.settings import ScoreSettings

    try:
        settings = ScoreSettings(**options)
        run = partial(run_batch, paths, output, format=format, settings=settings,
                      retry_failed=retry_failed, **read_options)
        with warnings.catch_warnings(record=True) as caught, _logged() as logged:
            warnings.simplefilter("always")
            if sys.stderr.isatty():
                with Progress("[progress.description]{task.description}", BarColumn(),
                              _Count(), _Rate(), TimeRemainingColumn(), console=err,
                              transient=True) as bar:
                    task = bar.add_task("reading", total=None, unit="turn records")
                    summary = run(reading=lambda n: bar.update(task, completed=n),
                                  progress=partial(_scoring, bar, task))
            else:
                summary = run()
    except ServiceartError as exc:
        _fail(exc)
        return
    except KeyboardInterrupt:
        _say(err, f"interrupted: the finished parts are in {output}; run the same command "
                  "again to resume")
        raise typer.Exit(code=130) from None
    _warn(_unique(caught), logged, set(summary.files["file"].astype(str)))
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
              + f"; {summary.turns_in} turn records ({summary.turns_rejected} rejected)"
              f"; {summary.parts} parts "
              f"({summary.parts_skipped} already done, {summary.parts_failed} failed); "
              f"{summary.seconds:.2f} s, {speed:.0f} words/s, peak memory "
              f"{summary.peak_rss_mb:.0f} MB per worker -> {output}")
    _files(summary.files, "score")
    if not summary.scored and not summary.out_of_scope and (summary.interactions_in
                                                            or summary.unattributed):
        _say(err, ("error:", "red"), " no interaction could be scored; see the rejects in "
             f"the run folder {output}")
        raise typer.Exit(code=1)
    _check(checks, summary.empty_files, summary.rejected + summary.turns_rejected,
           ("--strict: ", f"see the rejects in the run folder {output}"))


def _check(checks: _Checks, empty: list[str], rejects: int, where: tuple[str, str]) -> None:
    """Exit 1 for a file that gave nothing (unless allowed) or, with ``--strict``, for
    any reject."""
    if empty and not checks.allow_empty_files:
        shown = ", ".join(empty[:5]) + (f" and {len(empty) - 5} more" if len(empty) > 5
                                        else "")
        _say(err, ("error:", "red"), f" {len(empty)} input file(s) gave no interaction: "
             f"{shown} (see the table of files); fix or remove them, or pass "
             "--allow-empty-files to accept this")
        raise typer.Exit(code=1)
    if checks.strict and rejects:
        _say(err, ("error:", "red"), f" {where[0]}{rejects} rejected interaction(s) or "
             f"record(s); {where[1]}")
        raise typer.Exit(code=1)


#: files listed in full; beyond, files read without a problem are counted
_MAX_FILE_ROWS = 100


def _files(files: pd.DataFrame, command: str) -> None:
    """Print the table of input files: what each gave and what became of it (files with
    a problem first)."""
    import pandas as pd

    if files.empty:
        return
    done = "valid" if command == "validate" else "scored"
    problem = ~files["status"].isin(["read", "document"]) | (files["rejects"] > 0) | (
        (files["status"] == "read") & (files["scored"] + files["out_of_scope"] == 0))
    shown = files[problem].head(_MAX_FILE_ROWS)
    shown = pd.concat([shown, files[~problem].head(_MAX_FILE_ROWS - len(shown))])
    names = files["file"].astype(str).tolist()
    root = os.path.commonpath(names) if len(names) > 1 else ""
    root = root if root and root not in names else ""
    table = Table(title=f"Input files (in {root})" if root else "Input files",
                  title_justify="left")
    for col, justify in (("file", "left"), ("reader", "left"), ("status", "left"),
                         ("interactions", "right"), ("turns", "right"),
                         ("rejects", "right"), (done, "right"), ("out of scope", "right"),
                         ("rejected", "right")):
        if col == "out of scope" and command == "validate":
            continue
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("note", min_width=20, overflow="fold")
    reasons: list[tuple[str, str]] = []
    for row in shown.to_dict("records"):
        name = os.path.relpath(row["file"], root) if root else row["file"]
        note = ""
        if isinstance(row["reason"], str):
            note = "why: below"
            reasons.append((name, row["reason"]))
        elif row["merged"]:
            note = f"adds turns to {row['merged']} interaction(s) of an earlier file"
        reader = row["reader"] if isinstance(row["reader"], str) else "-"
        cells = [name, reader, row["status"], row["interactions"], row["turns"],
                 row["rejects"], row["scored"]]
        if command != "validate":
            cells.append(row["out_of_scope"])
        cells += [row["rejected"], note]
        table.add_row(*[_cell(c) for c in cells])
    _table(out, table)
    for name, reason in reasons:  # whole lines, to be copied
        _say(out, "  ", (name, "bold"), f": {for_cli(reason)}")
    if len(files) > len(shown):
        _say(out, f"... and {len(files) - len(shown)} more file(s) read without a problem"
             + (" (all are listed in run.json)" if command == "score" else ""))


def _scoring(bar: Progress, task: Any, done: int, total: int) -> None:
    """Progress of the scoring pass: the bar now counts interactions."""
    if bar.tasks[0].description != "scoring":
        bar.reset(task, total=total, completed=done, description="scoring",
                  unit="interactions")
    else:
        bar.update(task, completed=done, total=total)


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
    """Turn records (while reading) or interactions (while scoring) per second."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "interactions")
        return Text(f"{task.speed:,.0f} {unit}/s" if task.speed else "")


class _Count(ProgressColumn):
    """``done/total`` once the total is known; before, how many were read."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text(f"{task.completed:,.0f} {task.fields.get('unit', '')} read")
        return Text(f"{task.completed:,.0f}/{task.total:,.0f}")


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


@app.command(epilog=EXIT_CODES)
def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", hidden=True)],
    format: Annotated[str | None, FORMAT] = None,
    columns: Annotated[list[str] | None, COLUMNS] = None,
    roles: Annotated[list[str] | None, ROLES] = None,
    agent_domain: Annotated[list[str] | None, AGENT_DOMAIN] = None,
    agent_address: Annotated[list[str] | None, AGENT_ADDRESS] = None,
    agent_id: Annotated[list[str] | None, AGENT_ID] = None,
    company: Annotated[list[str] | None, COMPANY] = None,
    mapping: Annotated[Path | None, MAPPING] = None,
    allow_empty_files: Annotated[bool, ALLOW_EMPTY] = False,
) -> None:
    """Check exports without scoring them.

    PATH: export files or folders. Lists the input files with what each gave, and
    the rejects grouped by code; exits 1 when any record was rejected or a file
    gave nothing."""
    from .ingest.files import FileLog

    options = _read_options(format, mapping, columns, roles, agent_domain, agent_address,
                            agent_id, company)
    file_log = FileLog()
    try:
        conv = _read(paths, format, file_log, **options)
    except ServiceartError as exc:
        _fail(exc)
        return
    c = conv.counts
    _say(out, f"{c['interactions_in']} interactions ({c['interactions_valid']} valid), "
              f"{c['turns_in']} turn records ({c['turns_valid']} valid)")
    files = file_log.table(valid=conv.interactions["interaction_id"], rejects=conv.rejects)
    _files(files, "validate")
    if len(conv.rejects):
        # lines, not a table: the file, record and reason are there to be copied whole
        _say(out, ("Rejects by code", "bold"), " (count, first record, reason):")
        for code, g in conv.rejects.groupby("code", sort=True):
            first = g.iloc[0]
            where = " ".join(str(first[k]) for k in ("source", "record")
                             if isinstance(first[k], str))
            _say(out, "  ", (str(code), "bold"), f" ({len(g)}): {where}: "
                 f"{for_cli(str(first['reason']))}")
    empty = files.loc[(files["scored"] == 0) & (files["merged"] == 0)
                      & (files["status"] != "document"), "file"].astype(str).tolist()
    _check(_Checks(allow_empty_files, strict=True), empty, len(conv.rejects),
           ("", "they are listed above"))


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", hidden=True)],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE",
                                         help="HTML file to write.")],
    worst: Annotated[int, typer.Option(
        "--worst", min=0, metavar="N",
        help="Scorecards for this many of the lowest overall scores.")] = 10,
    redact: Annotated[bool, REDACT] = False,
    redact_types: Annotated[str | None, REDACT_TYPES] = None,
    agent: Annotated[list[str] | None, typer.Option(
        "--agent", metavar="AGENT",
        help="Only this agent's interactions (repeat for several).")] = None,
    team: Annotated[list[str] | None, typer.Option(
        "--team", metavar="TEAM",
        help="Only this team's interactions (repeat for several).")] = None,
    channel: Annotated[list[str] | None, typer.Option(
        "--channel", metavar="CHANNEL",
        help="Only this channel (call, chat, email...; repeat for several).")
    ] = None,
    start: Annotated[str | None, typer.Option(
        "--from", metavar="DATE", help="Only interactions started on or after this date "
                                       "(2026-03-05) or time (2026-03-05T14:00Z).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", metavar="DATE", help="Only interactions started on or before this date "
                                     "(the whole day) or time.")] = None,
    per_agent: Annotated[int, typer.Option(
        "--per-agent", min=0, metavar="N",
        help="Scorecard pages for this many of each agent's lowest conversations.")] = 10,
    all_cards: Annotated[bool, typer.Option(
        "--all-cards", help="A scorecard page for every conversation (overrides "
                            "--per-agent).")] = False,
) -> None:
    """Write an HTML report of a run.

    RUN: a run folder written by `score` or Result.to_parquet. The report is an index
    page (summary, distributions, agents with intervals, the worst interactions with
    their scorecards, top cues, rejects) and, in a folder beside it, a page per agent
    and a scorecard page per conversation."""
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
    what: Annotated[str, typer.Argument(metavar="WHAT", hidden=True)] = "all",
) -> None:
    """List readers, scorers, cues and measures.

    WHAT: readers, scorers, cues or measures (default: all)."""
    from .codebook import CUES, MEASURES
    from .readers import READERS
    from .scorers import SCORERS

    sections = {
        "readers": [(n, _about_reader(c)) for n, c in READERS],
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
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", hidden=True)],
    reviews: Annotated[Path, typer.Argument(metavar="REVIEWS", hidden=True)],
    by: Annotated[str, typer.Option("--by", metavar="principle|criterion",
                                    help="Table to print.")] = "principle",
    show: Annotated[int, typer.Option("--show", min=0, metavar="N",
                                      help="Disagreements to print, worst first.")] = 10,
    scale: Annotated[str | None, typer.Option(
        "--scale", metavar="LO,HI", help="The reviews' scale, e.g. 1,5 (default 0..100).")]
    = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", help="CSV file for the table; the disagreements go "
                                               "beside it as NAME.disagreements.csv.")] = None,
) -> None:
    """How serviceart agrees with each reviewer, and reviewers with each other (Spearman,
    kappa on bands, MAE), and the conversations where they disagree most.

    RUN: a run folder written by `score` or Result.to_parquet. REVIEWS: reviewers'
    scores, CSV or Parquet, with interaction_id, reviewer and a column per principle,
    overall or criterion."""
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
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", hidden=True)],
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="FILE",
        help="A .csv file (one flat row per interaction) or a .xlsx file (that flat sheet "
             "and one sheet per table).")],
    sheet: Annotated[list[str] | None, typer.Option(
        "--sheet", metavar="TABLE",
        help="Excel: only these tables after the flat sheet (repeat the option); default: "
             "all of scores, bands, measures, contributions, evidence, promises, "
             "interactions, turns, rejects.")] = None,
    redact: Annotated[bool, REDACT] = False,
    redact_types: Annotated[str | None, REDACT_TYPES] = None,
) -> None:
    """Export a run for spreadsheets: per interaction its metadata, scores, bands, status,
    the criterion that lost the most points and an evidence snippet. Text cells that
    could run as formulas are neutralised.

    RUN: a run folder written by `score` or Result.to_parquet."""
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
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", hidden=True)],
    categories: Annotated[Path, typer.Option(
        "--categories", metavar="FILE", help="The new or changed categories TOML.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="NEW", help="New run folder to write (the run folder is "
                                              "left as it was).")],
) -> None:
    """Apply new or changed categories to a finished run from its stored turns (the
    input is not read again), score it again with its rubric, and write a new run
    folder.

    RUN: a finished run folder (it is left as it was)."""
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
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", hidden=True)],
    name: Annotated[str, typer.Argument(metavar="NAME", hidden=True)],
    n: Annotated[int, typer.Option("-n", min=1, metavar="N",
                                   help="How many hits to show.")] = 30,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Random seed: the same "
                                      "seed shows the same hits.")] = 0,
) -> None:
    """Print a random sample of a category's hits, each in its turn with the turns
    before and after it, so that a person can judge its precision.

    RUN: a run folder scored with --categories. NAME: the category."""
    from .views.categories import format_hits, sample_hits

    try:
        frame = sample_hits(run_dir, name, n, seed=seed)
    except ServiceartError as exc:
        _fail(exc)
        return
    out.print(format_hits(frame, name), markup=False, highlight=False)


#: a parenthesis that points to Python documentation, and Sphinx markup
_DOC_POINTER = re.compile(r"\s*\([^()]*(?:docstring|:mod:|:func:|:class:)[^()]*\)")
_ROLE = re.compile(r":\w+:`~?([^`]*)`")
_LITERAL = re.compile(r"``([^`]*)``")


def _about_reader(cls: Any) -> str:
    """A reader's first docstring line for the command line (no pointers to Python
    documentation, no markup), with the files it claims and the options a --mapping
    file may give it."""
    line = (cls.__doc__ or "").strip().splitlines()[0]
    line = _LITERAL.sub(r"\1", _ROLE.sub(r"\1", _DOC_POINTER.sub("", line)))
    options = sorted(cls.option_names() or ())
    return (f"{line} Files: {', '.join(cls.extensions)}."
            + (f" Options (flags or --mapping keys): {', '.join(options)}." if options
               else ""))


def main() -> None:
    """Entry point of the ``serviceart`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    app()

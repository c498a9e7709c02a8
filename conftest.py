"""Settings for every test and doctest, so that results do not depend on the machine.

pandas sizes its printed frames to the terminal when it runs in one (``COLUMNS``, the
window): the doctests' expected output is written for pandas' settings outside a
terminal, which are fixed here for every run.
"""

from __future__ import annotations

import pandas as pd
import pytest

pd.set_option("display.width", 80)
pd.set_option("display.max_columns", 20)


# A test over this many seconds should be marked ``slow`` (the quick set, ``pytest -m "not
# slow"``, leaves those out); the run's summary names any that is not, as a reminder.
SLOW_S = 3.0
_unmarked: list[tuple[float, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.duration > SLOW_S and "slow" not in report.keywords:
        _unmarked.append((report.duration, report.nodeid))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _unmarked:
        terminalreporter.write_sep("-", f"not marked slow, over {SLOW_S} s")
        for seconds, nodeid in sorted(_unmarked, reverse=True):
            terminalreporter.write_line(f"{seconds:5.1f} s  {nodeid}")

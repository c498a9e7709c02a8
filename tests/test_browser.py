"""The report and a scorecard open in headless Chromium: rendered, no console error, and no
script from transcript text executed.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it when missing;
set ``SERVICEART_CHROMIUM`` to use another binary). Each page is opened once,
with ``--screenshot`` and ``--dump-dom`` together, and without network:

- when the kernel allows it, Chromium runs in a new, empty network namespace
  (``unshare --net``: only a loopback interface that is down);
- always, ``--proxy-server=127.0.0.1:9`` (the discard port: any request that
  would leave fails) and ``--host-resolver-rules="MAP * ~NOTFOUND"`` (no name
  resolves), with background networking, component updates and sync off.

Script execution is detected from the DOM after the page ran: the hostile
transcript's payloads would set ``document.title`` to ``PWNED`` or put a
``data-pwned`` attribute on ``<body>``; a control test shows that the same
checks do fire on a page that really runs such a script. Console messages
(``console.error``, uncaught exceptions, Content-Security-Policy violations) reach
stderr through ``--enable-logging=stderr`` as ``...:CONSOLE...`` lines; any such
line fails the test. The agent pages run one script, the sortable tables, allowed
by its hash in the page's policy; a control shows that the policy refuses any
other inline script.

The screenshots are written under pytest's temporary folder and their paths
printed (``pytest -s`` shows them).
"""

from __future__ import annotations

import functools
import html
import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import serviceart as sa
from serviceart.views import pages
from serviceart.views.pages import SORT_JS
from serviceart.views.report import write_report

from .test_scorecard import HOSTILE_ID, SCRIPT, hostile_folder

CHROMIUM = (os.environ.get("SERVICEART_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH: install Debian's "
                       "chromium package (.ci/run does when apt-get is available) or set "
                       "SERVICEART_CHROMIUM"),
]

NO_NETWORK = ["--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--disable-default-apps", "--no-default-browser-check"]


@functools.cache
def _isolate() -> list[str]:
    """``unshare --net`` when this machine lets us make a network namespace."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:
        ok = subprocess.run([unshare, "--net", "true"], capture_output=True,
                            timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return [unshare, "--net"] if ok else []


def browse(page: Path, shot: Path, profile: Path) -> tuple[str, str]:
    """Open ``page`` headless: the screenshot goes to ``shot``; returns the DOM after the
    page ran and Chromium's log."""
    assert CHROMIUM is not None
    cmd = [*_isolate(), CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
           "--disable-extensions", "--no-first-run", f"--user-data-dir={profile}",
           *NO_NETWORK, "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
           "--window-size=1280,2000", f"--screenshot={shot}", "--dump-dom",
           page.resolve().as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


_RECORD = re.compile(r"^\[\d+:\d+:[^\]]*\]", re.M)
_SOURCE = re.compile(r", source: (\S*) \(\d+\)")


def console_lines(log: str, page: Path) -> list[str]:
    """Chromium's console messages (``console.*``, uncaught exceptions) from ``page``.

    Chromium logs one record per message, ``[pid:tid:time:LEVEL:CONSOLE...] "text",
    source: URL (line)``; a message may span lines. Records whose source is another
    document (Chromium's own ``chrome://`` pages log "Slow network is detected" and the
    like on some versions) are not the page's; a record without a source is counted.
    """
    url = page.resolve().as_uri()
    starts = [m.start() for m in _RECORD.finditer(log)] + [len(log)]
    found = []
    for a, b in itertools.pairwise(starts):
        record = log[a:b].rstrip()
        head = record[:record.find("]") + 1]
        if "CONSOLE" not in head:
            continue
        sources = _SOURCE.findall(record)  # the last: a message may quote "source:"
        if not sources or sources[-1] == "" or sources[-1].startswith(url):
            found.append(record)
    return found


def assert_screenshot(shot: Path) -> None:
    print(f"\nscreenshot: {shot}")
    assert shot.exists() and shot.stat().st_size > 20_000
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(shot) as img:
        assert img.size == (1280, 2000)
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 50  # not a blank page


def assert_not_pwned(dom: str) -> None:
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    # the payload sets the title to exactly PWNED (an agent page's title holds the
    # hostile agent id as text, PWNED included)
    assert title is not None and title.group(1).strip() != "PWNED"
    assert "data-pwned" not in re.sub(r"&lt;.*?&gt;", "", dom)  # only inside escaped text
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None and "pwned" not in body.group(0)
    for raw in ("<script", "<img", "<svg onload", "<b onmouseover"):
        assert raw not in dom
    # the payloads are on the page, as text
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom
    assert ("&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"&gt;"
            in dom)


@pytest.fixture(scope="module")
def hostile_run(samples_dir, nlp, tmp_path_factory) -> tuple[sa.Result, Path]:
    folder = hostile_folder(samples_dir, tmp_path_factory.mktemp("in"))
    res = sa.score(sa.read(folder), nlp=nlp)
    return res, res.to_parquet(tmp_path_factory.mktemp("run") / "run")


def test_report_opens_in_chromium(hostile_run, tmp_path):
    res, run = hostile_run
    n = len(res.scores)
    page = write_report(run, tmp_path / "report.html", worst=n, n_boot=200)
    dom, log = browse(page, tmp_path / "report.png", tmp_path / "profile")
    assert console_lines(log, page) == []
    assert re.search(r"<title>serviceart report: run</title>", dom)
    for key in ("summary", "distributions", "agents", "worst", "cues", "rejects"):
        assert f'id="{key}"' in dom
    assert dom.count('class="sa-card"') == n
    assert dom.count('class="sa-hist"') == 5
    # the id with markup is an attribute value (newer Chromium serialises < > in it escaped)
    assert ('data-interaction="evil-&quot;&gt;&lt;b&gt;1&lt;/b&gt;"' in dom
            or 'data-interaction="evil-&quot;><b>1</b>"' in dom)
    assert_not_pwned(dom)
    assert_screenshot(tmp_path / "report.png")


def test_scorecard_opens_in_chromium(hostile_run, tmp_path):
    res, _ = hostile_run
    ex = res.explain(HOSTILE_ID)
    page = tmp_path / "scorecard.html"
    page.write_text(ex.to_html(standalone=True), encoding="utf-8")
    dom, log = browse(page, tmp_path / "scorecard.png", tmp_path / "profile")
    assert console_lines(log, page) == []
    assert dom.count('<li class="sa-turn') == len(ex.turns) == 5
    assert dom.count('<mark class="sa-cue') >= len(ex.evidence) >= 3
    assert 'title="disrespect"' in dom and 'data-status="' in dom
    assert_not_pwned(dom)
    assert_screenshot(tmp_path / "scorecard.png")
    # a timed call from the samples as well, for the look of a normal scorecard
    normal = tmp_path / "call.html"
    normal.write_text(res.explain("call-0002").to_html(standalone=True), encoding="utf-8")
    dom, log = browse(normal, tmp_path / "call-0002.png", tmp_path / "profile")
    assert console_lines(log, normal) == [] and "3:59.0-4:04.5" in dom
    assert_screenshot(tmp_path / "call-0002.png")


def test_the_checks_catch_a_script_that_runs(tmp_path):
    """Control: on a page that does run the payloads, the checks above fire."""
    page = tmp_path / "unsafe.html"
    page.write_text("<!DOCTYPE html><html><head><title>ok</title></head><body><p>x</p>"
                    f"{SCRIPT}<script>document.body.setAttribute('data-pwned','1');"
                    "console.error('boom')</script><script>throw new Error('bang')</script>"
                    "</body></html>", encoding="utf-8")
    dom, log = browse(page, tmp_path / "unsafe.png", tmp_path / "profile")
    assert "<title>PWNED</title>" in dom and 'data-pwned="1"' in dom
    found = console_lines(log, page)
    assert any("boom" in ln for ln in found)
    assert any("Uncaught" in ln and "bang" in ln for ln in found)
    with pytest.raises(AssertionError):
        assert_not_pwned(dom)


def test_console_lines_are_the_page_s_own(tmp_path):
    """Records from Chromium's own pages are not the page's; records from the page, one
    without a source and a message over several lines are."""
    page = tmp_path / "report.html"
    url = page.resolve().as_uri()
    log = "\n".join([
        "[2982:2982:1206/000242.254213:INFO:CONSOLE:574] \"Slow network is detected. See "
        "https://www.chromestatus.com/feature/5636954674692096 for more details. Fallback "
        "font will be used while loading: chrome://resources/roboto/roboto-regular.woff2\", "
        "source: chrome://resources/cr_components/composebox/composebox_input.js (574)",
        "[2982:2982:1206/000242.254300:INFO:CONSOLE:1] \"x\", source: "
        "chrome://omnibox-popup.top-chrome/ (1)",
        "[2982:2990:1206/000242.300000:WARNING:net/dns/host_resolver.cc(12)] not console",
        f"[2982:2982:1206/000243.000001:INFO:CONSOLE:3] \"boom\", source: {url} (3)",
        "[2982:2982:1206/000243.000002:INFO:CONSOLE:0] \"Uncaught Error: two",
        f"lines\", source: {url} (9)",
        "123 bytes written to file /tmp/x.png",
        "[2982:2982:1206/000243.000003:INFO:CONSOLE:0] \"no source\", source:  (0)",
    ])
    found = console_lines(log, page)
    assert [r.split("] ", 1)[1][:8] for r in found] == ['"boom", ', '"Uncaugh', '"no sour']
    assert console_lines(log, tmp_path / "other.html") == [found[-1]]


def _own_script_removed(dom: str) -> str:
    """The DOM without the report's own sortable-table script (the one script the
    page's policy allows), for the checks that no other script is on the page."""
    assert dom.count("<script>") == 1 and f"<script>{SORT_JS}</script>" in dom
    return dom.replace(f"<script>{SORT_JS}</script>", "")


def test_agent_page_and_a_scorecard_from_it_open_in_chromium(hostile_run, tmp_path):
    """The acceptance path: the index links to the agent's page, the page (with its one
    hashed script running under the policy) links to the scorecard."""
    _, run = hostile_run
    index = write_report(run, tmp_path / "report.html", worst=3, n_boot=100)
    link = re.search(r'<a href="(report_files/agents/[^"]+)">' + re.escape(html.escape(SCRIPT))
                     + "</a>", index.read_text(encoding="utf-8"))
    assert link is not None  # the hostile agent id, escaped, links to its page
    agent = tmp_path / link.group(1)
    dom, log = browse(agent, tmp_path / "agent.png", tmp_path / "profile")
    assert console_lines(log, agent) == []  # no policy violation, no error
    assert 'data-sortable="ready"' in dom  # the script ran: the policy allows its hash
    assert dom.count('<button type="button" class="sa-sort">') == 10  # a button per column
    assert dom.count('<svg class="sa-trend"') == 1
    assert_not_pwned(_own_script_removed(dom))
    assert_screenshot(tmp_path / "agent.png")
    # text in the DOM dump: Chromium leaves " unescaped, our HTML escapes it
    shown = "(?:" + "|".join(re.escape(t) for t in (
        html.escape(HOSTILE_ID), html.escape(HOSTILE_ID, quote=False))) + ")"
    card_link = re.search(r'<a href="(\.\./cards/[^"]+)" class="sa-conv">' + shown + "</a>",
                          dom)
    assert card_link is not None
    card = (agent.parent / card_link.group(1)).resolve()
    dom, log = browse(card, tmp_path / "card.png", tmp_path / "profile")
    assert console_lines(log, card) == []
    assert dom.count('<li class="sa-turn') == 5
    assert re.search(r'<a class="sa-back" href="\.\./agents/[^"]+">', dom)
    assert 'class="sa-effect sa-effect-hurt"' in dom  # "it's not my problem"
    assert_not_pwned(dom)
    assert_screenshot(tmp_path / "card.png")


def test_the_policy_refuses_a_script_whose_hash_it_does_not_list(tmp_path):
    """Control: under the report's policy the listed script runs and any other is refused."""
    extra = "document.title='PWNED';"
    page = tmp_path / "policy.html"
    page.write_text(pages.page("ok", '<table class="sa-table sa-sortable"><thead><tr><th>a</th>'
                               "</tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
                               f"<script>{extra}</script>", "", script=SORT_JS),
                    encoding="utf-8")
    dom, log = browse(page, tmp_path / "policy.png", tmp_path / "profile")
    assert "<title>ok</title>" in dom and 'data-sortable="ready"' in dom
    refused = console_lines(log, page)
    assert len(refused) == 1
    assert "inline script violates the following Content Security Policy" in refused[0]


def test_sortable_tables_sort_in_chromium(tmp_path):
    """The sort script on a table like the agent pages': numbers by value with empty
    cells last, text by letters, a second click reverses."""
    table = ('<table class="sa-table sa-sortable"><thead><tr><th data-type="text">id</th>'
             '<th data-type="num">overall</th></tr></thead><tbody>'
             + "".join(f'<tr><td>{i}</td><td class=sa-num data-sort="{v}">{v or "n/a"}</td></tr>'
                       for i, v in (("b", "9.5"), ("a", "70"), ("c", ""), ("d", "100")))
             + "</tbody></table>")
    driver = ("var b = document.querySelectorAll('button.sa-sort'); var out = [];"
              "function ids() { return Array.prototype.map.call(document.querySelectorAll("
              "'tbody tr td:first-child'), function (c) { return c.textContent; }).join(''); }"
              "b[1].click(); out.push(ids()); b[1].click(); out.push(ids());"
              "b[0].click(); out.push(ids()); document.title = out.join(' ');")
    page = tmp_path / "sort.html"
    page.write_text("<!DOCTYPE html><html><head><title>x</title></head><body>" + table
                    + f"<script>{SORT_JS}</script><script>{driver}</script></body></html>",
                    encoding="utf-8")
    dom, log = browse(page, tmp_path / "sort.png", tmp_path / "profile")
    assert console_lines(log, page) == []
    assert "<title>badc dabc abcd</title>" in dom

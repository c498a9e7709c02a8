"""The pieces every report page shares: the page shell, its Content-Security-Policy,
the sortable-table script, file names for agents and interactions, and writing a
folder of pages in one step.

Every page carries a ``Content-Security-Policy`` in a ``<meta>`` element:
``default-src 'none'`` (nothing is loaded: no image, font, frame, connection or
external script or style), inline CSS allowed (the score bars are sized by
``style`` attributes), and scripts allowed only when their SHA-256 is listed:
a page with a sortable table lists the hash of :data:`SORT_JS`, the only script
serviceart writes; every other page has ``script-src 'none'``. Text from the data
is escaped everywhere, so it could not add a script; if it did, the browser
would refuse to run it.

Examples
--------
>>> policy = content_security_policy(SORT_JS)
>>> policy.startswith("default-src 'none'; script-src 'sha256-")
True
>>> content_security_policy(None).split("; ")[1]
"script-src 'none'"
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import shutil
from pathlib import Path

from ..errors import OutputError
from .scorecard import anchor_of

__all__ = ["MARKER", "SORT_JS", "content_security_policy", "file_name", "page",
           "write_folder"]

#: The file that marks a folder of report pages as serviceart's (so it may be replaced).
MARKER = ".serviceart-report"

#: Makes every ``table.sa-sortable`` sortable: a button in each ``<thead>`` cell
#: sorts the body rows by that column (numbers by their ``data-sort`` value, text
#: by its letters; empty cells last), clicking again reverses the order. The
#: header's ``aria-sort`` says the order; the table gets ``data-sortable="ready"``.
SORT_JS = """(function () {
  "use strict";
  function value(cell, numeric) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) { raw = cell.textContent.trim(); }
    if (raw === "") { return null; }
    if (numeric) { var n = parseFloat(raw); return isNaN(n) ? null : n; }
    return raw.toLowerCase();
  }
  function sortBy(table, heads, col, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var numeric = th.getAttribute("data-type") === "num";
    rows.sort(function (a, b) {
      var x = value(a.cells[col], numeric), y = value(b.cells[col], numeric);
      if (x === null || y === null) { return (x === null) - (y === null); }
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sa-sortable").forEach(function (table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sa-sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, heads, col, th); });
    });
    table.setAttribute("data-sortable", "ready");
  });
}());
"""

PAGE_CSS = """
button.sa-sort{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer;
 font-weight:600;text-align:left}
button.sa-sort::after{content:" \\2195";color:#adb5bd}
th[aria-sort=ascending] button.sa-sort::after{content:" \\2191";color:#495057}
th[aria-sort=descending] button.sa-sort::after{content:" \\2193";color:#495057}
header.sa-top a.sa-back{color:#dee2e6;font-size:13px;text-decoration:none;margin-right:14px}
"""


def content_security_policy(script: str | None) -> str:
    """The page's policy: nothing loaded, inline CSS, and only ``script`` (by its hash)."""
    if script is None:
        allowed = "'none'"
    else:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        allowed = f"'sha256-{digest}'"
    return (f"default-src 'none'; script-src {allowed}; style-src 'unsafe-inline'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


def page(title: str, body: str, css: str, *, script: str | None = None) -> str:
    """A whole HTML page: ``title`` (escaped here), ``body`` (HTML escaped by the
    caller), one ``<style>`` block and, when given, the one inline ``script``
    its policy allows."""
    policy = content_security_policy(script)
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{css}{PAGE_CSS}</style>\n</head>\n"
            f"<body>\n{body}\n"
            + (f"<script>{script}</script>\n" if script is not None else "")
            + "</body>\n</html>\n")


def file_name(key: str) -> str:
    """A file name for an agent or interaction: letters, digits, ``-`` and ``_`` from
    ``key`` and a short hash of it (so two keys never share a file)."""
    return anchor_of(key) + ".html"


def write_folder(folder: Path, pages: dict[str, str]) -> None:
    """Write ``pages`` (relative path -> HTML) as the folder ``folder``, replacing a
    previous report folder there in one step.

    Raises
    ------
    OutputError
        When ``folder`` exists and is not a report folder (no :data:`MARKER` file
        in it: it is not replaced), or cannot be written.
    """
    if folder.exists() and not (folder / MARKER).is_file():
        raise OutputError(f"{folder} exists and is not a serviceart report folder, so it is "
                          "not replaced; choose another -o path or move the folder",
                          source=str(folder), code="SA-O130")
    tmp = folder.with_name(f".{folder.name}.tmp")
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        for rel, text in pages.items():
            path = tmp / rel
            if not re.fullmatch(r"[A-Za-z0-9_./-]+", rel) or ".." in rel:
                raise OutputError(f"page path {rel!r} is not a plain relative path",
                                  code="SA-O131")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (tmp / MARKER).write_text("pages of a serviceart report; replaced by the next one\n",
                                  encoding="utf-8")
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(folder, old)
            os.replace(tmp, folder)
            shutil.rmtree(old)
        else:
            os.replace(tmp, folder)
    except OSError as exc:
        raise OutputError(f"cannot write the report pages: {exc.strerror}; choose another -o "
                          "path", source=str(folder), code="SA-O132") from exc

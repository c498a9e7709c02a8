"""Rebuild the shipped cue model from the labelled cue corpus (``make cues-model``).

Usage::

    python benchmarks/train_cues.py [--out PATH] [--check]

The corpus is the cue dev set (``../shared/data/gold/cues_dev.jsonl``, texts
inline) plus, when present, the labels of ``data/cue_corpus/labels.jsonl`` (first
round) and ``labels2.jsonl`` (second round)
(``{"id", "cues": [{"cue", "start", "end"}]}``, with the text's hash), whose texts
are read back from ``../shared/data`` by ``benchmarks/cue_corpus.py``. Only
sources whose licence allows redistributing a derived model are trained on
(``src/serviceart/cues/model/sources.json``). The build is deterministic: the same
corpus gives the same file. ``--check`` compares the shipped file with a rebuild
instead of writing it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_GOLD = REPO_ROOT.parent / "shared" / "data" / "gold" / "cues_dev.jsonl"
LABELS = REPO_ROOT / "data" / "cue_corpus" / "labels.jsonl"
LABELS2 = REPO_ROOT / "data" / "cue_corpus" / "labels2.jsonl"
LABELS3 = REPO_ROOT / "data" / "cue_corpus" / "labels3.jsonl"
LABELS4 = REPO_ROOT / "data" / "cue_corpus" / "labels4.jsonl"
#: The corpus label files, by round (``set`` of their rows: ``corpus``, ``corpus2``,
#: ``corpus3``, ``corpus4``).
ROUNDS = {"corpus": LABELS, "corpus2": LABELS2, "corpus3": LABELS3, "corpus4": LABELS4}
CORPUS_SCRIPT = REPO_ROOT / "benchmarks" / "cue_corpus.py"
MODEL_OUT = REPO_ROOT / "src" / "serviceart" / "cues" / "model" / "cues_model.json"

if str(REPO_ROOT / "src") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO_ROOT / "src"))

from serviceart.cues.train import corpus_error, read_jsonl  # noqa: E402

__all__ = ["DEV_GOLD", "LABELS", "LABELS2", "LABELS3", "MODEL_OUT", "ROUNDS", "build_model",
           "load_corpus", "main"]


def _conversation(turn_id: str) -> str:
    """A turn's conversation read from its id: ``src:conv:turn`` ids share ``conv``."""
    parts = turn_id.split(":")
    return parts[1] if len(parts) >= 3 else turn_id


def _corpus_module() -> ModuleType | None:
    if not CORPUS_SCRIPT.exists():
        return None
    spec = importlib.util.spec_from_file_location("cue_corpus", CORPUS_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_corpus(dev: Path = DEV_GOLD, labels: Path | dict[str, Path] | None = None
                ) -> list[dict[str, Any]]:
    """The labelled turns: ``id, source, conversation, role, text, cues, set``.

    ``set`` is ``dev`` for the dev set's turns, else the round of the corpus labels
    (``corpus``: the first 2,600 turns, ``corpus2``: the second round's 1,200,
    ``corpus3``: the third round's 600, ``corpus4``: the fourth round's 600).
    A corpus label whose text hash no longer matches the shared data is an error.

    Parameters
    ----------
    dev
        The dev gold file (texts inline).
    labels
        The corpus label files (ids, spans and text hashes) by round; :data:`ROUNDS`
        when None, one file (round ``corpus``) when a path. Absent files are skipped.

    Returns
    -------
    list of dict
    """
    rows = []
    for r in read_jsonl(dev):
        rows.append({"id": r["id"], "source": r["id"].split(":")[0],
                     "conversation": _conversation(r["id"]), "role": r["role"],
                     "text": r["text"], "cues": r.get("cues", []), "set": "dev"})
    corpus = _corpus_module()
    rounds = ROUNDS if labels is None else (
        labels if isinstance(labels, dict) else {"corpus": labels})
    for name, path in rounds.items():
        if not path.exists():
            continue
        if corpus is None:
            raise corpus_error(f"{path} needs {CORPUS_SCRIPT} to read its texts back; "
                               "restore that script")
        new = read_jsonl(path)
        turns = corpus.load_turns([r["id"] for r in new])
        for r, t in zip(new, turns.to_dict("records"), strict=True):
            want = r.get("sha256_16") or r.get("sha256") or r.get("hash")
            if want is not None and corpus.text_hash(t["text"]) != want:
                raise corpus_error(f"{path}: the text of {r['id']} no longer matches its "
                                   f"hash {want}; the shared data changed, relabel that turn")
            rows.append({"id": r["id"], "source": r["id"].split(":")[0],
                         "conversation": str(r.get("conversation", t["conversation"])),
                         "role": r.get("role", t["role"]),
                         "text": t["text"], "cues": r.get("cues", []), "set": name})
    if corpus is not None and hasattr(corpus, "load_turns"):
        # the dev turns' conversations as the corpus script reads them (threads of tweets)
        dev_rows = [r for r in rows if r["set"] == "dev"]
        try:
            found = corpus.load_turns([r["id"] for r in dev_rows])
        except Exception:  # the shared data is not complete here: keep the ids' reading
            found = None
        if found is not None and len(found) == len(dev_rows):
            for r, conv in zip(dev_rows, found["conversation"].astype(str), strict=True):
                r["conversation"] = conv
    return rows


def build_model(rows: Sequence[dict[str, Any]]) -> str:
    """The model file's text, trained on ``rows`` (licensed sources only)."""
    from serviceart.cues.train import build, prepare

    return build(prepare(rows)).to_json()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(MODEL_OUT), help="model file (%(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="compare the file with a rebuild instead of writing it")
    args = parser.parse_args(argv)
    if not DEV_GOLD.exists():
        parser.error(f"the dev gold set {DEV_GOLD} is not beside the project")
    text = build_model(load_corpus())
    out = Path(args.out)
    if args.check:
        same = out.exists() and out.read_text(encoding="utf-8") == text
        print(f"{out}: {'matches' if same else 'DIFFERS FROM'} a rebuild")
        return 0 if same else 1
    out.write_text(text, encoding="utf-8")
    meta = json.loads(text)["meta"]
    print(f"wrote {out} ({len(text)} bytes): {json.loads(text)['cues']} from "
          f"{meta['turns']} turns of {sorted(meta['sources'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The tutorial notebooks: committed without outputs, in step with notebooks/_build.py,
and run top to bottom on data/samples/ in a fresh kernel."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_quickstart.ipynb", "02_explain_a_score.ipynb", "03_calibrate_and_fairness.ipynb",
         "04_daily_qa.ipynb", "05_agreement.ipynb"]
#: Notebooks that read the shared data beside the repository (skipped when it is absent).
SHARED = {"05_agreement.ipynb": ROOT.parent / "shared" / "data" / "gold" / "qa_dev.jsonl"}
#: Seconds per cell; a whole notebook takes about 5 s.
CELL_TIMEOUT = 120


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_notebooks_build", NOTEBOOKS / "_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_notebooks_are_the_ones_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    assert list(_builder().NOTEBOOKS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs_and_in_step_with_the_generator(name):
    text = (NOTEBOOKS / name).read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert text == _builder().render(name), "run `python notebooks/_build.py` and commit"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name, tmp_path, monkeypatch):
    if name in SHARED and not SHARED[name].exists():
        pytest.skip(f"{name} reads {SHARED[name]}, which is not beside the project")
    # the kernel's own folders (IPython profile, Jupyter runtime, matplotlib's cache) in a
    # temporary folder: the home folder may be read-only or absent
    for var in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR",
                "MPLCONFIGDIR"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError naming the cell on any error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"a cell wrote to stderr (a warning?): {stderr}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 1  # every notebook draws at least one plot
    assert (NOTEBOOKS / name).read_text(encoding="utf-8") == _builder().render(name), \
        "executing must not write the outputs back into the committed notebook"

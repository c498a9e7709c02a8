"""The public namespaces, checked in both directions (as httpx's test_exported_members).

Every name in ``__all__`` resolves to the object its module defines, and every
public name a namespace shows is in ``__all__``; ``import serviceart`` loads the
standard library only.
"""

from __future__ import annotations
import __future__

import ast
import importlib
import importlib.util
import inspect
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import serviceart as sa

INIT = Path(sa.__file__)


def isort_key(name: str) -> tuple[int, str]:
    """Constants, classes, then functions and the rest, each alphabetically."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def type_checking_imports(tree: ast.Module) -> dict[str, str]:
    """Name -> module (relative, without the dot) of the imports under ``if TYPE_CHECKING:``."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "typing.TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.level == 1, ast.dump(imp)
                for alias in imp.names:
                    # ``X as X``: an explicit re-export for strict type checkers
                    assert alias.asname == alias.name, alias.name
                    found[alias.name] = imp.module or alias.name
    return found


def top_level_definitions(module: types.ModuleType) -> set[str]:
    """Public names a module's own source defines (functions, classes, assignments)."""
    names: set[str] = set()
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}


# ---------------------------------------------------------------- serviceart


def test_all_is_sorted_unique_and_made_from_the_one_list():
    assert sa.__all__ == sorted(sa.__all__, key=isort_key)
    assert len(set(sa.__all__)) == len(sa.__all__)
    assert set(sa.__all__) == set(sa._EXPORTS)


def test_every_name_in_all_is_the_object_its_module_defines():
    for name in sa.__all__:
        value = getattr(sa, name)
        where = sa._EXPORTS[name]
        if where == sa._SUBMODULE:
            assert value is importlib.import_module(f"serviceart.{name}"), name
        elif where:
            assert value is getattr(importlib.import_module(f"serviceart.{where}"), name), name
        else:  # defined in serviceart/__init__.py
            assert name in vars(sa), name
        exec(f"from serviceart import {name}", {})  # importable by name too


def test_every_public_name_dir_shows_is_in_all():
    # load every lazy name first, so that dir() also sees what their imports set
    for name in sa.__all__:
        getattr(sa, name)
    public = {n for n in dir(sa) if not n.startswith("_")}
    submodules = {n for n in public if isinstance(getattr(sa, n), types.ModuleType)}
    assert public - submodules == {n for n in sa.__all__ if not n.startswith("_")} - {"plot"}
    assert submodules & set(sa.__all__) == {"plot"}  # the one submodule listed
    # dir() is made from __all__; what the module really holds must agree: nothing public
    # besides __all__ and loaded submodules (``annotations`` is the __future__ import)
    extra = {n for n, v in vars(sa).items() if not n.startswith("_")
             and not isinstance(v, (types.ModuleType, __future__._Feature))} - set(sa.__all__)
    assert not extra


def test_type_checking_imports_match_the_exports():
    imports = type_checking_imports(ast.parse(INIT.read_text(encoding="utf-8")))
    # a submodule (``from . import plot as plot``) comes from the module of its name
    expected = {n: (n if w == sa._SUBMODULE else w) for n, w in sa._EXPORTS.items() if w}
    assert imports == expected


def test_type_checking_check_fails_on_a_name_missing_from_the_block():
    source = INIT.read_text(encoding="utf-8").replace(
        "    from .ingest.io import sniff as sniff\n", "")
    assert "sniff" not in type_checking_imports(ast.parse(source))


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'agent_domain'"):
        sa.agent_domain  # noqa: B018


def test_names_of_modules_named_like_their_function_stay_functions():
    # ``serviceart.calibrate`` and ``serviceart.fairness`` are functions; importing the
    # modules that define them (in any order) must not replace them
    code = (
        "import serviceart as sa\n"
        "import serviceart.analysis.calibrate, serviceart.analysis.fairness\n"
        "from serviceart.analysis.fairness import FairnessReport\n"
        "from serviceart.analysis.calibrate import CalibrationReport, calibrate\n"
        "assert sa.calibrate is calibrate and sa.calibrate.__name__ == 'calibrate'\n"
        "assert sa.fairness.__name__ == 'fairness' and callable(sa.fairness)\n"
        "assert sa.CalibrationReport is CalibrationReport\n"
        "assert sa.FairnessReport is FairnessReport\n"
        "import serviceart\n"
        "assert type(serviceart) is type(sys)\n"  # a plain module, no class swap
    )
    subprocess.run([sys.executable, "-c", "import sys\n" + code], check=True)


def test_import_loads_the_standard_library_only():
    code = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        "import serviceart\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    loaded = json.loads(out)
    ours = sorted(m for m in loaded if m.split(".")[0] == "serviceart")
    # nothing else of the package runs at import (had it, numpy and pandas would load)
    assert ours == ["serviceart"]
    foreign = [m for m in loaded if m.split(".")[0] not in sys.stdlib_module_names
               and m.split(".")[0] != "serviceart"]
    assert not foreign, foreign


def test_first_use_imports_only_the_module_of_that_name():
    code = (
        "import sys\n"
        "import serviceart as sa\n"
        "assert sa.read.__module__ == 'serviceart.ingest.io'\n"
        "assert 'pandas' in sys.modules and 'serviceart.run.local' not in sys.modules\n"
        "assert 'sklearn' not in sys.modules\n"
        "from serviceart import score\n"
        "assert score.__module__ == 'serviceart.run.local'\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- other namespaces


#: public import paths that re-export a module living elsewhere
REEXPORTS = {"serviceart.dask": ("serviceart.run.dask",),
             "serviceart.duetime": ("serviceart.clock.due",)}


@pytest.mark.parametrize("name", ["serviceart.testing", "serviceart.dask", "serviceart.duetime"])
def test_other_namespaces_list_what_they_define(name):
    if name == "serviceart.dask":
        pytest.importorskip("dask.dataframe")
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__, key=isort_key)
    assert len(set(module.__all__)) == len(module.__all__)
    for member in module.__all__:
        value = getattr(module, member)
        home = getattr(value, "__module__", name)
        # defined in the namespace itself, in one of its own submodules, or (for a
        # public path kept for an engine that moved) in the module it re-exports
        assert home in (name, *REEXPORTS.get(name, ())) or home.startswith(f"{name}."), member
    assert set(module.__all__) >= top_level_definitions(module)


def test_definitions_check_sees_a_public_helper(tmp_path):
    # the check above would catch a public function or constant left out of __all__
    path = tmp_path / "fake_namespace.py"
    path.write_text("import os\n\n__all__ = ['shown']\nLIMIT = 3\n\n\n"
                    "def shown():\n    pass\n\n\ndef _hidden():\n    pass\n")
    spec = importlib.util.spec_from_file_location("fake_namespace", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert top_level_definitions(module) == {"LIMIT", "shown"}

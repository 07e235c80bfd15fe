"""The module-cycle contract type that `lint-imports` runs (tests/import_contracts.py)."""

from __future__ import annotations

import sys

import grimp
import pytest

from tests.import_contracts import _module_cycles, _one_cycle


@pytest.fixture
def package(tmp_path, monkeypatch):
    """Write a throwaway package {module: source} and return its import graph."""
    def build(name: str, modules: dict[str, str]) -> grimp.ImportGraph:
        root = tmp_path / name
        (root / "sub").mkdir(parents=True)
        (root / "__init__.py").write_text("")
        (root / "sub" / "__init__.py").write_text("")
        for module, source in modules.items():
            (root / f"{module.replace('.', '/')}.py").write_text(source)
        monkeypatch.syspath_prepend(str(tmp_path))
        return grimp.build_graph(name, cache_dir=None)
    yield build
    for loaded in [m for m in sys.modules if m.startswith("cyclepkg")]:
        del sys.modules[loaded]


def test_a_cycle_through_a_function_level_import_and_a_sub_package_is_found(package):
    graph = package("cyclepkg", {
        "models": "from cyclepkg import policies\n",
        "policies": "def f():\n    from cyclepkg.sub import grants\n",
        "sub.grants": "import cyclepkg.models\n",
        "views": "from cyclepkg import models, policies\n",  # on top of the cycle, not in it
    })
    groups = _module_cycles(graph, ["cyclepkg"])
    assert groups == [["cyclepkg.models", "cyclepkg.policies", "cyclepkg.sub.grants"]]
    assert _one_cycle(graph, groups[0]) == [
        "cyclepkg.models", "cyclepkg.policies", "cyclepkg.sub.grants", "cyclepkg.models"]


def test_packages_that_use_each_other_without_a_module_cycle_pass(package):
    graph = package("cyclepkg", {
        "models": "",
        "policies": "from cyclepkg.sub import grants\n",
        "sub.grants": "from cyclepkg import models\n",
        "sub.views": "from cyclepkg import policies\n",
    })
    assert _module_cycles(graph, ["cyclepkg"]) == []

"""The layout the README describes holds: what runs in production (kratom_assistant/ and
actions/) never imports the tooling (tools/) or the tests; tools/ is never needed to
answer a message. tests/model/test_runtime_files.py checks the other half at run time:
no repository file is read while answering."""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

RUNTIME = ["kratom_assistant", "actions"]
FORBIDDEN = ("tools", "tests")


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def runtime_files():
    return sorted(p for package in RUNTIME for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", runtime_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_runtime_never_imports_tooling_or_tests(path):
    wrong = [m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN]
    assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


def test_the_check_sees_an_import_of_tooling(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom tools import servers\nimport tests.conftest\n")
    assert [m for m in imported_modules(bad) if m.split(".")[0] in FORBIDDEN] == ["tools", "tests.conftest"]


def test_every_runtime_package_is_in_the_list():
    # A new top-level Python package must be placed on one side or the other.
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == {"kratom_assistant", "actions", "tools"}

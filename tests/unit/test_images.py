"""The two images hold only what runs (read, not built: there is no Docker engine here).

deploy/Dockerfile is the Rasa server's image (and the purge job's), deploy/Dockerfile.actions
the action server's. Each installs only its requirements (requirements/runtime.txt,
requirements/actions.txt, pinned by constraints.txt) and copies only the code it runs: what
its programs import, found by following the imports from them. .dockerignore keeps real
conversations, reports, tests, local models and .venv out of the build context, and the
Kubernetes manifests run each image where it belongs."""

import ast
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

import pytest
import yaml
from packaging.requirements import Requirement

from tests.conftest import ROOT

REQUIREMENTS = ROOT / "requirements"
RASA_DOCKERFILE = ROOT / "deploy" / "Dockerfile"
ACTIONS_DOCKERFILE = ROOT / "deploy" / "Dockerfile.actions"
LOCAL_PACKAGES = ("kratom_assistant", "actions", "tools")
TEST_TOOLS = {
    "pytest",
    "pytest-asyncio",
    "playwright",
    "ruff",
    "hypothesis",
    "locust",
    "textstat",
    "kubernetes-validate",
}


# ------------------------------------------------------------------ requirements
def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path: Path) -> List[str]:
    """The requirements of a file, those of the files it includes (-r) first."""
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            lines += requirement_lines(path.parent / line[3:].strip())
        elif line:
            lines.append(line)
    return lines


def pins(path: Path) -> Dict[str, str]:
    found = {}
    for line in requirement_lines(path):
        name, version = line.split("==")  # every direct requirement is pinned
        found[normalise(name)] = version
    return found


def distributions_needed(names: Iterable[str]) -> Set[str]:
    """The requirements and everything they pull in (from the installed packages' metadata)."""
    needed, todo = set(), [normalise(n) for n in names]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            # Not an extra's, and for this platform (Linux, Python 3.10, as in the images).
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(normalise(requirement.name))
    return needed


def importable(distributions: Set[str]) -> Set[str]:
    """The top-level module names those distributions provide (their top_level.txt, or
    their files' top folders and modules: packages built with poetry have no top_level.txt)."""
    modules = set()
    for name in distributions:
        distribution = metadata.distribution(name)
        declared = (distribution.read_text("top_level.txt") or "").split()
        modules |= set(declared) or {
            file.parts[0].removesuffix(".py")
            for file in distribution.files or []
            if not file.parts[0].endswith((".dist-info", ".data", ".pth")) and file.parts[0] != ".."
        }
    return modules


def test_make_installs_everything_from_the_project_files():
    assert requirement_lines(ROOT / "requirements.txt") == requirement_lines(REQUIREMENTS / "dev.txt")
    dev = pins(REQUIREMENTS / "dev.txt")
    assert pins(REQUIREMENTS / "runtime.txt").items() <= dev.items()
    assert pins(REQUIREMENTS / "actions.txt").items() <= dev.items()
    assert TEST_TOOLS <= set(dev)
    makefile = (ROOT / "Makefile").read_text()
    assert "-r requirements.txt -c constraints.txt" in makefile


def test_every_requirement_is_pinned_in_the_constraints():
    constraints = {
        normalise(line.split("==")[0]): line.split("==")[1]
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    for name, version in pins(REQUIREMENTS / "dev.txt").items():
        assert constraints.get(name) == version, name


@pytest.mark.parametrize("image", ["runtime", "actions"])
def test_the_images_requirements_hold_no_test_tool(image):
    direct = set(pins(REQUIREMENTS / f"{image}.txt"))
    assert not direct & TEST_TOOLS
    assert not distributions_needed(direct) & TEST_TOOLS  # nor pull one in


# ------------------------------------------------------------------ imports
def module_file(name: str) -> Path:
    base = ROOT.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imports_of(path: Path) -> Set[str]:
    """Modules a file imports (absolute names; `from a import b` counts a.b if it is a module)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(parts + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
            names |= {f"{module}.{a.name}" for a in node.names if module_file(f"{module}.{a.name}").is_file()}
    return names


def files_read_beside(path: Path) -> Set[Path]:
    """Data files a module reads from its own folder (Path(__file__).with_name("...")."""
    return {path.with_name(name) for name in re.findall(r"with_name\(\s*[\"']([^\"']+)[\"']", path.read_text())}


def closure(start: Iterable[Path]) -> Tuple[Set[Path], Set[str]]:
    """The project's files the start files need (their imports, the packages around them,
    the data files they read) and the third-party modules they import."""
    files, third_party, todo = set(), set(), list(start)
    while todo:
        path = todo.pop()
        if path in files:
            continue
        files.add(path)
        files |= files_read_beside(path)
        for name in imports_of(path):
            top = name.split(".")[0]
            if top not in LOCAL_PACKAGES:
                if top not in sys.stdlib_module_names:
                    third_party.add(top)
                continue
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # a module's packages run first
                candidate = module_file(".".join(parts[:depth]))
                if candidate.is_file():
                    todo.append(candidate)
    return files, third_party


def rasa_image_programs() -> List[Path]:
    # The Rasa server (all of kratom_assistant/ runs in it) and the purge job.
    return sorted((ROOT / "kratom_assistant").rglob("*.py")) + [ROOT / "tools" / "purge.py"]


def actions_image_programs() -> List[Path]:
    return sorted((ROOT / "actions").glob("*.py"))


@pytest.mark.parametrize(
    "programs, requirements",
    [(rasa_image_programs, "runtime.txt"), (actions_image_programs, "actions.txt")],
    ids=["rasa", "actions"],
)
def test_each_image_installs_what_its_code_imports(programs, requirements):
    _, third_party = closure(programs())
    available = importable(distributions_needed(pins(REQUIREMENTS / requirements)))
    assert third_party - available == set()


def test_the_actions_import_neither_rasa_nor_the_rest_of_kratom_assistant():
    files, third_party = closure(actions_image_programs())
    assert third_party <= {"rasa_sdk", "yaml"}
    assert not [f for f in files if f.suffix == ".py" and f.parent.name in ("channels", "stores")]


# ------------------------------------------------------------------ Dockerfiles
def instructions(dockerfile: Path) -> List[Tuple[str, str, str]]:
    """(stage, instruction, arguments) per instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    stage, found = "", []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage = arguments.split()[-1] if " AS " in arguments.upper() else f"final:{arguments}"
        found.append((stage, keyword, arguments.strip()))
    return found


def stages(dockerfile: Path) -> List[str]:
    return list(dict.fromkeys(stage for stage, _, _ in instructions(dockerfile)))


def copied(dockerfile: Path, stage: str) -> Set[Path]:
    """What the stage copies from the build context (not from another stage)."""
    sources = set()
    for where, keyword, arguments in instructions(dockerfile):
        if where == stage and keyword in ("COPY", "ADD") and "--from=" not in arguments:
            sources |= {ROOT / source.rstrip("/") for source in arguments.split()[:-1]}
    return sources


def expand(paths: Iterable[Path]) -> Set[Path]:
    """Files, with every file of a folder (bytecode caches apart: .dockerignore drops them)."""
    files = set()
    for path in paths:
        files |= (
            {p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts} if path.is_dir() else {path}
        )
    return files


def pip_installs(dockerfile: Path) -> List[str]:
    return [a for _, keyword, a in instructions(dockerfile) if keyword == "RUN" and "pip install" in a]


@pytest.mark.parametrize(
    "dockerfile, requirements",
    [(RASA_DOCKERFILE, "runtime.txt"), (ACTIONS_DOCKERFILE, "actions.txt")],
    ids=["rasa", "actions"],
)
def test_each_image_installs_only_its_requirements_with_the_constraints(dockerfile, requirements):
    assert pip_installs(dockerfile) == [f"pip install --no-cache-dir -r requirements/{requirements} -c constraints.txt"]
    final = stages(dockerfile)[-1]
    # Not root, as the manifests require (runAsNonRoot, runAsUser 1000).
    assert [a for s, k, a in instructions(dockerfile) if s == final and k == "USER"] == ["1000"]
    for stage in stages(dockerfile):
        assert ROOT not in copied(dockerfile, stage)  # never COPY . .


def test_the_rasa_image_copies_only_what_runs():
    train, final = stages(RASA_DOCKERFILE)[-2:]
    base = stages(RASA_DOCKERFILE)[0]
    files, _ = closure(rasa_image_programs())
    in_image = expand(copied(RASA_DOCKERFILE, base) | copied(RASA_DOCKERFILE, final))
    assert files <= in_image
    # Beyond the runtime package (copied whole): the purge tool and what it imports, and the
    # settings the channels read; nothing else.
    package = expand([ROOT / "kratom_assistant"])
    settings = {
        ROOT / "credentials.yml",
        ROOT / "platforms.yml",
        ROOT / "constraints.txt",
        REQUIREMENTS / "runtime.txt",
    }
    assert in_image - package == (files - package) | settings
    assert {f.relative_to(ROOT).as_posix() for f in files - package} == {
        "tools/__init__.py",
        "tools/purge.py",
        "tools/servers.py",
        "tools/endpoints.py",
    }
    # The model is trained in a stage of its own: the training data stays out of the image.
    assert copied(RASA_DOCKERFILE, train) == {ROOT / "config.yml", ROOT / "domain", ROOT / "data"}
    assert "COPY --from=train /app/models/current.tar.gz models/current.tar.gz" in [
        f"{k} {a}" for s, k, a in instructions(RASA_DOCKERFILE) if s == final
    ]


def test_the_action_image_copies_only_the_actions_and_what_they_import():
    files, _ = closure(actions_image_programs())
    in_image = expand(copied(ACTIONS_DOCKERFILE, stages(ACTIONS_DOCKERFILE)[-1]))
    assert in_image == files | {ROOT / "constraints.txt", REQUIREMENTS / "actions.txt"}
    assert ROOT / "kratom_assistant" / "safety" / "patterns.yml" in in_image  # read by the actions


def test_dockerignore_keeps_conversations_reports_tests_and_local_builds_out():
    entries = {
        line.strip().strip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "var", "results", "reports", "tests", "models", "web/node_modules"} <= entries
    assert {"**/__pycache__", "**/*.db"} <= entries
    # Nothing either image copies is ignored.
    assert not [e for e in entries if e in ("kratom_assistant", "actions", "data", "domain", "config.yml")]


# ------------------------------------------------------------------ Kubernetes
def built_as(dockerfile: Path) -> str:
    """The image name a Dockerfile's build command gives (in its header)."""
    return re.search(rf"docker build -f deploy/{dockerfile.name} -t (\S+) \.", dockerfile.read_text()).group(1)


def containers(doc) -> List[Dict]:
    spec = doc.get("spec", {})
    template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template", {})
    return template.get("spec", {}).get("containers", [])


def test_the_manifests_run_each_image_where_it_belongs():
    rasa, actions = built_as(RASA_DOCKERFILE), built_as(ACTIONS_DOCKERFILE)
    assert rasa != actions
    images = {
        (doc["kind"], doc["metadata"]["name"]): [c["image"] for c in containers(doc)]
        for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc and containers(doc)
    }
    assert images[("Deployment", "kratom-rasa")] == [rasa]
    assert images[("Deployment", "kratom-actions")] == [actions]
    assert images[("CronJob", "kratom-purge")] == [rasa]  # tools/purge.py is in the Rasa image
    ours = [image for found in images.values() for image in found if image.startswith("kratom")]
    assert set(ours) == {rasa, actions}

"""The package's imports flow one way (issue: a codebase the next families fit into).

Read from the source, not by importing: a cycle between modules can load fine in one
import order and fail in another, so these tests build the graph of module-level
imports and check it. Importing `a.b.c` runs `a.b`'s `__init__` first, so it counts as
importing both. Imports inside functions (deferred on purpose) are not edges.
"""

import ast
import concurrent.futures
import os
import pathlib
import subprocess
import sys

import pytest

import kerasgan

PACKAGE = pathlib.Path(kerasgan.__file__).parent

# Lower layers never import these at module level: the families sit above the engine,
# the registry, callbacks, metrics and CLI above the families. (`kerasgan.families`
# itself, the folder scan, imports nothing of kerasgan.)
ABOVE_THE_ENGINE = ("kerasgan.families.", "kerasgan.presets", "kerasgan.pretrained", "kerasgan.callbacks", "kerasgan.metrics", "kerasgan.cli")
BELOW_THE_FAMILIES = (
    "kerasgan.backend", "kerasgan.parts", "kerasgan.layers", "kerasgan.losses", "kerasgan.engine", "kerasgan.guards", "kerasgan.models",
    "kerasgan.datasets", "kerasgan.files", "kerasgan.logs", "kerasgan.schedules", "kerasgan.suggest",
)


# The modules of the API reference (docs/api/), and the command line.
PUBLIC_MODULES = (
    "kerasgan", "kerasgan.presets", "kerasgan.models", "kerasgan.networks", "kerasgan.families", "kerasgan.layers",
    "kerasgan.losses", "kerasgan.parts", "kerasgan.datasets", "kerasgan.callbacks", "kerasgan.metrics", "kerasgan.engine",
    "kerasgan.schedules", "kerasgan.pretrained", "kerasgan.render", "kerasgan.backend", "kerasgan.cli",
)


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _with_parents(name):
    # "kerasgan.models.gan" runs kerasgan.models first; the root package is left out (it
    # imports its children by design).
    parts = name.split(".")
    return {".".join(parts[:end]) for end in range(2, len(parts) + 1)}


def import_graph():
    """{module: set of kerasgan modules it imports at module level}."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.parse(path.read_text()).body:  # module level only
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative import
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                # `from kerasgan import datasets` imports the submodule kerasgan.datasets.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("kerasgan."):
                    # A module's own packages are already importing when it runs.
                    edges |= {parent for parent in _with_parents(target) if parent in modules and not f"{name}.".startswith(f"{parent}.")}
        graph[name] = edges
    return graph


def _find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_reader_sees_imports_and_their_parent_packages():
    graph = import_graph()
    assert {"kerasgan.models", "kerasgan.models.gan"} <= graph["kerasgan.families.stylegan.models"]
    assert "kerasgan.files" in graph["kerasgan.pretrained"]
    # And a cycle, where there is one.
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = _find_cycle(import_graph())
    assert cycle is None, "Module-level imports form a cycle: " + " -> ".join(cycle)


def test_lower_layers_do_not_import_families_registry_callbacks_metrics_or_cli():
    graph = import_graph()
    upward = {
        (name, target)
        for name, targets in graph.items()
        if name.startswith(BELOW_THE_FAMILIES)
        for target in targets
        if target.startswith(ABOVE_THE_ENGINE)
    }
    assert not upward, f"Imports against the layering (module, what it imports): {sorted(upward)}"


def test_a_family_imports_no_other_family():
    graph = import_graph()
    crossing = set()
    for name, targets in graph.items():
        if name.startswith("kerasgan.families.") and name.count(".") >= 3:
            family = name.split(".")[2]
            crossing |= {
                (name, target) for target in targets
                if target.startswith("kerasgan.families.") and target.count(".") >= 2 and target.split(".")[2] not in (family, "preset")
            }
    assert not crossing, f"A family imports another (module, what it imports): {sorted(crossing)}"


@pytest.mark.slow
def test_each_public_module_imports_first_in_a_fresh_process():
    # The graph above is read from the source; this runs it: each public module (those
    # of the API reference) imported first, in a process of its own, loads.
    modules = sorted(PUBLIC_MODULES)
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    failures = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # 2 cores
        results = pool.map(
            lambda module: (module, subprocess.run(
                [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, env=environment,
                cwd=PACKAGE.parent,
            )),
            modules,
        )
        for module, result in results:
            if result.returncode:
                failures[module] = result.stderr.strip().splitlines()[-1:]
    assert not failures, failures

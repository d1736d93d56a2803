"""No module in liveview/ imports another in a circle (issue 16, item 4).

The graph is read from the source with `ast`, so it counts every import: top-level, inside a
function (a lazy import is still a dependency) and under TYPE_CHECKING (a type is one too).
`from package import name` depends on package.name when that is a module, else on the package
(what grimp/import-linter do); the parent package a module sits in is not counted.
"""

from __future__ import annotations

import ast
import gc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_names() -> dict[str, Path]:
    names = {}
    for path in (ROOT / "liveview").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in modules else base)
    return {dep for dep in found if dep in modules and dep != name}


def circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    # CPython 3.11's ast.parse raises SystemError if a finalizer (an event loop another test left
    # to the garbage collector) runs in the middle of it: collect first, not during.
    gc.collect()
    gc.disable()
    try:
        return {name: imports_of(name, path, set(modules)) for name, path in modules.items()}
    finally:
        gc.enable()


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [{"a", "b", "c"}]


def test_the_graph_sees_lazy_and_type_checking_imports() -> None:
    graph = import_graph()
    assert "liveview.audio.thread" in graph["liveview.audio.player"]  # top level
    assert "liveview.audio" in graph["liveview.core.session_audio"]  # inside a function


def test_audio_has_no_import_circle() -> None:
    graph = import_graph()
    audio = [c for c in circles(graph) if any(m.startswith("liveview.audio") for m in c)]
    assert audio == []
    # The devices stand on the thread and the echo path; the engine stands on the devices.
    for device in ("microphone", "player"):
        assert "liveview.audio.engine" not in graph[f"liveview.audio.{device}"]
    assert graph["liveview.audio.thread"] <= {"liveview.audio.devices", "liveview.errors"}


def test_no_module_in_liveview_imports_another_in_a_circle() -> None:
    assert circles(import_graph()) == []

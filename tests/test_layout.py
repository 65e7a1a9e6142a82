"""The package's folders are its stages; imports may only point to the same or an earlier stage."""

from __future__ import annotations

import ast
from pathlib import Path

import evwm

PACKAGE = Path(evwm.__file__).parent
STAGES = {"records": 0, "kb": 1, "export": 2, "site": 3, "curation": 3, "api": 4, "cli": 4}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every evwm module a file imports, at top level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".") if path.name == "__init__.py" else module_name(path).split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.startswith("evwm"):
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("evwm"))
    return found


def stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.get(parts[1]) if len(parts) > 1 else None


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_every_module_sits_in_a_stage_folder():
    for name in graph():
        assert name == "evwm" or stage(name) is not None, f"{name} is outside the stage folders {sorted(STAGES)}"


def test_no_import_points_to_a_later_stage():
    backwards = [
        f"{src} imports {dst}"
        for src, dsts in graph().items()
        for dst in dsts
        if stage(src) is not None and stage(dst) is not None and stage(dst) > stage(src)
    ]  # type: ignore[operator]
    sideways = [
        f"{src} imports {dst}"
        for src, dsts in graph().items()
        for dst in dsts
        if stage(src) == stage(dst) == 3 and src.split(".")[1] != dst.split(".")[1]
    ]
    assert not backwards + sideways


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, path: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if nxt == "evwm":  # the facade only re-exports, lazily
                continue
            if state.get(nxt) == 1:
                cycle.extend([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
                return True
            if nxt not in state and visit(nxt, [*path, nxt]):
                return True
        state[node] = 2
        return False

    for start in sorted(edges):
        if start not in state and visit(start, [start]):
            break
    assert not cycle, " -> ".join(cycle)


def test_the_checker_sees_a_backwards_edge(tmp_path):
    # The walk itself must notice a late import inside a function.
    fake = tmp_path / "evwm" / "records" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from evwm.site.render import Renderer\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "evwm"
    try:
        assert "evwm.site.render" in imports(fake)
        assert stage("evwm.site.render") > stage(module_name(fake))  # type: ignore[operator]
    finally:
        PACKAGE = saved


def test_each_stage_says_what_it_owns():
    for folder in STAGES:
        init = PACKAGE / folder / "__init__.py"
        if init.exists():
            doc = ast.get_docstring(ast.parse(init.read_text()))
            assert doc and len(doc.splitlines()[0]) > 20, f"{folder}/__init__.py needs a one-line docstring"

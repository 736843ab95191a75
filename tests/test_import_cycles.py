"""No module of `socialcredit` imports another that imports it back, however far round and
wherever the import is written: at the top, inside a function, or under TYPE_CHECKING. A late
import hides a cycle from Python, not from a reader (issue 17). The layers themselves are
import-linter's contracts in pyproject.toml (`lint-imports`, run by `make test`)."""

from __future__ import annotations

import grimp


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of the module graph that hold a cycle, each sorted
    (Tarjan's algorithm, iterative: the graph is small, but recursion depth is not ours)."""
    imports = {
        module: sorted(graph.find_modules_directly_imported_by(module)) for module in graph.modules
    }
    order: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(imports):
        if root in order:
            continue
        walk = [(root, iter(imports[root]))]
        order[root] = lowest[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while walk:
            module, following = walk[-1]
            step = next(following, None)
            if step is not None:
                if step not in order:
                    order[step] = lowest[step] = len(order)
                    stack.append(step)
                    on_stack.add(step)
                    walk.append((step, iter(imports[step])))
                elif step in on_stack:
                    lowest[module] = min(lowest[module], order[step])
                continue
            walk.pop()
            if walk:
                lowest[walk[-1][0]] = min(lowest[walk[-1][0]], lowest[module])
            if lowest[module] == order[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1 or module in imports[module]:
                    cycles.append(sorted(component))
    return sorted(cycles)


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    members = set(cycle)
    lines = []
    for importer in cycle:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(f"  {importer} -> {imported} (line {detail['line_number']})")
    return "\n".join(lines)


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph("socialcredit", cache_dir=None)
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(describe(graph, cycle) for cycle in cycles)


def test_the_cycle_finder_finds_a_cycle_however_long_and_only_cycles() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three", "a.four", "a.alone"):
        graph.add_module(module)
    for importer, imported in [
        ("a.one", "a.two"),
        ("a.two", "a.three"),
        ("a.three", "a.one"),  # one → two → three → one
        ("a.three", "a.four"),  # out of the cycle, and back into nothing
        ("a.alone", "a.alone"),  # a module importing itself
    ]:
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [["a.alone"], ["a.one", "a.three", "a.two"]]

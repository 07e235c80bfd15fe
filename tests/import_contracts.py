"""An import-linter contract type for `lint-imports`: no import cycle between modules.

import-linter's own `acyclic_siblings` compares packages: it treats a sub-package as one node,
so two packages that each use the other's modules count as a cycle even when no module ever
imports itself back (cases and the sharing app inside it: the case policies ask the sharing
grants, the sharing views build on the case models). This type follows every import between the
modules of `packages` (inside functions too) and reports each strongly connected group of
modules, with one cycle through it, so a cycle Python would actually meet is named.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _module_cycles(graph: grimp.ImportGraph, roots: list[str]) -> list[list[str]]:
    """The groups of modules (two or more) that reach each other by imports (Tarjan)."""
    inside = {m for m in graph.modules if any(m == r or m.startswith(f"{r}.") for r in roots)}
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & inside) for m in inside}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(inside):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if position < len(edges[node]):
                work.append((node, position + 1))
                child = edges[node][position]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(groups)


def _one_cycle(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """A shortest way round the group: first -> ... -> first."""
    first = group[0]
    best: tuple[str, ...] | None = None
    for imported in sorted(graph.find_modules_directly_imported_by(first) & set(group)):
        back = graph.find_shortest_chain(importer=imported, imported=first)
        if back is not None and (best is None or len(back) < len(best)):
            best = back
    return [first, *(best or ())]


class AcyclicModulesContract(Contract):
    type_name = "acyclic_modules"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        roots = [str(p) for p in self.packages]  # type: ignore[attr-defined]
        groups = _module_cycles(graph, roots)
        return ContractCheck(kept=not groups, metadata={
            "cycles": [_one_cycle(graph, group) for group in groups]})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("Import cycle: " + " -> ".join(cycle))
            output.new_line()

"""Fitting a big graph into a node budget: fold runs of one op, cap fan-in, cut the far end.

Works on positions in ``backward_order`` only, with loops and explicit stacks: a
100,000-deep chain is a long loop here, never deep recursion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..function import AccumulateGrad, Node

FAN_IN = 8  # a collapsed graph shows at most this many inputs per box, then "... k more inputs"
MIN_RUN = 3  # shorter runs of one op stay unfolded


@dataclass
class Plan:
    """What to draw: units (a node, or a folded run headed by its node nearest the output)."""

    head: list[int]  # node position -> position of its unit's head
    size: list[int]  # head position -> nodes in the unit
    run_leaves: dict[int, int]  # head -> leaves folded into that run
    inputs: dict[int, list[tuple[int, int, int]]]  # head -> [(producer head, consumer node, slot)]
    shown: list[int]  # heads drawn, in walk order
    hidden_inputs: dict[int, int] = field(default_factory=dict)  # head -> inputs behind a stub
    cut_off: int = 0  # nodes left out by the budget
    collapsed: bool = False


def plan(order: Sequence[Node], pos: dict[Node, int], roots: set[int], cost: list[int], budget: int) -> Plan:
    """Choose what to draw so that the summed ``cost`` of shown units stays within ``budget``.

    Under budget everything is shown as it is. Over budget: runs of one op fold
    into one box; if still over, each box keeps its first FAN_IN inputs; then the
    units nearest the output are kept in walk order until the budget is spent
    (a prefix of the walk, so every kept box still connects to the output).
    """
    n = len(order)
    over = sum(cost) > budget
    head, size = _fold(order, pos, roots) if over else (list(range(n)), [1] * n)
    run_leaves: dict[int, int] = {}
    for i, node in enumerate(order):
        if head[i] != i and isinstance(node, AccumulateGrad):
            run_leaves[head[i]] = run_leaves.get(head[i], 0) + 1
    inputs: dict[int, list[tuple[int, int, int]]] = {}
    for i, node in enumerate(order):
        for slot, (fn, _) in enumerate(node.next_functions):
            if fn is not None and head[pos[fn]] != head[i]:
                inputs.setdefault(head[i], []).append((head[pos[fn]], i, slot))
    result = Plan(head, size, run_leaves, inputs, [], collapsed=any(s > 1 for s in size))
    unit_cost = [1 if size[u] > 1 else cost[u] for u in range(n)]
    over = sum(unit_cost[u] for u in range(n) if head[u] == u) > budget
    if over:
        for u, ins in inputs.items():
            distinct = list(dict.fromkeys(p for p, _, _ in ins))
            if len(distinct) > FAN_IN:
                keep = set(distinct[:FAN_IN])
                inputs[u] = [e for e in ins if e[0] in keep]
                result.hidden_inputs[u] = len(distinct) - FAN_IN
    reachable = [False] * n
    stack = [head[r] for r in roots]
    for u in stack:
        reachable[u] = True
    while stack:
        u = stack.pop()
        for p, _, _ in inputs.get(u, ()):
            if not reachable[p]:
                reachable[p] = True
                stack.append(p)
    spent = len(result.hidden_inputs)  # each stub is a box too
    for u in range(n):
        if head[u] != u or not reachable[u]:
            continue
        if result.cut_off or (over and spent + unit_cost[u] > budget):
            result.cut_off += size[u]
            continue
        result.shown.append(u)
        spent += unit_cost[u]
    if result.hidden_inputs or result.cut_off:
        result.collapsed = True
    return result


def _fold(order: Sequence[Node], pos: dict[Node, int], roots: set[int]) -> tuple[list[int], list[int]]:
    """Fold runs of one op (a chain, each link the only consumer of the next).

    Returns the unit head of every node (the run's node nearest the output) and
    each head's size. Leaves used only by a run fold into it too, so ``sum`` over
    10,000 tensors becomes one box. Roots never fold: the output keeps its look.
    """
    n = len(order)
    head = list(range(n))
    consumers = [0] * n
    for node in order:
        for fn, _ in node.next_functions:
            if fn is not None:
                consumers[pos[fn]] += 1
    kinds = [type(node) for node in order]  # same class = same op (cheaper than name())
    side: list[list[int]] = [[] for _ in range(n)]
    for i, node in enumerate(order):  # consumers come first, so head[i] is final here
        if i in roots or isinstance(node, AccumulateGrad):
            continue
        ins = [pos[fn] for fn, _ in node.next_functions if fn is not None]
        same = [j for j in ins if kinds[j] is kinds[i] and consumers[j] == 1]
        if len(same) == 1:
            head[same[0]] = head[i]
            side[head[i]].extend(
                j for j in ins if j != same[0] and consumers[j] == 1 and isinstance(order[j], AccumulateGrad)
            )
    size = [0] * n
    for i in range(n):
        size[head[i]] += 1
    for i in range(n):
        if size[head[i]] < MIN_RUN:
            head[i] = i  # too short to be worth folding
    for h in range(n):
        if head[h] == h and size[h] >= MIN_RUN:
            for j in side[h]:
                head[j] = h
    size = [0] * n
    for i in range(n):
        size[head[i]] += 1
    return head, size

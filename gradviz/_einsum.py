"""torch.einsum, built from existing ops in the order torch 2.13 records them (no node of its own).

torch has no EinsumBackward node: einsum decomposes into diagonal, unsqueeze, permute, sum, mul,
reshape and bmm, and its grad_fn is whichever of those ran last. Recording the same steps gives the
same graph and the gradient for free (each step's backward is already there). The steps, as
observed on torch 2.13 (without opt_einsum, operands are contracted left to right):

1. every operand: a repeated subscript takes the diagonal (moved back to the first occurrence);
   then the operand is aligned to one label order -- output labels first, then the contracted ones
   alphabetically -- by unsqueezing its missing labels at the end and permuting (always recorded);
2. one operand: sum over the contracted labels;
3. several: before each pairing, labels found in that operand only (not in the output nor any
   other operand still to come) are summed out (keepdim); the pair is multiplied (mul) if no label
   is contracted, else both sides are permuted and reshaped to a bmm; after the last pair the
   contracted size-1 axes are dropped by a view.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np


def _T() -> Any:
    return sys.modules[__package__ + ".tensor"]


def _parse(equation: str, operands: list) -> tuple[list[str], str]:
    """Check the equation against the operands (torch's errors, in its order); the input subscripts and the output."""
    if "." in equation:
        raise NotImplementedError("gradviz: einsum with an ellipsis ('...') is not implemented")
    cut = equation.find("->")
    lhs, rhs = (equation, None) if cut < 0 else (equation[:cut], equation[cut + 2:])

    def bad(i: int) -> RuntimeError:
        return RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, subscripts must "
                            f"be in [a-zA-Z]")

    def end_term(term: str) -> None:
        k = len(terms)
        if k >= len(operands):
            raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
        if len(term) != operands[k]._data.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(term)}) does not match the "
                               f"number of dimensions ({operands[k]._data.ndim}) for operand {k} and no ellipsis was "
                               f"given")
        terms.append(term)

    terms: list[str] = []
    term = ""
    for i, ch in enumerate(lhs):
        if ch == ",":
            end_term(term)
            term = ""
        elif ch.isascii() and ch.isalpha():
            term += ch
        elif ch != " ":
            raise bad(i)
    end_term(term)
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if rhs is None:
        counts: dict[str, int] = {}
        for ch in "".join(terms):
            counts[ch] = counts.get(ch, 0) + 1
        out = "".join(sorted(c for c, n in counts.items() if n == 1))  # torch: A-Z before a-z, as sorted()
    else:
        out = ""
        for i, ch in enumerate(rhs, start=cut + 2):
            if ch == " ":
                continue
            if not (ch.isascii() and ch.isalpha()):
                raise bad(i)
            if ch in out:
                raise RuntimeError(f"einsum(): output subscript {ch} appears more than once in the output")
            if ch not in lhs:
                raise RuntimeError(f"einsum(): output subscript {ch} does not appear in the equation for any input "
                                   f"operand")
            out += ch
    sizes: dict[str, int] = {}
    for k, (term, op) in enumerate(zip(terms, operands)):
        seen: dict[str, int] = {}
        for ch, n in zip(term, op._data.shape):
            if ch in seen and seen[ch] != n:
                raise RuntimeError(f"einsum(): subscript {ch} is repeated for operand {k} but the sizes don't match, "
                                   f"{n} != {seen[ch]}")
            seen[ch] = n
            if ch in sizes and n != sizes[ch] and 1 not in (n, sizes[ch]):
                raise RuntimeError(f"einsum(): subscript {ch} has size {n} for operand {k} which does not broadcast "
                                   f"with previously seen size {sizes[ch]}")
            sizes[ch] = n if ch not in sizes or sizes[ch] == 1 else sizes[ch]
    return terms, out


def _align(op: Any, term: str, order: str) -> Any:
    """Diagonals for repeated subscripts, then unsqueeze the missing labels at the end and permute to ``order``."""
    labels: list[str] = []
    for ch in term:
        if ch in labels:
            p = labels.index(ch)
            d = op.diagonal(0, p, len(labels))
            n = d._data.ndim  # the diagonal's axis is last: move it back to the first occurrence
            op = d.permute([k for k in range(n - 1) if k < p] + [n - 1] + [k for k in range(p, n - 1)])
        else:
            labels.append(ch)
    perm = []
    for ch in order:
        if ch in labels:
            perm.append(labels.index(ch))
        else:
            op = op.unsqueeze(op._data.ndim)
            perm.append(op._data.ndim - 1)
    return op.permute(perm)


def _pair(left: Any, right: Any, sum_dims: list[int]) -> Any:
    """sum over sum_dims of left * right (both aligned), keeping the summed axes as size 1."""
    # A contracted axis of size 1 on one side is summed on the other side alone; on neither, it is dropped.
    ls, rs = left._data.shape, right._data.shape
    left_only = [d for d in sum_dims if ls[d] > 1 and rs[d] == 1]
    right_only = [d for d in sum_dims if rs[d] > 1 and ls[d] == 1]
    sum_dims = [d for d in sum_dims if ls[d] > 1 and rs[d] > 1]
    if left_only:
        left = left.sum(left_only, keepdim=True)
    if right_only:
        right = right.sum(right_only, keepdim=True)
    if not sum_dims:
        return left * right
    lro, lo, ro = [], [], []
    ls, rs = left._data.shape, right._data.shape
    for d in range(len(ls)):
        if d in sum_dims:
            continue
        if ls[d] > 1 and rs[d] > 1:
            lro.append(d)
        elif ls[d] > 1:
            lo.append(d)
        else:
            ro.append(d)  # also the axes of size 1 on both sides
    size = lambda shp, ds: int(np.prod([shp[d] for d in ds], dtype=np.int64))  # noqa: E731
    n_lro, n_lo, n_sum, n_ro = size(ls, lro), size(ls, lo), size(ls, sum_dims), size(rs, ro)
    a = left.permute(lro + lo + sum_dims + ro).reshape(n_lro, n_lo, n_sum)
    b = right.permute(lro + sum_dims + ro + lo).reshape(n_lro, n_sum, n_ro)
    out = a.bmm(b)
    order = lro + lo + sum_dims + ro
    out = out.view([ls[d] for d in lro] + [ls[d] for d in lo] + [1] * len(sum_dims) + [rs[d] for d in ro])
    return out.permute([order.index(d) for d in range(len(ls))])


def einsum(equation: Any, *operands: Any) -> Any:
    T = _T()
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise NotImplementedError("gradviz: einsum's sublist form (operand, [subscripts], ...) is not implemented")
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    for k, op in enumerate(operands):
        if not isinstance(op, T.Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 1, but got {T._type_name_of(op)}")
    terms, out = _parse(equation, list(operands))
    dtypes = {op._dtype for op in operands}
    if len(dtypes) > 1:
        first = operands[0]._dtype
        other = next(op._dtype for op in operands if op._dtype is not first)
        raise RuntimeError(f"expected scalar type {T._SHORT[first.name]} but found {T._SHORT[other.name]}")
    contracted = "".join(sorted(set("".join(terms)) - set(out)))
    order = out + contracted
    ops = [_align(op, term, order) for op, term in zip(operands, terms)]
    n_out = len(out)
    if len(ops) == 1:
        result = ops[0]
        return result.sum(list(range(n_out, len(order)))) if contracted else result
    result, result_labels = ops[0], set(terms[0])
    for i in range(1, len(ops)):
        other, later = ops[i], set("".join(terms[i + 1:])) | set(out)
        # labels of one side only, not needed later: summed out before the pairing
        only_left = [d for d in range(n_out, len(order))
                     if order[d] in result_labels and order[d] not in terms[i] and order[d] not in later
                     and result._data.shape[d] > 1]
        only_right = [d for d in range(n_out, len(order))
                      if order[d] in terms[i] and order[d] not in result_labels and order[d] not in later
                      and other._data.shape[d] > 1]
        if only_left:
            result = result.sum(only_left, keepdim=True)
        if only_right:
            other = other.sum(only_right, keepdim=True)
        sum_dims = [d for d in range(n_out, len(order)) if order[d] in result_labels and order[d] in terms[i]
                    and order[d] not in later]
        result = _pair(result, other, sum_dims)
        result_labels |= set(terms[i])
    if contracted:
        result = result.view([result._data.shape[d] for d in range(n_out)])
    return result

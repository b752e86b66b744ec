"""libstdc++'s ``std::sort`` (introsort) in Python, step for step, for the order it leaves equal keys in.

OpenVINO's serializer sorts the IR's edges by source layer with ``std::sort``, which is not stable:
edges from one layer come out in whatever order its introsort leaves them. The streaming writer
(:mod:`ovzoo.ir.xml_stream`) must write the same order to write the same bytes, so this follows
libstdc++'s algorithm exactly (median-of-three pivot, unguarded partition, heap sort past the depth
limit, final insertion sort over runs of 16); ``tests/test_ir_writer.py`` checks it against g++.
"""

from __future__ import annotations


def libstdcxx_sort(items: list, key) -> list:
    """``items`` ordered as libstdc++'s ``std::sort`` orders them by ``key`` (it is not stable: items with
    equal keys come out in the order its introsort leaves them, which the IR's edge list shows)."""
    keys = [key(item) for item in items]
    order = list(range(len(items)))
    _introsort(order, keys)
    return [items[i] for i in order]


_THRESHOLD = 16


def _introsort(a: list[int], keys: list) -> None:
    n = len(a)
    if n < 2:
        return
    _introsort_loop(a, keys, 0, n, 2 * (n.bit_length() - 1))
    if n > _THRESHOLD:
        _insertion_sort(a, keys, 0, _THRESHOLD)
        for i in range(_THRESHOLD, n):
            _unguarded_linear_insert(a, keys, i)
    else:
        _insertion_sort(a, keys, 0, n)


def _introsort_loop(a: list[int], keys: list, first: int, last: int, depth: int) -> None:
    while last - first > _THRESHOLD:
        if depth == 0:  # partitions went badly: libstdc++ heap-sorts the rest
            _heap_sort(a, keys, first, last)
            return
        depth -= 1
        mid = first + (last - first) // 2
        _move_median_to_first(a, keys, first, first + 1, mid, last - 1)
        cut = _unguarded_partition(a, keys, first + 1, last, first)
        _introsort_loop(a, keys, cut, last, depth)
        last = cut


def _move_median_to_first(a: list[int], keys: list, result: int, x: int, y: int, z: int) -> None:
    kx, ky, kz = keys[a[x]], keys[a[y]], keys[a[z]]
    if kx < ky:
        pick = y if ky < kz else (z if kx < kz else x)
    else:
        pick = x if kx < kz else (z if ky < kz else y)
    a[result], a[pick] = a[pick], a[result]


def _unguarded_partition(a: list[int], keys: list, first: int, last: int, pivot: int) -> int:
    pivot_key = keys[a[pivot]]
    while True:
        while keys[a[first]] < pivot_key:
            first += 1
        last -= 1
        while pivot_key < keys[a[last]]:
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _insertion_sort(a: list[int], keys: list, first: int, last: int) -> None:
    for i in range(first + 1, last):
        value = a[i]
        if keys[value] < keys[a[first]]:
            a[first + 1 : i + 1] = a[first:i]
            a[first] = value
        else:
            _unguarded_linear_insert(a, keys, i)


def _unguarded_linear_insert(a: list[int], keys: list, last: int) -> None:
    value = a[last]
    value_key = keys[value]
    previous = last - 1
    while value_key < keys[a[previous]]:
        a[last] = a[previous]
        last = previous
        previous -= 1
    a[last] = value


def _heap_sort(a: list[int], keys: list, first: int, last: int) -> None:
    length = last - first
    for parent in range((length - 2) // 2, -1, -1):
        _adjust_heap(a, keys, first, parent, length, a[first + parent])
    while last - first > 1:
        last -= 1
        value = a[last]
        a[last] = a[first]
        _adjust_heap(a, keys, first, 0, last - first, value)


def _adjust_heap(a: list[int], keys: list, first: int, hole: int, length: int, value: int) -> None:
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if keys[a[first + child]] < keys[a[first + child - 1]]:
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and keys[a[first + parent]] < keys[value]:
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value

"""Algorithms and data structures: searching, sorting, sequences, intervals and graphs."""

from __future__ import annotations

import bisect
import heapq
import itertools
from typing import Any, Literal

CATEGORY = "algorithms"

_MAX_ITEMS = 100_000


def _ints(name: str, values: list[int], minimum: int = 0) -> list[int]:
    if not isinstance(values, list):
        raise TypeError(f"{name} must be a list of integers")
    if len(values) > _MAX_ITEMS:
        raise ValueError(f"{name} must have at most {_MAX_ITEMS} items")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name} must contain only integers, got {v!r}")
    if len(values) < minimum:
        raise ValueError(f"{name} must have at least {minimum} item(s)")
    return values


def binary_search(sorted_values: list[int], target: int) -> dict[str, Any]:
    """Search a sorted list of integers for a target with binary search.

    Args:
        sorted_values: Integers in ascending order.
        target: The value to look for.

    Returns:
        found, the index of the first occurrence (or null) and insertion_point keeping the list
        sorted.
    """
    vals = _ints("sorted_values", sorted_values)
    if any(a > b for a, b in itertools.pairwise(vals)):
        raise ValueError("sorted_values must be in ascending order")
    i = bisect.bisect_left(vals, target)
    found = i < len(vals) and vals[i] == target
    return {"found": found, "index": i if found else None, "insertion_point": i}


def sort_numbers(
    values: list[float],
    descending: bool = False,
    algorithm: Literal["merge", "quick", "heap"] = "merge",
) -> list[float]:
    """Sort a list of numbers with a chosen classic algorithm.

    Args:
        values: The numbers to sort.
        descending: Sort from largest to smallest.
        algorithm: The sorting algorithm to run: merge sort, quicksort or heapsort.

    Returns:
        The sorted numbers.
    """
    if len(values) > _MAX_ITEMS:
        raise ValueError(f"values must have at most {_MAX_ITEMS} items")

    def merge_sort(xs: list[float]) -> list[float]:
        if len(xs) <= 1:
            return xs
        mid = len(xs) // 2
        left, right = merge_sort(xs[:mid]), merge_sort(xs[mid:])
        out, i, j = [], 0, 0
        while i < len(left) and j < len(right):
            if left[i] <= right[j]:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
        return out + left[i:] + right[j:]

    def quick_sort(xs: list[float]) -> list[float]:
        if len(xs) <= 1:
            return xs
        pivot = xs[len(xs) // 2]
        return (
            quick_sort([x for x in xs if x < pivot])
            + [x for x in xs if x == pivot]
            + quick_sort([x for x in xs if x > pivot])
        )

    def heap_sort(xs: list[float]) -> list[float]:
        heap = list(xs)
        heapq.heapify(heap)
        return [heapq.heappop(heap) for _ in range(len(heap))]

    sorters = {"merge": merge_sort, "quick": quick_sort, "heap": heap_sort}
    if algorithm not in sorters:
        raise ValueError("algorithm must be merge, quick or heap")
    result = sorters[algorithm](list(values))
    return result[::-1] if descending else result


def merge_sorted_lists(first: list[int], second: list[int]) -> list[int]:
    """Merge two ascending integer lists into one ascending list.

    Args:
        first: The first list, ascending.
        second: The second list, ascending.

    Returns:
        All items of both lists in ascending order.
    """
    a, b = _ints("first", first), _ints("second", second)
    for name, xs in (("first", a), ("second", b)):
        if any(x > y for x, y in itertools.pairwise(xs)):
            raise ValueError(f"{name} must be in ascending order")
    return list(heapq.merge(a, b))


def find_duplicates(values: list[str], case_sensitive: bool = True) -> dict[str, int]:
    """Find the items that appear more than once in a list and how often.

    Args:
        values: The items to check.
        case_sensitive: Treat 'Apple' and 'apple' as different items.

    Returns:
        Each duplicated item mapped to its count, in order of first appearance.
    """
    counts: dict[str, int] = {}
    for v in values:
        if not isinstance(v, str):
            raise TypeError("values must contain only strings")
        key = v if case_sensitive else v.lower()
        counts[key] = counts.get(key, 0) + 1
    return {k: c for k, c in counts.items() if c > 1}


def chunk_list(values: list[str], size: int) -> list[list[str]]:
    """Split a list into consecutive chunks of a given size (the last may be shorter).

    Args:
        values: The items to split.
        size: Items per chunk (positive).

    Returns:
        The list of chunks.
    """
    if size < 1:
        raise ValueError("size must be positive")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError("values must be a list of strings")
    return [values[i : i + size] for i in range(0, len(values), size)]


def rotate_list(
    values: list[int], steps: int, direction: Literal["left", "right"] = "right"
) -> list[int]:
    """Rotate a list by a number of positions.

    Args:
        values: The list to rotate.
        steps: Number of positions (any non-negative integer; wraps around).
        direction: Rotate to the 'left' or the 'right'.

    Returns:
        The rotated list.
    """
    vals = _ints("values", values)
    if steps < 0:
        raise ValueError("steps must be non-negative")
    if direction not in ("left", "right"):
        raise ValueError("direction must be 'left' or 'right'")
    if not vals:
        return []
    k = steps % len(vals)
    if direction == "right":
        k = (len(vals) - k) % len(vals)
    return vals[k:] + vals[:k]


def longest_common_prefix(words: list[str]) -> str:
    """Find the longest prefix shared by every string of a list.

    Args:
        words: The strings to compare; at least one.

    Returns:
        The common prefix (possibly empty).
    """
    if not words:
        raise ValueError("words must not be empty")
    lo, hi = min(words), max(words)
    i = 0
    while i < len(lo) and lo[i] == hi[i]:
        i += 1
    return lo[:i]


def maximum_subarray_sum(values: list[int]) -> dict[str, int]:
    """Find the contiguous sub-list with the largest sum (Kadane's algorithm).

    Args:
        values: The integers; at least one.

    Returns:
        max_sum, and start and end indices (inclusive) of the best sub-list.
    """
    vals = _ints("values", values, 1)
    best, best_start, best_end = vals[0], 0, 0
    cur, cur_start = vals[0], 0
    for i in range(1, len(vals)):
        if cur < 0:
            cur, cur_start = vals[i], i
        else:
            cur += vals[i]
        if cur > best:
            best, best_start, best_end = cur, cur_start, i
    return {"max_sum": best, "start": best_start, "end": best_end}


def two_sum_indices(values: list[int], target: int) -> list[int]:
    """Find the indices of the first two numbers of a list that add up to a target.

    Args:
        values: The integers to search.
        target: The wanted sum.

    Returns:
        Two indices [i, j] with i < j, or an empty list when no pair exists.
    """
    seen: dict[int, int] = {}
    for j, v in enumerate(_ints("values", values)):
        if target - v in seen:
            return [seen[target - v], j]
        seen.setdefault(v, j)
    return []


def longest_increasing_subsequence(values: list[int]) -> dict[str, Any]:
    """Find a longest strictly increasing subsequence of a list of integers.

    Args:
        values: The integers.

    Returns:
        length and one such subsequence (the lexicographically smallest ending).
    """
    vals = _ints("values", values)
    tails: list[int] = []
    tail_idx: list[int] = []
    parent = [-1] * len(vals)
    for i, v in enumerate(vals):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        parent[i] = tail_idx[k - 1] if k else -1
    seq: list[int] = []
    i = tail_idx[-1] if tail_idx else -1
    while i != -1:
        seq.append(vals[i])
        i = parent[i]
    return {"length": len(seq), "subsequence": seq[::-1]}


def validate_brackets(text: str) -> dict[str, Any]:
    """Check that the brackets (), [] and {} in a text are balanced and properly nested.

    Args:
        text: The text or expression to check.

    Returns:
        valid, and error_position (index of the first offending character, or null).
    """
    if len(text) > _MAX_ITEMS:
        raise ValueError("text is too long")
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in "([{":
            stack.append((ch, i))
        elif ch in pairs:
            if not stack or stack[-1][0] != pairs[ch]:
                return {"valid": False, "error_position": i}
            stack.pop()
    if stack:
        return {"valid": False, "error_position": stack[-1][1]}
    return {"valid": True, "error_position": None}


def kth_largest_element(values: list[int], k: int) -> int:
    """Find the k-th largest value of a list (k = 1 is the maximum).

    Args:
        values: The integers.
        k: Rank wanted, from 1 to the length of the list.

    Returns:
        The k-th largest value (duplicates count separately).
    """
    vals = _ints("values", values, 1)
    if not 1 <= k <= len(vals):
        raise ValueError("k must be between 1 and the number of values")
    return heapq.nlargest(k, vals)[-1]


def knapsack_max_value(weights: list[int], values: list[int], capacity: int) -> dict[str, Any]:
    """Solve the 0/1 knapsack problem by dynamic programming.

    Args:
        weights: Positive integer weight of each item.
        values: Value of each item, same length as weights.
        capacity: Maximum total weight (0 to 100000).

    Returns:
        max_value, the chosen item indices (ascending) and their total_weight.
    """
    ws, vs = _ints("weights", weights), _ints("values", values)
    if len(ws) != len(vs):
        raise ValueError("weights and values must have the same length")
    if any(w <= 0 for w in ws):
        raise ValueError("weights must be positive")
    if not 0 <= capacity <= 100_000 or len(ws) * (capacity + 1) > 1_000_000:
        raise ValueError("problem too large: capacity 0-100000 and items*capacity <= 1e6")
    n = len(ws)
    table = [[0] * (capacity + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        w, v = ws[i - 1], vs[i - 1]
        row, prev = table[i], table[i - 1]
        for c in range(capacity + 1):
            row[c] = max(prev[c], prev[c - w] + v) if w <= c else prev[c]
    chosen, c = [], capacity
    for i in range(n, 0, -1):
        if table[i][c] != table[i - 1][c]:
            chosen.append(i - 1)
            c -= ws[i - 1]
    chosen.reverse()
    return {
        "max_value": table[n][capacity],
        "items": chosen,
        "total_weight": sum(ws[i] for i in chosen),
    }


def shortest_path(edges: list[str], start: str, end: str, directed: bool = False) -> dict[str, Any]:
    """Find the shortest weighted path between two nodes of a graph (Dijkstra's algorithm).

    Args:
        edges: Edges written 'A-B:4' (from A to B with weight 4; weight defaults to 1 when ':w' is
            omitted).
        start: The start node.
        end: The destination node.
        directed: Treat edges as one-way.

    Returns:
        distance (null if unreachable) and the path as a list of nodes.
    """
    graph: dict[str, list[tuple[str, float]]] = {}
    for e in edges:
        if not isinstance(e, str):
            raise TypeError(f"edges must be strings like 'A-B:4', got {e!r}")
        spec, _, weight = e.partition(":")
        a, sep, b = spec.partition("-")
        a, b = a.strip(), b.strip()
        if not sep or not a or not b:
            raise ValueError(f"edge {e!r} must look like 'A-B:4'")
        try:
            w = float(weight) if weight else 1.0
        except ValueError:
            raise ValueError(f"edge {e!r} has a non-numeric weight") from None
        if w < 0:
            raise ValueError(f"edge {e!r} has a negative weight")
        graph.setdefault(a, []).append((b, w))
        graph.setdefault(b, [])
        if not directed:
            graph[b].append((a, w))
    for node in (start, end):
        if node not in graph:
            raise ValueError(f"node {node!r} does not appear in any edge")
    dist = {start: 0.0}
    prev: dict[str, str] = {}
    queue = [(0.0, start)]
    while queue:
        d, u = heapq.heappop(queue)
        if d > dist.get(u, float("inf")):
            continue
        if u == end:
            break
        for v, w in graph[u]:
            nd = d + w
            if nd < dist.get(v, float("inf")):
                dist[v], prev[v] = nd, u
                heapq.heappush(queue, (nd, v))
    if end not in dist:
        return {"distance": None, "path": []}
    path = [end]
    while path[-1] != start:
        path.append(prev[path[-1]])
    return {"distance": dist[end], "path": path[::-1]}


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "binary_search": [
        (
            {"sorted_values": [1, 3, 5, 7, 9], "target": 7},
            {"found": True, "index": 3, "insertion_point": 3},
        ),
        (
            {"sorted_values": [1, 3, 5, 7, 9], "target": 4},
            {"found": False, "index": None, "insertion_point": 2},
        ),
    ],
    "sort_numbers": [
        ({"values": [5, 2, 9, 1.5]}, [1.5, 2, 5, 9]),
        ({"values": [3, 1, 2], "descending": True, "algorithm": "heap"}, [3, 2, 1]),
    ],
    "merge_sorted_lists": [({"first": [1, 4, 9], "second": [2, 3, 10]}, [1, 2, 3, 4, 9, 10])],
    "find_duplicates": [
        ({"values": ["a", "b", "a", "c", "b", "a"]}, {"a": 3, "b": 2}),
        ({"values": ["Apple", "apple", "pear"], "case_sensitive": False}, {"apple": 2}),
    ],
    "chunk_list": [
        (
            {"values": ["a", "b", "c", "d", "e"], "size": 2},
            [["a", "b"], ["c", "d"], ["e"]],
        )
    ],
    "rotate_list": [
        ({"values": [1, 2, 3, 4, 5], "steps": 2}, [4, 5, 1, 2, 3]),
        ({"values": [1, 2, 3, 4, 5], "steps": 1, "direction": "left"}, [2, 3, 4, 5, 1]),
    ],
    "longest_common_prefix": [({"words": ["flower", "flow", "flight"]}, "fl")],
    "maximum_subarray_sum": [
        (
            {"values": [-2, 1, -3, 4, -1, 2, 1, -5, 4]},
            {"max_sum": 6, "start": 3, "end": 6},
        ),
    ],
    "two_sum_indices": [
        ({"values": [2, 7, 11, 15], "target": 9}, [0, 1]),
        ({"values": [1, 2], "target": 7}, []),
    ],
    "longest_increasing_subsequence": [
        (
            {"values": [10, 9, 2, 5, 3, 7, 101, 18]},
            {"length": 4, "subsequence": [2, 3, 7, 18]},
        ),
    ],
    "validate_brackets": [
        ({"text": "{[()()]}"}, {"valid": True, "error_position": None}),
        ({"text": "(a[b)c]"}, {"valid": False, "error_position": 4}),
    ],
    "kth_largest_element": [({"values": [3, 2, 1, 5, 6, 4], "k": 2}, 5)],
    "knapsack_max_value": [
        (
            {"weights": [1, 3, 4, 5], "values": [1, 4, 5, 7], "capacity": 7},
            {"max_value": 9, "items": [1, 2], "total_weight": 7},
        ),
    ],
    "shortest_path": [
        (
            {"edges": ["A-B:4", "A-C:1", "C-B:2", "B-D:5"], "start": "A", "end": "D"},
            {"distance": 8.0, "path": ["A", "C", "B", "D"]},
        ),
    ],
}

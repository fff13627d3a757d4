"""`keras.tree`: nested structures (lists, tuples, namedtuples, dicts) of leaves.

Conventions, as Keras's: dict children are visited in sorted key order (OrderedDicts in
insertion order) but rebuilt dicts keep their own key order; `None` is a leaf; strings and
arrays are leaves.
"""
from __future__ import annotations

import collections
from typing import Any, Callable, Iterator

__all__ = [
    "MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten",
    "flatten_with_path", "is_nested", "lists_to_tuples", "map_shape_structure",
    "map_structure", "map_structure_up_to", "pack_sequence_as", "traverse",
]


class MAP_TO_NONE:
    """Returned by a `traverse` function to replace the visited node with None."""


def is_nested(structure: Any) -> bool:
    """Whether `structure` is a list, tuple or dict (and so has children)."""
    return isinstance(structure, (list, tuple, collections.abc.Mapping))


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _keys(structure: Any) -> list:
    if isinstance(structure, collections.abc.Mapping):
        if isinstance(structure, collections.OrderedDict):
            return list(structure)
        try:
            return sorted(structure)
        except TypeError:  # keys of mixed types: keep their order
            return list(structure)
    return list(range(len(structure)))


def _children(structure: Any) -> list:
    return [structure[key] for key in _keys(structure)]


def _rebuild(structure: Any, children: list) -> Any:
    """A container like `structure` holding `children` (in `_keys` order)."""
    if isinstance(structure, collections.abc.Mapping):
        by_key = dict(zip(_keys(structure), children))
        items = [(key, by_key[key]) for key in structure]
        if isinstance(structure, collections.defaultdict):
            rebuilt = collections.defaultdict(structure.default_factory)
            rebuilt.update(items)
            return rebuilt
        return type(structure)(items)
    if _is_namedtuple(structure):
        return type(structure)(*children)
    return type(structure)(children)


def _leaves(structure: Any, is_leaf: Callable[[Any], bool]) -> Iterator[Any]:
    if is_leaf(structure):
        yield structure
        return
    for child in _children(structure):
        yield from _leaves(child, is_leaf)


def _default_leaf(value: Any) -> bool:
    return not is_nested(value)


def flatten(structure: Any) -> list:
    """The leaves of `structure`, depth first (a non-nested value is its own only leaf)."""
    return list(_leaves(structure, _default_leaf))


def flatten_with_path(structure: Any) -> list[tuple[tuple, Any]]:
    """(path, leaf) pairs; a path is the tuple of keys and indices leading to the leaf."""
    pairs: list = []

    def visit(value: Any, path: tuple) -> None:
        if not is_nested(value):
            pairs.append((path, value))
            return
        for key in _keys(value):
            visit(value[key], path + (key,))

    visit(structure, ())
    return pairs


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """`structure`'s shape filled with the values of `flat_sequence`, in flatten order."""
    flat = list(flat_sequence)
    position = 0

    def fill(value: Any) -> Any:
        nonlocal position
        if not is_nested(value):
            if position >= len(flat):
                raise ValueError(f"The target structure has more leaves than the "
                                 f"{len(flat)} values given. Structure: {structure!r}")
            position += 1
            return flat[position - 1]
        return _rebuild(value, [fill(child) for child in _children(value)])

    result = fill(structure)
    if position != len(flat):
        raise ValueError(f"The target structure has {position} leaves, but "
                         f"{len(flat)} values were given. Structure: {structure!r}")
    return result


def assert_same_structure(a: Any, b: Any, check_types: Any = None) -> None:
    """Raise ValueError unless `a` and `b` nest the same containers the same way."""
    if is_nested(a) != is_nested(b):
        raise ValueError("Structures don't have the same nested structure. "
                         f"Received: a={a!r}, b={b!r}")
    if not is_nested(a):
        return
    if isinstance(a, collections.abc.Mapping) != isinstance(b, collections.abc.Mapping) or (
            not isinstance(a, collections.abc.Mapping) and type(a) is not type(b)):
        raise ValueError(f"Expected an instance of {type(a).__name__}, got {b!r}.")
    if isinstance(a, collections.abc.Mapping):
        if set(a) != set(b):
            raise ValueError(f"dictionary key mismatch; expected key(s): {sorted(a)}, got "
                             f"key(s): {sorted(b)}; dict: {b!r}.")
    elif len(a) != len(b):
        raise ValueError(f"{type(a).__name__} arity mismatch; expected: {len(a)}, got: "
                         f"{len(b)}; {type(a).__name__}: {b!r}.")
    for key in _keys(a):
        assert_same_structure(a[key], b[key])


def assert_same_paths(a: Any, b: Any) -> None:
    """Raise ValueError unless `a` and `b` have leaves at the same paths (container types
    may differ, e.g. a list and a tuple)."""
    paths_a = {path for path, _ in flatten_with_path(a)}
    paths_b = {path for path, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        raise ValueError("`a` and `b` don't have the same paths.\n"
                         f"Paths in `a` missing in `b`:\n{paths_a - paths_b}\n"
                         f"Paths in `b` missing in `a`:\n{paths_b - paths_a}")


def map_structure(func: Callable, *structures: Any, none_is_leaf: bool = True) -> Any:
    """`func` applied to corresponding leaves of `structures`, in the first's shape."""
    if not structures:
        raise ValueError("map_structure: at least one structure is required.")
    for other in structures[1:]:
        assert_same_structure(structures[0], other)

    def apply(*values: Any) -> Any:
        first = values[0]
        if first is None and not none_is_leaf:
            return None
        if not is_nested(first):
            return func(*values)
        keys = _keys(first)
        return _rebuild(first, [apply(*(v[key] for v in values)) for key in keys])

    return apply(*structures)


def map_structure_up_to(shallow_structure: Any, func: Callable, *structures: Any) -> Any:
    """`func` applied to the subtrees of `structures` found at `shallow_structure`'s leaves."""

    def apply(shallow: Any, *values: Any) -> Any:
        if not is_nested(shallow):
            return func(*values)
        for value in values:
            if not is_nested(value):
                raise ValueError("The input structures must be at least as deep as "
                                 f"`shallow_structure`. Received: {value!r}")
        keys = _keys(shallow)
        return _rebuild(shallow, [apply(shallow[key], *(v[key] for v in values))
                                  for key in keys])

    return apply(shallow_structure, *structures)


def lists_to_tuples(structure: Any) -> Any:
    """`structure` with every list turned into a tuple."""
    if not is_nested(structure):
        return structure
    children = [lists_to_tuples(child) for child in _children(structure)]
    if isinstance(structure, list):
        return tuple(children)
    return _rebuild(structure, children)


def _is_shape(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and not _is_namedtuple(value) and all(
        dim is None or (isinstance(dim, int) and not isinstance(dim, bool)) for dim in value)


def map_shape_structure(func: Callable, structure: Any) -> Any:
    """`func` applied to every shape (a tuple or list of ints/None) in `structure`."""
    if _is_shape(structure) or not is_nested(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, c) for c in _children(structure)])


def traverse(func: Callable, structure: Any, top_down: bool = True) -> Any:
    """Visit every node (containers and leaves).

    Top down: a node for which `func` returns None is descended into; any other result
    replaces the node (`MAP_TO_NONE` replaces it with None). Bottom up: children first,
    then `func` on the rebuilt node, with the same meaning of its result.
    """

    def result_or(node: Any, result: Any) -> Any:
        if result is MAP_TO_NONE:
            return None
        return node if result is None else result

    def visit(node: Any) -> Any:
        if top_down:
            result = func(node)
            if result is not None:
                return result_or(node, result)
            if not is_nested(node):
                return node
            return _rebuild(node, [visit(child) for child in _children(node)])
        if is_nested(node):
            node = _rebuild(node, [visit(child) for child in _children(node)])
        return result_or(node, func(node))

    return visit(structure)

"""`layerwise.tree` against `keras.tree` on the same structures."""
import collections

import numpy as np
import pytest

import layerwise
from keras_oracle import keras

Point = collections.namedtuple("Point", "x y")
STRUCTURES = [
    {"b": [1, None, (2, 3)], "a": Point(4, {"z": 5, "y": "text"}),
     "c": collections.OrderedDict([("q", 6), ("p", 7)])},
    [1, [2, [3, 4]], ()],
    (np.ones(2), {"k": [None]}),
    7,
    None,
    [],
]


def test_every_keras_tree_name_exists():
    names = {n for n in dir(keras.tree) if not n.startswith("_")}
    assert names <= set(layerwise.tree.__all__)


@pytest.mark.parametrize("structure", STRUCTURES)
def test_flatten_pack_and_map_match_keras(structure):
    ours, theirs = layerwise.tree, keras.tree
    assert repr(ours.flatten(structure)) == repr(theirs.flatten(structure))
    assert repr(ours.flatten_with_path(structure)) == repr(theirs.flatten_with_path(structure))
    count = len(theirs.flatten(structure))
    assert repr(ours.pack_sequence_as(structure, range(count))) == repr(
        theirs.pack_sequence_as(structure, range(count)))
    double = lambda v: None if v is None else v * 2  # noqa: E731
    assert repr(ours.map_structure(double, structure)) == repr(
        theirs.map_structure(double, structure))
    assert repr(ours.map_structure(lambda v: 0, structure, none_is_leaf=False)) == repr(
        theirs.map_structure(lambda v: 0, structure, none_is_leaf=False))
    assert ours.is_nested(structure) == theirs.is_nested(structure)
    assert repr(ours.lists_to_tuples(structure)) == repr(theirs.lists_to_tuples(structure))
    for top_down in (True, False):
        for func in (lambda node: None, lambda node: 0 if isinstance(node, tuple) else None,
                     lambda node: ours.MAP_TO_NONE if isinstance(node, int) and node == 3 else None):
            their_func = (lambda node: theirs.MAP_TO_NONE if isinstance(node, int) and node == 3 else None) if \
                func(3) is ours.MAP_TO_NONE else func
            assert repr(ours.traverse(func, structure, top_down=top_down)) == repr(
                theirs.traverse(their_func, structure, top_down=top_down))


def test_up_to_and_shapes_match_keras():
    args = ([1, [2, 3]], lambda a, b: (a, b), [1, [2, [3, 4]]], [5, [6, 7]])
    assert layerwise.tree.map_structure_up_to(*args) == keras.tree.map_structure_up_to(*args)
    shapes = {"a": (None, 3), "b": [(2,), (4, 5)], "c": [[1, 2]]}
    assert layerwise.tree.map_shape_structure(len, shapes) == keras.tree.map_shape_structure(
        len, shapes)


@pytest.mark.parametrize("a, b", [([1, 2], [1, [2]]), ([1, 2], (1, 2)), ({"a": 1}, {"b": 1}),
                                  ([1, 2], [1]), ([1, 2], [3, 4]), ({"a": [1]}, {"a": [2]})])
def test_structure_assertions_raise_when_keras_does(a, b):
    for check in ("assert_same_structure", "assert_same_paths"):
        try:
            getattr(keras.tree, check)(a, b)
            keras_raises = False
        except ValueError:
            keras_raises = True
        if keras_raises:
            with pytest.raises(ValueError):
                getattr(layerwise.tree, check)(a, b)
        else:
            getattr(layerwise.tree, check)(a, b)


def test_pack_sequence_as_rejects_wrong_counts():
    with pytest.raises(ValueError, match="3 values"):
        layerwise.tree.pack_sequence_as([1, [2]], [1, 2, 3])

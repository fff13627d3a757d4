"""plot_model: one box per layer, the graph's arrows between the right boxes, checked on the artists."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

import layerwise as keras
from layerwise.utils.model_plot import layered_positions, model_graph


def two_branch_model():
    inputs = keras.Input((4,), name="x")
    left = keras.layers.Dense(3, activation="relu", name="left")(inputs)
    right = keras.layers.Dense(3, name="right")(inputs)
    merged = keras.layers.Add(name="merge")([left, right])
    return keras.Model(inputs, keras.layers.Dense(1, name="out")(merged))


def boxes_and_arrows(figure):
    patches = figure.axes[0].patches
    boxes = {p.get_gid(): p for p in patches if isinstance(p, FancyBboxPatch)}
    arrows = {p.get_gid(): p for p in patches if isinstance(p, FancyArrowPatch)}
    return boxes, arrows


def box_contains(box, point, tolerance):
    x, y = point
    return (box.get_x() - tolerance <= x <= box.get_x() + box.get_width() + tolerance
            and box.get_y() - tolerance <= y <= box.get_y() + box.get_height() + tolerance)


def test_two_branch_functional_model_has_one_box_per_layer_and_its_arrows(tmp_path):
    model = two_branch_model()
    path = tmp_path / "model.png"
    figure = keras.utils.plot_model(model, to_file=str(path), show_shapes=True,
                                    show_layer_names=True, dpi=50)
    boxes, arrows = boxes_and_arrows(figure)
    assert sorted(boxes) == sorted(layer.name for layer in model.layers)
    assert set(arrows) == {"x->left", "x->right", "left->merge", "right->merge", "merge->out"}
    for gid, arrow in arrows.items():
        source, target = gid.split("->")
        (start, end) = arrow._posA_posB
        tolerance = 1e-6
        assert box_contains(boxes[source], start, tolerance)
        assert box_contains(boxes[target], end, tolerance)
    # The branches sit side by side on one rank, between the input and the merge.
    centre = {name: box.get_y() for name, box in boxes.items()}
    assert centre["left"] == centre["right"]
    assert centre["x"] > centre["left"] > centre["merge"] > centre["out"]
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert any("left (Dense)" in text and "(None, 3)" in text for text in texts)
    picture = np.asarray(__import__("matplotlib.image", fromlist=["imread"]).imread(path))
    assert picture.std() > 0.01   # not blank


def test_sequential_is_a_chain_and_left_to_right_flows_along_x():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a"),
                              keras.layers.Dense(1, name="b")])
    figure = keras.utils.plot_model(model, to_file=None, rankdir="LR", show_shapes=True)
    boxes, arrows = boxes_and_arrows(figure)
    names = [layer.name for layer in model._layers]
    assert list(boxes) == names
    assert set(arrows) == {f"{names[0]}->a", "a->b"}
    assert boxes[names[0]].get_x() < boxes["a"].get_x() < boxes["b"].get_x()
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert any("(None, 1)" in text for text in texts)


def test_nested_model_is_one_box_or_expanded():
    inner = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, name="d1"),
                              keras.layers.Dense(2, name="d2")], name="inner")
    inputs = keras.Input((4,), name="outer_in")
    model = keras.Model(inputs, inner(keras.layers.Dense(1, name="pre")(inputs)))
    whole = model_graph(model)
    assert list(whole.boxes) == ["outer_in", "pre", "inner"]
    assert whole.edges == [("outer_in", "pre"), ("pre", "inner")]
    expanded = model_graph(model, expand_nested=True)
    assert "inner" not in expanded.boxes and {"d1", "d2"} <= set(expanded.boxes)
    ranks = {name: rank for name, (rank, _) in layered_positions(expanded).items()}
    assert ranks["pre"] < ranks["d1"] < ranks["d2"]
    boxes, _ = boxes_and_arrows(keras.utils.plot_model(model, None, expand_nested=True))
    assert set(boxes) == set(expanded.boxes)


def test_longest_path_layering_puts_a_skip_target_below_the_long_branch():
    inputs = keras.Input((2,), name="i")
    deep = keras.layers.Dense(2, name="d2")(keras.layers.Dense(2, name="d1")(inputs))
    model = keras.Model(inputs, keras.layers.Concatenate(name="cat")([inputs, deep]))
    ranks = {name: rank for name, (rank, _) in layered_positions(model_graph(model)).items()}
    assert ranks == {"i": 0, "d1": 1, "d2": 2, "cat": 3}


def test_labels_follow_the_show_flags():
    figure = keras.utils.plot_model(two_branch_model(), None, show_dtype=True,
                                    show_trainable=True, show_layer_activations=True)
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert "Dense\nactivation: relu\ndtype: float32\ntrainable: True" in texts


def test_bad_arguments_and_missing_pydot():
    with pytest.raises(ValueError, match="rankdir"):
        keras.utils.plot_model(two_branch_model(), None, rankdir="BT")
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pydot"):
            keras.utils.model_to_dot(two_branch_model())
    else:
        dot = keras.utils.model_to_dot(two_branch_model())
        assert len(dot.get_edges()) == 5

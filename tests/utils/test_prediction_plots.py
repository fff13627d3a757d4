"""Decision boundary and confusion matrix pictures: content checked through the figures' artists."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.image import imread

import layerwise as keras
from layerwise.utils.prediction_plots import class_predictions, confusion_counts


class FixedModel:
    """A stand-in with `predict`: P(class 1) = sigmoid(4 * x1), a vertical boundary at x1 = 0."""

    def predict(self, x, batch_size=None, verbose=0):
        x = np.asarray(x)
        return 1.0 / (1.0 + np.exp(-4.0 * x[:, :1]))


def test_decision_boundary_shows_both_classes_and_the_half_line(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    path = tmp_path / "boundary.png"
    figure = keras.utils.plot_decision_boundary(FixedModel(), X, y, path=str(path),
                                                resolution=60)
    axes = figure.axes[0]
    points = {c.get_gid(): c.get_offsets() for c in axes.collections if c.get_gid()}
    assert set(points) == {"class 0", "class 1"}
    assert len(points["class 0"]) + len(points["class 1"]) == 80
    assert np.all(points["class 1"][:, 0] > 0)
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend == ["class 0", "class 1"]
    # The 0.5 contour is the line x1 = 0.
    half_lines = [c for c in axes.collections if hasattr(c, "levels") and list(c.levels) == [0.5]]
    assert len(half_lines) == 1
    vertices = np.concatenate([path.vertices for path in half_lines[0].get_paths()])
    np.testing.assert_allclose(vertices[:, 0], 0.0, atol=0.1)
    picture = imread(path)
    assert picture.std() > 0.05


def test_decision_boundary_of_a_trained_model_separates_moons():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X, y = sklearn_datasets.make_moons(n_samples=200, noise=0.1, random_state=0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.03), loss="binary_crossentropy")
    model.fit(X, y, epochs=60, batch_size=32, verbose=0)
    figure = keras.utils.plot_decision_boundary(model, X, y, resolution=50)
    accuracy = np.mean(class_predictions(model.predict(X, verbose=0)) == y)
    assert accuracy > 0.95
    assert {c.get_gid() for c in figure.axes[0].collections if c.get_gid()} == {"class 0",
                                                                                 "class 1"}


def test_decision_boundary_rejects_inputs_that_are_not_two_dimensional():
    with pytest.raises(ValueError, match=r"Expected 2-D inputs of shape \(n, 2\)"):
        keras.utils.plot_decision_boundary(FixedModel(), np.zeros((4, 3)), np.zeros(4))


class TableModel:
    def __init__(self, outputs):
        self.outputs = outputs

    def predict(self, x, batch_size=None, verbose=0):
        return self.outputs


def test_confusion_matrix_cells_hold_the_counts(tmp_path):
    y = np.array([0, 0, 1, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0, 2])
    outputs = np.eye(3)[predicted] * 0.8 + 0.05
    path = tmp_path / "confusion.png"
    figure = keras.utils.plot_confusion_matrix(TableModel(outputs), np.zeros((7, 1)),
                                               np.eye(3)[y], class_names=["a", "b", "c"],
                                               path=str(path))
    axes = figure.axes[0]
    expected = [[1, 1, 0], [0, 2, 0], [1, 0, 2]]
    np.testing.assert_array_equal(confusion_counts(y, predicted, 3), expected)
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in axes.texts}
    assert cells == {(r, c): str(expected[r][c]) for r in range(3) for c in range(3)}
    assert [t.get_text() for t in axes.get_xticklabels()] == ["a", "b", "c"]
    assert "accuracy 0.714" in axes.get_title()
    np.testing.assert_array_equal(axes.images[0].get_array(), expected)
    assert imread(path).std() > 0.05


def test_confusion_matrix_normalized_rows_and_one_sigmoid_output():
    outputs = np.array([[0.9], [0.2], [0.7], [0.1]])
    figure = keras.utils.plot_confusion_matrix(TableModel(outputs), np.zeros((4, 1)),
                                               np.array([1, 0, 0, 0]), normalize=True)
    np.testing.assert_allclose(figure.axes[0].images[0].get_array(),
                               [[2 / 3, 1 / 3], [0.0, 1.0]])

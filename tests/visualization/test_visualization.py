"""keras.visualization's pictures: arrays compared with real Keras, figures checked through artists."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.patches import Rectangle

import layerwise as keras
from layerwise.visualization.bounding_boxes import to_corners
from layerwise.visualization.segmentation_masks import class_palette

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 255, (3, 12, 10, 3)).astype("float32")
MASKS = RNG.integers(-1, 4, (3, 12, 10, 1))




def oracle_visualization():
    import os
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras_module = pytest.importorskip("keras")
    return keras_module.visualization


@pytest.mark.parametrize("blend", [True, False])
@pytest.mark.parametrize("num_classes", [4, 12])
def test_draw_segmentation_masks_equals_keras(blend, num_classes):
    expected = oracle_visualization().draw_segmentation_masks(
        IMAGES, MASKS, num_classes=num_classes, blend=blend, alpha=0.7)
    received = keras.visualization.draw_segmentation_masks(
        IMAGES, MASKS, num_classes=num_classes, blend=blend, alpha=0.7)
    assert received.dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(received, np.asarray(expected))


def test_segmentation_masks_ignore_index_and_color_mapping():
    masks = np.array([[[0, 1, -1]]])
    images = np.full((1, 1, 3, 3), 50.0, "float32")
    painted = keras.visualization.draw_segmentation_masks(
        images, masks, color_mapping={0: (255, 0, 0), 1: (0, 0, 255)}, blend=False)
    assert painted[0, 0].tolist() == [[255, 0, 0], [0, 0, 255], [50, 50, 50]]
    assert class_palette(3).tolist() == [[0, 0, 0], [1, 127, 31], [2, 254, 62]]
    with pytest.raises(ValueError, match="num_classes"):
        keras.visualization.draw_segmentation_masks(images, masks)


def test_image_gallery_titles_and_grid(tmp_path):
    path = tmp_path / "gallery.png"
    figure = keras.visualization.plot_image_gallery(
        IMAGES, y_true=np.array([0, 1, 0]), y_pred=np.array([1, 1, 0]),
        label_map={0: "cat", 1: "dog"}, path=str(path))
    titles = [axes.get_title() for axes in figure.axes]
    assert titles == ["Label: cat  Pred: dog", "Label: dog  Pred: dog", "Label: cat  Pred: cat"]
    np.testing.assert_array_equal(figure.axes[1].images[0].get_array(), IMAGES[1].astype("uint8"))
    assert path.stat().st_size > 0
    figure = keras.visualization.plot_image_gallery(IMAGES, rows=1, value_range=(0, 510))
    assert [a.get_subplotspec().get_geometry()[:2] for a in figure.axes] == [(1, 3)] * 3
    assert figure.axes[0].images[0].get_array().max() <= 128


def test_image_gallery_channels_first():
    figure = keras.visualization.plot_image_gallery(np.transpose(IMAGES, (0, 3, 1, 2)),
                                                    data_format="channels_first")
    assert figure.axes[0].images[0].get_array().shape == (12, 10, 3)


def test_segmentation_gallery_rows_are_image_true_predicted():
    figure = keras.visualization.plot_segmentation_mask_gallery(
        IMAGES[:2], num_classes=4, y_true=MASKS[:2], y_pred=MASKS[:2])
    assert [axes.get_title() for axes in figure.axes] == ["image", "true mask",
                                                          "predicted mask"] * 2
    painted = keras.visualization.draw_segmentation_masks(IMAGES[:2].astype("uint8"), MASKS[:2],
                                                          num_classes=4)
    np.testing.assert_array_equal(figure.axes[4].images[0].get_array(), painted[1])


@pytest.mark.parametrize("fmt, box", [("xyxy", [2, 3, 8, 9]), ("yxyx", [3, 2, 9, 8]),
                                      ("xywh", [2, 3, 6, 6]), ("center_xywh", [5, 6, 6, 6]),
                                      ("center_yxhw", [6, 5, 6, 6]),
                                      ("rel_xyxy", [0.2, 0.25, 0.8, 0.75])])
def test_box_formats_convert_to_the_same_corners(fmt, box):
    np.testing.assert_allclose(to_corners(np.array(box), fmt, height=12, width=10),
                               [2, 3, 8, 9])


def test_draw_bounding_boxes_paints_the_outline_only():
    images = np.zeros((1, 12, 10, 3), "float32")
    boxes = {"boxes": np.array([[[2, 3, 8, 9], [0, 0, 5, 5]]]), "labels": np.array([[1, -1]])}
    painted = keras.visualization.draw_bounding_boxes(images, boxes, "xyxy", color=(255, 0, 0),
                                                      line_thickness=1)
    red = painted[0, ..., 0] == 255
    expected = np.zeros((12, 10), bool)
    expected[3, 2:9] = expected[9, 2:9] = expected[3:10, 2] = expected[3:10, 8] = True
    np.testing.assert_array_equal(red, expected)   # the padded (-1) box is not drawn
    with pytest.raises(ValueError, match="bounding_box_format"):
        keras.visualization.draw_bounding_boxes(images, boxes, "xyz")


def test_bounding_box_gallery_draws_true_and_predicted_rectangles():
    y_true = {"boxes": np.array([[[1, 1, 5, 5]], [[2, 2, 6, 6]]]), "labels": np.array([[0], [1]])}
    y_pred = {"boxes": np.array([[[1, 2, 5, 6]], [[0, 0, 1, 1]]]), "labels": np.array([[0], [-1]])}
    figure = keras.visualization.plot_bounding_box_gallery(
        IMAGES[:2], "xyxy", y_true=y_true, y_pred=y_pred, class_mapping={0: "cat", 1: "dog"},
        legend=True)
    rectangles = [[p for p in axes.patches if isinstance(p, Rectangle) and p.get_gid()]
                  for axes in figure.axes]
    assert [[p.get_gid() for p in r] for r in rectangles] == [["true:0", "pred:0"], ["true:1"]]
    first = rectangles[0][0]
    assert (first.get_x(), first.get_y(), first.get_width(), first.get_height()) == (1, 1, 4, 4)
    assert [t.get_text() for t in figure.axes[1].texts] == ["dog"]
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["Ground Truth", "Prediction"]

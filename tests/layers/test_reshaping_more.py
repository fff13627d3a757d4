"""3-D reshaping layers, Permute, RepeatVector and Identity against real Keras."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import layerwise
from keras_oracle import check_layer

CASES = {
    "zero-padding-3d": (lambda k: k.layers.ZeroPadding3D(), (2, 3, 2, 2)),
    "zero-padding-3d-pairs": (lambda k: k.layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1)),
                                                              data_format="channels_first"),
                              (2, 3, 2, 2)),
    "cropping-3d": (lambda k: k.layers.Cropping3D(), (4, 3, 5, 2)),
    "cropping-3d-ints": (lambda k: k.layers.Cropping3D((1, 0, 2)), (4, 3, 5, 2)),
    "up-sampling-3d": (lambda k: k.layers.UpSampling3D((1, 2, 3)), (2, 3, 2, 2)),
    "up-sampling-3d-first": (lambda k: k.layers.UpSampling3D(2, data_format="channels_first"),
                             (2, 3, 2, 2)),
    "permute": (lambda k: k.layers.Permute((2, 1)), (3, 4)),
    "permute-3": (lambda k: k.layers.Permute((3, 1, 2)), (3, 4, 2)),
    "repeat-vector": (lambda k: k.layers.RepeatVector(3), (4,)),
    "identity": (lambda k: k.layers.Identity(), (3, 4)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_contract_matches_keras(name):
    make, shape = CASES[name]
    check_layer(make, shape)


@settings(max_examples=20, deadline=None)
@given(dims=st.permutations([1, 2, 3]), sizes=st.tuples(*[st.integers(1, 4)] * 3))
def test_permute_shape_matches_its_output(dims, sizes):
    layer = layerwise.layers.Permute(tuple(dims))
    x = np.zeros((2,) + sizes, "float32")
    assert np.shape(layer(x)) == (2,) + layer.compute_output_shape((None,) + sizes)[1:]


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="dims"):
        layerwise.layers.Permute((0, 1))
    with pytest.raises(ValueError, match="cropping"):
        layerwise.layers.Cropping3D((1, 1))
    with pytest.raises(ValueError, match="expected ndim=2"):
        layerwise.layers.RepeatVector(2)(np.ones((2, 3, 4), "float32"))

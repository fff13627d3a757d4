"""Every non-numpy name of real Keras's `keras.ops` (and `keras.ops.image`), compared with
Keras-JAX: values and dtypes on arrays, shapes and dtypes on symbolic tensors.

The names come from the installed Keras, so a name layerwise lacks fails here. Names
that cannot apply are in `NOT_APPLICABLE` with the reason.
"""
from __future__ import annotations

import inspect

import jax
import numpy as np
import pytest

import layerwise
from keras_oracle import keras

RNG = np.random.default_rng(0)


def F(*shape, positive=False):
    values = RNG.standard_normal(shape).astype("float32")
    return np.abs(values) + 0.1 if positive else values


def U(*shape):
    return RNG.uniform(0.05, 0.95, shape).astype("float32")


def I(*shape, low=0, high=4):
    return RNG.integers(low, high, shape).astype("int32")


def B(*shape):
    return RNG.integers(0, 2, shape).astype(bool)


def SPD(n):
    a = F(n, n)
    return (a @ a.T + n * np.eye(n)).astype("float32")


def _keras_names() -> list[str]:
    names = []
    for name in dir(keras.ops):
        value = getattr(keras.ops, name)
        if name.startswith("_") or inspect.ismodule(value) or inspect.isclass(value):
            continue
        if value.__module__ != "keras.src.ops.numpy":
            names.append(name)
    names += [f"image.{name}" for name in dir(keras.ops.image) if not name.startswith("_")]
    return sorted(names)


KERAS_NAMES = _keras_names()

# name -> why no comparison case can apply.
NOT_APPLICABLE = {
    "custom_gradient": "a decorator, compared by gradients in test_ops_core.py",
    "jvp": "takes a function; compared in test_ops_core.py",
    "cond": "takes functions; compared in test_ops_core.py",
    "scan": "takes a function; compared in test_ops_core.py",
    "fori_loop": "takes a function; compared in test_ops_core.py",
    "while_loop": "takes functions; compared in test_ops_core.py",
    "switch": "takes functions; compared in test_ops_core.py",
    "map": "takes a function; compared in test_ops_core.py",
    "associative_scan": "takes a function; compared in test_ops_core.py",
    "vectorized_map": "takes a function; compared in test_ops_core.py",
    "convert_to_numpy": "returns numpy, not a tensor; compared in test_ops_core.py",
    "is_tensor": "a predicate; compared in test_ops_core.py",
    "shape": "returns a tuple; compared in test_ops_core.py",
    "dtype": "returns a string; compared in test_ops_core.py",
    "eig": "eigenvector signs/order are implementation-defined; checked by reconstruction "
           "in test_ops_core.py",
}

# name -> how we knowingly differ; the name's case checks our own property instead.
KNOWN_DEVIATIONS = {
    "sparsemax": "Keras 3.15-JAX's sparsemax returns rows that do not sum to 1 (e.g. all "
                 "zeros); ours is the Euclidean projection onto the simplex",
}

# name -> list of (args, kwargs); numpy arrays among the args are the tensors (symbolic
# in the shape check, first axis unknown unless the case says `fixed`).
CASES = {
    # core
    "cast": [((F(3, 4), "int32"), {}), ((I(3, 4), "float32"), {}), ((B(5), "float32"), {})],
    "convert_to_tensor": [((F(3, 4),), {}), ((I(2, 3),), {}), ((B(4),), {}),
                          ((F(3), "int32"), {})],
    "saturate_cast": [((F(3, 4) * 300, "uint8"), {}), ((I(5, low=-500, high=500), "int8"),
                                                        {})],
    "stop_gradient": [((F(3, 4),), {})],
    "slice": [((F(5, 6), (1, 2), (3, 2)), {})],
    "slice_update": [((F(5, 6), (1, 2), F(2, 3)), {})],
    "scatter": [((np.array([[0, 1], [2, 3], [0, 1]], "int32"), F(3), (4, 5)), {})],
    "scatter_update": [((F(4, 5), np.array([[0, 1], [2, 3]], "int32"), F(2)), {})],
    "unstack": [((F(3, 4),), {"axis": 1}), ((I(2, 3),), {"fixed": True})],
    # nn activations
    # Keras's symbolic dtype for integer inputs of these is int32 while its eager result is
    # float32; we give float32 both ways, so integer inputs are compared eagerly only.
    **{name: [((F(3, 5),), {}), ((I(2, 4, low=-3, high=4),), {"eager_only": True})]
       for name in [
        "relu", "relu6", "sparse_sigmoid", "softplus", "softsign", "soft_shrink", "sparse_plus",
        "squareplus", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "elu", "selu",
        "gelu", "celu", "tanh_shrink", "hard_tanh", "hard_shrink", "sparsemax"]},
    **{name: [((F(3, 5),), {}), ((F(2, 3, 4),), {"axis": 1} if name in (
        "softmax", "log_softmax") else {})] for name in [
        "sigmoid", "silu", "swish", "log_sigmoid", "softmax", "log_softmax"]},
    "gelu_exact": [],
    "glu": [((F(3, 6),), {})],
    "threshold": [((F(3, 5), 0.1, -1.0), {})],
    # Keras's symbolic dtype is float32, its eager one complex64: eager only.
    "polar": [((U(3, 4), F(3, 4)), {"eager_only": True})],
    "one_hot": [((I(4, 3), 5), {}), ((I(6), 3), {"axis": 0, "dtype": "int32"})],
    # Keras's symbolic dtype is the input's (int32), its eager one float32: eager only.
    "multi_hot": [((I(4, 3), 5), {"eager_only": True}), ((I(6), 7), {"eager_only": True})],
    "binary_crossentropy": [((B(4, 3).astype("float32"), U(4, 3)), {}),
                            ((B(4, 3).astype("float32"), F(4, 3)), {"from_logits": True})],
    "categorical_crossentropy": [
        ((np.eye(3, dtype="float32")[I(4, high=3)], U(4, 3)), {}),
        ((np.eye(3, dtype="float32")[I(4, high=3)], F(4, 3)), {"from_logits": True})],
    "sparse_categorical_crossentropy": [((I(4, high=3), U(4, 3)), {}),
                                        ((I(4, high=3), F(4, 3)), {"from_logits": True})],
    "moments": [((F(4, 5, 3), [0, 1]), {}), ((F(4, 5), [1]), {"keepdims": True})],
    "batch_normalization": [((F(4, 3), F(3), U(3), -1), {"offset": F(3), "scale": F(3), "fixed": True}),
                            ((F(4, 3), F(3), U(3), 1), {"fixed": True})],
    "normalize": [((F(4, 3),), {}), ((F(4, 3),), {"order": 1, "axis": 0})],
    "rms_normalization": [((F(4, 3),), {}), ((F(4, 3), F(3)), {"epsilon": 1e-3})],
    "layer_normalization": [((F(4, 3), F(3), F(3)), {}), ((F(4, 3),), {"epsilon": 1e-3})],
    "psnr": [((U(2, 4, 4, 1), U(2, 4, 4, 1), 1.0), {})],
    "conv": [((F(2, 7, 7, 3), F(3, 3, 3, 4)), {}),
             ((F(2, 8, 3), F(3, 3, 2)), {"strides": 2, "padding": "same"}),
             ((F(2, 7, 7, 4), F(3, 3, 4, 6)), {"dilation_rate": 2})],
    "depthwise_conv": [((F(2, 6, 6, 3), F(3, 3, 3, 2)), {"padding": "same"})],
    "separable_conv": [((F(2, 6, 6, 3), F(3, 3, 3, 2), F(1, 1, 6, 4)), {"strides": 2})],
    "conv_transpose": [((F(2, 5, 5, 3), F(3, 3, 4, 3)), {"strides": 2}),
                       ((F(2, 5, 3), F(3, 4, 3)), {"strides": 2, "padding": "same"})],
    # An int pool_size with strides=None fails inside Keras-JAX; give tuples.
    "max_pool": [((F(2, 6, 6, 3), (2, 2), (2, 2)), {}), ((F(2, 7, 3), 3), {"strides": 2, "padding": "same"})],
    "average_pool": [((F(2, 6, 6, 3), (2, 2), (2, 2)), {}),
                     ((F(2, 7, 3), 3), {"strides": 2, "padding": "same"})],
    # Keras 3.15's symbolic output shape of the adaptive pools keeps an input spatial axis
    # ((None, 7, 3, 2, 3) for this case; its eager result is (2, 3, 2, 3)): eager only.
    "adaptive_average_pool": [((F(2, 7, 5, 3), (3, 2)), {"eager_only": True})],
    "adaptive_max_pool": [((F(2, 7, 5, 3), (3, 2)), {"eager_only": True})],
    "depth_to_space": [((F(2, 3, 3, 8), 2), {})],
    "space_to_depth": [((F(2, 4, 6, 3), 2), {})],
    "unfold": [((F(2, 3, 5, 5), 2), {})],
    "fold": [((F(2, 12, 16), (5, 5), 2), {})],
    "dot_product_attention": [((F(2, 4, 2, 8), F(2, 5, 2, 8), F(2, 5, 2, 8)), {}),
                              ((F(2, 4, 2, 8), F(2, 4, 2, 8), F(2, 4, 2, 8)),
                               {"is_causal": True})],
    "ctc_loss": [((I(2, 3, low=1, high=5), F(2, 8, 5), np.array([3, 2], "int32"),
                   np.array([8, 6], "int32")), {"fixed": True})],
    "ctc_decode": [((F(2, 8, 5), np.array([8, 6], "int32")), {"fixed": True})],
    # math
    "segment_sum": [((F(6, 3), np.array([0, 0, 1, 2, 2, 2], "int32")), {"num_segments": 3,
                                                                        "fixed": True})],
    "segment_max": [((F(6, 3), np.array([0, 0, 1, 2, 2, 2], "int32")), {"num_segments": 4,
                                                                        "fixed": True})],
    "segment_min": [((F(6, 3), np.array([0, 0, 1, 2, 2, 2], "int32")), {"num_segments": 3,
                                                                        "fixed": True})],
    "segment_prod": [((F(6), np.array([0, 0, 1, 2, 2, 2], "int32")), {"num_segments": 3,
                                                                      "fixed": True})],
    "top_k": [((F(4, 6), 3), {}), ((I(3, 5, high=100), 2), {})],
    "in_top_k": [((I(4, high=6), F(4, 6), 2), {})],
    "logsumexp": [((F(4, 5),), {}), ((F(4, 5),), {"axis": 1, "keepdims": True})],
    "rsqrt": [((F(3, 4, positive=True),), {})],
    "erf": [((F(3, 4),), {})],
    "erfc": [((F(3, 4),), {})],
    "erfinv": [((U(3, 4) * 1.8 - 0.9,), {})],
    "logdet": [((SPD(4),), {"fixed": True})],
    "cdist": [((F(4, 3), F(5, 3)), {})],
    "extract_sequences": [((F(2, 20), 6, 3), {})],
    "fft": [(((F(3, 8), F(3, 8)),), {})],
    "fft2": [(((F(2, 4, 8), F(2, 4, 8)),), {})],
    "ifft2": [(((F(2, 4, 8), F(2, 4, 8)),), {})],
    "rfft": [((F(3, 8),), {}), ((F(3, 8),), {"fft_length": 6})],
    "irfft": [(((F(3, 5), F(3, 5)),), {})],
    "stft": [((F(2, 32), 8, 4, 8), {}), ((F(2, 32), 6, 3, 8), {"center": False,
                                                              "window": "hamming"})],
    "istft": [(((F(2, 9, 5), F(2, 9, 5)), 8, 4, 8), {}),
              (((F(2, 9, 5), F(2, 9, 5)), 6, 3, 8), {"center": False, "length": 20})],
    "view_as_complex": [((F(3, 2),), {})],
    "view_as_real": [((F(3, 4) + 1j * F(3, 4),), {})],
    # linalg
    "cholesky": [((SPD(4),), {"fixed": True}), ((SPD(3),), {"upper": True, "fixed": True})],
    "cholesky_inverse": [((np.linalg.cholesky(SPD(4)).astype("float32"),), {"fixed": True})],
    "det": [((F(3, 4, 4),), {})],
    "eigh": [((SPD(4),), {"fixed": True})],
    "inv": [((SPD(4),), {"fixed": True})],
    # Keras's symbolic dtype of the pivots is float32, its eager one int32: eager only.
    "lu_factor": [((SPD(4),), {"fixed": True, "eager_only": True})],
    "matrix_rank": [((F(4, 4),), {"fixed": True})],
    "norm": [((F(4, 5),), {}), ((F(4, 5),), {"axis": 1, "ord": 1}),
             ((F(4, 5),), {"ord": "fro", "axis": (0, 1)})],
    "pinv": [((F(4, 3),), {"fixed": True})],
    "qr": [((F(5, 3),), {"fixed": True}), ((F(5, 3),), {"mode": "complete", "fixed": True})],
    "solve": [((SPD(4), F(4, 2)), {"fixed": True})],
    "solve_triangular": [((np.tril(SPD(4)), F(4, 2)), {"lower": True, "fixed": True})],
    "svd": [((F(5, 3),), {"fixed": True, "abs": True}),
            ((F(5, 3),), {"compute_uv": False, "fixed": True})],
    "lstsq": [((F(6, 3), F(6, 2)), {"fixed": True})],
    # Keras's symbolic rearrange fails on any unknown dim: known shapes only.
    "rearrange": [((F(2, 3, 4), "b h w -> b w h"), {"fixed": True}),
                  # Keras's symbolic rearrange cannot split a grouped input axis (it
                  # fails inside Keras), so this one is compared eagerly only.
                  ((F(2, 6, 4), "b (h w) c -> b h (w c)"), {"h": 2, "eager_only": True}),
                  ((F(2, 3, 4, 5), "b h w c -> (b h) w c"), {"fixed": True})],
    # image
    "image.rgb_to_grayscale": [((U(2, 4, 5, 3),), {})],
    "image.rgb_to_hsv": [((U(2, 4, 5, 3),), {})],
    "image.hsv_to_rgb": [((U(2, 4, 5, 3),), {})],
    "image.resize": [((U(2, 4, 6, 3), (8, 3)), {}),
                     ((U(2, 4, 6, 3), (2, 5)), {"interpolation": "nearest"}),
                     ((U(2, 8, 6, 3), (4, 3)), {"antialias": True, "interpolation": "bicubic"})],
    "image.pad_images": [((U(2, 4, 5, 3), 1, 2), {"target_height": 7, "target_width": 9})],
    "image.crop_images": [((U(2, 6, 7, 3), 1, 2), {"target_height": 3, "target_width": 4})],
    "image.extract_patches": [((U(2, 6, 6, 3), 2), {}),
                              ((U(2, 7, 7, 2), (3, 3)), {"strides": 2, "padding": "same"})],
    "image.extract_patches_3d": [((U(2, 4, 4, 4, 2), 2), {}),
                                 ((U(2, 5, 5, 5, 1), (2, 3, 2)), {"strides": 1})],
    "image.sobel_edges": [((U(2, 5, 6, 3),), {})],
    "image.perspective_transform": [
        ((U(2, 8, 9, 3), np.array([[[0, 0], [8, 0], [0, 7], [8, 7]]] * 2, "float32"),
          np.array([[[1, 0], [7, 1], [0, 6], [8, 7]], [[0, 1], [8, 0], [1, 7], [7, 6]]],
                   "float32")), {}),
        ((U(8, 9, 1), np.array([[0, 0], [8, 0], [0, 7], [8, 7]], "float32"),
          np.array([[1, 0], [7, 1], [0, 6], [8, 7]], "float32")),
         {"interpolation": "nearest", "fill_value": 0.5, "fixed": True})],
    "image.ssim": [((U(2, 16, 16, 3), U(2, 16, 16, 3)), {}),
                   ((U(2, 14, 12, 1), U(2, 14, 12, 1)), {"max_val": 2.0, "filter_size": 7,
                                                         "filter_sigma": 1.0})],
    "image.map_coordinates": [((F(5, 6), U(2, 3, 4) * 5, 1), {"fixed": True}),
                              ((F(5, 6), U(2, 3, 4) * 5, 0), {"fill_mode": "nearest",
                                                               "fixed": True})],
    # Projective terms (c0, c1): on one-channel images Keras-JAX ignores them, and so do
    # we; on several channels its result is neither that nor the projective formula, so
    # multi-channel cases are affine only (see the report).
    "image.affine_transform": [((U(2, 5, 6, 3), np.array(
        [[1.1, 0.1, -0.5, 0.05, 0.9, 0.3, 0.0, 0.0], [0.9, 0.0, 0.2, 0.0, 1.0, 0.0, 0.0, 0.0]],
        "float32")), {}), ((U(2, 5, 6, 1), np.array(
            [[0.9, 0.0, 0.2, 0.0, 1.0, 0.0, 0.03, 0.02]] * 2, "float32")), {}), ((U(2, 5, 6, 3), np.array([[1, 0, 1, 0, 1, -1, 0, 0]] * 2,
                                                    "float32")),
                           {"interpolation": "nearest", "fill_mode": "constant"})],
    # Keras-JAX swaps the two kernels and reads data_format=None as channels_first (so a
    # default call blurs width and channels of channels_last images): cases cover the
    # default, both explicit formats, unbatched images and even kernel sizes.
    "image.gaussian_blur": [((U(2, 6, 7, 3),), {}),
                            ((U(2, 6, 7, 4), (3, 5), (1.0, 2.0)),
                             {"data_format": "channels_last"}),
                            ((U(2, 3, 6, 7), (4, 2), (0.7, 1.5)),
                             {"data_format": "channels_first"}),
                            ((U(6, 7, 1),), {"kernel_size": (5, 3), "sigma": (2.0, 1.0),
                                             "data_format": "channels_last", "fixed": True})],
    "image.elastic_transform": [((U(2, 8, 9, 3),), {"seed": 1}),
                                ((U(2, 3, 8, 9),), {"alpha": 3.0, "sigma": 1.0, "seed": 7,
                                                    "data_format": "channels_first"}),
                                ((U(8, 9, 1),), {"alpha": 5.0, "sigma": 1.7, "seed": 3,
                                                 "interpolation": "nearest",
                                                 "fill_mode": "constant", "fill_value": 0.5,
                                                 "fixed": True})],
    "image.scale_and_translate": [((U(2, 4, 4, 3), (2, 8, 6, 3), np.array([2.0, 1.5], "float32"),
                                    np.array([0.0, 0.5], "float32"), (1, 2), "linear"),
                                   {"fixed": True})],
}
CASES.pop("gelu_exact")
CASES["gelu"].append(((F(3, 5),), {"approximate": False}))


def _sparsemax_reference(x, axis=-1):
    """Sparsemax by its definition: sort, find the support, shift by the threshold."""
    x = np.moveaxis(np.asarray(x, "float64"), axis, -1)
    z = -np.sort(-x, axis=-1)
    k = np.arange(1, x.shape[-1] + 1)
    cumulative = np.cumsum(z, axis=-1)
    support = 1 + k * z > cumulative
    size = support.sum(axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumulative, size - 1, axis=-1) - 1) / size
    return np.moveaxis(np.maximum(x - tau, 0), -1, axis).astype("float32")


class _SparsemaxOracle:
    """Our reference on arrays; Keras's (correct) shape and dtype on symbolic tensors."""

    def __call__(self, x, axis=-1):
        if isinstance(x, keras.KerasTensor):
            return keras.ops.sparsemax(x, axis=axis)
        return _sparsemax_reference(x, axis)


DEVIATION_ORACLES = {"sparsemax": _SparsemaxOracle()}


def _lookup(library, name):
    if name.startswith("image."):
        return getattr(library.ops.image, name[6:], None)
    return getattr(library.ops, name, None)


def _leaves(value):
    return jax.tree_util.tree_leaves(value, is_leaf=lambda v: v is None)


def _dtype(value):
    return keras.backend.standardize_dtype(np.asarray(value).dtype) if not hasattr(
        value, "dtype") else keras.backend.standardize_dtype(value.dtype)


def _symbolic(library, value, fixed):
    """`value` as a KerasTensor; unless `fixed`, its first axis unknown."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        shape = value.shape if fixed else (None,) + value.shape[1:]
        return library.KerasTensor(shape, dtype=_dtype(value))
    if isinstance(value, tuple) and value and all(isinstance(v, np.ndarray) for v in value):
        return tuple(_symbolic(library, v, fixed) for v in value)
    return value


def _first_axis(value):
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return value.shape[0]
    if isinstance(value, tuple) and value and all(isinstance(v, np.ndarray) for v in value):
        return value[0].shape[0]
    return None


def _symbolic_args(library, args, fixed):
    """Tensor arguments as KerasTensors: the first one's leading (batch) axis unknown, and
    that of every other tensor with the same leading size (they share the batch)."""
    sizes = [_first_axis(a) for a in args]
    batch = next((size for size in sizes if size is not None), None)
    return [_symbolic(library, a, fixed or size != batch) for a, size in zip(args, sizes)]


# Names layerwise lacks, each a strict xfail: it fails loudly once the op exists.
MISSING = {}


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=MISSING[name]))
    if name in MISSING else name for name in KERAS_NAMES])
def test_every_keras_op_matches(name):
    if name in NOT_APPLICABLE:
        pytest.skip(NOT_APPLICABLE[name])
    ours = _lookup(layerwise, name)
    assert ours is not None, f"layerwise.ops has no `{name}`"
    assert name in CASES, f"no comparison case written for `{name}`"
    theirs = _lookup(keras, name)
    if name in KNOWN_DEVIATIONS:
        theirs = DEVIATION_ORACLES[name]
    for args, kwargs in CASES[name]:
        kwargs = dict(kwargs)
        fixed = kwargs.pop("fixed", False)
        compare_abs = kwargs.pop("abs", False)
        eager_only = kwargs.pop("eager_only", False)
        expected = theirs(*args, **kwargs)
        got = ours(*args, **kwargs)
        expected_leaves, got_leaves = _leaves(expected), _leaves(got)
        assert len(expected_leaves) == len(got_leaves), (name, args)
        for e, g in zip(expected_leaves, got_leaves):
            assert _dtype(g) == _dtype(e), (name, kwargs)
            e, g = np.asarray(e), np.asarray(g)
            assert e.shape == g.shape, (name, kwargs)
            if compare_abs:
                e, g = np.abs(e), np.abs(g)
            if e.dtype.kind in "iub":
                np.testing.assert_array_equal(g, e, err_msg=name)
            else:
                np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5, err_msg=name)
        # Symbolic: the same call on KerasTensors gives Keras's shapes and dtypes.
        if eager_only:
            continue
        their_spec = theirs(*_symbolic_args(keras, args, fixed), **kwargs)
        our_spec = ours(*_symbolic_args(layerwise, args, fixed), **kwargs)
        their_leaves, our_leaves = _leaves(their_spec), _leaves(our_spec)
        assert len(their_leaves) == len(our_leaves), name
        for e, g in zip(their_leaves, our_leaves):
            assert isinstance(g, layerwise.KerasTensor), name
            assert tuple(g.shape) == tuple(e.shape), (name, kwargs)
            assert g.dtype == e.dtype, (name, kwargs)


def test_the_table_covers_every_keras_name():
    unknown = set(CASES) - set(KERAS_NAMES)
    assert not unknown, f"cases for names Keras does not have: {sorted(unknown)}"

"""layerwise.losses against real Keras 3 (JAX backend) on fixed arrays."""

import warnings

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from keras.src.losses import LossFunctionWrapper as KerasLossFunctionWrapper
from keras.src.losses.loss import reduce_weighted_values as keras_reduce_weighted_values

from layerwise import losses
from layerwise.losses.base import LossFunctionWrapper
from layerwise.losses.reduction import reduce_weighted_values, squeeze_or_expand_to_same_rank
from layerwise.losses.serialization import resolve_compile_loss, to_loss

TOLERANCE = 1e-6
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]

rng = np.random.default_rng(1234)
N, D, C = 6, 3, 4
BINARY_TRUE = rng.integers(0, 2, (N, D)).astype("float32")
PROBABILITIES = rng.uniform(0.02, 0.98, (N, D)).astype("float32")
PROBABILITIES[0, 0], PROBABILITIES[1, 1] = 0.0, 1.0  # exercise the clipping
LOGITS = rng.normal(0, 2, (N, D)).astype("float32")
ONE_HOT = np.eye(C, dtype="float32")[rng.integers(0, C, N)]
SOFTMAX = rng.dirichlet(np.ones(C), N).astype("float32")
CLASS_LOGITS = rng.normal(0, 2, (N, C)).astype("float32")
SPARSE = rng.integers(0, C, N)
REGRESSION_TRUE = rng.normal(1, 2, (N, D)).astype("float32")
REGRESSION_PRED = rng.normal(1, 2, (N, D)).astype("float32")
REGRESSION_TRUE[0, 0] = 0.0  # MAPE's epsilon guard
POSITIVE_TRUE = rng.uniform(0, 3, (N, D)).astype("float32")
POSITIVE_PRED = rng.uniform(0.1, 3, (N, D)).astype("float32")
SIGNED_TRUE = rng.choice([-1.0, 1.0], (N, D)).astype("float32")
SAMPLE_WEIGHT = rng.uniform(0, 2, N).astype("float32")

# (function name, y_true, y_pred, keyword arguments)
FUNCTION_CASES = [
    ("mean_squared_error", REGRESSION_TRUE, REGRESSION_PRED, {}),
    ("mean_absolute_error", REGRESSION_TRUE, REGRESSION_PRED, {}),
    ("mean_absolute_percentage_error", REGRESSION_TRUE, REGRESSION_PRED, {}),
    ("mean_squared_logarithmic_error", POSITIVE_TRUE, REGRESSION_PRED, {}),
    ("cosine_similarity", REGRESSION_TRUE, REGRESSION_PRED, {}),
    ("cosine_similarity", REGRESSION_TRUE, REGRESSION_PRED, {"axis": 0}),
    ("huber", REGRESSION_TRUE, REGRESSION_PRED, {}),
    ("huber", REGRESSION_TRUE, REGRESSION_PRED, {"delta": 2.5}),
    ("log_cosh", REGRESSION_TRUE, REGRESSION_PRED, {}),
    ("hinge", BINARY_TRUE, LOGITS, {}),
    ("hinge", SIGNED_TRUE, LOGITS, {}),
    ("squared_hinge", BINARY_TRUE, LOGITS, {}),
    ("squared_hinge", SIGNED_TRUE, LOGITS, {}),
    ("categorical_hinge", ONE_HOT, CLASS_LOGITS, {}),
    ("kl_divergence", SOFTMAX[::-1].copy(), SOFTMAX, {}),
    ("poisson", POSITIVE_TRUE, POSITIVE_PRED, {}),
    ("binary_crossentropy", BINARY_TRUE, PROBABILITIES, {}),
    ("binary_crossentropy", BINARY_TRUE, PROBABILITIES, {"label_smoothing": 0.2}),
    ("binary_crossentropy", BINARY_TRUE, LOGITS, {"from_logits": True}),
    ("binary_crossentropy", BINARY_TRUE, LOGITS, {"from_logits": True, "label_smoothing": 0.1}),
    ("binary_crossentropy", BINARY_TRUE, PROBABILITIES, {"axis": 0}),
    ("binary_focal_crossentropy", BINARY_TRUE, PROBABILITIES, {}),
    (
        "binary_focal_crossentropy",
        BINARY_TRUE,
        PROBABILITIES,
        {"apply_class_balancing": True, "alpha": 0.4},
    ),
    ("binary_focal_crossentropy", BINARY_TRUE, LOGITS, {"from_logits": True, "gamma": 3.0}),
    ("binary_focal_crossentropy", BINARY_TRUE, PROBABILITIES, {"label_smoothing": 0.3}),
    ("categorical_crossentropy", ONE_HOT, SOFTMAX, {}),
    ("categorical_crossentropy", ONE_HOT, SOFTMAX * 3.0, {}),  # unnormalised: renormalised
    ("categorical_crossentropy", ONE_HOT, SOFTMAX, {"label_smoothing": 0.1}),
    ("categorical_crossentropy", ONE_HOT, CLASS_LOGITS, {"from_logits": True}),
    (
        "categorical_crossentropy",
        ONE_HOT,
        CLASS_LOGITS,
        {"from_logits": True, "label_smoothing": 0.2},
    ),
    ("categorical_crossentropy", ONE_HOT.T.copy(), SOFTMAX.T.copy(), {"axis": 0}),
    ("categorical_focal_crossentropy", ONE_HOT, SOFTMAX, {}),
    (
        "categorical_focal_crossentropy",
        ONE_HOT,
        CLASS_LOGITS,
        {"from_logits": True, "alpha": 0.5, "gamma": 1.0},
    ),
    ("categorical_focal_crossentropy", ONE_HOT, SOFTMAX, {"label_smoothing": 0.1}),
    ("sparse_categorical_crossentropy", SPARSE, SOFTMAX, {}),
    ("sparse_categorical_crossentropy", SPARSE[:, None], SOFTMAX, {}),
    ("sparse_categorical_crossentropy", SPARSE, CLASS_LOGITS, {"from_logits": True}),
    ("sparse_categorical_crossentropy", SPARSE, SOFTMAX, {"ignore_class": 1}),
    (
        "sparse_categorical_crossentropy",
        SPARSE,
        CLASS_LOGITS,
        {"from_logits": True, "ignore_class": 2},
    ),
]
CASE_IDS = [f"{name}-{kwargs}" for name, _, _, kwargs in FUNCTION_CASES]

# Class name for each function, plus arguments the class takes positionally in Keras.
CLASS_OF = {
    "mean_squared_error": "MeanSquaredError",
    "mean_absolute_error": "MeanAbsoluteError",
    "mean_absolute_percentage_error": "MeanAbsolutePercentageError",
    "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError",
    "cosine_similarity": "CosineSimilarity",
    "huber": "Huber",
    "log_cosh": "LogCosh",
    "hinge": "Hinge",
    "squared_hinge": "SquaredHinge",
    "categorical_hinge": "CategoricalHinge",
    "kl_divergence": "KLDivergence",
    "poisson": "Poisson",
    "binary_crossentropy": "BinaryCrossentropy",
    "binary_focal_crossentropy": "BinaryFocalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "categorical_focal_crossentropy": "CategoricalFocalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
}

# Config keys Keras 3.15 forgets (its reloaded loss silently uses the default); we keep them.
EXTRA_CONFIG_KEYS = {
    "Huber": {"delta"},
    "CosineSimilarity": {"axis"},
    "SparseCategoricalCrossentropy": {"axis"},
}


def assert_close(ours, theirs, tolerance=TOLERANCE):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        yield


@pytest.mark.parametrize("name, y_true, y_pred, kwargs", FUNCTION_CASES, ids=CASE_IDS)
def test_function_matches_keras(name, y_true, y_pred, kwargs):
    ours = getattr(losses, name)(y_true, y_pred, **kwargs)
    theirs = getattr(keras.losses, name)(y_true, y_pred, **kwargs)
    assert_close(ours, theirs)
    assert ours.dtype == jnp.float32


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name, y_true, y_pred, kwargs", FUNCTION_CASES, ids=CASE_IDS)
def test_class_matches_keras(name, y_true, y_pred, kwargs, reduction, weighted):
    class_name = CLASS_OF[name]
    sample_weight = SAMPLE_WEIGHT if weighted else None
    if kwargs.get("axis") == 0:
        sample_weight = (
            None if sample_weight is None else rng.uniform(0, 2, y_pred.shape[1]).astype("float32")
        )
    ours = getattr(losses, class_name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, class_name)(reduction=reduction, **kwargs)
    assert_close(
        ours(y_true, y_pred, sample_weight=sample_weight),
        theirs(y_true, y_pred, sample_weight=sample_weight),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_function_wrapper_matches_keras(reduction):
    ours = LossFunctionWrapper(losses.huber, reduction=reduction, name="h", delta=0.5)
    theirs = KerasLossFunctionWrapper(keras.losses.huber, reduction=reduction, name="h", delta=0.5)
    for weight in (None, SAMPLE_WEIGHT):
        assert_close(
            ours(REGRESSION_TRUE, REGRESSION_PRED, weight),
            theirs(REGRESSION_TRUE, REGRESSION_PRED, weight),
        )


def test_user_function_is_wrapped():
    def scaled_error(y_true, y_pred):
        return jnp.mean(jnp.abs(y_true - y_pred) * 3.0, axis=-1)

    assert losses.get(scaled_error) is scaled_error  # as keras.losses.get
    loss = to_loss(scaled_error)
    assert isinstance(loss, LossFunctionWrapper)
    assert loss.name == "scaled_error"
    expected = np.mean(np.mean(np.abs(REGRESSION_TRUE - REGRESSION_PRED) * 3.0, axis=-1))
    assert_close(loss(REGRESSION_TRUE, REGRESSION_PRED), expected, tolerance=1e-5)


# -- rank handling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "class_name, y_pred",
    [
        ("MeanSquaredError", REGRESSION_PRED[:, :1]),
        ("MeanAbsoluteError", REGRESSION_PRED[:, :1]),
        ("BinaryCrossentropy", PROBABILITIES[:, :1]),
        ("Hinge", LOGITS[:, :1]),
        ("Huber", REGRESSION_PRED[:, :1]),
    ],
)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "none"])
def test_rank_one_labels_against_column_predictions(class_name, y_pred, reduction):
    y_true = BINARY_TRUE[:, 0]  # shape (n,) against predictions (n, 1)
    ours = getattr(losses, class_name)(reduction=reduction)
    theirs = getattr(keras.losses, class_name)(reduction=reduction)
    assert_close(ours(y_true, y_pred), theirs(y_true, y_pred))
    assert_close(ours(y_true, y_pred, SAMPLE_WEIGHT), theirs(y_true, y_pred, SAMPLE_WEIGHT))
    assert_close(ours(y_pred, y_true), theirs(y_pred, y_true))


def test_squeeze_or_expand_to_same_rank():
    column, flat = jnp.ones((4, 1)), jnp.ones((4,))
    assert [x.shape for x in squeeze_or_expand_to_same_rank(flat, column)] == [
        (4, 1),
        (4, 1),
    ]
    assert [x.shape for x in squeeze_or_expand_to_same_rank(column, flat)] == [
        (4, 1),
        (4, 1),
    ]
    pair = squeeze_or_expand_to_same_rank(column, flat, expand_rank_1=False)
    assert [x.shape for x in pair] == [(4,), (4,)]
    three, two = jnp.ones((2, 3, 1)), jnp.ones((2, 3))
    assert [x.shape for x in squeeze_or_expand_to_same_rank(three, two)] == [(2, 3), (2, 3)]
    wide = jnp.ones((4, 3))
    assert [x.shape for x in squeeze_or_expand_to_same_rank(wide, flat)] == [(4, 3), (4,)]


@pytest.mark.parametrize("weight_shape", [(N,), (N, 1), ()])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sample_weight_shapes(weight_shape, reduction):
    weight = rng.uniform(0, 2, weight_shape).astype("float32")
    ours = losses.MeanSquaredError(reduction=reduction)
    theirs = keras.losses.MeanSquaredError(reduction=reduction)
    assert_close(
        ours(REGRESSION_TRUE, REGRESSION_PRED, weight),
        theirs(REGRESSION_TRUE, REGRESSION_PRED, weight),
    )


def test_per_entry_weights_do_not_broadcast_against_per_sample_losses():
    weight = np.ones((N, D), "float32")  # Keras rejects this too: losses are (N,)
    with pytest.raises(ValueError):
        keras.losses.MeanSquaredError()(REGRESSION_TRUE, REGRESSION_PRED, weight)
    with pytest.raises(ValueError):
        losses.MeanSquaredError()(REGRESSION_TRUE, REGRESSION_PRED, weight)


# -- masks -------------------------------------------------------------------------------------

VALUES_2D = rng.uniform(0, 3, (N, 5)).astype("float32")
MASK_2D = rng.uniform(size=(N, 5)) > 0.4
WEIGHT_2D = rng.uniform(0, 2, (N,)).astype("float32")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_mask", [False, True])
@pytest.mark.parametrize("with_weight", [False, True])
def test_reduce_weighted_values_matches_keras(reduction, with_mask, with_weight):
    values = VALUES_2D[:, 0] if not with_mask else VALUES_2D[:, :1]
    mask = MASK_2D[:, :1] if with_mask else None
    weight = WEIGHT_2D if with_weight else None
    ours = reduce_weighted_values(
        values, sample_weight=weight, mask=mask, reduction=reduction
    )
    theirs = keras_reduce_weighted_values(
        values,
        sample_weight=weight,
        mask=None if mask is None else jnp.asarray(mask),
        reduction=reduction,
    )
    assert_close(ours, theirs)


def test_all_masked_gives_zero_not_nan():
    value = reduce_weighted_values(jnp.ones((3,)), mask=jnp.zeros((3,), bool))
    assert float(value) == 0.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_ignore_class_leaves_entries_out_of_the_mean(reduction, weighted):
    labels = np.array([1, 2, 0, 2, 3, 2])
    weight = SAMPLE_WEIGHT if weighted else None
    ours = losses.SparseCategoricalCrossentropy(ignore_class=2, reduction=reduction)
    theirs = keras.losses.SparseCategoricalCrossentropy(ignore_class=2, reduction=reduction)
    assert_close(ours(labels, SOFTMAX, weight), theirs(labels, SOFTMAX, weight))


def test_loss_mask_argument_combines_with_ignore_class():
    labels = np.array([1, 2, 0, 2, 3, 2])
    mask = np.array([True, True, False, True, True, True])
    loss = losses.SparseCategoricalCrossentropy(ignore_class=2)
    per_sample = losses.sparse_categorical_crossentropy(labels, SOFTMAX)
    keep = mask & (labels != 2)
    assert_close(
        loss(labels, SOFTMAX, mask=mask), np.sum(np.asarray(per_sample)[keep]) / keep.sum()
    )


# -- purity: the compiled step calls these ------------------------------------------------------


@pytest.mark.parametrize("class_name, y_true, y_pred", [
    ("BinaryCrossentropy", BINARY_TRUE, PROBABILITIES),
    ("CategoricalCrossentropy", ONE_HOT, SOFTMAX),
    ("SparseCategoricalCrossentropy", SPARSE, SOFTMAX),
    ("Hinge", BINARY_TRUE, LOGITS),
])  # fmt: skip
def test_loss_call_is_jittable(class_name, y_true, y_pred):
    loss = getattr(losses, class_name)()
    compiled = jax.jit(lambda t, p, w: loss(t, p, w))
    assert_close(compiled(y_true, y_pred, SAMPLE_WEIGHT), loss(y_true, y_pred, SAMPLE_WEIGHT))
    gradient = jax.grad(lambda p: loss(y_true, p))(jnp.asarray(y_pred))
    assert np.all(np.isfinite(np.asarray(gradient)))


@settings(max_examples=25, deadline=None)
@given(
    labels=hnp.arrays(np.float32, (4, 3), elements=st.sampled_from([0.0, 1.0])),
    probabilities=hnp.arrays(np.float32, (4, 3), elements=st.floats(0.0, 1.0, width=32)),
    smoothing=st.sampled_from([0.0, 0.1]),
)
def test_binary_crossentropy_any_probabilities(labels, probabilities, smoothing):
    ours = losses.binary_crossentropy(labels, probabilities, label_smoothing=smoothing)
    theirs = keras.losses.binary_crossentropy(labels, probabilities, label_smoothing=smoothing)
    assert np.all(np.isfinite(np.asarray(ours)))
    assert_close(ours, theirs, tolerance=1e-5)


@settings(max_examples=25, deadline=None)
@given(weights=hnp.arrays(np.float32, (N,), elements=st.floats(0.0, 5.0, width=32)))
def test_mean_with_sample_weight_any_weights(weights):
    ours = losses.MeanSquaredError(reduction="mean_with_sample_weight")
    theirs = keras.losses.MeanSquaredError(reduction="mean_with_sample_weight")
    assert_close(
        ours(REGRESSION_TRUE, REGRESSION_PRED, weights),
        theirs(REGRESSION_TRUE, REGRESSION_PRED, weights),
        1e-5,
    )


# -- errors ------------------------------------------------------------------------------------


def test_invalid_reduction_names_the_argument():
    with pytest.raises(ValueError, match="reduction.*Received: reduction='avg'"):
        losses.MeanSquaredError(reduction="avg")


def test_binary_crossentropy_shape_mismatch():
    with pytest.raises(ValueError, match="same shape"):
        losses.binary_crossentropy(np.zeros((3, 2)), np.zeros((3, 1)))


def test_categorical_crossentropy_warns_on_single_class():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses.categorical_crossentropy(np.ones((3, 1)), np.ones((3, 1)) * 0.5)
    assert any(issubclass(w.category, SyntaxWarning) for w in caught)


def test_categorical_crossentropy_bool_axis_rejected():
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(ONE_HOT, SOFTMAX, axis=True)


# -- identifiers -----------------------------------------------------------------------------


FUNCTION_NAMES = [
    ("mse", losses.mean_squared_error),
    ("MSE", losses.mean_squared_error),
    ("mae", losses.mean_absolute_error),
    ("mape", losses.mean_absolute_percentage_error),
    ("msle", losses.mean_squared_logarithmic_error),
    ("kld", losses.kl_divergence),
    ("KLD", losses.kl_divergence),
    ("bce", losses.binary_crossentropy),
    ("logcosh", losses.log_cosh),
    ("huber_loss", losses.huber),
    ("kullback_leibler_divergence", losses.kl_divergence),
    ("binary_crossentropy", losses.binary_crossentropy),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy),
    ("hinge", losses.hinge),
]


@pytest.mark.parametrize("identifier, function", FUNCTION_NAMES)
def test_get_function_names_give_the_function_as_keras(identifier, function):
    assert losses.get(identifier) is function
    try:
        theirs = keras.losses.get(identifier)
    except ValueError:  # a Keras 2 name Keras 3 dropped; we still accept it
        return
    assert function.__name__ == theirs.__name__


@pytest.mark.parametrize("identifier, function", FUNCTION_NAMES)
def test_to_loss_wraps_function_names_and_keeps_the_string(identifier, function):
    loss = to_loss(identifier)
    assert isinstance(loss, LossFunctionWrapper)
    assert loss.fn is function
    assert loss.name == identifier
    assert loss.reduction == "sum_over_batch_size"


@pytest.mark.parametrize("class_name", sorted(set(CLASS_OF.values())))
def test_get_class_names(class_name):
    loss = losses.get(class_name)
    assert type(loss) is getattr(losses, class_name)
    assert loss.name == getattr(keras.losses, class_name)().name


def test_get_instances_classes_and_dicts():
    instance = losses.Huber(delta=3.0)
    assert losses.get(instance) is instance
    assert isinstance(losses.get(losses.Poisson), losses.Poisson)
    from_dict = losses.get(
        keras.losses.serialize(keras.losses.BinaryCrossentropy(from_logits=True))
    )
    assert isinstance(from_dict, losses.BinaryCrossentropy) and from_dict.from_logits is True
    assert losses.get(None) is None


def test_get_unknown_name_suggests_close_matches():
    with pytest.raises(ValueError, match="binary_crossentropy"):
        losses.get("binary_crossentropie")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get("no_such_loss_at_all")
    with pytest.raises(ValueError):
        losses.get(42)


@pytest.mark.parametrize(
    "y_true_shape, y_pred_shape, function",
    [
        ((8,), (8, 1), losses.binary_crossentropy),
        ((8, 1), (8, 1), losses.binary_crossentropy),
        ((8,), (8, 10), losses.sparse_categorical_crossentropy),
        ((8, 1), (8, 10), losses.sparse_categorical_crossentropy),
        ((8, 10), (8, 10), losses.categorical_crossentropy),
    ],
)
@pytest.mark.parametrize("identifier", ["crossentropy", "ce", "CE"])
def test_resolve_compile_loss_crossentropy(identifier, y_true_shape, y_pred_shape, function):
    loss = resolve_compile_loss(identifier, y_true_shape, y_pred_shape)
    assert loss.fn is function
    assert loss.name == identifier


def test_resolve_compile_loss_other_identifiers_go_through_get():
    assert resolve_compile_loss("mse", (4,), (4, 1)).name == "mse"
    assert isinstance(resolve_compile_loss("Huber", (4,), (4, 1)), losses.Huber)


# -- config and serialization -------------------------------------------------------------------

CONFIG_CASES = [
    ("MeanSquaredError", {}),
    ("Huber", {"delta": 2.0, "reduction": "sum"}),
    ("CosineSimilarity", {"axis": 0}),
    ("LogCosh", {"name": "lc"}),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "gamma": 3.0}),
    ("CategoricalCrossentropy", {"axis": 1, "reduction": None}),
    ("CategoricalFocalCrossentropy", {"alpha": 0.3}),
    ("SparseCategoricalCrossentropy", {"ignore_class": 0, "from_logits": True}),
    ("KLDivergence", {"reduction": "mean_with_sample_weight"}),
]


@pytest.mark.parametrize("class_name, kwargs", CONFIG_CASES)
def test_config_matches_keras_and_round_trips(class_name, kwargs):
    ours = getattr(losses, class_name)(**kwargs)
    theirs = getattr(keras.losses, class_name)(**kwargs)
    our_config, their_config = ours.get_config(), theirs.get_config()
    extras = set(our_config) - set(their_config)
    assert extras == EXTRA_CONFIG_KEYS.get(class_name, set()) & extras
    assert {k: our_config[k] for k in their_config} == their_config
    rebuilt = type(ours).from_config(our_config)
    assert rebuilt.get_config() == our_config
    # A config written by Keras loads here, and ours loads in Keras.
    assert (
        losses.deserialize(keras.losses.serialize(theirs)).get_config().items()
        >= their_config.items()
    )
    keras_rebuilt = keras.losses.deserialize(losses.serialize(ours))
    assert keras_rebuilt.get_config().items() <= our_config.items()


@pytest.mark.parametrize("class_name, kwargs", CONFIG_CASES)
def test_serialize_matches_keras_form(class_name, kwargs):
    ours = losses.serialize(getattr(losses, class_name)(**kwargs))
    theirs = keras.losses.serialize(getattr(keras.losses, class_name)(**kwargs))
    assert {k: v for k, v in ours.items() if k != "config"} == {
        k: v for k, v in theirs.items() if k != "config"
    }


def test_function_wrapper_serialization():
    wrapper = LossFunctionWrapper(losses.mean_squared_error, name="mse")
    keras_wrapper = KerasLossFunctionWrapper(keras.losses.mean_squared_error, name="mse")
    assert losses.serialize(wrapper) == keras.losses.serialize(keras_wrapper)
    assert losses.serialize(losses.huber) == keras.losses.serialize(keras.losses.huber)
    rebuilt = losses.deserialize(keras.losses.serialize(keras_wrapper))
    assert rebuilt.fn is losses.mean_squared_error and rebuilt.name == "mse"
    with_kwargs = LossFunctionWrapper(losses.huber, reduction="sum", name="h", delta=0.5)
    rebuilt = losses.deserialize(losses.serialize(with_kwargs))
    assert rebuilt.get_config() == with_kwargs.get_config()
    assert_close(
        rebuilt(REGRESSION_TRUE, REGRESSION_PRED), with_kwargs(REGRESSION_TRUE, REGRESSION_PRED)
    )


def test_user_function_needs_custom_objects():
    def my_loss(y_true, y_pred):
        return jnp.mean(y_pred - y_true, axis=-1)

    config = losses.serialize(LossFunctionWrapper(my_loss, name="mine"))
    with pytest.raises(ValueError, match="my_loss"):
        losses.deserialize(config)
    assert losses.deserialize(config, custom_objects={"my_loss": my_loss}).fn is my_loss


def test_deserialize_strings():
    assert losses.deserialize("mean_squared_error") is losses.mean_squared_error
    assert isinstance(losses.deserialize("MeanSquaredError"), losses.MeanSquaredError)
    with pytest.raises(ValueError, match="mean_squared_error"):
        losses.deserialize("mean_squared_eror")


def test_default_names_and_positional_arguments():
    assert losses.Huber().name == "huber_loss"
    assert losses.LogCosh().name == "log_cosh"
    assert losses.Huber(2.0).delta == 2.0
    assert losses.BinaryCrossentropy(True).from_logits is True
    assert losses.SparseCategoricalCrossentropy(True, 3).ignore_class == 3


def test_subclassing_loss():
    class Scaled(losses.Loss):
        def call(self, y_true, y_pred):
            return jnp.sum(jnp.abs(y_true - y_pred), axis=-1)

    loss = Scaled(reduction="sum")
    assert loss.name.startswith("scaled")
    expected = np.sum(np.abs(REGRESSION_TRUE - REGRESSION_PRED))
    assert_close(loss(REGRESSION_TRUE, REGRESSION_PRED), expected, tolerance=1e-4)
    assert loss.get_config() == {"name": loss.name, "reduction": "sum"}


# -- masks carried by y_pred in Keras are passed explicitly here ------------------------------------

SEQUENCE_LABELS = rng.integers(0, C, (N, 5))
SEQUENCE_PROBABILITIES = rng.dirichlet(np.ones(C), (N, 5)).astype("float32")
SEQUENCE_MASK = rng.uniform(size=(N, 5)) > 0.3


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (N,), (N, 5)])
def test_mask_argument_matches_a_keras_masked_prediction(reduction, weight_shape):
    from keras.src.backend import set_keras_mask

    weight = None if weight_shape is None else rng.uniform(0, 2, weight_shape).astype("float32")
    if weight_shape == (N,):
        weight = weight[:, None]  # per-sample weight over a time axis, as Keras needs it
    keras_prediction = jnp.asarray(SEQUENCE_PROBABILITIES)
    set_keras_mask(keras_prediction, jnp.asarray(SEQUENCE_MASK))
    theirs = keras.losses.SparseCategoricalCrossentropy(reduction=reduction)(
        SEQUENCE_LABELS, keras_prediction, sample_weight=weight
    )
    ours = losses.SparseCategoricalCrossentropy(reduction=reduction)(
        SEQUENCE_LABELS, SEQUENCE_PROBABILITIES, sample_weight=weight, mask=SEQUENCE_MASK
    )
    assert_close(ours, theirs)

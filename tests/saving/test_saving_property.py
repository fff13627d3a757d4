"""Property: random Sequential stacks of our layers survive get_config/from_config,
to_json/model_from_json and save/load with identical predictions."""
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import layerwise
from layerwise import layers

ACTIVATIONS = [None, "relu", "tanh", "sigmoid", "softplus", "elu", "selu", "gelu", "swish",
               "softmax", "linear", "leaky_relu", "hard_sigmoid", "exponential"]


@st.composite
def layer_specs(draw):
    """A list of (kind, arguments) describing a stack; shapes are tracked to stay valid."""
    specs = []
    features = draw(st.integers(1, 6))
    shape = (features,)
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["dense", "dropout", "activation", "flatten", "reshape"]))
        if kind == "dense":
            units = draw(st.integers(1, 6))
            specs.append(("dense", {"units": units,
                                    "activation": draw(st.sampled_from(ACTIVATIONS)),
                                    "use_bias": draw(st.booleans())}))
            shape = shape[:-1] + (units,)
        elif kind == "dropout":
            specs.append(("dropout", {"rate": draw(st.sampled_from([0.0, 0.1, 0.5]))}))
        elif kind == "activation":
            specs.append(("activation", {"activation": draw(st.sampled_from(ACTIVATIONS[1:]))}))
        elif kind == "flatten":
            specs.append(("flatten", {}))
            shape = (math.prod(shape),)
        else:
            size = math.prod(shape)
            divisors = [d for d in range(1, size + 1) if size % d == 0]
            first = draw(st.sampled_from(divisors))
            target = draw(st.sampled_from([(first, size // first), (-1, size // first),
                                           (size,)]))
            specs.append(("reshape", {"target_shape": target}))
            shape = (first, size // first) if len(target) == 2 else (size,)
    return features, specs


def build(features, specs):
    constructors = {"dense": layers.Dense, "dropout": layers.Dropout,
                    "activation": layers.Activation, "flatten": layers.Flatten,
                    "reshape": layers.Reshape}
    return layerwise.Sequential([layerwise.Input((features,))] +
                                [constructors[kind](**arguments) for kind, arguments in specs])


def predictions(model, x):
    return np.asarray(model(x, training=False))


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(stack=layer_specs(), seed=st.integers(0, 2**16))
def test_random_stacks_round_trip(tmp_path, stack, seed):
    features, specs = stack
    model = build(features, specs)
    x = np.random.default_rng(seed).normal(size=(3, features)).astype("float32")
    expected = predictions(model, x)

    rebuilt = layerwise.Sequential.from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_array_equal(predictions(rebuilt, x), expected)

    from_json = layerwise.models.model_from_json(model.to_json())
    assert from_json.to_json() == model.to_json()

    path = tmp_path / "stack.keras"
    model.save(path)
    loaded = layerwise.models.load_model(path)
    assert loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(predictions(loaded, x), expected)
    for saved, restored in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(saved, restored)

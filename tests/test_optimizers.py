"""Optimizers against real Keras (JAX backend): same start, same gradients, same numbers."""
import re
import warnings

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from layerwise import optimizers, schedules
from layerwise.optimizers import transforms
from layerwise.engine.variables import Variable

RTOL = 1e-5
KERNEL_SHAPE, BIAS_SHAPE = (3, 4), (4,)


# -- helpers ---------------------------------------------------------------------------
def make_keras_variables(seed=0, constraint=None):
    """A Keras Dense layer's kernel and bias, with values drawn from `seed`."""
    rng = np.random.default_rng(seed)
    dense = keras.layers.Dense(4, kernel_constraint=constraint)
    dense.build((None, 3))
    dense.kernel.assign(rng.normal(size=KERNEL_SHAPE).astype("float32"))
    dense.bias.assign(rng.normal(size=BIAS_SHAPE).astype("float32"))
    return [dense.kernel, dense.bias]


def mirror_variables(keras_variables, constraints=(None, None)):
    """Our Variables with the same values, names and paths as Keras's."""
    ours = []
    for keras_variable, constraint in zip(keras_variables, constraints):
        variable = Variable(np.asarray(keras_variable.value), name=keras_variable.name, constraint=constraint)
        variable.path = keras_variable.path
        ours.append(variable)
    return ours


def gradients(step, scale=1.0, seed=100):
    rng = np.random.default_rng(seed + step)
    return [
        (rng.normal(size=KERNEL_SHAPE) * scale).astype("float32"),
        (rng.normal(size=BIAS_SHAPE) * scale).astype("float32"),
    ]


def normalized_name(name):
    # Keras names Nadam's scalar "variable", "variable_1", ... by a process-wide counter.
    return re.sub(r"^variable(_\d+)?$", "variable", name)


def assert_same_variables_layout(ours, theirs):
    assert [normalized_name(v.name) for v in ours.variables] == [
        normalized_name(v.name) for v in theirs.variables
    ]
    assert [tuple(v.shape) for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    assert [np.dtype(v.dtype).name for v in ours.variables] == [
        np.dtype(v.dtype).name for v in theirs.variables
    ]


def run_side_by_side(our_optimizer, keras_optimizer, steps=3, scale=1.0, keras_variables=None, ours=None, drop=()):
    """Apply the same gradients to both; compare weights and optimizer variables after each step."""
    keras_variables = keras_variables or make_keras_variables()
    ours = ours or mirror_variables(keras_variables)
    for step in range(steps):
        grads = gradients(step, scale)
        pairs = [(None if i in drop else g, v) for i, (g, v) in enumerate(zip(grads, keras_variables))]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns about the None gradients of `drop`
            keras_optimizer.apply_gradients(pairs)
        our_optimizer.apply_gradients(
            [(None if i in drop else g, v) for i, (g, v) in enumerate(zip(grads, ours))]
        )
        for mine, theirs in zip(ours, keras_variables):
            np.testing.assert_allclose(mine.numpy(), np.asarray(theirs.value), rtol=RTOL, atol=1e-7,
                                       err_msg=f"{theirs.path} after step {step + 1}")
    assert_same_variables_layout(our_optimizer, keras_optimizer)
    for mine, theirs in zip(our_optimizer.variables, keras_optimizer.variables):
        np.testing.assert_allclose(mine.numpy(), np.asarray(theirs.value), rtol=RTOL, atol=1e-9,
                                   err_msg=f"optimizer variable {theirs.path}")
    return ours, keras_variables


# (class name, kwargs for both, gradient scale): every optimizer and every option.
CASES = [
    ("SGD", {}, 1.0),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}, 1.0),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, 1.0),
    ("RMSprop", {}, 1.0),
    ("RMSprop", {}, 1e-5),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}, 1.0),
    ("RMSprop", {"learning_rate": 0.01, "centered": True}, 1.0),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.9, "centered": True}, 1.0),
    ("Adam", {}, 1.0),
    ("Adam", {}, 1e-6),  # tiny gradients: epsilon's placement decides the step
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}, 1.0),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}, 1.0),
    ("AdamW", {}, 1.0),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True}, 1.0),
    ("Nadam", {}, 1.0),
    ("Nadam", {"learning_rate": 0.05}, 1e-6),
    ("Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99}, 1.0),
    ("Adamax", {}, 1.0),
    ("Adamax", {"learning_rate": 0.05}, 1e-6),
    ("Adadelta", {}, 1.0),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}, 1.0),
    ("Adagrad", {}, 1.0),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.0}, 1e-3),
    ("Lion", {}, 1.0),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}, 1.0),
    # The options every optimizer shares.
    ("Adam", {"learning_rate": 0.05, "clipnorm": 0.5}, 1.0),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}, 1.0),
    ("SGD", {"learning_rate": 0.1, "clipvalue": 0.05}, 1.0),
    ("RMSprop", {"learning_rate": 0.01, "clipvalue": 0.05}, 1.0),
    ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.5}, 1.0),
    ("Adagrad", {"learning_rate": 0.1, "global_clipnorm": 0.5}, 1.0),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.05}, 1.0),
    ("Adam", {"learning_rate": 0.05, "weight_decay": 0.05}, 1.0),
    ("Nadam", {"learning_rate": 0.05, "weight_decay": 0.05, "clipnorm": 1.0}, 1.0),
    ("Adam", {"learning_rate": 0.05, "use_ema": True}, 1.0),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2}, 1.0),
    ("Adam", {"learning_rate": 0.05, "loss_scale_factor": 4.0}, 1.0),
    ("Adam", {"learning_rate": 0.05, "gradient_accumulation_steps": 2}, 1.0),
    ("Nadam", {"learning_rate": 0.05, "gradient_accumulation_steps": 3, "use_ema": True}, 1.0),
    ("RMSprop", {"learning_rate": 0.05, "momentum": 0.5, "gradient_accumulation_steps": 2}, 1.0),
]
IDS = [f"{index}-{name}-" + "-".join(f"{k}={v}" for k, v in kwargs.items()) + f"-g{scale:g}"
       for index, (name, kwargs, scale) in enumerate(CASES)]


@pytest.mark.parametrize("class_name, kwargs, scale", CASES, ids=IDS)
def test_updates_match_keras(class_name, kwargs, scale):
    ours = getattr(optimizers, class_name)(**kwargs)
    theirs = getattr(keras.optimizers, class_name)(**kwargs)
    steps = 5 if kwargs.get("gradient_accumulation_steps") else 3
    run_side_by_side(ours, theirs, steps=steps, scale=scale)


@pytest.mark.parametrize("class_name, kwargs, scale", CASES, ids=IDS)
def test_variables_layout_matches_keras_after_build(class_name, kwargs, scale):
    ours = getattr(optimizers, class_name)(**kwargs)
    theirs = getattr(keras.optimizers, class_name)(**kwargs)
    keras_variables = make_keras_variables()
    theirs.build(keras_variables)
    ours.build(mirror_variables(keras_variables))
    assert_same_variables_layout(ours, theirs)
    # Paths are "<optimizer name>/<variable name>", as in Keras.
    assert all(v.path == f"{ours.name}/{v.name}" for v in ours.variables)
    assert ours.variables[0].dtype == jnp.int32 and ours.variables[0].name == "iteration"
    ours.build(mirror_variables(keras_variables))  # idempotent
    assert_same_variables_layout(ours, theirs)


@pytest.mark.parametrize("class_name, kwargs, scale", CASES, ids=IDS)
def test_get_config_matches_keras(class_name, kwargs, scale):
    ours = getattr(optimizers, class_name)(name="opt", **kwargs)
    theirs = getattr(keras.optimizers, class_name)(name="opt", **kwargs)
    assert ours.get_config() == theirs.get_config()
    assert list(ours.get_config()) == list(theirs.get_config())
    assert optimizers.serialize(ours) == keras.optimizers.serialize(theirs)
    rebuilt = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert type(rebuilt) is type(ours) and rebuilt.get_config() == ours.get_config()


def test_schedule_matches_keras_and_has_no_learning_rate_variable():
    ours = optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.1, 2, 0.5))
    theirs = keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5))
    run_side_by_side(ours, theirs, steps=4)
    assert "learning_rate" not in [v.name for v in ours.variables]
    assert float(ours.learning_rate) == pytest.approx(float(theirs.learning_rate), rel=1e-6)
    with pytest.raises(ValueError, match="not settable"):
        ours.learning_rate = 0.1
    with pytest.raises(TypeError):  # Keras raises TypeError; ours is both
        ours.learning_rate = 0.1
    config = ours.get_config()
    assert config["learning_rate"] == theirs.get_config()["learning_rate"]
    assert isinstance(optimizers.Adam.from_config(config).learning_rate, jax.Array)


def test_sgd_momentum_schedule_keeps_lr_inside_the_momentum():
    # A changing lr tells "m ← μm − lr·g" apart from optax's "m ← μm + g; step = −lr·m".
    ours = optimizers.SGD(learning_rate=schedules.PiecewiseConstantDecay([0, 1], [0.5, 0.05, 0.005]), momentum=0.9)
    theirs = keras.optimizers.SGD(
        learning_rate=keras.optimizers.schedules.PiecewiseConstantDecay([0, 1], [0.5, 0.05, 0.005]), momentum=0.9
    )
    run_side_by_side(ours, theirs, steps=3)


def test_callable_learning_rate_matches_keras():
    def learning_rate():
        return 0.03

    ours = optimizers.RMSprop(learning_rate=learning_rate)
    theirs = keras.optimizers.RMSprop(learning_rate=learning_rate)
    run_side_by_side(ours, theirs)
    assert ours.get_config()["learning_rate"] == theirs.get_config()["learning_rate"]


def test_legacy_lr_alias_matches_keras_learning_rate():
    with pytest.warns(UserWarning, match="`lr` argument is deprecated"):
        ours = optimizers.Adam(lr=0.01)
    theirs = keras.optimizers.Adam(learning_rate=0.01)
    assert float(ours.learning_rate) == pytest.approx(0.009999999776482582, abs=0)
    run_side_by_side(ours, theirs)
    with pytest.warns(UserWarning):
        assert optimizers.SGD(lr=0.5, momentum=0.9).get_config()["learning_rate"] == 0.5


def test_decay_argument_is_ignored_with_a_warning():
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        optimizer = optimizers.SGD(learning_rate=0.1, decay=1e-4)
    assert "decay" not in optimizer.get_config()


def test_missing_gradient_leaves_variable_and_slots_alone_as_keras_does():
    ours, keras_variables = run_side_by_side(
        optimizers.Adam(learning_rate=0.05), keras.optimizers.Adam(learning_rate=0.05), drop=(1,)
    )
    np.testing.assert_array_equal(ours[1].numpy(), make_keras_variables()[1].numpy())


def test_constraints_applied_after_the_update():
    keras_variables = make_keras_variables(constraint=keras.constraints.NonNeg())
    ours = mirror_variables(keras_variables, constraints=(lambda w: w * (w >= 0).astype(w.dtype), None))
    run_side_by_side(optimizers.SGD(learning_rate=0.5), keras.optimizers.SGD(learning_rate=0.5),
                     keras_variables=keras_variables, ours=ours)
    assert ours[0].numpy().min() >= 0


def test_exclude_from_weight_decay_by_name():
    keras_variables = make_keras_variables()
    ours, theirs = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5), keras.optimizers.AdamW(
        learning_rate=0.1, weight_decay=0.5)
    ours.exclude_from_weight_decay(var_names=["bias"])
    theirs.exclude_from_weight_decay(var_names=["bias"])
    run_side_by_side(ours, theirs, keras_variables=keras_variables)


def test_ema_finalize_overwrites_weights_with_averages():
    ours, theirs = optimizers.SGD(learning_rate=0.1, use_ema=True), keras.optimizers.SGD(learning_rate=0.1, use_ema=True)
    mine, keras_variables = run_side_by_side(ours, theirs)
    ours.finalize_variable_values(mine)
    theirs.finalize_variable_values(keras_variables)
    for a, b in zip(mine, keras_variables):
        np.testing.assert_allclose(a.numpy(), np.asarray(b.value), rtol=RTOL)


# -- the engine's contract ---------------------------------------------------------------
def test_engine_contract_basics():
    optimizer = optimizers.Adam(learning_rate=0.01)
    assert isinstance(optimizer.iterations, Variable)
    assert optimizer.iterations.dtype == jnp.int32 and optimizer.iterations.name == "iteration"
    assert isinstance(optimizer.learning_rate, Variable)
    assert optimizer.learning_rate.dtype == jnp.float32 and optimizer.learning_rate.name == "learning_rate"
    assert [v.name for v in optimizer.variables] == ["iteration", "learning_rate"]
    optimizer.learning_rate = 0.001  # before build
    assert float(optimizer.learning_rate) == pytest.approx(0.001)
    variables = mirror_variables(make_keras_variables())
    optimizer.build(variables)
    optimizer.learning_rate = 0.002  # after build: assigns the same Variable
    assert optimizer.variables[1] is optimizer.learning_rate
    assert float(optimizer.variables[1].numpy()) == pytest.approx(0.002)
    optimizer.apply([jnp.ones(KERNEL_SHAPE), jnp.ones(BIAS_SHAPE)])
    assert int(optimizer.iterations) == 1


def stateless_steps(optimizer, variables, grads_per_step, jit):
    step = jax.jit(optimizer.stateless_apply) if jit else optimizer.stateless_apply
    optimizer_values = [v.value for v in optimizer.variables]
    values = [v.value for v in variables]
    for grads in grads_per_step:
        values, optimizer_values = step(optimizer_values, grads, values)
    return values, optimizer_values


@pytest.mark.parametrize("class_name", ["SGD", "RMSprop", "Adam", "AdamW", "Nadam", "Adamax", "Adadelta", "Adagrad", "Lion"])
def test_stateless_apply_under_jit_equals_eager_and_apply_gradients(class_name):
    kwargs = {"momentum": 0.9} if class_name == "SGD" else {}
    grads_per_step = [gradients(step) for step in range(3)]
    results = []
    for jit in (False, True):
        optimizer = getattr(optimizers, class_name)(**kwargs)
        variables = mirror_variables(make_keras_variables())
        optimizer.build(variables)
        results.append(stateless_steps(optimizer, variables, grads_per_step, jit))
    stateful = getattr(optimizers, class_name)(**kwargs)
    variables = mirror_variables(make_keras_variables())
    for grads in grads_per_step:
        stateful.apply_gradients(zip(grads, variables))
    (eager_values, eager_state), (jit_values, jit_state) = results
    for a, b, c in zip(eager_values, jit_values, variables):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-7)
        np.testing.assert_allclose(a, c.numpy(), rtol=RTOL, atol=1e-7)
    for a, b in zip(eager_state, jit_state):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-9)
    assert int(eager_state[0]) == 3


def test_learning_rate_change_takes_effect_without_retracing():
    optimizer = optimizers.SGD(learning_rate=0.1)
    variables = mirror_variables(make_keras_variables())
    optimizer.build(variables)
    traces = []

    def step(optimizer_values, grads, values):
        traces.append(1)
        return optimizer.stateless_apply(optimizer_values, grads, values)

    compiled = jax.jit(step)
    grads = [jnp.ones(KERNEL_SHAPE), jnp.ones(BIAS_SHAPE)]
    start = [v.value for v in variables]
    values, state = compiled([v.value for v in optimizer.variables], grads, start)
    np.testing.assert_allclose(values[1], start[1] - 0.1, rtol=1e-6)
    # Between "epochs" the user sets a new rate; the engine reads the variables again.
    optimizer.learning_rate = 0.01
    state = [state[0], optimizer.variables[1].value]
    values, state = compiled(state, grads, values)
    np.testing.assert_allclose(values[1], start[1] - 0.11, rtol=1e-6)
    assert len(traces) == 1
    assert int(state[0]) == 2


def test_stateless_apply_argument_checks():
    optimizer = optimizers.Adam()
    with pytest.raises(ValueError, match="must be built"):
        optimizer.stateless_apply([], [], [])
    variables = mirror_variables(make_keras_variables())
    optimizer.build(variables)
    values = [v.value for v in variables]
    state = [v.value for v in optimizer.variables]
    with pytest.raises(ValueError, match="optimizer_variables"):
        optimizer.stateless_apply(state[:-1], [None, None], values)
    with pytest.raises(ValueError, match="trainable_variables"):
        optimizer.stateless_apply(state, [None], values[:1])
    with pytest.raises(ValueError, match="No gradients provided"):
        optimizer.stateless_apply(state, [None, None], values)
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply_gradients([(jnp.ones(2), Variable(jnp.zeros(2)))])


def test_save_and_load_own_variables_round_trip():
    source = optimizers.Nadam(learning_rate=0.05)
    variables = mirror_variables(make_keras_variables())
    for step in range(2):
        source.apply_gradients(zip(gradients(step), variables))
    store = {}
    source.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(len(source.variables))]
    target = optimizers.Nadam()
    target.build(mirror_variables(make_keras_variables()))
    target.load_own_variables(store)
    for a, b in zip(source.variables, target.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        optimizers.Nadam().load_own_variables(store)


# -- names, lookup, bad input ------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, prefix",
    [(optimizers.Adam, "adam"), (optimizers.RMSprop, "rm_sprop"), (optimizers.AdamW, "adam_w"),
     (optimizers.SGD, "sgd"), (optimizers.Nadam, "nadam"), (optimizers.Adagrad, "adagrad")],
)
def test_auto_names_are_snake_case_and_uniquified(cls, prefix):
    first, second = cls(), cls()
    assert re.fullmatch(rf"{prefix}(_\d+)?", first.name)
    first_index = int(first.name[len(prefix) + 1:] or 0) if first.name != prefix else 0
    assert second.name == f"{prefix}_{first_index + 1}"
    assert cls(name="mine").name == "mine"


@pytest.mark.parametrize(
    "identifier, cls",
    [("sgd", optimizers.SGD), ("adam", optimizers.Adam), ("Adam", optimizers.Adam), ("ADAM", optimizers.Adam),
     ("nadam", optimizers.Nadam), ("rmsprop", optimizers.RMSprop), ("RMSprop", optimizers.RMSprop),
     ("adadelta", optimizers.Adadelta), ("adagrad", optimizers.Adagrad), ("adamw", optimizers.AdamW),
     ("adamax", optimizers.Adamax), ("lion", optimizers.Lion)],
)
def test_get_by_name(identifier, cls):
    optimizer = optimizers.get(identifier)
    assert type(optimizer) is cls
    assert optimizer.get_config()["learning_rate"] == pytest.approx(
        getattr(keras.optimizers, cls.__name__)().get_config()["learning_rate"], abs=0)


def test_get_instances_dicts_and_none():
    optimizer = optimizers.SGD()
    assert optimizers.get(optimizer) is optimizer
    assert optimizers.get(None) is None
    rebuilt = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5, "momentum": 0.5}})
    assert rebuilt.momentum == 0.5 and float(rebuilt.learning_rate) == 0.5
    # tf.keras 2.11+ configs carry keys Keras 3 has no use for.
    legacy = optimizers.get({"class_name": "Adam", "config": {"learning_rate": 0.01, "decay": 0.0,
                                                              "is_legacy_optimizer": False, "jit_compile": True}})
    assert isinstance(legacy, optimizers.Adam)
    with pytest.raises(ValueError, match="Could not interpret"):
        optimizers.get(42)


def test_unknown_optimizer_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="rmsprop"):
        optimizers.get("rms_prop")


def test_lr_and_learning_rate_both_rejected():
    with pytest.raises(ValueError, match="`lr` and `learning_rate`"):
        optimizers.Adam(learning_rate=0.01, lr=0.01)
    with pytest.raises(ValueError, match="`lr` and `learning_rate`"):
        optimizers.SGD(0.1, lr=0.2)


@pytest.mark.parametrize("value", [-0.5, float("nan"), float("inf"), "0.1", True, [0.1]])
def test_bad_learning_rate_rejected(value):
    with pytest.raises(ValueError, match=r"Invalid value for argument `learning_rate`.*Received: learning_rate="):
        optimizers.Adam(learning_rate=value)
    optimizer = optimizers.Adam()
    with pytest.raises(ValueError, match="`learning_rate`"):
        optimizer.learning_rate = value


def test_integer_learning_rate_is_accepted_and_cast():
    # Keras rejects `learning_rate=1`; we take it as 1.0.
    optimizer = optimizers.SGD(learning_rate=1)
    assert optimizer.get_config()["learning_rate"] == 1.0
    assert optimizers.SGD(learning_rate=np.float32(0.5)).get_config()["learning_rate"] == 0.5


def test_unknown_keyword_rejected_with_its_name():
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized.*beta1.*did you mean `beta_1`"):
        optimizers.Adam(beta1=0.9)
    with pytest.raises(ValueError, match="not recognized.*momentun"):
        optimizers.SGD(momentun=0.9)


def test_clipping_arguments_checked():
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        optimizers.Adam(clipnorm=1.0, global_clipnorm=1.0)
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipvalue=1.0, clipnorm=1.0)
    with pytest.raises(ValueError, match=r"`clipnorm`.*Received: clipnorm=-1"):
        optimizers.Adam(clipnorm=-1.0)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="`momentum`.*between 0 and 1"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="`weight_decay` must be a float"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.Adam(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match="ema_momentum"):
        optimizers.Adam(use_ema=True, ema_momentum=1.5)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=0.0)


def test_scale_loss():
    assert optimizers.Adam(loss_scale_factor=8.0).scale_loss(2.0) == 16.0
    assert optimizers.Adam().scale_loss(2.0) == 2.0


# -- clipping helpers --------------------------------------------------------------------
finite = st.floats(-1e3, 1e3, width=32)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=finite),
       st.floats(0.01, 10.0))
def test_clip_by_norm_keeps_direction_and_bounds_the_norm(gradient, clipnorm):
    (clipped,) = transforms.clip_by_norm_per_variable([jnp.asarray(gradient)], clipnorm)
    clipped = np.asarray(clipped)
    norm = np.linalg.norm(gradient.astype(np.float64))
    assert np.linalg.norm(clipped) <= clipnorm * (1 + 1e-5) + 1e-6
    if norm <= clipnorm:
        np.testing.assert_allclose(clipped, gradient, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_allclose(clipped, gradient * (clipnorm / norm), rtol=1e-4, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float32, (3,), elements=finite), arrays(np.float32, (2, 2), elements=finite),
       st.floats(0.01, 10.0))
def test_clip_by_global_norm_bounds_the_joint_norm(first, second, clipnorm):
    joint = np.sqrt(np.sum(first.astype(np.float64) ** 2) + np.sum(second.astype(np.float64) ** 2))
    clipped = transforms.clip_by_global_norm([jnp.asarray(first), jnp.asarray(second)], clipnorm)
    scale = 1.0 if joint == 0 else min(1.0, clipnorm / joint)
    for original, result in zip((first, second), clipped):
        np.testing.assert_allclose(np.asarray(result), original * scale, rtol=1e-4, atol=1e-6)


def test_zero_gradient_clips_to_zero_without_nan():
    (clipped,) = transforms.clip_by_norm_per_variable([jnp.zeros((2, 2))], 1.0)
    assert np.all(np.asarray(clipped) == 0)


def test_setting_a_schedule_replaces_the_learning_rate_variable_as_keras_does():
    ours, theirs = optimizers.SGD(learning_rate=0.1), keras.optimizers.SGD(learning_rate=0.1)
    ours.learning_rate = schedules.ExponentialDecay(0.1, 1, 0.5)
    theirs.learning_rate = keras.optimizers.schedules.ExponentialDecay(0.1, 1, 0.5)
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables] == ["iteration"]
    run_side_by_side(ours, theirs, steps=2)

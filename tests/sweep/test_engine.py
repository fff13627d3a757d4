"""The sweep's engine pieces: stacking states, the group size, variant rows, substitution."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_moons

import layerwise as keras
from layerwise import sweep
from layerwise.sweep import engine, variants


@settings(max_examples=25, deadline=None)
@given(count=st.integers(1, 5), shapes=st.lists(
    st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple), min_size=1, max_size=4))
def test_stack_then_unstack_gives_back_each_tree(count, shapes):
    rng = np.random.default_rng(0)
    trees = [{"weights": [rng.normal(size=shape).astype(np.float32) for shape in shapes],
              "step": np.int32(index)} for index in range(count)]
    stacked = engine.stack(trees)
    assert all(leaf.shape[0] == count for leaf in stacked["weights"])
    assert stacked["step"].shape == (count,)
    for original, recovered in zip(trees, engine.unstack(stacked, count)):
        for a, b in zip(original["weights"], recovered["weights"]):
            np.testing.assert_array_equal(np.asarray(b), a)
        assert int(recovered["step"]) == int(original["step"])


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 50), data=st.data())
def test_row_index_accepts_indices_and_masks_alike(rows, data):
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows)))
    if not mask.any():
        mask[0] = True
    from_mask = variants.row_index({"train_index": mask}, "train_index", 0, rows)
    from_indices = variants.row_index({"train_index": np.flatnonzero(mask)}, "train_index",
                                      0, rows)
    np.testing.assert_array_equal(from_mask, from_indices)
    assert variants.row_index({}, "train_index", 0, rows) is None


def test_row_index_rejects_bad_rows():
    with pytest.raises(ValueError, match="boolean mask.*one entry per row"):
        variants.row_index({"train_index": np.ones(3, bool)}, "train_index", 0, 5)
    with pytest.raises(ValueError, match="non-empty 1-D array"):
        variants.row_index({"validation_index": np.array([0.5])}, "validation_index", 2, 5)


def test_tracked_variant_counts_every_way_of_reading():
    variant = variants.TrackedVariant({"a": 1, "b": 2, "seed": 3, "_label": "x"})
    variant.get("a")
    assert variant.unread() == ["b"]
    dict(**variant)
    assert variant.unread() == []
    for hand_over in (lambda v: v.copy(), lambda v: v | {}, lambda v: list(v.items()),
                      lambda v: {**v}):
        variant = variants.TrackedVariant({"a": 1, "b": 2})
        hand_over(variant)
        assert variant.unread() == []


def test_substituted_restores_attributes_even_on_error():
    class Holder:
        beta = 0.9

    holder = Holder()
    holder.beta = 0.5
    with pytest.raises(RuntimeError):
        with engine.substituted([(holder, "beta", 0.1)]):
            assert holder.beta == 0.1
            raise RuntimeError
    assert holder.beta == 0.5


def moons_model(variant):
    model = keras.Sequential([keras.layers.Dense(4, input_shape=(2,), activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


def test_little_memory_means_small_groups_with_the_same_results(monkeypatch):
    x, y = make_moons(n_samples=120, noise=0.1, random_state=0)
    variants_list = [{"seed": seed} for seed in range(3)]
    together = sweep.fit(moons_model, variants_list, x, y, epochs=2, verbose=0)
    sizes = []
    largest = engine.largest_group

    def recorded(*args):
        sizes.append(largest(*args))
        return sizes[-1]

    # No room to spare: one variant per program.
    monkeypatch.setattr(engine, "available_memory", lambda: 0)
    monkeypatch.setattr(engine, "largest_group", recorded)
    apart = sweep.fit(moons_model, variants_list, x, y, epochs=2, verbose=0)
    assert sizes == [1]
    # A generous budget keeps them together.
    monkeypatch.setattr(engine, "available_memory", lambda: 1 << 30)
    sweep.fit(moons_model, variants_list, x, y, epochs=1, verbose=0)
    assert sizes == [1, 3]
    for first, second in zip(together.histories, apart.histories):
        for key in first.history:
            np.testing.assert_allclose(second.history[key], first.history[key], rtol=1e-6)

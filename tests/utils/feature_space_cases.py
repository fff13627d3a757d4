"""The FeatureSpace compared with Keras 3.15 (whose FeatureSpace needs TensorFlow to adapt).
`python feature_space_cases.py FOLDER`, run where Keras and TensorFlow are installed,
writes Keras's outputs (reference/feature_space.npz) and its saved FeatureSpace
(reference/feature_space.keras); tests/utils/test_feature_space.py compares with both."""
import os
import sys


def make_data(numpy, n=40):
    """A table of every feature type, seeded."""
    rng = numpy.random.default_rng(0)
    return {
        "f": rng.normal(size=n).astype("float32"),
        "fn": rng.normal(2, 3, size=n).astype("float32"),
        "fr": rng.uniform(0, 10, size=n).astype("float32"),
        "fd": rng.uniform(0, 10, size=n).astype("float32"),
        "ic": rng.integers(0, 5, size=n).astype("int32"),
        "sc": numpy.array(rng.choice(["red", "green", "blue"], size=n)),
        "ih": rng.integers(0, 1000, size=n).astype("int32"),
        "sh": numpy.array(rng.choice(["a", "bb", "ccc", "dddd"], size=n)),
    }


def make_feature_space(keras, output_mode="concat"):
    space = keras.utils.FeatureSpace
    return space(
        features={"f": "float", "fn": "float_normalized",
                  "fr": space.float_rescaled(scale=0.5, offset=1.0),
                  "fd": space.float_discretized(num_bins=4), "ic": "integer_categorical",
                  "sc": "string_categorical", "ih": space.integer_hashed(num_bins=16),
                  "sh": "string_hashed"},
        crosses=[("sc", "ic"), space.cross(("sh", "fd"), crossing_dim=8)],
        output_mode=output_mode)


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import numpy

    data = make_data(numpy)
    batch = {name: values[:7] for name, values in data.items()}
    results = {}
    for mode in ("concat", "dict"):
        feature_space = make_feature_space(keras, mode)
        feature_space.adapt(data)
        output = feature_space(batch)
        if mode == "concat":
            results["concat"] = numpy.asarray(output)
            feature_space.save(os.path.join(sys.argv[1], "feature_space.keras"))
        else:
            results.update({f"dict_{name}": numpy.asarray(value)
                            for name, value in output.items()})
    numpy.savez(os.path.join(sys.argv[1], "feature_space.npz"), **results)

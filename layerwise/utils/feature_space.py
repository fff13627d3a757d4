"""FeatureSpace: one object that turns a dict of raw tabular columns (floats, integers,
strings) into model-ready features: normalized, rescaled, bucketized, looked up, hashed,
crossed, one-hot encoded and (by default) concatenated.

Keras's FeatureSpace adapts through `tf.data` and so needs TensorFlow (on the JAX backend
without it, construction works but `adapt` raises ImportError, and the lookup and hashing
preprocessors cannot even be made); this one adapts on a dict of numpy arrays or lists, or
on an iterable of such dicts (an `ArrayDataset` of dicts, a list of batches). Each
feature's preprocessor is the Keras layer of the same name; the string ones run on the
host, the numeric ones in JAX. Configs and `.keras` files are Keras's, both ways.
"""
from __future__ import annotations

from typing import Any, Iterable

import jax.numpy as jnp
import numpy as np

from layerwise.engine import naming
from layerwise.engine.input_layer import Input
from layerwise.engine.keras_tensor import any_symbolic
from layerwise.engine.layer import Layer
from layerwise import layers
from layerwise.saving.serialization import deserialize_keras_object, serialize_keras_object

# Where Keras keeps the classes below; its config files name them by this module.
KERAS_MODULE = "keras.src.layers.preprocessing.feature_space"
FEATURE_TYPES = ("float", "float_normalized", "float_rescaled", "float_discretized",
                 "integer_categorical", "string_categorical", "integer_hashed",
                 "string_hashed")


class Cross:
    """A crossed feature: the named features hashed together into `crossing_dim` bins."""

    def __init__(self, feature_names: Iterable[str], crossing_dim: int,
                 output_mode: str = "one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'int', "
                f"'one_hot'}}. Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict[str, Any]:
        return {"feature_names": list(self.feature_names), "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> "Cross":
        return cls(**config)


class Feature:
    """One input column: its dtype, the layer that preprocesses it and how its result is
    encoded ("float" as is, "int" ids, or "one_hot")."""

    def __init__(self, dtype: str, preprocessor: Any, output_mode: str):
        if output_mode not in ("int", "one_hot", "float"):
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'int', "
                f"'one_hot', 'float'}}. Received: output_mode={output_mode}")
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = _deserialize_preprocessor(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype, "preprocessor": _serialize_preprocessor(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> "Feature":
        return cls(**config)


class FloatIdentity(Layer):
    """The preprocessor of a plain "float" feature: passes its values through as float32."""

    weights_file_class_name = "TFDIdentity"

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class FeatureConcatenation(Layer):
    """Joins the encoded features along their last axis."""

    weights_file_class_name = "TFDConcat"

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: list) -> Any:
        return jnp.concatenate([jnp.asarray(x, "float32") for x in inputs], axis=self.axis)

    def compute_output_shape(self, input_shape: list) -> Any:
        width = sum(shape[-1] for shape in input_shape)
        return tuple(input_shape[0][:-1]) + (width,)


def _wrapped(class_name: str, config: dict) -> dict:
    return {"module": KERAS_MODULE, "class_name": class_name, "config": config,
            "registered_name": class_name}


def _serialize_preprocessor(layer: Any) -> dict:
    if isinstance(layer, FloatIdentity):
        serialized = _wrapped("TFDIdentity", layer.get_config())
    else:
        serialized = serialize_keras_object(layer)
    return {**serialized, "build_config": _preprocessor_build_config(layer)}


def _deserialize_preprocessor(config: dict) -> Any:
    if config.get("class_name") == "TFDIdentity":
        return FloatIdentity.from_config(config["config"])
    return deserialize_keras_object(config)


def _deserialize_part(config: Any, cls: type) -> Any:
    if isinstance(config, dict) and config.get("class_name") == cls.__name__:
        return cls.from_config(config["config"])
    return config


def _cardinality(preprocessor: Any, name: str) -> int:
    """The number of distinct ids a one-hot feature's preprocessor gives."""
    if isinstance(preprocessor, (layers.IntegerLookup, layers.StringLookup)):
        return preprocessor.vocabulary_size()
    if isinstance(preprocessor, layers.CategoryEncoding):
        return preprocessor.num_tokens
    if isinstance(preprocessor, (layers.Discretization, layers.Hashing,
                                 layers.HashedCrossing)):
        return preprocessor.num_bins
    raise ValueError(
        f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard feature "
        "and the dimensionality of its output space is not known, thus it cannot be one-hot "
        "encoded. Try using `output_mode='int'`.")


def _as_column(value: Any) -> np.ndarray:
    """A feature's values as a `(batch, 1)` array (a flat list is one value per sample)."""
    array = np.asarray(value)
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array[:, None]
    return array


def _feature_batches(dataset: Any, name: str) -> np.ndarray:
    """All values of one feature in `dataset` (a dict of arrays, or an iterable of dict
    batches), as one `(samples, 1)` array."""
    if isinstance(dataset, dict):
        return _as_column(dataset[name])
    batches = []
    for batch in dataset:
        if isinstance(batch, tuple):
            batch = batch[0]
        batches.append(_as_column(batch[name]))
    return np.concatenate(batches)


class FeatureSpace(Layer):
    """Preprocesses a dict of raw feature columns into one array ("concat") or a dict of
    encoded features ("dict").

    Features are named by a type ("float", "float_normalized", "float_rescaled",
    "float_discretized", "integer_categorical", "string_categorical", "integer_hashed",
    "string_hashed") or given as `FeatureSpace.<type>(...)` to set their options; `crosses`
    are tuples of feature names (or `FeatureSpace.cross(...)`). Call `adapt` on the
    training data before use.
    """

    @classmethod
    def cross(cls, feature_names: Iterable[str], crossing_dim: int,
              output_mode: str = "one_hot") -> Cross:
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype: str, preprocessor: Any, output_mode: str) -> Feature:
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name: str | None = None) -> Feature:
        name = name or naming.unique_name("float")
        return Feature("float32", FloatIdentity(name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale: float = 1.0, offset: float = 0.0,
                       name: str | None = None) -> Feature:
        name = name or naming.unique_name("float_rescaled")
        preprocessor = layers.Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_normalized(cls, name: str | None = None) -> Feature:
        name = name or naming.unique_name("float_normalized")
        preprocessor = layers.Normalization(axis=-1, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_discretized(cls, num_bins: int, bin_boundaries: Any = None,
                          output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.unique_name("float_discretized")
        preprocessor = layers.Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                                             name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens: int | None = None, num_oov_indices: int = 1,
                            output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.unique_name("integer_categorical")
        preprocessor = layers.IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                            num_oov_indices=num_oov_indices)
        return Feature("int32", preprocessor, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens: int | None = None, num_oov_indices: int = 1,
                           output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.unique_name("string_categorical")
        preprocessor = layers.StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                           num_oov_indices=num_oov_indices)
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def string_hashed(cls, num_bins: int, output_mode: str = "one_hot",
                      name: str | None = None) -> Feature:
        name = name or naming.unique_name("string_hashed")
        preprocessor = layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins)
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def integer_hashed(cls, num_bins: int, output_mode: str = "one_hot",
                       name: str | None = None) -> Feature:
        name = name or naming.unique_name("integer_hashed")
        preprocessor = layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins)
        return Feature("int32", preprocessor, output_mode)

    def __init__(self, features: dict, output_mode: str = "concat", crosses: Any = None,
                 crossing_dim: int = 32, hashing_dim: int = 32,
                 num_discretization_bins: int = 32, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if output_mode not in ("dict", "concat"):
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'dict', "
                f"'concat'}}. Received: output_mode={output_mode}")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.output_mode = output_mode
        self.features = {name: self._standardize_feature(name, value)
                         for name, value in features.items()}
        self.crosses = [self._standardize_cross(cross, set(features)) for cross in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        self.inputs = {name: Input(shape=(1,), dtype=feature.dtype, name=name)
                       for name, feature in self.features.items()}
        self.preprocessors = {name: feature.preprocessor
                              for name, feature in self.features.items()}
        self.crossers = {cross.name: layers.HashedCrossing(cross.crossing_dim, name=cross.name)
                         for cross in self.crosses}
        self.one_hot_encoders: dict[str, Any] = {}
        self.concat = None
        self.encoded_features = None
        self._is_adapted = False
        self._sublayers_built = False

    # -- construction --------------------------------------------------------------------
    def _standardize_feature(self, name: str, feature: Any) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return _deserialize_part(feature, Feature)
        makers = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(
                name=name, num_bins=self.num_discretization_bins),
            "integer_categorical": lambda: self.integer_categorical(name=name),
            "string_categorical": lambda: self.string_categorical(name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name),
        }
        if feature not in makers:
            raise ValueError(f"Invalid feature type: {feature}. Expected one of "
                             f"{list(FEATURE_TYPES)} or a FeatureSpace.<type>(...) feature.")
        return makers[feature]()

    def _standardize_cross(self, cross: Any, feature_names: set) -> Cross:
        cross = _deserialize_part(cross, Cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError(
                "When specifying `crosses`, the argument `crossing_dim` (dimensionality of "
                "the crossing space) should be specified as well.")
        unknown = [key for key in cross if key not in feature_names]
        if unknown:
            raise ValueError(
                "All features referenced in the `crosses` argument should be present in "
                f"the `features` dict. Received unknown features: {cross}")
        return Cross(cross, crossing_dim=self.crossing_dim)

    # -- adapt ---------------------------------------------------------------------------
    def _adaptable_names(self) -> list[str]:
        names = []
        for name, preprocessor in self.preprocessors.items():
            if isinstance(preprocessor, layers.Normalization) and \
                    preprocessor.input_mean is not None:
                continue
            if isinstance(preprocessor, layers.TextVectorization) and \
                    preprocessor.get_config().get("vocabulary") is not None:
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset: Any) -> None:
        """Learns every adaptable feature's state (statistics, bucket edges, vocabularies)
        from `dataset`: a dict of arrays or lists, or an iterable of such dicts."""
        if not isinstance(dataset, dict) and not hasattr(dataset, "__iter__"):
            raise ValueError(
                "`adapt()` can only be called on a dict of arrays/lists or an iterable of "
                f"such dicts. Received instead: {dataset} (of type {type(dataset)})")
        if not isinstance(dataset, dict):
            dataset = list(dataset)  # read once, then one pass per feature
        for name in self._adaptable_names():
            self.preprocessors[name].adapt(_feature_batches(dataset, name))
        self._is_adapted = True
        self.get_encoded_features()
        self.built = True
        self._sublayers_built = True

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._adaptable_names():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace "
                                 "before you can start using it.")
            self._is_adapted = True

    def _check_if_built(self) -> None:
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # -- the symbolic graph --------------------------------------------------------------
    def get_inputs(self) -> dict:
        """The `Input` of each feature (shape `(1,)`), by name: a model's inputs."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self) -> Any:
        """The symbolic encoded features (what `__call__` returns, on `get_inputs()`)."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            crossed = self._cross_features(preprocessed)
            self.encoded_features = self._merge_features(preprocessed, crossed)
        return self.encoded_features

    def _preprocess_features(self, features: dict) -> dict:
        return {name: self.preprocessors[name](features[name]) for name in features}

    def _cross_features(self, features: dict) -> dict:
        return {cross.name: self.crossers[cross.name](
                    [features[name] for name in cross.feature_names])
                for cross in self.crosses}

    def _ordered(self, preprocessed: dict, crossed: dict) -> list[tuple[str, Any, Any]]:
        """(name, value, spec) of every feature: the features by name, then the crosses."""
        return [(name, preprocessed[name], self.features[name]) for name in sorted(preprocessed)] \
            + [(name, crossed[name], self.crosses_by_name[name]) for name in sorted(crossed)]

    def _merge_features(self, preprocessed: dict, crossed: dict) -> Any:
        if not self.one_hot_encoders and self.concat is None:
            self._make_encoders()
        merged = {}
        for name, feature, _ in self._ordered(preprocessed, crossed):
            encoder = self.one_hot_encoders.get(name)
            merged[name] = encoder(feature) if encoder is not None else feature
        if self.output_mode == "dict":
            return merged
        return self.concat(list(merged.values()))

    def _make_encoders(self) -> None:
        """A multi-hot encoder per one-hot feature (its cardinality is known once adapted),
        and in "concat" mode the concatenation, after checking every feature is numeric."""
        names = sorted(self.features) + sorted(self.crosses_by_name)
        for name in names:
            spec = self.features.get(name) or self.crosses_by_name[name]
            preprocessor = self.preprocessors.get(name) or self.crossers[name]
            if spec.output_mode == "one_hot":
                if isinstance(spec, Feature) and isinstance(preprocessor, (
                        FloatIdentity, layers.Rescaling, layers.Normalization)):
                    raise ValueError(
                        f"Feature '{name}' has `output_mode='one_hot'`. Thus its preprocessor "
                        "should return an integer dtype. Instead it returns a float32 dtype.")
                self.one_hot_encoders[name] = layers.CategoryEncoding(
                    num_tokens=_cardinality(preprocessor, name), output_mode="multi_hot")
            elif self.output_mode == "concat" and spec.output_mode == "int":
                raise ValueError(
                    f"Cannot concatenate features because feature '{name}' has not been "
                    "encoded (it has dtype int64). Consider using `output_mode='dict'`.")
        if self.output_mode == "concat":
            self.concat = FeatureConcatenation(axis=-1)

    # -- calling on data -----------------------------------------------------------------
    def __call__(self, data: Any, *args: Any, **kwargs: Any) -> Any:
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError("A FeatureSpace can only be called with a dict. Received: "
                             f"data={data} (of type {type(data)})")
        if any_symbolic(data):
            preprocessed = self._preprocess_features(data)
            return self._merge_features(preprocessed, self._cross_features(preprocessed))
        rebatched = any(np.ndim(value) == 0 for value in data.values())
        columns = {name: _as_column(value) for name, value in data.items()}
        preprocessed = {name: np.asarray(value) for name, value in
                        self._preprocess_features(columns).items()}
        crossed = {name: np.asarray(value) for name, value in
                   self._cross_features(preprocessed).items()}
        merged = self._merge_features(preprocessed, crossed)
        if self.output_mode == "concat":
            merged = jnp.asarray(merged)
            return merged[0] if rebatched else merged
        merged = {name: jnp.asarray(value) for name, value in merged.items()}
        if rebatched:
            merged = {name: value[0] if value.ndim == 2 and value.shape[0] == 1 else value
                      for name, value in merged.items()}
        return merged

    # -- saving --------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {
            "features": {name: _wrapped("Feature", feature.get_config())
                         for name, feature in self.features.items()},
            "output_mode": self.output_mode,
            "crosses": [_wrapped("Cross", cross.get_config()) for cross in self.crosses],
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    @classmethod
    def from_config(cls, config: dict) -> "FeatureSpace":
        return cls(**config)

    def keras_class_identity(self) -> tuple[str, str, None]:
        """How Keras names this class in a saved config."""
        return "keras.utils", "FeatureSpace", None

    def get_build_config(self) -> dict:
        return {name: _preprocessor_build_config(feature.preprocessor)
                for name, feature in self.features.items()}

    def build_from_config(self, config: dict) -> None:
        for name, build_config in config.items():
            preprocessor = self.features[name].preprocessor
            if not preprocessor.built:
                preprocessor.build_from_config(build_config)
        self._is_adapted = True

    def save(self, filepath: str) -> None:
        """Saves this FeatureSpace (config and adapted state) to a `.keras` file; read it
        back with `keras.saving.load_model`."""
        from layerwise.saving.keras_archive import save_model

        save_model(self, filepath)

    def save_own_variables(self, store: dict) -> None:
        return

    def load_own_variables(self, store: dict) -> None:
        return


def _preprocessor_build_config(preprocessor: Any) -> dict:
    """The build config Keras records for a preprocessor: the lookups record none, the
    others the `(None, 1)` shape of a feature column."""
    if isinstance(preprocessor, (layers.StringLookup, layers.IntegerLookup)):
        return {}
    return {"input_shape": [None, 1]}

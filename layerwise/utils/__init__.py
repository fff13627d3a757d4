"""Utilities a Keras user reaches for: seeding, label encoding, plotting, object registration."""
from layerwise.backend import clear_session, is_keras_tensor
from layerwise.random import set_random_seed
from layerwise.engine.registry import (CustomObjectScope, custom_object_scope,
                                       get_custom_objects, get_registered_name,
                                       get_registered_object, register_keras_serializable)
from layerwise.saving.serialization import deserialize_keras_object, serialize_keras_object
from layerwise.utils.arrays import normalize, to_categorical
from layerwise.utils.plotting import plot_loss_accuracy
from layerwise.utils.py_dataset import PyDataset, Sequence
from layerwise.utils.model_plot import model_to_dot, plot_model
from layerwise.utils.prediction_plots import plot_confusion_matrix, plot_decision_boundary
from layerwise.utils.dataset import ArrayDataset, split_dataset, timeseries_dataset_from_array
from layerwise.utils.directory_datasets import (image_dataset_from_directory,
                                                text_dataset_from_directory)
from layerwise.utils.file_utils import get_file
from layerwise.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from layerwise.utils.sequences import (pack_x_y_sample_weight, pad_sequences,
                                       unpack_x_y_sample_weight)
from layerwise.utils.audio_dataset import audio_dataset_from_directory
from layerwise.utils.config import Config
from layerwise.utils.feature_space import FeatureSpace
from layerwise.utils.graph import get_source_inputs
from layerwise.utils.progbar import Progbar
from layerwise.config import (disable_interactive_logging, enable_interactive_logging,
                              is_interactive_logging_enabled)
from layerwise.ops.dtypes import standardize_dtype

__all__ = [
    "CustomObjectScope",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "is_keras_tensor",
    "model_to_dot",
    "normalize",
    "PyDataset",
    "Sequence",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_loss_accuracy",
    "plot_model",
    "register_keras_serializable",
    "serialize_keras_object",
    "set_random_seed",
    "to_categorical",
    "ArrayDataset",
    "array_to_img",
    "get_file",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "save_img",
    "split_dataset",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "unpack_x_y_sample_weight",
    "audio_dataset_from_directory",
    "Config",
    "FeatureSpace",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_source_inputs",
    "is_interactive_logging_enabled",
    "Progbar",
    "standardize_dtype",
]

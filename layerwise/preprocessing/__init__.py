"""`keras.preprocessing`: the legacy namespace, aliases of what `layerwise.utils` has."""
from layerwise.preprocessing import image, sequence
from layerwise.utils.dataset import timeseries_dataset_from_array
from layerwise.utils.directory_datasets import (image_dataset_from_directory,
                                                text_dataset_from_directory)

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]

"""audio_dataset_from_directory: `.wav` clips from class subfolders, read with the
standard library's `wave` module (16-bit PCM, as TensorFlow's decoder reads)."""
from __future__ import annotations

import wave
from typing import Any, Sequence

import numpy as np

from layerwise.utils.dataset import LazyArray
from layerwise.utils.directory_datasets import (_check_label_mode, _check_split_seed,
                                                _labelled, _split, index_directory)

AUDIO_EXTENSIONS = (".wav",)


def read_wav(path: str, desired_samples: int | None = None) -> np.ndarray:
    """A `(samples, channels)` float32 clip in [-1, 1), cut or zero-padded to
    `desired_samples` when given."""
    with wave.open(path, "rb") as file:
        if file.getsampwidth() != 2:
            raise ValueError(
                f"Can only read 16-bit PCM WAV files; {path} has "
                f"{8 * file.getsampwidth()}-bit samples.")
        channels = file.getnchannels()
        frames = file.readframes(file.getnframes())
    clip = np.frombuffer(frames, "<i2").reshape(-1, channels).astype("float32") / 32768.0
    if desired_samples is not None:
        clip = clip[:desired_samples]
        clip = np.pad(clip, ((0, desired_samples - len(clip)), (0, 0)))
    return clip


class PaddedClips(LazyArray):
    """Clips read on demand; a batch of them is zero-padded to its longest clip, as
    `padded_batch` pads a `tf.data` batch."""

    def __getitem__(self, indices: Any) -> np.ndarray:
        if isinstance(indices, (int, np.integer)):
            return self.load(int(indices))
        clips = [self.load(int(i)) for i in np.arange(self.count)[indices]]
        longest = max((len(clip) for clip in clips), default=0)
        return np.stack([np.pad(clip, ((0, longest - len(clip)), (0, 0))) for clip in clips])


def audio_dataset_from_directory(directory: str, labels: Any = "inferred",
                                 label_mode: str | None = "int",
                                 class_names: Sequence[str] | None = None,
                                 batch_size: int | None = 32, sampling_rate: int | None = None,
                                 output_sequence_length: int | None = None,
                                 ragged: bool = False, shuffle: bool = True,
                                 seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, follow_links: bool = False,
                                 verbose: bool = True) -> Any:
    """Clips from class subfolders as batches `(audio, labels)`: float32 audio of shape
    `(batch, samples, channels)`, padded per batch (or cut/padded to
    `output_sequence_length`), labels by `label_mode`. `subset="both"` returns
    (training, validation)."""
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError('`label_mode` argument must be one of "int", "categorical", '
                         f'"binary", or None. Received: label_mode={label_mode}')
    if ragged:
        raise ValueError("audio_dataset_from_directory: `ragged=True` is not supported by "
                         "layerwise (no ragged arrays). Received: ragged=True")
    if sampling_rate is not None:
        # Keras resamples with tensorflow-io; layerwise has no resampler.
        raise ValueError("audio_dataset_from_directory: `sampling_rate` (resampling) is not "
                         f"supported by layerwise. Received: sampling_rate={sampling_rate}")
    if labels is None:
        label_mode = None
    _check_split_seed(validation_split, shuffle, seed)
    paths, found_labels, class_names = index_directory(
        directory, labels, AUDIO_EXTENSIONS, class_names, shuffle, seed, follow_links)
    _check_label_mode(label_mode, len(class_names))
    if verbose:
        print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")

    def dataset_of(subset_paths: list, subset_labels: list | None) -> Any:
        clips = PaddedClips(len(subset_paths),
                            lambda index: read_wav(subset_paths[index], output_sequence_length))
        return _labelled(clips, subset_labels, label_mode, len(class_names), batch_size,
                         class_names, subset_paths)

    if subset == "both":
        return (dataset_of(*_split(paths, found_labels, validation_split, "training")),
                dataset_of(*_split(paths, found_labels, validation_split, "validation")))
    return dataset_of(*_split(paths, found_labels, validation_split, subset))

"""STFTSpectrogram, MelSpectrogram and the STFT initializer compute Keras's numbers."""
import numpy as np
import pytest

import layerwise
from keras_oracle import check_layer, keras

STFT_LAYERS = {
    "log": (dict(frame_length=16), (40, 2)),
    "magnitude-same": (dict(mode="magnitude", frame_length=16, frame_step=4,
                            padding="same"), (30, 3)),
    "psd-spectrum": (dict(mode="psd", frame_length=10, fft_length=32, scaling="spectrum"),
                     (45, 1)),
    "stft-expanded": (dict(mode="stft", frame_length=8, expand_dims=True), (32, 2)),
    "angle-first": (dict(mode="angle", frame_length=8, data_format="channels_first"), (2, 32)),
    "real-hamming-first-expanded": (dict(mode="real", frame_length=8, window="hamming",
                                         periodic=True, data_format="channels_first",
                                         expand_dims=True), (2, 32)),
    "imag-no-window": (dict(mode="imag", frame_length=8, window=None), (32, 2)),
    "blackman": (dict(mode="magnitude", frame_length=8, window="blackman", scaling=None),
                 (32, 1)),
}


@pytest.mark.parametrize("name", sorted(STFT_LAYERS))
def test_stft_spectrogram_contract_matches_keras(name):
    arguments, shape = STFT_LAYERS[name]
    # Random weights stand in for the DFT kernels, so `log` of a near-zero power is
    # checked on its initial kernels below instead of after training.
    check_layer(lambda k: k.layers.STFTSpectrogram(**arguments), shape, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", sorted(STFT_LAYERS))
def test_stft_spectrogram_with_its_dft_kernels_equals_keras(name):
    arguments, shape = STFT_LAYERS[name]
    x = np.random.default_rng(3).normal(size=(3,) + shape).astype("float32")
    ours, theirs = (library.layers.STFTSpectrogram(**arguments) for library in (layerwise, keras))
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5,
                               atol=2e-6)


MEL_LAYERS = {
    "default": (dict(), (4000,)),
    "linear": (dict(fft_length=256, sequence_stride=64, sequence_length=200, num_mel_bins=20,
                    power_to_db=False, mag_exp=1.0), (1000,)),
    "hamming-decibels": (dict(fft_length=128, sequence_stride=32, window="hamming",
                              min_freq=100, max_freq=5000, top_db=30, ref_power=2.0,
                              sampling_rate=11025), (600,)),
}


@pytest.mark.parametrize("name", sorted(MEL_LAYERS))
def test_mel_spectrogram_equals_keras(name):
    arguments, shape = MEL_LAYERS[name]
    x = np.random.default_rng(4).normal(size=(2,) + shape).astype("float32")
    ours, theirs = (library.layers.MelSpectrogram(**arguments) for library in (layerwise, keras))
    for signal in (x, x[0]):
        # Decibels: a relative error of 1e-6 in the power is 4e-6 dB.
        np.testing.assert_allclose(np.asarray(ours(signal)), np.asarray(theirs(signal)),
                                   rtol=1e-5, atol=1e-4)
    assert list(ours.compute_output_shape((None,) + shape)) == list(
        theirs.compute_output_shape((None,) + shape))


@pytest.mark.parametrize("name", sorted(MEL_LAYERS))
def test_mel_spectrogram_contract_matches_keras(name):
    arguments, shape = MEL_LAYERS[name]
    check_layer(lambda k: k.layers.MelSpectrogram(**arguments), shape, atol=1e-4)


@pytest.mark.parametrize("arguments", [
    dict(), dict(side="imag"), dict(window="hamming", periodic=True, scaling="spectrum"),
    dict(window=None), dict(window="blackman", scaling=None), dict(window="hann", periodic=True),
])
@pytest.mark.parametrize("shape", [(16, 1, 9), (5, 2, 5), (1, 1, 2)])
def test_stft_initializer_equals_keras(arguments, shape):
    ours = layerwise.initializers.STFT(**arguments)
    np.testing.assert_allclose(np.asarray(ours(shape)),
                               np.asarray(keras.initializers.STFT(**arguments)(shape)),
                               rtol=1e-6, atol=1e-7)
    config = layerwise.initializers.serialize(ours)
    assert config == keras.initializers.serialize(keras.initializers.STFT(**arguments))
    assert layerwise.initializers.deserialize(config).get_config() == ours.get_config()


def test_stft_initializer_names():
    assert layerwise.initializers.STFTInitializer is layerwise.initializers.STFT
    assert isinstance(layerwise.initializers.get("stft"), layerwise.initializers.STFT)
    assert isinstance(layerwise.initializers.get("STFTInitializer"), layerwise.initializers.STFT)


@pytest.mark.parametrize("make, error, match", [
    (lambda: layerwise.layers.STFTSpectrogram(mode="power"), ValueError, "mode"),
    (lambda: layerwise.layers.STFTSpectrogram(frame_length=8, frame_step=9), ValueError,
     "frame_step"),
    (lambda: layerwise.layers.STFTSpectrogram(frame_length=8, fft_length=4), ValueError,
     "fft_length"),
    (lambda: layerwise.layers.STFTSpectrogram(padding="causal"), ValueError, "padding"),
    (lambda: layerwise.layers.STFTSpectrogram(scaling="power"), ValueError, "Scaling"),
    (lambda: layerwise.initializers.STFT(side="both"), ValueError, "side"),
    (lambda: layerwise.layers.MelSpectrogram(fft_length=64, sequence_length=128), ValueError,
     "fft_length"),
])
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()

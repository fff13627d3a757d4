"""Layers, one module per family. This list is the public map of `layerwise.layers`."""
from layerwise.engine.input_layer import Input
from layerwise.engine.layer import Layer
from layerwise.engine.input_layer import InputLayer
from layerwise.engine.registry import public_dir
from layerwise.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from layerwise.layers.adaptive_pooling import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D,
                                              AdaptiveAveragePooling3D, AdaptiveMaxPooling1D,
                                              AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
from layerwise.layers.attention import AdditiveAttention, Attention
from layerwise.layers.core import (Activation, Dense, Dropout, Flatten, Identity, Lambda,
                                   Reshape)
from layerwise.layers.convolutional import (Conv3D, Conv3DTranspose, Convolution3D,
                                            Convolution3DTranspose, DepthwiseConv1D,
                                            SeparableConv1D, SeparableConvolution1D)
from layerwise.layers.convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose,
                                            Convolution1D, Convolution1DTranspose,
                                            Convolution2D, Convolution2DTranspose,
                                            DepthwiseConv2D, SeparableConv2D,
                                            SeparableConvolution2D)
from layerwise.layers.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from layerwise.layers.einsum_dense import EinsumDense
from layerwise.layers.embedding import Embedding
from layerwise.layers.jax_layer import JaxLayer
from layerwise.layers.masking import Masking
from layerwise.engine.input_spec import InputSpec
from layerwise.layers.merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,
                                      Subtract, add, average, concatenate, dot, maximum,
                                      minimum, multiply, subtract)
from layerwise.layers.multi_head_attention import MultiHeadAttention
from layerwise.layers.noise import (ActivityRegularization, AlphaDropout, GaussianDropout,
                                    GaussianNoise, SpatialDropout1D, SpatialDropout2D,
                                    SpatialDropout3D)
from layerwise.layers.group_query_attention import GroupQueryAttention
from layerwise.layers.group_normalization import GroupNormalization
from layerwise.layers.normalization import (BatchNormalization, LayerNormalization,
                                            RMSNormalization, UnitNormalization)
from layerwise.layers.pooling import (AveragePooling3D, AvgPool3D, GlobalAveragePooling3D,
                                      GlobalAvgPool3D, GlobalMaxPool3D, GlobalMaxPooling3D,
                                      MaxPool3D, MaxPooling3D)
from layerwise.layers.pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D,
                                      GlobalAveragePooling1D, GlobalAveragePooling2D,
                                      GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D,
                                      GlobalMaxPool2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                                      MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from layerwise.layers.gru import GRU, GRUCell
from layerwise.layers.lstm import LSTM, LSTMCell
from layerwise.layers.rnn import RNN, StackedRNNCells
from layerwise.layers.simple_rnn import SimpleRNN, SimpleRNNCell
from layerwise.layers.wrappers import Bidirectional, TimeDistributed, Wrapper
from layerwise.layers.reversible_embedding import ReversibleEmbedding
from layerwise.layers.spectral_normalization import SpectralNormalization
from layerwise.layers.reshaping import (Cropping1D, Cropping2D, Cropping3D, Permute,
                                        RepeatVector, UpSampling1D, UpSampling2D, UpSampling3D,
                                        ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from layerwise.layers.preprocessing import (CategoryEncoding, CenterCrop, Discretization,
                                            IntegerLookup, Normalization, Rescaling, Resizing,
                                            StringLookup, TextVectorization, RandomBrightness,
                                            RandomContrast, RandomCrop, RandomFlip,
                                            RandomGrayscale, RandomInvert, RandomRotation,
                                            RandomTranslation, RandomZoom, Solarization,
                                            RandomColorDegeneration, RandomPosterization,
                                            RandomShear, Hashing, HashedCrossing)
from layerwise.layers.preprocessing.color_augmentation import (AutoContrast, Equalization,
                                                               RandomColorJitter,
                                                               RandomGaussianBlur, RandomHue,
                                                               RandomSaturation, RandomSharpness)
from layerwise.layers.preprocessing.mixing_augmentation import CutMix, MixUp, RandomErasing
from layerwise.layers.preprocessing.warp_augmentation import (RandomElasticTransform,
                                                              RandomPerspective)
from layerwise.layers.preprocessing.audio import MelSpectrogram, STFTSpectrogram
from layerwise.layers.preprocessing.pipeline import Pipeline
from layerwise.layers.preprocessing.bounding_boxes import MaxNumBoundingBoxes
from layerwise.layers.preprocessing.composite_augmentation import AugMix, RandAugment
from layerwise.layers.preprocessing.adaptive_equalization import (
    ContrastLimitedAdaptiveHistogramEqualization)
from layerwise.saving.serialization import deserialize_layer, serialize_keras_object

__all__ = [
    "Activation",
    "Add",
    "add",
    "Average",
    "average",
    "AveragePooling1D",
    "AveragePooling2D",
    "AvgPool1D",
    "AvgPool2D",
    "BatchNormalization",
    "Concatenate",
    "concatenate",
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Convolution1D",
    "Convolution1DTranspose",
    "Convolution2D",
    "Convolution2DTranspose",
    "Cropping1D",
    "Cropping2D",
    "Dense",
    "DepthwiseConv2D",
    "Dot",
    "dot",
    "Dropout",
    "Embedding",
    "Masking",
    "InputSpec",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "Lambda",
    "Layer",
    "LayerNormalization",
    "Maximum",
    "maximum",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "Minimum",
    "minimum",
    "Multiply",
    "multiply",
    "Reshape",
    "SeparableConv2D",
    "SeparableConvolution2D",
    "Subtract",
    "subtract",
    "UpSampling1D",
    "UpSampling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "StackedRNNCells",
    "SimpleRNN",
    "SimpleRNNCell",
    "Bidirectional",
    "TimeDistributed",
    "Wrapper",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "serialize",
    "deserialize",
    "ELU",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Softmax",
    "ActivityRegularization",
    "AlphaDropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "EinsumDense",
    "MultiHeadAttention",
    "AdditiveAttention",
    "Attention",
    "Identity",
    "Cropping3D",
    "Permute",
    "RepeatVector",
    "UpSampling3D",
    "ZeroPadding3D",
    "AveragePooling3D",
    "AvgPool3D",
    "GlobalAveragePooling3D",
    "GlobalAvgPool3D",
    "GlobalMaxPool3D",
    "GlobalMaxPooling3D",
    "MaxPool3D",
    "MaxPooling3D",
    "GroupNormalization",
    "RMSNormalization",
    "UnitNormalization",
    "Conv3D",
    "Conv3DTranspose",
    "Convolution3D",
    "Convolution3DTranspose",
    "DepthwiseConv1D",
    "SeparableConv1D",
    "SeparableConvolution1D",
    "ReversibleEmbedding",
    "JaxLayer",
    "GroupQueryAttention",
    "SpectralNormalization",
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
    "AdaptiveMaxPooling3D",
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "Normalization",
    "Rescaling",
    "Resizing",
    "IntegerLookup",
    "StringLookup",
    "TextVectorization",
    "Hashing",
    "HashedCrossing",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "RandomGrayscale",
    "RandomInvert",
    "Solarization",
    "RandomColorDegeneration",
    "RandomPosterization",
    "RandomShear",
    "AutoContrast",
    "Equalization",
    "RandomColorJitter",
    "RandomGaussianBlur",
    "RandomHue",
    "RandomSaturation",
    "RandomSharpness",
    "CutMix",
    "MixUp",
    "RandomErasing",
    "RandomElasticTransform",
    "RandomPerspective",
    "MelSpectrogram",
    "STFTSpectrogram",
    "Pipeline",
    "MaxNumBoundingBoxes",
    "AugMix",
    "RandAugment",
    "ContrastLimitedAdaptiveHistogramEqualization",
]


def serialize(layer: Layer) -> dict:
    """Keras 3's config dict of a layer (`{"module", "class_name", "config", ...}`)."""
    return serialize_keras_object(layer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Layer:
    """The layer a config dict describes; user classes are found as in every namespace."""
    layer = deserialize_layer(config, custom_objects) if isinstance(config, dict) else None
    if not isinstance(layer, Layer):
        raise ValueError(
            "Invalid value for argument `config`. Expected the config dict of a layer. "
            f"Received: config={config!r}")
    return layer


__dir__ = public_dir(__all__)

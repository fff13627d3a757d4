"""Preprocessing layers, one module per family: numeric ones are jax code that runs in the
compiled program; string ones run on the host with numpy."""
from layerwise.layers.preprocessing.categorical import CategoryEncoding, Discretization
from layerwise.layers.preprocessing.image_preprocessing import CenterCrop, Rescaling, Resizing
from layerwise.layers.preprocessing.normalization import Normalization
from layerwise.layers.preprocessing.lookup import IntegerLookup, StringLookup
from layerwise.layers.preprocessing.text_vectorization import TextVectorization
from layerwise.layers.preprocessing.image_augmentation import (RandomBrightness, RandomContrast,
                                                               RandomCrop, RandomFlip,
                                                               RandomGrayscale, RandomInvert,
                                                               RandomColorDegeneration,
                                                               RandomPosterization,
                                                               Solarization)
from layerwise.layers.preprocessing.affine_augmentation import (RandomRotation, RandomShear,
                                                                RandomTranslation, RandomZoom)
from layerwise.layers.preprocessing.hashing import HashedCrossing, Hashing
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

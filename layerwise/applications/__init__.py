"""Known image architectures with Keras's constructor arguments, layer names and weight layout."""
from layerwise.applications import (convnext, densenet, efficientnet, efficientnet_v2,
                                    imagenet_utils, inception_resnet_v2, inception_v3, mobilenet,
                                    mobilenet_v2, mobilenet_v3, nasnet, resnet, resnet_v2, vgg16,
                                    vgg19, xception)
from layerwise.applications.convnext import (ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall,
                                             ConvNeXtTiny, ConvNeXtXLarge)
from layerwise.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from layerwise.applications.efficientnet import (EfficientNetB0, EfficientNetB1,
                                                 EfficientNetB2, EfficientNetB3,
                                                 EfficientNetB4, EfficientNetB5,
                                                 EfficientNetB6, EfficientNetB7)
from layerwise.applications.efficientnet_v2 import (EfficientNetV2B0, EfficientNetV2B1,
                                                    EfficientNetV2B2, EfficientNetV2B3,
                                                    EfficientNetV2L, EfficientNetV2M,
                                                    EfficientNetV2S)
from layerwise.applications.inception_resnet_v2 import InceptionResNetV2
from layerwise.applications.inception_v3 import InceptionV3
from layerwise.applications.mobilenet import MobileNet
from layerwise.applications.mobilenet_v2 import MobileNetV2
from layerwise.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from layerwise.applications.nasnet import NASNetLarge, NASNetMobile
from layerwise.applications.resnet import ResNet50, ResNet101, ResNet152
from layerwise.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from layerwise.applications.vgg16 import VGG16
from layerwise.applications.vgg19 import VGG19
from layerwise.applications.xception import Xception

resnet50 = resnet

__all__ = ["ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny",
           "ConvNeXtXLarge", "DenseNet121", "DenseNet169", "DenseNet201",
           "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3",
           "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
           "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
           "EfficientNetV2B3", "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S",
           "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2",
           "MobileNetV3Large", "MobileNetV3Small", "NASNetLarge", "NASNetMobile",
           "ResNet101", "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50",
           "ResNet50V2", "VGG16", "VGG19", "Xception", "convnext", "densenet",
           "efficientnet", "efficientnet_v2", "imagenet_utils", "inception_resnet_v2",
           "inception_v3", "mobilenet", "mobilenet_v2", "mobilenet_v3", "nasnet",
           "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "xception"]

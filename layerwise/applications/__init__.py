"""Known image architectures with Keras's constructor arguments, layer names and weight layout."""
from layerwise.applications import (densenet, imagenet_utils, mobilenet_v2, resnet, resnet_v2,
                                    vgg16, vgg19, xception)
from layerwise.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from layerwise.applications.mobilenet_v2 import MobileNetV2
from layerwise.applications.resnet import ResNet50, ResNet101, ResNet152
from layerwise.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from layerwise.applications.vgg16 import VGG16
from layerwise.applications.vgg19 import VGG19
from layerwise.applications.xception import Xception

resnet50 = resnet

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "MobileNetV2", "ResNet101",
           "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50", "ResNet50V2", "VGG16",
           "VGG19", "Xception", "densenet", "imagenet_utils", "mobilenet_v2", "resnet",
           "resnet50", "resnet_v2", "vgg16", "vgg19", "xception"]

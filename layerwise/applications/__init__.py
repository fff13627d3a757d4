"""Known image architectures with Keras's constructor arguments, layer names and weight layout."""
from layerwise.applications import imagenet_utils, mobilenet_v2, resnet, vgg16
from layerwise.applications.mobilenet_v2 import MobileNetV2
from layerwise.applications.resnet import ResNet50
from layerwise.applications.vgg16 import VGG16

resnet50 = resnet

__all__ = ["MobileNetV2", "ResNet50", "VGG16", "imagenet_utils", "mobilenet_v2", "resnet",
           "resnet50", "vgg16"]

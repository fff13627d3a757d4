"""Known image architectures with Keras's constructor arguments, layer names and weight layout."""
from layerwise.applications import imagenet_utils, resnet, vgg16
from layerwise.applications.resnet import ResNet50
from layerwise.applications.vgg16 import VGG16

resnet50 = resnet

__all__ = ["ResNet50", "VGG16", "imagenet_utils", "resnet", "resnet50", "vgg16"]

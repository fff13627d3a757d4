"""Pictures of image data: galleries, bounding boxes and segmentation masks (matplotlib, headless)."""
from layerwise.visualization.bounding_boxes import draw_bounding_boxes, plot_bounding_box_gallery
from layerwise.visualization.image_gallery import plot_image_gallery
from layerwise.visualization.segmentation_masks import (draw_segmentation_masks,
                                                        plot_segmentation_mask_gallery)

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks", "plot_bounding_box_gallery",
           "plot_image_gallery", "plot_segmentation_mask_gallery"]

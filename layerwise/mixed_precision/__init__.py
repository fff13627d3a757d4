"""`keras.mixed_precision`: Keras 2's names for dtype policies, and LossScaleOptimizer."""
from layerwise.dtype_policies.dtype_policy import DTypePolicy, dtype_policy, set_dtype_policy
from layerwise.optimizers.loss_scale_optimizer import LossScaleOptimizer

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = ["DTypePolicy", "LossScaleOptimizer", "Policy", "dtype_policy", "global_policy",
           "set_dtype_policy", "set_global_policy"]

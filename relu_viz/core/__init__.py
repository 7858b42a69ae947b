"""The Qt-free model of relu_viz: activations, MLP, data, trainer and metrics.

Everything the window, the command line and a notebook drive lives here and imports
only NumPy.
"""

from relu_viz.core.config import TrainConfig
from relu_viz.core.metrics import MetricsHistory, StepMetrics
from relu_viz.core.mlp import MLP
from relu_viz.core.trainer import Trainer

__all__ = ["MLP", "MetricsHistory", "StepMetrics", "TrainConfig", "Trainer"]

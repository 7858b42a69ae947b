"""The window's plots, one class per module; ``ALL_PLOTS`` lists them in display order."""

from relu_viz.gui.plots.activation_plot import ActivationPlot
from relu_viz.gui.plots.base import BasePlot
from relu_viz.gui.plots.boundary_plot import BoundaryPlot
from relu_viz.gui.plots.dead_plot import DeadPlot
from relu_viz.gui.plots.gradient_plot import GradientPlot
from relu_viz.gui.plots.loss_plot import LossPlot
from relu_viz.gui.plots.prelu_plot import PReluPlot

ALL_PLOTS = [LossPlot, BoundaryPlot, GradientPlot, DeadPlot, ActivationPlot, PReluPlot]

__all__ = ["ALL_PLOTS", "ActivationPlot", "BasePlot", "BoundaryPlot", "DeadPlot",
           "GradientPlot", "LossPlot", "PReluPlot"]

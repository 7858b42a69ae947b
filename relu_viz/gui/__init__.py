"""The PyQt6 + pyqtgraph window of relu_viz (drives relu_viz.core)."""

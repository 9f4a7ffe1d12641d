"""pyqtgraph styling and helpers shared by the plot views."""

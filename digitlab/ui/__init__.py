"""The window: PySide6 + pyqtgraph views on the session. Nothing in core or session imports this.

Importing this package imports neither pyqtgraph nor torch: the window paints before the plot
views (and pyqtgraph) are loaded, and torch only ever runs in the trainer process.
"""

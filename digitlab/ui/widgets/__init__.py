"""Plain Qt widgets the views are built from (no session, no pyqtgraph)."""

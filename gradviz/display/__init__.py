"""gradviz's display layer: draw() and the notebook integration (draw arrives with the DOT builder)."""

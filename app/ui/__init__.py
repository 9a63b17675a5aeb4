"""Everything Qt: the main window, its tabs, the settings dialog and the glue to the async core."""

"""Small reusable widgets shared by the window, the tabs and the settings dialog."""

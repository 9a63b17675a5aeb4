"""The settings dialog: provider profiles (with their tokens) and general preferences."""

from app.ui.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog"]

"""How a profile's name is shown: the built-in first profile is named in the user's language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.profiles import DEFAULT_PROFILE_ID, Profile

__all__ = ["BUILT_IN_NAME", "display_name", "stored_name"]

#: The name ``ProfileStore`` gives the first profile it creates (English, as stored on disk).
BUILT_IN_NAME = "Default"


def display_name(profile: Profile) -> str:
    """The name to show; the untouched built-in profile is translated, user-chosen names never are."""
    if profile.id == DEFAULT_PROFILE_ID and profile.name == BUILT_IN_NAME:
        return QCoreApplication.translate("profiles", "Default")
    return profile.name


def stored_name(profile: Profile, shown: str) -> str:
    """What to store when the name field reads ``shown``: an unedited translated name stays as it was."""
    shown = shown.strip()
    if shown == display_name(profile):
        return profile.name
    return shown

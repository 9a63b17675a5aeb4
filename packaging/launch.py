"""The bundle's entry point (PyInstaller runs this file as ``__main__``): start Parla."""

import sys

if getattr(sys, "frozen", False):  # the formula process (app.ui.chat.math_process) starts as this program too
    import multiprocessing

    multiprocessing.freeze_support()  # in that process: serve formulas, then exit (never reaches main)

from app.main import main

if __name__ == "__main__":
    sys.exit(main())

"""The bundle's entry point (PyInstaller runs this file as ``__main__``): start Parla."""

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())

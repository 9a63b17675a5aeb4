"""`python -m app` starts Parla."""

import sys

from app.main import main

sys.exit(main())

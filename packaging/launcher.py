"""The bundle's entry point: `earmark` as PyInstaller freezes it.

Tells Earmark where the bundled data is (resources/ and packaging/linux sit beside the
executable's libraries, under sys._MEIPASS) and lets multiprocessing's spawned children
(the insights job runs in one) start as children instead of as a second Earmark.
"""

import multiprocessing
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    multiprocessing.freeze_support()
    bundle = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent))
    os.environ.setdefault("EARMARK_RESOURCES", str(bundle / "resources"))

    from desktop.launch import main

    sys.exit(main())

"""Entry point of the frozen app: the same `main` as the `axiom-drop` console script."""

import os
import sys

os.environ.setdefault("QT_API", "pyside6")

from app.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

"""`python -m mnist_canvas [FILE]`: the app, opening FILE if given."""

import sys

from mnist_canvas.app.main import main

sys.exit(main())

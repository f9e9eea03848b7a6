import sys

from mnist_canvas.app.main import main

sys.exit(main())

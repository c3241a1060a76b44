import sys

from neuralab.cli import main

sys.exit(main())

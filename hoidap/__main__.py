import sys

from hoidap.cli import main

sys.exit(main())

import sys

from kompetanse.cli import main

sys.exit(main())

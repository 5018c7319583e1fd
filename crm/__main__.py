"""``python -m crm``: Brücke's command line."""

import sys

from crm.cli import main

if __name__ == "__main__":
    sys.exit(main())

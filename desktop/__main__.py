"""`python -m desktop`: the same as the `earmark` command."""

import sys

from desktop.launch import main

sys.exit(main())

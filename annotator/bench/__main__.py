"""``python -m annotator.bench``: the benchmark (see :mod:`annotator.bench`)."""

import sys

from annotator.bench.runner import main

sys.exit(main())

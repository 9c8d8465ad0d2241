"""ICP pipeline: find a B2B company's Ideal Customer Profile and turn it into tiered target lists."""

import os

# OpenMP threads (LightGBM, scikit-learn) sleep instead of spinning while they wait for each other:
# on a busy machine (more runnable threads than cores) spinning threads made LightGBM's 2-thread
# training 10-25x slower than 1 thread; sleeping costs little when the machine is idle. Set before
# any OpenMP runtime loads; an explicit OMP_WAIT_POLICY in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"

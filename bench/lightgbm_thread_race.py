"""The LightGBM crash that `icp_pipeline/lib/model/lgb_threads.py` prevents, in isolation.

Usage: python bench/lightgbm_thread_race.py mixed|same SECONDS

Three threads compute one-tree SHAP values of their own boosters (`mixed`: with num_threads=1, as
fast SHAP does, then a prediction with 2; `same`: always 2) while a fourth builds LightGBM Datasets
with sparse 0/1 columns (num_threads=2), as a bootstrap refit did beside another refit's SHAP. LightGBM 4 keeps the latest call's thread count in one
process-wide variable; a Dataset whose sparse bins were sized while it read 1 is then filled by 2
OpenMP threads. `mixed` dies with a segmentation fault in `SparseBin::Push` within seconds (on the
2-core bench machine: 3 of 3 runs, exit 139, as the 200 k bench's model step); `same` runs to the
end ("survived"). Not a test: a crash takes the interpreter with it.
"""

import sys
import threading
import time

import lightgbm as lgb
import numpy as np

mode = sys.argv[1]
rng = np.random.default_rng(0)
n = 20000
X = rng.normal(size=(n, 30))
X[:, 10:] = (rng.random((n, 20)) < 0.03).astype(float)  # sparse 0/1 flags -> SparseBin
y = X[:, 0] + X[:, 12] + rng.normal(size=n)
p = dict(
    objective="regression",
    num_leaves=15,
    learning_rate=0.1,
    num_threads=2,
    verbose=-1,
    deterministic=True,
    force_col_wise=True,
)
b0 = lgb.train(p, lgb.Dataset(X, y), 50)
stop = time.time() + float(sys.argv[2])
nt = 1 if mode == "mixed" else 2


def shap_loop(b):
    while time.time() < stop:
        for t in range(50):
            b.predict(X[:5], pred_contrib=True, start_iteration=t, num_iteration=1, num_threads=nt)
            b.predict(X[:5], num_threads=2)


def train_loop():
    k = 0
    while time.time() < stop:
        lgb.Dataset(X, y, params=p).construct()
        k += 1
    print("datasets", k)


ts = [threading.Thread(target=shap_loop, args=(lgb.train(p, lgb.Dataset(X, y), 50),)) for _ in range(3)] + [
    threading.Thread(target=train_loop)
]
[t.start() for t in ts]
[t.join() for t in ts]
print("survived", mode)

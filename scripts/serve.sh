#!/usr/bin/env bash
# The main job. Until the site lands (see the issues), print a real grid of the four-point toy.
source "$(dirname "$0")/_venv.sh"
cd "$ROOT"
exec "$PY" -c '
import datacf as dcf
train = dcf.toy_dataset("four_points")
grid = dcf.compute_grid(train, dcf.models.LogisticRegression(C=1.0))
print("Logistic regression trained on every subset of", train.names, "- P(true label) at each point")
print("train on   " + "".join(f"{c:>7}" for c in grid.eval_names))
for name, row in zip(grid.row_names, grid.values):
    print(f"{name:<10} " + "".join(f"{v:7.3f}" for v in row))
print("LOO    ", dict(zip(train.names, grid.loo().round(4))))
print("Shapley", dict(zip(train.names, grid.shapley().round(4))))
'

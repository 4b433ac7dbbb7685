"""Data counterfactual grids: a model trained on every subset of a tiny dataset."""
from . import edits, estimate, models, samplers
from ._compute import compute_grid, recompute_grid
from ._dataset import Dataset
from ._edit_readings import BudgetCurve, budget_curve, compute_success_grid
from ._grid import Grid
from ._influence import influence, unlearn
from ._knn_shapley import knn_shapley
from ._sampled_grid import SampledGrid, recompute_sampled_grid, sample_grid
from ._sklearn_datasets import load_sklearn_dataset
from .estimate import Estimate, estimate_values
from ._scaling import (
    ExtrapolationCheck, LearningCurve, PowerLawFit, extrapolation_check, fit_power_law, learning_curve,
)
from ._subsets import MAX_EXACT_POINTS
from ._toy_datasets import toy_dataset, toy_dataset_names, toy_lesson
from ._version import __version__

__all__ = [
    "Dataset",
    "Grid",
    "compute_grid",
    "recompute_grid",
    "knn_shapley",
    "influence",
    "unlearn",
    "SampledGrid",
    "sample_grid",
    "recompute_sampled_grid",
    "samplers",
    "edits",
    "budget_curve",
    "BudgetCurve",
    "compute_success_grid",
    "estimate",
    "Estimate",
    "estimate_values",
    "load_sklearn_dataset",
    "LearningCurve",
    "PowerLawFit",
    "ExtrapolationCheck",
    "learning_curve",
    "fit_power_law",
    "extrapolation_check",
    "models",
    "toy_dataset",
    "toy_dataset_names",
    "toy_lesson",
    "MAX_EXACT_POINTS",
    "__version__",
]

for _obj in (Dataset, Grid, compute_grid, recompute_grid, knn_shapley, influence, unlearn, toy_dataset,
             toy_dataset_names, toy_lesson):
    _obj.__module__ = "datacf"
for _obj in (SampledGrid, sample_grid, recompute_sampled_grid, Estimate, estimate_values, load_sklearn_dataset):
    _obj.__module__ = "datacf"
for _obj in (BudgetCurve, budget_curve, compute_success_grid):
    _obj.__module__ = "datacf"
for _obj in (ExtrapolationCheck, LearningCurve, PowerLawFit, extrapolation_check, fit_power_law, learning_curve):
    _obj.__module__ = "datacf"

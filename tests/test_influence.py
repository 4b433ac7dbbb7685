"""dcf.influence: influence-function and Newton-step estimates of removal, against exact retraining.

The truth is scikit-learn refitted without the removed points (or the grid's rows N and N minus G).
Tolerances are not tuned: each estimate must fall within an error bound computed from the setting
by Taylor's theorem (``removal_analysis``), and the accurate setting is one where that bound is a
small fraction of the effect, so a wrong sign or scale could not pass.
"""
import doctest

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogistic

import datacf as dcf
from datacf._influence import _designs, _fit
from tests.matching import exact

# max |sigmoid''| = 1 / (6 sqrt 3): bounds the curvature of p(z) and how fast sigmoid' changes.
SIGMOID_CURVATURE = 1 / (6 * np.sqrt(3))
# datacf's optimum and scikit-learn's (tol=1e-12) agree far inside this (test_full_data_fit);
# the estimates, which move by at most |x| * |theta difference|, inherit at most this from it.
BASE_POINT_SLACK = 1e-8


def blobs(n, seed, shift=1.0):
    """Two overlapping Gaussian classes in 2-D, alternating labels."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2)) + shift * (2 * y[:, None] - 1) * np.array([1.0, 0.5])
    return dcf.Dataset(X, y)


def sklearn_theta(X, y, C, keep):
    """scikit-learn's optimum (weights..., intercept) on the points ``keep``."""
    model = SkLogistic(C=C, tol=1e-12, solver="newton-cholesky", max_iter=1000).fit(X[keep], y[keep])
    return np.append(model.coef_[0], model.intercept_[0])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def removal_analysis(train, eval_set, C, metric, groups):
    """Exact effects of removing each group, and bounds on each estimate's error.

    With theta the full optimum, delta the exact change (scikit-learn refits), H and H_G the
    Hessians with and without G, b = C sum_G grad loss and g0 the full gradient at theta:
    0 = grad J_G(theta + delta) = g0 - b + H_G delta + R, with
    |R| <= C/2 max|sigmoid''| sum_{k not in G} (x_k . delta)^2 |x_k| (Taylor, integral form).
    So delta = H_G^-1 (b - g0 - R), and

    - Newton, f(theta + H_G^-1 b) - f(theta + delta): at most max|f'(z)| |H_G^-1 x_j| (|R| + |g0|);
    - influence, grad f . H^-1 b against f(theta + delta) - f(theta): at most the Taylor
      remainder max|f''(z)|/2 (x_j . delta)^2, plus the leverage term
      |grad f . (H_G^-1 - H^-1) b|, plus |H_G^-1 grad f| (|R| + |g0|).
    """
    X, y, n = train.X, train.y, train.n_points
    design, design_eval = _designs(train, eval_set)
    t = (y == y.max()).astype(float)
    sign = np.where(eval_set.y == y.max(), 1.0, -1.0)
    theta = sklearn_theta(X, y, C, np.ones(n, bool))
    penalty = np.diag(np.append(np.ones(train.n_features), 0.0))

    def score(th):
        p_true = sigmoid(sign * (design_eval @ th))
        return p_true if metric == "prob_correct" else -np.log(p_true)

    p = sigmoid(design @ theta)
    hessian = C * design.T @ ((p * (1 - p))[:, None] * design) + penalty
    g0 = C * design.T @ (p - t) + penalty @ theta
    p_eval = sigmoid(design_eval @ theta)
    if metric == "prob_correct":    # f = sigmoid(+-z): f' = +-sigmoid', |f'| <= 1/4, |f''| <= max|sigmoid''|
        df_dz, f_curvature, f_slope = sign * p_eval * (1 - p_eval), SIGMOID_CURVATURE, 0.25
    else:                           # f = softplus(-+z): |f'| <= 1, f'' = sigmoid' <= 1/4
        df_dz, f_curvature, f_slope = -sign * (1 - sigmoid(sign * (design_eval @ theta))), 0.25, 1.0
    grad_f = df_dz[:, None] * design_eval
    norms = np.linalg.norm(design, axis=1)
    out = {"truth": [], "bound_influence": [], "bound_newton": []}
    for group in groups:
        keep = np.ones(n, bool)
        keep[list(group)] = False
        delta = sklearn_theta(X, y, C, keep) - theta
        push = C * design[~keep].T @ (p - t)[~keep]
        h_group = hessian - C * design[~keep].T @ ((p * (1 - p))[~keep][:, None] * design[~keep])
        residual = 0.5 * C * SIGMOID_CURVATURE * ((design[keep] @ delta) ** 2 * norms[keep]).sum() + np.linalg.norm(g0)
        leverage = np.abs(grad_f @ (np.linalg.solve(h_group, push) - np.linalg.solve(hessian, push)))
        taylor = 0.5 * f_curvature * (design_eval @ delta) ** 2
        out["truth"].append(score(theta + delta) - score(theta))
        out["bound_influence"].append(
            taylor + leverage + np.linalg.norm(np.linalg.solve(h_group, grad_f.T), axis=0) * residual
        )
        out["bound_newton"].append(f_slope * np.linalg.norm(np.linalg.solve(h_group, design_eval.T), axis=0) * residual)
    return {key: np.array(value) for key, value in out.items()}


def singletons(n):
    return [[i] for i in range(n)]


@pytest.fixture(scope="module")
def many_points():
    """200 training points, 40 evaluation points, strong regularisation (C = 0.01)."""
    return blobs(200, seed=0), blobs(40, seed=1), 0.01


class TestAgainstRetraining:
    def test_full_data_fit(self):
        """The optimum influence starts from is scikit-learn's, on 200 points."""
        train = blobs(200, seed=0)
        design, design_eval = _designs(train, train)
        theta, _ = _fit(train, dcf.models.LogisticRegression(C=0.3), design, design_eval)
        np.testing.assert_allclose(theta, sklearn_theta(train.X, train.y, 0.3, np.ones(200, bool)), rtol=0, atol=1e-9)

    @pytest.mark.parametrize("metric", ["prob_correct", "log_loss"])
    @pytest.mark.parametrize("method", ["influence", "newton"])
    def test_accurate_with_many_points_and_strong_regularisation(self, many_points, metric, method):
        """Every estimate is within its Taylor bound of the retrained effect, and the bound is under
        a tenth of the largest effect, so the sign and scale conventions are pinned."""
        train, eval_set, C = many_points
        exact = removal_analysis(train, eval_set, C, metric, singletons(200))
        estimate = dcf.influence(train, dcf.models.LogisticRegression(C=C), eval_set, metric, method)
        bound = exact[f"bound_{method}"]
        assert bound.max() < 0.1 * np.abs(exact["truth"]).max()
        assert (np.abs(estimate - exact["truth"]) <= bound + BASE_POINT_SLACK).all()

    def test_leave_one_out_of_the_grid(self):
        """On a 10-point grid, the estimates track the grid's own rows N minus i and N within the bound,
        and minus their column mean tracks grid.loo()."""
        train, C = blobs(10, seed=3), 0.05
        model = dcf.models.LogisticRegression(C=C)
        grid = dcf.compute_grid(train, model)
        full = grid.values[-1]
        truth = np.array([grid.values[(2**10 - 1) ^ (1 << i)] - full for i in range(10)])
        exact = removal_analysis(train, train, C, "prob_correct", singletons(10))
        np.testing.assert_allclose(truth, exact["truth"], rtol=0, atol=1e-6)   # DESIGN.md's learner tolerance
        for method in ("influence", "newton"):
            estimate = dcf.influence(train, model, method=method)
            bound = exact[f"bound_{method}"] + 1e-6
            assert (np.abs(estimate - truth) <= bound).all()
            assert (np.abs(-estimate.mean(axis=1) - grid.loo()) <= bound.mean(axis=1)).all()

    def test_groups_against_retraining(self):
        """Removing groups at once: every estimate within its bound of the retrained effect."""
        train, eval_set, C = blobs(60, seed=4), blobs(20, seed=5), 0.05
        groups = [[0, 2, 4], [1], list(range(10, 30)), ["A", "B"]]
        as_indices = [[0, 2, 4], [1], list(range(10, 30)), [0, 1]]
        exact = removal_analysis(train, eval_set, C, "log_loss", as_indices)
        for method in ("influence", "newton"):
            estimate = dcf.influence(train, dcf.models.LogisticRegression(C=C), eval_set, "log_loss", method, groups)
            assert estimate.shape == (4, 20)
            assert (np.abs(estimate - exact["truth"]) <= exact[f"bound_{method}"] + BASE_POINT_SLACK).all()


class TestNewtonAgainstFirstOrder:
    @pytest.mark.parametrize("size", [20, 40])
    def test_newton_provably_closer_for_large_groups(self, size):
        """Removing a coherent group (the class-1 points furthest along x0) takes a large share of
        the Hessian with it: the Newton step's error is within its second-order bound, and that
        bound is below the first-order estimate's actual error (Koh et al. 2019)."""
        train, eval_set, C = blobs(100, seed=0), blobs(30, seed=1), 0.1
        group = np.argsort(-train.X[:, 0] * (train.y == 1))[:size].tolist()
        exact = removal_analysis(train, eval_set, C, "prob_correct", [group])
        model = dcf.models.LogisticRegression(C=C)
        newton_error = np.abs(dcf.influence(train, model, eval_set, method="newton", groups=[group]) - exact["truth"])
        first_order_error = np.abs(dcf.influence(train, model, eval_set, groups=[group]) - exact["truth"])
        assert (newton_error <= exact["bound_newton"] + BASE_POINT_SLACK).all()
        assert exact["bound_newton"].max() < first_order_error.max()

    def test_newton_provably_closer_with_few_points(self):
        """Six points in 1-D with strong regularisation: each removal takes a sixth of the Hessian,
        and the Newton error is bounded below the first-order error the same way."""
        train = dcf.Dataset([[-2.0], [-1.0], [-0.5], [0.3], [1.0], [2.0]], [0, 0, 1, 0, 1, 1])
        exact = removal_analysis(train, train, 0.1, "prob_correct", singletons(6))
        model = dcf.models.LogisticRegression(C=0.1)
        newton_error = np.abs(dcf.influence(train, model, method="newton") - exact["truth"])
        first_order_error = np.abs(dcf.influence(train, model) - exact["truth"])
        assert (newton_error <= exact["bound_newton"] + BASE_POINT_SLACK).all()
        assert exact["bound_newton"].max() < first_order_error.max()


class TestExactAndUnlearn:
    def test_exact_is_retraining(self, many_points):
        """method="exact" is scikit-learn refitted without each point, for 200 points, within
        DESIGN.md's 1e-6 learner tolerance."""
        train, eval_set, C = many_points
        truth = removal_analysis(train, eval_set, C, "prob_correct", singletons(200))["truth"]
        estimate = dcf.influence(train, dcf.models.LogisticRegression(C=C), eval_set, method="exact")
        np.testing.assert_allclose(estimate, truth, rtol=0, atol=1e-6)

    @pytest.mark.parametrize("method", ["influence", "exact"])
    def test_a_budget_too_small_warns_and_still_gives_numbers(self, method):
        """max_iter=1 leaves the fits unconverged: a ConvergenceWarning, and still finite changes."""
        train = blobs(8, seed=13)
        with pytest.warns(dcf.models.ConvergenceWarning, match="max_iter=1 "):
            estimate = dcf.influence(train, dcf.models.LogisticRegression(C=100.0, max_iter=1), method=method)
        assert estimate.shape == (8, 8) and np.isfinite(estimate).all()

    def test_exact_is_the_grid(self):
        """On a grid, method="exact" reads like rows N minus G against row N, for any metric."""
        train, model = blobs(8, seed=13), dcf.models.LogisticRegression(C=2.0)
        groups = [[0], [2, 5], [1, 3, 4]]
        for metric in ("prob_correct", "log_loss", "accuracy"):
            grid = dcf.compute_grid(train, model, metric=metric)
            truth = np.array([grid.values[255 ^ sum(1 << i for i in g)] - grid.values[255] for g in groups])
            estimate = dcf.influence(train, model, metric=metric, method="exact", groups=groups)
            np.testing.assert_allclose(estimate, truth, rtol=0, atol=1e-6)

    def test_unlearned_parameters(self):
        """unlearn's exact parameters are scikit-learn's refits; its steps are the influence steps."""
        train, C = blobs(40, seed=14), 0.3
        model = dcf.models.LogisticRegression(C=C)
        groups = [[0], [5, 6, 7]]
        retrained = dcf.unlearn(train, model, groups, method="exact")
        for g, group in enumerate(groups):
            keep = np.ones(40, bool)
            keep[group] = False
            np.testing.assert_allclose(retrained.removed[g], sklearn_theta(train.X, train.y, C, keep), atol=1e-8)
        np.testing.assert_allclose(retrained.full, sklearn_theta(train.X, train.y, C, np.ones(40, bool)), atol=1e-8)
        newton = dcf.unlearn(train, model, groups)
        design, _ = _designs(train, train)
        p_true = sigmoid((2 * train.y - 1) * (design @ newton.removed.T).T)        # stepped model, per group
        np.testing.assert_allclose(
            p_true - sigmoid((2 * train.y - 1) * (design @ newton.full)),
            dcf.influence(train, model, method="newton", groups=groups), rtol=0, atol=1e-12,
        )

    def test_gradient_norm_by_finite_differences(self):
        """gradient_norm is the norm of J_G's gradient at the returned parameters, checked by
        central differences of J_G itself."""
        train, C = blobs(30, seed=15), 0.7
        groups = [[1], [2, 3, 9]]
        design, _ = _designs(train, train)
        sign = 2 * train.y - 1
        for method in ("influence", "newton"):
            result = dcf.unlearn(train, dcf.models.LogisticRegression(C=C), groups, method=method)
            for g, group in enumerate(groups):
                keep = np.ones(30, bool)
                keep[group] = False

                def objective(th):
                    return C * np.logaddexp(0, -sign[keep] * (design[keep] @ th)).sum() + 0.5 * (th[:-1] ** 2).sum()

                h = 1e-6
                numeric = [(objective(result.removed[g] + h * e) - objective(result.removed[g] - h * e)) / (2 * h)
                           for e in np.eye(3)]
                assert result.gradient_norm[g] == pytest.approx(np.linalg.norm(numeric), rel=1e-5, abs=1e-7)

    def test_newton_leaves_a_smaller_gradient(self):
        """A Newton step leaves a second-order gradient; the first-order step leaves the Hessian
        change times the step, which is larger for groups that carry curvature."""
        train = blobs(100, seed=0)
        groups = [np.argsort(-train.X[:, 0] * (train.y == 1))[:k].tolist() for k in (5, 20, 40)]
        model = dcf.models.LogisticRegression(C=0.1)
        newton = dcf.unlearn(train, model, groups).gradient_norm
        first_order = dcf.unlearn(train, model, groups, method="influence").gradient_norm
        exact_norm = dcf.unlearn(train, model, groups, method="exact").gradient_norm
        assert (newton < first_order).all() and (exact_norm < 1e-8).all()


class TestConventions:
    def test_koh_liang_scale(self):
        """For log loss, influence = -(1/n) I_up,loss of Koh & Liang (2017), computed here for the
        mean-loss objective with regulariser |w|^2 / (2 n C)."""
        train, eval_set, C = blobs(50, seed=6), blobs(7, seed=7), 0.2
        n = train.n_points
        design, design_eval = _designs(train, eval_set)
        theta = sklearn_theta(train.X, train.y, C, np.ones(n, bool))
        t = train.y.astype(float)
        p = sigmoid(design @ theta)
        grad_train = (p - t)[:, None] * design                                       # grad loss(z_i)
        grad_test = (sigmoid(design_eval @ theta) - eval_set.y)[:, None] * design_eval
        regulariser = np.diag(np.append(np.ones(2), 0.0)) / (n * C)
        h_mean = design.T @ ((p * (1 - p))[:, None] * design) / n + regulariser
        i_up_loss = -grad_test @ np.linalg.solve(h_mean, grad_train.T)              # (n_eval, n)
        estimate = dcf.influence(train, dcf.models.LogisticRegression(C=C), eval_set, "log_loss")
        np.testing.assert_allclose(estimate, -i_up_loss.T / n, rtol=1e-6, atol=1e-12)

    def test_a_group_of_one_is_the_point(self):
        """groups=[[i]] gives row i of the default, by index or by name."""
        train, model = blobs(30, seed=8), dcf.models.LogisticRegression(C=0.5)
        for method in ("influence", "newton"):
            single = dcf.influence(train, model, method=method)
            grouped = dcf.influence(train, model, method=method, groups=[[7], ["C"]])
            np.testing.assert_array_equal(grouped, single[[7, 2]])

    def test_first_order_group_is_additive(self):
        """The first-order effect of a group is the sum of its points' effects (a linear step)."""
        train, model = blobs(30, seed=9), dcf.models.LogisticRegression(C=0.5)
        single = dcf.influence(train, model)
        grouped = dcf.influence(train, model, groups=[[1, 4, 9]])
        np.testing.assert_allclose(grouped[0], single[[1, 4, 9]].sum(axis=0), rtol=1e-12, atol=1e-15)

    def test_newton_accuracy_reads_the_stepped_model(self):
        """Newton accuracy is the hard label of the same stepped model whose probability
        prob_correct reports: correct exactly when its probability of the true label > 1/2."""
        train, eval_set = blobs(40, seed=10, shift=0.3), blobs(60, seed=11, shift=0.3)
        model = dcf.models.LogisticRegression(C=1.0)
        stepped_p = dcf.influence(train, model, eval_set, method="newton")
        stepped_acc = dcf.influence(train, model, eval_set, "accuracy", method="newton")
        design, design_eval = _designs(train, eval_set)
        theta, _ = _fit(train, model, design, design_eval)
        p_true = np.where(eval_set.y == 1, sigmoid(design_eval @ theta), 1 - sigmoid(design_eval @ theta))
        np.testing.assert_array_equal(
            stepped_acc, (p_true + stepped_p > 0.5).astype(float) - (p_true > 0.5).astype(float)
        )
        assert np.abs(stepped_acc).max() == 1.0       # some removal flips some prediction

    def test_unseen_eval_label_scores_zero(self):
        """An evaluation label the training data never had scores 0 either way: no change."""
        train = blobs(20, seed=12)
        eval_set = dcf.Dataset([[0.0, 0.0], [1.0, 1.0]], [1, 5])
        for method in ("influence", "newton"):
            estimate = dcf.influence(train, dcf.models.LogisticRegression(), eval_set, method=method)
            assert (estimate[:, 1] == 0).all() and (estimate[:, 0] != 0).any()



class TestErrors:
    train = dcf.Dataset([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
    model = dcf.models.LogisticRegression()

    def test_other_models_are_refused(self):
        """Only datacf's logistic regression has the closed-form Hessian."""
        with pytest.raises(TypeError, match=exact(
            "influence supports datacf.models.LogisticRegression only (its objective, Hessian and "
            "optimum are known in closed form); got KNN. Use dcf.models.LogisticRegression(C=...)."
        )):
            dcf.influence(self.train, dcf.models.KNN(k=1))

    def test_bad_model_parameters(self):
        """The learner's own parameter check runs first."""
        with pytest.raises(ValueError, match=exact("LogisticRegression needs a positive finite C; got C=-1.")):
            dcf.influence(self.train, dcf.models.LogisticRegression(C=-1))

    def test_multiclass_is_refused(self):
        """Three classes: the binary model does not apply."""
        with pytest.raises(ValueError, match=exact(
            "influence supports binary logistic regression only; the training labels hold 3 class(es), [0, 1, 2]."
        )):
            dcf.influence(dcf.Dataset([[0.0], [1.0], [2.0]], [0, 1, 2]), self.model)

    def test_train_must_be_a_dataset(self):
        """Raw arrays are refused with the wrapping to use."""
        with pytest.raises(TypeError, match=exact(
            "train must be a datacf.Dataset; got list. Wrap it: Dataset(X, y)."
        )):
            dcf.influence([[0.0]], self.model)

    def test_eval_must_be_a_dataset(self):
        """eval is a Dataset or None."""
        with pytest.raises(TypeError, match=exact("eval must be a datacf.Dataset or None; got ndarray.")):
            dcf.influence(self.train, self.model, eval=np.zeros((2, 1)))

    def test_eval_features_must_match(self):
        """Evaluation points in another feature space are refused."""
        with pytest.raises(ValueError, match=exact(
            "eval has 2 features but train has 1; evaluation points must live in the same feature space."
        )):
            dcf.influence(self.train, self.model, eval=dcf.Dataset([[0.0, 1.0]], [0]))

    def test_unknown_metric(self):
        """The metric must be one of the grid's."""
        with pytest.raises(ValueError, match=exact(
            "metric='auc' is not supported; choose one of ['prob_correct', 'accuracy', 'log_loss']."
        )):
            dcf.influence(self.train, self.model, metric="auc")

    def test_unknown_method(self):
        """The method must be influence, newton or exact."""
        with pytest.raises(ValueError, match=exact(
            "method='retrain' is not supported; choose one of ['influence', 'newton', 'exact']."
        )):
            dcf.influence(self.train, self.model, method="retrain")

    def test_exact_needs_both_classes_left(self):
        """Removing every point of a class leaves no optimum to retrain to: refused with the reason."""
        with pytest.raises(ValueError, match=exact(
            "groups[1] leaves a single class, so method='exact' has no optimum to retrain to (the unpenalised "
            "intercept runs off to infinity; the grid scores that row by its one-class convention). Remove "
            "fewer points, or use method='newton' or 'influence'."
        )):
            dcf.unlearn(self.train, self.model, groups=[[0], [1, 3]], method="exact")

    def test_one_class_left_is_allowed_for_steps(self):
        """The approximations still take their (finite) step when one class is left."""
        for method in ("influence", "newton"):
            assert np.isfinite(dcf.unlearn(self.train, self.model, groups=[[1, 3]], method=method).removed).all()

    def test_unlearn_names_itself(self):
        """unlearn's model check names unlearn."""
        with pytest.raises(TypeError, match=exact(
            "unlearn supports datacf.models.LogisticRegression only (its objective, Hessian and "
            "optimum are known in closed form); got KNN. Use dcf.models.LogisticRegression(C=...)."
        )):
            dcf.unlearn(self.train, dcf.models.KNN(k=1))

    def test_accuracy_needs_newton(self):
        """The first-order change of a piecewise-constant score is 0: refused with the reason."""
        with pytest.raises(ValueError, match=exact(
            "method='influence' cannot estimate metric='accuracy': accuracy is piecewise constant in the "
            "parameters, so its gradient is 0 almost everywhere and the first-order change is always 0. "
            "Use method='newton' (the accuracy of the stepped model), or metric='prob_correct' or 'log_loss'."
        )):
            dcf.influence(self.train, self.model, metric="accuracy")

    @pytest.mark.parametrize("groups, error, message", [
        ("AB", TypeError, "groups must be a sequence of groups of points; got str."),
        (3, TypeError, "groups must be a sequence of groups of points; got int."),
        ([], ValueError, "groups is empty; give at least one group, or None for one group per point."),
        ([[0], 1], TypeError, "groups[1] must be a sequence of point indices or names, such as [0, 3] or "
                              "['A', 'D']; got 1."),
        ([[0], "AB"], TypeError, "groups[1] must be a sequence of point indices or names, such as [0, 3] or "
                                 "['A', 'D']; got 'AB'."),
        ([[4]], ValueError, "groups[0] holds 4, which is not a training point; pass indices in range(4) or "
                            "names from ['A', 'B', 'C', 'D']."),
        ([["E"]], ValueError, "groups[0] holds 'E', which is not a training point; pass indices in range(4) "
                              "or names from ['A', 'B', 'C', 'D']."),
        ([[True]], ValueError, "groups[0] holds True, which is not a training point; pass indices in range(4) "
                               "or names from ['A', 'B', 'C', 'D']."),
        ([[0, "A"]], ValueError, "groups[0] names point 'A' twice."),
        ([[1], []], ValueError, "groups[1] is empty; a group must remove at least one point."),
        ([[0, 1, 2, 3]], ValueError, "groups[0] removes every training point; at least one must remain for a "
                                     "model to be fitted (the grid's empty row is a convention, not a model)."),
    ])
    def test_bad_groups(self, groups, error, message):
        """Each malformed group is refused with what is wrong and how to write it."""
        with pytest.raises(error, match=exact(message)):
            dcf.influence(self.train, self.model, groups=groups)


@pytest.mark.parametrize("function", [dcf.influence, dcf.unlearn])
def test_docstring_example(function):
    """The examples run (pytest's doctest collection skips objects whose __module__ is "datacf")."""
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(function):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0

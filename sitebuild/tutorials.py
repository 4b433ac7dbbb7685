"""Guided tutorials: a preset's goal, step, question and answer, every number read from its grid.

A preset of ``docs/explorer_presets.toml`` becomes a tutorial with a ``[NAME.tutorial]`` table
(keys in ``TUTORIAL_KEYS``). Its texts quote the preset's computed numbers with ``{{ … }}``
readings, never typed-in numbers::

    notice = "E's Shapley value is {{ shapley(E) }}, the lowest: {{ argmin(shapley) }}."
    answer = "{{ after.shapley(E) }}"

A reading is a call, ``name(arg, ...)``, whose arguments are point, row or column names,
integers, reading names or other calls (``best_utility(smallest_beating_full())``). Readings
of ``READINGS`` come from one :func:`datacf._explorer.explore` result, so the page can evaluate
them again on the live numbers (``docs/js/explorer-tutorial.js`` implements the same table);
``BUILD_READINGS`` need more than one grid and may appear only in the goal, do and notice
texts. In those texts ``after.`` reads the state after the tutorial's ``step`` (a small edit
the reader is asked to make: move or relabel points, change the model, the focus, ...). The
answer is always read from the state the question is about: after the step if there is one.

Numbers are formatted as ``datacf._view.format_number`` does: values and differences with a
sign (``+.3f``), utilities and scores without (``.3f``); ties are broken towards the lower
point index, and a build-time answer that depends on a tie fails the build, since the page's
numbers could break it the other way.
"""
import re

from datacf._view import format_number

__all__ = ["TUTORIAL_KEYS", "TUTORIAL_REQUIRED", "STEP_KEYS", "READINGS", "BUILD_READINGS", "TIE_TOL", "TutorialError",
           "Reader", "render_text", "readings_in"]

TUTORIAL_KEYS = {
    "goal": "what the reader learns (text with {{ readings }})",
    "do": "what to do in the explorer (text)",
    "notice": "what to notice (text)",
    "question": "a question whose answer comes from the numbers (text)",
    "answer": "the answer as text with {{ readings }} of the question's state",
    "step": "optional: the edit the reader is asked to make (see STEP_KEYS)",
}
TUTORIAL_REQUIRED = ("goal", "do", "notice", "question", "answer")
STEP_KEYS = {
    "move": "{ E = [x1, x2] }: move training points",
    "relabel": "{ E = 0 }: give training points a new class",
    "model": "KNN, LogisticRegression or NearestCentroid",
    "params": "model parameters, e.g. { k = 3 }",
    "metric": "prob_correct, accuracy or log_loss",
    "convention": "fallback or zero",
    "focus": "evaluation columns by name",
    "eval": '"train": score on the training points',
    "lens": "the lens",
    "lens_options": "as the preset's lens_options",
    "selection": "a row name",
}
TIE_TOL = 1e-9          # values closer than this are a tie: live numbers may differ in the last bits
_SIGNED = "+.3f"        # values, gains and differences
_PLAIN = ".3f"          # utilities and cell scores
VALUE_READINGS = ("loo", "shapley", "banzhaf", "beta")
# name: (number of arguments, or -1 for one or more; what it returns)
READINGS = {
    "loo": (1, "value"), "shapley": (1, "value"), "banzhaf": (1, "value"), "beta": (1, "value"),
    "interaction": (2, "value"), "group": (-1, "value"), "poison": (0, "value"), "sum": (1, "value"),
    "utility": (1, "score"), "cell": (2, "score"), "scaling": (1, "score"), "best_utility": (1, "score"),
    "argmax": (1, "name"), "argmin": (1, "name"), "rank": (2, "int"),
    "smallest_beating_full": (0, "int"), "first_rise": (0, "int"),
    "sign": (1, "name"), "pair_kind": (2, "name"),
}
# flip(P) is U({P}) - U(∅) of the label-flip edit grid that explore() returns (Reader._flip_effect); it
# stays build-only until the page's reader (docs/js/explorer-tutorial.js) offers it too.
BUILD_READINGS = {"flip": (1, "value")}
_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)
_TOKEN = re.compile(r"\s*([(),]|[^\s(),]+)")


class TutorialError(ValueError):
    """Raised when a tutorial's text has a bad reading, or its answer rests on a tie."""


def _tokens(text, where):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise TutorialError(f"{where}: cannot read {text!r}.")
        out.append(match.group(1))
        pos = match.end()
    return out


def _parse(text, where):
    """``{{ … }}`` text into a tree: ("call", name, [args]) or ("lit", text)."""
    tokens = _tokens(text, where)

    def expr(k):
        if k >= len(tokens) or tokens[k] in "(),":
            raise TutorialError(f"{where}: expected a name in {{{{ {text.strip()} }}}}.")
        if k + 1 < len(tokens) and tokens[k + 1] == "(":
            name, args, k = tokens[k], [], k + 2
            while tokens[k:k + 1] != [")"]:
                arg, k = expr(k)
                args.append(arg)
                if tokens[k:k + 1] == [","]:
                    k += 1
                elif tokens[k:k + 1] != [")"]:
                    raise TutorialError(f"{where}: expected ',' or ')' in {{{{ {text.strip()} }}}}.")
            return ("call", name, args), k + 1
        return ("lit", tokens[k]), k + 1

    tree, k = expr(0)
    if k != len(tokens):
        raise TutorialError(f"{where}: unexpected {tokens[k]!r} in {{{{ {text.strip()} }}}}.")
    return tree


def readings_in(text, where="text"):
    """The reading names a template text calls (``after.`` kept), checked against the tables."""
    names = []

    def walk(node):
        if node[0] == "call":
            names.append(node[1])
            for arg in node[2]:
                walk(arg)

    for match in _TEMPLATE.finditer(text):
        walk(_parse(match.group(1), where))
    return names


class Reader:
    """Readings of one explore() result (``values`` included) of a preset's state."""

    def __init__(self, out):
        self.out = out
        self.names = out["point_names"]
        self.cols = out["eval_names"]
        self.n = len(self.names)
        self.full = 2**self.n - 1
        self.u = out["utility"]
        self.r = out["readings"]

    def point(self, name):
        if not isinstance(name, str) or name not in self.names:
            raise TutorialError(f"{name!r} is not a training point; they are {self.names}.")
        return self.names.index(name)

    def row(self, name):
        if not isinstance(name, str):
            raise TutorialError(f"expected a row name, got {name!r}.")
        if name == "full":
            return self.full
        if name in ("∅", "empty"):
            return 0
        members = list(name) if all(len(n) == 1 for n in self.names) else name.split(",")
        row = 0
        for member in members:
            row |= 1 << self.point(member)
        return row

    def vector(self, name):
        if name not in VALUE_READINGS:
            raise TutorialError(f"{name!r} is not one of the values {list(VALUE_READINGS)}.")
        return self.r[name]

    def _extreme(self, values, sign, strict):
        best = max(sign * v for v in values)
        hits = [i for i, v in enumerate(values) if sign * v >= best - TIE_TOL]
        if strict and len(hits) > 1:
            raise TutorialError(f"the answer depends on a tie between {[self.names[i] for i in hits]}.")
        return self.names[hits[0]]

    def _flip_effect(self, row):
        """U(F) - U(∅) in the label-flip edit grid: what flipping the labels of row ``row``'s points does."""
        flips = self.out["poison"]["utility"]
        return flips[row] - flips[0]

    def call(self, name, args, strict):
        """(value, kind) of reading ``name`` with evaluated ``args``."""
        lit = args
        if name in ("loo", "shapley", "banzhaf", "beta"):
            return self.r[name][self.point(lit[0])], "value"
        if name == "interaction":
            return self.r["interaction"][self.point(lit[0])][self.point(lit[1])], "value"
        if name == "group":
            mask = sum(1 << self.point(p) for p in set(lit))
            return self.u[self.full] - self.u[self.full & ~mask], "value"
        if name == "poison":
            return self._flip_effect(sum(1 << i for i in self.out["state"]["lens"]["group"])), "value"
        if name == "sum":
            return sum(self.vector(lit[0])), "value"
        if name == "utility":
            return self.u[self.row(lit[0])], "score"
        if name == "cell":
            if lit[1] not in self.cols:
                raise TutorialError(f"{lit[1]!r} is not an evaluation column; they are {self.cols}.")
            return self.out["values"][self.row(lit[0])][self.cols.index(lit[1])], "score"
        if name == "scaling":
            return self.r["scaling"][_int(lit[0], 0, self.n)], "score"
        if name == "best_utility":
            return self.r["best"][_int(lit[0], 0, self.n)]["utility"], "score"
        if name in ("argmax", "argmin"):
            return self._extreme(self.vector(lit[0]), 1 if name == "argmax" else -1, strict), "name"
        if name == "rank":
            values = self.vector(lit[0])
            v = values[self.point(lit[1])]
            return 1 + sum(1 for w in values if w > v + TIE_TOL), "int"
        if name == "smallest_beating_full":
            sizes = [b["size"] for b in self.r["best"] if b["utility"] > self.u[self.full] + TIE_TOL]
            return (min(sizes) if sizes else "none"), ("int" if sizes else "name")
        if name == "first_rise":
            sizes = [k for k, v in enumerate(self.r["scaling"]) if v > self.r["scaling"][0] + TIE_TOL]
            return (min(sizes) if sizes else "none"), ("int" if sizes else "name")
        if name == "sign":
            v = _number(lit[0])
            return ("zero" if abs(v) <= TIE_TOL else "positive" if v > 0 else "negative"), "name"
        if name == "pair_kind":
            v = self.r["interaction"][self.point(lit[0])][self.point(lit[1])]
            return ("independent" if abs(v) <= TIE_TOL else "complements" if v > 0 else "substitutes"), "name"
        if name == "flip":
            return self._flip_effect(1 << self.point(lit[0])), "value"
        raise TutorialError(f"unknown reading {name!r}.")


def _number(value):
    if isinstance(value, str):
        raise TutorialError(f"expected a number, got the name {value!r}.")
    return float(value)


def _int(text, low, high):
    try:
        k = int(text)
    except (TypeError, ValueError):
        raise TutorialError(f"expected an integer from {low} to {high}; got {text!r}.") from None
    if not low <= k <= high:
        raise TutorialError(f"expected an integer from {low} to {high}; got {k}.")
    return k


def _format(value, kind):
    if kind == "value":
        return format_number(value, _SIGNED)
    if kind == "score":
        return format_number(value, _PLAIN)
    return str(value)


def render_text(text, readers, where, *, allow_build=True, strict=False):
    """``text`` with each ``{{ reading }}`` replaced by its formatted number or name.

    ``readers`` maps a prefix ("" or "after.") to a :class:`Reader`; ``allow_build`` admits
    ``BUILD_READINGS``; ``strict`` makes a tie in argmax/argmin an error.
    """
    def evaluate(node):
        if node[0] == "lit":
            return node[1], "lit"
        name = node[1]
        prefix = ""
        for candidate in readers:
            if candidate and name.startswith(candidate):
                prefix, name = candidate, name[len(candidate):]
        known = dict(READINGS, **(BUILD_READINGS if allow_build else {}))
        if name not in known:
            extra = "" if allow_build or name not in BUILD_READINGS else " (the page cannot compute it yet, so an answer cannot use it)"
            raise TutorialError(f"{where}: unknown reading {name!r}{extra}; the readings are {sorted(known)}.")
        if prefix not in readers:
            raise TutorialError(f"{where}: {prefix!r} readings need a step.")
        arity = known[name][0]
        if (arity == -1 and not node[2]) or (arity >= 0 and len(node[2]) != arity):
            raise TutorialError(f"{where}: {name}() takes {'one or more' if arity == -1 else arity} argument(s).")
        args = [evaluate(a)[0] for a in node[2]]
        try:
            return readers[prefix].call(name, args, strict)
        except TutorialError as error:
            raise TutorialError(f"{where}: {{{{ {name}(…) }}}}: {error}") from None

    def replace(match):
        value, kind = evaluate(_parse(match.group(1), where))
        if kind == "lit":
            raise TutorialError(f"{where}: {{{{ {match.group(1).strip()} }}}} is a name, not a reading.")
        return _format(value, kind)

    return _TEMPLATE.sub(replace, text)

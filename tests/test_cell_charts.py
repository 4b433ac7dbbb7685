"""A cell's chart update (datacf._browser.redraw_chart): the display the page applies, and bad input refused."""
import json

import numpy as np
import pytest

from datacf._browser import ChartUpdate, display_of, redraw_chart, run_cell


def test_display_holds_the_numbers_as_plain_floats():
    update = redraw_chart("weights", [np.array([1, 2.5]), [0.25, -3]], x=(0.5, 1.5),
                          names=np.array(["A", "BC"]).tolist(), title="Mine")
    assert display_of(update) == {
        "kind": "chart", "id": "weights",
        "update": {"series": [{"y": [1.0, 2.5]}, {"y": [0.25, -3.0]}], "x": [0.5, 1.5],
                   "names": ["A", "BC"], "title": "Mine"},
    }


def test_only_given_fields_are_sent():
    assert display_of(redraw_chart("c", [[3]]))["update"] == {"series": [{"y": [3.0]}]}


def test_a_cell_ending_in_a_chart_update_returns_it_as_json():
    """Through the runner the worker uses, the display survives the JSON round trip unchanged."""
    code = ("from datacf._browser import redraw_chart\n"
            "import numpy as np\n"
            "redraw_chart('s', [np.arange(3) / 4], x=[1, 2, 3])")
    reply = json.loads(run_cell(code))
    assert reply["error"] is None
    assert reply["display"] == {"kind": "chart", "id": "s",
                                "update": {"series": [{"y": [0.0, 0.25, 0.5]}], "x": [1.0, 2.0, 3.0]}}


def test_repr_names_the_chart_and_fields():
    assert repr(redraw_chart("s", [[1]], x=[2])) == "ChartUpdate('s', fields=['series', 'x'])"
    assert isinstance(redraw_chart("s", [[1]]), ChartUpdate)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"chart_id": "", "series": [[1]]}, TypeError, "chart_id must be the chart's id"),
    ({"chart_id": 3, "series": [[1]]}, TypeError, "chart_id must be the chart's id"),
    ({"chart_id": "c", "series": []}, TypeError, "series must be a non-empty list"),
    ({"chart_id": "c", "series": "12"}, TypeError, "series must be a non-empty list"),
    ({"chart_id": "c", "series": [["a", "b"]]}, TypeError, "series 0 must be a list of numbers"),
    ({"chart_id": "c", "series": [[]]}, ValueError, "series 0 must be a non-empty 1-D list"),
    ({"chart_id": "c", "series": [[[1, 2]]]}, ValueError, r"non-empty 1-D list of numbers; got shape \(1, 2\)"),
    ({"chart_id": "c", "series": [[1, float("nan")]]}, ValueError, "series 0 holds NaN or infinity"),
    ({"chart_id": "c", "series": [[1, 2], [1, np.inf]]}, ValueError, "series 1 holds NaN or infinity"),
    ({"chart_id": "c", "series": [[1, 2], [1, 2, 3]]}, ValueError, "series 1 has 3 numbers, but the chart has 2"),
    ({"chart_id": "c", "series": [[1, 2]], "x": [1]}, ValueError, "x has 1 numbers, but the chart has 2"),
    ({"chart_id": "c", "series": [[1, 2]], "names": "AB"}, TypeError, "names must be a list of strings"),
    ({"chart_id": "c", "series": [[1, 2]], "names": ["A", 2]}, TypeError, "names must be a list of strings"),
    ({"chart_id": "c", "series": [[1, 2]], "names": ["A"]}, ValueError, "names has 1 labels, but the chart has 2"),
    ({"chart_id": "c", "series": [[1, 2]], "title": 5}, TypeError, "title must be a string"),
])
def test_bad_input_is_refused_with_a_message(kwargs, error, match):
    with pytest.raises(error, match=match):
        redraw_chart(**kwargs)

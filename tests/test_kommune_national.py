"""The national analyses cut by municipality: each municipality's rows as a slice of frames
sorted by municipality, the same rows in the same order as a filter on the number gives."""

from __future__ import annotations

import pandas as pd
import pytest

from kompetanse.reports.kommune_national import _sorted_by_municipality


@pytest.mark.parametrize("dtype", ["str", "object", "category"])
def test_each_municipality_gets_its_rows_in_their_order_and_rows_without_a_number_none(dtype):
    # found in review: a missing number made the sort raise (str against float)
    frame = pd.DataFrame({
        "kommunenummer": ["5001", "0301", None, "5001", "0301", "1151", None],
        "verdi": [1, 2, 3, 4, 5, 6, 7],
    }, index=[10, 11, 12, 13, 14, 15, 16]).astype({"kommunenummer": dtype})
    ordered, ranges = _sorted_by_municipality(frame)
    assert set(ranges) == {"0301", "1151", "5001"}
    for nr, (start, stop) in ranges.items():
        expected = frame[frame["kommunenummer"].astype("str") == nr]
        pd.testing.assert_frame_equal(ordered.iloc[start:stop], expected)
    assert len(ordered) == 5  # the two rows without a number are in no municipality's slice


def test_a_frame_without_rows_has_no_municipalities():
    ordered, ranges = _sorted_by_municipality(pd.DataFrame({"kommunenummer": pd.Series([], dtype="str")}))
    assert ranges == {} and ordered.empty

from kompetanse.errors import DataError, Problem


def test_problem_reads_as_file_row_column_value_expected():
    p = Problem("tilbud.csv", 7, "niva", "universal", "one of universell, selektiv, indikativ")
    assert str(p) == "tilbud.csv:7: column 'niva': value 'universal': one of universell, selektiv, indikativ"


def test_file_level_problem_has_no_row_or_column():
    assert str(Problem("tilbud.csv", None, None, None, "file missing")) == "tilbud.csv: file missing"


def test_huge_values_are_shortened_in_messages():
    p = Problem("a.csv", 2, "ansatt_id", "x" * 5000, "at most 64 characters")
    assert "… (5000 characters)" in str(p) and len(str(p)) < 200


def test_data_error_keeps_the_order_given_and_counts_problems():
    err = DataError([Problem("b.csv", 3, "x", "1", "e"), Problem("a.csv", 9, "x", "1", "e")])
    assert [(p.file, p.row) for p in err.problems] == [("b.csv", 3), ("a.csv", 9)]
    assert str(err).startswith("2 problems in the data:\nb.csv:3:")


def test_data_error_message_is_capped_at_twenty_lines():
    err = DataError([Problem("a.csv", i, "x", "1", "e") for i in range(2, 40)])
    assert str(err).endswith("… and 18 more problems")

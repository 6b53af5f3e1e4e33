"""The report layer: what each notebook section calls (tables, figures, text), with the labels,
colours and formatting the reports share."""

"""The analyses: coverage and retention, programme progress, comparisons with county and country,
the national overview and disclosure control. Functions take a Dataset or frames and return tidy frames."""

"""Thresholds and settings of the analyses, in one documented place. Functions take these as
keyword defaults; change them per call, never by editing literals elsewhere."""

from __future__ import annotations

#: A level is `dekket` when at least one method serving it has this many active certified staff.
MIN_CERTIFIED = 2
#: A level is `sarbar` when every active certification at it expires within this many months.
EXPIRY_MONTHS = 12
#: Retention looks this many months ahead (certifications expiring, projected status).
HORIZON_MONTHS = 12
#: Programme progress: a municipality is `forsinket` when its share of planned activities held
#: is more than this many percentage points (as a fraction) behind the share of time passed.
PROGRESS_TOLERANCE = 0.15
#: Disclosure control: counts of parents or participants below this are suppressed (Udir's
#: barnehage rule is fewer than 5 respondents).
MIN_COUNT = 5
#: How a suppressed cell is shown in published tables (Statistics Norway's symbol).
SUPPRESSED_MARKER = ":"
#: Staff policy (`docs/staff-policy.md`): a published page gives a count of persons who left
#: or whose certification expires, or a status or date that rests on such persons, only when at
#: least this many persons are concerned; otherwise the cell is suppressed (0 included).
MIN_STAFF_EVENTS = 3
#: The editions of a report build: `offentlig` (the published site, following the staff
#: policy) and `intern` (the municipality's own leaders: full retention detail, never published).
EDITIONS = ("offentlig", "intern")
#: Coverage statuses from best to worst (the ``status`` of `coverage_by_level`).
COVERAGE_STATUSES = ("dekket", "sarbar", "mangler")
#: Programme progress statuses (the ``status`` of `programme_progress`, the ``fremdrift_*``
#: counts of `cohort_summary`); not the participation status of ``program_deltakelse``, which is
#: `kompetanse.data.schema.DELTAKELSE_STATUS`.
PROGRESS_STATUSES = ("i_rute", "forsinket", "fullfort", "avbrutt")
#: Comparisons: rates are shown per this many of the denominator (per 1,000 children 0–17).
RATE_PER = 1000
#: Comparisons: confidence level of the interval that decides `bedre`/`darligere` against the
#: national rate.
CONFIDENCE_LEVEL = 0.95
#: Peers: municipalities are grouped by inhabitants into size bands starting at these lower
#: bounds (under 2 000, 2 000–4 999, 5 000–19 999, 20 000–99 999, 100 000 and more), so that Oslo
#: sits with the largest cities. A supplied KOSTRA grouping takes precedence.
PEER_BANDS = (2000, 5000, 20000, 100000)
#: Trends: fewer years than this give no trend marker.
TREND_MIN_YEARS = 3
#: Input limits: a workbook that unpacks to more than this many MB is refused before it is read
#: (a 3 MB file can unpack to 3 GB); the national sample as one workbook unpacks to about 9 MB.
WORKBOOK_MAX_UNPACKED_MB = 100
#: Input limits: a sheet whose cells with content span more cells than this (rows × columns,
#: from A1 to the last cell) is refused before it is read: readers allocate every cell of that
#: rectangle, so one stray value in XFD1048576 asks for 17 billion. Two million is 100 000 rows
#: of 20 columns, twenty times the national sample's largest table.
WORKBOOK_MAX_CELLS = 2_000_000

"""The `kompetanse` command line: a thin layer over the Python API.

Exit codes: 0 success, 1 bad data (or failed reports), 2 usage errors (no such path,
unreadable file, bad arguments).
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
from datetime import date
from pathlib import Path

from kompetanse import __version__
from kompetanse.errors import UsageError, argument_error
from kompetanse.formatting import number


def _fmt(n: int) -> str:
    """A count for the terminal: ``26 213`` (an ordinary space between thousands)."""
    return number(n, thousands=" ")


def _cmd_sample(args: argparse.Namespace) -> int:
    from kompetanse.data.sample import write_sample

    if args.scale <= 0:
        raise argument_error("--scale", "a positive number", args.scale)
    paths = write_sample(args.out, seed=args.seed, scale=args.scale, effect=args.effect,
                         effect_growth=args.effect_growth)
    for name, path in paths.items():
        print(f"wrote {path} ({name})")
    return 0


def _staff_headline(validation, where: Path) -> dict | None:
    """The headline staff figure of valid data: `staff_counts` summed over municipalities (a
    person counts once per municipality), on the reference date; None without a period."""
    from kompetanse.analysis.coverage import staff_counts
    from kompetanse.analysis.periods import reference_date
    from kompetanse.data.dataset import build_dataset

    ds = build_dataset(validation, where)
    try:
        on = reference_date(ds)
    except UsageError:  # no rows in tilbud or befolkning: no status date to count on
        return None
    totals = staff_counts(ds, on=on)[["sertifiserte", "sertifiseringer"]].sum()
    return {"dato": on.date().isoformat(), "sertifiserte": int(totals["sertifiserte"]),
            "sertifiseringer": int(totals["sertifiseringer"])}


def _headline_line(staff: dict) -> str:
    """``Aktive sertifiserte ansatte 31.12.2025: 3 327 personer (3 729 sertifiseringer)``."""
    persons, certs = staff["sertifiserte"], staff["sertifiseringer"]
    day = f"{date.fromisoformat(staff['dato']):%d.%m.%Y}"
    return (f"Aktive sertifiserte ansatte {day}: {_fmt(persons)} person{'' if persons == 1 else 'er'} "
            f"({_fmt(certs)} sertifisering{'' if certs == 1 else 'er'})")


def _cmd_validate(args: argparse.Namespace) -> int:
    from kompetanse.data.dataset import check

    validation, where = check(args.path, tilbakemelding=args.tilbakemelding)
    counts = validation.counts
    read, accepted, rejected = (int(counts[c].sum()) for c in ("read", "accepted", "rejected"))
    n_tables = counts["table"].nunique()  # a table in two files or sheets has a line for each
    # the headline is of valid data only: with rejected rows it would count part of the staff
    staff = None if validation.problems else _staff_headline(validation, where)
    if args.rejected:
        from kompetanse.reports.tables import neutralise_formula

        # opened in a spreadsheet: a rejected value such as =HYPERLINK(...) must stay text
        validation.rejected.astype("object").map(neutralise_formula).to_csv(args.rejected, index=False)
    if not args.quiet:
        for note in validation.notes:
            print(f"note: {note}", file=sys.stderr)
    if args.json:
        import json

        print(json.dumps({"path": str(where), "valid": not validation.problems, "tables": n_tables,
                          "rows_read": read, "accepted": accepted, "rejected": rejected,
                          "problems": [str(p) for p in validation.problems], "aktive_sertifiserte": staff},
                         ensure_ascii=False))
        return 1 if validation.problems else 0
    out = sys.stdout
    for problem in validation.problems:
        print(problem, file=out)
    print(
        f"\n{where}: {n_tables} table{'s' if n_tables != 1 else ''}, "
        f"{_fmt(read)} rows read, {_fmt(accepted)} accepted, {_fmt(rejected)} rejected, "
        f"{_fmt(len(validation.problems))} problem{'s' if len(validation.problems) != 1 else ''}",
        file=out,
    )
    if staff is not None:
        print(_headline_line(staff), file=out)
    if not args.quiet:
        for row in counts.itertuples(index=False):
            print(f"  {row.table:<24}{row.file:<36}{_fmt(row.read):>10} read"
                  f"{_fmt(row.accepted):>10} accepted{_fmt(row.rejected):>8} rejected", file=out)
    if args.rejected:
        print(f"rejected rows with reasons written to {args.rejected}", file=out)
    if args.tilbakemelding:
        print(f"feedback workbook written to {args.tilbakemelding}: the problem cells marked, a Feil column "
              f"per row and a summary sheet (Oppsummering); fix the cells and send that file again", file=out)
    return 1 if validation.problems else 0


def _cmd_mal(args: argparse.Namespace) -> int:
    from kompetanse.data.template import default_template_name, write_template

    out = args.out or Path(default_template_name(args.kommune))
    notes = write_template(out, kommune=args.kommune, data=args.data, overwrite=args.force)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {out}" + (f" for {args.kommune}" if args.kommune else "")
          + (f" with its rows from {args.data}" if args.data else ""))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from kompetanse.build.batch import build_reports
    from kompetanse.errors import DataError

    if args.jobs is not None and args.jobs < 1:
        raise argument_error("--jobs", "1 or more", args.jobs)
    from kompetanse.build.guard import BuildWriteError, stop_signals

    try:
        # SIGTERM (a service manager, a CI timeout) and SIGHUP end the build as Ctrl-C does
        with stop_signals() as came:
            result = build_reports(args.data, out=args.out, periode=args.periode, kommuner=args.kommune or (),
                                   alle=args.alle, jobs=args.jobs, force=args.force, progress=not args.quiet,
                                   pdf=not args.uten_pdf, utgave=args.utgave, kommunegrupper=args.kommunegrupper)
    except DataError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"\nno reports built: {len(exc.problems)} problems in the data (see kompetanse validate)")
        return 1
    except KeyboardInterrupt:
        how = {signal.SIGTERM: "stopped (SIGTERM)", getattr(signal, "SIGHUP", None): "stopped (SIGHUP)"}.get(
            came.get("signal"), "interrupted")
        print(f"{how}: finished reports are kept and the manifest says which are not done; run the same "
              f"command again to build the rest", file=sys.stderr)
        return 128 + came.get("signal", signal.SIGINT)
    except BuildWriteError as exc:
        print(f"kompetanse report: error: {exc}", file=sys.stderr)
        return 1
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    built, unchanged = result.count("built"), result.count("unchanged")
    print(f"{result.folder}/index.html: {built} built, {unchanged} unchanged, {len(result.failed)} failed "
          f"in {result.seconds:.1f} s (manifest: {result.folder}/manifest.json)")
    if args.utgave == "intern":
        print(f"the INTERNAL edition: every page is marked internal and shows events about one or two persons; "
              f"never publish {result.folder} (docs/staff-policy.md)")
    for report in result.failed:
        cell = f" (cell {report.error_cell})" if report.error_cell is not None else ""
        print(f"FAILED {report.key}{cell}: {report.error}")
    _report_pdfs(result)
    for error in result.errors:
        print(f"FAILED: {error}")
    return 1 if result.failed or result.failed_pdfs or result.errors else 0


def _report_pdfs(result) -> None:
    """The PDFs' line of `kompetanse report`, and why there are none when they could not be made."""
    if result.pdf_warning:
        print(f"warning: no PDFs: {result.pdf_warning}", file=sys.stderr)
    if result.pdfs:
        counts = {s: sum(p.status == s for p in result.pdfs) for s in ("built", "unchanged", "failed")}
        print(f"PDFs: {counts['built']} built, {counts['unchanged']} unchanged, {counts['failed']} failed")
    for p in result.failed_pdfs:
        print(f"FAILED {p.pdf}: {p.error}")


def _cmd_outcomes(args: argparse.Namespace) -> int:
    # Every message goes to standard error, so that with --json standard output holds the JSON
    # object or nothing at all, and a script can parse it without filtering.
    import json

    import kompetanse
    from kompetanse.errors import DataError
    from kompetanse.outcomes import outcome_study

    try:
        result = outcome_study(kompetanse.load(args.data), indikator=args.indikator, weighted=not args.uvektet,
                               exclude_withdrawn=args.uten_avbrutt)
    except DataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"\nno estimate: {len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} in the data",
              file=sys.stderr)
        return 1
    es = result.event_study
    refused = es.loc[es["no_interval_reason"].notna(), "rel_year"].tolist()
    years = (f"no interval for year{'s' if len(refused) > 1 else ''} {', '.join(map(str, refused))} from the "
             f"start: {'each rests' if len(refused) > 1 else 'it rests'} on one treated municipality"
             if refused and not result.no_interval_reason else None)
    overall = f"no interval: {result.no_interval_reason}" if result.no_interval_reason else None
    notes = [n for n in (overall, years, result.placebo.note) if n]
    if args.json:
        for note in notes:
            print(f"kompetanse outcomes: {note}", file=sys.stderr)
        print(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False))
        return 0
    level = f"{result.confidence_level * 100:g} %"
    placebo = result.placebo
    print(f"outcome study: '{result.indikator}', "
          f"{'weighted by respondents' if result.weighted else 'unweighted'}, "
          f"withdrawn municipalities {'excluded' if result.exclude_withdrawn else 'included'}")
    print(f"  estimate                 {result.estimate:+.3f} points on the 1-5 scale")
    if result.no_interval_reason:
        print(f"  {level + ' CI':<25}none: {result.no_interval_reason}")
        print("  p-value                  none")
    else:
        p = "< 0.001" if result.p_value < 0.001 else f"{result.p_value:.3f}"
        print(f"  {level + ' CI':<25}{result.ci_low:+.3f} to {result.ci_high:+.3f}")
        print(f"  p-value                  {p}")
    print(f"  treated municipalities   {result.n_treated}")
    print(f"  control municipalities   {result.n_control}")
    if placebo.df:
        joint = ("too few effective treated municipalities for a joint test"
                 if math.isnan(placebo.wald_p_value) else f"p = {placebo.wald_p_value:.3f}")
        print(f"  pre-period test          Wald = {placebo.wald_statistic:.2f}, df = {placebo.df}, {joint}")
    if not math.isnan(placebo.estimate) and not math.isnan(placebo.p_value):
        print(f"  pre-period average       {placebo.estimate:+.3f}, p = {placebo.p_value:.3f}")
    # the interval's line says why it is missing, the pre-period test's line why its p-value is
    for note in (years, None if placebo.df else placebo.note):
        if note:
            print(f"  note: {note}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kompetanse",
        description="Competence for parent support and FUB/FUG programme progress in Norwegian "
        "municipalities. Without a data path, every command uses the synthetic sample in data/sample/.",
    )
    parser.add_argument("--version", action="version", version=f"kompetanse {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from kompetanse.data.sample import DEFAULT_EFFECT, DEFAULT_SEED

    p = sub.add_parser("sample", help="write the synthetic national data set as CSV files")
    p.add_argument("--out", type=Path, default=Path("data/sample"), help="folder to write (default: data/sample)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply staff and activity rows, e.g. 10 for load tests (default: 1)")
    p.add_argument("--effect", type=float, default=DEFAULT_EFFECT,
                   help="planted improvement of 'samarbeid' in participating municipalities after "
                   f"their start, on the 1-5 scale (default: {DEFAULT_EFFECT})")
    p.add_argument("--effect-growth", type=float, default=0.0,
                   help="added to the effect for each further year after the first full year, so that "
                   "it grows over time (default: 0, a constant step)")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("validate", help="check a submission against the data contract")
    p.add_argument("path", nargs="?", type=Path, default=None,
                   help="a folder of CSV files or one .xlsx workbook (default: data/sample/)")
    p.add_argument("--rejected", type=Path, metavar="CSV",
                   help="also write the rejected rows with their reasons to this CSV file")
    p.add_argument("--tilbakemelding", type=Path, metavar="OUT.xlsx",
                   help="also write the submission back as a workbook with every problem cell marked and "
                   "commented, a Feil column per row and a first sheet summarising the problems; the "
                   "municipality fixes the cells and sends that file again (written with or without problems)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print only the problems, the total and the staff headline")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text: the counts, "
                   "the problems and, for valid data, the active certified staff")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("mal", help="write the submission template: an Excel workbook to fill in",
                       description="Write the submission template: a sheet per table of the data contract with "
                       "its headers, a note per column, dropdown lists of the allowed values, dates and numbers "
                       "that Excel keeps as such, and an instruction sheet in Norwegian. A filled template "
                       "passes kompetanse validate. An existing file is not overwritten without --force.")
    p.add_argument("--kommune", metavar="NR", default=None,
                   help="one municipality (four digits, 2024 numbering): its number is the only entry of the "
                   "kommunenummer dropdowns and its name is on the instruction sheet")
    p.add_argument("--out", type=Path, default=None, metavar="FILE.xlsx",
                   help="the workbook to write (default: mal.xlsx, or mal-NR.xlsx with --kommune)")
    p.add_argument("--data", type=Path, default=None, metavar="PATH",
                   help="with --kommune: a folder of CSV files or an .xlsx workbook whose rows for the "
                   "municipality are prefilled, so that next year's submission is an update")
    p.add_argument("--force", action="store_true", help="overwrite FILE.xlsx if it exists")
    p.set_defaults(func=_cmd_mal)

    p = sub.add_parser("report", help="build the HTML reports of a period")
    p.add_argument("--data", type=Path, default=None, help="a folder of CSV files or an .xlsx workbook "
                   "(default: data/sample/)")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports)")
    p.add_argument("--periode", default=None, metavar="YEAR", help="the year to report on (default: the latest)")
    p.add_argument("--kommune", nargs="+", metavar="NR", help="municipalities to build reports for")
    p.add_argument("--alle", action="store_true", help="build a report for every municipality")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes (default: CPUs)")
    p.add_argument("--force", action="store_true", help="rebuild reports whose inputs have not changed")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--uten-pdf", action="store_true",
                   help="no PDFs (by default each municipal page and the national overview get a tagged A4 PDF)")
    p.add_argument("--utgave", default="offentlig", choices=("offentlig", "intern"),
                   help="offentlig: the public edition, the published site, which follows the staff policy "
                   "(docs/staff-policy.md); intern: for the municipalities' own leaders, every count of staff "
                   "leaving or expiring, every page marked internal, written to OUT-intern/ and never into OUT "
                   "(default: offentlig)")
    p.add_argument("--kommunegrupper", type=Path, default=None, metavar="CSV",
                   help="compare each municipality with the peers of this grouping (one group per municipality, "
                   "e.g. SSB's KOSTRA groups: columns kommunenummer, gruppe, gruppenavn) instead of size bands; "
                   "a change to the file rebuilds the municipal reports")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("outcomes", help="does the programme improve the parent survey? (difference in differences)")
    p.add_argument("--data", type=Path, default=None, help="a folder of CSV files or an .xlsx workbook "
                   "(default: data/sample/)")
    p.add_argument("--indikator", default="samarbeid", metavar="NAME",
                   help="survey indicator to study (default: samarbeid)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--uvektet", action="store_true", help="weigh every municipality and school type equally "
                   "instead of by respondents")
    p.add_argument("--uten-avbrutt", action="store_true", help="leave out municipalities that withdrew")
    p.set_defaults(func=_cmd_outcomes)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"kompetanse {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

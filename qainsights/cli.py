"""The ``qainsights`` command: check an audit export, render the Monthly Quality Report, write the
sample data.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from .report.monthly import SECTIONS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qainsights", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="render the Monthly Quality Report to HTML")
    report.add_argument("--data", required=True, help="audit export (CSV, Parquet or Excel)")
    report.add_argument(
        "--output", default="reports/monthly_quality_report.html", help="HTML file to write"
    )
    report.add_argument(
        "--month", default=None, help="month to report, YYYY-MM (default: latest complete)"
    )
    report.add_argument("--target", type=float, default=0.92, help="accuracy target (default 0.92)")
    report.add_argument(
        "--calibration", default=None, help="calibration ratings CSV (item_id, rater_id, label)"
    )
    report.add_argument(
        "--calibration-standard", default=None, help="expert standard CSV (item_id, label)"
    )
    report.add_argument(
        "--sections",
        default=None,
        help="comma-separated sections to include (default: all): " + ", ".join(SECTIONS),
    )
    report.add_argument(
        "--exports", default=None, help="also write the tables to this folder (Excel and CSV)"
    )
    report.add_argument(
        "--min-cell-n",
        type=int,
        default=10,
        help="blank exported rows resting on fewer audits than this (default 10)",
    )
    report.add_argument("--notebook", default=None, help="also keep the executed notebook here")
    _intake_options(report)
    report.add_argument(
        "--errors",
        choices=("raise", "report"),
        default="raise",
        help="rows that fail validation: stop (raise, the default) or leave them out and state "
        "them in the report's notes on the data (report)",
    )
    validate = commands.add_parser(
        "validate",
        help="check an audit export and list every problem row",
        description="Check an audit export against the canonical audit table (see docs/data_dictionary.md). "
        "Exits with status 1 when any row has a problem.",
    )
    validate.add_argument("--data", required=True, help="audit export (CSV, Parquet or Excel)")
    _intake_options(validate)
    validate.add_argument(
        "--problems", default=None, help="write every problem (one row each) to this CSV"
    )
    samples = commands.add_parser("samples", help="write the sample data sets")
    samples.add_argument(
        "--output", default="data_samples", help="folder to write (default data_samples)"
    )
    return parser


def _intake_options(command: argparse.ArgumentParser) -> None:
    """How to read an export: column and action mappings, the timestamps' format."""
    command.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="YOURS=CANONICAL",
        help="map one of your column names to a canonical one; repeat as needed",
    )
    command.add_argument(
        "--action",
        action="append",
        default=[],
        metavar="YOURS=CANONICAL",
        help="map one of your action values to a canonical action; repeat as needed",
    )
    command.add_argument(
        "--date-format",
        default=None,
        metavar="FORMAT",
        help="strftime format of the timestamps, e.g. '%%d/%%m/%%Y %%H:%%M' (default: inferred "
        "per column; needed when dates read both day-first and month-first)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(args, parser)
    except (ValueError, TypeError, FileNotFoundError, ImportError) as error:
        print(f"qainsights {args.command}: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        if type(error).__name__ != "PapermillExecutionError":
            raise
        print(f"qainsights report: the report stopped at cell {error.exec_count}: "
              f"{error.ename}: {error.evalue}", file=sys.stderr)  # fmt: skip
        return 2


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    started = time.perf_counter()
    if args.command == "validate":
        return _validate(args, parser)
    if args.command == "report":
        from .report import render_report

        path = render_report(
            args.data,
            output=args.output,
            month=args.month,
            accuracy_target=args.target,
            calibration=args.calibration,
            calibration_standard=args.calibration_standard,
            sections=None if args.sections is None else args.sections.split(","),
            exports=args.exports,
            min_cell_n=args.min_cell_n,
            notebook=args.notebook,
            progress=sys.stderr.isatty(),
            columns=_pairs(args.column, "--column", parser),
            actions=_pairs(args.action, "--action", parser),
            errors=args.errors,
            date_format=args.date_format,
        )
        print(f"Wrote {path} in {time.perf_counter() - started:.1f} s")
    else:
        from .datasets import write_samples

        for path in write_samples(args.output):
            print(f"Wrote {path}")
    return 0


def _pairs(values: list[str], option: str, parser: argparse.ArgumentParser) -> dict[str, str]:
    pairs = {}
    for value in values:
        yours, sep, canonical = value.partition("=")
        if not sep or not yours or not canonical:
            parser.error(
                f"{option} takes YOURS=CANONICAL, e.g. {option} 'Reviewer=auditor_id'. Got {value!r}."
            )
        pairs[yours] = canonical
    return pairs


def _validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .audits import validate_audits
    from .report.exports import neutralise_formulas

    checked = validate_audits(
        args.data,
        columns=_pairs(args.column, "--column", parser),
        actions=_pairs(args.action, "--action", parser),
        date_format=args.date_format,
    )
    print(checked.summary())
    if args.problems:
        neutralise_formulas(checked.problems).to_csv(args.problems, index=False)
        print(f"Wrote {len(checked.problems):,} problem(s) to {args.problems}")
    return 0 if checked.ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The qainsights command: check an audit export, render the Monthly Quality Report, write the
sample data.

Each subcommand has one function that builds its parser (``_report_parser``, ...) and one that runs
it (``_report``, ...); the parser names its runner with ``set_defaults(run=...)``. Nothing heavy is
imported until a subcommand runs, so ``qainsights --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Sequence

from . import __version__

_DESCRIPTION = """\
Quality insights for Trust & Safety operations: check an audit export, render the Monthly
Quality Report, write the sample data. Run 'qainsights COMMAND --help' for a command's options."""

_EPILOG = """\
examples:
  qainsights validate --data export.csv --problems problems.csv
  qainsights report --data export.csv --month 2026-10 --output report.html
  qainsights samples --output data_samples"""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keep the examples' line breaks and state every option's default that is not empty."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        empty = action.default in (None, False, [], argparse.SUPPRESS)
        if action.option_strings and not empty and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def _subcommand(
    commands: argparse._SubParsersAction, name: str, summary: str, details: str, examples: str
) -> argparse.ArgumentParser:
    """Add one subcommand with its one-line summary, a description and examples."""
    return commands.add_parser(
        name,
        help=summary,
        description=textwrap.fill(f"{summary[0].upper()}{summary[1:]}. {details}", width=90),
        epilog=f"examples:\n{examples}",
        formatter_class=_HelpFormatter,
    )


def _add_mappings(parser: argparse.ArgumentParser) -> None:
    """How to read an export: its own column names and action values, its timestamps' format."""
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="YOURS=CANONICAL",
        help="map one of your column names to a canonical one; repeat as needed",
    )
    parser.add_argument(
        "--action",
        action="append",
        default=[],
        metavar="YOURS=CANONICAL",
        help="map one of your action values to a canonical action; repeat as needed",
    )
    parser.add_argument(
        "--date-format",
        default=None,
        metavar="FORMAT",
        help="strftime format of the timestamps, e.g. '%%d/%%m/%%Y %%H:%%M' (default: inferred "
        "for each column; needed when the dates read both day-first and month-first)",
    )


class _Renamed(argparse.Action):
    """A flag's former name: it still works for one release and says so on stderr."""

    def __init__(self, option_strings, dest, *, new: str, **kwargs) -> None:
        hidden = argparse.SUPPRESS
        super().__init__(option_strings, dest, default=hidden, help=hidden, **kwargs)
        self.new = new

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(
            f"{parser.prog}: {option_string} was renamed {self.new}; {option_string} will stop "
            f"working in the next release. Write {self.new} instead.",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, values)


def _report_parser(commands: argparse._SubParsersAction) -> None:
    report = _subcommand(
        commands,
        "report",
        "render the Monthly Quality Report to one HTML file",
        "Loads and validates the export, computes every section for the month and writes a "
        "self-contained HTML report (needs the [report] extra: papermill, nbconvert, ipykernel).",
        "  qainsights report --data export.csv\n"
        "  qainsights report --data export.parquet --month 2026-10 --target 0.95 \\\n"
        "      --calibration ratings.csv --exports reports/tables\n"
        "  qainsights report --data raw.duckdb --table audits --month 2026-10",
    )
    report.set_defaults(run=_report)
    report.add_argument(
        "--data",
        required=True,
        help="audit export (CSV, Parquet or Excel), a folder of Parquet or CSV files, or a "
        "DuckDB database (with --table); rows in a folder or database are read on DuckDB",
    )
    report.add_argument("--table", default=None, help="the table of audit rows in a DuckDB --data")
    report.add_argument(
        "--output", default="reports/monthly_quality_report.html", help="HTML file to write"
    )
    report.add_argument(
        "--month", default=None, help="month to report, YYYY-MM (default: the latest complete one)"
    )
    report.add_argument("--target", type=float, default=0.92, help="accuracy target")
    report.add_argument(
        "--calibration", default=None, help="calibration ratings CSV (item_id, rater_id, label)"
    )
    report.add_argument(
        "--calibration-standard", default=None, help="expert standard CSV (item_id, label)"
    )
    report.add_argument(
        "--sections",
        default=None,
        metavar="NAME,NAME",
        help="comma-separated sections to include, e.g. headline,segments (default: all; an "
        "unknown name lists the valid ones)",
    )
    report.add_argument(
        "--exports", default=None, help="also write the tables to this folder (Excel and CSV)"
    )
    report.add_argument(
        "--min-n",
        type=int,
        default=10,
        help="blank exported rows resting on fewer audits than this",
    )
    report.add_argument("--min-cell-n", type=int, action=_Renamed, new="--min-n", dest="min_n")
    report.add_argument("--notebook", default=None, help="also keep the executed notebook here")
    _add_mappings(report)
    report.add_argument(
        "--errors",
        choices=("raise", "report"),
        default="raise",
        help="rows that fail validation: stop the report (raise), or leave them out and state "
        "them in the report's notes on the data (report)",
    )


def _validate_parser(commands: argparse._SubParsersAction) -> None:
    validate = _subcommand(
        commands,
        "validate",
        "check an audit export and list every problem row",
        "Checks the export against the canonical audit table (docs/data_dictionary.md) and prints "
        "a summary. Exits with status 1 when any row has a problem.",
        "  qainsights validate --data export.csv\n"
        "  qainsights validate --data export.csv --column Reviewer=auditor_id \\\n"
        "      --action Delete=remove --problems problems.csv",
    )
    validate.set_defaults(run=_validate)
    validate.add_argument("--data", required=True, help="audit export (CSV, Parquet or Excel)")
    _add_mappings(validate)
    validate.add_argument(
        "--problems", default=None, help="write every problem (one row each) to this CSV"
    )


def _samples_parser(commands: argparse._SubParsersAction) -> None:
    samples = _subcommand(
        commands,
        "samples",
        "write the sample data sets",
        "Writes the simulated audits, their answer key and the calibration sessions, the same "
        "files as data_samples/ (seeded: the same data every time).",
        "  qainsights samples --output data_samples",
    )
    samples.set_defaults(run=_samples)
    samples.add_argument("--output", default="data_samples", help="folder to write")


def _publish_parser(commands: argparse._SubParsersAction) -> None:
    publish = _subcommand(
        commands,
        "publish",
        "reduce audit rows to the quality cube and publish the quality mart",
        "Groups the rows once on their engine (DuckDB for files) into the cube and writes it, "
        "by month, with the tables derived from it to a DuckDB database (docs/mart.md); a month "
        "published again replaces its rows.",
        "  qainsights publish --data audits/ --to quality.duckdb\n"
        "  qainsights publish --data raw.duckdb --table audits --to quality.duckdb \\\n"
        "      --months 2026-10 --parquet mart/ --hyper quality.hyper --findings",
    )
    publish.set_defaults(run=_publish)
    publish.add_argument(
        "--data",
        required=True,
        help="audit rows: a Parquet or CSV file, a folder of them, or a DuckDB database (with --table)",
    )
    publish.add_argument("--table", default=None, help="the table of audit rows in a DuckDB --data")
    publish.add_argument("--to", default="quality.duckdb", help="the mart's DuckDB database")
    publish.add_argument("--parquet", default=None, help="also write every table to this folder")
    publish.add_argument(
        "--hyper", default=None, help="also write a Tableau Hyper extract (pantab)"
    )
    publish.add_argument(
        "--months", default=None, metavar="YYYY-MM,YYYY-MM", help="publish only these months"
    )
    publish.add_argument(
        "--findings",
        action="store_true",
        help="also build the Monthly Quality Report from the same rows (the latest complete "
        "month, or each of --months) and store its findings in the mart's findings table",
    )
    publish.add_argument(
        "--target", type=float, default=0.92, help="accuracy target of the --findings report"
    )


def _dashboard_parser(commands: argparse._SubParsersAction) -> None:
    dashboard = _subcommand(
        commands,
        "dashboard",
        "write the interactive quality dashboard to one HTML file",
        "Reads a published mart (--mart) or audit rows (--data) and writes one self-contained "
        "page: filters, KPI tiles with intervals, the trend with control limits, a Pareto of "
        "root causes and a segment table with drill-down. Nothing is fetched when it opens.",
        "  qainsights dashboard --mart quality.duckdb --output dashboard.html\n"
        "  qainsights dashboard --data audits.parquet",
    )
    dashboard.set_defaults(run=_dashboard)
    source = dashboard.add_mutually_exclusive_group(required=True)
    source.add_argument("--mart", default=None, help="a mart written by 'qainsights publish'")
    source.add_argument("--data", default=None, help="audit rows: a Parquet or CSV file or folder")
    dashboard.add_argument("--output", default="dashboard.html", help="HTML file to write")
    dashboard.add_argument("--title", default="Quality dashboard", help="the page's heading")


#: One function per subcommand, each adding its parser; a new subcommand adds its function here.
SUBCOMMANDS = (
    _validate_parser,
    _report_parser,
    _samples_parser,
    _publish_parser,
    _dashboard_parser,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qainsights",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_parser in SUBCOMMANDS:
        add_parser(commands)
    return parser


#: The extra of ``pip install "qainsights[...]"`` that brings each optional package.
OPTIONAL_PACKAGES = {
    "duckdb": "mart",
    "polars": "polars",
    "pyspark": "spark",
    "pantab": "hyper",
    "openpyxl": "excel",
    "sklearn": "text",
    "papermill": "report",
    "nbconvert": "report",
    "ipykernel": "report",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, parser)
    except ModuleNotFoundError as error:
        package = (error.name or "").partition(".")[0]
        if package not in OPTIONAL_PACKAGES:
            raise
        print(f"qainsights {args.command} needs the optional package {package!r}, which is not "
              f"installed here: pip install \"qainsights[{OPTIONAL_PACKAGES[package]}]\"",
              file=sys.stderr)  # fmt: skip
        return 2
    except (ValueError, TypeError, FileNotFoundError, ImportError) as error:
        # Validation's advice names the Python keyword; on the command line it is a flag.
        message = str(error).replace("pass errors='report'", "pass --errors report")
        print(f"qainsights {args.command}: {message}", file=sys.stderr)
        return 2
    except Exception as error:
        if type(error).__name__ != "PapermillExecutionError":
            raise
        print(f"qainsights report: the report stopped at cell {error.exec_count}: "
              f"{error.ename}: {error.evalue}", file=sys.stderr)  # fmt: skip
        return 2


def _report(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .report import render_report
    from .report.sources import with_table

    started = time.perf_counter()
    path = render_report(
        with_table(args.data, args.table),
        output=args.output,
        month=args.month,
        accuracy_target=args.target,
        calibration=args.calibration,
        calibration_standard=args.calibration_standard,
        sections=None if args.sections is None else args.sections.split(","),
        exports=args.exports,
        min_n=args.min_n,
        notebook=args.notebook,
        progress=sys.stderr.isatty(),
        columns=_pairs(args.column, "--column", parser),
        actions=_pairs(args.action, "--action", parser),
        errors=args.errors,
        date_format=args.date_format,
    )
    print(f"Wrote {path} in {time.perf_counter() - started:.1f} s")
    return 0


def _samples(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
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
    from .report.exports import neutralize_formulas

    checked = validate_audits(
        args.data,
        columns=_pairs(args.column, "--column", parser),
        actions=_pairs(args.action, "--action", parser),
        date_format=args.date_format,
    )
    print(checked.summary())
    if args.problems:
        neutralize_formulas(checked.problems).to_csv(args.problems, index=False)
        print(f"Wrote {len(checked.problems):,} problem(s) to {args.problems}")
    return 0 if checked.ok else 1


def _publish(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .mart import publish

    started = time.perf_counter()
    published = publish(
        args.data,
        to=args.to,
        table=args.table,
        parquet=args.parquet,
        hyper=args.hyper,
        months=None if args.months is None else args.months.split(","),
        findings=args.findings,
        accuracy_target=args.target,
    )
    found = f", {published.tables['findings']:,} findings" if args.findings else ""
    print(
        f"Published {len(published.months)} month(s) ({', '.join(published.months)}) to "
        f"{published.path}: {published.tables['cube']:,} cube rows{found}, in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return 0


def _dashboard(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .mart import write_dashboard

    path = write_dashboard(args.mart or args.data, output=args.output, title=args.title)
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``qainsights`` command: render the Monthly Quality Report, write the sample data."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence


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
    report.add_argument("--notebook", default=None, help="also keep the executed notebook here")
    samples = commands.add_parser("samples", help="write the sample data sets")
    samples.add_argument(
        "--output", default="data_samples", help="folder to write (default data_samples)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    if args.command == "report":
        from .report import render_report

        path = render_report(
            args.data,
            output=args.output,
            month=args.month,
            accuracy_target=args.target,
            notebook=args.notebook,
        )
        print(f"Wrote {path} in {time.perf_counter() - started:.1f} s")
    else:
        from .datasets import write_samples

        for path in write_samples(args.output):
            print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

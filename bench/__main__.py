"""`make bench`: build a dataset in PostgreSQL, measure, write its section of BENCHMARKS.md.

    python -m bench [--scale force|national] [--output BENCHMARKS.md] [--users 20]
                    [--seconds 120] [--smoke] [--rows-per-month N] [--months N]
    python -m bench --import-only   (section 2 alone, printed; BENCHMARKS.md untouched)

Each scale rewrites only its own section of BENCHMARKS.md and keeps the other's.

The database named by BENCH_DATABASE_URL (default ephedra_bench on the local PostgreSQL)
is dropped and created afresh: never point it at a database you want to keep.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ephedra_bench"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["force", "national"], default="force")
    parser.add_argument("--output", default="BENCHMARKS.md")
    parser.add_argument("--rows-per-month", type=int, default=420_000, help="national only")
    parser.add_argument("--months", type=int, default=60, help="national only")
    parser.add_argument(
        "--built-in", type=float, default=None, metavar="SECONDS",
        help="national only: the database is already built (in SECONDS); measure it as it is",
    )  # fmt: skip
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--smoke", action="store_true", help="tiny dataset, no load test")
    parser.add_argument("--no-load", action="store_true", help="no load test (locust)")
    parser.add_argument(
        "--import-only", action="store_true", help="only section 2 (crime import), printed"
    )
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.built_in is None:
        _recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("STATIC_MANIFEST", "false")  # pages render without collectstatic
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ephedra.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench import report
    from bench.dataset import Scale

    call_command("migrate", verbosity=0)
    if args.import_only:
        from bench import import_speed, report

        print("\n".join(report.imports_section(import_speed.import_speeds(args.import_rows))))
        return 0
    progress = lambda message: print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: E731
    load = not (args.smoke or args.no_load)
    import_rows = 1_000 if args.smoke else args.import_rows
    if args.scale == "national":
        from bench import report_national
        from bench.national import National

        scale = (
            National.tiny()
            if args.smoke
            else National(months=args.months, rows_per_month=args.rows_per_month)
        )
        results = report_national.run(scale, load=load, users=args.users,
                                      seconds=args.seconds, import_rows=import_rows,
                                      progress=progress, built_s=args.built_in)  # fmt: skip
        report.write(args.output, "national", report_national.markdown(results))
    else:
        results = report.run(Scale.tiny() if args.smoke else Scale(), load=load,
                             users=args.users, seconds=args.seconds, import_rows=import_rows,
                             progress=progress)  # fmt: skip
        report.write(args.output, "force", report.markdown(results))
    print(f"Wrote {args.output}")
    return 0


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("make bench measures PostgreSQL: BENCH_DATABASE_URL must be postgres://")
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

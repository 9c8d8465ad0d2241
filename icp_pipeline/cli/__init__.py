"""`icp`: the command line of the ICP pipeline (run, demo-data, status, init)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from icp_pipeline.lib.config.settings import DATA_DIR, Settings


def _use_persistent_dagster_home() -> None:
    """Keep run history where `make ui` and `icp status` find it, unless DAGSTER_HOME is set."""
    from icp_pipeline.instance import ensure_instance_config

    home = Path(os.environ.setdefault("DAGSTER_HOME", str(DATA_DIR / "dagster_home")))
    # One run at a time (the UI and the schedule queue their runs instead of sharing the warehouse),
    # and the event log storage of icp_pipeline/instance.py.
    ensure_instance_config(home)
    os.environ.setdefault("DO_NOT_TRACK", "1")


def cmd_demo_data(args: argparse.Namespace) -> int:
    from icp_pipeline.demo.generator import generate_demo_data

    out = Path(args.out)
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    file_format = next((f for f in formats if f in ("csv", "parquet")), "csv")
    dialects = tuple(f for f in formats if f not in ("csv", "parquet"))
    truth = generate_demo_data(
        out,
        n_accounts=args.accounts,
        n_prospects=args.prospects,
        seed=args.seed,
        file_format=file_format,
        dialects=dialects,
    )
    rows = truth.get("counts", {}).get("rows", {})
    summary = ", ".join(f"{name}: {n:,}" for name, n in rows.items()) if isinstance(rows, dict) else ""
    print(f"Demo data written to {out}" + (f" ({summary})" if summary else ""))
    print(f"Planted truth (never read by the pipeline): {out / 'planted_truth.json'}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from icp_pipeline.lib.config.environment import environment_problems

    problems = environment_problems()  # every ICP_* variable, before any step runs
    if problems:
        print("icp run: wrong environment variable(s):\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    _use_persistent_dagster_home()
    settings = Settings.from_env()
    if args.demo_if_empty and not _has_landing_data(settings.landing_dir):
        from icp_pipeline.demo.generator import generate_demo_data

        print(f"Landing folder {settings.landing_dir} is empty: generating demo data …", flush=True)
        generate_demo_data(settings.landing_dir)
    from icp_pipeline.cli.runner import run_refresh

    return run_refresh(settings, selection=args.select, verbose=args.verbose)


def cmd_status(args: argparse.Namespace) -> int:
    from icp_pipeline.cli.status import print_status

    _use_persistent_dagster_home()
    return print_status(Settings.from_env())


def cmd_init(args: argparse.Namespace) -> int:
    from icp_pipeline.lib.config.starter import StarterConfigError, write_starter_config

    try:
        path = write_starter_config(Path(args.landing), Path(args.out), force=args.force)
    except StarterConfigError as exc:
        print(f"icp init: {exc}", file=sys.stderr)
        return 2
    print(f"Starter ICP definition written to {path}; edit its hypotheses, then run with ICP_CONFIG={path}")
    return 0


def _has_landing_data(landing: Path) -> bool:
    return (landing / "crm").is_dir() and any((landing / "crm").iterdir())


SELECTION_EXAMPLES = "'group:model+' (the model step and all downstream of it) or 'key:icp_models'"


def asset_selection(text: str) -> str:
    """`text` when it is a Dagster asset selection (Dagster's own parser decides), else the argparse
    error that names it and gives the examples (instead of a traceback at the start of the run)."""
    import dagster as dg  # here, not at the top: `icp --help` stays fast

    try:
        dg.AssetSelection.from_string(text)
    except dg.DagsterError as error:  # DagsterInvalidAssetSelectionError, not exported
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Dagster asset selection ({error}); examples: {SELECTION_EXAMPLES}, '*' (everything)"
        ) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="icp",
        description="Find your Ideal Customer Profile and publish tiered target account lists. "
        "Paths come from ICP_LANDING_DIR, ICP_DUCKDB_PATH, ICP_EXPORT_DIR and ICP_CONFIG.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="materialise every asset in one Dagster run and publish the outputs")
    run.add_argument(
        "--select",
        default="*",
        type=asset_selection,
        help=f"Dagster asset selection, e.g. {SELECTION_EXAMPLES} (default: everything)",
    )
    run.add_argument(
        "--demo-if-empty",
        action="store_true",
        help="generate demo data into the landing folder first when it holds no CRM data",
    )
    run.add_argument("--verbose", action="store_true", help="show dbt's and Dagster's own output too")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo-data", help="write demo landing data with a planted truth")
    demo.add_argument("--accounts", type=int, default=5000, help="CRM accounts (default 5000)")
    demo.add_argument(
        "--prospects", type=int, default=20000, help="enrichment-only prospects (default 20000)"
    )
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    demo.add_argument(
        "--format",
        default="csv",
        help="csv or parquet (landing contract form), or connector dialects, comma-separated: "
        "fivetran_salesforce, fivetran_hubspot, airbyte_salesforce or airbyte_hubspot, and fivetran_stripe (docs/connectors/)",
    )
    demo.add_argument("--out", default=str(Settings.from_env().landing_dir), help="landing folder to write")
    demo.set_defaults(func=cmd_demo_data)

    init = sub.add_parser("init", help="write a starter icp.yaml from a landing folder's attributes")
    init.add_argument("--landing", required=True, help="landing folder laid out per the landing contract")
    init.add_argument("--out", default="icp.yaml", help="file to write (default: icp.yaml here)")
    init.add_argument("--force", action="store_true", help="overwrite the file when it exists")
    init.set_defaults(func=cmd_init)

    status = sub.add_parser("status", help="show the last refresh, its checks and where the outputs are")
    status.set_defaults(func=cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

"""Dagster: one asset per Salesforce object, partitioned by month; each partition runs run-partition.mjs with the
partition's [start, end) window, so Dagster's backfills run many partitions of one object at once.

    dagster dev -f dagster_assets.py          # then materialize a range of partitions (a backfill)

TAP_CONFIG / TAP_CATALOG point at the tap's config (connection keys, no secrets in it: see the README) and a catalog
selecting the object; OUT_DIR collects each partition's records and STATE.
"""
import os
import subprocess
from pathlib import Path

from dagster import AssetExecutionContext, Definitions, MonthlyPartitionsDefinition, asset

HERE = Path(__file__).parent
TAP_CONFIG = os.environ.get("TAP_CONFIG", "tap.json")
TAP_CATALOG = os.environ.get("TAP_CATALOG", "catalog.account.json")
OUT_DIR = Path(os.environ.get("OUT_DIR", "partitions"))

monthly = MonthlyPartitionsDefinition(start_date="2024-01-01", end_offset=1)


@asset(partitions_def=monthly)
def salesforce_account(context: AssetExecutionContext) -> None:
    window = context.partition_time_window  # [start, end) of this partition, as Dagster defines it
    start, end = window.start.date().isoformat(), window.end.date().isoformat()
    out = OUT_DIR / "Account"
    cmd = [
        "node", str(HERE / "run-partition.mjs"),
        "--config", TAP_CONFIG, "--catalog", TAP_CATALOG,
        "--start", start, "--end", end, "--out", str(out),
    ]
    context.log.info("running %s", " ".join(cmd))
    # The tap's exit code is the partition's outcome: 0 done, 1 retry later (resumes from the partition's STATE),
    # 2 bad config, 4 daily quota reached.
    subprocess.run(cmd, check=True)
    context.add_output_metadata({"records": str(out / f"{start}_{end}.jsonl"), "state": str(out / f"{start}_{end}.state.json")})


defs = Definitions(assets=[salesforce_account])

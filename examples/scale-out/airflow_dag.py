"""Airflow: one task per monthly partition of one Salesforce object, each running run-partition.mjs with that
partition's [start, end) window. The tasks have no dependencies on each other, so Airflow runs as many at once as
its pool allows (max_active_tis_per_dag caps the load on the org).

TAP_CONFIG / TAP_CATALOG / OUT_DIR as in dagster_assets.py; SCALE_OUT_DIR is the folder holding run-partition.mjs.
"""
import os
from datetime import date, datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

SCALE_OUT_DIR = os.environ.get("SCALE_OUT_DIR", os.path.dirname(__file__))
TAP_CONFIG = os.environ.get("TAP_CONFIG", "tap.json")
TAP_CATALOG = os.environ.get("TAP_CATALOG", "catalog.account.json")
OUT_DIR = os.environ.get("OUT_DIR", "partitions")


def months(first: date, last: date):
    """[start, end) of each month from `first` up to `last` (exclusive)."""
    start = first
    while start < last:
        end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        yield start, min(end, last)
        start = end


with DAG(
    dag_id="salesforce_account_partitions",
    start_date=datetime(2024, 1, 1),
    schedule=None,  # a backfill is triggered by hand; a daily incremental run is a separate, unpartitioned DAG
    catchup=False,
    max_active_tasks=4,
) as dag:
    for start, end in months(date(2024, 1, 1), date.today().replace(day=1)):
        BashOperator(
            task_id=f"account_{start:%Y_%m}",
            bash_command=(
                f"node {SCALE_OUT_DIR}/run-partition.mjs --config {TAP_CONFIG} --catalog {TAP_CATALOG} "
                f"--start {start} --end {end} --out {OUT_DIR}/Account"
            ),
            retries=3,  # a failed partition re-runs from its own STATE; the others are untouched
        )

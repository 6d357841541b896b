"""sql/athena/ for real: the raw CloudTrail files of sample-logs read in Spark with the schema of Athena's
CloudTrail table (`cloudtrail_logs`), the Trino queries translated to Spark SQL by sqlglot (sql/athena/spark/),
and their answers compared with the binary's over the same files, for the questions those queries can answer.

Schema: the `CREATE EXTERNAL TABLE cloudtrail_logs` statement of the Amazon Athena user guide ("Create a table
for CloudTrail logs in Athena using manual partitioning"), with CloudTrail's own field names: Spark resolves
the queries' lower-case names case-insensitively, as Athena does.

    TRAIL_VPCE_BIN=target/debug/trail-vpce python3 -m pytest contrib/spark
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest

from test_spark_job import ROOT, SAMPLE, binary, need, tool

IDENTITY = (
    "STRUCT<type: STRING, principalId: STRING, arn: STRING, accountId: STRING, invokedBy: STRING, "
    "accessKeyId: STRING, userName: STRING, onBehalfOf: STRUCT<userId: STRING, identityStoreArn: STRING>, "
    "sessionContext: STRUCT<attributes: STRUCT<mfaAuthenticated: STRING, creationDate: STRING>, "
    "sessionIssuer: STRUCT<type: STRING, principalId: STRING, arn: STRING, accountId: STRING, userName: STRING>, "
    "ec2RoleDelivery: STRING, webIdFederationData: STRUCT<federatedProvider: STRING, "
    "attributes: MAP<STRING, STRING>>>>"
)
RECORD = (
    f"STRUCT<eventVersion: STRING, userIdentity: {IDENTITY}, eventTime: STRING, eventSource: STRING, "
    "eventName: STRING, awsRegion: STRING, sourceIPAddress: STRING, userAgent: STRING, errorCode: STRING, "
    "errorMessage: STRING, requestParameters: STRING, responseElements: STRING, additionalEventData: STRING, "
    "requestID: STRING, eventID: STRING, readOnly: STRING, "
    "resources: ARRAY<STRUCT<ARN: STRING, accountId: STRING, type: STRING>>, eventType: STRING, "
    "apiVersion: STRING, recipientAccountId: STRING, serviceEventDetails: STRING, sharedEventID: STRING, "
    "vpcEndpointId: STRING, vpcEndpointAccountId: STRING, eventCategory: STRING, "
    "tlsDetails: STRUCT<tlsVersion: STRING, cipherSuite: STRING, clientProvidedHostHeader: STRING>>"
)


def cloudtrail_files() -> list[str]:
    """The CloudTrail log files of sample-logs (what Athena's table location holds), less the file the binary
    reports as damaged: Athena would fail on a truncated gzip stream, trail-vpce recovers what precedes the cut."""
    listed = subprocess.run([binary(), "ls", str(SAMPLE), "--format", "ndjson"], capture_output=True, text=True)
    sources = [json.loads(line) for line in listed.stdout.splitlines()]
    bad = {b["path"] for b in tool("scan", str(SAMPLE))["input"]["bad_files"]}
    return sorted(
        s["source"] for s in sources
        if s["kind"] == "input" and "/CloudTrail/" in s["source"] and s["source"] not in bad
    )  # fmt: skip


@pytest.fixture(scope="module")
def athena():
    """(Spark results per query, the files read)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        need(False, "no pyspark (pip install pyspark)")

    files = cloudtrail_files()
    need(len(files) > 10, "no CloudTrail files listed")
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
    try:
        results = {}
        logs = spark.read.schema(f"Records ARRAY<{RECORD}>").option("multiLine", "true").json(files)
        records = logs.selectExpr("explode(Records) AS r").select("r.*")
        # CloudTrail may deliver an event twice; trail-vpce counts it once (by eventID), Athena's table holds
        # both copies. The comparison is over distinct events.
        records.dropDuplicates(["eventID"]).createOrReplaceTempView("cloudtrail_logs")
        results["records"] = records.count()
        results["network_activity_denials"] = spark.sql(
            "SELECT count(*) FROM cloudtrail_logs WHERE eventcategory = 'NetworkActivity' AND errorcode IS NOT NULL"
        ).first()[0]
        for name in ("denials_by_cause", "bypass", "foreign_resources", "actions_per_endpoint"):
            query = (ROOT / "sql/athena/spark" / f"{name}.sql").read_text()
            results[name] = [row.asDict(recursive=True) for row in spark.sql(query).collect()]
    finally:
        spark.stop()
    return results, files


def test_the_table_holds_every_record(athena):
    results, files = athena
    scan = tool("scan", *files)
    assert results["records"] == scan["input"]["records"] + scan["input"]["duplicate_records"]


def test_denials_by_cause_agree_except_the_pairing(athena):
    """Every cause the error message names agrees, and the endpoint policy's. Athena cannot pair a
    VpceAccessDenied network activity event with the caller's record of the same request: the caller's record,
    which trail-vpce counts as that one endpoint-policy denial, stays "unknown" in Athena."""
    results, files = athena
    got = {r["cause"]: r["denied_requests"] for r in results["denials_by_cause"]}
    want = {cause: n for cause, n in tool("denied", *files, "--all-causes")["totals"]["by_cause"].items() if n > 0}
    assert {c: n for c, n in got.items() if c != "unknown"} == {c: n for c, n in want.items() if c != "unknown"}
    unpaired = got["unknown"] - want["unknown"]
    assert 0 < unpaired <= results["network_activity_denials"], (got, want)


def test_bypass_agrees_where_no_aws_operated_endpoint_is_involved(athena):
    """Athena sees any vpcEndpointId as an endpoint; trail-vpce knows the ones AWS operates (the S3 console's
    backend, services acting for a caller) and reports what went through them as a bypass of the customer's
    endpoints. The other bypass groups agree."""
    results, files = athena
    findings = tool("outside", *files)["findings"]
    want: Counter = Counter()
    for f in findings:
        if f["kind"] == "bypass" and f["vpce_operator"] is None:
            want[(f["principal"], f["resource"], "success" if f["outcome"] == "allowed" else "denied")] += f["count"]
    got = Counter({(r["principal"], r["resource"], r["outcome"]): r["requests"] for r in results["bypass"]})
    assert got == want
    assert any(f["kind"] == "bypass" and f["vpce_operator"] == "aws:console" for f in findings), "the fixture has one"


def test_foreign_resources_agree(athena):
    results, files = athena
    want: Counter = Counter()
    for f in tool("outside", *files)["findings"]:
        if f["kind"] == "foreign-resource":
            want[(f["vpce"], f["resource"], "success" if f["outcome"] == "allowed" else "denied")] += f["count"]
    got: Counter = Counter()
    for r in results["foreign_resources"]:
        got[(r["vpce"], r["bucket"], r["outcome"])] += r["requests"]
    assert got == want


# actions_per_endpoint.sql over Athena's table counts eventName, not IAM actions (it cannot map ListObjects to
# s3:ListBucket, or CopyObject to two actions): it runs above, and answers a different question than the
# binary's, so nothing is compared.

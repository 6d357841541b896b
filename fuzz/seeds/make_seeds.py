#!/usr/bin/env python3
"""Writes the hand-made seed corpora into fuzz/corpus/<target>/ (run from fuzz/).

Seeds come from this script's literals and from the project's own generated sample logs (../sample-logs);
never from third-party fixtures. `cargo fuzz cmin` later keeps only the ones that add coverage.
"""
import glob
import gzip
import io
import json
import os
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "sample-logs")
CORPUS = os.path.join(os.path.dirname(HERE), "corpus")


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


def sample_records():
    out = []
    for path in sorted(glob.glob(os.path.join(SAMPLES, "AWSLogs/**/CloudTrail/**/*.json.gz"), recursive=True))[:6]:
        try:
            out.extend(json.loads(gzip.open(path).read())["Records"][:2])
        except (EOFError, OSError, ValueError, KeyError):
            continue  # the sample world holds damaged files on purpose
    return out


def tar_of(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_of(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


OWNER = "b2b03aa9be3903e80a9bf89481d313bf2b5fe5bd35220336ae3821d149d4459f"
ACCESS_LINES = [
    f'{OWNER} app-data [21/Nov/2026:09:03:42 +0000] 10.0.1.23 arn:aws:sts::111122223333:assumed-role/App/i-0abc '
    '6KQD30LI2KRFJK5B REST.GET.OBJECT reports/a%20b.csv "GET /app-data/reports/a%20b.csv?versionId=3 HTTP/1.1" '
    '200 - 1171147 1171147 97 96 "-" "aws-sdk-java/2.25.60" 3 hostid== SigV4 TLS_AES_128_GCM_SHA256 AuthHeader '
    'app-data.vpce-0a1b2c3d-xyz.s3.eu-west-1.vpce.amazonaws.com TLSv1.3 - Yes eu-west-1',
    # Unescaped quotes in the URI and the user agent; a forged tail inside the user agent.
    f'{OWNER} app-data [21/Nov/2026:09:03:43 +0000] 192.0.2.3 - 7B4A0FABBEXAMPLE REST.PUT.OBJECT '
    'x"y "PUT /app-data/x"y?filename="a b" HTTP/1.1" 403 AccessDenied 243 - 10 - "-" '
    '""Mozilla/5.0 "x" - - SigV4 - AuthHeader evil TLSv1.2"" - hostid SigV2 - QueryString app-data.s3.amazonaws.com TLSv1.2',
    # Short, older format; tabs and doubled spaces.
    f'{OWNER}\tapp-data  [06/Feb/2019:00:00:38 +0000] 192.0.2.3 svc:s3.amazonaws.com 3E57427F3EXAMPLE '
    'S3.EXPIRE.OBJECT - "-" - - - - - -',
    f'{OWNER} app-data [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57 BATCH.DELETE.OBJECT k "POST /?delete HTTP/1.1" 999',
    f'\ufeff{OWNER} app-data [31/Feb/2019:25:00:38 +9900] - - - - - "unterminated',
]


def cloudtrail_unit():
    records = sample_records()
    doc = json.dumps({"Records": records[:3]}).encode()
    write("cloudtrail_unit", "records.json", doc)
    write("cloudtrail_unit", "records.json.gz", gz(doc))
    write("cloudtrail_unit", "double.json.gz.gz", gz(gz(doc)))
    write("cloudtrail_unit", "multimember.json.gz", gz(doc[: len(doc) // 2]) + gz(doc[len(doc) // 2 :]))
    write("cloudtrail_unit", "truncated.json.gz", gz(doc)[:-40])
    write("cloudtrail_unit", "ndjson.json", b"\n".join(json.dumps(r).encode() for r in records[:4]) + b"\n")
    write("cloudtrail_unit", "array.json", json.dumps(records[3:5]).encode())
    bad = json.dumps({"Records": [records[0], {"eventVersion": 5}, "x", [1, [2, [3]]], {"eventTime": "nope"}]})
    write("cloudtrail_unit", "mixed-bad.json", bad.encode() + b'\n{"Records":[{"eventName":')
    write("cloudtrail_unit", "deep.json", b'{"Records":[' + b"[" * 140 + b"]" * 140 + b"]}")
    write("cloudtrail_unit", "insight.json", json.dumps(
        {"Records": [{"eventVersion": "1.08", "eventCategory": "Insight", "eventType": "AwsCloudTrailInsight",
                      "eventTime": "2026-11-21T10:00:00Z", "eventSource": "s3.amazonaws.com",
                      "eventName": "PutObject", "eventID": "i-1", "awsRegion": "us-east-1",
                      "recipientAccountId": "111122223333", "insightDetails": {"state": "Start"}}]}).encode())
    digest = glob.glob(os.path.join(SAMPLES, "AWSLogs/**/CloudTrail-Digest/**/*.json.gz"), recursive=True)
    if digest:
        write("cloudtrail_unit", "digest.json", gzip.open(digest[0]).read()[:3000])
    write("cloudtrail_unit", "policy.json", open(os.path.join(SAMPLES, "policies/vpce-0a1b2c3d4e5f60001.json"), "rb").read())
    write("cloudtrail_unit", "access.log", ("\n".join(ACCESS_LINES) + "\n").encode())
    write("cloudtrail_unit", "access.log.gz", gz(("\r\n".join(ACCESS_LINES)).encode()))
    write("cloudtrail_unit", "bundle.tar", tar_of([("AWSLogs/a.json.gz", gz(doc)), ("b.log", ACCESS_LINES[0].encode()),
                                                   ("inner.tar", tar_of([("c.json", doc[:2000])]))]))
    write("cloudtrail_unit", "bundle.zip", zip_of([("AWSLogs/a.json", doc), ("dir/", b""), ("x.gz", gz(b"[]"))]))
    write("cloudtrail_unit", "bundle.tar.gz", gz(tar_of([("a.json", doc)])))
    write("cloudtrail_unit", "bomb.gz", gz(b"\n" * (2 << 20)))
    write("cloudtrail_unit", "text.txt", b"hello, this is not a log\n")
    write("cloudtrail_unit", "bom.json", b"\xef\xbb\xbf  " + doc[:1500])


def access_log_line():
    for i, line in enumerate(ACCESS_LINES):
        write("access_log_line", f"line{i}.log", line.encode())
    write("access_log_line", "multi.log", ("\n".join(ACCESS_LINES) + "\n\n  \r\n").encode())
    write("access_log_line", "long.log", ACCESS_LINES[0].encode() + b"x" * 1100 + b"\n" + ACCESS_LINES[1].encode())
    samples = sorted(glob.glob(os.path.join(SAMPLES, "s3-access-logs/**/*"), recursive=True))
    files = [p for p in samples if os.path.isfile(p)]
    if files:
        data = open(files[0], "rb").read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        write("access_log_line", "sample.log", b"\n".join(data.split(b"\n")[:3]))


def gzip_capped():
    # First two bytes: the cap (little endian); third: the read size.
    for name, cap, chunk, data in [
        ("small", 1000, 3, gz(b"a" * 5000)),
        ("exact", 5000, 50, gz(b"a" * 5000)),
        ("multi", 65535, 255, gz(b"hello ") + gz(b"world")),
        ("trunc", 65535, 10, gz(bytes(range(256)) * 64)[:-100]),
        ("zero", 0, 1, gz(b"x")),
        ("junk-after", 100, 7, gz(b"abc") + b"garbage"),
    ]:
        write("gzip_capped", name, cap.to_bytes(2, "little") + bytes([chunk]) + data)


def policy():
    for path in sorted(glob.glob(os.path.join(SAMPLES, "policies/*.json"))):
        write("policy", os.path.basename(path), open(path, "rb").read())
    write("policy", "vars.json", json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:role/App"]},
        "Action": ["s3:Get*", "s3:?ist*"], "Resource": "arn:aws:s3:::bucket/${aws:username}/*",
        "Condition": {"StringLike": {"s3:prefix": ["${aws:PrincipalTag/team, 'none'}/*", "${*}${?}${$}"]},
                      "ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]},
                      "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
                      "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
                      "NumericLessThanEquals": {"s3:max-keys": "10"},
                      "Bool": {"aws:SecureTransport": "true"},
                      "Null": {"aws:SourceVpc": "false"},
                      "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/${aws:PrincipalTag/x}"}}}]}))
    write("policy", "deny-notaction.json", json.dumps({"Version": "2008-10-17", "Statement": {
        "Sid": "", "Effect": "Deny", "NotPrincipal": {"Service": "cloudtrail.amazonaws.com"},
        "NotAction": "kms:*", "NotResource": ["arn:aws:kms:*:*:key/*", "*"],
        "Condition": {"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1"},
                      "ForAllValues:StringNotLike": {"aws:TagKeys": "*"}}}}))
    write("policy", "with-request.bin", json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]}).encode() + b"\x00" + bytes(range(64)))


def wildcard():
    # Derived with `arbitrary` from raw bytes, so plain byte strings are fine seeds.
    write("wildcard", "stars", bytes([2, 0, 2, 1, 2, 0, 2, 1, 2]) * 8 + bytes([0, 1] * 40))
    write("wildcard", "arn", bytes([0, 4, 2, 4, 4, 1, 4, 2, 6, 2]) * 4 + bytes([0, 4, 1, 4, 4, 0, 4, 5, 6]) * 4)


if __name__ == "__main__":
    cloudtrail_unit()
    access_log_line()
    gzip_capped()
    policy()
    wildcard()

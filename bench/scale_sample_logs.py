#!/usr/bin/env python3
"""Writes N time-shifted copies of sample-logs/ into one folder: the memory-flatness input of issue 8.

    bench/scale_sample_logs.py OUT [--copies 20] [--days-per-copy 4] [--source sample-logs]

Copy k (0 <= k < N) is sample-logs with every time moved k x days-per-copy days later (the default, 4, is the
span of sample-logs, so the copies follow each other without overlap), in the same layout and with objects of
the same size: CloudTrail files and gzip access logs (re-compressed), the JSON exports and the S3 access logs. Paths move with
the time (date folders, the time in file names). Copy 0 is sample-logs itself, byte for byte in content (so the
planted stories of tests/fixtures/sample-manifest.json still hold for it). In the other copies eventID,
requestID and sharedEventID (CloudTrail) and the request id (access logs) are replaced by values derived from
(k, original), so de-duplication does not collapse the copies and references between records stay consistent.
The truncated gzip file stays truncated (its readable part shifted, re-compressed, and cut again). Non-log files
(trail-vpce.toml, policies/) are copied once. Python 3 standard library only; tests/it/common/scale.rs does the
same in Rust for the memory test.
"""

import argparse
import datetime as dt
import gzip
import hashlib
import os
import re
import shutil
import sys
import zlib

ISO = re.compile(rb"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})")
IDS = re.compile(rb'("(?:eventID|requestID|sharedEventID)"\s*:\s*")([0-9a-fA-F-]{36})(")')
ACCESS_TIME = re.compile(rb"\[(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]")
# bucket owner, bucket, [time zone], remote ip, requester, request id
ACCESS_ID = re.compile(rb"^(\S+ \S+ \[[^\]]*\] \S+ \S+ )([0-9A-Z]+)( )", re.M)
MONTHS = [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"]
# Dates in paths: 2026/11/21 (folders), 20261121T1200Z (CloudTrail names), 2026-11-21-09-58-31 (access logs),
# 2026-11-21 (exports). Group 4 is kept as is.
PATH_DATES = [
    (re.compile(r"(?<!\d)(\d{4})/(\d{2})/(\d{2})()(?!\d)"), "%Y/%m/%d"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(T\d{4,6}Z)"), "%Y%m%d"),
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})()(?!\d)"), "%Y-%m-%d"),
]


def derived(k, value, alphabet, length):
    digest = hashlib.sha256(b"%d:" % k + value).digest()
    return bytes(alphabet[b % len(alphabet)] for b in digest[:length])


def new_uuid(k, value):
    h = hashlib.sha256(b"%d:" % k + value).hexdigest()
    u = "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])
    return u.encode()


def shift_text(data, k, days):
    delta = dt.timedelta(days=k * days)

    def iso(m):
        t = dt.datetime(*map(int, m.groups())) + delta
        return t.strftime("%Y-%m-%dT%H:%M:%S").encode()

    def access_time(m):
        day, mon, year, hh, mm, ss, zone = m.groups()
        t = dt.datetime(int(year), MONTHS.index(mon) + 1, int(day), int(hh), int(mm), int(ss)) + delta
        return b"[%02d/%s/%04d:%02d:%02d:%02d %s]" % (t.day, MONTHS[t.month - 1], t.year, t.hour, t.minute,
                                                    t.second, zone)

    data = ISO.sub(iso, data)
    data = ACCESS_TIME.sub(access_time, data)
    if k:
        data = IDS.sub(lambda m: m.group(1) + new_uuid(k, m.group(2)) + m.group(3), data)
        data = ACCESS_ID.sub(
            lambda m: m.group(1) + derived(k, m.group(2), b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                           len(m.group(2))) + m.group(3), data)
    return data


def shift_path(rel, k, days):
    delta = dt.timedelta(days=k * days)
    for pattern, fmt in PATH_DATES:
        rel = pattern.sub(lambda m, fmt=fmt: (dt.date(*map(int, m.groups()[:3])) + delta).strftime(fmt) + m.group(4),
                          rel)
    return rel


def is_log(rel):
    top = rel.split(os.sep)[0]
    return top in ("AWSLogs", "exports", "s3-access-logs")


def copy_file(src, dst, k, days):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if k == 0:
        shutil.copyfile(src, dst)
        return
    raw = open(src, "rb").read()
    if raw[:2] == b"\x1f\x8b":  # gzip, whatever the name says (one access log in sample-logs is)
        d = zlib.decompressobj(31)
        text = d.decompress(raw)
        truncated = not d.eof
        packed = gzip.compress(shift_text(text, k, days), compresslevel=6, mtime=0)
        if truncated:
            # Keep it a truncated stream, as in sample-logs: the same share of it is missing.
            keep = max(10, len(packed) * len(raw) // max(1, len(raw) + 16))
            packed = packed[:min(keep, len(packed) - 16)]
        out = packed
    else:
        out = shift_text(raw, k, days)
    with open(dst, "wb") as f:
        f.write(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--days-per-copy", type=int, default=4)
    ap.add_argument("--source", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample-logs"))
    args = ap.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit("%s is not empty" % args.out)
    files = 0
    for root, _, names in os.walk(args.source):
        for name in sorted(names):
            src = os.path.join(root, name)
            rel = os.path.relpath(src, args.source)
            if not is_log(rel):
                os.makedirs(os.path.dirname(os.path.join(args.out, rel)) or args.out, exist_ok=True)
                shutil.copyfile(src, os.path.join(args.out, rel))
                continue
            for k in range(args.copies):
                copy_file(src, os.path.join(args.out, shift_path(rel, k, args.days_per_copy)), k, args.days_per_copy)
                files += 1
    print("%d log files (%d copies) under %s" % (files, args.copies, args.out))


if __name__ == "__main__":
    main()

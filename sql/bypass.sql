-- Requests to endpoint-bound S3 buckets that did not come through an endpoint, by principal and bucket.
-- A bucket is endpoint-bound when it was reached successfully through an endpoint (as `trail-vpce outside`
-- decides by default). CloudTrail: no customer endpoint (`vpce` is null for endpoints AWS operates, such as the
-- S3 console's backend: `vpce_operator` says which); S3 access logs: a public source address. AWS service
-- principals are never a bypass.
WITH bucketed AS (
    SELECT *, coalesce(bucket, split_part(split_part(resources[1], ':::', 2), '/', 1)) AS b
    FROM events
    WHERE event_source = 's3.amazonaws.com'
),
bound AS (
    SELECT DISTINCT b FROM bucketed WHERE vpce IS NOT NULL AND outcome = 'success' AND b IS NOT NULL
),
outside AS (
    SELECT * FROM bucketed
    WHERE b IN (SELECT b FROM bound)
      AND principal_type <> 'AWSService' AND invoked_by IS NULL AND NOT aws_internal_endpoint
      AND outcome IN ('success', 'denied')
      AND source_ip IS NOT NULL AND regexp_matches(source_ip, '^[0-9a-fA-F:.]+$')
      AND ((log = 'cloudtrail' AND vpce IS NULL)
        OR (log = 's3-access-log' AND vpce IS NULL AND NOT (
              regexp_matches(source_ip, '^10\.') OR regexp_matches(source_ip, '^192\.168\.')
              OR regexp_matches(source_ip, '^172\.(1[6-9]|2[0-9]|3[01])\.')
              OR regexp_matches(source_ip, '^100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.'))))
)
SELECT coalesce(principal, 'account:' || principal_account, 'unknown') AS principal, 'arn:aws:s3:::' || b AS resource,
       outcome, log, list_sort(list_distinct(flatten(list(actions)))) AS actions,
       list_sort(list_distinct(list(source_ip))) AS source_ips, count(*) AS requests
FROM outside
GROUP BY ALL
ORDER BY requests DESC, principal, resource;

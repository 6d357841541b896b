-- S3 requests to buckets reached successfully through an endpoint that did not come through one, over the
-- standard Athena CloudTrail table (`cloudtrail_logs`). AWS service principals are never a bypass.
WITH s3 AS (
    SELECT *, json_extract_scalar(requestparameters, '$.bucketName') AS bucket,
           coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn,
                    'account:' || useridentity.accountid) AS principal
    FROM cloudtrail_logs
    WHERE eventsource = 's3.amazonaws.com'
),
bound AS (
    SELECT DISTINCT bucket FROM s3
    WHERE vpcendpointid IS NOT NULL AND vpcendpointid <> 'AWS Internal' AND errorcode IS NULL AND bucket IS NOT NULL
)
SELECT principal, 'arn:aws:s3:::' || bucket AS resource,
       CASE WHEN errorcode IS NULL THEN 'success' ELSE 'denied' END AS outcome,
       array_agg(DISTINCT eventname) AS operations, array_agg(DISTINCT sourceipaddress) AS source_ips,
       count(*) AS requests
FROM s3
WHERE bucket IN (SELECT bucket FROM bound)
  AND (vpcendpointid IS NULL OR vpcendpointid = '')
  AND useridentity.type <> 'AWSService' AND useridentity.invokedby IS NULL
  AND regexp_like(sourceipaddress, '^[0-9a-fA-F:.]+$')
GROUP BY 1, 2, 3
ORDER BY requests DESC;

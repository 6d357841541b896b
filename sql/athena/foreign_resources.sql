-- Requests through an endpoint to S3 buckets owned by accounts outside the trusted set, over the standard
-- Athena CloudTrail table (`cloudtrail_logs`). Edit `trusted` to list your accounts.
WITH trusted AS (
    SELECT DISTINCT vpcendpointaccountid AS account FROM cloudtrail_logs WHERE vpcendpointaccountid IS NOT NULL
    UNION SELECT DISTINCT recipientaccountid FROM cloudtrail_logs
),
owned AS (
    SELECT c.*, r.arn AS resource, r.accountid AS owner
    FROM cloudtrail_logs c CROSS JOIN UNNEST(c.resources) AS t(r)
    WHERE c.vpcendpointid IS NOT NULL AND c.vpcendpointid <> 'AWS Internal' AND c.useridentity.type <> 'AWSService'
)
SELECT vpcendpointid AS vpce, resource AS bucket, nullif(owner, '') AS owner,
       CASE WHEN errorcode IS NULL THEN 'success' ELSE 'denied' END AS outcome, count(*) AS requests
FROM owned
WHERE resource LIKE 'arn:aws:s3:::%' AND strpos(resource, '/') = 0
  AND (owner = '' OR owner NOT IN (SELECT account FROM trusted))
  AND NOT regexp_like(resource, 'starport-layer-bucket|amazonaws\.com$|^arn:aws:s3:::(aws-ssm|amazon-ssm|al2023-repos|amazonlinux)')
GROUP BY 1, 2, 3, 4
ORDER BY outcome, requests DESC;

-- Observed operations per endpoint over the standard Athena CloudTrail table. CloudTrail logs API operation
-- names (eventName), not IAM actions: `trail-vpce export` maps them (e.g. ListObjectsV2 → s3:ListBucket,
-- CopyObject → s3:GetObject + s3:PutObject), so prefer sql/actions_per_endpoint.sql over an export.
SELECT vpcendpointid AS vpce, eventsource, eventname, count(*) AS requests,
       count(DISTINCT coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn)) AS principals
FROM cloudtrail_logs
WHERE vpcendpointid IS NOT NULL AND vpcendpointid <> 'AWS Internal' AND errorcode IS NULL
GROUP BY 1, 2, 3
ORDER BY vpce, requests DESC;

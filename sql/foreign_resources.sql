-- Requests through an endpoint to S3 buckets owned by accounts outside the trusted set.
-- Trusted set as `trail-vpce outside` defaults it: endpoint owners and log recipients (edit `trusted` to
-- configure). AWS-owned buckets (ECR layers, package repositories, ...) are excluded by name.
WITH trusted AS (
    SELECT DISTINCT vpce_account AS account FROM events WHERE vpce_account IS NOT NULL
    UNION SELECT DISTINCT recipient_account FROM events WHERE recipient_account IS NOT NULL
),
owned AS (
    -- resources and resource_accounts are parallel lists: one row per resource with its owner
    SELECT e.*, resource, resource_accounts[i] AS owner
    FROM events e, unnest(resources) WITH ORDINALITY AS t(resource, i)
    WHERE vpce IS NOT NULL AND log = 'cloudtrail' AND principal_type <> 'AWSService'
)
SELECT vpce, principal, outcome, split_part(resource, '/', 1) AS bucket, nullif(owner, '') AS owner,
       count(*) AS requests, min(time) AS first_seen, max(time) AS last_seen
FROM owned
WHERE resource LIKE 'arn:aws:s3:::%' AND position('/' IN resource) = 0
  AND (owner = '' OR owner NOT IN (SELECT account FROM trusted))
  AND NOT regexp_matches(split_part(resource, ':::', 2),
      '^(prod-[a-z0-9-]+-starport-layer-bucket|packages\.[a-z0-9-]+\.amazonaws\.com|repo\.[a-z0-9-]+\.amazonaws\.com|amazonlinux.*|al2023-repos-.*|aws-ssm-.*|amazon-ssm-.*|.*-birdwatcher-prod|patch-baseline-snapshot-.*|aws-windows-downloads-.*|amazoncloudwatch-agent-.*|aws-codedeploy-.*|ec2imagebuilder-toe-.*|prod-04-2014-tasks|awslambda-.*-tasks|cloudformation-.*|elasticbeanstalk-.*|jumpstart-cache-prod-.*|aws-mgn-.*|aws-drs-.*)$')
GROUP BY ALL
ORDER BY outcome, requests DESC;

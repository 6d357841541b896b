-- Observed IAM actions per endpoint (successful requests), the raw material of an endpoint policy.
-- Same numbers as `trail-vpce scan --format json` → endpoints[].top_actions (which counts every request).
SELECT vpce, action, count(*) AS requests, count(DISTINCT coalesce(principal, principal_account)) AS principals
FROM events, unnest(actions) AS t(action)
WHERE vpce IS NOT NULL AND log = 'cloudtrail'
GROUP BY ALL
ORDER BY vpce, requests DESC, action;

-- Denied requests by cause over the standard Athena CloudTrail table (`cloudtrail_logs`, as created from the
-- CloudTrail console). The classification mirrors trail-vpce's (src/analyze/classify.rs): the error message
-- names the policy type; VpceAccessDenied network activity events are the endpoint policy. It does not pair a
-- network activity event with the caller's record of the same request (trail-vpce does), and cannot replay
-- endpoint policies: use `trail-vpce denied` for those.
SELECT cause, count(*) AS denied_requests
FROM (
    SELECT CASE
        WHEN errorcode = 'VpceAccessDenied' THEN 'vpce-policy'
        WHEN errormessage LIKE '%VPC endpoint policy%' THEN 'vpce-policy'
        WHEN errormessage LIKE '%service control policy%' THEN 'scp'
        WHEN errormessage LIKE '%resource control policy%' THEN 'rcp'
        WHEN errormessage LIKE '%identity-based policy%' THEN 'identity-policy'
        WHEN errormessage LIKE '%resource-based policy%' THEN 'resource-policy'
        WHEN errormessage LIKE '%permissions boundary%' THEN 'permissions-boundary'
        WHEN errormessage LIKE '%session policy%' OR errormessage LIKE '%sessions policy%' THEN 'session-policy'
        WHEN errormessage LIKE '%trust policy%' THEN 'role-trust-policy'
        WHEN errormessage LIKE '%SSE-C%' THEN 'other'
        ELSE 'unknown'
    END AS cause
    FROM cloudtrail_logs
    WHERE errorcode IN ('AccessDenied', 'AccessDeniedException', 'VpceAccessDenied', 'Client.UnauthorizedOperation',
                        'UnauthorizedOperation', 'Client.AccessDenied', 'UnauthorizedAccess', 'AuthorizationError',
                        'AuthorizationErrorException', 'Forbidden')
)
GROUP BY cause
ORDER BY cause;

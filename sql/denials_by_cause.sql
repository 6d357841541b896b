-- Denied requests by cause over a `trail-vpce export` (DuckDB; Trino/Athena need only the table name changed).
-- The same answer as `trail-vpce denied --all-causes --format json` → totals.by_cause: a VpceAccessDenied
-- network activity event and the caller's record of the same request (same endpoint, principal, operation
-- and second) are one request, counted once as vpce-policy.
-- Set the table: CREATE VIEW events AS SELECT * FROM read_parquet('EXPORT/**/*.parquet', hive_partitioning = true);
WITH denials AS (
    SELECT *,
           coalesce(principal, 'account:' || principal_account, 'unknown') AS who,
           date_trunc('second', time) AS sec,
           category = 'NetworkActivity' AND cause = 'vpce-policy' AS is_na
    FROM events
    WHERE outcome = 'denied'
),
na AS (
    SELECT vpce, who, event_source, event_name, sec, count(*) AS n
    FROM denials
    WHERE is_na AND vpce IS NOT NULL AND time IS NOT NULL
    GROUP BY ALL
),
plain AS (
    SELECT vpce, who, event_source, event_name, sec, cause,
           row_number() OVER (PARTITION BY vpce, who, event_source, event_name, sec
                              ORDER BY time, CASE cause WHEN 'vpce-policy' THEN 0 ELSE 1 END, event_id) AS rn
    FROM denials
    WHERE NOT is_na AND vpce IS NOT NULL AND time IS NOT NULL AND cause IN ('vpce-policy', 'unknown')
),
paired AS (
    SELECT plain.cause
    FROM plain JOIN na USING (vpce, who, event_source, event_name, sec)
    WHERE plain.rn <= na.n
),
adjustments AS (
    -- each pair drops its network activity copy; a paired plain "unknown" becomes vpce-policy
    SELECT 'vpce-policy' AS cause, -count(*) AS n FROM paired
    UNION ALL SELECT 'unknown', -count(*) FROM paired WHERE cause = 'unknown'
    UNION ALL SELECT 'vpce-policy', count(*) FROM paired WHERE cause = 'unknown'
),
raw AS (SELECT cause, count(*) AS n FROM denials GROUP BY cause)
SELECT cause, sum(n)::BIGINT AS denied_requests
FROM (SELECT * FROM raw UNION ALL SELECT * FROM adjustments)
GROUP BY cause
HAVING sum(n) > 0
ORDER BY cause;

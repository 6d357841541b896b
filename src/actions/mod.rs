//! eventName → IAM action(s) and the resources they apply to (S3 and DynamoDB in full; `service:EventName`
//! for other services).

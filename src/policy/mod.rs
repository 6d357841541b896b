//! The IAM / VPC endpoint policy engine: parse, evaluate, lint. Pure: no I/O.

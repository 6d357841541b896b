//! Writes OCSF-shaped Parquet for the tests, from JSON events, in the nested layout Amazon Security Lake uses
//! (structs, a list of resource structs, `unmapped` as a list of key/value structs as Avro and Spark write a
//! map). Generated at test time, so no opaque file is committed. Written with polars' own Parquet writer (the
//! crates the reader uses), one row group per `rows_per_group` rows.

use std::sync::Arc;

use polars_arrow::array::{Array, BooleanArray, ListArray, PrimitiveArray, StructArray, Utf8ViewArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::{ArrowDataType as T, ArrowSchema, Field, TimeUnit};
use polars_arrow::offset::OffsetsBuffer;
use polars_arrow::record_batch::RecordBatchT;
use polars_parquet::write::{
    CompressionOptions, FileWriter, RowGroupIterator, StatisticsOptions, Version, WriteOptions, get_dtype_encoding,
};
use serde_json::Value;

fn string() -> T {
    T::Utf8View
}

fn strukt(fields: &[(&str, T)]) -> T {
    T::Struct(fields.iter().map(|(name, dtype)| Field::new((*name).into(), dtype.clone(), true)).collect())
}

fn list(item: T) -> T {
    T::LargeList(Box::new(Field::new("item".into(), item, true)))
}

/// The columns of Security Lake's CloudTrail table (OCSF 1.1, source version 2), as far as the reader looks,
/// plus the partition column `accountid` and an `observables` list it must skip.
pub fn schema() -> ArrowSchema {
    let ms = T::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
    let fields = [
        (
            "metadata",
            strukt(&[
                (
                    "product",
                    strukt(&[("version", string()), ("name", string()), ("feature", strukt(&[("name", string())]))]),
                ),
                ("event_code", string()),
                ("uid", string()),
                ("version", string()),
            ]),
        ),
        ("time", T::Int64),
        ("time_dt", ms.clone()),
        ("cloud", strukt(&[("region", string()), ("provider", string())])),
        (
            "api",
            strukt(&[
                ("response", strukt(&[("error", string()), ("message", string())])),
                ("operation", string()),
                ("service", strukt(&[("name", string())])),
                ("request", strukt(&[("uid", string()), ("data", string())])),
            ]),
        ),
        (
            "actor",
            strukt(&[
                (
                    "user",
                    strukt(&[
                        ("type", string()),
                        ("name", string()),
                        ("uid_alt", string()),
                        ("uid", string()),
                        ("account", strukt(&[("uid", string())])),
                        ("credential_uid", string()),
                    ]),
                ),
                ("session", strukt(&[("created_time_dt", ms), ("is_mfa", T::Boolean), ("issuer", string())])),
                ("invoked_by", string()),
            ]),
        ),
        ("http_request", strukt(&[("user_agent", string())])),
        ("src_endpoint", strukt(&[("uid", string()), ("ip", string()), ("domain", string())])),
        ("resources", list(strukt(&[("uid", string()), ("type", string()), ("account_uid", string())]))),
        ("class_uid", T::Int32),
        ("status", string()),
        ("unmapped", list(strukt(&[("key", string()), ("value", string())]))),
        ("observables", list(strukt(&[("name", string()), ("value", string())]))),
        ("accountid", string()),
    ];
    fields.into_iter().map(|(name, dtype)| (name.into(), Field::new(name.into(), dtype, true))).collect()
}

/// One column of `values` (a `None` is a null) as an Arrow array of `dtype`.
fn array(dtype: &T, values: &[Option<&Value>]) -> Box<dyn Array> {
    let validity = || Some(values.iter().map(Option::is_some).collect::<Bitmap>());
    match dtype {
        T::Utf8View => {
            let texts: Vec<Option<&str>> = values.iter().map(|v| v.and_then(Value::as_str)).collect();
            Utf8ViewArray::from_slice(texts).boxed()
        }
        T::Int64 | T::Timestamp(..) => {
            let numbers: Vec<Option<i64>> = values.iter().map(|v| v.and_then(Value::as_i64)).collect();
            PrimitiveArray::<i64>::from(numbers).to(dtype.clone()).boxed()
        }
        T::Int32 => {
            let numbers: Vec<Option<i32>> =
                values.iter().map(|v| v.and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok())).collect();
            PrimitiveArray::<i32>::from(numbers).boxed()
        }
        T::Boolean => {
            let flags: Vec<Option<bool>> = values.iter().map(|v| v.and_then(Value::as_bool)).collect();
            BooleanArray::from(flags).boxed()
        }
        T::Struct(fields) => {
            let children = fields
                .iter()
                .map(|f| {
                    let column: Vec<Option<&Value>> =
                        values.iter().map(|v| v.and_then(|v| v.get(f.name.as_str()))).collect();
                    array(&f.dtype, &column)
                })
                .collect();
            StructArray::new(dtype.clone(), values.len(), children, validity()).boxed()
        }
        T::LargeList(item) => {
            // A JSON object is a map: its entries, as `{"key", "value"}` structs.
            let entries: Vec<Option<Vec<Value>>> = values
                .iter()
                .map(|v| match v {
                    Some(Value::Array(items)) => Some(items.clone()),
                    Some(Value::Object(map)) => {
                        Some(map.iter().map(|(k, v)| serde_json::json!({"key": k, "value": v.as_str()})).collect())
                    }
                    _ => None,
                })
                .collect();
            let lengths = entries.iter().map(|e| e.as_ref().map_or(0, Vec::len));
            let offsets = OffsetsBuffer::<i64>::from(polars_arrow::offset::Offsets::try_from_lengths(lengths).unwrap());
            let flat: Vec<Option<&Value>> = entries.iter().flatten().flatten().map(Some).collect();
            let items = array(&item.dtype, &flat);
            ListArray::<i64>::new(dtype.clone(), offsets, items, validity()).boxed()
        }
        other => panic!("no generator for {other:?}"),
    }
}

/// Writes `events` (OCSF JSON objects) as Parquet, `rows_per_group` rows per row group.
pub fn write(path: &std::path::Path, events: &[Value], rows_per_group: usize) {
    let schema = schema();
    let batches: Vec<_> = events
        .chunks(rows_per_group.max(1))
        .map(|chunk| {
            let rows: Vec<Option<&Value>> = chunk.iter().map(Some).collect();
            let arrays = schema
                .iter_values()
                .map(|field| {
                    let column: Vec<Option<&Value>> =
                        rows.iter().map(|r| r.and_then(|r| r.get(field.name.as_str()))).collect();
                    array(&field.dtype, &column)
                })
                .collect();
            Ok(RecordBatchT::new(chunk.len(), Arc::new(schema.clone()), arrays))
        })
        .collect();
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        version: Version::V2,
        compression: CompressionOptions::Uncompressed,
        data_page_size: None,
    };
    let encodings = schema.iter_values().map(|f| get_dtype_encoding(&f.dtype)).collect::<Vec<_>>();
    let groups = RowGroupIterator::try_new(batches.into_iter(), &schema, options, encodings.into()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = FileWriter::try_new(file, schema.clone(), options).unwrap();
    for (group, chunk) in groups.zip(events.chunks(rows_per_group.max(1))) {
        writer.write(chunk.len() as u64, group.unwrap()).unwrap();
    }
    writer.end(None).unwrap();
}

/// An OCSF `version` API Activity event of an S3 `GetObject`, number `i`; `denied` makes it a VPC endpoint
/// policy denial through `vpce`.
pub fn get_object(version: &str, i: usize, vpce: &str, denied: bool) -> Value {
    let (error, message) = if denied {
        (
            Some("AccessDenied"),
            Some(format!(
                "User: arn:aws:sts::111122223333:assumed-role/app/i-{i} is not authorized to perform: s3:GetObject on \
                 resource: \"arn:aws:s3:::app-data-111122223333/k{i}\" because no VPC endpoint policy allows the \
                 s3:GetObject action"
            )),
        )
    } else {
        (None, None)
    };
    let millis = 1_795_000_000_000i64 + i as i64 * 1000;
    serde_json::json!({
        "metadata": {"product": {"version": "1.10", "name": "CloudTrail", "feature": {"name": "Data"}},
                     "event_code": "AwsApiCall", "uid": format!("ocsf-{version}-{i}"), "version": version},
        "time": millis,
        "time_dt": millis,
        "cloud": {"region": "us-east-1", "provider": "AWS"},
        "api": {"response": {"error": error, "message": message}, "operation": "GetObject",
                "service": {"name": "s3.amazonaws.com"},
                "request": {"uid": format!("R{i}"),
                            "data": format!(r#"{{"bucketName":"app-data-111122223333","key":"k{i}"}}"#)}},
        "actor": {"user": {"type": "AssumedRole", "uid": format!("arn:aws:sts::111122223333:assumed-role/app/i-{i}"),
                           "uid_alt": format!("AROAEXAMPLE:i-{i}"), "account": {"uid": "111122223333"},
                           "credential_uid": "ASIAEXAMPLE"},
                  "session": {"issuer": "arn:aws:iam::111122223333:role/app", "is_mfa": false}},
        "http_request": {"user_agent": "aws-cli/2.15"},
        "src_endpoint": {"uid": vpce, "ip": "10.0.1.7"},
        "resources": [{"uid": "arn:aws:s3:::app-data-111122223333", "type": "AWS::S3::Bucket",
                       "account_uid": "111122223333"}],
        "class_uid": 6003,
        "status": if denied { "Failure" } else { "Success" },
        "unmapped": {"recipientAccountId": "111122223333", "readOnly": "true", "managementEvent": "false"},
        "observables": [{"name": "src_endpoint.ip", "value": "10.0.1.7"}],
        "accountid": "111122223333"
    })
}

//! Arbitrary rows through the two Parquet row mappings (`decode::parquet`): an OCSF row becomes CloudTrail
//! JSON that the CloudTrail decoder takes as a record naming the row's operation (or rejects, with a reason);
//! an export row becomes an event naming its event, or a rejection. No panic, linear cost. The Parquet file reading itself is
//! polars' (built only with the `tabular` feature, which this crate leaves off); the mappings are ours.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use trail_vpce::decode::cloudtrail::RecordParser;
use trail_vpce::decode::parquet::export_row::{ExportRow, to_event};
use trail_vpce::decode::parquet::ocsf::{OcsfResource, OcsfRow, to_cloudtrail};

fn text(u: &mut Unstructured<'_>) -> arbitrary::Result<Option<String>> {
    Option::<String>::arbitrary(u)
}

fn texts(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<String>> {
    let n = u.int_in_range(0..=4)?;
    (0..n).map(|_| String::arbitrary(u)).collect()
}

fn ocsf(u: &mut Unstructured<'_>) -> arbitrary::Result<OcsfRow> {
    let resources = (0..u.int_in_range(0..=3)?)
        .map(|_| Ok(OcsfResource { uid: text(u)?, kind: text(u)?, account_uid: text(u)? }))
        .collect::<arbitrary::Result<_>>()?;
    let unmapped = (0..u.int_in_range(0..=6)?)
        .map(|_| Ok((String::arbitrary(u)?, String::arbitrary(u)?)))
        .collect::<arbitrary::Result<_>>()?;
    Ok(OcsfRow {
        class_uid: if u.arbitrary()? { Some(6003) } else { Option::<i64>::arbitrary(u)? },
        version: text(u)?,
        time_ms: Option::<i64>::arbitrary(u)?,
        uid: text(u)?,
        event_code: text(u)?,
        product_version: text(u)?,
        feature: text(u)?,
        region: text(u)?,
        operation: text(u)?,
        service: text(u)?,
        error: text(u)?,
        message: text(u)?,
        request_data: text(u)?,
        request_uid: text(u)?,
        user_type: text(u)?,
        user_uid: text(u)?,
        user_uid_alt: text(u)?,
        user_uuid: text(u)?,
        user_name: text(u)?,
        user_account: text(u)?,
        credential_uid: text(u)?,
        session_issuer: text(u)?,
        session_mfa: u.arbitrary()?,
        session_created_ms: u.arbitrary()?,
        invoked_by: text(u)?,
        src_uid: text(u)?,
        src_ip: text(u)?,
        src_domain: text(u)?,
        user_agent: text(u)?,
        resources,
        unmapped,
    })
}

fn export(u: &mut Unstructured<'_>) -> arbitrary::Result<ExportRow> {
    let resources = texts(u)?;
    let same = |u: &mut Unstructured<'_>, n: usize| -> arbitrary::Result<Vec<String>> {
        if u.arbitrary()? { (0..n).map(|_| String::arbitrary(u)).collect() } else { texts(u) }
    };
    let n = resources.len();
    Ok(ExportRow {
        time_ms: u.arbitrary()?,
        log: text(u)?,
        event_source: text(u)?,
        event_name: text(u)?,
        actions: texts(u)?,
        resource_accounts: same(u, n)?,
        resources,
        region: text(u)?,
        principal: text(u)?,
        principal_type: text(u)?,
        outcome: text(u)?,
        error_code: text(u)?,
        error_message: text(u)?,
        category: text(u)?,
        endpoint_id: text(u)?,
        bucket: text(u)?,
        key: text(u)?,
        version_id: text(u)?,
        table_name: text(u)?,
        index_name: text(u)?,
        http_status: u.arbitrary()?,
        access_actions: if u.arbitrary()? { Some(texts(u)?) } else { None },
        access_resources: if u.arbitrary()? { Some(texts(u)?) } else { None },
        resource_types: if u.arbitrary()? { Some(same(u, n)?) } else { None },
        resource_prefixes: if u.arbitrary()? { Some(vec![true; n]) } else { None },
        ..ExportRow::default()
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if let Ok(row) = ocsf(&mut u) {
        let operation = row.operation.clone();
        if let Ok(mut json) = to_cloudtrail(row) {
            // An `unmapped` value of the wrong shape may fail the record (the reader rejects the row, with the
            // decoder's reason); a record that decodes names the row's operation.
            if let Ok(Some(event)) = RecordParser::default().decode_event(&mut json) {
                assert_eq!(Some(event.event_name.as_str()), operation.as_deref());
            }
        }
    }
    if let Ok(row) = export(&mut u) {
        let name = row.event_name.clone();
        if let Ok(event) = to_event(row) {
            assert_eq!(Some(event.event_name.as_str()), name.as_deref());
        }
    }
});

//! The Parquet file reader: the footer, then one row group at a time, only the columns the mapping reads,
//! through polars' own Parquet and Arrow crates (the stack `polars` writes the export with). Memory is one
//! row group's projected columns: the compressed column chunks read from the file, and their decoded arrays.
//! Row groups past the size caps are refused (the file is a bad file), never read.

use std::collections::HashMap;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use polars_arrow::datatypes::Field;
use polars_buffer::Buffer;
use polars_parquet::read::{self as pq, BasicDecompressor, PageReader, RowGroupMetadata, column_iter_to_arrays};

use super::cells::{Cell, Column};
use super::export_row::ExportRow;
use super::ocsf::{OcsfResource, OcsfRow};
use super::{EXPORT_COLUMNS, OCSF_COLUMNS, ParquetSchema, schema_of};
use crate::decode::unit::{DecodeOptions, UnitKind};

/// Rows a row group may hold. A row group is decoded whole; this bounds the decoded arrays of a hostile file
/// whose metadata claims billions of rows in a few bytes (Spark and Security Lake write well under a million).
pub const MAX_ROW_GROUP_ROWS: usize = 4 << 20;

/// One decoded row group: the projected columns by name, and its row count.
pub(super) struct RowGroup {
    columns: HashMap<&'static str, Column>,
    pub rows: usize,
}

impl RowGroup {
    fn cell(&self, name: &str, row: usize) -> Option<Cell<'_>> {
        self.columns.get(name)?.cell(row)
    }

    fn str(&self, name: &str, row: usize) -> Option<String> {
        self.cell(name, row).and_then(Cell::str).map(str::to_owned)
    }

    /// The row as an export row.
    pub(super) fn export_row(&self, row: usize) -> ExportRow {
        let s = |name: &str| self.str(name, row);
        let b = |name: &str| self.cell(name, row).and_then(Cell::bool);
        let list = |name: &str| self.cell(name, row).map(Cell::strings);
        let present = |name: &str| self.columns.contains_key(name);
        // A list column that exists reads as a list (empty when null); an absent one as `None`.
        let opt_list = |name: &str| present(name).then(|| list(name).unwrap_or_default());
        ExportRow {
            time_ms: self.cell("time", row).and_then(Cell::millis),
            log: s("log"),
            event_source: s("event_source"),
            event_name: s("event_name"),
            actions: list("actions").unwrap_or_default(),
            resources: list("resources").unwrap_or_default(),
            resource_accounts: list("resource_accounts").unwrap_or_default(),
            region: s("region"),
            principal: s("principal"),
            principal_type: s("principal_type"),
            principal_account: s("principal_account"),
            identity_arn: s("identity_arn"),
            session_name: s("session_name"),
            access_key_id: s("access_key_id"),
            invoked_by: s("invoked_by"),
            ec2_role_delivery: b("ec2_role_delivery"),
            source_ip: s("source_ip"),
            user_agent: s("user_agent"),
            vpce: s("vpce"),
            endpoint_id: s("endpoint_id"),
            vpce_account: s("vpce_account"),
            aws_internal_endpoint: b("aws_internal_endpoint"),
            outcome: s("outcome"),
            error_code: s("error_code"),
            error_message: s("error_message"),
            category: s("category"),
            event_type: s("event_type"),
            event_id: s("event_id"),
            recipient_account: s("recipient_account"),
            tls_version: s("tls_version"),
            read_only: b("read_only"),
            bucket: s("bucket"),
            key: s("key"),
            http_status: self.cell("http_status", row).and_then(Cell::int),
            principal_id: s("principal_id"),
            user_name: s("user_name"),
            access_actions: opt_list("access_actions"),
            access_resources: opt_list("access_resources"),
            resource_types: opt_list("resource_types"),
            resource_prefixes: present("resource_prefixes")
                .then(|| self.cell("resource_prefixes", row).map(Cell::bools).unwrap_or_default()),
            tls_cipher: s("tls_cipher"),
            version_id: s("version_id"),
            list_type: s("list_type"),
            prefix: s("prefix"),
            copy_source: s("copy_source"),
            table_name: s("table_name"),
            index_name: s("index_name"),
            host: s("host"),
        }
    }

    /// The row as an OCSF row.
    pub(super) fn ocsf_row(&self, row: usize) -> OcsfRow {
        let at = |column: &str, path: &[&str]| self.cell(column, row).and_then(|c| c.path(path));
        let text = |column: &str, path: &[&str]| at(column, path).and_then(Cell::text);
        let user = |path: &[&str]| at("actor", &[&["user"], path].concat()).and_then(Cell::text);
        OcsfRow {
            class_uid: self.cell("class_uid", row).and_then(Cell::int),
            version: text("metadata", &["version"]),
            time_ms: self
                .cell("time", row)
                .and_then(Cell::millis)
                .or_else(|| self.cell("time_dt", row).and_then(Cell::millis)),
            uid: text("metadata", &["uid"]),
            event_code: text("metadata", &["event_code"]),
            product_version: text("metadata", &["product", "version"]),
            feature: text("metadata", &["product", "feature", "name"]),
            region: text("cloud", &["region"]),
            operation: text("api", &["operation"]),
            service: text("api", &["service", "name"]),
            error: text("api", &["response", "error"]),
            message: text("api", &["response", "message"]),
            request_data: text("api", &["request", "data"]),
            request_uid: text("api", &["request", "uid"]),
            user_type: user(&["type"]),
            user_uid: user(&["uid"]),
            user_uid_alt: user(&["uid_alt"]),
            user_uuid: user(&["uuid"]),
            user_name: user(&["name"]),
            user_account: user(&["account", "uid"]).or_else(|| user(&["account_uid"])),
            credential_uid: user(&["credential_uid"]),
            session_issuer: text("actor", &["session", "issuer"]),
            session_mfa: at("actor", &["session", "is_mfa"])
                .or_else(|| at("actor", &["session", "mfa"]))
                .and_then(Cell::bool),
            session_created_ms: at("actor", &["session", "created_time"])
                .and_then(Cell::millis)
                .or_else(|| at("actor", &["session", "created_time_dt"]).and_then(Cell::millis)),
            invoked_by: text("actor", &["invoked_by"]),
            src_uid: text("src_endpoint", &["uid"]),
            src_ip: text("src_endpoint", &["ip"]),
            src_domain: text("src_endpoint", &["domain"]),
            user_agent: text("http_request", &["user_agent"]),
            resources: self
                .cell("resources", row)
                .map(|list| {
                    list.items()
                        .map(|r| OcsfResource {
                            uid: r.field("uid").and_then(Cell::text),
                            kind: r.field("type").and_then(Cell::text),
                            account_uid: r.field("account_uid").and_then(Cell::text),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            unmapped: self.cell("unmapped", row).map(Cell::pairs).unwrap_or_default(),
        }
    }
}

/// An opened Parquet file: its footer, the schema it holds, and the columns to read.
pub(super) struct ParquetFile {
    metadata: pq::FileMetadata,
    fields: Vec<(&'static str, Field)>,
    pub schema: ParquetSchema,
    len: u64,
}

/// Opens the footer and decides the schema. The error says why the file is not read.
pub(super) fn open<R: Read + Seek>(file: &mut R) -> Result<ParquetFile, String> {
    guarded(|| {
        let len = file.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
        let metadata = pq::read_metadata(file).map_err(|e| format!("damaged Parquet file: {e}"))?;
        let arrow = pq::infer_schema(&metadata).map_err(|e| format!("damaged Parquet file: {e}"))?;
        let schema = schema_of(arrow.iter_names().map(|n| n.as_str())).ok_or_else(|| {
            "Parquet of unknown schema: neither a trail-vpce export (columns log, event_source, event_name) nor \
             OCSF (column class_uid)"
                .to_owned()
        })?;
        let wanted: &[&'static str] = match schema {
            ParquetSchema::Export => EXPORT_COLUMNS,
            ParquetSchema::Ocsf => OCSF_COLUMNS,
        };
        let fields = wanted.iter().filter_map(|name| Some((*name, arrow.get(name)?.clone()))).collect();
        Ok(ParquetFile { metadata, fields, schema, len })
    })
}

impl ParquetFile {
    pub fn row_groups(&self) -> usize {
        self.metadata.row_groups.len()
    }

    /// Reads row group `index`: its projected columns, and the compressed bytes read.
    pub fn row_group<R: Read + Seek>(
        &self,
        file: &mut R,
        index: usize,
        options: &DecodeOptions,
    ) -> Result<(RowGroup, u64), String> {
        let Some(group) = self.metadata.row_groups.get(index) else { return Err("no such row group".to_owned()) };
        let rows = group.num_rows();
        if rows > MAX_ROW_GROUP_ROWS {
            return Err(format!("row group {index} holds {rows} rows, over the {MAX_ROW_GROUP_ROWS}-row cap"));
        }
        let size = group.total_byte_size() as u64;
        if size > options.max_decompressed_bytes {
            return Err(format!(
                "row group {index} is {size} bytes uncompressed, over the --max-decompressed-bytes cap {}",
                options.max_decompressed_bytes
            ));
        }
        guarded(|| {
            let mut columns = HashMap::with_capacity(self.fields.len());
            let mut bytes = 0u64;
            for (name, field) in &self.fields {
                if let Some(column) = self.column(file, group, field, &mut bytes, options)? {
                    columns.insert(*name, column);
                }
            }
            Ok((RowGroup { columns, rows }, bytes))
        })
        .map_err(|e| format!("row group {index}: {e}"))
    }

    fn column<R: Read + Seek>(
        &self,
        file: &mut R,
        group: &RowGroupMetadata,
        field: &Field,
        bytes: &mut u64,
        options: &DecodeOptions,
    ) -> Result<Option<Column>, String> {
        let Some(chunks) = group.columns_under_root_iter(&field.name) else { return Ok(None) };
        let max_page = usize::try_from(options.max_decompressed_bytes).unwrap_or(usize::MAX);
        let mut pages = Vec::new();
        let mut types = Vec::new();
        for chunk in chunks {
            let range = chunk.byte_range();
            if range.start > range.end || range.end > self.len {
                return Err(format!(
                    "damaged Parquet file: column {} claims bytes {}..{} of a {}-byte file (truncated?)",
                    field.name, range.start, range.end, self.len
                ));
            }
            let mut buffer = vec![0u8; (range.end - range.start) as usize];
            file.seek(SeekFrom::Start(range.start))
                .and_then(|_| file.read_exact(&mut buffer))
                .map_err(|e| format!("column {}: {e}", field.name))?;
            *bytes += buffer.len() as u64;
            let reader = PageReader::new(Cursor::new(Buffer::from(buffer)), chunk, Vec::new(), max_page);
            pages.push(BasicDecompressor::new(reader, Vec::new()));
            types.push(&chunk.descriptor().descriptor.primitive_type);
        }
        let (arrays, _) = column_iter_to_arrays(pages, types, field.clone(), None)
            .map_err(|e| format!("damaged Parquet file: column {}: {e}", field.name))?;
        Ok(Some(Column::new(arrays)))
    }
}

thread_local! {
    /// Set while this thread runs a step of the Parquet library (see [`guarded`]).
    static IN_PARQUET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs, once, a panic hook that stays silent for a panic inside [`guarded`] (it becomes the file's
/// reason in the books) and hands every other panic to the hook that was there before.
fn quiet_parquet_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_PARQUET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs a step of the Parquet library, turning a panic inside it (polars-parquet asserts on some damaged
/// encodings instead of returning an error) into the file's error: one bad file never ends the run, and
/// nothing is printed but the reason in the books. The analyzers run outside.
fn guarded<T>(step: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    quiet_parquet_panics();
    let was = IN_PARQUET.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(step));
    IN_PARQUET.with(|flag| flag.set(was));
    match result {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            Err(format!("damaged Parquet file: the Parquet reader failed ({message})"))
        }
    }
}

/// The unit's kind once its schema is known.
pub(super) fn kind(schema: ParquetSchema) -> UnitKind {
    UnitKind::Parquet(schema)
}

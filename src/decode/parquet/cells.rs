//! Reading one value out of the Arrow arrays a row group decodes to: strings of any Arrow string layout,
//! integers, booleans, timestamps (any unit, to milliseconds), struct fields by name, list items and map
//! entries. A value of an unexpected type reads as absent (as the CloudTrail decoder treats a field of an
//! unexpected type), never as an error: schemas vary between writers (Avro lists, Spark timestamps).

use polars_arrow::array::{
    Array, BinaryViewArray, BooleanArray, ListArray, MapArray, PrimitiveArray, StructArray, Utf8Array, Utf8ViewArray,
};
use polars_arrow::datatypes::{ArrowDataType, TimeUnit};

/// One top-level column of a row group: its decoded chunks, addressed by row.
pub struct Column {
    chunks: Vec<Box<dyn Array>>,
}

impl Column {
    pub fn new(chunks: Vec<Box<dyn Array>>) -> Column {
        Column { chunks }
    }

    /// The value at `row` of the row group; `None` when null or out of range.
    pub fn cell(&self, mut row: usize) -> Option<Cell<'_>> {
        for chunk in &self.chunks {
            if row < chunk.len() {
                return Cell::new(chunk.as_ref(), row);
            }
            row -= chunk.len();
        }
        None
    }
}

/// A non-null value: an array and a row of it.
#[derive(Clone, Copy)]
pub struct Cell<'a> {
    array: &'a dyn Array,
    row: usize,
}

impl<'a> Cell<'a> {
    pub fn new(array: &'a dyn Array, row: usize) -> Option<Cell<'a>> {
        (row < array.len() && array.is_valid(row)).then_some(Cell { array, row })
    }

    /// The value as text, when it is a string (or UTF-8 binary).
    pub fn str(self) -> Option<&'a str> {
        let any = self.array.as_any();
        if let Some(a) = any.downcast_ref::<Utf8ViewArray>() {
            return Some(a.value(self.row));
        }
        if let Some(a) = any.downcast_ref::<Utf8Array<i64>>() {
            return Some(a.value(self.row));
        }
        if let Some(a) = any.downcast_ref::<Utf8Array<i32>>() {
            return Some(a.value(self.row));
        }
        if let Some(a) = any.downcast_ref::<BinaryViewArray>() {
            return std::str::from_utf8(a.value(self.row)).ok();
        }
        None
    }

    /// The value as an owned string: text as is, integers and booleans written out (OCSF ids are sometimes
    /// numbers, `unmapped` values always strings).
    pub fn text(self) -> Option<String> {
        if let Some(text) = self.str() {
            return Some(text.to_owned());
        }
        if let Some(flag) = self.bool() {
            return Some(flag.to_string());
        }
        self.int().map(|n| n.to_string())
    }

    /// The value as an integer, from any integer type.
    pub fn int(self) -> Option<i64> {
        let any = self.array.as_any();
        macro_rules! try_int {
            ($($t:ty),*) => {$(
                if let Some(a) = any.downcast_ref::<PrimitiveArray<$t>>() {
                    return i64::try_from(a.value(self.row)).ok();
                }
            )*};
        }
        try_int!(i64, i32, i16, i8, u64, u32, u16, u8);
        None
    }

    pub fn bool(self) -> Option<bool> {
        let any = self.array.as_any();
        if let Some(a) = any.downcast_ref::<BooleanArray>() {
            return Some(a.value(self.row));
        }
        match self.str()? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// An instant in epoch milliseconds: an Arrow timestamp of any unit, or an integer taken as milliseconds
    /// (OCSF's `time`).
    pub fn millis(self) -> Option<i64> {
        let value = self.int()?;
        match self.array.dtype().to_storage() {
            ArrowDataType::Timestamp(TimeUnit::Second, _) => value.checked_mul(1000),
            ArrowDataType::Timestamp(TimeUnit::Microsecond, _) => Some(value.div_euclid(1000)),
            ArrowDataType::Timestamp(TimeUnit::Nanosecond, _) => Some(value.div_euclid(1_000_000)),
            _ => Some(value),
        }
    }

    /// A struct's field by name.
    pub fn field(self, name: &str) -> Option<Cell<'a>> {
        let array = self.array.as_any().downcast_ref::<StructArray>()?;
        let at = array.fields().iter().position(|f| f.name.as_str() == name)?;
        Cell::new(array.values().get(at)?.as_ref(), self.row)
    }

    /// A path of struct fields (`["api", "response", "error"]` below a top-level column).
    pub fn path(self, names: &[&str]) -> Option<Cell<'a>> {
        names.iter().try_fold(self, |cell, name| cell.field(name))
    }

    /// A list's items (a map's entries, as structs of `key` and `value`).
    pub fn items(self) -> impl Iterator<Item = Cell<'a>> + 'a {
        let any = self.array.as_any();
        let (values, start, end): (Option<&'a dyn Array>, usize, usize) =
            if let Some(a) = any.downcast_ref::<ListArray<i64>>() {
                let (start, end) = a.offsets().start_end(self.row);
                (Some(a.values().as_ref()), start, end)
            } else if let Some(a) = any.downcast_ref::<ListArray<i32>>() {
                let (start, end) = a.offsets().start_end(self.row);
                (Some(a.values().as_ref()), start, end)
            } else if let Some(a) = any.downcast_ref::<MapArray>() {
                let (start, end) = a.offsets().start_end(self.row);
                (Some(a.field().as_ref()), start, end)
            } else {
                (None, 0, 0)
            };
        (start..end).filter_map(move |i| Cell::new(values?, i))
    }

    /// A list of strings (null items read as empty, as the export writes unknowns).
    pub fn strings(self) -> Vec<String> {
        self.items().map(|item| item.str().unwrap_or_default().to_owned()).collect()
    }

    /// A list of booleans (null items read as false).
    pub fn bools(self) -> Vec<bool> {
        self.items().map(|item| item.bool().unwrap_or(false)).collect()
    }

    /// A struct's field by position.
    fn nth(self, at: usize) -> Option<Cell<'a>> {
        let array = self.array.as_any().downcast_ref::<StructArray>()?;
        Cell::new(array.values().get(at)?.as_ref(), self.row)
    }

    /// A map (or a list of key/value structs, as Avro and Spark write maps) as pairs, in order; entries whose
    /// key or value is not text are left out. Key and value are the entry's first and second fields, whatever
    /// the writer named them (`key`/`value`, `keys`/`values`).
    pub fn pairs(self) -> Vec<(String, String)> {
        self.items()
            .filter_map(|entry| Some((entry.nth(0).and_then(Cell::text)?, entry.nth(1).and_then(Cell::text)?)))
            .collect()
    }
}

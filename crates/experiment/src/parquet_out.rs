//! Parquet files of sweep outputs, through the parquet crate's low-level column writers
//! (no Arrow, no compression codecs: a lean build, and files every reader opens).
//!
//! The bytes depend only on the table: one row group, plain settings, no timestamps, so
//! the same sweep gives byte-identical files.

use crate::table::{Column, Table};
use anyhow::{Context, Result};
use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::sync::Arc;

fn field(name: &str, column: &Column) -> Result<Arc<Type>> {
    let (physical, repetition, logical) = match column {
        Column::Int(_) => (Physical::INT64, Repetition::REQUIRED, None),
        Column::UInt(_) => (
            Physical::INT64,
            Repetition::REQUIRED,
            Some(LogicalType::integer(64, false)),
        ),
        Column::Float(_) => (Physical::DOUBLE, Repetition::OPTIONAL, None),
        Column::Bool(_) => (Physical::BOOLEAN, Repetition::REQUIRED, None),
        Column::Text(_) => (
            Physical::BYTE_ARRAY,
            Repetition::REQUIRED,
            Some(LogicalType::String),
        ),
    };
    Ok(Arc::new(
        Type::primitive_type_builder(name, physical)
            .with_repetition(repetition)
            .with_logical_type(logical)
            .build()
            .with_context(|| format!("parquet column '{name}'"))?,
    ))
}

/// The table as a Parquet file.
pub fn to_parquet(table: &Table, schema_name: &str) -> Result<Vec<u8>> {
    let fields = table
        .names
        .iter()
        .zip(&table.columns)
        .map(|(n, c)| field(n, c))
        .collect::<Result<Vec<_>>>()?;
    let schema = Arc::new(
        Type::group_type_builder(schema_name)
            .with_fields(fields)
            .build()?,
    );
    let props = Arc::new(WriterProperties::builder().build());
    let mut buf = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut buf, schema, props)?;
    let mut group = writer.next_row_group()?;
    for column in &table.columns {
        let mut col = group
            .next_column()?
            .context("parquet: fewer columns in the schema than in the table")?;
        match column {
            Column::Int(v) => {
                col.typed::<Int64Type>().write_batch(v, None, None)?;
            }
            Column::UInt(v) => {
                // Stored as INT64 bits; the UINT_64 annotation tells readers to read them
                // back unsigned.
                let bits: Vec<i64> = v.iter().map(|&x| x as i64).collect();
                col.typed::<Int64Type>().write_batch(&bits, None, None)?;
            }
            Column::Float(v) => {
                let present: Vec<f64> = v.iter().flatten().copied().collect();
                let def: Vec<i16> = v.iter().map(|x| i16::from(x.is_some())).collect();
                col.typed::<DoubleType>()
                    .write_batch(&present, Some(&def), None)?;
            }
            Column::Bool(v) => {
                col.typed::<BoolType>().write_batch(v, None, None)?;
            }
            Column::Text(v) => {
                let bytes: Vec<ByteArray> = v.iter().map(|s| ByteArray::from(s.as_str())).collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&bytes, None, None)?;
            }
        }
        col.close()?;
    }
    group.close()?;
    writer.close()?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    #[test]
    fn a_table_reads_back_with_its_types_and_nulls() {
        let mut t = Table::default();
        t.push("run_id", Column::Int(vec![0, 1, 2]));
        t.push("seed", Column::UInt(vec![u64::MAX, 1, 2]));
        t.push(
            "params.activation.k",
            Column::Float(vec![Some(0.5), None, Some(2.0)]),
        );
        t.push("decapitation", Column::Bool(vec![true, false, true]));
        t.push(
            "network",
            Column::Text(vec!["star".into(), "hierarchical".into(), "star".into()]),
        );
        let bytes = to_parquet(&t, "runs").unwrap();
        assert_eq!(bytes, to_parquet(&t, "runs").unwrap(), "deterministic");
        let path = std::env::temp_dir().join(format!("asymwar-pq-{}.parquet", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 3);
        let rows: Vec<_> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let cols: Vec<(String, Field)> = rows[1]
            .get_column_iter()
            .map(|(n, f)| (n.clone(), f.clone()))
            .collect();
        assert_eq!(cols[0], ("run_id".into(), Field::Long(1)));
        assert_eq!(cols[1], ("seed".into(), Field::ULong(1)));
        assert_eq!(cols[2], ("params.activation.k".into(), Field::Null));
        assert_eq!(cols[3], ("decapitation".into(), Field::Bool(false)));
        assert_eq!(
            cols[4],
            ("network".into(), Field::Str("hierarchical".into()))
        );
        let first: Vec<Field> = rows[0].get_column_iter().map(|(_, f)| f.clone()).collect();
        assert_eq!(first[1], Field::ULong(u64::MAX));
        assert_eq!(first[2], Field::Double(0.5));
    }
}

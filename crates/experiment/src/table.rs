//! A column-typed table: what the sweep writes, once as CSV and once as Parquet, so the two
//! files always hold the same rows and columns.

/// One column's values.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    Int(Vec<i64>),
    /// Unsigned 64-bit (seeds use the whole range).
    UInt(Vec<u64>),
    /// Missing values (a metric that has no value in a run) are `None`.
    Float(Vec<Option<f64>>),
    Bool(Vec<bool>),
    Text(Vec<String>),
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::UInt(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of row `r` as CSV text: shortest text that reads back to the same f64
    /// (Rust's `Display`), empty for a missing value.
    pub fn text(&self, r: usize) -> String {
        match self {
            Column::Int(v) => v[r].to_string(),
            Column::UInt(v) => v[r].to_string(),
            Column::Float(v) => v[r].map(|x| x.to_string()).unwrap_or_default(),
            Column::Bool(v) => v[r].to_string(),
            Column::Text(v) => v[r].clone(),
        }
    }
}

/// Named columns of equal length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn push(&mut self, name: impl Into<String>, column: Column) {
        debug_assert!(self.columns.first().is_none_or(|c| c.len() == column.len()));
        self.names.push(name.into());
        self.columns.push(column);
    }

    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    pub fn to_csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.names)?;
        let mut record = Vec::with_capacity(self.names.len());
        for r in 0..self.rows() {
            record.clear();
            record.extend(self.columns.iter().map(|c| c.text(r)));
            w.write_record(&record)?;
        }
        Ok(w.into_inner()?)
    }
}

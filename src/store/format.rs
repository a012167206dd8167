//! The bytes of `state.json`: the inventory wrapped with a schema version and the time of saving.
//!
//! ```json
//! { "schema": 1, "saved_at": "2025-06-01T18:04:05.123Z", "devices": [...], "scans": [...] }
//! ```
//!
//! Reading is done in two passes so that each kind of bad file gets its own message: first only
//! the `schema` field is read (which also checks the whole file is JSON), then the inventory itself.
//! That way a file from a newer porchlight is reported as such even if its shape has changed, and a
//! JSON file that is not ours is not called "damaged".

use std::fmt;
use std::path::Path;

use jiff::Timestamp;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::error::Category;

use super::SCHEMA_VERSION;
use super::error::StoreError;
use crate::model::Inventory;
use crate::sanitize::one_line;

/// What is written: the inventory's own fields sit next to the schema version.
#[derive(Serialize)]
struct StateFileOut<'a> {
    schema: u32,
    saved_at: Timestamp,
    #[serde(flatten)]
    inventory: &'a Inventory,
}

/// The first read: only the schema version; every other field is skipped.
///
/// Written by hand because a derived struct would also accept a JSON array (taking its first
/// element as the schema), and an array is certainly not ours.
struct Header {
    schema: Option<u64>,
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeaderVisitor;

        impl<'de> Visitor<'de> for HeaderVisitor {
            type Value = Header;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object with porchlight's \"schema\" field")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
                let mut schema = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "schema" {
                        if schema.is_some() {
                            return Err(de::Error::duplicate_field("schema"));
                        }
                        schema = Some(map.next_value::<u64>()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Header { schema })
            }
        }

        deserializer.deserialize_map(HeaderVisitor)
    }
}

/// Encodes `inventory` as the contents of a state file saved at `saved_at`.
pub(crate) fn encode(inventory: &Inventory, saved_at: Timestamp) -> serde_json::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec(&StateFileOut {
        schema: SCHEMA_VERSION,
        saved_at,
        inventory,
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Why a file's bytes are not a usable inventory. The caller adds the path and the backup hint.
#[derive(Debug)]
pub(crate) enum DecodeError {
    /// Not JSON, or our schema but the wrong shape.
    Damaged(String),
    /// JSON, but not ours.
    NotOurs(String),
    /// Ours, from a newer porchlight.
    TooNew(u64),
}

impl DecodeError {
    /// The error to report for the file at `path`, offering `backup` where it applies.
    pub(super) fn at(self, path: &Path, backup: Option<&Path>) -> StoreError {
        let path = path.to_path_buf();
        let backup = backup.map(Path::to_path_buf);
        match self {
            DecodeError::Damaged(reason) => StoreError::Damaged {
                path,
                reason,
                backup,
            },
            DecodeError::NotOurs(reason) => StoreError::NotOurs {
                path,
                reason,
                backup,
            },
            DecodeError::TooNew(found) => StoreError::TooNew { path, found },
        }
    }
}

/// Reads the inventory out of a state file's bytes.
pub(crate) fn decode(bytes: &[u8]) -> Result<Inventory, DecodeError> {
    let header: Header = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        Category::Data => DecodeError::NotOurs(one_line(&e.to_string())),
        Category::Io | Category::Syntax | Category::Eof => {
            DecodeError::Damaged(one_line(&e.to_string()))
        }
    })?;
    match header.schema {
        None => Err(DecodeError::NotOurs("it has no \"schema\" field".into())),
        Some(0) => Err(DecodeError::NotOurs("unknown schema 0".into())),
        Some(v) if v > u64::from(SCHEMA_VERSION) => Err(DecodeError::TooNew(v)),
        Some(_) => serde_json::from_slice::<Inventory>(bytes)
            .map_err(|e| DecodeError::Damaged(one_line(&e.to_string()))),
    }
}

//! What exports and reports read: a person's cells as they stand (for the domain views to build from), the people
//! on a ward, and the key that makes stable pseudonyms.

use super::{Store, now_ms};
use sqlx::Row;
use std::collections::BTreeMap;
use waymark_shared::{
    UserId,
    sync::{Audience, CellKey, CellState, Kind, RecordId, ShownCell},
};

/// One service user on a ward.
#[derive(Clone, Debug)]
pub struct WardPerson {
    pub id: UserId,
    pub display_name: String,
}

fn decode_error(what: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(what.to_string().into())
}

impl Store {
    /// Every cell of `person`'s record as it now stands (values kept aside in a conflict are left out: an export
    /// holds what the record says). Staff-only cells only when `staff_only` is true.
    pub async fn person_cells(
        &self,
        person: &UserId,
        staff_only: bool,
    ) -> Result<BTreeMap<CellKey, ShownCell>, sqlx::Error> {
        let rows = sqlx::query("SELECT kind, record_id, field, audience, state FROM sync_cells WHERE person_id = $1")
            .bind(&person.0)
            .fetch_all(&self.pool)
            .await?;
        let mut cells = BTreeMap::new();
        for row in rows {
            let audience: String = row.try_get("audience")?;
            let audience = Audience::parse(&audience).ok_or_else(|| decode_error(format!("audience {audience:?}")))?;
            if audience == Audience::StaffOnly && !staff_only {
                continue;
            }
            let kind: String = row.try_get("kind")?;
            // A kind this build does not know (written by a newer one) is left out rather than failing the export.
            let Some(kind) = Kind::parse(&kind) else {
                continue;
            };
            let key = CellKey {
                person: person.clone(),
                kind,
                record: RecordId(row.try_get("record_id")?),
                field: row.try_get("field")?,
            };
            let state: String = row.try_get("state")?;
            let state: CellState =
                serde_json::from_str(&state).map_err(|e| decode_error(format!("stored cell: {e}")))?;
            cells.insert(key, ShownCell { value: state.value, by: Some(state.by), kept: vec![], waiting: false });
        }
        Ok(cells)
    }

    /// The service users on a ward, by name.
    pub async fn ward_people(&self, ward: &str) -> Result<Vec<WardPerson>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, display_name FROM users WHERE role = 'service_user' AND ward_id = $1 ORDER BY display_name, id",
        )
        .bind(ward)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(WardPerson { id: UserId(r.try_get("id")?), display_name: r.try_get("display_name")? }))
            .collect()
    }

    /// A ward's name, if it exists.
    pub async fn ward_name(&self, ward: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT name FROM wards WHERE id = $1").bind(ward).fetch_optional(&self.pool).await
    }

    /// The secret behind de-identified exports' pseudonyms: made once (256 random bits) and kept, so a person has
    /// the same pseudonym in every export. Shared by every server instance.
    pub async fn pseudonym_key(&self) -> Result<Vec<u8>, sqlx::Error> {
        const NAME: &str = "export_pseudonym_key";
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        // The first instance to get here wins; everyone reads the winner.
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(NAME)
        .bind(&fresh)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let value: String = sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(NAME)
            .fetch_one(&self.pool)
            .await?;
        hex::decode(value).map_err(|e| decode_error(format!("stored pseudonym key: {e}")))
    }
}

//! Service users and their care teams, as seen from a viewer.

use super::{Store, UserRow};
use sqlx::Row;
use waymark_shared::{
    Relation, Role, UserId,
    access::{ViewFacts, may_view_person},
    api::TeamMember,
};

/// A service user with the facts that decide who may see them.
#[derive(Clone, Debug)]
pub struct PersonRow {
    pub id: UserId,
    pub display_name: String,
    pub ward_id: Option<String>,
    pub ward_name: Option<String>,
    /// The viewer's place in this person's care team.
    pub viewer_relation: Option<Relation>,
}

impl PersonRow {
    /// May `viewer` open this person's record? The one rule for pages, lists and sync.
    pub fn visible_to(&self, viewer: &UserRow) -> bool {
        may_view_person(ViewFacts {
            viewer_role: viewer.role,
            is_self: viewer.id == self.id,
            relation: self.viewer_relation,
            same_ward: viewer.ward_id.is_some() && viewer.ward_id == self.ward_id,
        })
    }
}

fn person_from_row(row: &sqlx::any::AnyRow) -> Result<PersonRow, sqlx::Error> {
    let relation: Option<String> = row.try_get("relation")?;
    Ok(PersonRow {
        id: UserId(row.try_get("id")?),
        display_name: row.try_get("display_name")?,
        ward_id: row.try_get("ward_id")?,
        ward_name: row.try_get("ward_name")?,
        viewer_relation: relation.as_deref().and_then(Relation::parse),
    })
}

const PERSON_SELECT: &str = "SELECT u.id, u.display_name, u.ward_id, w.name AS ward_name, ct.relation \
     FROM users u \
     LEFT JOIN wards w ON w.id = u.ward_id \
     LEFT JOIN care_team ct ON ct.person_id = u.id AND ct.member_id = $1 \
     WHERE u.role = 'service_user'";

/// Who might be visible to viewer `$1` on ward `$2` (themselves, their ward, the care teams they are in).
const NEAR: &str = "(u.id = $1 OR ct.member_id IS NOT NULL OR (u.ward_id IS NOT NULL AND u.ward_id = $2))";

impl Store {
    /// Every service user the viewer might be allowed to see: themselves, anyone on the viewer's ward, and anyone
    /// whose care team the viewer is in. The caller filters with the shared access rule.
    pub async fn people_near(&self, viewer: &UserId, viewer_ward: Option<&str>) -> Result<Vec<PersonRow>, sqlx::Error> {
        let sql = format!("{PERSON_SELECT} AND {NEAR} ORDER BY u.display_name, u.id");
        let rows = sqlx::query(&sql).bind(&viewer.0).bind(viewer_ward).fetch_all(&self.pool).await?;
        rows.iter().map(person_from_row).collect()
    }

    /// The service users `viewer` may open, by the shared access rule (what `GET /api/people` lists and what
    /// sync sends to their devices).
    pub async fn people_visible_to(&self, viewer: &UserRow) -> Result<Vec<PersonRow>, sqlx::Error> {
        let mut rows = self.people_near(&viewer.id, viewer.ward_id.as_deref()).await?;
        rows.retain(|p| p.visible_to(viewer));
        Ok(rows)
    }

    /// [`Store::people_visible_to`] and the sync version counter, read together in one statement (a pull needs
    /// both, and most pulls find nothing new: one round trip fewer each).
    pub async fn people_visible_and_head(&self, viewer: &UserRow) -> Result<(Vec<PersonRow>, u64), sqlx::Error> {
        let sql = format!(
            "SELECT h.version AS head, p.* FROM sync_head h \
             LEFT JOIN ({PERSON_SELECT} AND {NEAR}) p ON 1 = 1 \
             WHERE h.id = 1 ORDER BY p.display_name, p.id"
        );
        let rows = sqlx::query(&sql).bind(&viewer.id.0).bind(viewer.ward_id.as_deref()).fetch_all(&self.pool).await?;
        let head = rows.first().ok_or(sqlx::Error::RowNotFound)?.try_get::<i64, _>("head")?;
        let head = u64::try_from(head).map_err(|_| sqlx::Error::Decode(format!("sync head {head}").into()))?;
        let mut people = Vec::with_capacity(rows.len());
        for row in &rows {
            // No one near: the one row holds the head alone.
            if row.try_get::<Option<String>, _>("id")?.is_some() {
                people.push(person_from_row(row)?);
            }
        }
        people.retain(|p| p.visible_to(viewer));
        Ok((people, head))
    }

    /// One service user, with the viewer's relation to them.
    pub async fn person(&self, viewer: &UserId, person: &UserId) -> Result<Option<PersonRow>, sqlx::Error> {
        person_on(&self.pool, viewer, person).await
    }

    /// The person's care team, key worker first.
    pub async fn care_team(&self, person: &UserId) -> Result<Vec<TeamMember>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name, u.role, ct.relation FROM care_team ct JOIN users u ON u.id = ct.member_id \
             WHERE ct.person_id = $1 \
             ORDER BY CASE ct.relation WHEN 'key_worker' THEN 0 WHEN 'staff' THEN 1 ELSE 2 END, u.display_name",
        )
        .bind(&person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                let relation: String = row.try_get("relation")?;
                Ok(TeamMember {
                    id: UserId(row.try_get("id")?),
                    display_name: row.try_get("display_name")?,
                    role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode(format!("role {role:?}").into()))?,
                    relation: Relation::parse(&relation)
                        .ok_or_else(|| sqlx::Error::Decode(format!("relation {relation:?}").into()))?,
                })
            })
            .collect()
    }
}

/// One service user, with the viewer's relation to them, read through any connection (so a push can read it
/// inside its transaction).
pub(super) async fn person_on<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    viewer: &UserId,
    person: &UserId,
) -> Result<Option<PersonRow>, sqlx::Error> {
    let sql = format!("{PERSON_SELECT} AND u.id = $2");
    let row = sqlx::query(&sql).bind(&viewer.0).bind(&person.0).fetch_optional(executor).await?;
    row.as_ref().map(person_from_row).transpose()
}

//! The fictional demo ward, created only in an empty database.

use crate::{auth::password, error::AppError, store::{NewUser, Store}};
use waymark_shared::{Relation, Role, UserId};

/// Every demo account signs in with this password (listed in the README; demo data only).
pub const DEMO_PASSWORD: &str = "waymark-demo";

/// The demo accounts: (username, display name, role). All people are fictional.
pub const DEMO_PEOPLE: &[(&str, &str, Role)] = &[
    ("rhian", "Rhian Morgan", Role::WardManager),
    ("owen", "Owen Price", Role::KeyWorker),
    ("sara", "Sara Lloyd", Role::KeyWorker),
    ("dylan", "Dylan Evans", Role::ServiceUser),
    ("alys", "Alys Hughes", Role::ServiceUser),
    ("tomos", "Tomos Reed", Role::ServiceUser),
    ("nia", "Nia Carter", Role::ServiceUser),
    ("gareth", "Gareth Evans", Role::Carer),
    ("helen", "Helen Hughes", Role::Carer),
    ("admin", "Demo Administrator", Role::Admin),
];

/// Care-team links: (service user, member, relation).
pub const DEMO_LINKS: &[(&str, &str, Relation)] = &[
    ("dylan", "owen", Relation::KeyWorker),
    ("alys", "owen", Relation::KeyWorker),
    ("tomos", "sara", Relation::KeyWorker),
    ("nia", "sara", Relation::KeyWorker),
    ("alys", "sara", Relation::Staff),
    ("dylan", "gareth", Relation::Carer),
    ("alys", "helen", Relation::Carer),
];

pub const DEMO_WARD: &str = "Derwen Ward (demo)";

/// Create the demo ward if, and only if, the database has no users. Returns whether it seeded.
pub async fn seed_demo_ward(store: &Store) -> Result<bool, AppError> {
    if store.count_users().await? > 0 {
        tracing::info!("database already has people in it: demo ward not seeded");
        return Ok(false);
    }
    let ward = store.create_ward(DEMO_WARD).await?;
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut ids: Vec<(&str, UserId)> = Vec::new();
    for &(username, display_name, role) in DEMO_PEOPLE {
        let ward_id = (role != Role::Admin).then_some(ward.as_str());
        let id = store
            .create_user(NewUser { username, display_name, role, password_hash: &hash, ward_id })
            .await?;
        ids.push((username, id));
    }
    let id_of = |name: &str| ids.iter().find(|(n, _)| *n == name).map(|(_, id)| id.clone()).expect("demo link names a demo person");
    for &(person, member, relation) in DEMO_LINKS {
        store.link_care_team(&id_of(person), &id_of(member), relation).await?;
    }
    tracing::info!(people = DEMO_PEOPLE.len(), "seeded the demo ward");
    Ok(true)
}

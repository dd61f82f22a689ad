//! The store on SQLite and PostgreSQL: schema, people, care teams, throttling records, sessions and seeding.

mod common;

use common::TestDb;
use std::{collections::HashMap, future::Future};
use time::{Duration, OffsetDateTime};
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::ExpiredDeletion,
};
use waymark_server::{
    auth::password,
    seed,
    store::{CARRIED_USER, FailureRecord, NewUser, Store, UserRow, now_ms},
};
use waymark_shared::{
    Lang, Relation, Role, UserId,
    access::{ViewFacts, may_view_person},
};

on_both_engines!(
    migrations_apply_and_are_idempotent,
    users_and_wards_round_trip,
    usernames_are_unique,
    care_team_links_and_refusals,
    people_near_with_the_access_rule,
    sign_in_failures_count_atomically_and_clear,
    session_records_create_save_load_delete,
    session_saves_made_together_each_land,
    session_loads_carry_their_account_as_it_is_and_never_store_it,
    expired_session_records_are_not_loaded_and_are_deleted,
    seed_fills_an_empty_database_only,
    seed_never_touches_a_database_with_people,
    set_language_persists,
);

async fn user(store: &Store, username: &str, role: Role, hash: &str, ward: Option<&str>) -> UserId {
    store
        .create_user(NewUser {
            username,
            display_name: &format!("{username} (test)"),
            role,
            password_hash: hash,
            ward_id: ward,
        })
        .await
        .unwrap_or_else(|e| panic!("create {username}: {e}"))
}

async fn migrations_apply_and_are_idempotent(db: TestDb) {
    // Every migration file applied once, successfully.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sql"))
        .count() as i64;
    assert!(files >= 9);
    assert_eq!(db.count("SELECT COUNT(*) FROM _sqlx_migrations").await, files);
    assert_eq!(db.count("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").await, files);
    for table in
        ["wards", "users", "care_team", "sessions", "sign_in_failures", "sync_cells", "sync_events", "sync_mutations"]
    {
        assert_eq!(db.count(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table} exists and is empty");
    }
    assert_eq!(db.count("SELECT version FROM sync_head WHERE id = 1").await, 0, "the version counter starts at 0");
    // Opening the same database again applies nothing twice and keeps the data.
    db.store.create_ward("Ward A").await.unwrap();
    let again = Store::connect(&db.url).await.expect("reopen");
    assert_eq!(again.engine(), db.engine());
    assert_eq!(db.count("SELECT COUNT(*) FROM _sqlx_migrations").await, files);
    assert_eq!(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM wards").fetch_one(again.pool()).await.unwrap(), 1);
    again.ping().await.unwrap();
    again.close().await;
}

async fn users_and_wards_round_trip(db: TestDb) {
    let s = &db.store;
    let ward = s.create_ward("Derwen").await.unwrap();
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"; // never verified here
    let id = user(s, "owen", Role::KeyWorker, hash, Some(&ward)).await;
    let admin = user(s, "root", Role::Admin, hash, None).await;
    assert_ne!(id, admin);
    assert_eq!(s.count_users().await.unwrap(), 2);

    let by_name = s.user_by_username("owen").await.unwrap().expect("owen exists");
    let by_id = s.user_by_id(&id).await.unwrap().expect("owen by id");
    for u in [&by_name, &by_id] {
        assert_eq!(u.id, id);
        assert_eq!(u.username, "owen");
        assert_eq!(u.display_name, "owen (test)");
        assert_eq!(u.role, Role::KeyWorker);
        assert_eq!(u.password_hash, hash);
        assert_eq!(u.language, Lang::En);
        assert_eq!(u.ward_id.as_deref(), Some(ward.as_str()));
        assert_eq!(u.ward_name.as_deref(), Some("Derwen"));
    }
    let root = s.user_by_id(&admin).await.unwrap().unwrap();
    assert_eq!((root.role, root.ward_id, root.ward_name), (Role::Admin, None, None));
    assert!(s.user_by_username("nobody").await.unwrap().is_none());
    assert!(s.user_by_id(&UserId::from("0000")).await.unwrap().is_none());
}

async fn usernames_are_unique(db: TestDb) {
    let s = &db.store;
    user(s, "owen", Role::KeyWorker, "h", None).await;
    let dup = s
        .create_user(NewUser {
            username: "owen",
            display_name: "Other Owen",
            role: Role::Staff,
            password_hash: "h",
            ward_id: None,
        })
        .await;
    assert!(dup.is_err(), "a second account named owen must be refused");
    assert_eq!(s.count_users().await.unwrap(), 1);
    // A ward that does not exist is refused too (foreign key).
    let orphan = s
        .create_user(NewUser {
            username: "ghost",
            display_name: "Ghost",
            role: Role::Staff,
            password_hash: "h",
            ward_id: Some("no-such-ward"),
        })
        .await;
    assert!(orphan.is_err(), "a user on a missing ward must be refused");
    assert_eq!(s.count_users().await.unwrap(), 1);
}

async fn care_team_links_and_refusals(db: TestDb) {
    let s = &db.store;
    let ward = s.create_ward("Derwen").await.unwrap();
    let w = Some(ward.as_str());
    let dylan = user(s, "dylan", Role::ServiceUser, "h", w).await;
    let owen = user(s, "owen", Role::KeyWorker, "h", w).await;
    let nurse = user(s, "nurse", Role::Staff, "h", w).await;
    let gareth = user(s, "gareth", Role::Carer, "h", None).await;
    let alys = user(s, "alys", Role::ServiceUser, "h", w).await;

    s.link_care_team(&dylan, &gareth, Relation::Carer).await.unwrap();
    s.link_care_team(&dylan, &nurse, Relation::Staff).await.unwrap();
    s.link_care_team(&dylan, &owen, Relation::Staff).await.unwrap();
    // Linking again changes the relation rather than adding a row.
    s.link_care_team(&dylan, &owen, Relation::KeyWorker).await.unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM care_team").await, 3);

    let team = s.care_team(&dylan).await.unwrap();
    let got: Vec<(&str, Relation, Role)> = team.iter().map(|m| (m.display_name.as_str(), m.relation, m.role)).collect();
    assert_eq!(
        got,
        vec![
            ("owen (test)", Relation::KeyWorker, Role::KeyWorker),
            ("nurse (test)", Relation::Staff, Role::Staff),
            ("gareth (test)", Relation::Carer, Role::Carer),
        ],
        "key worker first, then staff, then carers"
    );
    assert!(s.care_team(&alys).await.unwrap().is_empty());

    // Nonsensical links are refused and write nothing.
    assert!(s.link_care_team(&alys, &gareth, Relation::KeyWorker).await.is_err(), "a carer as key worker");
    assert!(s.link_care_team(&alys, &nurse, Relation::KeyWorker).await.is_err(), "non-key-worker staff as key worker");
    assert!(s.link_care_team(&alys, &owen, Relation::Carer).await.is_err(), "staff as a carer");
    assert!(s.link_care_team(&alys, &dylan, Relation::Carer).await.is_err(), "a service user as a carer");
    assert!(s.link_care_team(&owen, &nurse, Relation::Staff).await.is_err(), "a care team centred on a key worker");
    assert!(s.link_care_team(&gareth, &owen, Relation::KeyWorker).await.is_err(), "a care team centred on a carer");
    let missing = UserId::from("no-such-user");
    assert!(matches!(s.link_care_team(&missing, &owen, Relation::KeyWorker).await, Err(sqlx::Error::RowNotFound)));
    assert!(matches!(s.link_care_team(&alys, &missing, Relation::Carer).await, Err(sqlx::Error::RowNotFound)));
    assert_eq!(db.count("SELECT COUNT(*) FROM care_team").await, 3, "refused links wrote nothing");
}

/// The caseload as the API computes it: the near rows, filtered by the shared access rule.
async fn visible_names(db: &TestDb, username: &str) -> Vec<String> {
    let viewer = db.user(username).await;
    let rows = db.store.people_near(&viewer.id, viewer.ward_id.as_deref()).await.unwrap();
    rows.into_iter()
        .filter(|p| {
            may_view_person(ViewFacts {
                viewer_role: viewer.role,
                is_self: p.id == viewer.id,
                relation: p.viewer_relation,
                same_ward: viewer.ward_id.is_some() && viewer.ward_id == p.ward_id,
            })
        })
        .map(|p| p.display_name)
        .collect()
}

async fn people_near_with_the_access_rule(db: TestDb) {
    db.seed_demo().await;
    let s = &db.store;
    let owen = db.user("owen").await;

    // Near: every service user on owen's ward, with his relation where he has one; never staff or carers.
    let near = s.people_near(&owen.id, owen.ward_id.as_deref()).await.unwrap();
    let near: Vec<(&str, Option<Relation>)> =
        near.iter().map(|p| (p.display_name.as_str(), p.viewer_relation)).collect();
    assert_eq!(
        near,
        vec![
            ("Alys Hughes", Some(Relation::KeyWorker)),
            ("Dylan Evans", Some(Relation::KeyWorker)),
            ("Nia Carter", None),
            ("Tomos Reed", None),
        ]
    );
    // Without a ward, only people whose team the viewer is on are near.
    let no_ward = s.people_near(&owen.id, None).await.unwrap();
    assert_eq!(no_ward.iter().map(|p| p.display_name.as_str()).collect::<Vec<_>>(), ["Alys Hughes", "Dylan Evans"]);

    assert_eq!(visible_names(&db, "owen").await, ["Alys Hughes", "Dylan Evans"]);
    assert_eq!(visible_names(&db, "sara").await, ["Alys Hughes", "Nia Carter", "Tomos Reed"]);
    assert_eq!(visible_names(&db, "dylan").await, ["Dylan Evans"]);
    assert_eq!(visible_names(&db, "gareth").await, ["Dylan Evans"]);
    assert_eq!(visible_names(&db, "helen").await, ["Alys Hughes"]);
    assert_eq!(visible_names(&db, "rhian").await, ["Alys Hughes", "Dylan Evans", "Nia Carter", "Tomos Reed"]);
    assert!(visible_names(&db, "admin").await.is_empty());

    // One person, with the viewer's relation; non-service-users are never "people".
    let alys = db.user("alys").await;
    let sara = db.user("sara").await;
    let p = s.person(&sara.id, &alys.id).await.unwrap().expect("alys");
    assert_eq!((p.display_name.as_str(), p.viewer_relation), ("Alys Hughes", Some(Relation::Staff)));
    assert_eq!(p.ward_name.as_deref(), Some(seed::DEMO_WARD));
    assert!(s.person(&sara.id, &owen.id).await.unwrap().is_none(), "a key worker is not a person page");
    assert!(s.person(&sara.id, &UserId::from("nope")).await.unwrap().is_none());
}

async fn sign_in_failures_count_atomically_and_clear(db: TestDb) {
    let s = db.store.clone();
    assert_eq!(s.sign_in_failures("owen").await.unwrap(), None);

    // The first failure sees no record; later ones see the previous count.
    let first = s
        .record_sign_in_failure("owen", |r| {
            assert_eq!(r, None, "no record before the first failure");
            FailureRecord { failures: 1, window_started_at: 1000, locked_until: 0 }
        })
        .await
        .unwrap();
    assert_eq!(first.failures, 1);
    assert_eq!(s.sign_in_failures("owen").await.unwrap(), Some(first));

    // Concurrent failures never read the same count twice.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let s = s.clone();
        tasks.spawn(async move {
            s.record_sign_in_failure("owen", |r| {
                let r = r.expect("a record exists");
                FailureRecord { failures: r.failures + 1, ..r }
            })
            .await
            .unwrap()
        });
    }
    let mut seen: Vec<i64> = tasks.join_all().await.into_iter().map(|r| r.failures).collect();
    seen.sort();
    assert_eq!(seen, (2..=13).collect::<Vec<_>>(), "each concurrent failure saw a distinct count");
    let stored = s.sign_in_failures("owen").await.unwrap().unwrap();
    assert_eq!(stored, FailureRecord { failures: 13, window_started_at: 1000, locked_until: 0 });

    // Records are per username, and clearing one leaves the others.
    s.record_sign_in_failure("alys", |_| FailureRecord { failures: 1, window_started_at: 5, locked_until: 99 })
        .await
        .unwrap();
    s.clear_sign_in_failures("owen").await.unwrap();
    assert_eq!(s.sign_in_failures("owen").await.unwrap(), None);
    assert_eq!(s.sign_in_failures("alys").await.unwrap().map(|r| r.locked_until), Some(99));
    // A lock with no failures left is still a record the policy sees.
    s.record_sign_in_failure("nia", |_| FailureRecord { failures: 0, window_started_at: 7, locked_until: 8 })
        .await
        .unwrap();
    s.record_sign_in_failure("nia", |r| {
        assert_eq!(r, Some(FailureRecord { failures: 0, window_started_at: 7, locked_until: 8 }));
        FailureRecord { failures: 1, window_started_at: 9, locked_until: 8 }
    })
    .await
    .unwrap();
    s.clear_sign_in_failures("never-failed").await.unwrap();
}

fn record(data: &[(&str, serde_json::Value)], expires_in: Duration) -> Record {
    Record {
        id: Id::default(),
        data: data.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<HashMap<_, _>>(),
        expiry_date: OffsetDateTime::now_utc() + expires_in,
    }
}

async fn session_records_create_save_load_delete(db: TestDb) {
    let s = &db.store;
    let mut r = record(&[("csrf", "abc".into())], Duration::hours(1));
    let first_id = r.id;
    s.create(&mut r).await.unwrap();
    assert_eq!(r.id, first_id, "no collision, so the id stays");
    let loaded = s.load(&r.id).await.unwrap().expect("a live session loads");
    assert_eq!(loaded.id, r.id);
    assert_eq!(loaded.data, r.data);
    assert_eq!(loaded.expiry_date.unix_timestamp(), r.expiry_date.unix_timestamp());
    let expires_at: i64 = sqlx::query_scalar("SELECT expires_at FROM sessions WHERE id = $1")
        .bind(r.id.to_string())
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(expires_at, r.expiry_date.unix_timestamp() * 1000, "expiry stored in Unix milliseconds");

    // Creating a record whose id is taken picks a new id and leaves the other record alone.
    let mut clash = record(&[("csrf", "other".into())], Duration::hours(1));
    clash.id = r.id;
    s.create(&mut clash).await.unwrap();
    assert_ne!(clash.id, r.id);
    assert_eq!(s.load(&r.id).await.unwrap().unwrap().data["csrf"], "abc");
    assert_eq!(s.load(&clash.id).await.unwrap().unwrap().data["csrf"], "other");

    // Save replaces the data and the expiry.
    r.data.insert("uid".into(), "someone".into());
    r.expiry_date += Duration::hours(2);
    s.save(&r).await.unwrap();
    let loaded = s.load(&r.id).await.unwrap().unwrap();
    assert_eq!(loaded.data["uid"], "someone");
    assert_eq!(loaded.expiry_date.unix_timestamp(), r.expiry_date.unix_timestamp());
    assert_eq!(db.session_rows_with_id(&r.id.to_string()).await, 1);

    // Save of an unknown id inserts it.
    let fresh = record(&[], Duration::minutes(5));
    s.save(&fresh).await.unwrap();
    assert!(s.load(&fresh.id).await.unwrap().is_some());

    s.delete(&r.id).await.unwrap();
    assert!(s.load(&r.id).await.unwrap().is_none());
    assert_eq!(db.session_rows_with_id(&r.id.to_string()).await, 0);
    assert!(s.load(&clash.id).await.unwrap().is_some(), "deleting one session leaves the others");
    s.delete(&Id::default()).await.unwrap(); // deleting a missing session is fine
    assert!(s.load(&Id::default()).await.unwrap().is_none());
}

/// A loaded session carries its user's account row as the database holds it at that load (one round trip for the
/// session and the account); the row is never written back with the session, and a session whose user is gone, or
/// whose row does not name its user, carries none.
async fn session_loads_carry_their_account_as_it_is_and_never_store_it(db: TestDb) {
    let s = &db.store;
    let ward = s.create_ward("Derwen").await.unwrap();
    let owen = user(s, "owen", Role::KeyWorker, "secret-hash", Some(&ward)).await;
    let mut r = record(&[("uid", owen.0.clone().into()), ("csrf", "abc".into())], Duration::hours(1));
    s.create(&mut r).await.unwrap();
    let carried = |record: &Record| -> Option<UserRow> {
        record.data.get(CARRIED_USER).map(|v| serde_json::from_value(v.clone()).expect("an account row"))
    };
    let loaded = s.load(&r.id).await.unwrap().unwrap();
    let row = carried(&loaded).expect("the account comes with the session");
    assert_eq!((row.id.clone(), row.username.as_str(), row.role), (owen.clone(), "owen", Role::KeyWorker));
    assert_eq!((row.ward_name.as_deref(), row.active), (Some("Derwen"), true));

    // Read again at the next load: an account switched off meanwhile is seen switched off.
    sqlx::query("UPDATE users SET active = 0, display_name = 'Owen Renamed' WHERE id = $1")
        .bind(&owen.0)
        .execute(s.pool())
        .await
        .unwrap();
    let mut loaded = s.load(&r.id).await.unwrap().unwrap();
    let row = carried(&loaded).unwrap();
    assert_eq!((row.active, row.display_name.as_str()), (false, "Owen Renamed"));

    // Saving the loaded record (as a request that changed its session does) stores the session alone.
    loaded.data.insert("seen".into(), 5.into());
    s.save(&loaded).await.unwrap();
    let mut created = loaded.clone();
    s.create(&mut created).await.unwrap(); // (its id is taken: a new one)
    for id in [r.id, created.id] {
        let data: String = sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert!(!data.contains(CARRIED_USER) && !data.contains("secret-hash"), "stored: {data}");
        assert!(data.contains("\"seen\""), "the session's own change is stored: {data}");
    }
    // A stored record that somehow holds the key (written by hand) never passes it off as the account.
    let mut forged = r.clone();
    forged.data.insert(CARRIED_USER.into(), serde_json::json!({ "forged": true }));
    sqlx::query("UPDATE sessions SET data = $1, user_id = NULL WHERE id = $2")
        .bind(serde_json::to_string(&forged).unwrap())
        .bind(r.id.to_string())
        .execute(s.pool())
        .await
        .unwrap();
    let loaded = s.load(&r.id).await.unwrap().expect("still a session");
    assert!(carried(&loaded).is_none(), "no account carried for a row that does not name its user");

    // The user gone: the session loads (and is then ended by the request), carrying nothing.
    let mut other = record(&[("uid", "no-such-user".into())], Duration::hours(1));
    s.create(&mut other).await.unwrap();
    assert!(carried(&s.load(&other.id).await.unwrap().unwrap()).is_none());
}

/// Saves that arrive together are written together (one transaction): each still lands with its own data, a
/// session saved twice at once keeps one of its saves, and a deleted session stays deleted.
async fn session_saves_made_together_each_land(db: TestDb) {
    let s = &db.store;
    let mut records = Vec::new();
    for n in 0..300 {
        let mut r = record(&[("n", n.into())], Duration::hours(1));
        s.create(&mut r).await.unwrap();
        records.push(r);
    }
    // 300 saves at once (more than one multi-row statement), each with new data, and a second save of the first 50.
    let saves = records.iter().enumerate().map(|(n, r)| {
        let mut changed = r.clone();
        changed.data.insert("saved".into(), (n * 10).into());
        changed.expiry_date += Duration::minutes(30);
        changed
    });
    let again = records.iter().take(50).map(|r| {
        let mut changed = r.clone();
        changed.data.insert("saved".into(), "again".into());
        changed
    });
    let mut tasks = tokio::task::JoinSet::new();
    for r in saves.chain(again) {
        let s = s.clone();
        tasks.spawn(async move { s.save(&r).await });
    }
    let results = tasks.join_all().await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    for (n, r) in records.iter().enumerate() {
        let loaded = s.load(&r.id).await.unwrap().expect("each session is still there");
        assert_eq!(loaded.data["n"], n, "each save kept its own data");
        if n < 50 {
            let saved = &loaded.data["saved"];
            assert!(*saved == "again" || *saved == n * 10, "one of its two saves: {saved}");
        } else {
            assert_eq!(loaded.data["saved"], n * 10);
            assert_eq!(loaded.expiry_date.unix_timestamp(), (r.expiry_date + Duration::minutes(30)).unix_timestamp());
        }
        assert_eq!(db.session_rows_with_id(&r.id.to_string()).await, 1);
    }
    // A save whose request goes away (its future dropped once it has started) still lands.
    let mut left = records[150].clone();
    left.data.insert("saved".into(), "by a request that went away".into());
    let mut save = Box::pin(s.save(&left));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(save.as_mut().poll(&mut cx).is_pending(), "the save was still under way when its request went away");
    drop(save);
    let mut landed = false;
    for _ in 0..500 {
        if s.load(&left.id).await.unwrap().unwrap().data["saved"] == "by a request that went away" {
            landed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(landed, "a save is not cancelled with its request");

    // Saves and deletes together: the deleted sessions are gone, the others saved.
    let (gone, kept) = records.split_at(100);
    let mut tasks = tokio::task::JoinSet::new();
    for (n, r) in records.iter().enumerate() {
        let (s, r) = (s.clone(), r.clone());
        if n < 100 {
            tasks.spawn(async move { s.delete(&r.id).await });
        } else {
            tasks.spawn(async move { s.save(&r).await });
        }
    }
    assert!(tasks.join_all().await.iter().all(Result::is_ok));
    for r in gone {
        assert!(s.load(&r.id).await.unwrap().is_none(), "a deleted session stays deleted");
    }
    for r in kept {
        assert!(s.load(&r.id).await.unwrap().is_some());
    }
}

async fn expired_session_records_are_not_loaded_and_are_deleted(db: TestDb) {
    let s = &db.store;
    let mut live = record(&[("uid", "a".into())], Duration::hours(1));
    let mut dead = record(&[("uid", "b".into())], Duration::seconds(-5));
    s.create(&mut live).await.unwrap();
    s.create(&mut dead).await.unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 2);
    assert!(s.load(&dead.id).await.unwrap().is_none(), "an expired session never loads");
    assert!(s.load(&live.id).await.unwrap().is_some());

    // A session that expires while stored stops loading too.
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
        .bind(now_ms() - 1)
        .bind(live.id.to_string())
        .execute(s.pool())
        .await
        .unwrap();
    assert!(s.load(&live.id).await.unwrap().is_none());

    let mut other = record(&[], Duration::hours(1));
    s.create(&mut other).await.unwrap();
    s.delete_expired().await.unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM sessions").await, 1, "only the live session is left");
    assert_eq!(db.session_rows_with_id(&other.id.to_string()).await, 1);
}

async fn seed_fills_an_empty_database_only(db: TestDb) {
    let s = &db.store;
    assert!(seed::seed_demo_ward(s).await.unwrap(), "an empty database is seeded");
    assert_eq!(s.count_users().await.unwrap(), 10);
    assert_eq!(db.count("SELECT COUNT(*) FROM wards").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM care_team").await, seed::DEMO_LINKS.len() as i64);
    for &(username, display_name, role) in seed::DEMO_PEOPLE {
        let u = db.user(username).await;
        assert_eq!((u.display_name.as_str(), u.role), (display_name, role));
        assert_eq!(u.ward_id.is_some(), role != Role::Admin, "{username}: everyone but the admin is on the ward");
    }
    let owen = db.user("owen").await;
    assert!(password::verify_blocking(seed::DEMO_PASSWORD, &owen.password_hash));
    assert!(!password::verify_blocking("wrong", &owen.password_hash));

    // Seeding again changes nothing.
    assert!(!seed::seed_demo_ward(s).await.unwrap());
    assert_eq!(s.count_users().await.unwrap(), 10);
    assert_eq!(db.count("SELECT COUNT(*) FROM wards").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM care_team").await, seed::DEMO_LINKS.len() as i64);
}

async fn seed_never_touches_a_database_with_people(db: TestDb) {
    let s = &db.store;
    user(s, "solo", Role::Admin, "h", None).await;
    assert!(!seed::seed_demo_ward(s).await.unwrap(), "a database with people in it is never seeded");
    assert_eq!(s.count_users().await.unwrap(), 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM wards").await, 0);
    assert!(s.user_by_username("owen").await.unwrap().is_none());
}

async fn set_language_persists(db: TestDb) {
    let s = &db.store;
    let a = user(s, "alys", Role::ServiceUser, "h", None).await;
    let b = user(s, "dylan", Role::ServiceUser, "h", None).await;
    s.set_language(&a, Lang::Cy).await.unwrap();
    assert_eq!(s.user_by_id(&a).await.unwrap().unwrap().language, Lang::Cy);
    assert_eq!(s.user_by_id(&b).await.unwrap().unwrap().language, Lang::En, "only that person changes");
    // It survives reopening the database.
    let reopened = Store::connect(&db.url).await.unwrap();
    assert_eq!(reopened.user_by_username("alys").await.unwrap().unwrap().language, Lang::Cy);
    reopened.close().await;
    s.set_language(&a, Lang::En).await.unwrap();
    assert_eq!(s.user_by_id(&a).await.unwrap().unwrap().language, Lang::En);
}

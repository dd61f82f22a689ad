//! The sync protocol on the wire: `POST /api/sync/push` and `GET /api/sync/pull`.

use super::cell::{CellKey, CellState};
use super::change::{Change, ChangeError};
use crate::people::UserId;
use crate::tracker::SharedPart;
use serde::{Deserialize, Serialize};

/// The version of this protocol. Every push and pull names it; a server refuses any other, so an old app on a
/// tablet is told to update instead of writing data it misunderstands.
pub const SCHEMA_VERSION: u32 = 1;
/// Most mutations in one push.
pub const MAX_PUSH_MUTATIONS: usize = 500;
/// Most bytes of mutations a device puts in one push (the server accepts bodies a little larger than this).
pub const MAX_PUSH_BYTES: usize = 192 * 1024;
/// Most events in one pull page, and the page size when the device does not ask for one.
pub const MAX_PULL_PAGE: u32 = 1000;
pub const DEFAULT_PULL_PAGE: u32 = 500;

/// A device's id for one signed-in person: made on the device, kept in its local store.
/// 8 to 64 characters of `A-Z a-z 0-9 - _`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ClientId(pub String);

impl ClientId {
    pub fn is_well_formed(&self) -> bool {
        (8..=64).contains(&self.0.len()) && self.0.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

/// One edit, as a device sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Unique per device (a counter); with the device's id it makes a push idempotent.
    pub id: u64,
    /// Whose record this changes.
    pub person: UserId,
    /// The version of the cell the writer last saw (0 if they saw none).
    pub base: u64,
    /// The writer chose this value to settle a conflict on the cell.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub settles: bool,
    /// When the edit was made, on the device's clock (Unix ms). Kept in the log; never used for ordering.
    pub made_at_ms: i64,
    pub change: Change,
}

impl Mutation {
    pub fn validate(&self) -> Result<(), ChangeError> {
        self.change.validate()
    }
}

/// `POST /api/sync/push`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub schema: u32,
    pub client: ClientId,
    pub mutations: Vec<Mutation>,
}

/// Read first from a push body, so a device on another schema gets a clear answer, not a parse error.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct SchemaProbe {
    pub schema: Option<u32>,
}

named! {
    /// How the server answered one mutation.
    pub enum Outcome {
        /// The value is now the cell's value.
        Applied = "applied",
        /// Someone had changed the cell since the writer saw it: the value is kept aside for people to settle.
        KeptAside = "kept_aside",
        /// The cell already held this value.
        Unchanged = "unchanged",
    }
}

/// The server's answer to one mutation. The same answer is given again if the mutation is pushed again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ack {
    pub id: u64,
    pub outcome: Outcome,
    /// The cell version that holds this outcome: pull past it to see the result.
    pub version: u64,
}

/// The answer to a push: one acknowledgement per mutation, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub acks: Vec<Ack>,
}

/// `GET /api/sync/pull?since=…&limit=…&scope=…`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    pub schema: u32,
    /// The device's cursor: the highest version it has.
    pub since: u64,
    #[serde(default)]
    pub limit: Option<u32>,
    /// The scope the device's copy was made for (from its last pull). If what the person may see has changed
    /// since, the server starts the device again from nothing (`reset`), so data they may no longer see is removed.
    #[serde(default)]
    pub scope: Option<String>,
    /// Versions the server gave this device's own edits that it waits to see pulled, comma-separated (at most
    /// [`MAX_PULL_ACKED`]). The cursor moves past those the head has passed, even ones the viewer may no longer
    /// see, so an acknowledged edit never waits for ever.
    #[serde(default)]
    pub acked: Option<String>,
}

/// Most versions a pull may name in `acked`.
pub const MAX_PULL_ACKED: usize = 64;

impl PullQuery {
    /// The versions of `acked`, checked.
    pub fn acked_versions(&self) -> Result<Vec<u64>, String> {
        let Some(list) = self.acked.as_deref().filter(|s| !s.is_empty()) else { return Ok(vec![]) };
        let versions: Vec<u64> = list
            .split(',')
            .map(|v| v.trim().parse::<u64>())
            .collect::<Result<_, _>>()
            .map_err(|_| "acked must be versions separated by commas".to_owned())?;
        if versions.len() > MAX_PULL_ACKED {
            return Err(format!("acked may name at most {MAX_PULL_ACKED} versions"));
        }
        Ok(versions)
    }
}

/// One change to one cell: the cell as it now is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncEvent {
    pub key: CellKey,
    pub cell: CellState,
}

/// The answer to a pull.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub schema: u32,
    /// Events after the cursor, oldest first.
    pub events: Vec<SyncEvent>,
    /// The device's new cursor: the newest version the device may see (or one of its own writes), never more.
    pub cursor: u64,
    /// More events wait: pull again from `cursor`.
    pub more: bool,
    /// What the person may see, as a fingerprint; send it back with the next pull.
    pub scope: String,
    /// The device must drop its copy before applying these events (what the person may see changed).
    pub reset: bool,
}

/// The version of the rules deciding what reaches whom. Part of every scope fingerprint, so when the rules change
/// (as when "About me" and comments stopped reaching carers unless shared) every device's copy is made again.
pub const SCOPE_RULES: u32 = 2;

/// The fingerprint of what a person may see: the people whose records reach their device, whether staff-only
/// data does, and which shared parts of whose record reach a carer (`shared`, empty for everyone else). Stable
/// across server instances and versions (FNV-1a, 64 bits), so any instance can compare it.
pub fn scope_fingerprint<'a>(
    people: impl IntoIterator<Item = &'a UserId>,
    staff_view: bool,
    shared: impl IntoIterator<Item = (&'a UserId, SharedPart)>,
) -> String {
    let mut ids: Vec<&str> = people.into_iter().map(|p| p.0.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut shares: Vec<(&str, &str)> = shared.into_iter().map(|(p, part)| (p.0.as_str(), part.as_str())).collect();
    shares.sort_unstable();
    shares.dedup();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    eat(format!("rules:{SCOPE_RULES}\0").as_bytes());
    eat(if staff_view { b"staff\0" } else { b"circle\0" });
    for id in ids {
        eat(id.as_bytes());
        eat(b"\0");
    }
    if !shares.is_empty() {
        eat(b"shared\0");
        for (id, part) in shares {
            eat(id.as_bytes());
            eat(b"\0");
            eat(part.as_bytes());
            eat(b"\0");
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_fingerprint_changes_with_who_and_what_is_visible_only() {
        let (a, b) = (UserId("a".into()), UserId("b".into()));
        let none = || std::iter::empty::<(&UserId, SharedPart)>();
        let ab = scope_fingerprint([&a, &b], false, none());
        assert_eq!(ab, scope_fingerprint([&b, &a, &a], false, none()), "order and repeats do not matter");
        assert_ne!(ab, scope_fingerprint([&a], false, none()));
        assert_ne!(ab, scope_fingerprint([&a, &b], true, none()));
        let shared = scope_fingerprint([&a, &b], false, [(&a, SharedPart::Tracker)]);
        assert_ne!(ab, shared, "consent given or withdrawn changes the scope");
        assert_ne!(shared, scope_fingerprint([&a, &b], false, [(&b, SharedPart::Tracker)]));
        assert_eq!(ab.len(), 16);
    }

    #[test]
    fn a_push_is_strict_about_its_shape() {
        let body = r#"{"schema":1,"client":"tablet-0001","mutations":[{"id":1,"person":"p","base":0,"made_at_ms":5,
            "change":{"type":"about_me","field":"my_hopes","text":"A garden"}}]}"#;
        let push: PushRequest = serde_json::from_str(body).unwrap();
        assert!(!push.mutations[0].settles);
        assert!(push.client.is_well_formed());
        let extra = body.replace("\"base\":0", "\"base\":0,\"version\":99");
        assert!(serde_json::from_str::<PushRequest>(&extra).is_err());
        assert!(!ClientId("short".into()).is_well_formed());
        assert!(!ClientId("has space in it".into()).is_well_formed());
        let probe: SchemaProbe = serde_json::from_str(r#"{"schema":7,"anything":[1]}"#).unwrap();
        assert_eq!(probe.schema, Some(7));
    }
}

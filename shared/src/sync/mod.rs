//! The sync engine's pure half: what a change is, how the server decides its outcome, and how a device keeps its
//! replica and its queue of unsent edits. The server and the app both run this code; neither re-implements it.
//!
//! The model, in one paragraph. Every piece of shared data is a set of **cells**, each addressed by a
//! [`CellKey`] (whose record, which kind of data, which record, which field) and holding a JSON value. A device
//! records each edit as a [`Mutation`] carrying the cell version it was based on. The server applies mutations one
//! at a time in a transaction ([`decide::decide`]): an edit based on the current version replaces the value; an
//! edit based on an older version that would change the value is **kept aside** on the cell (a conflict, shown to
//! people to settle), never dropped. Every change to a cell gets the next number of one server-wide version
//! counter and is logged as a [`SyncEvent`]; devices pull events after their cursor and replace their copy of the
//! cell ([`replica::Replica`]). Pending edits are shown on top of the pulled state until the server has them.

pub mod cell;
pub mod change;
pub mod check;
pub mod decide;
pub mod outbox;
pub mod protocol;
pub mod push;
pub mod replica;

pub use crate::consent::WriterFacts;
pub use cell::{Authorship, CellKey, CellState, KeptValue, Kind, RecordId};
pub use change::{Audience, Change, ChangeError, DomainChange, Effect, EffectMode};
pub use decide::{Decision, Rejection, decide};
pub use outbox::{Outbox, Pending, ShownCell};
pub use protocol::{
    Ack, ClientId, DEFAULT_PULL_PAGE, MAX_PULL_PAGE, MAX_PUSH_BYTES, MAX_PUSH_MUTATIONS, Mutation, Outcome, PullQuery,
    PullResponse, PushRequest, PushResponse, SCHEMA_VERSION, SchemaProbe, SyncEvent, scope_fingerprint,
};
pub use push::{Decided, PushContext, Pusher, Refusal, Refused, StoredCell, decide_push};
pub use replica::Replica;

//! Identical reads under way at the same time, run once: the first asks the database, the others wait for its
//! answer. A ward's devices pulling on one notice ask the same question (the same statement with the same values:
//! the same scope, cursor and head), so they share one read instead of queueing a thousand for the pool.
//!
//! Sharing is safe only when the key holds everything that decides the answer; a pull's key holds its statement
//! and every value bound to it, including the head it read. Two pulls that read the same head saw no commit in
//! between, so one's answer is what the other would have read.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
};
use tokio::sync::watch;

type Answer<T> = Option<Result<Arc<T>, String>>;

/// Reads under way, by key. Each is run by a task of its own (so a request that goes away cannot strand the others
/// waiting on it) that removes its key when done: the map holds only reads in flight.
#[derive(Debug)]
pub(super) struct SharedReads<T> {
    under_way: Mutex<HashMap<Vec<String>, watch::Receiver<Answer<T>>>>,
}

impl<T> Default for SharedReads<T> {
    fn default() -> Self {
        SharedReads { under_way: Mutex::new(HashMap::new()) }
    }
}

impl<T: Send + Sync + 'static> SharedReads<T> {
    /// The answer of `read`, or of the read under way with the same `key`.
    pub(super) async fn read<F>(self: &Arc<Self>, key: Vec<String>, read: F) -> Result<Arc<T>, sqlx::Error>
    where
        F: Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    {
        let mut answer = {
            let mut under_way = self.under_way.lock().unwrap_or_else(|e| e.into_inner());
            match under_way.get(&key) {
                Some(answer) => answer.clone(),
                None => {
                    let (tell, answer) = watch::channel(None);
                    under_way.insert(key.clone(), answer.clone());
                    let reads = Arc::clone(self);
                    tokio::spawn(async move {
                        let done = Done { reads, key };
                        let result = read.await.map(Arc::new).map_err(|e| e.to_string());
                        drop(done); // new pulls ask the database again from here
                        let _ = tell.send(Some(result));
                    });
                    answer
                }
            }
        };
        let done = answer.wait_for(Option::is_some).await.map_err(|_| shared_error("it stopped"))?.clone();
        done.unwrap_or_else(|| Err("no answer".into())).map_err(|e| shared_error(&e))
    }
}

/// A read's key, removed when the read ends however it ends (answered, failed, or its task panicked: its waiters are
/// then told it stopped, and the next asks again).
struct Done<T> {
    reads: Arc<SharedReads<T>>,
    key: Vec<String>,
}

impl<T> Drop for Done<T> {
    fn drop(&mut self) {
        self.reads.under_way.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.key);
    }
}

fn shared_error(why: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("a shared read failed: {why}"))
}

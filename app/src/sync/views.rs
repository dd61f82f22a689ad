//! Page opens for the audit trail (issue 14): each page of a person's record opened on this device is queued in
//! the device's store (so opens made offline are kept) and sent to `POST /api/audit/views` after the next push.

use super::{SyncEngine, current};
use crate::{
    client::{api, http::Failure},
    local::LocalStore,
    util::now_ms,
};
use leptos::{prelude::*, task::spawn_local};
use std::cell::RefCell;
use waymark_shared::{
    UserId,
    api::{AuditPage, ErrorCode, MAX_VIEW_AGE_MS, MAX_VIEWS_PER_REPORT, PageView, ReportViewsRequest},
};

/// The key the queue is kept under in the device's (encrypted) store.
const KEY: &str = "audit-views";
/// Most page opens kept waiting on a device (the oldest go first beyond it).
const MAX_QUEUED: usize = 5_000;
/// Opens this close to the server's 30-day limit are dropped rather than sent (and refused).
const AGE_MARGIN_MS: i64 = 60 * 60 * 1000;

#[derive(Default)]
struct Queue {
    /// Whose queue is loaded.
    user: Option<UserId>,
    views: Vec<PageView>,
    sending: bool,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::default();
}

async fn save(store: &LocalStore, views: &[PageView]) {
    if let Err(e) = store.write().page(KEY, &views).commit().await {
        leptos::logging::warn!("could not keep the page opens for the audit trail: {e}");
    }
}

impl SyncEngine {
    /// Note that the signed-in person opened `page` of `person`'s record (kept here, sent with the next sync).
    pub fn opened(self, person: &UserId, page: AuditPage) {
        let view = PageView { person: person.clone(), page, at_ms: now_ms() };
        spawn_local(async move {
            let Some(store) = self.ready_store().await else {
                return;
            };
            let Some(user) = self.user.get_untracked() else {
                return;
            };
            self.load_views(&store, &user).await;
            let views = QUEUE.with_borrow_mut(|q| {
                q.views.push(view);
                let over = q.views.len().saturating_sub(MAX_QUEUED);
                q.views.drain(..over);
                q.views.clone()
            });
            save(&store, &views).await;
            self.request();
        });
    }

    async fn load_views(self, store: &LocalStore, user: &UserId) {
        if QUEUE.with_borrow(|q| q.user.as_ref() == Some(user)) {
            return;
        }
        let kept: Vec<PageView> = store.page(KEY).await.ok().flatten().unwrap_or_default();
        QUEUE.with_borrow_mut(|q| {
            if q.user.as_ref() != Some(user) {
                *q = Queue { user: Some(user.clone()), views: kept, sending: false };
            }
        });
    }

    /// Send the queued page opens, a batch at a time; each batch the server has dealt with leaves the queue.
    pub(super) async fn send_views(self, epoch: u64, store: &LocalStore) {
        let Some(user) = self.user.get_untracked() else {
            return;
        };
        self.load_views(store, &user).await;
        if QUEUE.with_borrow_mut(|q| std::mem::replace(&mut q.sending, true)) {
            return;
        }
        loop {
            let oldest = now_ms() - MAX_VIEW_AGE_MS + AGE_MARGIN_MS;
            let batch: Vec<PageView> = QUEUE.with_borrow_mut(|q| {
                q.views.retain(|v| v.at_ms > oldest);
                q.views.iter().take(MAX_VIEWS_PER_REPORT).cloned().collect()
            });
            if batch.is_empty() {
                break;
            }
            let token = match self.auth.csrf_token() {
                Some(t) => Some(t),
                None => self.auth.fresh_token().await,
            };
            let Some(token) = token else { break };
            let answer = api::report_views(&token, &ReportViewsRequest { views: batch.clone() }).await;
            if current(epoch).is_none() {
                break;
            }
            match answer {
                Ok(_) => {}
                // A batch the server will never take (a tablet clock far ahead): dropped, or it would block the rest.
                Err(Failure::Api(e)) if matches!(e.code, ErrorCode::InvalidInput | ErrorCode::InvalidBody) => {
                    leptos::logging::warn!("page opens refused by the server, dropped: {}", e.message);
                }
                Err(_) => break,
            }
            let views = QUEUE.with_borrow_mut(|q| {
                for v in &batch {
                    if let Some(i) = q.views.iter().position(|x| x == v) {
                        q.views.remove(i);
                    }
                }
                q.views.clone()
            });
            save(store, &views).await;
        }
        QUEUE.with_borrow_mut(|q| q.sending = false);
    }
}

//! The outcome frameworks this device knows: the built-in ones (compiled in, so they work on a first offline
//! start) and the custom ones the server has, kept on the device after each fetch. Not health data, so they live
//! in localStorage.

use crate::client::api;
use gloo_storage::{LocalStorage, Storage};
use leptos::{prelude::*, task::spawn_local};
use waymark_shared::outcomes::{Framework, FrameworkId, built_in};

const STORAGE_KEY: &str = "waymark.frameworks";

#[derive(Clone, Copy)]
pub struct Frameworks {
    /// Every version known, built-in and custom, retired ones too (old readings still draw).
    pub all: RwSignal<Vec<Framework>>,
}

fn merged(custom: Vec<Framework>) -> Vec<Framework> {
    let mut all = built_in::all();
    for f in custom {
        if !all.iter().any(|k| k.id == f.id && k.version == f.version) {
            all.push(f);
        } else if let Some(k) = all.iter_mut().find(|k| k.id == f.id && k.version == f.version) {
            *k = f;
        }
    }
    all
}

impl Frameworks {
    pub fn start() -> Frameworks {
        let kept: Vec<Framework> = LocalStorage::get(STORAGE_KEY).unwrap_or_default();
        Frameworks { all: RwSignal::new(merged(kept)) }
    }

    /// Ask the server for the current list (quietly keeps the device's copy when offline).
    pub fn refresh(self) {
        spawn_local(async move {
            if let Ok(res) = api::frameworks().await {
                let _ = LocalStorage::set(STORAGE_KEY, &res.frameworks);
                self.all.set(merged(res.frameworks));
            }
        });
    }

    /// One version of one framework.
    pub fn version(self, id: &FrameworkId, version: u32) -> Option<Framework> {
        self.all.with(|all| all.iter().find(|f| &f.id == id && f.version == version).cloned())
    }

    /// The newest version of a framework that may still be used for new readings.
    pub fn current(self, id: &FrameworkId) -> Option<Framework> {
        self.all.with(|all| all.iter().filter(|f| &f.id == id && !f.retired).max_by_key(|f| f.version).cloned())
    }

    /// The frameworks a new reading can use: the current version of each, built-in first.
    pub fn choices(self) -> Vec<Framework> {
        let ids: Vec<FrameworkId> = self.all.with(|all| {
            let mut ids: Vec<FrameworkId> = Vec::new();
            for f in all {
                if !ids.contains(&f.id) {
                    ids.push(f.id.clone());
                }
            }
            ids
        });
        ids.iter().filter_map(|id| self.current(id)).collect()
    }
}

pub fn use_frameworks() -> Frameworks {
    expect_context::<Frameworks>()
}

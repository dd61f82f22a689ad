//! JSON over HTTP to Waymark's API, with the CSRF header on state-changing requests.

pub use gloo_net::http::Method;
use gloo_net::http::RequestBuilder;
use serde::{Serialize, de::DeserializeOwned};
use std::{cell::RefCell, rc::Rc};
use waymark_shared::{
    Msg,
    api::{ApiError, CSRF_HEADER, ErrorCode},
};

thread_local! {
    static ON_NOT_SIGNED_IN: RefCell<Option<Rc<dyn Fn()>>> = RefCell::new(None);
}

/// Call `f` whenever the server answers "not signed in" (the session ended there): the device locks.
pub fn on_not_signed_in(f: impl Fn() + 'static) {
    ON_NOT_SIGNED_IN.with_borrow_mut(|h| *h = Some(Rc::new(f)));
}

#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No answer: offline or the server is down.
    Network,
    /// The server refused, with its reason.
    Api(ApiError),
    /// The answer was not what this version of the app expects.
    Unexpected,
}

impl Failure {
    /// What to tell the person.
    pub fn message(&self) -> Msg {
        match self {
            Failure::Network => Msg::ErrorNetwork,
            Failure::Api(e) => e.code.message(),
            Failure::Unexpected => Msg::ErrorServer,
        }
    }
}

async fn finish<T: DeserializeOwned>(res: Result<gloo_net::http::Response, gloo_net::Error>) -> Result<T, Failure> {
    let res = res.map_err(|_| Failure::Network)?;
    if res.ok() {
        if res.status() == 204 {
            return serde_json::from_str("null").map_err(|_| Failure::Unexpected);
        }
        return res.json::<T>().await.map_err(|_| Failure::Unexpected);
    }
    match res.json::<ApiError>().await {
        Ok(e) => {
            if e.code == ErrorCode::NotSignedIn
                && let Some(hook) = ON_NOT_SIGNED_IN.with_borrow(Clone::clone)
            {
                hook();
            }
            Err(Failure::Api(e))
        }
        Err(_) => Err(Failure::Unexpected),
    }
}

pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, Failure> {
    finish(RequestBuilder::new(url).method(Method::GET).send().await).await
}

pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: Method,
    url: &str,
    csrf_token: &str,
    body: Option<&B>,
) -> Result<T, Failure> {
    let builder = RequestBuilder::new(url).method(method).header(CSRF_HEADER, csrf_token);
    let sent = match body {
        Some(b) => builder.json(b).map_err(|_| Failure::Unexpected)?.send().await,
        None => builder.send().await,
    };
    finish(sent).await
}

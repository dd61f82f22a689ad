//! A sleep for async code in the browser.

use leptos::prelude::set_timeout;
use std::{
    cell::RefCell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll, Waker},
    time::Duration,
};

#[derive(Default)]
struct State {
    done: bool,
    waker: Option<Waker>,
}

pub struct Sleep(Rc<RefCell<State>>);

pub fn sleep(d: Duration) -> Sleep {
    let state = Rc::new(RefCell::new(State::default()));
    let fire = state.clone();
    set_timeout(
        move || {
            let mut s = fire.borrow_mut();
            s.done = true;
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        },
        d,
    );
    Sleep(state)
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.0.borrow_mut();
        if s.done {
            Poll::Ready(())
        } else {
            s.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

//! Keeps a bug in reading one device's answer to that one device.
//!
//! Parsers of device input are tested hard (property tests), but a bug that slips through must
//! not take the whole scan or the terminal down with it. [`contain_sync`] and [`contain`] run a
//! piece of work (parsing one reply, one device's probes, one check) under `catch_unwind`: a panic
//! inside becomes an `Err` with a one-line note, and the caller fails that device only.
//!
//! While contained work runs, its thread is marked, and the process-wide panic hook
//! ([`install_hook`], and the terminal UI's hook, which restores the terminal) stays quiet for
//! panics on a marked thread: the note carries the message, the terminal is not torn down under a
//! UI that goes on running, and nothing is printed over the screen. Panics anywhere else go to the
//! previous hook as usual.
//!
//! (An abort, such as a stack overflow, cannot be caught: parsers bound their depth instead, see
//! [`crate::discovery::xml`].)

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::sanitize::clean;

thread_local! {
    /// How many contained calls are running on this thread (they may nest).
    static CONTAINED: Cell<usize> = const { Cell::new(0) };
}

/// True while contained work runs on this thread: a panic here is caught and reported as a note.
pub fn is_contained() -> bool {
    CONTAINED.with(Cell::get) > 0
}

/// Marks the thread as running contained work, for as long as the mark lives.
struct Mark;

impl Mark {
    fn new() -> Self {
        CONTAINED.with(|c| c.set(c.get() + 1));
        Mark
    }
}

impl Drop for Mark {
    fn drop(&mut self) {
        CONTAINED.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// The one-line note for a panic while doing `what`.
fn note(what: &str, payload: &(dyn Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    clean(
        &format!(
            "porchlight failed while reading {what} (an internal error: {message}); the rest goes on"
        ),
        300,
    )
}

/// Runs `work`; a panic inside is caught and returned as a one-line note about `what`.
///
/// # Errors
/// The note, when `work` panicked.
pub fn contain_sync<T>(what: &str, work: impl FnOnce() -> T) -> Result<T, String> {
    let _mark = Mark::new();
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| note(what, payload.as_ref()))
}

/// A future that marks its thread while it is polled.
struct Marked<F> {
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for Marked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let _mark = Mark::new();
        self.inner.as_mut().poll(cx)
    }
}

/// Runs the future `work`; a panic while it is polled is caught and returned as a one-line note
/// about `what`.
///
/// # Errors
/// The note, when `work` panicked.
pub async fn contain<T>(what: &str, work: impl Future<Output = T>) -> Result<T, String> {
    use futures::FutureExt;
    let marked = Marked {
        inner: Box::pin(work),
    };
    AssertUnwindSafe(marked)
        .catch_unwind()
        .await
        .map_err(|payload| note(what, payload.as_ref()))
}

/// Installs a panic hook that stays quiet for contained panics (see the module documentation)
/// and hands every other panic to the hook installed before it.
pub fn install_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_contained() {
            previous(info);
        }
    }));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_note_and_the_mark_is_cleared() {
        let e = contain_sync("the reply of 10.0.0.5", || -> u8 {
            panic!("index out of range\x1b[2J")
        })
        .unwrap_err();
        assert!(e.contains("the reply of 10.0.0.5"), "{e}");
        assert!(e.contains("index out of range"), "{e}");
        assert!(!e.contains('\x1b'));
        assert!(!is_contained());
        assert_eq!(contain_sync("x", || 7).unwrap(), 7);
    }

    #[tokio::test]
    async fn a_panicking_future_becomes_a_note() {
        let e = contain("a check", async {
            tokio::task::yield_now().await;
            let v: Vec<u8> = Vec::new();
            v[3]
        })
        .await
        .unwrap_err();
        assert!(e.contains("a check"), "{e}");
        assert!(!is_contained());
        assert_eq!(contain("x", async { 5 }).await.unwrap(), 5);
    }
}

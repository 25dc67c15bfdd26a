//! What requests hold while they run: render slots, and the body budget. Render slots: at most so many CPU-heavy requests at once, the next refused at once (503)
//! rather than queued. A semaphore; a held permit is a slot.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::Error;

/// The render slots of one service.
#[derive(Debug)]
pub struct Slots {
    semaphore: Arc<Semaphore>,
    max: usize,
    refused: AtomicU64,
}

/// One slot; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

impl Slots {
    pub fn new(max: usize) -> Self {
        Self {
            semaphore: Arc::new(Semaphore::new(max)),
            max,
            refused: AtomicU64::new(0),
        }
    }

    /// How many renders may run at once.
    pub fn max(&self) -> usize {
        self.max
    }

    /// A slot if one is free; never waits. A refusal is counted.
    pub fn try_take(&self) -> Option<Slot> {
        match self.semaphore.clone().try_acquire_owned() {
            Ok(permit) => Some(Slot(permit)),
            Err(_) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Renders running now.
    pub fn in_flight(&self) -> usize {
        self.max - self.semaphore.available_permits()
    }

    /// Requests refused because every slot was taken.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// The bytes of request bodies that all requests in flight may hold together
/// (`COLLABDOCS_BODY_BUDGET_BYTES`): a body takes its share before it is read (its
/// `Content-Length`, or chunk by chunk) and gives it back when it is dropped, so no number of
/// uploads at once holds more.
#[derive(Debug)]
pub struct BodyBudget {
    bytes: Arc<Semaphore>,
    max: usize,
}

impl BodyBudget {
    pub fn new(max: usize) -> Self {
        let max = max.min(u32::MAX as usize);
        Self {
            bytes: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// `n` more bytes of the budget, added to what `held` holds; 503 when they are not free.
    pub(super) fn take(
        &self,
        n: usize,
        held: &mut Option<OwnedSemaphorePermit>,
    ) -> Result<(), Error> {
        if n == 0 {
            return Ok(());
        }
        let permit = u32::try_from(n)
            .ok()
            .and_then(|n| self.bytes.clone().try_acquire_many_owned(n).ok())
            .ok_or_else(|| {
                Error::Overloaded(format!(
                    "the service is receiving as many request bodies as it holds at once ({} bytes, COLLABDOCS_BODY_BUDGET_BYTES); retry shortly",
                    self.max
                ))
            })?;
        match held {
            Some(h) => h.merge(permit),
            None => *held = Some(permit),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_counted_and_freed() {
        let s = Slots::new(1);
        let a = s.try_take().unwrap();
        assert_eq!(s.in_flight(), 1);
        assert!(s.try_take().is_none());
        drop(a);
        assert_eq!((s.in_flight(), s.refused()), (0, 1));
        assert!(s.try_take().is_some());
    }
}

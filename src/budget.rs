//! What one render may spend: limits on its size (pages, table cells, output bytes, image
//! pixels, in [`crate::input::Limits`]) and on its time (a deadline, or the client
//! leaving). The front door sets them for the thread a render runs on; the layout and the
//! writers check them as they go, so a render past its budget stops instead of running on.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Why a render was stopped before it finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The deadline passed.
    Expired,
    /// The caller gave up (a batch client went away).
    Cancelled,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stop::Expired => "the render took longer than the render timeout",
            Stop::Cancelled => "the render was cancelled",
        })
    }
}

/// What one request may ask for: the sizes its payload is read under (strings, arrays,
/// images) and the sizes its document may grow to (pages, table cells, output bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The longest string accepted, in characters.
    pub max_string_chars: usize,
    /// The most items one array may hold.
    pub max_array_items: usize,
    /// The most pages one PDF may have.
    pub max_pages: usize,
    /// The most table cells one document may have (every table, key-value grid and matrix).
    pub max_table_cells: usize,
    /// The largest file one render may produce, in bytes.
    pub max_output_bytes: usize,
    /// The most pixels (width × height) one image may decode to.
    pub max_image_pixels: u64,
    /// The most pixels all the images of one payload may decode to together.
    pub max_request_image_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_string_chars: 20_000,
            max_array_items: 2_000,
            max_pages: 500,
            max_table_cells: 60_000,
            max_output_bytes: 32 * 1024 * 1024,
            max_image_pixels: 8_000_000,
            max_request_image_pixels: 40_000_000,
        }
    }
}

#[derive(Clone, Default)]
struct Watch {
    limits: Option<Limits>,
    deadline: Option<Instant>,
    cancel: Option<Arc<AtomicBool>>,
    /// Image pixels decoded under these limits so far.
    pixels: u64,
}

thread_local! {
    static WATCH: RefCell<Watch> = RefCell::new(Watch::default());
}

/// Restores the thread's previous budget when dropped.
pub struct Guard(Watch);

impl Drop for Guard {
    fn drop(&mut self) {
        let prev = std::mem::take(&mut self.0);
        WATCH.with(|w| *w.borrow_mut() = prev);
    }
}

/// Work on this thread stops once `deadline` passes or `cancel` is set.
pub fn watch(deadline: Option<Instant>, cancel: Option<Arc<AtomicBool>>) -> Guard {
    WATCH.with(|w| {
        let mut w = w.borrow_mut();
        let prev = w.clone();
        w.deadline = deadline.or(prev.deadline);
        w.cancel = cancel.or_else(|| prev.cancel.clone());
        Guard(prev)
    })
}

/// Work on this thread runs under these size limits, with a fresh image pixel budget.
pub fn limit(limits: Limits) -> Guard {
    WATCH.with(|w| {
        let mut w = w.borrow_mut();
        let prev = w.clone();
        w.limits = Some(limits);
        w.pixels = 0;
        Guard(prev)
    })
}

/// Spends `pixels` of the image pixel budget of the payload being read
/// (`max_request_image_pixels`), once the deadline is checked: an image is only decoded
/// after this said yes.
pub fn spend_pixels(pixels: u64) -> Result<(), String> {
    check().map_err(|stop| format!("was not decoded: {stop}"))?;
    WATCH.with(|w| {
        let mut w = w.borrow_mut();
        let max = w.limits.unwrap_or_default().max_request_image_pixels;
        if w.pixels.saturating_add(pixels) > max {
            return Err(format!(
                "would bring the payload's images past {max} decoded pixels in all (COLLABDOCS_MAX_REQUEST_IMAGE_PIXELS)"
            ));
        }
        w.pixels += pixels;
        Ok(())
    })
}

/// The size limits in force on this thread (the defaults when none were set).
pub fn limits() -> Limits {
    WATCH.with(|w| w.borrow().limits.unwrap_or_default())
}

/// `Err` once the work on this thread should stop.
pub fn check() -> Result<(), Stop> {
    WATCH.with(|w| {
        let w = w.borrow();
        if w.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Stop::Cancelled);
        }
        match w.deadline {
            Some(d) if Instant::now() >= d => Err(Stop::Expired),
            _ => Ok(()),
        }
    })
}

/// [`check`] on every `every`-th step `i` of a loop (cheap in between), as the message the
/// readers of untrusted files report: `the check stopped: …`.
pub fn check_every(i: usize, every: usize) -> Result<(), String> {
    if i.is_multiple_of(every) {
        check().map_err(|stop| format!("the check stopped: {stop}"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_or_a_cancel_stops_and_the_previous_budget_comes_back() {
        assert_eq!(check(), Ok(()));
        {
            let _g = watch(Some(Instant::now()), None);
            assert_eq!(check(), Err(Stop::Expired));
        }
        assert_eq!(check(), Ok(()));
        let flag = Arc::new(AtomicBool::new(false));
        let _g = watch(None, Some(flag.clone()));
        assert_eq!(check(), Ok(()));
        flag.store(true, Ordering::Relaxed);
        assert_eq!(check(), Err(Stop::Cancelled));
    }
}

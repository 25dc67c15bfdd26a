//! Faults for the tests, in debug builds only: a payload titled `__collabdocs_fault_panic__`
//! panics its render, one titled `__collabdocs_fault_slow__` takes 400 ms more. The tests use
//! them to see a panic answered 500 and a slow render answered while health checks go on.

use serde_json::Value;

/// Injects the fault a payload's title asks for.
pub(super) fn inject(payload: &Value) {
    match payload.get("title").and_then(Value::as_str) {
        Some("__collabdocs_fault_panic__") => panic!("fault injected for tests"),
        Some("__collabdocs_fault_slow__") => {
            std::thread::sleep(std::time::Duration::from_millis(400))
        }
        _ => {}
    }
}

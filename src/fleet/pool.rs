//! A bounded pool of threads over a list, results in the list's order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// How many files are worked on at once: the machine's cores, at most 8 (each GKE plan also
/// holds a connection; each kops plan reads its store concurrently already).
pub fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8)
}

/// `f` over every item, at most `limit` at a time; the results in the items' order.
pub fn in_order<T: Sync, R: Send>(items: &[T], limit: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..limit.clamp(1, items.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u64> = (0..200).collect();
        let out = in_order(&items, 7, |n| {
            // later items finish first
            std::thread::sleep(std::time::Duration::from_micros(200 - n));
            n * 2
        });
        assert_eq!(out, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(in_order(&Vec::<u8>::new(), 4, |n| *n).is_empty());
    }
}

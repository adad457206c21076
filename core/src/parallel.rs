//! Work split over the machine's cores, in order: the same input gives the
//! same output whatever the number of threads.

/// `f` applied to consecutive chunks of `items`, their outputs concatenated
/// in order. Runs on up to every core when there are at least
/// `min_per_thread` items per thread, and on the caller's thread otherwise
/// (and always in the browser, which has no threads). `None` when a worker
/// panicked.
pub(crate) fn map_chunks<T: Sync, U: Send>(
    items: &[T],
    min_per_thread: usize,
    f: impl Fn(&[T]) -> Vec<U> + Sync,
) -> Option<Vec<U>> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = threads_for(items.len(), min_per_thread);
        if threads <= 1 {
            return Some(f(items));
        }
        let chunk = items.len().div_ceil(threads);
        let f = &f;
        std::thread::scope(|s| {
            let handles: Vec<_> = items.chunks(chunk).map(|part| s.spawn(move || f(part))).collect();
            let mut out = Vec::with_capacity(items.len());
            for h in handles {
                out.extend(h.join().ok()?);
            }
            Some(out)
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = min_per_thread;
        Some(f(items))
    }
}

/// `f` applied to consecutive chunks of `items`, in place, on up to every
/// core as [`map_chunks`] decides. `false` when a worker panicked.
pub(crate) fn for_each_chunk_mut<T: Send>(items: &mut [T], min_per_thread: usize, f: impl Fn(&mut [T]) + Sync) -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = threads_for(items.len(), min_per_thread);
        if threads <= 1 {
            f(items);
            return true;
        }
        let chunk = items.len().div_ceil(threads);
        let f = &f;
        std::thread::scope(|s| {
            let handles: Vec<_> = items.chunks_mut(chunk).map(|part| s.spawn(move || f(part))).collect();
            handles.into_iter().all(|h| h.join().is_ok())
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = min_per_thread;
        f(items);
        true
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn threads_for(items: usize, min_per_thread: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(items / min_per_thread.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_back_in_order() {
        let items: Vec<u32> = (0..10_001).collect();
        let out = map_chunks(&items, 10, |part| part.iter().map(|x| x * 2).collect()).unwrap();
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        let small = map_chunks(&items[..3], 10, |part| vec![part.len()]).unwrap();
        assert_eq!(small, vec![3], "too few items for a thread each run as one chunk");
        let mut doubled = items.clone();
        assert!(for_each_chunk_mut(&mut doubled, 10, |part| part.iter_mut().for_each(|x| *x *= 2)));
        assert_eq!(doubled, out);
    }
}

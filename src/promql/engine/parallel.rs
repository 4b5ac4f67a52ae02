//! Spreading per-batch work over the machine's cores while keeping results in order.
//!
//! Range functions reduce each series on its own, so batches of series can be evaluated on
//! several threads at once while the store decodes the next batches. The one rule that
//! matters for PromQL is order: results come back in the order the batches were produced
//! (label order), whatever thread finished first.

use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

/// Runs `work` on every item `produce` emits, on up to `threads` worker threads, and returns
/// the results in emission order. `produce` runs on the calling thread. The first error of
/// either side wins; once a worker has failed, the next emit returns that error so that the
/// producer stops early.
pub(crate) fn map_ordered<I, O, E>(
    threads: usize,
    produce: impl FnOnce(&mut dyn FnMut(I) -> Result<(), E>) -> Result<(), E>,
    work: impl Fn(I) -> Result<O, E> + Sync,
) -> Result<Vec<O>, E>
where
    I: Send,
    O: Send,
    E: Send,
{
    if threads < 2 {
        let mut out = Vec::new();
        produce(&mut |item| {
            out.push(work(item)?);
            Ok(())
        })?;
        return Ok(out);
    }
    let first_error: Mutex<Option<E>> = Mutex::new(None);
    let results: Mutex<Vec<(usize, O)>> = Mutex::new(Vec::new());
    // At most one queued item per worker: memory stays bounded by the batch size.
    let (tx, rx) = sync_channel::<(usize, I)>(threads);
    let rx = Mutex::new(rx);
    let produced = std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let job = rx.lock().expect("job queue lock").recv();
                let Ok((k, item)) = job else { break };
                match work(item) {
                    Ok(o) => results.lock().expect("results lock").push((k, o)),
                    Err(e) => {
                        first_error.lock().expect("error lock").get_or_insert(e);
                    }
                }
            });
        }
        let mut k = 0;
        let r = produce(&mut |item| {
            if let Some(e) = first_error.lock().expect("error lock").take() {
                return Err(e);
            }
            // Sending fails only when every worker is gone, which only a panic does; the
            // scope re-raises that panic when it ends.
            if tx.send((k, item)).is_ok() {
                k += 1;
            }
            Ok(())
        });
        drop(tx);
        r
    });
    if let Some(e) = first_error.into_inner().expect("error lock") {
        return Err(e);
    }
    produced?;
    let mut results = results.into_inner().expect("results lock");
    results.sort_unstable_by_key(|&(k, _)| k);
    Ok(results.into_iter().map(|(_, o)| o).collect())
}

#[cfg(test)]
mod tests {
    use super::map_ordered;

    fn emit_all(
        n: usize,
    ) -> impl FnOnce(&mut dyn FnMut(usize) -> Result<(), String>) -> Result<(), String> {
        move |emit| (0..n).try_for_each(emit)
    }

    #[test]
    fn results_keep_emission_order_on_any_thread_count() {
        for threads in [1, 2, 3, 8] {
            let out = map_ordered(threads, emit_all(500), |i| {
                // Uneven work, so that workers finish out of order.
                if i % 7 == 0 {
                    std::thread::yield_now();
                }
                Ok::<_, String>(i * 2)
            })
            .unwrap();
            assert_eq!(
                out,
                (0..500).map(|i| i * 2).collect::<Vec<_>>(),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn a_worker_error_is_returned_and_stops_the_producer() {
        for threads in [1, 2, 4] {
            let mut emitted = 0;
            let r = map_ordered(
                threads,
                |emit| {
                    for i in 0..100_000 {
                        emitted += 1;
                        emit(i)?;
                    }
                    Ok(())
                },
                |i| {
                    if i == 10 {
                        Err(format!("bad {i}"))
                    } else {
                        Ok(i)
                    }
                },
            );
            assert_eq!(r.unwrap_err(), "bad 10");
            assert!(
                emitted < 100_000,
                "producer kept going with {threads} threads"
            );
        }
    }

    #[test]
    fn a_producer_error_is_returned() {
        let r = map_ordered(
            2,
            |emit| {
                emit(1)?;
                Err("storage failed".to_string())
            },
            Ok::<usize, String>,
        );
        assert_eq!(r.unwrap_err(), "storage failed");
    }
}

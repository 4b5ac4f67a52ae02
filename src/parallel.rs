//! Spreading per-batch work over the machine's cores while keeping results in order.
//!
//! Range functions reduce each series on its own, so batches of series can be evaluated on
//! several threads at once while the store decodes the next batches. The one rule that
//! matters for PromQL is order: results come back in the order the batches were produced
//! (label order), whatever thread finished first.

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::Mutex;

/// Runs `work` on every item `produce` emits, on up to `threads` worker threads, and hands
/// the results to `consume` in emission order, on the calling thread, as soon as each one and
/// all before it are ready. `produce` runs on the calling thread too. The first error of any
/// side ends the run and is returned; a worker's error reaches the producer at its next emit,
/// so that it stops early.
pub(crate) fn for_each_ordered<I, O, E>(
    threads: usize,
    produce: impl FnOnce(&mut dyn FnMut(I) -> Result<(), E>) -> Result<(), E>,
    work: impl Fn(I) -> Result<O, E> + Sync,
    mut consume: impl FnMut(O) -> Result<(), E>,
) -> Result<(), E>
where
    I: Send,
    O: Send,
    E: Send,
{
    if threads < 2 {
        return produce(&mut |item| consume(work(item)?));
    }
    // At most one queued item per worker: memory stays bounded by the batch size.
    let (job_tx, job_rx) = sync_channel::<(usize, I)>(threads);
    let job_rx = Mutex::new(job_rx);
    let (result_tx, result_rx) = channel::<(usize, Result<O, E>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let result_tx = result_tx.clone();
            let (job_rx, work) = (&job_rx, &work);
            scope.spawn(move || loop {
                let job = job_rx.lock().expect("job queue lock").recv();
                let Ok((k, item)) = job else { break };
                // A closed result channel means the run has ended with an error.
                if result_tx.send((k, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(result_tx);
        // Results that arrived ahead of an earlier one, by emission index.
        let mut ahead: BTreeMap<usize, O> = BTreeMap::new();
        let mut next = 0;
        let mut take = |k: usize, r: Result<O, E>, consume: &mut dyn FnMut(O) -> Result<(), E>| {
            ahead.insert(k, r?);
            while let Some(o) = ahead.remove(&next) {
                next += 1;
                consume(o)?;
            }
            Ok(())
        };
        let mut sent = 0;
        produce(&mut |item| {
            // Sending fails only when every worker is gone, which only a panic does; the
            // scope re-raises that panic when it ends.
            if job_tx.send((sent, item)).is_ok() {
                sent += 1;
            }
            while let Ok((k, r)) = result_rx.try_recv() {
                take(k, r, &mut consume)?;
            }
            Ok(())
        })?;
        drop(job_tx);
        for (k, r) in result_rx.iter() {
            take(k, r, &mut consume)?;
        }
        Ok(())
    })
}

/// [`for_each_ordered`], collecting the results.
#[cfg(test)]
fn map_ordered<I: Send, O: Send, E: Send>(
    threads: usize,
    produce: impl FnOnce(&mut dyn FnMut(I) -> Result<(), E>) -> Result<(), E>,
    work: impl Fn(I) -> Result<O, E> + Sync,
) -> Result<Vec<O>, E> {
    let mut out = Vec::new();
    for_each_ordered(threads, produce, work, |o| {
        out.push(o);
        Ok(())
    })?;
    Ok(out)
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

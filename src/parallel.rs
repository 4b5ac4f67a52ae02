//! Spreading per-batch work over the machine's cores while keeping results in order.
//!
//! Range functions reduce each series on its own, so batches of series can be evaluated on
//! several threads at once while the store decodes the next batches. The one rule that
//! matters for PromQL is order: results come back in the order the batches were produced
//! (label order), whatever thread finished first.
//!
//! A panic in the work is a bug, but it must cost one query, not the process: it is caught on
//! the worker, carried to the calling thread like a result and re-raised there with its
//! original payload, so that the server's per-request guard turns it into a 500.

use std::any::Any;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, sync_channel};
use std::sync::Mutex;

/// What a worker hands back for one item: the work's result, or the payload of its panic.
type Outcome<O, E> = Result<Result<O, E>, Box<dyn Any + Send>>;

/// Runs `work` on every item `produce` emits, on up to `threads` worker threads, and hands
/// the results to `consume` in emission order, on the calling thread, as soon as each one and
/// all before it are ready. `produce` runs on the calling thread too. The first error of any
/// side ends the run and is returned; a worker's error reaches the producer at its next emit,
/// so that it stops early. A panic of `work` is re-raised on the calling thread, at the
/// producer's next emit or while the last results are awaited, as it would be with one thread.
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
    let (result_tx, result_rx) = channel::<(usize, Outcome<O, E>)>();
    std::thread::scope(|scope| {
        // The sender is owned by the scope's closure, so that a panic re-raised here drops it
        // while unwinding: the workers then see a closed queue and end, and the scope can
        // join them.
        let job_tx = job_tx;
        for _ in 0..threads {
            let result_tx = result_tx.clone();
            let (job_rx, work) = (&job_rx, &work);
            scope.spawn(move || loop {
                // The lock is held only while waiting for an item, and nothing panics while
                // waiting: the mutex cannot be poisoned.
                let job = job_rx.lock().expect("job queue lock").recv();
                let Ok((k, item)) = job else { break };
                // The work runs only on its own item, and the run ends at the first panic:
                // nothing it may have left half-updated is looked at again.
                let outcome = catch_unwind(AssertUnwindSafe(|| work(item)));
                // A closed result channel means the run has ended with an error.
                if result_tx.send((k, outcome)).is_err() {
                    break;
                }
            });
        }
        drop(result_tx);
        // Results that arrived ahead of an earlier one, by emission index.
        let mut ahead: BTreeMap<usize, O> = BTreeMap::new();
        let mut next = 0;
        let mut take = |k: usize, r: Outcome<O, E>, consume: &mut dyn FnMut(O) -> Result<(), E>| {
            let r = r.unwrap_or_else(|payload| resume_unwind(payload));
            ahead.insert(k, r?);
            while let Some(o) = ahead.remove(&next) {
                next += 1;
                consume(o)?;
            }
            Ok(())
        };
        let mut sent = 0;
        produce(&mut |item| {
            // Workers catch their panics and only leave once the queue is closed, so a send
            // always finds one to take the item; were they all gone, the results below would
            // say why.
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

    /// The payload of a panic, as text.
    fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
        match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(payload) => payload
                .downcast::<&str>()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        }
    }

    /// Runs `map_ordered` over many items with a `work` that panics on `panics_on`, and
    /// returns the panic's message and how many items the producer emitted.
    fn run_panicking(threads: usize, panics_on: impl Fn(usize) -> bool + Sync) -> (String, usize) {
        let mut emitted = 0;
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            map_ordered(
                threads,
                |emit| {
                    for i in 0..100_000 {
                        emitted += 1;
                        emit(i)?;
                    }
                    Ok(())
                },
                |i| {
                    if panics_on(i) {
                        panic!("worker failed on {i}");
                    }
                    Ok::<_, String>(i)
                },
            )
        }))
        .expect_err("the worker's panic reaches the caller");
        (panic_message(payload), emitted)
    }

    #[test]
    fn a_panic_on_every_later_item_reaches_the_caller_instead_of_hanging() {
        // Every worker dies once it reaches item 37: nobody is left to take the producer's
        // next item, which used to block the producer for ever.
        for threads in [1, 2, 4] {
            let (message, emitted) = run_panicking(threads, |i| i >= 37);
            assert!(message.starts_with("worker failed on "), "{message}");
            assert!(
                emitted < 100_000,
                "producer kept going with {threads} threads"
            );
        }
    }

    #[test]
    fn a_panic_on_one_item_reaches_the_caller_with_its_payload() {
        for threads in [1, 2, 4] {
            let (message, emitted) = run_panicking(threads, |i| i == 37);
            assert_eq!(message, "worker failed on 37", "{threads} threads");
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

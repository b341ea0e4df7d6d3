//! One reading of each spilled scenario for all the report writers.
//!
//! Each writer reads the whole report. Without this, each one reads every spilled scenario back
//! from the spill file itself: some 42,000 instructions a journey, once per writer. While the
//! writers run side by side (each on its own thread, see [`super::write_formats`]), a
//! [`Feed`] reads each spilled scenario once, in report order, and hands it to every writer
//! through a short queue of its own. [`Scenarios::iter`](super::model::Scenarios::iter) takes a
//! scenario from its thread's queue when it is there, and reads it back itself when it is not.
//!
//! The queues are short, so memory stays the same whatever the suite: the feed waits for a
//! writer whose queue is full. That is the only waiting, so nothing waits in a circle: a writer
//! waits for the feed only when its queue is empty, and the feed for a writer only when its
//! queue is full. A writer that reads in another order, skips scenarios, or reads them twice
//! still gets every scenario right: what it passed over is let go of, and what it asks for
//! behind the feed it reads back itself.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

use super::model::{RunReport, ScenarioReport, Stored};
use super::spill::{Entry, SpillFile};

/// How many read scenarios wait for one writer (about 10 KB each for a passing journey). A
/// writer that does other work first (Cucumber Messages makes its pickles) keeps the others
/// waiting once its queue is full: a queue of 64 keeps them busy for a part of it.
const QUEUED: usize = 64;

/// A scenario read back, and where it was read from.
struct Item {
    file: usize,
    seq: u32,
    scenario: Arc<ScenarioReport>,
}

/// Which spill file a scenario comes from: the address of the one [`SpillFile`] every
/// feature of a report shares.
fn file_key(file: &SpillFile) -> usize {
    std::ptr::from_ref(file) as usize
}

/// Reads the spilled scenarios of a report once and hands them to each [`Subscription`].
pub(crate) struct Feed {
    writers: Vec<SyncSender<Item>>,
}

/// One writer's queue of the feed: installed on its thread by [`Subscription::serve`].
pub(crate) struct Subscription {
    queue: Receiver<Item>,
    /// A scenario taken from the queue past the one the writer asked for.
    ahead: Option<Item>,
}

thread_local! {
    static SUBSCRIPTION: RefCell<Option<Subscription>> = const { RefCell::new(None) };
}

impl Feed {
    /// A feed for `writers` writers, and their subscriptions.
    pub(crate) fn new(writers: usize) -> (Feed, Vec<Subscription>) {
        let (sends, subscriptions) = (0..writers)
            .map(|_| {
                let (send, queue) = std::sync::mpsc::sync_channel(QUEUED);
                (send, Subscription { queue, ahead: None })
            })
            .unzip();
        (Feed { writers: sends }, subscriptions)
    }

    /// Reads every spilled scenario of `report`, in report order, and hands each one to every
    /// writer that is still there. Returns when all are handed over, when no writer
    /// is left, or when a scenario cannot be read back (the writers then read back the rest
    /// themselves and meet the failure).
    pub(crate) fn run(mut self, report: &RunReport) {
        // The last one handed out, by file (a run writes one spill file).
        let mut last: Option<(usize, u32)> = None;
        // One reader for the file, opened once.
        let mut reader = None;
        for feature in &report.features {
            let Some((file, places)) = feature.scenarios.places() else {
                continue;
            };
            let reader = match reader.take() {
                Some((key, open)) if key == file_key(file) => reader.insert((key, open)),
                _ => match file.reader() {
                    Ok(open) => reader.insert((file_key(file), open)),
                    Err(_) => return,
                },
            };
            for place in places {
                let Stored::OnDisk(summary, entry) = place else {
                    continue;
                };
                let entry = *entry;
                // The writers take them in this order (see `take`).
                debug_assert!(
                    last.is_none_or(|(f, seq)| f != file_key(file) || seq < entry.seq),
                    "spilled scenarios out of report order"
                );
                last = Some((file_key(file), entry.seq));
                if self.writers.is_empty() {
                    return;
                }
                let Ok(scenario) = file.scenario(&mut reader.1, summary, entry) else {
                    return;
                };
                let scenario = Arc::new(scenario);
                // A writer gone (done, or stopped by an error) has let go of its queue.
                self.writers.retain(|send| {
                    send.send(Item {
                        file: file_key(file),
                        seq: entry.seq,
                        scenario: Arc::clone(&scenario),
                    })
                    .is_ok()
                });
            }
        }
    }
}

impl Subscription {
    /// Runs `write` with this as its thread's queue, and lets go of the queue after (the feed
    /// then hands this writer nothing more).
    pub(crate) fn serve<T>(self, write: impl FnOnce() -> T) -> T {
        struct Installed;
        impl Drop for Installed {
            fn drop(&mut self) {
                // Also when `write` panics.
                SUBSCRIPTION.with_borrow_mut(Option::take);
            }
        }
        SUBSCRIPTION.with_borrow_mut(|s| *s = Some(self));
        let _installed = Installed;
        write()
    }
}

/// The scenario at `entry` of `file` from this thread's queue, if it is there; `None` when this
/// thread has no queue, or the feed has passed the scenario by (the caller reads it back).
pub(crate) fn take(file: &SpillFile, entry: Entry) -> Option<Arc<ScenarioReport>> {
    SUBSCRIPTION.with_borrow_mut(|subscription| {
        let subscription = subscription.as_mut()?;
        loop {
            let item = match subscription.ahead.take() {
                Some(item) => item,
                // Empty and let go of by the feed: it is done.
                None => subscription.queue.recv().ok()?,
            };
            if item.file != file_key(file) || item.seq > entry.seq {
                // Another report's, or further on: the writer asks for it later.
                subscription.ahead = Some(item);
                return None;
            }
            if item.seq == entry.seq {
                return Some(item.scenario);
            }
            // One the writer passed over.
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::redact::Redactor;
    use crate::report::model::Seen;
    use crate::report::model::{Brief, Status};
    use crate::report::spill::spill_all;
    use crate::report::{Format, history, sample};

    /// The sample run with every scenario on disk, and the same report read back into memory.
    fn spilled() -> (RunReport, RunReport) {
        let mut past = history::Past::default();
        let spilled = spill_all(&sample::run_report(), &Redactor::default(), &mut past);
        let mut memory = spilled.clone();
        for feature in &mut memory.features {
            feature.scenarios.in_memory().unwrap();
            assert!(!feature.scenarios.on_disk());
        }
        assert!(spilled.features.iter().all(|f| f.scenarios.on_disk()));
        (spilled, memory)
    }

    /// The scenarios of `report` that `keep` accepts, in order, as JSON.
    fn scenarios(report: &RunReport, keep: fn(&Brief<'_>) -> bool) -> Vec<String> {
        report
            .features
            .iter()
            .flat_map(|f| f.scenarios.select(keep))
            .map(|s| json(&s))
            .collect()
    }

    fn every(_: &Brief<'_>) -> bool {
        true
    }

    fn failed(brief: &Brief<'_>) -> bool {
        brief.status == Status::Failed
    }

    fn json(scenario: &ScenarioReport) -> String {
        serde_json::to_string(scenario).unwrap()
    }

    #[test]
    fn writers_reading_in_any_order_get_every_scenario_and_one_reading_in_order_shares_them() {
        let (report, memory) = spilled();
        let want = scenarios(&memory, every);
        let (feed, subscriptions) = Feed::new(3);
        let [in_order, backwards, failed_first] =
            <[Subscription; 3]>::try_from(subscriptions).ok().unwrap();
        let report = &report;
        std::thread::scope(|scope| {
            let in_order = scope.spawn(move || {
                in_order.serve(|| {
                    let mut shared = 0;
                    let got: Vec<String> = report
                        .features
                        .iter()
                        .flat_map(|f| f.scenarios.iter())
                        .inspect(|s| shared += usize::from(matches!(s, Seen::Shared(_))))
                        .map(|s| json(&s))
                        .collect();
                    (got, shared)
                })
            });
            // Last first, twice over.
            let backwards = scope.spawn(move || {
                backwards.serve(|| {
                    let mut rounds = Vec::new();
                    for _ in 0..2 {
                        let mut got = Vec::new();
                        for feature in report.features.iter().rev() {
                            let mut scenarios: Vec<String> =
                                feature.scenarios.iter().map(|s| json(&s)).collect();
                            scenarios.reverse();
                            got.extend(scenarios);
                        }
                        got.reverse();
                        rounds.push(got);
                    }
                    rounds
                })
            });
            // Some passed over, then all of them.
            let failed_first = scope.spawn(move || {
                failed_first.serve(|| (scenarios(report, failed), scenarios(report, every)))
            });
            feed.run(report);
            let (got, shared) = in_order.join().unwrap();
            assert_eq!(got, want);
            assert_eq!(shared, want.len(), "each one in order came from the feed");
            for got in backwards.join().unwrap() {
                assert_eq!(got, want);
            }
            let (failed_got, all) = failed_first.join().unwrap();
            assert_eq!(all, want);
            let want_failed = scenarios(&memory, failed);
            assert!(!want_failed.is_empty());
            assert_eq!(failed_got, want_failed);
        });
        report.read_back().unwrap();
    }

    #[test]
    fn reports_written_beside_the_feed_are_the_ones_written_from_memory() {
        let (spilled, memory) = spilled();
        let beside = tempfile::tempdir().unwrap();
        let alone = tempfile::tempdir().unwrap();
        let written = crate::report::write_formats(&spilled, beside.path(), &Format::ALL).unwrap();
        crate::report::write_formats(&memory, alone.path(), &Format::ALL).unwrap();
        // Every file but the history record, whose name is its run's.
        assert_eq!(written.len(), 6);
        for path in &written[..5] {
            let name = path.file_name().unwrap();
            let a = std::fs::read(path).unwrap();
            let b = std::fs::read(alone.path().join(name)).unwrap();
            assert!(a == b, "{} differs", name.to_string_lossy());
        }
    }
}

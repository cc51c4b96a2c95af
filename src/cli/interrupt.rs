//! Ctrl-C (SIGINT) and SIGTERM. The first asks the run to stop: the engine
//! starts no further chunk of trials (so it stops within about a chunk's
//! time), the results folder being built beside its place is discarded (an
//! earlier one stays as it was), and the command exits with 130 (143 for
//! SIGTERM). A second signal ends the process at once (the old folder is
//! still whole; a hidden `.NAME.partial-PID` folder may be left beside it).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use signal_hook::consts::{SIGINT, SIGTERM};

/// Which signals have arrived.
struct Flags {
    int: Arc<AtomicBool>,
    term: Arc<AtomicBool>,
}

static FLAGS: OnceLock<Flags> = OnceLock::new();

/// Installs the handlers (once; later calls do nothing), for the commands
/// that write a results folder and check [`requested`] (at least before
/// the folder is swapped in). Without them a signal ends the
/// process as usual (what a command that only reads or writes wants: its
/// results folder is swapped in whole or not at all).
pub fn install() {
    FLAGS.get_or_init(|| {
        let flags = Flags {
            int: Arc::new(AtomicBool::new(false)),
            term: Arc::new(AtomicBool::new(false)),
        };
        for (signal, flag, code) in [(SIGINT, &flags.int, 130), (SIGTERM, &flags.term, 143)] {
            // A second signal of either kind, once one has arrived, ends the
            // process; the first only sets the flag. If a handler cannot be
            // installed, the signal keeps its default action (ends the run).
            for set in [&flags.int, &flags.term] {
                let _ =
                    signal_hook::flag::register_conditional_shutdown(signal, code, Arc::clone(set));
            }
            let _ = signal_hook::flag::register(signal, Arc::clone(flag));
        }
        flags
    });
}

/// Whether the run has been asked to stop.
pub fn requested() -> bool {
    FLAGS
        .get()
        .is_some_and(|f| f.int.load(Ordering::Relaxed) || f.term.load(Ordering::Relaxed))
}

/// An [`Error::Interrupted`](shortfall::Error::Interrupted) if the run has
/// been asked to stop: called once the simulations are done, before anything
/// is written or removed.
pub fn check() -> Result<(), shortfall::Error> {
    if requested() {
        Err(shortfall::Error::Interrupted)
    } else {
        Ok(())
    }
}

/// The exit code for an interrupted run: 143 after SIGTERM, else 130.
pub fn exit_code() -> u8 {
    if FLAGS.get().is_some_and(|f| f.term.load(Ordering::Relaxed)) {
        143
    } else {
        130
    }
}

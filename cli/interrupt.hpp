// Clean interrupts for `ecsim run` and `ecsim sweep`: Ctrl-C (SIGINT) or SIGTERM asks the run to
// stop (RunOptions::cancel); it stops at its next simulated instant, leaves no partial outputs,
// and the command exits 130 or 143 (128 + the signal's number), as shells expect. A second
// signal ends the process at once (the handler is reset after the first).
#pragma once

#include <atomic>

namespace ecsim::cli {

// Installs the SIGINT and SIGTERM handlers (they only set a flag) and returns that flag, for
// RunOptions::cancel and SweepOptions::cancel.
const std::atomic<bool>* install_interrupt_handlers();

// The exit code after an interrupt: 128 + the signal's number (130 without a signal).
int interrupted_exit_code();

}  // namespace ecsim::cli

#include "interrupt.hpp"

#include <csignal>

namespace ecsim::cli {
namespace {

// Async-signal-safe: a lock-free atomic store and a sig_atomic_t write are all the handler does.
static_assert(std::atomic<bool>::is_always_lock_free);
std::atomic<bool> g_interrupted{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_interrupt(int signal_number) {
  g_signal = signal_number;
  g_interrupted.store(true);
}

}  // namespace

const std::atomic<bool>* install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: a second Ctrl-C gets the default action and ends the process at once.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return &g_interrupted;
}

int interrupted_exit_code() {
  const int signal_number = g_signal;
  return 128 + (signal_number != 0 ? signal_number : SIGINT);
}

}  // namespace ecsim::cli

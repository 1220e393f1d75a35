#include "progress.hpp"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace ecsim::cli {

ProgressBar::ProgressBar(bool wanted)
    : enabled_(wanted && ::isatty(STDERR_FILENO) == 1),
      started_(std::chrono::steady_clock::now()),
      last_draw_(started_) {}

ProgressBar::~ProgressBar() {
  clear();
}

ProgressCallback ProgressBar::callback() {
  if (!enabled_) return {};
  return [this](TimePoint now, TimePoint end) { update(now, end); };
}

void ProgressBar::update(TimePoint now, TimePoint end) {
  // Reading the clock costs little, but steps can be far cheaper still: look every 256 calls.
  if ((++calls_ & 0xFF) != 0 && now < end) return;
  const auto wall = std::chrono::steady_clock::now();
  if (wall - started_ < std::chrono::seconds(1)) return;
  if (drawn_ && wall - last_draw_ < std::chrono::milliseconds(100) && now < end) return;
  last_draw_ = wall;
  const double total = static_cast<double>(end.time_since_epoch().count());
  const double done = total > 0 ? static_cast<double>(now.time_since_epoch().count()) / total : 1;
  const double fraction = done < 0 ? 0 : done > 1 ? 1 : done;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "\r\033[Kecsim: [%s] %3d%%  %s of %s simulated", bar.c_str(),
               static_cast<int>(fraction * 100),
               format_duration(seconds(now.time_since_epoch() / kSecond)).c_str(),
               format_duration(end.time_since_epoch()).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace ecsim::cli

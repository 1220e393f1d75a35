// The default output folder of `ecsim run` and `ecsim sweep`: out/<name>, where the name comes
// from the scenario or sweep file. The name is made a single folder name, so a file cannot send
// outputs elsewhere: "/" and "\" become "_", control characters are dropped, and a name that is
// empty, "." or ".." becomes "unnamed".
#pragma once

#include <string>
#include <string_view>

namespace ecsim::cli {

inline std::string default_out_folder(std::string_view name) {
  std::string folder;
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
    folder += (c == '/' || c == '\\') ? '_' : c;
  }
  if (folder.empty() || folder == "." || folder == "..") folder = "unnamed";
  return "out/" + folder;
}

}  // namespace ecsim::cli

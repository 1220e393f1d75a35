#include "ecsim/output_directory.hpp"

#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace ecsim {

OutputDirectory::OutputDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  // Remember which folders do not exist yet, so a failed run can take them away again.
  for (std::filesystem::path p = dir_; !p.empty() && p != p.root_path(); p = p.parent_path()) {
    if (std::filesystem::exists(std::filesystem::symlink_status(p, ec))) break;
    if (p.filename() != "." && p.filename() != "..") created_.push_back(p);
  }
  std::filesystem::create_directories(dir_, ec);
  if (ec || !std::filesystem::is_directory(dir_))
    throw OutputError("cannot create output folder " + dir_.string() + ": " +
                      (ec ? ec.message() : "a file of that name exists"));
  staging_ = dir_ / (".ecsim-staging-" + std::to_string(::getpid()));
  std::filesystem::remove_all(staging_, ec);
  std::filesystem::create_directory(staging_, ec);
  if (ec) throw OutputError("cannot write in output folder " + dir_.string() + ": " + ec.message());
}

OutputDirectory::~OutputDirectory() {
  files_.clear();  // close streams before removing
  std::error_code ec;
  std::filesystem::remove_all(staging_, ec);
  if (committed_) return;
  // remove() takes a folder away only when it is empty: nothing but what this object made goes.
  for (const auto& p : created_)
    std::filesystem::remove(p, ec);
}

std::ofstream& OutputDirectory::open(const std::string& name) {
  if (name.find('/') != std::string::npos || name.empty() || name[0] == '.')
    throw std::invalid_argument("output file name must be a plain file name: " + name);
  auto& [file_name, stream] = files_.emplace_back(name, std::ofstream{});
  stream.open(staging_ / name, std::ios::binary | std::ios::trunc);
  if (!stream) throw OutputError("cannot create " + (staging_ / name).string());
  return stream;
}

void OutputDirectory::write_file(const std::string& name, std::string_view content) {
  open(name).write(content.data(), static_cast<std::streamsize>(content.size()));
}

void OutputDirectory::commit() {
  for (auto& [name, stream] : files_) {
    stream.flush();
    if (!stream) throw OutputError("writing " + name + " failed (disk full?)");
    stream.close();
  }
  for (auto& [name, stream] : files_) {
    std::error_code ec;
    std::filesystem::rename(staging_ / name, dir_ / name, ec);
    if (ec)
      throw OutputError("cannot move " + name + " into " + dir_.string() + ": " + ec.message());
  }
  committed_ = true;
}

}  // namespace ecsim

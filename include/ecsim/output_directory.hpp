// OutputDirectory: writes a run's files so that a failed or interrupted run leaves nothing partial.
//
// Files are written into a hidden staging folder inside the output folder; commit() renames each
// into place (rename is atomic within a file system). Destroying an OutputDirectory that was not
// committed removes the staging folder, and the output folder itself (and any parents) if it
// created them and they are still empty, so readers only ever see complete files.
#pragma once

#include <deque>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ecsim {

// Raised when an output file cannot be created, written or moved into place.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputDirectory {
 public:
  // Creates `dir` if needed; throws std::runtime_error with a readable message when it cannot.
  explicit OutputDirectory(std::filesystem::path dir);
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;
  ~OutputDirectory();

  // A stream to the staged file `name` (a plain file name, no folders). It stays valid while
  // other files are opened, until commit() or destruction.
  std::ofstream& open(const std::string& name);
  void write_file(const std::string& name, std::string_view content);
  // Flushes, checks for write errors, and renames every staged file into the output folder.
  void commit();
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path staging_;
  std::vector<std::filesystem::path> created_;  // folders this object created, deepest first
  // A deque, so that opening a file never moves the streams already handed out.
  std::deque<std::pair<std::string, std::ofstream>> files_;
  bool committed_ = false;
};

}  // namespace ecsim

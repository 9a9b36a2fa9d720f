// Every file refbench writes goes through OutputFile: only to a regular file or a new path
// (a device, FIFO, socket or directory is refused, so that /dev/null is never renamed
// over), locked against a second writer (flock), written a whole record at a time (a write
// that fails is cut back, so a full disk leaves no half row), synced to the disk, and
// either renamed into place whole or, for a file streamed in place, never half a record.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace refbench::results {

// A file that cannot be written or read as refbench needs: what() is one line naming the
// path and the reason.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws OutputError if `path` exists and is not a regular file ("/dev/null is a
// character device (allowed: a regular file or a new path)"). A symbolic link counts as
// what it points to.
void check_regular_or_new(const std::filesystem::path& path);

class OutputFile {
 public:
  enum class Mode {
    whole,   // written to PATH.tmp, renamed to PATH by commit(); removed without commit()
    stream,  // created in place (a new path, or `replace`), each record synced as written
    append,  // an existing regular file, records added at its end, each synced; a last
             // record without its line end (a killed writer) is removed first
  };
  // Opens the file and takes an exclusive flock on it (the temporary file for `whole`).
  // Throws OutputError naming the path: not a regular file or new path; it exists and
  // `replace` is false (stream); another process holds the lock ("being written by another
  // refbench"); or the system's error (strerror) where it cannot be opened.
  OutputFile(std::filesystem::path path, Mode mode, bool replace = false);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  // Without commit(), a whole file's temporary file is removed; a stream keeps what it
  // wrote (every record whole).
  ~OutputFile();

  // Writes `bytes` whole or not at all: if the system refuses part of it (a full disk),
  // the file is cut back to where it was and OutputError names the path and strerror.
  // Streams and appends are synced (fdatasync) before this returns.
  void write(std::string_view bytes);
  // Syncs and closes the file; a whole file is then renamed to its real name and the
  // directory synced. Throws OutputError (and a whole file's temporary is removed). A
  // second commit does nothing.
  void commit();

  const std::filesystem::path& path() const { return path_; }
  // The file being written: PATH.tmp for a whole file, else PATH.
  const std::filesystem::path& writing() const { return writing_; }
  // Append: the bytes of a last record cut short (no line end) that opening removed.
  std::size_t trimmed() const { return trimmed_; }

 private:
  [[noreturn]] void fail(const std::string& what);
  void cut_back();
  void trim_cut_record();

  std::filesystem::path path_;
  std::filesystem::path writing_;
  Mode mode_;
  int fd_ = -1;
  off_t size_ = 0;  // the end of the last record written whole
  std::size_t trimmed_ = 0;
  bool committed_ = false;
};

// Writes `content` to PATH.tmp, syncs it and renames it to PATH: never half there, never
// over a device. Throws OutputError naming the path; the temporary file is removed.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace refbench::results

#include "results/output_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace refbench::results {
namespace {

std::string system_error(const std::string& what, const std::filesystem::path& path, int error) {
  return what + " " + path.string() + ": " + std::strerror(error);
}

const char* kind_of(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  return "not a regular file";
}

// After a rename, the directory entry is on disk only once the directory is synced. A
// directory that cannot be opened or synced (some file systems) loses nothing that the
// file's own sync did not already keep.
void sync_directory_of(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void check_regular_or_new(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // new (or unreachable: open will say)
  if (S_ISREG(st.st_mode)) return;
  throw OutputError(path.string() + " is " + kind_of(st.st_mode) +
                    " (allowed: a regular file or a new path)");
}

OutputFile::OutputFile(std::filesystem::path path, Mode mode, bool replace)
    : path_(std::move(path)),
      writing_(mode == Mode::whole ? std::filesystem::path(path_.string() + ".tmp") : path_),
      mode_(mode) {
  check_regular_or_new(path_);
  if (mode == Mode::whole) check_regular_or_new(writing_);
  int flags = O_WRONLY | O_APPEND | O_CLOEXEC;
  if (mode != Mode::append) flags |= O_CREAT;
  // A stream is created new unless told to replace; a whole file's temporary file may be
  // a stale one from a run that was killed, and is taken over once its lock is free.
  if (mode == Mode::stream && !replace) flags |= O_EXCL;
  fd_ = ::open(writing_.c_str(), flags, 0644);
  if (fd_ < 0) {
    const int error = errno;
    if (error == EEXIST) {
      throw OutputError(path_.string() + " exists (refbench never writes over a result)");
    }
    throw OutputError(
        system_error(mode == Mode::append ? "cannot append to" : "cannot write", writing_, error));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw OutputError(writing_.string() +
                        " is being written by another refbench (it holds the file's lock); "
                        "wait for it or choose another file");
    }
    throw OutputError(system_error("cannot lock", writing_, error));
  }
  // Owned from here on: the destructor may remove a whole file's temporary.
  if (mode == Mode::append) {
    size_ = ::lseek(fd_, 0, SEEK_END);
    trim_cut_record();
  } else if (::ftruncate(fd_, 0) != 0) {
    const int error = errno;
    ::close(fd_);
    if (mode == Mode::whole) ::unlink(writing_.c_str());
    throw OutputError(system_error("cannot write", writing_, error));
  }
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (mode_ == Mode::whole && !committed_) {
    std::error_code ignored;
    std::filesystem::remove(writing_, ignored);
  }
}

void OutputFile::fail(const std::string& what) {
  const int error = errno;
  throw OutputError(system_error(what, writing_, error));
}

// A record is whole when its line end is there: a file that does not end in one lost its
// writer mid-record (SIGKILL, a full disk before refbench cut writes back). Whatever follows
// the last line end goes; a file with no line end at all is left as it is.
void OutputFile::trim_cut_record() {
  char buffer[4096];
  off_t end = size_;
  while (end > 0) {
    const off_t begin = end > static_cast<off_t>(sizeof buffer) ? end - sizeof buffer : 0;
    const ssize_t n = ::pread(fd_, buffer, static_cast<std::size_t>(end - begin), begin);
    if (n != end - begin) return;
    for (off_t i = n - 1; i >= 0; --i) {
      if (buffer[i] != '\n') continue;
      const off_t keep = begin + i + 1;
      if (keep == size_) return;
      if (::ftruncate(fd_, keep) != 0) fail("cannot trim the cut last row of");
      trimmed_ = static_cast<std::size_t>(size_ - keep);
      size_ = keep;
      return;
    }
    end = begin;
  }
}

// Back to the end of the last whole record: no half row under any name. If even that
// fails, the reader's check (a last line without its end) still finds it.
void OutputFile::cut_back() { [[maybe_unused]] const int ignored = ::ftruncate(fd_, size_); }

void OutputFile::write(std::string_view bytes) {
  if (fd_ < 0) throw std::logic_error("OutputFile::write after commit");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      cut_back();
      errno = error;
      fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (mode_ != Mode::whole && ::fdatasync(fd_) != 0) {
    const int error = errno;
    cut_back();
    errno = error;
    fail("cannot write");
  }
  size_ += static_cast<off_t>(bytes.size());
}

void OutputFile::commit() {
  if (committed_) return;  // a second commit (after a run stopped early) has nothing to do
  if (fd_ < 0) throw std::logic_error("OutputFile::commit after a failed commit");
  if (::fsync(fd_) != 0) fail("cannot write");
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot close");
  if (mode_ == Mode::whole) {
    if (::rename(writing_.c_str(), path_.c_str()) != 0) {
      const int error = errno;
      throw OutputError("cannot rename " + writing_.string() + " to " + path_.string() + ": " +
                        std::strerror(error));
    }
  }
  committed_ = true;
  sync_directory_of(path_);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  OutputFile file(path, OutputFile::Mode::whole, true);
  file.write(content);
  file.commit();
}

}  // namespace refbench::results

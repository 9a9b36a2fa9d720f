// Bad input from the user: refbench prints what() on one line and exits with status 2.
#pragma once

#include <stdexcept>

namespace refbench::harness {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace refbench::harness

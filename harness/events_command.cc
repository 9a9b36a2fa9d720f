#include "harness/commands.h"
#include "harness/counters.h"

namespace refbench::harness {

int events_command(std::ostream& out) {
  out << describe_counters();
  return 0;
}

}  // namespace refbench::harness

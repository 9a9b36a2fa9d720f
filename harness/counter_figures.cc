#include "harness/counter_figures.h"

#include <algorithm>
#include <optional>
#include <string>

namespace refbench::harness {
namespace {

std::optional<double> per(std::optional<double> value, std::uint64_t messages) {
  if (!value || messages == 0) return std::nullopt;
  return *value / static_cast<double>(messages);
}

results::CounterFigure figure_of(const CounterSet& set, std::size_t e,
                                 const std::vector<std::vector<CounterReading>>& per_thread,
                                 const std::vector<workloads::Role>& roles,
                                 const std::vector<workloads::Traffic>& traffic,
                                 std::uint64_t messages) {
  const CounterEvent& event = set.events()[e];
  results::CounterFigure f;
  f.name = event.column;
  f.source = std::string(name(event.source));
  if (event.source == CounterSource::unavailable || per_thread.empty()) return f;
  double total = 0, scale = 1;
  std::optional<double> sender, receiver;  // empty while no thread has the role
  std::uint64_t sent = 0, received = 0;    // by the senders, by the receivers
  for (std::size_t t = 0; t < per_thread.size(); ++t) {
    const CounterReading& r = per_thread[t].at(e);
    if (!r.value) {
      f.source = std::string(name(CounterSource::unavailable));
      f.problem = "interpreter " + std::to_string(t) + ": " +
                  (r.problem.empty() ? std::string("no reading") : r.problem);
      return f;
    }
    total += *r.value;
    if (roles.at(t) == workloads::Role::sender) {
      sender = sender.value_or(0) + *r.value;
      sent += traffic.at(t).sent;
    }
    if (roles.at(t) == workloads::Role::receiver) {
      receiver = receiver.value_or(0) + *r.value;
      received += traffic.at(t).received;
    }
    scale = std::max(scale, r.scale);
  }
  f.total = total;
  f.per_msg = per(total, messages);
  f.sender_per_msg = per(sender, sent);
  f.receiver_per_msg = per(receiver, received);
  f.scale = scale;
  return f;
}

}  // namespace

std::vector<results::CounterFigure> counter_figures(
    const CounterSet& set, const std::vector<std::vector<CounterReading>>& per_thread,
    const std::vector<workloads::Role>& roles, const std::vector<workloads::Traffic>& traffic,
    std::uint64_t messages) {
  std::vector<results::CounterFigure> figures;
  for (std::size_t e = 0; e < set.events().size(); ++e) {
    figures.push_back(figure_of(set, e, per_thread, roles, traffic, messages));
  }
  return figures;
}

}  // namespace refbench::harness

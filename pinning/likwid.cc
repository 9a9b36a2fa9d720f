#include "pinning/likwid.h"

#include <algorithm>
#include <map>
#include <string>

#include "pinning/numbers.h"

namespace refbench::pinning {
namespace {

const char* const kSyntax =
    "LIKWID expressions: N:0-3, S0:0-3, C0:0-1, M0:0-3, D0:0-1 (PU indices within the domain), "
    "joined by @; E:N:8:1:2 (count, chunk, stride); S:scatter, M:scatter, C:scatter";

PinningError bad(std::string_view spec, const std::string& why) {
  return PinningError("bad LIKWID expression '" + std::string(spec) + "': " + why + " (" + kSyntax +
                      ")");
}

// The container a domain kind groups PUs by (N: none, the whole machine).
int PuInfo::*container_of(char kind, const Topology& topo) {
  switch (kind) {
    case 'S':
    case 'D':
      return &PuInfo::package;
    case 'M':
      return &PuInfo::numa;
    case 'C': {
      const bool has_l3 = std::any_of(topo.pus().begin(), topo.pus().end(),
                                      [](const PuInfo& p) { return p.l3 >= 0; });
      return has_l3 ? &PuInfo::l3 : &PuInfo::l2;
    }
    default:
      return nullptr;
  }
}

// The first of each list, then the second of each, and so on (lists that ran out skipped).
std::vector<unsigned> rank_by_rank(const std::vector<std::vector<unsigned>>& lists) {
  std::vector<unsigned> order;
  for (std::size_t rank = 0;; ++rank) {
    const std::size_t before = order.size();
    for (const auto& list : lists) {
      if (rank < list.size()) order.push_back(list[rank]);
    }
    if (order.size() == before) return order;
  }
}

// A domain's PUs in LIKWID's order: each core's first PU in topology order, then each
// core's second, and so on.
std::vector<unsigned> in_likwid_order(const std::vector<const PuInfo*>& pus) {
  std::vector<std::vector<unsigned>> cores;
  int last_core = -2;
  for (const PuInfo* p : pus) {
    if (p->core < 0 || p->core != last_core) cores.emplace_back();
    cores.back().push_back(p->os_index);
    last_core = p->core;
  }
  return rank_by_rank(cores);
}

// The domains of one kind, numbered in topology order (S0 holds the first PU's package).
std::vector<std::vector<unsigned>> domains_of(char kind, const Topology& topo) {
  const auto container = container_of(kind, topo);
  std::vector<std::vector<const PuInfo*>> members;
  std::map<int, std::size_t> index_of;
  for (const PuInfo& p : topo.pus()) {
    const int key = container == nullptr ? 0 : p.*container;
    const auto [it, added] = index_of.try_emplace(key, members.size());
    if (added) members.emplace_back();
    members[it->second].push_back(&p);
  }
  std::vector<std::vector<unsigned>> domains;
  for (const auto& m : members) domains.push_back(in_likwid_order(m));
  return domains;
}

bool is_kind(char c) { return c == 'N' || c == 'S' || c == 'M' || c == 'C' || c == 'D'; }

// "S1" -> the PUs of socket 1; "N" -> every PU.
std::vector<unsigned> domain(std::string_view spec, std::string_view name, const Topology& topo) {
  if (name.empty() || !is_kind(name.front())) {
    throw bad(spec, "'" + std::string(name) + "' is not a domain (N, S#, M#, C#, D#)");
  }
  const auto domains = domains_of(name.front(), topo);
  std::optional<unsigned> which =
      name.size() == 1 ? std::optional<unsigned>(0) : parse_unsigned(name.substr(1));
  if (name.front() == 'N' && name.size() > 1) which = std::nullopt;
  if (!which) throw bad(spec, "'" + std::string(name) + "' is not a domain (N, S#, M#, C#, D#)");
  if (*which >= domains.size()) {
    throw bad(spec, "domain " + std::string(name) + " is not on " + topo.source() + ", which has " +
                        std::to_string(domains.size()) + " " + name.front() + " domain" +
                        (domains.size() == 1 ? "" : "s"));
  }
  return domains[*which];
}

// "0-3,5": indices into the domain.
std::vector<unsigned> pick(std::string_view spec, std::string_view name,
                           const std::vector<unsigned>& in, std::string_view list) {
  std::vector<unsigned> pus;
  for (std::size_t begin = 0;;) {
    const std::size_t comma = list.find(',', begin);
    const std::string_view item = list.substr(begin, comma - begin);
    const std::size_t dash = item.find('-');
    const auto first = parse_unsigned(item.substr(0, dash));
    const auto last =
        dash == std::string_view::npos ? first : parse_unsigned(item.substr(dash + 1));
    if (!first || !last || *last < *first) {
      throw bad(spec, "'" + std::string(item) + "' is not an index or a rising range");
    }
    if (*last >= in.size()) {
      throw bad(spec, "domain " + std::string(name) + " has " + std::to_string(in.size()) +
                          " PUs (indices 0-" + std::to_string(in.size() - 1) + ")");
    }
    for (unsigned i = *first; i <= *last; ++i) pus.push_back(in[i]);
    if (comma == std::string_view::npos) return pus;
    begin = comma + 1;
  }
}

// "E:N:8:1:2".
std::vector<unsigned> expression(std::string_view spec, std::string_view body,
                                 const Topology& topo) {
  std::vector<std::string_view> parts;
  for (std::size_t begin = 0;;) {
    const std::size_t colon = body.find(':', begin);
    parts.push_back(body.substr(begin, colon - begin));
    if (colon == std::string_view::npos) break;
    begin = colon + 1;
  }
  if (parts.size() != 2 && parts.size() != 4) {
    throw bad(spec, "an expression is E:DOMAIN:COUNT or E:DOMAIN:COUNT:CHUNK:STRIDE");
  }
  const std::vector<unsigned> in = domain(spec, parts[0], topo);
  const auto count = parse_unsigned(parts[1]);
  const auto chunk = parts.size() == 4 ? parse_unsigned(parts[2]) : std::optional<unsigned>(1);
  const auto stride = parts.size() == 4 ? parse_unsigned(parts[3]) : std::optional<unsigned>(1);
  if (!count || !chunk || !stride || *count == 0 || *chunk == 0 || *stride < *chunk) {
    throw bad(spec, "count and chunk must be at least 1, and the stride at least the chunk");
  }
  std::vector<unsigned> pus;
  for (std::size_t start = 0; pus.size() < *count; start += *stride) {
    for (std::size_t i = start; i < start + *chunk && pus.size() < *count; ++i) {
      if (i >= in.size()) {
        throw bad(spec, std::to_string(*count) + " PUs of " + std::string(parts[0]) +
                            " in chunks of " + std::to_string(*chunk) + " every " +
                            std::to_string(*stride) + " need more than its " +
                            std::to_string(in.size()));
      }
      pus.push_back(in[i]);
    }
  }
  return pus;
}

// "S:scatter": round robin over the domains of a kind.
std::vector<unsigned> scatter(std::string_view spec, char kind, const Topology& topo) {
  if (!is_kind(kind)) throw bad(spec, "scatter needs a kind of domain: N, S, M, C or D");
  return rank_by_rank(domains_of(kind, topo));
}

}  // namespace

bool is_likwid_expression(std::string_view spec) {
  const std::size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view head = spec.substr(0, colon);
  return head == "E" || (is_kind(head.front()) &&
                         (head.size() == 1 || parse_unsigned(head.substr(1)).has_value()));
}

bool is_likwid_scatter(std::string_view spec) {
  return is_likwid_expression(spec) && spec.find('@') == std::string_view::npos &&
         spec.size() == 9 && spec.substr(1) == ":scatter";
}

std::vector<unsigned> likwid_pus(const Topology& topo, std::string_view spec,
                                 std::optional<unsigned> interpreters) {
  std::vector<unsigned> pus;
  bool scattered = false;
  for (std::size_t begin = 0;;) {
    const std::size_t at = spec.find('@', begin);
    const std::string_view part = spec.substr(begin, at - begin);
    const std::size_t colon = part.find(':');
    if (colon == std::string_view::npos) throw bad(spec, "'" + std::string(part) + "' has no ':'");
    const std::string_view head = part.substr(0, colon);
    const std::string_view rest = part.substr(colon + 1);
    std::vector<unsigned> more;
    if (head == "E") {
      more = expression(spec, rest, topo);
    } else if (rest == "scatter" && head.size() == 1) {
      more = scatter(spec, head.front(), topo);
      scattered = true;
    } else {
      more = pick(spec, head, domain(spec, head, topo), rest);
    }
    pus.insert(pus.end(), more.begin(), more.end());
    if (at == std::string_view::npos) break;
    begin = at + 1;
  }
  if (scattered && interpreters) {
    if (*interpreters > pus.size()) {
      throw bad(spec, "it names " + std::to_string(pus.size()) + " PUs, not " +
                          std::to_string(*interpreters));
    }
    pus.resize(*interpreters);
  } else if (interpreters && pus.size() != *interpreters) {
    throw bad(spec, "it names " + std::to_string(pus.size()) + " PUs for " +
                        std::to_string(*interpreters) + " interpreters");
  }
  return pus;
}

}  // namespace refbench::pinning

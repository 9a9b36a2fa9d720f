#include "harness/cli.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <sstream>

#include "harness/parse.h"
#include "harness/placements.h"
#include "harness/settings.h"
#include "harness/shard.h"
#include "harness/usage_error.h"
#include "workloads/point.h"

namespace po = boost::program_options;

namespace refbench::harness {
namespace {

using workloads::Strategy;
using workloads::Workload;

const char* const kOverview =
    "refbench: how reference-count strategies cost on real cores\n"
    "\n"
    "usage: refbench COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run       compare strategies between two pinned interpreters (default: all\n"
    "            strategies, stream and pingpong, on one PU and the nearest and farthest\n"
    "            pairs of this machine)\n"
    "  sweep     run the comparison over many placements: every pair of PUs, one pair per\n"
    "            distance class, or growing numbers of interpreters\n"
    "  stress    random verified points (every strategy, pool size, wait policy, early\n"
    "            teardown) for a time or a seed: does anything but racy miscount or hang?\n"
    "  compare   compare two result files point by point, with a test of the noise\n"
    "  merge     join the results of a sweep's shards (sweep --shard I/N), run on one host\n"
    "            or many, into one file\n"
    "  plot      draw the plots of a result file\n"
    "  topology  show the machine (or a synthetic or XML one) as refbench plans on it\n"
    "  events    show the PMUs, what each counter set means here, and what can be counted\n"
    "\n"
    "refbench COMMAND --help explains a command's options; refbench --version.\n";

// One option: its name ("out" or "quiet,q"), the name of its value (null for a flag), and
// its help text, which ends with its default.
struct Option {
  const char* name;
  const char* value;
  const char* help;
};

void add(po::options_description& d, std::initializer_list<Option> options) {
  for (const Option& o : options) {
    if (o.value != nullptr) {
      d.add_options()(o.name, po::value<std::string>()->value_name(o.value), o.help);
    } else {
      d.add_options()(o.name, o.help);
    }
  }
}

const Option kHelp = {"help,h", nullptr, "explain the options and exit"};

// The options of a point, from the table of settings.
void add_point_options(po::options_description& d) {
  for (const Setting& s : point_settings()) {
    if (s.flag == nullptr) continue;  // a derived column
    if (s.implicit_text != nullptr) {
      d.add_options()(s.flag,
                      po::value<std::string>()
                          ->value_name(s.value_name)
                          ->implicit_value(s.implicit_text, s.implicit_text),
                      s.help.c_str());
    } else if (s.value_name != nullptr) {
      d.add_options()(s.flag, po::value<std::string>()->value_name(s.value_name), s.help.c_str());
    } else {
      d.add_options()(s.flag, s.help.c_str());
    }
  }
}

void add_output_options(po::options_description& d) {
  add(d, {{"topology", "SPEC",
           "plan on another machine: synthetic:\"pack:2 numa:2 l3:2 core:4 pu:2\" or xml:FILE "
           "(hwloc's formats); only with --dry-run (default: this machine)"},
          {"out", "FILE",
           "where to write the results: CSV, or JSON in Google Benchmark's schema for a .json "
           "name; the metadata (FILE.meta.json) and the topology (FILE.topology.xml) go "
           "beside it (default: results/refbench-YYYYmmdd-HHMMSS.csv)"},
          {"format", "csv|json", "the results' format, whatever --out's name (default: by name)"},
          {"force", nullptr,
           "replace --out if it exists (default: an existing result is refused, never written "
           "over)"},
          {"plot", nullptr, "when done, draw the plots of the results beside them (refbench plot)"},
          {"quiet,q", nullptr, "print only the summary tables"}});
  // --dry-run or --dry-run=all; a separate word after it is never its value.
  d.add_options()("dry-run",
                  po::value<std::string>()->value_name("all")->implicit_value("ends", ""),
                  "print the plan (how many points, its estimated duration, the first and last "
                  "ten points; =all: every point) and run nothing");
}

po::options_description run_description() {
  po::options_description d("refbench run options");
  add(d, {kHelp,
          {"cores", "SPEC",
           "where the interpreters run, sender first: PU OS indices, one interpreter per PU "
           "named (0,1; 0,0 puts both on one PU; 0,1,0 runs three), or a policy for two "
           "(compact, scatter, smt, same-l3, cross-package, cross-numa) (default: both on the "
           "first PU, then the nearest pair of PUs, then the farthest)"},
          {"interpreters", "N",
           "how many interpreters --placement places (with --placement; instead of --cores)"},
          {"placement", "POLICY",
           "where --interpreters go: compact, scatter, smt, same-l3, cross-package, "
           "cross-numa, or a PU list (as sweep --placement)"}});
  add_point_options(d);
  add_output_options(d);
  return d;
}

po::options_description sweep_description() {
  po::options_description d("refbench sweep options");
  add(d, {kHelp,
          {"pairs", "WHICH",
           "PU pairs to visit: all (every ordered pair of distinct PUs, a core-to-core "
           "matrix), unordered (each pair once), symmetric (each pair once, measured both ways "
           "in every repetition block), classes (the first pair of each distance class, "
           "both-on-one-PU included), sample:K (K pairs of each distance class, spread over "
           "packages and NUMA nodes: a matrix that fits a big machine) (default: classes)"},
          {"interpreters", "LIST",
           "scale instead of visiting pairs: interpreter counts, comma-separated or a range "
           "A..B (stream and pingpong run them as pairs, so odd counts are left out for them); "
           "needs --placement"},
          {"placement", "POLICY",
           "how --interpreters are placed: compact, scatter, smt, same-l3, cross-package, "
           "cross-numa, or PU lists"},
          {"resume", "FILE.csv",
           "go on with an interrupted sweep: give the same options and its CSV; the points "
           "already in it are skipped and the rest appended"},
          {"shard", "I/N",
           "run only the I-th of N parts of the plan (1-based, e.g. 3/8), one per host or job: "
           "every host makes the same plan and takes its part, the points of a workload, "
           "payload and PUs stay together, and refbench merge joins the parts' CSVs (default: "
           "the whole plan)"}});
  add_point_options(d);
  add_output_options(d);
  return d;
}

po::options_description stress_description() {
  po::options_description d("refbench stress options");
  add(d, {kHelp,
          {"seconds", "S", "how long to run random points (default: 10)"},
          {"points", "N", "run N random points instead of a duration"},
          {"seed", "N",
           "the seed of the random points; the same seed and --points give the same points "
           "(default: a random seed, printed)"},
          {"cores", "SPEC",
           "where the interpreters run, as for run: a PU list gives one interpreter per PU "
           "(0,1; 0,0; 0,1,0), a policy places 2 to 4 (default: the farthest pair of PUs, and "
           "for 3 or 4 interpreters scatter, or that pair repeated where there are too few PUs)"},
          {"stall-timeout", "S",
           "give up a point in which no message moved for S seconds; it counts as stalled "
           "(default: 30)"},
          {"isolation", "KIND",
           "what each interpreter runs as, as for run: thread or process (default: thread)"}});
  return d;
}

po::options_description topology_description() {
  po::options_description d("refbench topology options");
  add(d, {kHelp,
          {"topology", "SPEC",
           "describe another machine: synthetic:\"pack:2 numa:2 l3:2 core:4 pu:2\" or "
           "xml:FILE (default: this machine)"},
          {"placement", "SPEC", "also show where this placement puts --interpreters"},
          {"interpreters", "N", "interpreters for --placement (default: 2)"},
          {"matrix", nullptr, "also print the distance class of every pair of PUs"}});
  return d;
}

po::options_description compare_description() {
  po::options_description d("refbench compare options");
  add(d, {kHelp,
          {"alpha", "P",
           "significance level of the Mann-Whitney U test over the repetitions (default: 0.05)"}});
  return d;
}

po::options_description merge_description() {
  po::options_description d("refbench merge options");
  add(d, {kHelp,
          {"out", "FILE.csv",
           "where to write the merged results (required); FILE.meta.json goes beside it"},
          {"partial", nullptr,
           "merge even if shards are missing or did not finish (the result says which)"},
          {"force", nullptr, "replace --out if it exists (default: refused)"}});
  return d;
}

po::options_description plot_description() {
  po::options_description d("refbench plot options");
  add(d, {kHelp, {"out", "DIR", "where to write the plots (default: FILE-plots beside the CSV)"}});
  return d;
}

po::options_description events_description() {
  po::options_description d("refbench events options");
  add(d, {kHelp});
  return d;
}

std::string help_text(const po::options_description& d, const char* usage) {
  std::ostringstream out;
  out << usage << "\n" << d;
  return out.str();
}

// Reads the options of a variables_map, converting and checking each value.
class Values {
 public:
  explicit Values(const po::variables_map& vm) : vm_(vm) {}

  bool has(const char* name) const { return vm_.count(name) > 0; }
  std::string get(const char* name) const { return vm_[name].as<std::string>(); }
  std::vector<std::string> files() const { return vm_["file"].as<std::vector<std::string>>(); }
  std::uint64_t whole(const char* name, std::uint64_t min, std::uint64_t max) const {
    return parse_whole(option(name), get(name), min, max);
  }
  std::uint32_t whole32(const char* name, std::uint64_t min, std::uint64_t max) const {
    return static_cast<std::uint32_t>(whole(name, min, max));
  }
  void conflict(const char* a, const char* b, const char* why) const {
    if (has(a) && has(b)) {
      throw UsageError(option(a) + " and " + option(b) + " conflict: " + why);
    }
  }

 private:
  static std::string option(const char* name) { return std::string("--") + name; }
  const po::variables_map& vm_;
};

std::string topology_spec(const Values& v) {
  if (!v.has("topology")) return "";
  const std::string spec = v.get("topology");
  if (spec.empty())
    throw UsageError("--topology: '' is not allowed (allowed: synthetic:DESC or xml:FILE)");
  return spec;
}

PointOptions to_point_options(const Values& v) {
  v.conflict("messages", "seconds", "give one, a count of messages or a duration");
  v.conflict("budget", "seconds", "--budget chooses each point's duration");
  v.conflict("budget", "messages", "--budget chooses each point's duration");
  v.conflict("budget", "precision",
             "--precision adds blocks until the ratios are precise, --budget fixes the time");
  PointOptions o;
  for (const Setting& s : point_settings()) {
    if (s.flag != nullptr && v.has(s.flag)) {
      read_option(s, s.value_name != nullptr ? v.get(s.flag) : "", o);
    }
  }
  if (o.precision && o.max_repetitions < o.repetitions) {
    throw UsageError("--max-repetitions: " + std::to_string(o.max_repetitions) +
                     " is below --repetitions " + std::to_string(o.repetitions) +
                     " (allowed: at least as many blocks as --precision starts with)");
  }
  for (Workload w : o.workloads) {
    if (const std::string problem = workloads::teardown_problem(w, o.config.teardown);
        !problem.empty()) {
      throw UsageError("--teardown early: " + problem + " (with shuffle: --teardown end)");
    }
  }
  return o;
}

OutputOptions to_output_options(const Values& v) {
  OutputOptions o;
  o.topology = topology_spec(v);
  o.dry_run = v.has("dry-run");
  if (o.dry_run) {
    const std::string which = v.get("dry-run");
    if (which != "ends" && which != "all") {
      throw UsageError("--dry-run: '" + which + "' is not allowed (allowed: --dry-run, or " +
                       "--dry-run=all to list every point)");
    }
    o.dry_run_all = which == "all";
  }
  if (v.has("format")) {
    const std::string format = v.get("format");
    if (format != "csv" && format != "json") {
      throw UsageError("--format: '" + format + "' is not allowed (allowed: csv, json)");
    }
    o.format = format == "json" ? results::Format::json : results::Format::csv;
  }
  o.plot = v.has("plot");
  o.force = v.has("force");
  if (v.has("out")) {
    o.out = v.get("out");
    if (o.out.empty()) throw UsageError("--out: '' is not allowed (allowed: a file path)");
  }
  o.quiet = v.has("quiet");
  const bool json = o.format ? *o.format == results::Format::json
                             : results::format_for(o.out) == results::Format::json;
  if (o.plot && json) {
    throw UsageError("--plot: plots are drawn from a CSV, not JSON (allowed with --format csv)");
  }
  return o;
}

RunOptions to_run_options(const Values& v) {
  RunOptions o;
  o.points = to_point_options(v);
  o.output = to_output_options(v);
  if (v.has("cores")) o.cores = v.get("cores");
  v.conflict("cores", "interpreters",
             "--cores names the PUs; --interpreters N --placement P "
             "places N by a policy");
  v.conflict("cores", "placement",
             "--cores names the PUs; --interpreters N --placement P "
             "places N by a policy");
  if (v.has("interpreters") != v.has("placement")) {
    throw UsageError(
        "--interpreters and --placement go together: --interpreters 4 "
        "--placement scatter");
  }
  if (v.has("interpreters")) {
    o.interpreters = v.whole32("interpreters", 1, kMaxInterpreters);
    o.placement = v.get("placement");
  }
  return o;
}

SweepOptions to_sweep_options(const Values& v) {
  SweepOptions o;
  o.points = to_point_options(v);
  o.output = to_output_options(v);
  if (o.points.precision) {
    throw UsageError(
        "--precision: a sweep runs --repetitions blocks of every point (allowed: refbench run "
        "--precision)");
  }
  v.conflict("pairs", "interpreters", "a sweep visits PU pairs or scales interpreters, not both");
  v.conflict("pairs", "placement",
             "--placement places --interpreters; pairs are placed by --pairs");
  if (v.has("pairs")) {
    const std::string pairs = v.get("pairs");
    if (pairs == "all") {
      o.pairs = PairSelection::all;
    } else if (pairs == "unordered") {
      o.pairs = PairSelection::unordered;
    } else if (pairs == "symmetric") {
      o.pairs = PairSelection::symmetric;
    } else if (pairs.rfind("sample:", 0) == 0) {
      o.pairs = PairSelection::sample;
      o.sample_k =
          static_cast<unsigned>(parse_whole("--pairs sample:K", pairs.substr(7), 1, 100000));
    } else if (pairs != "classes") {
      throw UsageError("--pairs: '" + pairs +
                       "' is not allowed (allowed: all, unordered, symmetric, classes, sample:K)");
    }
  }
  if (v.has("interpreters") != v.has("placement")) {
    throw UsageError(
        "--interpreters and --placement go together: --interpreters 2,4,8 "
        "--placement scatter");
  }
  if (v.has("interpreters")) {
    o.interpreters =
        parse_whole_list<unsigned>("--interpreters", v.get("interpreters"), 1, kMaxInterpreters);
    o.placement = v.get("placement");
  }
  v.conflict("resume", "force", "a resumed sweep appends to its file; --force would replace it");
  if (v.has("resume")) {
    o.resume = v.get("resume");
    if (o.resume.empty()) throw UsageError("--resume: '' is not allowed (allowed: a CSV file)");
  }
  if (v.has("shard")) o.shard = parse_shard(v.get("shard"));
  return o;
}

// Positional arguments are the files: `refbench compare A.csv B.csv`, `refbench plot F.csv`.
std::vector<std::string> files(const po::variables_map& vm, std::size_t count,
                               const std::string& command) {
  std::vector<std::string> given;
  if (vm.count("file")) given = vm["file"].as<std::vector<std::string>>();
  if (given.size() != count) {
    throw UsageError(command + ": needs " + std::to_string(count) + " file" +
                     (count == 1 ? "" : "s") + ", got " + std::to_string(given.size()) +
                     " (see refbench " + command + " --help)");
  }
  return given;
}

MergeOptions to_merge_options(const Values& v, const std::string& typed) {
  MergeOptions o;
  if (v.has("file")) {
    for (const std::string& file : v.files()) o.inputs.emplace_back(file);
  }
  if (o.inputs.empty()) {
    throw UsageError("merge: needs the shards' files, got none (see refbench merge --help)");
  }
  if (!v.has("out")) {
    throw UsageError("merge: needs --out FILE.csv, where the merged results go");
  }
  o.out = v.get("out");
  if (o.out.empty() || results::format_for(o.out) != results::Format::csv) {
    throw UsageError("--out: '" + o.out.string() +
                     "' is not allowed (allowed: a CSV file path; merge writes CSV)");
  }
  o.partial = v.has("partial");
  o.force = v.has("force");
  o.command_line = typed;
  return o;
}

TopologyOptions to_topology_options(const Values& v) {
  TopologyOptions o;
  o.topology = topology_spec(v);
  if (v.has("placement")) o.placement = v.get("placement");
  if (v.has("interpreters")) {
    if (!o.placement) throw UsageError("--interpreters needs --placement SPEC");
    o.interpreters = v.whole32("interpreters", 1, kMaxInterpreters);
  }
  o.matrix = v.has("matrix");
  return o;
}

// Boost 1.74 fills an error's placeholders (%original_token%, %value%, ...) by searching the
// whole message again after each replacement, so user text holding its own placeholder, as in
// `refbench run -%original_token%`, never finishes (found by the fuzzer). While Boost formats,
// the user's '%' signs stand aside as a control character, and come back after. Deriving gives
// access to the protected substitutions (through a pointer to member); nothing is constructed.
struct BoostErrorText : po::error_with_option_name {
  static std::string of(po::error_with_option_name& e) {
    constexpr char kStandIn = '\x1f';
    for (auto& [placeholder, text] : e.*(&BoostErrorText::m_substitutions)) {
      std::replace(text.begin(), text.end(), '%', kStandIn);
    }
    std::string message = e.what();
    std::replace(message.begin(), message.end(), kStandIn, '%');
    return message;
  }
};

po::variables_map parse_options(const std::vector<std::string>& args,
                                const po::options_description& d, const std::string& command) {
  po::variables_map vm;
  try {
    // Only compare, merge and plot take positional arguments (files); for the others an empty
    // description makes any of them an error.
    po::options_description all(d);
    po::positional_options_description positional;
    if (command == "compare" || command == "plot" || command == "merge") {
      all.add_options()("file", po::value<std::vector<std::string>>(), "");
      positional.add("file", -1);
    }
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (po::error_with_option_name& e) {
    throw UsageError(BoostErrorText::of(e) + " (see refbench " + command + " --help)");
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see refbench " + command + " --help)");
  }
  return vm;
}

// The command as a shell would take it back: words with anything special single-quoted.
std::string shell_words(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& word : args) {
    if (!out.empty()) out += ' ';
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_=.,/:+@%") == std::string::npos;
    if (plain) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace

Command parse_command_line(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
    return HelpRequest{kOverview};
  }
  if (args[1] == "--version") return VersionRequest{};
  const std::string& command = args[1];
  const std::vector<std::string> rest(args.begin() + 2, args.end());
  auto parse = [&](const po::options_description& d, const char* usage, auto convert) -> Command {
    const po::variables_map vm = parse_options(rest, d, command);
    if (vm.count("help")) return HelpRequest{help_text(d, usage)};
    return convert(vm);
  };
  const std::string typed = shell_words(args);
  if (command == "run") {
    return parse(run_description(), "usage: refbench run [OPTIONS]",
                 [&](const po::variables_map& vm) {
                   RunOptions o = to_run_options(Values(vm));
                   o.output.command_line = typed;
                   return o;
                 });
  }
  if (command == "sweep") {
    return parse(sweep_description(), "usage: refbench sweep [OPTIONS]",
                 [&](const po::variables_map& vm) {
                   SweepOptions o = to_sweep_options(Values(vm));
                   o.output.command_line = typed;
                   return o;
                 });
  }
  if (command == "stress") {
    return parse(stress_description(), "usage: refbench stress [OPTIONS]",
                 [&](const po::variables_map& vm) {
                   const Values v(vm);
                   StressOptions o;
                   v.conflict("seconds", "points", "give one, a duration or a count of points");
                   if (v.has("seconds"))
                     o.seconds = parse_seconds("--seconds", v.get("seconds"), 86400);
                   if (v.has("points"))
                     o.points = parse_whole("--points", v.get("points"), 1, 100'000'000);
                   if (v.has("seed")) {
                     o.seed = parse_whole("--seed", v.get("seed"), 0, UINT64_MAX);
                   }
                   if (v.has("cores")) o.cores = v.get("cores");
                   if (v.has("stall-timeout")) {
                     setting("stall-timeout").read(v.get("stall-timeout"), o.base.config);
                   }
                   if (v.has("isolation")) {
                     read_option(setting("isolation"), v.get("isolation"), o.base);
                   }
                   o.output.command_line = typed;
                   return o;
                 });
  }
  if (command == "compare") {
    return parse(compare_description(), "usage: refbench compare A.csv B.csv [OPTIONS]",
                 [&](const po::variables_map& vm) {
                   const auto given = files(vm, 2, command);
                   CompareOptions o{given[0], given[1]};
                   if (vm.count("alpha")) {
                     o.alpha = parse_positive("--alpha", Values(vm).get("alpha"), 0.5,
                                              "a significance level");
                   }
                   return o;
                 });
  }
  if (command == "merge") {
    return parse(merge_description(),
                 "usage: refbench merge SHARD.csv... --out FILE.csv [--partial]",
                 [&](const po::variables_map& vm) { return to_merge_options(Values(vm), typed); });
  }
  if (command == "plot") {
    return parse(plot_description(), "usage: refbench plot FILE.csv [--out DIR]",
                 [&](const po::variables_map& vm) {
                   PlotOptions o{files(vm, 1, command)[0], {}};
                   if (vm.count("out")) o.out = Values(vm).get("out");
                   return o;
                 });
  }
  if (command == "events") {
    return parse(events_description(), "usage: refbench events",
                 [](const po::variables_map&) { return EventsRequest{}; });
  }
  if (command == "topology") {
    return parse(topology_description(), "usage: refbench topology [OPTIONS]",
                 [](const po::variables_map& vm) { return to_topology_options(Values(vm)); });
  }
  throw UsageError(
      "'" + command +
      "' is not a command (allowed: run, sweep, stress, compare, merge, plot, topology, events; "
      "see "
      "refbench --help)");
}

}  // namespace refbench::harness

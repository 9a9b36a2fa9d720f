// The files a run or sweep writes, opened before its first point: the results file (CSV or
// Google Benchmark JSON) and, beside it, the metadata record and the topology's XML, each
// either whole under its real name or not there at all.
#pragma once

#include <memory>

#include "harness/counters.h"
#include "harness/options.h"
#include "pinning/topology.h"
#include "results/metadata.h"
#include "results/sink.h"

namespace refbench::harness {

// Opens the results file (--out, or a new time-stamped file under results/) in its format
// (--format, else by extension), and writes beside it the metadata record
// (FILE.meta.json, with `plan`: which plan and shard the file holds) and the topology's
// hwloc XML (FILE.topology.xml). With Opening::append the rows go to the end of --out, an
// existing CSV, and metadata already there is kept. Throws UsageError if a file cannot be
// written.
std::unique_ptr<results::ResultSink> open_results(const OutputOptions& output,
                                                  const pinning::Topology& topo,
                                                  const CounterSet& counters,
                                                  results::Opening opening,
                                                  const results::PlanRecord& plan);

}  // namespace refbench::harness

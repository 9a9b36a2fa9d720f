// Results CSVs read back by compare, merge, plot and sweep --resume: strictly, so that a
// file cut short, edited by hand or not refbench's is refused on one line naming the file,
// the line and the field, never half-read.
#pragma once

#include <filesystem>
#include <string>

#include "results/csv.h"

namespace refbench::harness {

// The columns every reader needs.
inline constexpr const char* kResultsKeyColumns[] = {"workload",      "strategy",   "pus",
                                                     "payload_bytes", "repetition", "ns_per_msg"};

// Reads a results CSV: the header has distinct names and kResultsKeyColumns; every row has
// as many fields as the header, a known workload and strategy, whole numbers for
// payload_bytes, repetition and interpreters, a number (or nothing, for a point given up)
// for ns_per_msg and msgs_per_s, and is not the same point and repetition as another row.
// A last row cut short is refused unless `allow_cut`. Throws UsageError: "CONTEXT: FILE:
// line N: field F: ...".
results::CsvTable read_results_csv(const std::filesystem::path& path, const std::string& context,
                                   bool allow_cut = false);

// Whether `text` is a whole finite number as refbench writes them ("12", "3.5", "1e-06").
bool is_number(const std::string& text);

}  // namespace refbench::harness

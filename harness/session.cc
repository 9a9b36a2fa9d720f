#include "harness/session.h"

#include <chrono>
#include <exception>

#include "harness/execute.h"

namespace refbench::harness {

int execute_plan(const PlanRun& run) {
  std::size_t failing_rows = 0;
  const InterruptScope interrupt;
  // The timed phase may change from block to block (--budget); everything else is as given.
  PointOptions options = run.options;
  // Under --budget a point's timed phase may be as short as 10 ms: the probe, a few ms, is
  // then taken once per block (every strategy of the block shares its PUs and its minute).
  BlockProbe block_probe;
  for (std::size_t i = 0; i < run.points.size(); ++i) {
    if (InterruptScope::requested()) {
      run.sink.commit();
      if (run.before_message) run.before_message();
      run.err << "refbench: interrupted (" << InterruptScope::signal_name() << ") after " << i
              << " of " << run.points.size() << " points; the " << run.sink.rows()
              << " rows finished are in " << run.sink.path().string() << "\n";
      if (!run.resume_hint.empty()) run.err << "refbench: to go on: " << run.resume_hint << "\n";
      return interrupted_status(InterruptScope::signal());
    }
    const Point point = run.points.at(i);
    if (run.budget != nullptr && i % run.block == 0) {
      options.config.duration = run.budget->next_timed_phase(run.points.size() - i);
      block_probe.taken = false;
    }
    if (run.before_each) run.before_each(i, point);
    try {
      const auto start = std::chrono::steady_clock::now();
      const results::ResultRow row = measure(run.topo, options, run.counters, point,
                                             run.budget != nullptr ? &block_probe : nullptr);
      run.sink.write(row);
      if (run.budget != nullptr) {
        run.budget->point_done(std::chrono::steady_clock::now() - start,
                               std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::duration<double>(row.elapsed_s)));
      }
      if (row.strategy_is_correct && row.violations > 0) ++failing_rows;
      if (!row.error.empty()) {
        ++failing_rows;
        if (run.before_message) run.before_message();
        run.err << "refbench: " << describe(point) << ": " << row.error
                << "; its row says so, and the run goes on\n";
      }
      if (run.after_each) run.after_each(i, row);
    } catch (const std::exception& e) {
      // Said only once the rows are where it says: a failed write was cut back to the last
      // whole row, and the commit below may fail too (the same full disk).
      std::string kept;
      try {
        run.sink.commit();
        kept = "the " + std::to_string(run.sink.rows()) + " rows finished before it are in " +
               run.sink.path().string();
      } catch (const std::exception& also) {
        kept = std::string("and the rows finished before it could not be kept: ") + also.what();
      }
      if (run.before_message) run.before_message();
      run.err << "refbench: error: " << describe(point) << ": " << e.what() << "; " << kept << "\n";
      return 1;
    }
  }
  if (!run.more_to_come) run.sink.commit();
  if (run.before_message) run.before_message();
  if (failing_rows > 0) {
    run.err << "refbench: FAIL: " << failing_rows
            << " rows of correct strategies show violations or were given up (see the "
               "violations and error columns of "
            << run.sink.path().string() << ")\n";
    return 1;
  }
  return 0;
}

}  // namespace refbench::harness

#include "harness/session.h"

#include <exception>

#include "harness/execute.h"

namespace refbench::harness {

int execute_plan(const PlanRun& run) {
  std::size_t failing_rows = 0;
  const InterruptScope interrupt;
  for (std::size_t i = 0; i < run.plan.points.size(); ++i) {
    if (InterruptScope::requested()) {
      run.sink.commit();
      if (run.before_message) run.before_message();
      run.err << "refbench: interrupted (" << InterruptScope::signal_name() << ") after " << i
              << " of " << run.plan.points.size() << " points; the " << run.sink.rows()
              << " rows finished are in " << run.sink.path().string() << "\n";
      if (!run.resume_hint.empty()) run.err << "refbench: to go on: " << run.resume_hint << "\n";
      return interrupted_status(InterruptScope::signal());
    }
    const Point& point = run.plan.points[i];
    if (run.before_each) run.before_each(i, point);
    try {
      const results::ResultRow row = measure(run.topo, run.options, run.counters, point);
      run.sink.write(row);
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

#include "results/sink.h"

#include "results/benchmark_json.h"

namespace refbench::results {
namespace {

class CsvSink : public ResultSink {
 public:
  CsvSink(const std::filesystem::path& path, Opening opening, bool replace,
          const std::vector<std::string>& counters)
      : file_(path, csv_header(counters), opening, replace) {}
  void write(const ResultRow& row) override { file_.write_row(csv_fields(row)); }
  void commit() override { file_.commit(); }
  const std::filesystem::path& path() const override { return file_.path(); }
  std::size_t rows() const override { return file_.rows(); }

 private:
  CsvFile file_;
};

class JsonSink : public ResultSink {
 public:
  // The temporary file is opened (and locked) now: a file that could not be written at
  // the end fails before anything runs.
  JsonSink(const std::filesystem::path& path, Metadata metadata)
      : file_(path, OutputFile::Mode::whole), metadata_(std::move(metadata)) {}
  void write(const ResultRow& row) override { rows_.push_back(row); }
  void commit() override {
    if (committed_) return;  // a second commit (after an early stop) has nothing to do
    file_.write(benchmark_json(metadata_, rows_, asked_));
    file_.commit();
    committed_ = true;
  }
  void ask_ratios(const std::vector<RatioPair>& asked) override { asked_ = asked; }
  const std::filesystem::path& path() const override { return file_.path(); }
  std::size_t rows() const override { return rows_.size(); }

 private:
  OutputFile file_;
  Metadata metadata_;
  std::vector<ResultRow> rows_;
  std::vector<RatioPair> asked_;
  bool committed_ = false;
};

}  // namespace

Format format_for(const std::filesystem::path& path) {
  return path.extension() == ".json" ? Format::json : Format::csv;
}

std::unique_ptr<ResultSink> open_sink(const std::filesystem::path& path, Format format,
                                      Opening opening, bool replace,
                                      const std::vector<std::string>& counters,
                                      const Metadata& metadata) {
  if (format == Format::json) return std::make_unique<JsonSink>(path, metadata);
  return std::make_unique<CsvSink>(path, opening, replace, counters);
}

}  // namespace refbench::results

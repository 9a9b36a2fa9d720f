#include "results/sink.h"

#include "results/benchmark_json.h"

namespace refbench::results {
namespace {

class CsvSink : public ResultSink {
 public:
  CsvSink(const std::filesystem::path& path, Opening opening,
          const std::vector<std::string>& counters)
      : file_(path, csv_header(counters), opening) {}
  void write(const ResultRow& row) override { file_.write_row(csv_fields(row)); }
  void commit() override { file_.commit(); }
  const std::filesystem::path& path() const override { return file_.path(); }
  std::size_t rows() const override { return file_.rows(); }

 private:
  CsvFile file_;
};

class JsonSink : public ResultSink {
 public:
  JsonSink(std::filesystem::path path, Metadata metadata)
      : path_(std::move(path)), metadata_(std::move(metadata)) {
    // Fail now, before anything runs, if the file could not be written at the end.
    CsvFile probe(path_, {});
  }
  void write(const ResultRow& row) override { rows_.push_back(row); }
  void commit() override { write_file_atomically(path_, benchmark_json(metadata_, rows_, asked_)); }
  void ask_ratios(const std::vector<RatioPair>& asked) override { asked_ = asked; }
  const std::filesystem::path& path() const override { return path_; }
  std::size_t rows() const override { return rows_.size(); }

 private:
  std::filesystem::path path_;
  Metadata metadata_;
  std::vector<ResultRow> rows_;
  std::vector<RatioPair> asked_;
};

}  // namespace

Format format_for(const std::filesystem::path& path) {
  return path.extension() == ".json" ? Format::json : Format::csv;
}

std::unique_ptr<ResultSink> open_sink(const std::filesystem::path& path, Format format,
                                      Opening opening, const std::vector<std::string>& counters,
                                      const Metadata& metadata) {
  if (format == Format::json) return std::make_unique<JsonSink>(path, metadata);
  return std::make_unique<CsvSink>(path, opening, counters);
}

}  // namespace refbench::results

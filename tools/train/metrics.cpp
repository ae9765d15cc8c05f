// tools/train/metrics.cpp — see metrics.h.
#include "tools/train/metrics.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace gradlab::cli {

namespace {

#define GRADLAB_COLUMN(field, ...)                                                                          \
  MetricColumn {                                                                                            \
#field,                                                                                                 \
        [](const EpochMetrics&                                                                              \
               m) { return std::optional<double>(m.field); },                                               \
                                                           [](EpochMetrics & m,                             \
                                                              std::optional <double>                        \
                                                                  v) { m.field = v.value_or(0); },          \
                                                                                                __VA_ARGS__ \
  }

std::vector<MetricColumn> make_columns() {
  std::vector<MetricColumn> c;
  c.push_back({"epoch", [](const EpochMetrics& m) { return std::optional<double>(m.epoch); },
               [](EpochMetrics& m, std::optional<double> v) {
                 m.epoch = static_cast<int64_t>(v.value_or(0));
               },
               false, true});
  c.push_back(GRADLAB_COLUMN(train_loss));
  c.push_back(GRADLAB_COLUMN(train_acc));
  c.push_back({"val_loss", [](const EpochMetrics& m) { return m.val_loss; },
               [](EpochMetrics& m, std::optional<double> v) { m.val_loss = v; }, true});
  c.push_back({"val_acc", [](const EpochMetrics& m) { return m.val_acc; },
               [](EpochMetrics& m, std::optional<double> v) { m.val_acc = v; }, true});
  c.push_back(GRADLAB_COLUMN(lr));
  c.push_back(GRADLAB_COLUMN(seconds, false, false, 3));
  return c;
}
#undef GRADLAB_COLUMN

const char* non_finite_name(double v) { return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf"; }

std::string cell(const MetricColumn& c, std::optional<double> v) {
  if (!v) return "";
  if (!std::isfinite(*v)) return non_finite_name(*v);
  char buf[40];
  if (c.integer)
    std::snprintf(buf, sizeof buf, "%.0f", *v);
  else if (c.digits >= 0)
    std::snprintf(buf, sizeof buf, "%.*f", c.digits, *v);
  else
    std::snprintf(buf, sizeof buf, "%.17g", *v);
  return buf;
}

}  // namespace

const std::vector<MetricColumn>& metric_columns() {
  static const std::vector<MetricColumn> columns = make_columns();
  return columns;
}

std::string metrics_csv(const std::vector<EpochMetrics>& rows) {
  std::string s;
  for (const MetricColumn& c : metric_columns()) s += std::string(s.empty() ? "" : ",") + c.name;
  s += "\n";
  for (const EpochMetrics& r : rows) {
    bool first = true;
    for (const MetricColumn& c : metric_columns()) {
      s += (first ? "" : ",") + cell(c, c.get(r));
      first = false;
    }
    s += "\n";
  }
  return s;
}

nlohmann::json to_json(const EpochMetrics& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const MetricColumn& c : metric_columns()) {
    const std::optional<double> v = c.get(m);
    if (!v)
      j[c.name] = nullptr;
    else if (c.integer)
      j[c.name] = static_cast<int64_t>(*v);
    else if (!std::isfinite(*v))
      j[c.name] = non_finite_name(*v);
    else
      j[c.name] = *v;
  }
  return j;
}

EpochMetrics epoch_metrics_from_json(const nlohmann::json& j, size_t row) {
  auto bad = [row](const std::string& what) -> std::runtime_error {
    return std::runtime_error("metrics row " + std::to_string(row) + ": " + what);
  };
  if (!j.is_object()) throw bad("expected an object, got " + j.dump());
  EpochMetrics m;
  for (const MetricColumn& c : metric_columns()) {
    const auto it = j.find(c.name);
    std::optional<double> v;
    if (it == j.end() || it->is_null()) {
      if (!c.optional) throw bad(std::string("'") + c.name + "' is missing");
    } else if (c.integer) {
      // Integers only: get<int64_t>() of a float such as 1e300 is undefined behaviour.
      // Within 2^53, so that the double in between holds it exactly.
      constexpr int64_t kExact = int64_t{1} << 53;
      const bool fits = it->is_number_integer() &&
                        !(it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{kExact});
      if (!fits || it->get<int64_t>() > kExact || it->get<int64_t>() < -kExact)
        throw bad(std::string("'") + c.name + "' must be an integer, got " + it->dump());
      v = static_cast<double>(it->get<int64_t>());
    } else if (it->is_number()) {
      v = it->get<double>();
    } else if (it->is_string() && (*it == "nan" || *it == "inf" || *it == "-inf")) {
      v = *it == "nan" ? NAN : *it == "inf" ? INFINITY : -INFINITY;
    } else {
      throw bad(std::string("'") + c.name + "' must be a number, got " + it->dump());
    }
    c.set(m, v);
  }
  return m;
}

}  // namespace gradlab::cli

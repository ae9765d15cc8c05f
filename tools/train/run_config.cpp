// tools/train/run_config.cpp — TrainConfig <-> JSON through the flag table.
#include "tools/train/run_config.h"

#include <stdexcept>

#include "tools/train/flags.h"

namespace gradlab::cli {

nlohmann::json to_json(const TrainConfig& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const FlagDef& f : train_flags()) j[f.key()] = f.get(c);
  return j;
}

TrainConfig config_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("config: expected a JSON object, got " + j.dump());
  auto row_of = [](const std::string& key) -> const FlagDef* {
    for (const FlagDef& f : train_flags())
      if (f.key() == key) return &f;
    return nullptr;
  };
  for (const auto& item : j.items())
    if (!row_of(item.key()))
      throw std::runtime_error("config: unknown setting '" + item.key() +
                               "' (written by a newer gradlab?)");
  TrainConfig c;
  for (const FlagDef& f : train_flags()) {
    const auto it = j.find(f.key());
    if (it == j.end()) {
      if (f.required_in_config) throw std::runtime_error("config: '" + f.key() + "' is missing");
      continue;  // a setting added later: its default
    }
    try {
      f.set(c, *it);
    } catch (const FlagError& e) {
      throw std::runtime_error("config: '" + f.key() + "' " + it->dump() + ": " + e.what());
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error("config: '" + f.key() + "': " + e.what());
    }
  }
  return c;
}

}  // namespace gradlab::cli
